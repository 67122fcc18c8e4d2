"""AM502: deprecated/removed context keys read in Python callables, rewritten to the Airflow 2 expression with
the same value (the equivalences are AM501's, ``template_context.equivalent``; rules.md section 7).

What counts as the task context, without guessing:
- a parameter named ``context`` (``def notify(context)``, ``def execute(self, context)``, ``**context``);
- the ``**kwargs`` parameter of a function the file passes as ``python_callable=`` to a PythonOperator,
  BranchPythonOperator, ShortCircuitOperator or PythonSensor, and uses nowhere else;
- the first parameter of a function used only as an ``on_*_callback``;
and only when the function never rebinds that name nor writes a watched key into it.
There ``context['execution_date']`` -> ``context['logical_date']``, ``context.get('execution_date')`` ->
``context.get('logical_date')``, ``kwargs['yesterday_ds']`` -> ``kwargs['macros'].ds_add(kwargs['ds'], -1)``,
... (a key that a ``**kwargs`` mapping lacks because it is a named parameter is read from the parameter).
A key the operator's ``op_kwargs`` also passes is the caller's value, not the context's: left alone.

A task callable's parameter named like a context key (``def load(execution_date)``), which Airflow 2 fills
from the context with a deprecation warning, is renamed with its uses when the key has a plain new name
(``execution_date`` -> ``logical_date``, ``end_date`` -> ``ds``) and the function is used only as a
``python_callable=`` whose ``op_args``/``op_kwargs`` do not pass it; otherwise a TODO says what to do.

What the file does with its functions is read once from the ``ast`` and planned once per function; reads are
rewritten in the engine's own pass (``leave_subscript``/``leave_call``), renames in the statements that use
the parameter.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule
from dagconvert.rules.template_context import CONTEXT_NAMES, Expr, Key, equivalent, file_nodes

PYTHON_OPERATORS = frozenset({
    "airflow.operators.python.PythonOperator",
    "airflow.operators.python.BranchPythonOperator",
    "airflow.operators.python.ShortCircuitOperator",
    "airflow.sensors.python.PythonSensor",
})
CALLBACKS = frozenset({"on_failure_callback", "on_success_callback", "on_retry_callback",
                       "on_execute_callback"})
ANY_KEY = None  # op_kwargs that are not a literal dict: any key may be the caller's

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


# -- what the file does with its functions (from the ast, once per file) ----------------------------------------

@dataclass
class _Facts:
    calls: dict[str, int] = field(default_factory=dict)                  # name -> uses as python_callable=
    callbacks: dict[str, int] = field(default_factory=dict)              # name -> uses as on_*_callback
    op_kwargs: dict[str, set[str] | None] = field(default_factory=dict)  # name -> keys its callers pass
    op_args: dict[str, int | None] = field(default_factory=dict)         # name -> most op_args (None: unknown)
    defs: list[FunctionNode] = field(default_factory=list)
    plans: dict[int, _Plan] = field(default_factory=dict)                # id(def) -> its plan, on demand

    def enclosing(self, line: int) -> list[FunctionNode]:
        """The ``def``s whose body holds ``line``, innermost first."""
        around = [fn for fn in self.defs if fn.lineno < line <= (fn.end_lineno or fn.lineno)]
        return sorted(around, key=lambda fn: fn.lineno, reverse=True)

    def at(self, name: str, line: int) -> FunctionNode | None:
        return next((fn for fn in self.defs if fn.name == name and fn.lineno == line), None)


def _facts(ctx) -> _Facts:
    facts = _Facts()
    analysis = ctx.analysis
    nodes = file_nodes(ctx)
    for call in nodes.calls:
        if not call.keywords:
            continue
        keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
        for key in CALLBACKS & keywords.keys():
            _count(facts.callbacks, keywords[key])
        target = keywords.get("python_callable")
        if isinstance(target, ast.Name):
            qname = analysis.resolve(call.func)
            if qname is not None and ctx.decider.identity(qname) in PYTHON_OPERATORS:
                _add_caller(facts, target.id, call, keywords)
    for node in nodes.dicts:  # default_args = {"on_failure_callback": notify, ...}
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and key.value in CALLBACKS:
                _count(facts.callbacks, value)
    facts.defs = [fn for fn in nodes.scopes if not isinstance(fn, ast.Lambda)]
    return facts


def _add_caller(facts: _Facts, name: str, call: ast.Call, keywords: dict[str, ast.expr]) -> None:
    facts.calls[name] = facts.calls.get(name, 0) + 1
    hidden = call.args or any(k.arg is None for k in call.keywords)
    keys = ANY_KEY if hidden else _literal_keys(keywords.get("op_kwargs"))
    before = facts.op_kwargs.get(name, set())
    facts.op_kwargs[name] = ANY_KEY if keys is ANY_KEY or before is ANY_KEY else before | keys
    n_args = None if hidden else _literal_length(keywords.get("op_args"))
    most = facts.op_args.get(name, 0)
    facts.op_args[name] = None if n_args is None or most is None else max(most, n_args)


def _count(counts: dict[str, int], value: ast.expr) -> None:
    for item in value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]:
        if isinstance(item, ast.Name):
            counts[item.id] = counts.get(item.id, 0) + 1


def _literal_keys(value: ast.expr | None) -> set[str] | None:
    if value is None:
        return set()
    if isinstance(value, ast.Dict) and all(isinstance(k, ast.Constant) and isinstance(k.value, str)
                                           for k in value.keys):
        return {k.value for k in value.keys}
    return ANY_KEY


def _literal_length(value: ast.expr | None) -> int | None:
    if value is None:
        return 0
    if isinstance(value, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in value.elts):
        return len(value.elts)
    return None


def _keyed(node: ast.AST) -> str | None:
    """X when ``node`` is ``X['execution_date']`` or ``X.get('execution_date', ...)`` (a watched key)."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and _watched(node.slice):
        return node.value.id
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name) and node.args and _watched(node.args[0])):
        return node.func.value.id
    return None


