"""AM601/AM602/AM603: TriggerDagRunOperator (rules.md section 4 rule 5).

Airflow 1.10.15 called ``python_callable(context, dag_run_obj)`` when the task ran and triggered the DAG only
if it returned the object, with ``run_id=dag_run_obj.run_id`` and ``conf=json.dumps(dag_run_obj.payload)``
(airflow/operators/dagrun_operator.py). Airflow 2 has no callable: it always triggers, with ``conf={...}``
(templated, rendered before the task runs). So a callable that only sets the payload (and returns the object)
becomes ``conf=<payload>`` (AM601):

- literals and module-level constants are kept as they are (tuples become the lists JSON made of them);
- string-valued context entries become templates rendering the same string (``context['ds']`` ->
  ``'{{ ds }}'``), and inside string concatenations and f-strings so do ``context['params'][...]`` and
  ``context['dag_run'].conf[...]`` (they were turned into strings there already).

The callable's ``def`` goes when nothing else uses it. Any other callable (it decides whether to trigger, sets
the run_id, computes the payload when the task runs, does more, or is not a function defined in the file) keeps
1.10's behaviour when the task runs (AM603): the call becomes a small subclass of Airflow 2's operator, added
once to the file, whose ``execute`` runs the callable with ``(context, DagRunOrder(run_id='trig__<date>'))``
and either logs "Criteria not met, moving on" (the task succeeds, nothing is triggered) or triggers with the
order's run_id and ``conf=json.dumps(payload)``, as 1.10 did. A file's ``DagRunOrder`` import (removed in
Airflow 2) becomes a local class with 1.10's two attributes when every use of it is a call.
A TODO is left when ``conf=`` is given next to ``python_callable=`` (1.10 ignored it).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule
from dagconvert.rules.cstutil import JINJA_MARKERS, Unconvertible

TRIGGER = "airflow.operators.trigger_dagrun.TriggerDagRunOperator"
DAG_RUN_ORDER = "airflow.operators.dagrun_operator.DagRunOrder"
# Context entries that are strings in both versions, rendered identically by ``{{ <expr> }}``.
STRING_KEYS = frozenset({"ds", "ds_nodash", "ts", "ts_nodash", "run_id"})
STRING_ATTRIBUTES = {("dag", "dag_id"), ("task", "task_id")}
# Second parameter names the 1.10 docs and DAGs use: a def with one of them is visited (and can be removed).
ORDER_PARAMS = frozenset({"dag_run_obj", "dro", "dag_run_order", "dagrun_order", "run_obj", "obj", "dr"})
_RUN_ID = "it sets the run_id (1.10's default run ids were trig__<date>, Airflow 2's are manual__<date>)"
_CONDITIONAL = "it decides whether to trigger (1.10 skipped the run when it returned None)"
FALLBACK_NAME = "TriggerDagRunWithCallableOperator"


@dataclass
class Plan:
    """What to do with one callable passed as ``python_callable`` to TriggerDagRunOperator."""

    conf: cst.BaseExpression | None = None  # None: the callable sets no payload (the python_callable just goes)
    reason: str = ""                        # set: not convertible (TODO)
    removable: bool = False                 # every reference is a converted python_callable=
    removed: bool = False                   # the def was removed (it is visited before the calls after it)
    context: str = ""
    order: str = ""
    line: int = 0                           # a line of the callable's body (where its names are read)
    imported: tuple[str, ...] = ()          # imported names the callable reads (DagRunOrder)


# -- payload -> conf ------------------------------------------------------------------------------------------


def _has_jinja(value: str) -> bool:
    return any(marker in value for marker in JINJA_MARKERS)


def _json_native(value) -> bool:
    """A value json.dumps/json.loads (what 1.10 did to the payload) returns unchanged, Jinja-free."""
    if isinstance(value, str):
        return not _has_jinja(value)
    if value is None or isinstance(value, (bool, int, float)):
        return True
    if isinstance(value, list):
        return all(_json_native(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_native(v) for k, v in value.items())
    return False


class _Payload:
    """Rewrites a payload expression (libcst) into the equivalent ``conf`` value, or raises Unconvertible."""

    def __init__(self, ctx, plan: Plan):
        self.ctx, self.context, self.order, self.line = ctx, plan.context, plan.order, plan.line

    def value(self, node: cst.BaseExpression) -> cst.BaseExpression:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            self._jinja_free(cstutil.literal(node))
            return node
        if isinstance(node, (cst.Integer, cst.Float)) or (
                isinstance(node, cst.Name) and node.value in ("True", "False", "None")):
            return node
        if isinstance(node, cst.UnaryOperation) and isinstance(node.expression, (cst.Integer, cst.Float)):
            return node
        if isinstance(node, cst.Dict):
            return node.with_changes(elements=[self._element(e) for e in node.elements])
        if isinstance(node, (cst.List, cst.Tuple)):
            elements = [e.with_changes(value=self.value(e.value)) if isinstance(e, cst.Element)
                        else self._decline(e) for e in node.elements]
            if isinstance(node, cst.Tuple):  # 1.10 sent the payload through JSON: a tuple arrived as a list
                return cst.List(elements=elements)
            return node.with_changes(elements=elements)
        if isinstance(node, cst.Name):
            return self._constant(node)
        template = self._template(node, in_string=False)
        if template is not None:
            return _string_literal("{{ " + template + " }}", node)
        if isinstance(node, (cst.BinaryOperation, cst.FormattedString)):
            return self._string(node)
        template = self._template(node, in_string=True)
        if template is not None:
            raise Unconvertible(f"{cstutil.code_of(node).strip()} may not be a string: conf='{{{{ {template} }}}}' "
                          f"would always pass one")
        return self._decline(node)

    def _element(self, e):
        if not isinstance(e, cst.DictElement):
            raise Unconvertible("the payload unpacks a dict (**)")
        if not isinstance(cstutil.string_value(e.key), str):
            raise Unconvertible("the payload has a key that is not a string literal (1.10 sent it through JSON)")
        return e.with_changes(value=self.value(e.value))

    def _constant(self, node: cst.Name) -> cst.Name:
        if node.value in (self.context, self.order):
            raise Unconvertible(f"the payload uses {node.value} itself")
        value = cstutil.module_literal(self.ctx, node.value, self.line)
        if value is cstutil.NotLiteral or not _json_native(value):
            raise Unconvertible(f"the payload uses {node.value}, whose value is not a literal known when the file "
                                f"is parsed (1.10 read it when the task ran)")
        return node

    @staticmethod
    def _jinja_free(value) -> None:
        if isinstance(value, str) and _has_jinja(value):
            raise Unconvertible("a payload string contains Jinja markers: conf is templated in Airflow 2 and would "
                                "render it")

    def _decline(self, node) -> cst.BaseExpression:
        raise Unconvertible(f"the payload value {cstutil.code_of(node).strip()!r} is computed when the task runs")

    def _template(self, node: cst.BaseExpression, *, in_string: bool) -> str | None:
        """The Jinja expression rendering the same string as this context lookup, else None."""
        if isinstance(node, cst.Subscript) and self._is_context(node.value):
            key = self._key(node)
            if key in STRING_KEYS:
                return key
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Subscript) and \
                self._is_context(node.value.value) and (self._key(node.value), node.attr.value) in STRING_ATTRIBUTES:
            return f"{self._key(node.value)}.{node.attr.value}"
        if not in_string or not isinstance(node, cst.Subscript):
            return None
        key = self._key(node)
        inner = node.value
        if key is None:
            return None
        if isinstance(inner, cst.Subscript) and self._is_context(inner.value) and self._key(inner) == "params":
            return f"params.{key}" if key.isidentifier() and not hasattr(dict, key) else f"params[{key!r}]"
        if isinstance(inner, cst.Attribute) and inner.attr.value == "conf" and isinstance(inner.value, cst.Subscript) \
                and self._is_context(inner.value.value) and self._key(inner.value) == "dag_run":
            return f"dag_run.conf[{key!r}]"
        return None

    def _is_context(self, node) -> bool:
        return isinstance(node, cst.Name) and node.value == self.context

    @staticmethod
    def _key(node: cst.Subscript) -> str | None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        return cstutil.string_value(node.slice[0].slice.value)

    def _string(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """A string built by ``+`` or an f-string: one string literal (context lookups as templates), or
        ``<str constant> + '<template>'`` pieces when it uses module-level string constants."""
        pieces = self._pieces(node)
        merged: list[str | cst.Name] = []
        for piece in pieces:
            if isinstance(piece, str) and merged and isinstance(merged[-1], str):
                merged[-1] += piece
            else:
                merged.append(piece)
        nodes = [_string_literal(p, node) if isinstance(p, str) else p for p in merged]
        result = nodes[0]
        for n in nodes[1:]:
            result = cst.BinaryOperation(left=result, operator=cst.Add(), right=n)
        return result

    def _pieces(self, node: cst.BaseExpression) -> list[str | cst.Name]:
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return self._pieces(node.left) + self._pieces(node.right)
        if isinstance(node, cst.FormattedString):
            pieces: list[str | cst.Name] = []
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    text = part.value.replace("{{", "{").replace("}}", "}")
                    self._jinja_free(text)
                    pieces.append(text)
                elif part.conversion is None and part.format_spec is None:
                    pieces += self._piece(part.expression)
                else:
                    raise Unconvertible("an f-string in the payload uses a conversion or format spec")
            return pieces
        return self._piece(node)

    def _piece(self, node: cst.BaseExpression) -> list[str | cst.Name]:
        value = cstutil.string_value(node)
        if value is not None:
            self._jinja_free(value)
            return [value]
        template = self._template(node, in_string=True)
        if template is not None:
            return ["{{ " + template + " }}"]
        if isinstance(node, cst.Name):
            value = cstutil.module_literal(self.ctx, node.value, self.line)
            if isinstance(value, str):
                self._jinja_free(value)
                return [self._constant(node)]
        if isinstance(node, (cst.BinaryOperation, cst.FormattedString)):
            return self._pieces(node)
        self._decline(node)
        return []


def _string_literal(value: str, like: cst.BaseExpression) -> cst.SimpleString:
    """A string literal for ``value`` quoted like the first string in ``like`` (the payload as written)."""
    return cstutil.string_literal(value, cstutil.quote_of(like))


# -- the plan: which callables convert, from the whole file -------------------------------------------------


def _trigger_callables(ctx) -> dict[str, int]:
    """Callable name -> number of TriggerDagRunOperator calls passing it as ``python_callable=<name>`` that the
    rule converts (no conf=, no *args/**kwargs)."""
    counts: dict[str, int] = {}
    for node in ctx.analysis.nodes:
        if not isinstance(node, ast.Call):
            continue
        qname = ctx.analysis.resolve(node.func)
        if qname is None or ctx.decider.identity(qname) != TRIGGER:
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        value = keywords.get("python_callable")
        if isinstance(value, ast.Name) and "conf" not in keywords and None not in keywords and not any(
                isinstance(a, ast.Starred) for a in node.args):
            counts[value.id] = counts.get(value.id, 0) + 1
    return counts


def _definitions(nodes: list[ast.AST]) -> tuple[dict[str, list[ast.FunctionDef]], dict[str, int]]:
    """Function definitions by name, and how often each name is bound otherwise, over the file's nodes."""
    defs: dict[str, list[ast.FunctionDef]] = {}
    stores: dict[str, int] = {}
    for node in nodes:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            stores[node.id] = stores.get(node.id, 0) + 1
    return defs, stores


def _payload_of(ctx, fn: ast.FunctionDef, order: str) -> ast.expr | None:
    """The payload the callable sets (None: none), or Unconvertible."""
    body = list(fn.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # docstring
    returns = [n for n in ast.walk(fn) if isinstance(n, ast.Return)]
    branching = (ast.If, ast.IfExp, ast.BoolOp, ast.For, ast.While, ast.Try, ast.With, ast.Match)
    if any(isinstance(n, branching) for stmt in body for n in ast.walk(stmt)) or \
            any(r.value is None or (isinstance(r.value, ast.Constant) and r.value.value is None) for r in returns):
        raise Unconvertible(_CONDITIONAL)
    if not body or not isinstance(body[-1], ast.Return):
        raise Unconvertible("it never returns the DagRunOrder, so 1.10 never triggered the DAG")
    last = body[-1].value
    payload: ast.expr | None = None
    if isinstance(last, ast.Call) and ctx.analysis.resolve(last.func) == DAG_RUN_ORDER:
        if last.args or any(k.arg != "payload" for k in last.keywords):
            raise Unconvertible(_RUN_ID)
        if len(body) > 1:
            raise Unconvertible("it does more than set the payload")
        return last.keywords[0].value if last.keywords else None
    if not (isinstance(last, ast.Name) and last.id == order):
        raise Unconvertible(f"it does not return {order}")
    for stmt in body[:-1]:
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == order:
            if target.attr == "payload" and payload is None:
                payload = stmt.value
                continue
            if target.attr == "run_id":
                raise Unconvertible(_RUN_ID)
        raise Unconvertible("it does more than set the payload")
    return payload


def _plan_one(ctx, name: str, uses: int) -> Plan:
    defs, stores = _definitions(ctx.analysis.nodes)
    found = defs.get(name, [])
    if len(found) != 1 or stores.get(name):
        return Plan(reason=f"{name} is not a function defined once in this file")
    fn = found[0]
    args = fn.args
    params = [a.arg for a in (*args.posonlyargs, *args.args)]
    if len(params) != 2 or args.vararg or args.kwarg or args.kwonlyargs or fn.decorator_list:
        return Plan(reason=f"{name} does not have the 1.10 signature (context, dag_run_obj)")
    imported = tuple(n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                     and n.id in ctx.analysis.bindings)
    plan = Plan(context=params[0], order=params[1], line=fn.body[-1].lineno, imported=imported)
    try:
        payload = _payload_of(ctx, fn, plan.order)
        if payload is not None and not (isinstance(payload, ast.Constant) and payload.value is None):
            plan.conf = _Payload(ctx, plan).value(cst.parse_expression(ast.unparse(payload)))
    except Unconvertible as exc:
        return Plan(reason=str(exc))
    plan.removable = ctx.analysis.ref_counts.get(name, 0) == uses
    return plan


def _plans(ctx) -> dict[str, Plan]:
    return {name: _plan_one(ctx, name, uses) for name, uses in _trigger_callables(ctx).items()}


def _why_not_conf(ctx, call: cst.Call, a: cst.Arg) -> str | None:
    """Why AM601 cannot turn this call's ``python_callable=`` into ``conf=`` (None: it can)."""
    if cstutil.kwarg(call, "conf") is not None:
        return "conf= is given too"
    if any(arg.star for arg in call.args):
        return "*args/**kwargs hide the call's arguments"
    if not isinstance(a.value, cst.Name):
        return "it is not a function defined in this file"
    plan = cstutil.file_state(ctx, "AM601", _plans).get(a.value.value)
    if plan is None:
        return f"{a.value.value} is not a function defined once in this file"
    return plan.reason or None


# -- AM603: 1.10's behaviour kept when the task runs ----------------------------------------------------------


@dataclass
class OrderPlan:
    """The file's module-level import of 1.10's DagRunOrder, and whether a local class can replace it."""

    local: str = ""                           # its local name ("": not imported at module level)
    define: bool = False                      # every use left is a call: a local class of that name replaces it
    calls: int = 0                            # those calls
    skip_lines: frozenset[int] = frozenset()  # lines of the defs AM601 removes (their uses go with them)
    reported: bool = False


def _order_plan(ctx) -> OrderPlan:
    found = [b for b in ctx.analysis.bindings.values() if ctx.decider.identity(b.qname) == DAG_RUN_ORDER]
    if len(found) != 1:
        return OrderPlan()
    binding = found[0]
    if not binding.top_level or binding.guarded or binding.module_import or \
            binding.local in ctx.analysis.stored_names:
        return OrderPlan()
    local = binding.local
    plans = cstutil.file_state(ctx, "AM601", _plans)
    defs, _ = _definitions(ctx.analysis.nodes)
    skip: set[int] = set()
    for name, plan in plans.items():
        fn = defs[name][0] if len(defs.get(name, ())) == 1 else None
        params = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args)} if fn is not None else set()
        if fn is not None and not plan.reason and plan.removable and params & ORDER_PARAMS:  # AM601 removes it
            skip.update(range(fn.lineno, (fn.end_lineno or fn.lineno) + 1))
    refs = calls = 0
    for node in ctx.analysis.nodes:
        if getattr(node, "lineno", 0) in skip:
            continue
        if isinstance(node, ast.Name) and node.id == local and isinstance(node.ctx, ast.Load):
            refs += 1
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == local:
            calls += 1
    return OrderPlan(local=local, define=refs == calls, calls=calls, skip_lines=frozenset(skip))


def _order_class(ctx) -> str:
    """The local name of the file's DagRunOrder class (added once)."""
    orders = cstutil.file_state(ctx, "AM603.order", _order_plan)
    replaces = bool(orders.local) and orders.define
    return ctx.require_definition("AM603.DagRunOrder", orders.local if replaces else "DagRunOrder", _order_code,
                                  replaces=replaces)


def _order_code(name: str) -> str:
    return (
        "# Added by composer-migrate (AM603): Airflow 1.10's DagRunOrder (airflow.operators.dagrun_operator), "
        "removed in\n"
        "# Airflow 2: what a TriggerDagRunOperator python_callable fills and returns.\n"
        f"class {name}:\n"
        "    def __init__(self, run_id=None, payload=None):\n"
        "        self.run_id = run_id\n"
        "        self.payload = payload\n"
    )


def _operator_code(ctx, name: str) -> str:
    base = ctx.require_import(TRIGGER)
    json_module = ctx.require_import("json")
    timezone = ctx.require_import("airflow.utils.timezone")
    order = _order_class(ctx)
    return (
        "# Added by composer-migrate (AM603): Airflow 1.10's TriggerDagRunOperator(python_callable=...), which "
        "Airflow 2\n"
        "# removed, on Airflow 2's operator.\n"
        f"class {name}({base}):\n"
        '    """TriggerDagRunOperator with Airflow 1.10\'s ``python_callable(context, dag_run_obj)``.\n'
        "\n"
        f"    When the task runs, the callable gets the context and a {order} whose run_id is ``trig__`` and the\n"
        "    logical date (else the current time). If it returns a false value, nothing is triggered and the task\n"
        "    succeeds; else the DAG is triggered with the order's run_id and, as conf, its payload through JSON.\n"
        '    """\n'
        "\n"
        "    def __init__(self, *, python_callable, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.python_callable = python_callable\n"
        "\n"
        "    def execute(self, context):\n"
        "        date = self.logical_date\n"
        "        if date is not None and not isinstance(date, str):\n"
        "            date = date.isoformat()\n"
        f'        run_id = "trig__" + (date if date is not None else {timezone}.utcnow().isoformat())\n'
        f"        order = self.python_callable(context, {order}(run_id=run_id))\n"
        "        if not order:\n"
        '            self.log.info("Criteria not met, moving on")\n'
        "            return None\n"
        "        self.trigger_run_id = order.run_id\n"
        f"        self.conf = {json_module}.dumps(order.payload)\n"
        "        return super().execute(context)\n"
    )


def _nested_trigger_import(ctx) -> bool:
    """The file imports TriggerDagRunOperator inside a def only: a module-level subclass cannot name it."""
    local = ctx.bound.get(TRIGGER)
    binding = ctx.analysis.bindings.get(local) if local else None
    return binding is not None and not binding.top_level


class TriggerDagRunCallableToConf(Rule):
    code = "AM601"
    name = "trigger-dagrun-conf"
    summary = ("TriggerDagRunOperator(python_callable=f) where f only sets dag_run_obj.payload -> conf=<payload> "
               "(context strings as templates); f is removed when nothing else uses it. Any other callable is "
               "AM603's.")
    interest = Interest(call_identities=frozenset({TRIGGER}), function_params=ORDER_PARAMS)
    order = 60
    examples = (
        Example(
            title="payload from params, as in the 1.10 example DAG",
            before=(
                "from airflow.operators.dagrun_operator import TriggerDagRunOperator\n"
                "\n"
                "\n"
                "def set_payload(context, dag_run_obj):\n"
                "    dag_run_obj.payload = {'message': 'run ' + context['params']['message'], 'day': context['ds']}\n"
                "    return dag_run_obj\n"
                "\n"
                "\n"
                "trigger = TriggerDagRunOperator(\n"
                "    task_id='trigger',\n"
                "    trigger_dag_id='target',\n"
                "    python_callable=set_payload,\n"
                "    params={'message': 'Hello'},\n"
                "    dag=dag,\n"
                ")\n"
            ),
            after=(
                "from airflow.operators.trigger_dagrun import TriggerDagRunOperator\n"
                "\n"
                "\n"
                "trigger = TriggerDagRunOperator(\n"
                "    task_id='trigger',\n"
                "    trigger_dag_id='target',\n"
                "    conf={'message': 'run {{ params.message }}', 'day': '{{ ds }}'},\n"
                "    params={'message': 'Hello'},\n"
                "    dag=dag,\n"
                ")\n"
            ),
        ),
    )

    def _plan(self, ctx, name: str) -> Plan | None:
        return cstutil.file_state(ctx, "AM601", _plans).get(name)

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        a = cstutil.kwarg(call, "python_callable") if target is not None and target.identity == TRIGGER else None
        if a is None:
            return call
        if cstutil.literal(a.value) is None:
            ctx.change(self.code, "TriggerDagRunOperator: removed python_callable=None")
            return cstutil.replace_arg(call, a, [])
        if _why_not_conf(ctx, call, a) is not None:
            return call  # AM603 keeps 1.10's behaviour when the task runs
        plan = self._plan(ctx, a.value.value)
        name = a.value.value
        kept = "" if plan.removed else (f"; {name} is kept (used elsewhere)" if not plan.removable
                                        else f"; {name} is no longer used: remove it")
        if plan.conf is None:
            ctx.change(self.code, f"TriggerDagRunOperator: removed python_callable={name} (it set no payload){kept}")
            return cstutil.replace_arg(call, a, [])
        ctx.change(self.code, f"TriggerDagRunOperator: python_callable={name} -> conf=<its payload>{kept}")
        return cstutil.replace_arg(call, a, [a.with_changes(keyword=cst.Name("conf"), value=plan.conf)])

    def leave_function(self, ctx, node: cst.FunctionDef):
        plan = self._plan(ctx, node.name.value)
        if plan is None or plan.reason:
            return node
        conf = self._formatted_conf(ctx, plan, node)
        if conf is not None:
            plan.conf = conf  # the payload as written (quotes, layout), rather than ast.unparse's
        if not plan.removable:
            return node
        for name in plan.imported:  # their imports may go with the def
            ctx.mark_converted(cst.Name(name))
        plan.removed = True
        ctx.change(self.code, f"removed {node.name.value}: its payload is now the TriggerDagRunOperator's conf")
        return cst.RemovalSentinel.REMOVE

    @staticmethod
    def _formatted_conf(ctx, plan: Plan, node: cst.FunctionDef) -> cst.BaseExpression | None:
        payload = _cst_payload(node, plan.order)
        if payload is None or plan.conf is None:
            return None
        try:
            return _Payload(ctx, plan).value(payload)
        except Unconvertible:
            return None


def _cst_payload(node: cst.FunctionDef, order: str) -> cst.BaseExpression | None:
    """The value assigned to ``<order>.payload`` (or passed as DagRunOrder(payload=...)) in the def."""
    for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
        for small in getattr(stmt, "body", ()):
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                t = small.targets[0].target
                if isinstance(t, cst.Attribute) and t.attr.value == "payload" and isinstance(t.value, cst.Name) \
                        and t.value.value == order:
                    return small.value
            if isinstance(small, cst.Return) and isinstance(small.value, cst.Call):
                payload = cstutil.kwarg(small.value, "payload")
                if payload is not None:
                    return payload.value
    return None


class TriggerDagRunLogicalDate(Rule):
    code = "AM602"
    name = "trigger-dagrun-logical-date"
    summary = ("TriggerDagRunOperator(execution_date=...) -> logical_date=... on Airflow 2.10+ (added and "
               "execution_date deprecated in 2.10.0, apache/airflow#39285; 2.9 and earlier only have execution_date).")
    interest = Interest(call_identities=frozenset({TRIGGER}))
    order = 61
    examples = (
        Example(
            before=(
                "from airflow.operators.dagrun_operator import TriggerDagRunOperator\n"
                "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='target', execution_date='{{ ds }}')\n"
            ),
            after=(
                "from airflow.operators.trigger_dagrun import TriggerDagRunOperator\n"
                "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='target', logical_date='{{ ds }}')\n"
            ),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if target is None or target.identity != TRIGGER or cstutil.kwarg(call, "execution_date") is None:
            return call
        if not ctx.profile.airflow_at_least("2.10"):
            return call
        if cstutil.kwarg(call, "logical_date") is not None:
            ctx.todo(self.code, "TriggerDagRunOperator gets both execution_date and logical_date; keep logical_date")
            return call
        ctx.change(self.code, "TriggerDagRunOperator: execution_date -> logical_date")
        return cstutil.rename_kwarg(call, "execution_date", "logical_date")



# What AM603 adds to a file, as its examples show it (the code is _order_code's and _operator_code's).
_ADDED_IMPORTS = "import json\nfrom airflow.utils import timezone\n"
_ADDED_CLASSES = (
    "\n"
    "\n"
    "# Added by composer-migrate (AM603): Airflow 1.10's DagRunOrder (airflow.operators.dagrun_operator), removed in\n"
    "# Airflow 2: what a TriggerDagRunOperator python_callable fills and returns.\n"
    "class DagRunOrder:\n"
    "    def __init__(self, run_id=None, payload=None):\n"
    "        self.run_id = run_id\n"
    "        self.payload = payload\n"
    "\n"
    "\n"
    "# Added by composer-migrate (AM603): Airflow 1.10's TriggerDagRunOperator(python_callable=...), which Airflow 2\n"
    "# removed, on Airflow 2's operator.\n"
    "class TriggerDagRunWithCallableOperator(TriggerDagRunOperator):\n"
    '    """TriggerDagRunOperator with Airflow 1.10\'s ``python_callable(context, dag_run_obj)``.\n'
    "\n"
    "    When the task runs, the callable gets the context and a DagRunOrder whose run_id is ``trig__`` and the\n"
    "    logical date (else the current time). If it returns a false value, nothing is triggered and the task\n"
    "    succeeds; else the DAG is triggered with the order's run_id and, as conf, its payload through JSON.\n"
    '    """\n'
    "\n"
    "    def __init__(self, *, python_callable, **kwargs):\n"
    "        super().__init__(**kwargs)\n"
    "        self.python_callable = python_callable\n"
    "\n"
    "    def execute(self, context):\n"
    "        date = self.logical_date\n"
    "        if date is not None and not isinstance(date, str):\n"
    "            date = date.isoformat()\n"
    '        run_id = "trig__" + (date if date is not None else timezone.utcnow().isoformat())\n'
    "        order = self.python_callable(context, DagRunOrder(run_id=run_id))\n"
    "        if not order:\n"
    '            self.log.info("Criteria not met, moving on")\n'
    "            return None\n"
    "        self.trigger_run_id = order.run_id\n"
    "        self.conf = json.dumps(order.payload)\n"
    "        return super().execute(context)\n"
    "\n"
    "\n"
)



class TriggerDagRunCallableKept(Rule):
    code = "AM603"
    name = "trigger-dagrun-callable"
    summary = ("TriggerDagRunOperator(python_callable=f) that AM601 cannot turn into conf= (f decides whether to "
               "trigger, sets the run_id, computes the payload when the task runs, or is not a def of the file) -> "
               f"{FALLBACK_NAME}(python_callable=f), a subclass added to the file that runs f as 1.10.15 did: "
               "f(context, DagRunOrder('trig__<date>')), nothing triggered (task succeeds) when it returns a false "
               "value, else trigger_run_id/conf from the order. An imported DagRunOrder becomes a local class. "
               "conf= given next to python_callable= is a TODO.")
    interest = Interest(call_identities=frozenset({TRIGGER, DAG_RUN_ORDER}))
    order = 62
    examples = (
        Example(
            title="a callable that decides whether to trigger, as in the 1.10 example DAG",
            before=(
                "from airflow.operators.dagrun_operator import TriggerDagRunOperator\n"
                "\n"
                "\n"
                "def maybe(context, dag_run_obj):\n"
                "    if context['params']['condition']:\n"
                "        dag_run_obj.payload = {'message': context['params']['message']}\n"
                "        return dag_run_obj\n"
                "\n"
                "\n"
                "trigger = TriggerDagRunOperator(\n"
                "    task_id='t',\n"
                "    trigger_dag_id='target',\n"
                "    python_callable=maybe,\n"
                "    params={'condition': True, 'message': 'Hello'},\n"
                ")\n"
            ),
            after=(
                "from airflow.operators.trigger_dagrun import TriggerDagRunOperator\n"
                + _ADDED_IMPORTS + _ADDED_CLASSES +
                "def maybe(context, dag_run_obj):\n"
                "    if context['params']['condition']:\n"
                "        dag_run_obj.payload = {'message': context['params']['message']}\n"
                "        return dag_run_obj\n"
                "\n"
                "\n"
                "trigger = TriggerDagRunWithCallableOperator(\n"
                "    task_id='t',\n"
                "    trigger_dag_id='target',\n"
                "    python_callable=maybe,\n"
                "    params={'condition': True, 'message': 'Hello'},\n"
                ")\n"
            ),
        ),
        Example(
            title="a new DagRunOrder with a run_id: the import becomes a local class",
            before=(
                "from airflow.operators.dagrun_operator import DagRunOrder, TriggerDagRunOperator\n"
                "\n"
                "\n"
                "def order(context, dag_run_obj):\n"
                "    return DagRunOrder(run_id='trig__all__' + context['ts_nodash'], payload={'country': 'all'})\n"
                "\n"
                "\n"
                "trigger = TriggerDagRunOperator(task_id='t', trigger_dag_id='target', python_callable=order)\n"
            ),
            after=(
                "from airflow.operators.trigger_dagrun import TriggerDagRunOperator\n"
                + _ADDED_IMPORTS + _ADDED_CLASSES +
                "def order(context, dag_run_obj):\n"
                "    return DagRunOrder(run_id='trig__all__' + context['ts_nodash'], payload={'country': 'all'})\n"
                "\n"
                "\n"
                "trigger = TriggerDagRunWithCallableOperator(task_id='t', trigger_dag_id='target', "
                "python_callable=order)\n"
            ),
        ),
        Example(
            title="conf= next to python_callable=: TODO",
            before=(
                "from airflow.operators.dagrun_operator import TriggerDagRunOperator\n"
                "from helpers import pick\n"
                "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='target', python_callable=pick, conf={'a': 1})\n"
            ),
            after=(
                "from airflow.operators.trigger_dagrun import TriggerDagRunOperator\n"
                "from helpers import pick\n"
                "# TODO(airflow2): AM603 python_callable=pick and conf= are both given: 1.10 ignored conf= (not one of "
                "its arguments) and triggered with the payload the callable set; remove conf= and convert again to "
                "keep the callable\n"
                "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='target', python_callable=pick, conf={'a': 1})\n"
            ),
            todos=("conf= are both given",),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if target is None:
            return call
        if target.identity == DAG_RUN_ORDER:
            return self._order_call(ctx, call)
        if target.identity != TRIGGER:
            return call
        orders = cstutil.file_state(ctx, "AM603.order", _order_plan)
        if orders.local and orders.define and not orders.calls and not orders.reported:
            orders.reported = True  # imported but not used (outside the defs AM601 removes): the import goes
            ctx.mark_converted(cst.Name(orders.local))
        a = cstutil.kwarg(call, "python_callable")
        if a is None:
            return call
        shown = cstutil.code_of(a.value).strip()
        why = _why_not_conf(ctx, call, a)
        if why is None:
            return call
        if cstutil.kwarg(call, "conf") is not None:
            ctx.todo(self.code, f"python_callable={shown} and conf= are both given: 1.10 ignored conf= (not one of "
                                f"its arguments) and triggered with the payload the callable set; remove conf= "
                                f"and convert again to keep the callable")
            return call
        if _nested_trigger_import(ctx):
            ctx.todo(self.code, f"python_callable={shown} is not supported by Airflow 2's TriggerDagRunOperator, "
                                f"and it is imported inside a function: import it at module level and convert again")
            return call
        local = ctx.require_definition("AM603.operator", FALLBACK_NAME, lambda name: _operator_code(ctx, name))
        ctx.change(self.code, f"TriggerDagRunOperator(python_callable={shown}) -> {local}, which runs it when the "
                              f"task runs as 1.10 did (conf= cannot replace it: {why})")
        return call.with_changes(func=cst.Name(local))

    def _order_call(self, ctx, call: cst.Call) -> cst.Call:
        orders = cstutil.file_state(ctx, "AM603.order", _order_plan)
        if not (orders.local and orders.define) or ctx.line in orders.skip_lines or \
                not (isinstance(call.func, cst.Name) and call.func.value == orders.local):
            return call
        ctx.mark_converted(call.func)
        name = _order_class(ctx)
        if not orders.reported:
            orders.reported = True
            ctx.change(self.code, f"{name}: Airflow 2 removed airflow.operators.dagrun_operator.DagRunOrder; a "
                                  f"local class with its run_id and payload replaces the import")
        return call


RULES = (TriggerDagRunCallableToConf, TriggerDagRunLogicalDate, TriggerDagRunCallableKept)