def _watched(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in CONTEXT_NAMES


def _arg_names(args: ast.arguments) -> list[str]:
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    return names + [a.arg for a in (args.vararg, args.kwarg) if a is not None]


# -- the plan for one function ----------------------------------------------------------------------------------

@dataclass
class _Plan:
    renames: dict[str, str]   # parameter -> new name
    notes: list[str]          # TODOs about parameters, reported once with the def
    params: dict[str, str]    # context parameter -> "callable" (op_kwargs share it), "maybe" (TODOs), "other"
    named: set[str]           # the parameter names after the renames (what a **kwargs mapping lacks)
    star: str | None          # the **kwargs parameter
    rebound: set[str]
    bound: set[str]           # every name local to the function (parameters and rebound names)


def _scan(fn: FunctionNode) -> tuple[set[str], set[str], set[str]]:
    """Names the body uses, names it rebinds (assigned, deleted, global, imported, a nested def or lambda
    parameter), and names it writes a watched key into (``context['execution_date'] = x``)."""
    names: set[str] = set()
    rebound: set[str] = set()
    written: set[str] = set()
    for stmt in fn.body:
        for child in ast.walk(stmt):
            if isinstance(child, ast.Name):
                names.add(child.id)
                if not isinstance(child.ctx, ast.Load):
                    rebound.add(child.id)
            elif isinstance(child, (ast.Global, ast.Nonlocal)):
                rebound.update(child.names)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                rebound.update(_arg_names(child.args))
                if not isinstance(child, ast.Lambda):
                    rebound.add(child.name)
            elif isinstance(child, ast.ClassDef):
                rebound.add(child.name)
            elif isinstance(child, ast.alias):
                rebound.add((child.asname or child.name).partition(".")[0])
            elif isinstance(child, ast.ExceptHandler) and child.name:
                rebound.add(child.name)
            elif isinstance(child, ast.Subscript) and not isinstance(child.ctx, ast.Load) and _keyed(child):
                written.add(_keyed(child))
    return names, rebound, written


# -- renaming parameters in the statements that use them -----------------------------------------------------------

class _Renamer(cst.CSTTransformer):
    """Local names ``old`` -> ``new`` (not attributes or keyword argument names)."""

    def __init__(self, renames: dict[str, str]) -> None:
        super().__init__()
        self.renames = renames
        self.skip: set[int] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.skip.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.skip.add(id(node.keyword))

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        new = self.renames.get(original.value)
        return updated.with_changes(value=new) if new is not None and id(original) not in self.skip else updated


class _ParamRenamer(cst.CSTTransformer):
    """Rename parameters in a ``Parameters`` node (not default values, which belong to the outer scope)."""

    def __init__(self, renames: dict[str, str]) -> None:
        super().__init__()
        self.renames = renames

    def visit_Param(self, node: cst.Param) -> bool:
        return False

    def leave_Param(self, original: cst.Param, updated: cst.Param) -> cst.Param:
        new = self.renames.get(updated.name.value)
        return updated.with_changes(name=updated.name.with_changes(value=new)) if new else updated


def _rename_statements(body: cst.BaseSuite, ast_body: list[ast.stmt], renames: dict[str, str]) -> cst.BaseSuite:
    """``body`` with the renames applied to the statements whose ``ast`` counterparts use a renamed name (a
    libcst visit costs ~10x an ast walk); to every statement when the two do not pair up."""
    renamer = _Renamer(renames)
    if not isinstance(body, cst.IndentedBlock):
        return body.visit(renamer)
    statements: list[cst.BaseStatement] = []
    i = 0
    for stmt in body.body:
        n = len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
        group = ast_body[i:i + n]
        i += n
        if len(group) != n:
            return body.visit(renamer)
        uses = any(isinstance(node, ast.Name) and node.id in renames for a in group for node in ast.walk(a))
        statements.append(stmt.visit(renamer) if uses else stmt)
    if i != len(ast_body):
        return body.visit(renamer)
    return body.with_changes(body=statements)


def _key(node: cst.BaseExpression) -> str | None:
    """The watched context key a string literal names, else None."""
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        value = cstutil.literal(node)
        if value in CONTEXT_NAMES:
            return value
    return None


# -- the rule -----------------------------------------------------------------------------------------------------

class ContextAccess(Rule):
    code = "AM502"
    name = "context-access"
    summary = ("Python callables: deprecated/removed context keys (context['execution_date'], "
               "kwargs['next_ds'], a parameter named execution_date, ...) -> the Airflow 2 equivalent.")
    interest = Interest(strings=re.compile("^(?:" + "|".join(sorted(CONTEXT_NAMES)) + ")$"),
                        function_params=CONTEXT_NAMES)
    order = 51
    examples = (
        Example(
            title="context subscripts in a task callable",
            before=(
                "from airflow.operators.python_operator import PythonOperator\n"
                "def export(**kwargs):\n"
                "    print(kwargs['execution_date'].year, kwargs.get('yesterday_ds'))\n"
                "t = PythonOperator(task_id='export', python_callable=export)\n"
            ),
            after=(
                "from airflow.operators.python import PythonOperator\n"
                "def export(**kwargs):\n"
                "    print(kwargs['logical_date'].year, kwargs['macros'].ds_add(kwargs['ds'], -1))\n"
                "t = PythonOperator(task_id='export', python_callable=export)\n"
            ),
        ),
        Example(
            title="a callback's context",
            before=(
                "from airflow.operators.bash_operator import BashOperator\n"
                "def alert(context):\n"
                "    send('failed: %s' % context['execution_date'])\n"
                "t = BashOperator(task_id='t', bash_command='x.sh', on_failure_callback=alert)\n"
            ),
            after=(
                "from airflow.operators.bash import BashOperator\n"
                "def alert(context):\n"
                "    send('failed: %s' % context['logical_date'])\n"
                "t = BashOperator(task_id='t', bash_command='x.sh', on_failure_callback=alert)\n"
            ),
        ),
        Example(
            title="a named context parameter",
            before=(
                "from airflow.operators.python_operator import PythonOperator\n"
                "def load(table, execution_date, **kwargs):\n"
                "    return '%s$%s' % (table, execution_date.strftime('%Y%m%d'))\n"
                "t = PythonOperator(task_id='load', python_callable=load, op_kwargs={'table': 'sales'},\n"
                "                   provide_context=True)\n"
            ),
            after=(
                "from airflow.operators.python import PythonOperator\n"
                "def load(table, logical_date, **kwargs):\n"
                "    return '%s$%s' % (table, logical_date.strftime('%Y%m%d'))\n"
                "t = PythonOperator(task_id='load', python_callable=load, op_kwargs={'table': 'sales'})\n"
            ),
        ),
    )

    # -- hooks --------------------------------------------------------------------------------------------------
    def leave_subscript(self, ctx, node: cst.Subscript) -> cst.BaseExpression:
        if not isinstance(node.value, cst.Name) or len(node.slice) != 1:
            return node
        index = node.slice[0].slice
        key = _key(index.value) if isinstance(index, cst.Index) else None
        if key is None:
            return node
        return self._access(ctx, node.value.value, key, index.value, None) or node

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None) -> cst.BaseExpression:
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "get" and isinstance(func.value, cst.Name)):
            return call
        if not 1 <= len(call.args) <= 2 or any(a.keyword is not None or a.star for a in call.args):
            return call
        key = _key(call.args[0].value)
        if key is None:
            return call
        return self._access(ctx, func.value.value, key, call.args[0].value, call) or call

    def leave_function(self, ctx, node: cst.FunctionDef) -> cst.FunctionDef:
        if not ctx.profile.airflow_at_least("2.2"):
            return node
        facts = cstutil.file_state(ctx, "context_access.facts", _facts)
        fn = facts.at(node.name.value, ctx.line)
        if fn is None:
            return node
        plan = self._plan(ctx, facts, fn)
        for note in plan.notes:
            ctx.todo(self.code, note)
        if not plan.renames:
            return node
        for old, new in plan.renames.items():
            ctx.change(self.code, f"{fn.name}(): parameter {old} -> {new}")
        return node.with_changes(params=node.params.visit(_ParamRenamer(plan.renames)),
                                 body=_rename_statements(node.body, fn.body, plan.renames))

    # -- the plan for a function: which parameters are the context, which to rename -----------------------------
    def _plan(self, ctx, facts: _Facts, fn: FunctionNode) -> _Plan:
        plan = facts.plans.get(id(fn))
        if plan is None:
            plan = facts.plans[id(fn)] = self._make_plan(ctx, facts, fn)
        return plan

    def _make_plan(self, ctx, facts: _Facts, fn: FunctionNode) -> _Plan:
        names, rebound, written = _scan(fn)
        args = fn.args
        star = args.kwarg.arg if args.kwarg is not None else None
        params: dict[str, str] = {}
        if "context" in _arg_names(args):
            params["context"] = "other"
        uses = ctx.analysis.ref_counts[fn.name]
        if star is not None and fn.name in facts.calls:
            elsewhere = uses > facts.calls[fn.name] and star not in params
            params[star] = "maybe" if elsewhere else "callable"
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        if positional and fn.name in facts.callbacks and uses == facts.callbacks[fn.name]:
            params.setdefault(positional[0], "other")
        params = {p: kind for p, kind in params.items()
                  if p not in rebound and p not in written and p not in CONTEXT_NAMES}
        renames: dict[str, str] = {}
        notes: list[str] = []
        if fn.name in facts.calls:
            self._plan_renames(ctx, facts, fn, names, rebound, renames, notes)
        named = {renames.get(p, p) for p in _arg_names(args)} - {star}
        return _Plan(renames, notes, params, named, star, rebound, set(_arg_names(args)) | rebound)

    def _plan_renames(self, ctx, facts: _Facts, fn: FunctionNode, names: set[str], rebound: set[str],
                      renames: dict[str, str], notes: list[str]) -> None:
        args = fn.args
        passed = facts.op_kwargs.get(fn.name, set())
        n_args = facts.op_args.get(fn.name, 0)
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        for old in [*positional, *(a.arg for a in args.kwonlyargs)]:
            if old not in CONTEXT_NAMES:
                continue
            if (passed is not ANY_KEY and old in passed) or (n_args is not None and old in positional[:n_args]):
                continue  # op_kwargs/op_args pass it: the caller's value
            value = equivalent(old, ctx)
            if value is None:
                continue
            why = self._cannot_rename(ctx, facts, fn, old, value, names, rebound, renames,
                                      unknown_callers=passed is ANY_KEY or n_args is None)
            if why:
                notes.append(f"{fn.name}() takes {old}, which Airflow 2 fills from a deprecated context key: {why}")
            else:
                renames[old] = value.name

    def _cannot_rename(self, ctx, facts: _Facts, fn: FunctionNode, old: str, value: Expr | str, names: set[str],
                       rebound: set[str], renames: dict[str, str], *, unknown_callers: bool) -> str | None:
        params = set(_arg_names(fn.args))
        if isinstance(value, str):
            return value
        if not isinstance(value, Key):
            star = fn.args.kwarg.arg if fn.args.kwarg is not None else None
            locals_ = params - {old, star} if star else set()
            expression, _ = self._python(ctx, value, star or "context", "'", locals_, edit=False)
            return f"drop the parameter and use {expression}" + ("" if star else " (with a **context parameter)")
        new = value.name
        if unknown_callers:
            return f"its op_args/op_kwargs are not literals: if they do not pass {old}, rename it to {new}"
        if ctx.analysis.ref_counts[fn.name] > facts.calls[fn.name]:
            return f"the function is also used outside python_callable=: rename {old} to {new} by hand"
        if fn.decorator_list:
            return f"the function is decorated: rename {old} to {new} by hand"
        if new in names or new in params or new in renames.values():
            return f"{new} is already used in the function: rename {old} by hand"
        if old in rebound:
            return f"{old} is reassigned or shadowed in the function: rename it to {new} by hand"
        return None

    # -- context['key'] / context.get('key') -------------------------------------------------------------------
    def _access(self, ctx, param: str, key: str, key_node: cst.SimpleString, get: cst.Call | None):
        """The replacement of ``param[key]`` (or ``param.get(key...)``, ``get``) when ``param`` is the context
        of the function around it, else None (with a TODO when a human should look)."""
        if not ctx.profile.airflow_at_least("2.2"):
            return None
        facts = cstutil.file_state(ctx, "context_access.facts", _facts)
        for fn in facts.enclosing(ctx.line):  # the function whose name `param` is (closures: an outer one)
            plan = self._plan(ctx, facts, fn)
            if param in plan.params or param in plan.bound:
                break
        else:
            return None
        kind = plan.params.get(param)
        if kind is None:
            return None
        if kind == "maybe":
            ctx.todo(self.code, f"{fn.name}() is also used outside python_callable=, so {param} may not be "
                                f"the task context: if it is, {param}[{key!r}] is a deprecated context key")
            return None
        callers_pass = facts.op_kwargs.get(fn.name, set())
        if kind == "callable" and (callers_pass is ANY_KEY or key in callers_pass):
            if callers_pass is ANY_KEY:
                ctx.todo(self.code, f"{fn.name}() reads {param}[{key!r}] and its op_kwargs are not a literal: "
                                    f"if they do not pass {key!r}, it is the deprecated context key")
            return None  # op_kwargs pass this key: the caller's value, not the context's
        value = equivalent(key, ctx)
        if value is None:
            return None
        if isinstance(value, str):
            ctx.todo(self.code, value)
            return None
        q = key_node.quote[0]
        locals_ = plan.named if param == plan.star else set()  # a **kwargs mapping lacks named parameters
        if get is not None and isinstance(value, Key) and value.name not in locals_:
            quoted = key_node.with_changes(value=f"{key_node.prefix}{key_node.quote}{value.name}{key_node.quote}")
            ctx.change(self.code, f"{param}.get({key!r}) -> {param}.get({value.name!r})")
            return get.with_changes(args=[get.args[0].with_changes(value=quoted), *get.args[1:]])
        text, used = self._python(ctx, value, param, q, locals_, edit=get is None or len(get.args) == 1)
        if used & plan.rebound:
            ctx.todo(self.code, f"{param}[{key!r}] is a deprecated context key; its replacement {text} reads "
                                f"{', '.join(sorted(used))}, which {fn.name}() reassigns: rewrite it by hand")
            return None
        if get is not None and len(get.args) > 1:
            ctx.todo(self.code, f"{param}.get({key!r}, default): the key is deprecated; use {text}")
            return None
        ctx.change(self.code, f"{param}[{key!r}] -> {text}")
        return cstutil.expression(text)

    @staticmethod
    def _python(ctx, value: Expr, param: str, q: str, locals_: set[str], *, edit: bool = True
                ) -> tuple[str, set[str]]:
        """``value`` as Python reading the context dict ``param`` (or the parameters ``locals_``), and the
        parameters it reads. ``edit=False``: for a message (imports nothing)."""
        used: set[str] = set()

        def key(name: str) -> str:
            if name in locals_:
                used.add(name)
                return name
            return f"{param}[{q}{name}{q}]"

        timedelta = (lambda: ctx.require_import("datetime.timedelta")) if edit else (lambda: "timedelta")
        text, single = value.python(key, q, timedelta)
        return (text if single else f"({text})"), used


RULES = (ContextAccess,)
