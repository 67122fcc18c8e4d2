"""AM404: SubDagOperator -> TaskGroup (rules.md section 9 rule 3).

Airflow 2.10 still has SubDagOperator but deprecates it ("Please use `airflow.utils.task_group.TaskGroup`").
The Airflow 1.10 pattern is a factory in the DAG file that builds the SubDAG, and a SubDagOperator calling it::

    def subdag(parent_dag_name, child_dag_name, args):
        dag_subdag = DAG(dag_id='%s.%s' % (parent_dag_name, child_dag_name), default_args=args, ...)
        <tasks with dag=dag_subdag, or inside `with dag_subdag:`>
        return dag_subdag

    section = SubDagOperator(task_id='section', subdag=subdag(DAG_NAME, 'section', args), dag=dag)

The factory then builds the same tasks in a TaskGroup of the parent DAG and returns the group, and the
SubDagOperator call becomes a call of the factory with the parent DAG in place of its name::

    def subdag(parent_dag, child_dag_name, args):
        dag_subdag = TaskGroup(group_id=child_dag_name, default_args=args, dag=parent_dag)
        <tasks with dag=parent_dag, task_group=dag_subdag, or inside `with parent_dag, dag_subdag:`>
        return dag_subdag

    section = subdag(dag, 'section', args)

Edges to and from ``section`` now attach to the group's roots and leaves, and task ids become
``section.<task>`` (the test stage reports that as the allowed SubDAG -> TaskGroup difference). The SubDAG's
default_args go to ``TaskGroup(default_args=...)``, which Airflow 2 applies over the parent DAG's.

Dropped with the SubDagOperator: what wrapped the SubDAG as a whole (the SubDagOperator task's retries,
timeout, pool slot, callbacks from the parent's default_args; its SequentialExecutor). The SubDAG's tasks keep
their own values (the SubDAG's default_args must cover the parent's, below), and 1.10.15 did not re-run failed
SubDAG tasks when the SubDagOperator retried, so its retries added nothing.

The rule converts only what it can prove equivalent from the file, else it leaves a TODO at the
SubDagOperator (which still works, with a deprecation warning):

- the factory is a plain module-level function of this file, used only as ``subdag=factory(...)``, that
  builds one ``DAG('<parent>.<child>', ...)`` bound to a name used only by ``dag=``, ``with`` and ``return``;
  the call passes the SubDagOperator's task_id as the child;
- the SubDAG's DAG arguments do not reach its tasks beyond default_args (schedule, catchup, max_active_runs,
  tags, docs: 1.10 ran a SubDAG once, at its parent's date); concurrency, callbacks, a start_date, params or
  template settings of its own are a TODO, and so are the parent's params/macros/filters;
- the SubDagOperator's own arguments are task_id/subdag/dag (executor, trigger_rule='all_success' and None
  values are dropped): retries, pool etc. set on it have no TaskGroup equivalent;
- the parent DAG's default_args set nothing the SubDAG's do not (a TaskGroup's tasks would get it);
- no trigger rule and nothing that skips in the SubDAG (1.10 ran the whole SubDAG only once the
  SubDagOperator's upstream succeeded, and a skip stayed inside it; in a group both pass task by task);
- the SubDAG has a task on every path (an empty group would link nothing: ``start >> group >> end`` would
  lose ``start >> end``): loops over literals, ``range``, module constants or loop variables over them;
- nothing in the SubDAG's code or the module-level functions it references reads what a TaskGroup changes:
  ``ti``/XComs, ``dag_run``, ``run_id``, ``.task_id``/``.dag_id``, previous/next dates or data intervals
  (1.10 computed them from the SubDAG's schedule); no ``xcom_pull(dag_id=...)`` in the file;
- the SubDagOperator's result is only used in dependencies (``>>``, ``set_downstream``, ``chain``).
"""

from __future__ import annotations

import ast
import re
import string
from collections import Counter
from dataclasses import dataclass, field

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule
from dagconvert.rules.cstutil import Unconvertible

SUBDAG = "airflow.operators.subdag.SubDagOperator"
DAG = "airflow.models.dag.DAG"
TASK_GROUP = "airflow.utils.task_group.TaskGroup"
CHAIN = frozenset({"airflow.models.baseoperator.chain", "airflow.models.baseoperator.cross_downstream",
                   "airflow.utils.helpers.chain", "airflow.utils.helpers.cross_downstream"})

# Airflow 1.10.15 DAG(...) positional order
DAG_PARAMS = ("dag_id", "description", "schedule_interval", "start_date", "end_date", "full_filepath",
              "template_searchpath", "template_undefined", "user_defined_macros", "user_defined_filters",
              "default_args", "concurrency", "max_active_runs", "dagrun_timeout", "sla_miss_callback",
              "default_view", "orientation", "catchup", "on_success_callback", "on_failure_callback", "doc_md",
              "params", "access_control", "is_paused_upon_creation", "jinja_environment_kwargs", "tags")
# DAG arguments without effect on a SubDAG's tasks: 1.10 ran a SubDAG as one backfill at its parent's date,
# ignoring its schedule and max_active_runs (jobs/backfill_job.py), and the rest is documentation/UI.
# (Airflow 2 spellings too: the rule may see a DAG call other rules already changed, or its own output.)
DROPPED_DAG_ARGS = frozenset({"description", "schedule_interval", "full_filepath", "max_active_runs",
                              "default_view", "orientation", "catchup", "doc_md", "access_control",
                              "is_paused_upon_creation", "tags", "schedule", "timetable", "auto_register"})
RENAMED_DAG_ARGS = {"max_active_tasks": "concurrency"}  # Airflow 2 spelling -> 1.10's, for stable messages
# Parent DAG arguments the group's tasks would now see (1.10 rendered them with the SubDAG's own)
PARENT_TEMPLATE_ARGS = ("params", "user_defined_macros", "user_defined_filters", "template_undefined",
                        "jinja_environment_kwargs")
NONE_DROPPED = frozenset({"pool", "propagate_skipped_state", "conf", "session"})
GROUP_KEY = re.compile(r"^[\w-]+$")
# What tells a task apart from its SubDAG twin: ids, the DAG run, XComs, and the previous/next dates and
# data intervals (computed from the SubDAG's own schedule), read in templates or callables (in their Airflow 2
# spellings too, which other rules write: a second run must not convert what the first declined)
PREV_NEXT = frozenset({"prev_ds", "prev_ds_nodash", "next_ds", "next_ds_nodash", "prev_execution_date",
                       "next_execution_date", "prev_execution_date_success", "prev_start_date_success",
                       "data_interval_start", "data_interval_end", "prev_data_interval_start_success",
                       "prev_data_interval_end_success"})
HAZARD_NAMES = frozenset({"ti", "task_instance", "dag_run", "run_id", "task_instance_key_str", *PREV_NEXT})
HAZARD_ATTRS = frozenset({"xcom_pull", "xcom_push", "task_id", "dag_id", "run_id", "get_dagrun"})
HAZARD_KEYS = HAZARD_NAMES | {"dag", "task"}
JINJA = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.DOTALL)
JINJA_HAZARD = re.compile(r"\b(ti|task_instance|dag_run|run_id|task_instance_key_str|dag|task|xcom_pull|prev_\w+|"
                          r"next_\w+|data_interval_\w+)\b")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _operator_like(identity: str | None) -> bool:
    return bool(identity) and (any(p in identity for p in (".operators.", ".sensors.", ".transfers."))
                               or identity.endswith(("Operator", "Sensor")))


def _skips(identity: str) -> bool:
    name = identity.rpartition(".")[2]
    return "Branch" in name or name in ("ShortCircuitOperator", "LatestOnlyOperator")


# -- the plan (from the whole file's ast, before any edit) ---------------------------------------------------


@dataclass
class _Site:
    """One SubDagOperator(...) call."""

    call: ast.Call
    reason: str = ""
    factory: str = ""
    factory_call: ast.Call | None = None
    task_id: ast.expr | None = None
    context_dag: str = ""            # no dag=: the name of the `with DAG(...) as <name>` around the call
    parent_dag: ast.Call | None = None


@dataclass
class _Factory:
    """A function that builds a SubDAG, and how it becomes a TaskGroup factory."""

    fn: ast.FunctionDef
    reason: str = ""
    var: str = ""                   # the name bound to the SubDAG (then to the group)
    form: str = ""                  # "assign" (`var = DAG(...)`) or "with" (`with DAG(...) as var:`)
    stmt: ast.stmt | None = None
    parent_param: str = ""          # the parameter giving the parent's dag_id: now the parent DAG itself
    child: tuple[str, str] = ("", "")  # ("param", name) or ("literal", value): the group id
    default_args: ast.expr | None = None
    new_param: str = ""
    task_loops: list[list[ast.expr]] = field(default_factory=list)  # loops around each task statement
    sites: list[_Site] = field(default_factory=list)


@dataclass
class _Plan:
    sites: dict[int, _Site]
    factories: dict[str, _Factory]


def _plan(ctx) -> _Plan:
    if not any("subdag" in b.qname.lower() for b in ctx.analysis.bindings.values()):
        return _Plan({}, {})  # no SubDagOperator import: nothing to plan (leave_function sees every def)
    return cstutil.file_state(ctx, "AM404", _make_plan)


def _make_plan(ctx) -> _Plan:
    tree = ctx.analysis.tree
    parents = {id(child): node for node in ctx.analysis.nodes for child in ast.iter_child_nodes(node)}
    defs: dict[str, list[ast.stmt]] = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs.setdefault(stmt.name, []).append(stmt)
    calls = [n for n in ctx.analysis.nodes if isinstance(n, ast.Call) and _identity(ctx, n.func) == SUBDAG]
    lines = Counter(c.lineno for c in calls)
    sites: list[_Site] = []
    factories: dict[str, _Factory] = {}
    module_hazard = _module_hazard(tree)
    for call in calls:
        site = _Site(call)
        sites.append(site)
        try:
            if lines[call.lineno] > 1:
                raise Unconvertible("another SubDagOperator starts on the same line")
            _read_site(ctx, site, parents, defs)
            if module_hazard:
                raise Unconvertible(module_hazard)
        except Unconvertible as why:
            site.reason = str(why)
        if not site.factory:
            continue
        if site.factory not in factories:
            factories[site.factory] = _read_factory(ctx, defs[site.factory][0], parents, defs)
        factories[site.factory].sites.append(site)
    for name, f in factories.items():
        if not f.reason and ctx.analysis.ref_counts.get(name, 0) != len(f.sites):
            f.reason = f"{name}() is also used elsewhere than in SubDagOperator(subdag={name}(...))"
        for site in f.sites:
            try:
                if f.reason:
                    raise Unconvertible(f.reason)
                if not site.reason:
                    _check_site(ctx, site, f, parents)
            except Unconvertible as why:
                site.reason = site.reason or str(why)
        failed = [s for s in f.sites if s.reason]
        if failed and not f.reason:
            f.reason = "failed"
            for site in f.sites:
                if not site.reason:
                    site.reason = (f"{name}() stays a SubDAG factory: the SubDagOperator with task_id="
                                   f"{_shown(failed[0].task_id)} that also uses it cannot be converted")
    return _Plan({s.call.lineno: s for s in sites}, factories)


def _shown(node: ast.AST | None) -> str:
    """Short source of an expression for a TODO message (no line numbers: they move as TODOs are added)."""
    text = ast.unparse(node) if isinstance(node, ast.expr) else "?"
    return text if len(text) <= 60 else text[:57] + "..."


def _identity(ctx, func: ast.expr) -> str | None:
    qname = ctx.analysis.resolve(func)
    return ctx.decider.identity(qname) if qname else None


def _bind(call: ast.Call, params: tuple[str, ...], what: str) -> dict[str, ast.expr]:
    """Parameter -> argument of a call (``what`` names it in the reason when that cannot be known)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise Unconvertible(f"*args/**kwargs hide the arguments of {what}")
    if len(call.args) > len(params):
        raise Unconvertible(f"{what} gets more positional arguments than it takes")
    bound = dict(zip(params, call.args))
    for kw in call.keywords:
        if kw.arg in bound:
            raise Unconvertible(f"{what} gets {kw.arg} twice")
        bound[kw.arg] = kw.value
    return bound


def _literal(node: ast.expr | None):
    try:
        return ast.literal_eval(node) if node is not None else None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return cstutil.NotLiteral


def _same(a: ast.expr, b: ast.expr) -> bool:
    if ast.dump(a) == ast.dump(b):
        return True
    value = _literal(a)
    return value is not cstutil.NotLiteral and value == _literal(b)


# -- the SubDagOperator call ----------------------------------------------------------------------------------


def _read_site(ctx, site: _Site, parents, defs) -> None:
    bound = _bind(site.call, ("subdag", "executor"), "the SubDagOperator")
    sub = bound.get("subdag")
    if not (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)):
        raise Unconvertible("its subdag= is not a call of a SubDAG factory (the SubDAG object is built "
                            "elsewhere): convert by hand")
    name = sub.func.id
    binding = ctx.analysis.bindings.get(name)
    if binding is not None:
        raise Unconvertible(f"the SubDAG comes from {name}(), imported from {binding.qname.rpartition('.')[0]}: "
                            f"turn it into a TaskGroup factory where it is defined")
    if not defs.get(name):
        raise Unconvertible(f"{name}() is not a function defined at the top of this file: convert by hand")
    if len(defs[name]) != 1 or isinstance(defs[name][0], ast.AsyncFunctionDef):
        raise Unconvertible(f"{name}() is defined more than once, or async")
    site.factory, site.factory_call, site.task_id = name, sub, bound.get("task_id")
    extra = []
    for key, value in bound.items():
        if key in ("subdag", "task_id", "dag", "executor"):
            continue
        literal = _literal(value)
        if (key == "trigger_rule" and literal == "all_success") or (key in NONE_DROPPED and literal is None):
            continue
        extra.append(key)
    if extra:
        raise Unconvertible(f"{', '.join(f'{k}=' for k in sorted(extra))} set on the SubDagOperator task itself "
                            f"(applied to the SubDAG as a whole) has no TaskGroup equivalent: set it on the "
                            f"SubDAG's tasks or drop it, and convert by hand")
    if "task_id" not in bound:
        raise Unconvertible("it has no task_id=")
    if "dag" in bound:
        if not isinstance(bound["dag"], ast.Name):
            raise Unconvertible("its dag= is not a name bound to the parent DAG")
        dag_name = bound["dag"].id
    else:
        dag_name = site.context_dag = _context_dag(ctx, site.call, parents)
    site.parent_dag = _dag_bound_to(ctx, dag_name, site.call, parents)
    if site.parent_dag is None:
        raise Unconvertible(f"{dag_name} is not bound once to a DAG(...) in this file")
    _check_result(ctx, site.call, parents)


def _enclosing_scope(node: ast.AST, parents) -> ast.AST | None:
    """The innermost function around ``node`` (None: the module)."""
    node = parents.get(id(node))
    while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        node = parents.get(id(node))
    return node


def _context_dag(ctx, call: ast.Call, parents) -> str:
    node = parents.get(id(call))
    while node is not None and not isinstance(node, _SCOPES):
        if isinstance(node, ast.With):
            for item in reversed(node.items):
                expr = item.context_expr
                if isinstance(expr, ast.Call) and _identity(ctx, expr.func) == DAG:
                    if isinstance(item.optional_vars, ast.Name):
                        return item.optional_vars.id
                    raise Unconvertible("its parent DAG is a `with DAG(...)` without `as <name>`: name it")
                if isinstance(expr, ast.Name) and _dag_bound_to(ctx, expr.id, call, parents) is not None:
                    return expr.id
        node = parents.get(id(node))
    raise Unconvertible("it has no dag= and no `with DAG(...) as <name>:` around it")


def _stores(scope_body: list[ast.stmt], name: str, parents) -> list[ast.AST]:
    """What binds ``name`` in a scope (not in nested functions and classes): the Name/alias/def nodes."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(scope_body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == name:
                found.append(node)
            stack.extend(node.decorator_list)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if _binds(node, name):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _binds(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.Name):
        return node.id == name and not isinstance(node.ctx, ast.Load)
    if isinstance(node, ast.alias):
        return (node.asname or node.name.split(".")[0]) == name
    return isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names


def _dag_bound_to(ctx, name: str, at: ast.AST, parents) -> ast.Call | None:
    """The DAG(...) call ``name`` is bound to where ``at`` reads it: one binding in the innermost scope
    binding it (``name = DAG(...)`` or ``with DAG(...) as name``), else None."""
    scope = _enclosing_scope(at, parents)
    while True:
        if scope is None:
            body, params = ctx.analysis.tree.body, []
        else:
            body = scope.body if isinstance(scope.body, list) else [scope.body]
            a = scope.args
            params = [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if p is not None]
        stores = _stores(body, name, parents)
        if name in params:
            return None
        if stores or scope is None:
            break
        scope = _enclosing_scope(scope, parents)
    if len(stores) != 1 or not isinstance(stores[0], ast.Name):
        return None
    holder = parents.get(id(stores[0]))
    if isinstance(holder, ast.Assign) and holder.targets == [stores[0]]:
        value = holder.value
    elif isinstance(holder, ast.withitem) and holder.optional_vars is stores[0]:
        value = holder.context_expr
    else:
        return None
    return value if isinstance(value, ast.Call) and _identity(ctx, value.func) == DAG else None


def _climb(node: ast.AST, parents) -> tuple[ast.AST, ast.AST | None]:
    """Up through the list/tuple literals ``node`` is an element of: (outermost literal, its parent)."""
    parent = parents.get(id(node))
    while isinstance(parent, (ast.List, ast.Tuple)):
        node, parent = parent, parents.get(id(parent))
    return node, parent


def _in_dependencies(ctx, node: ast.AST, parents) -> bool:
    """Whether a SubDagOperator (a name for it, or the call) is only used to set dependencies."""
    node, parent = _climb(node, parents)
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, (ast.RShift, ast.LShift)):
        while isinstance(parent, ast.BinOp) and isinstance(parent.op, (ast.RShift, ast.LShift)):
            node, parent = _climb(parent, parents)
        return isinstance(parent, ast.Expr)
    if isinstance(parent, ast.Attribute) and parent.attr in ("set_upstream", "set_downstream"):
        caller = parents.get(id(parent))
        return isinstance(caller, ast.Call) and caller.func is parent and isinstance(parents.get(id(caller)),
                                                                                     ast.Expr)
    if isinstance(parent, ast.Call) and node in parent.args:
        func = parent.func
        if isinstance(func, ast.Attribute) and func.attr in ("set_upstream", "set_downstream"):
            return True
        qname = ctx.analysis.resolve(func)
        return qname is not None and (qname in CHAIN or ctx.decider.identity(qname) in CHAIN)
    return False


def _check_result(ctx, call: ast.Call, parents) -> None:
    parent = parents.get(id(call))
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        name = parent.targets[0].id
        for node in ctx.analysis.nodes:
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load) and \
                    not _in_dependencies(ctx, node, parents):
                raise Unconvertible(f"{name} is used as a task ({_shown(parents.get(id(node)))}), not only in >>, "
                                    f"set_downstream or chain: a TaskGroup is not a task")
        return
    if isinstance(parent, ast.Expr) or _in_dependencies(ctx, call, parents):
        return
    raise Unconvertible("its result is used as a task (not only in dependencies): a TaskGroup is not a task")


def _module_hazard(tree: ast.Module) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "xcom_pull" \
                and any(k.arg == "dag_id" for k in node.keywords):
            return "an xcom_pull(dag_id=...) in this file may read a SubDAG's XComs, which move to the parent DAG"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "xcom_pull" in node.value \
                and "dag_id" in node.value:
            return "a template in this file pulls XComs by dag_id, which may be a SubDAG's (they move to the parent)"
    return ""


# -- the factory ----------------------------------------------------------------------------------------------


def _read_factory(ctx, fn: ast.FunctionDef, parents, defs) -> _Factory:
    f = _Factory(fn)
    try:
        _read_factory_or_raise(ctx, f, parents, defs)
    except Unconvertible as why:
        f.reason = str(why)
    return f


def _read_factory_or_raise(ctx, f: _Factory, parents, defs) -> None:
    fn = f.fn
    if fn.decorator_list:
        raise Unconvertible(f"{fn.name}() is decorated")
    if len(_stores(ctx.analysis.tree.body, fn.name, parents)) != 1:
        raise Unconvertible(f"{fn.name} is bound more than once in this file")
    own = [n for n in ast.walk(fn) if n is not fn]
    if any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Global, ast.Nonlocal)) for n in own):
        raise Unconvertible(f"{fn.name}() is a generator or uses global/nonlocal")
    calls = [n for n in own if isinstance(n, ast.Call)]
    identities = {id(c): _identity(ctx, c.func) for c in calls}
    if any(identities[id(c)] == SUBDAG for c in calls):
        raise Unconvertible(f"{fn.name}() builds a nested SubDAG")
    dags = [c for c in calls if identities[id(c)] == DAG]
    if len(dags) != 1:
        raise Unconvertible(f"{fn.name}() builds {len(dags)} DAG objects (one SubDAG expected)")
    _find_dag_statement(f, dags[0])
    bound = {RENAMED_DAG_ARGS.get(k, k): v for k, v in _bind(dags[0], DAG_PARAMS, "the SubDAG's DAG").items()}
    kept = {"dag_id", "default_args"}
    other = sorted(set(bound) - kept - DROPPED_DAG_ARGS)
    if other:
        raise Unconvertible(f"the SubDAG's DAG({', '.join(f'{k}=' for k in other)}) has no TaskGroup "
                            f"equivalent (it applied to the SubDAG's tasks): convert by hand")
    params = {a.arg: a for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
    _read_dag_id(f, bound.get("dag_id"), params)
    f.default_args = bound.get("default_args")
    stored = Counter(n.id for n in own if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load))
    stored.update(a.arg for n in own if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                  for a in (*n.args.posonlyargs, *n.args.args, *n.args.kwonlyargs, n.args.vararg, n.args.kwarg)
                  if a is not None)
    for name in (f.parent_param, f.child[1] if f.child[0] == "param" else None):
        if name and stored[name]:
            raise Unconvertible(f"{fn.name}() rebinds its parameter {name}")
    if stored[f.var] != 1:
        raise Unconvertible(f"{fn.name}() binds {f.var} more than once")
    if isinstance(f.default_args, ast.Name) and f.default_args.id not in params and stored[f.default_args.id]:
        raise Unconvertible("the SubDAG's default_args are built inside the factory: their keys cannot be "
                            "compared with the parent DAG's")
    _check_var_uses(f, own, parents, identities)
    _check_returns(f, own)
    for call in calls:
        identity = identities[id(call)]
        if identity and _skips(identity):
            raise Unconvertible(f"the SubDAG has a {identity.rpartition('.')[2]}, which skips tasks: in 1.10 a "
                                f"skip ended inside the SubDAG, in a TaskGroup it reaches the tasks after it")
        for kw in call.keywords:
            if kw.arg == "trigger_rule" and _literal(kw.value) != "all_success":
                raise Unconvertible("a task of the SubDAG has a trigger rule: in 1.10 it ran only when the "
                                    "SubDagOperator's upstream succeeded, in a TaskGroup its trigger rule decides")
            if kw.arg == "soft_fail" and _literal(kw.value) is not False:
                raise Unconvertible("a sensor of the SubDAG may skip (soft_fail): in 1.10 a skip ended inside "
                                    "the SubDAG, in a TaskGroup it reaches the tasks after it")
    _check_hazards(ctx, f, defs)
    _collect_task_loops(f, fn.body, False, [], identities)
    if not f.task_loops:
        raise Unconvertible(f"{fn.name}() creates its tasks only under if/while/try: the TaskGroup may be empty "
                            f"(an empty group links nothing)")
    taken = {n.id for n in own if isinstance(n, ast.Name)} | set(params) | set(stored)
    taken.discard(f.parent_param)
    f.new_param, n = "parent_dag", 2
    while f.new_param in taken:
        f.new_param, n = f"parent_dag_{n}", n + 1


def _find_dag_statement(f: _Factory, dag: ast.Call) -> None:
    body = f.fn.body
    for i, stmt in enumerate(body):
        if isinstance(stmt, ast.Assign) and stmt.value is dag and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], ast.Name):
            f.form, f.var = "assign", stmt.targets[0].id
        elif isinstance(stmt, ast.With) and len(stmt.items) == 1 and stmt.items[0].context_expr is dag and \
                isinstance(stmt.items[0].optional_vars, ast.Name):
            f.form, f.var = "with", stmt.items[0].optional_vars.id
        else:
            continue
        f.stmt = stmt
        neighbours = [s for j, s in enumerate(body) if j != i]
        if any(s.lineno == stmt.lineno or s.lineno == stmt.end_lineno for s in neighbours):
            raise Unconvertible("the SubDAG's DAG(...) shares its line with another statement")
        return
    raise Unconvertible(f"{f.fn.name}() does not bind its DAG(...) by `name = DAG(...)` or "
                        f"`with DAG(...) as name:` in its body")


def _format_pieces(dag_id: ast.expr) -> list | None:
    """A dag_id expression as text and Name pieces (%-format, str.format, f-string, +), else None."""
    if isinstance(dag_id, ast.Constant) and isinstance(dag_id.value, str):
        return [dag_id.value]
    if isinstance(dag_id, ast.Name):
        return [dag_id]
    if isinstance(dag_id, ast.BinOp) and isinstance(dag_id.op, ast.Add):
        left, right = _format_pieces(dag_id.left), _format_pieces(dag_id.right)
        return left + right if left is not None and right is not None else None
    if isinstance(dag_id, ast.JoinedStr):
        out: list = []
        for part in dag_id.values:
            plain = isinstance(part, ast.FormattedValue) and part.conversion in (-1, ord("s")) and \
                part.format_spec is None and isinstance(part.value, ast.Name)
            if not (plain or isinstance(part, ast.Constant)):
                return None
            out.append(part.value)
        return out
    if isinstance(dag_id, ast.BinOp) and isinstance(dag_id.op, ast.Mod) and isinstance(dag_id.left, ast.Constant) \
            and isinstance(dag_id.left.value, str):
        values = dag_id.right.elts if isinstance(dag_id.right, ast.Tuple) else [dag_id.right]
        texts = dag_id.left.value.split("%s")
        if len(texts) != len(values) + 1 or any("%" in t for t in texts):
            return None
        out = [texts[0]]
        for value, text in zip(values, texts[1:]):
            out += [value, text]
        return out
    if isinstance(dag_id, ast.Call) and isinstance(dag_id.func, ast.Attribute) and dag_id.func.attr == "format" \
            and isinstance(dag_id.func.value, ast.Constant) and isinstance(dag_id.func.value.value, str) \
            and not dag_id.keywords:
        out, auto = [], 0
        try:
            parsed = list(string.Formatter().parse(dag_id.func.value.value))
        except ValueError:
            return None
        for text, name, spec, conversion in parsed:
            out.append(text)
            if name is None:
                continue
            if spec or conversion not in (None, "s") or not (name == "" or name.isdigit()):
                return None
            index = auto if name == "" else int(name)
            auto += 1
            if index >= len(dag_id.args):
                return None
            out.append(dag_id.args[index])
        return out
    return None


def _read_dag_id(f: _Factory, dag_id: ast.expr | None, params: dict) -> None:
    pieces = _format_pieces(dag_id) if dag_id is not None else None
    merged: list = []
    for piece in pieces or ():
        if isinstance(piece, ast.expr) and not isinstance(piece, ast.Name):
            merged = []
            break
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        elif piece != "":
            merged.append(piece)
    ok = len(merged) in (2, 3) and isinstance(merged[0], ast.Name) and isinstance(merged[1], str) and \
        merged[1].startswith(".") and merged[0].id in params
    if ok and len(merged) == 3:
        ok = merged[1] == "." and isinstance(merged[2], ast.Name) and merged[2].id in params
        child = ("param", merged[2].id) if ok else ("", "")
    elif ok:
        child = ("literal", merged[1][1:])
        ok = bool(GROUP_KEY.match(child[1]))
    if not ok:
        raise Unconvertible("the SubDAG's dag_id is not '<parent dag_id parameter>.<child>' built from the "
                            "factory's parameters (needed to name the group and pass the parent DAG)")
    f.parent_param, f.child = merged[0].id, child
    names = {f.parent_param, child[1] if child[0] == "param" else f.parent_param}
    if len(names) == 1 and child[0] == "param":
        raise Unconvertible("the SubDAG's dag_id uses one parameter twice")
    a = f.fn.args
    positional = [*a.posonlyargs, *a.args]
    with_default = {p.arg for p in positional[len(positional) - len(a.defaults):]}
    with_default |= {p.arg for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None}
    for name in names & with_default:
        raise Unconvertible(f"the factory's parameter {name} has a default value")


def _check_var_uses(f: _Factory, own: list[ast.AST], parents, identities) -> None:
    for node in own:
        if not (isinstance(node, ast.Name) and node.id == f.var and isinstance(node.ctx, ast.Load)):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.Return):
            continue
        if isinstance(parent, ast.keyword) and parent.arg == "dag":
            call = parents.get(id(parent))
            if _operator_like(identities.get(id(call))):
                continue
        if isinstance(parent, ast.withitem) and parent.context_expr is node and parent.optional_vars is None \
                and f.form == "assign":
            continue
        raise Unconvertible(f"{f.fn.name}() uses the SubDAG {f.var} as a DAG ({_shown(parent)}), not only as dag= "
                            f"of its operators, in `with` or `return`")


def _check_returns(f: _Factory, own: list[ast.AST]) -> None:
    returns = [n for n in own if isinstance(n, ast.Return)]
    nested = [n for n in own if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
    returns = [r for r in returns if not any(r in ast.walk(d) for d in nested)]
    last = [f.fn.body[-1]] + ([f.stmt.body[-1]] if f.form == "with" else [])
    if len(returns) != 1 or returns[0] not in last or not (isinstance(returns[0].value, ast.Name)
                                                            and returns[0].value.id == f.var):
        raise Unconvertible(f"{f.fn.name}() does not end with its one `return {f.var}`")


def _check_hazards(ctx, f: _Factory, defs) -> None:
    """Nothing in the SubDAG's code, or in the module-level functions it references, reads what changes in a
    TaskGroup: task/DAG ids, the DAG run, XComs."""
    seen: set[str] = set()
    todo: list[ast.AST] = [f.fn]
    while todo:
        fn = todo.pop()
        where = f"{fn.name}()"
        for node in ast.walk(fn):
            what = None
            if isinstance(node, ast.Name) and node.id in HAZARD_NAMES:
                what = node.id
            elif isinstance(node, ast.arg) and node.arg in HAZARD_NAMES:
                what = node.arg
            elif isinstance(node, ast.Attribute) and node.attr in HAZARD_ATTRS:
                what = f".{node.attr}"
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value in HAZARD_KEYS:
                    what = repr(node.value)
                for m in JINJA.finditer(node.value):
                    hit = JINJA_HAZARD.search(m.group(1) or m.group(2) or "")
                    if hit:
                        what = f"{{{{ {hit.group(1)} }}}}"
            elif isinstance(node, ast.Name) and node.id in defs and node.id not in seen and node.id != f.fn.name:
                seen.add(node.id)
                todo.extend(defs[node.id])
            if what:
                raise Unconvertible(f"{where} reads {what}: task ids (now <group>.<task>), the DAG and its run "
                                    f"are the parent's in a TaskGroup, so check it and convert by hand")


def _creates_task(stmt: ast.stmt, var: str, in_group: bool, identities) -> bool:
    for node in ast.walk(stmt):
        if isinstance(node, ast.Call):
            if any(k.arg == "dag" and isinstance(k.value, ast.Name) and k.value.id == var for k in node.keywords):
                return True
            if in_group and any(k.arg == "task_id" for k in node.keywords) and \
                    _operator_like(identities.get(id(node))):
                return True
    return False


def _jumps(stmt: ast.stmt, kinds) -> bool:
    """Whether ``stmt`` holds one of ``kinds`` (not in nested functions, nor, for break/continue, loops)."""
    stack: list[ast.AST] = [stmt]
    loops = kinds == (ast.Break, ast.Continue)
    while stack:
        node = stack.pop()
        if isinstance(node, kinds):
            return True
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _SCOPES) or (loops and isinstance(child, (ast.For, ast.While, ast.AsyncFor))):
                continue
            stack.append(child)
    return False


def _collect_task_loops(f: _Factory, stmts: list[ast.stmt], in_group: bool, loops: list, identities) -> str:
    """Record, for each statement creating a task of the SubDAG on every run of its block, the loops around
    it; stop at what may leave the block early. Returns "exit" (return/raise), "loop" (break/continue)."""
    for stmt in stmts:
        if isinstance(stmt, ast.For):
            if _collect_task_loops(f, stmt.body, in_group, [*loops, stmt.iter], identities) == "exit":
                return "exit"
        elif isinstance(stmt, ast.With):
            grouped = in_group or stmt is f.stmt or any(
                isinstance(i.context_expr, ast.Name) and i.context_expr.id == f.var for i in stmt.items)
            result = _collect_task_loops(f, stmt.body, grouped, loops, identities)
            if result:
                return result
        elif not isinstance(stmt, (ast.If, ast.While, ast.Try, ast.AsyncFor, ast.AsyncWith, *_SCOPES)) and \
                _creates_task(stmt, f.var, in_group, identities):
            f.task_loops.append(loops)
        if _jumps(stmt, (ast.Return, ast.Raise)):
            return "exit"
        if _jumps(stmt, (ast.Break, ast.Continue)):
            return "loop"
    return ""


# -- one call of the factory ---------------------------------------------------------------------------------


def _check_site(ctx, site: _Site, f: _Factory, parents) -> None:
    fn, call = f.fn, site.factory_call
    positional = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords) or \
            len(call.args) > len(positional):
        raise Unconvertible(f"the arguments of {fn.name}(...) cannot be matched to its parameters")
    bound = dict(zip(positional, call.args))
    for kw in call.keywords:
        if kw.arg in bound or kw.arg in [a.arg for a in fn.args.posonlyargs]:
            raise Unconvertible(f"the arguments of {fn.name}(...) cannot be matched to its parameters")
        bound[kw.arg] = kw.value
    if f.parent_param not in bound:
        raise Unconvertible(f"{fn.name}(...) is called without {f.parent_param}")
    kind, child = f.child
    if kind == "param":
        value = bound.get(child)
        if value is None or not _same(value, site.task_id):
            raise Unconvertible(f"{fn.name}(...) is not passed the SubDagOperator's task_id as {child}")
        group = _literal(value)
        if isinstance(group, str) and not GROUP_KEY.match(group):
            raise Unconvertible(f"task_id {group!r} is not a valid TaskGroup id (letters, digits, _ and - only)")
        texts = [n.value for n in ast.walk(value) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        if any("." in t or " " in t for t in texts):
            raise Unconvertible("the task_id has dots or spaces: a TaskGroup id cannot")
    elif _literal(site.task_id) != child:
        raise Unconvertible(f"the SubDagOperator's task_id is not {child!r}, the factory's child name")
    _check_default_args(ctx, site, f, bound, parents)
    parent_args = _bind(site.parent_dag, DAG_PARAMS, "the parent DAG")
    given = [k for k in PARENT_TEMPLATE_ARGS if k in parent_args]
    if given:
        raise Unconvertible(f"the parent DAG sets {', '.join(given)}, which its TaskGroup's tasks would now see")
    if not any(all(_nonempty(ctx, it, _FactoryScope(ctx, f, bound, site, parents)) for it in loop)
               for loop in f.task_loops):
        raise Unconvertible(f"{fn.name}() creates its tasks in loops over values that may be empty: an empty "
                            f"TaskGroup links nothing (start >> group >> end would lose start >> end)")


def _key_sets(ctx, expr: ast.expr | None, at: ast.AST, parents, depth: int = 0) -> list[set[str]] | None:
    """The keys of a default_args expression read where ``at`` is, one set per value it may have (a
    parameter of the function around ``at`` is followed to what that function's callers pass); None when
    they cannot be read."""
    if expr is None or (isinstance(expr, ast.Constant) and expr.value is None):
        return [set()]
    scope = _enclosing_scope(at, parents)
    if isinstance(expr, ast.Name) and isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and depth < 3 \
            and expr.id in {a.arg for a in (*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs)} \
            and not _stores(scope.body, expr.id, parents):
        values = cstutil.parameter_values(ctx, scope, expr.id)
        sets = [_key_sets(ctx, v, v, parents, depth + 1) for v in values or ()]
        return None if not sets or None in sets else [keys for group in sets for keys in group]
    if any(isinstance(n, ast.Name) and cstutil.shadowed(ctx, n.id, getattr(at, "lineno", 0)) for n in ast.walk(expr)):
        return None  # a function's own name: the module-level value _dict_keys reads is not it
    keys = cstutil.dict_keys(ctx, expr)
    return None if keys is None else [set(keys)]


def _check_default_args(ctx, site: _Site, f: _Factory, bound: dict, parents) -> None:
    sub, at = f.default_args, f.stmt
    if isinstance(sub, ast.Name) and sub.id in {a.arg for a in (*f.fn.args.posonlyargs, *f.fn.args.args,
                                                                 *f.fn.args.kwonlyargs)}:
        if sub.id not in bound:
            raise Unconvertible(f"{f.fn.name}(...) is called without its default_args parameter {sub.id}")
        sub, at = bound[sub.id], site.call
    parent = _bind(site.parent_dag, DAG_PARAMS, "the parent DAG").get("default_args")
    sub_keys = _key_sets(ctx, sub, at, parents)
    if sub_keys is None:
        raise Unconvertible("the SubDAG's default_args cannot be read statically: whether the parent DAG's "
                            "reach its tasks in a TaskGroup is unknown")
    if any("trigger_rule" in keys for keys in sub_keys):
        raise Unconvertible("the SubDAG's default_args set a trigger rule: in 1.10 its tasks ran only when the "
                            "SubDagOperator's upstream succeeded, in a TaskGroup their trigger rule decides")
    if parent is not None and isinstance(sub, ast.Name) and isinstance(parent, ast.Name) and sub.id == parent.id \
            and _enclosing_scope(site.call, parents) is _enclosing_scope(site.parent_dag, parents) \
            and len(_stores(_scope_body(ctx, site.call, parents), sub.id, parents)) <= 1:
        return  # the same dict: the group's default_args override all the parent's
    parent_keys = _key_sets(ctx, parent, site.parent_dag, parents)
    if parent_keys is None:
        raise Unconvertible("the parent DAG's default_args cannot be read statically: they may reach the "
                            "SubDAG's tasks in a TaskGroup")
    missing = sorted(set().union(*parent_keys) - set.intersection(*sub_keys))
    if missing:
        raise Unconvertible(f"the parent DAG's default_args set {', '.join(missing)}, the SubDAG's do not: in a "
                            f"TaskGroup its tasks would get them")


def _scope_body(ctx, node: ast.AST, parents) -> list[ast.stmt]:
    scope = _enclosing_scope(node, parents)
    if scope is None:
        return ctx.analysis.tree.body
    return scope.body if isinstance(scope.body, list) else [scope.body]


# -- whether a loop runs at least once -------------------------------------------------------------------------


class _ModuleScope:
    def __init__(self, ctx):
        self.ctx = ctx

    def lookup(self, name: str):
        value = cstutil.module_value(self.ctx, name)
        return ("value", value, self) if value is not None else None


class _SiteScope:
    """Names read where the SubDagOperator is called: ``for`` targets around it, then module names."""

    def __init__(self, ctx, node: ast.AST, parents):
        self.ctx, self.node, self.parents = ctx, node, parents

    def lookup(self, name: str):
        node = self.parents.get(id(self.node))
        while node is not None and not isinstance(node, _SCOPES):
            if isinstance(node, ast.For):
                targets = [node.target] if isinstance(node.target, ast.Name) else (
                    list(node.target.elts) if isinstance(node.target, ast.Tuple) else [])
                for index, target in enumerate(targets):
                    if isinstance(target, ast.Name) and target.id == name:
                        if _stores(node.body, name, self.parents):
                            return None
                        path = () if target is node.target else (index,)
                        return "loop", node.iter, path, _SiteScope(self.ctx, node, self.parents)
            node = self.parents.get(id(node))
        if node is not None or cstutil.shadowed(self.ctx, name, getattr(self.node, "lineno", 0)):
            return None
        return _ModuleScope(self.ctx).lookup(name)


class _FactoryScope:
    """Names read in the factory: a parameter is what the SubDagOperator's call passes, a name the factory
    does not bind is the module's."""

    def __init__(self, ctx, f: _Factory, bound: dict, site: _Site, parents):
        self.ctx, self.f, self.bound, self.site, self.parents = ctx, f, bound, site, parents

    def lookup(self, name: str):
        if name in self.bound:
            return "value", self.bound[name], _SiteScope(self.ctx, self.site.call, self.parents)
        a = self.f.fn.args
        params = {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if p is not None}
        if name in params or _stores(self.f.fn.body, name, self.parents):
            return None
        return _ModuleScope(self.ctx).lookup(name)


def _nonempty(ctx, expr: ast.expr, scope, depth: int = 0) -> bool:
    """Whether an iterable expression is known to have at least one element."""
    if depth > 8:
        return False
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        return any(not isinstance(e, ast.Starred) for e in expr.elts)
    if isinstance(expr, ast.Dict):
        return any(k is not None for k in expr.keys)
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (str, bytes)) and len(expr.value) > 0
    if isinstance(expr, ast.Call) and not expr.keywords:
        func = expr.func
        if isinstance(func, ast.Name) and func.id not in ctx.analysis.bindings:
            if func.id == "range" and 1 <= len(expr.args) <= 3:
                values = [_literal(_resolve(ctx, a, scope, depth)) for a in expr.args]
                if not all(isinstance(v, int) for v in values) or (len(values) == 3 and values[2] == 0):
                    return False
                return len(range(*values)) > 0
            if func.id in ("sorted", "list", "tuple", "reversed", "set", "enumerate") and len(expr.args) == 1:
                return _nonempty(ctx, expr.args[0], scope, depth + 1)
        if isinstance(func, ast.Attribute) and func.attr in ("items", "keys", "values") and not expr.args:
            return _nonempty(ctx, func.value, scope, depth + 1)
        return False
    if isinstance(expr, ast.Name):
        found = scope.lookup(expr.id)
        if found is None:
            return False
        if found[0] == "value":
            return _nonempty(ctx, found[1], found[2], depth + 1)
        return _all_nonempty(ctx, found[1], found[2], found[3], depth + 1)
    return False


def _all_nonempty(ctx, iterable: ast.expr, path: tuple, scope, depth: int) -> bool:
    """Whether every element a loop over ``iterable`` binds (its ``path`` part of a tuple) is non-empty."""
    if depth > 8:
        return False
    if isinstance(iterable, ast.Call) and not iterable.keywords:
        func = iterable.func
        if isinstance(func, ast.Name) and func.id in ("sorted", "list", "tuple", "reversed") and \
                func.id not in ctx.analysis.bindings and len(iterable.args) == 1:
            return _all_nonempty(ctx, iterable.args[0], path, scope, depth + 1)
        if isinstance(func, ast.Attribute) and func.attr in ("items", "keys", "values") and not iterable.args:
            mapping = _resolve(ctx, func.value, scope, depth)
            if not isinstance(mapping, ast.Dict) or any(k is None for k in mapping.keys):
                return False
            if func.attr == "items":
                if path == ():
                    return True  # (key, value) pairs
                elements = mapping.keys if path == (0,) else mapping.values if path == (1,) else None
            else:
                elements = mapping.keys if func.attr == "keys" else mapping.values
                elements = elements if path == () else None
            return elements is not None and all(_nonempty(ctx, e, scope, depth + 1) for e in elements)
        return False
    value = _resolve(ctx, iterable, scope, depth)
    if isinstance(value, ast.Dict):
        return path == () and all(_nonempty(ctx, k, scope, depth + 1) for k in value.keys if k is not None)
    if not isinstance(value, (ast.List, ast.Tuple)) or any(isinstance(e, ast.Starred) for e in value.elts):
        return False
    for element in value.elts:
        for index in path:
            if not isinstance(element, (ast.List, ast.Tuple)) or index >= len(element.elts):
                return False
            element = element.elts[index]
        if not _nonempty(ctx, element, scope, depth + 1):
            return False
    return True


def _resolve(ctx, expr: ast.expr, scope, depth: int) -> ast.expr | None:
    """A Name followed to the expression it is bound to, else the expression itself (None: unknown)."""
    while isinstance(expr, ast.Name) and depth < 8:
        found = scope.lookup(expr.id)
        if found is None or found[0] != "value":
            return None
        expr, scope, depth = found[1], found[2], depth + 1
    return expr


# -- the rule -------------------------------------------------------------------------------------------------


class _FactoryBody(cst.CSTTransformer):
    """Inside the factory: the parent's name -> ``<parent DAG>.dag_id``, ``dag=<SubDAG>`` ->
    ``dag=<parent DAG>, task_group=<group>``, ``with <SubDAG>:`` -> ``with <parent DAG>, <group>:``."""

    def __init__(self, f: _Factory):
        super().__init__()
        self.f = f
        self.skip: set[int] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.skip.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.skip.add(id(node.keyword))

    def visit_Param(self, node: cst.Param) -> None:
        self.skip.add(id(node.name))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.skip.add(id(node.name))

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name):
        if original_node.value == self.f.parent_param and id(original_node) not in self.skip:
            return cst.Attribute(value=cst.Name(self.f.new_param), attr=cst.Name("dag_id"))
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        a = cstutil.kwarg(updated_node, "dag")
        if a is None or not (isinstance(a.value, cst.Name) and a.value.value == self.f.var):
            return updated_node
        return cstutil.replace_arg(updated_node, a, [a.with_changes(value=cst.Name(self.f.new_param)),
                                                     cstutil.arg("task_group", cst.Name(self.f.var))])

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        items = updated_node.items
        if len(items) == 1 and items[0].asname is None and isinstance(items[0].item, cst.Name) and \
                items[0].item.value == self.f.var:
            return updated_node.with_changes(items=[_with_item(self.f.new_param), *items])
        return updated_node


def _with_item(name: str) -> cst.WithItem:
    return cst.WithItem(item=cst.Name(name), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))


class SubDagToTaskGroup(Rule):
    code = "AM404"
    name = "subdag-to-taskgroup"
    summary = ("SubDagOperator(subdag=factory(PARENT, 'child', args)) with the factory in the same file -> the "
               "factory builds its tasks in TaskGroup(group_id=child, default_args=..., dag=parent_dag) and "
               "returns it, and the SubDagOperator becomes factory(dag, 'child', args); TODO when the SubDAG's or "
               "the SubDagOperator's settings, skips, trigger rules, ids or XComs would behave differently.")
    interest = Interest(call_identities=frozenset({SUBDAG, DAG}))
    order = 45  # after AM308 removed executor=
    emits = (TASK_GROUP,)
    examples = (
        Example(
            title="the 1.10 example DAG's factory",
            before=(
                "from datetime import datetime\n"
                "from airflow.models import DAG\n"
                "from airflow.operators.dummy_operator import DummyOperator\n"
                "from airflow.operators.subdag_operator import SubDagOperator\n"
                "\n"
                "args = {'owner': 'airflow', 'start_date': datetime(2021, 1, 1), 'retries': 2}\n"
                "\n"
                "\n"
                "def subdag(parent_dag_name, child_dag_name, args):\n"
                "    dag_subdag = DAG(\n"
                "        dag_id='%s.%s' % (parent_dag_name, child_dag_name),\n"
                "        default_args=args,\n"
                "        schedule_interval='@daily',  # ignored for a SubDAG\n"
                "    )\n"
                "    # one task per shard\n"
                "    for i in range(5):\n"
                "        DummyOperator(\n"
                "            task_id='%s-task-%s' % (child_dag_name, i + 1),\n"
                "            dag=dag_subdag,\n"
                "        )\n"
                "    return dag_subdag\n"
                "\n"
                "\n"
                "dag = DAG('example_subdag_operator', default_args=args, schedule_interval='@once')\n"
                "start = DummyOperator(task_id='start', dag=dag)\n"
                "section_1 = SubDagOperator(\n"
                "    task_id='section-1',\n"
                "    subdag=subdag('example_subdag_operator', 'section-1', args),\n"
                "    dag=dag,\n"
                ")\n"
                "start >> section_1\n"
            ),
            after=(
                "from datetime import datetime\n"
                "from airflow.models import DAG\n"
                "from airflow.operators.empty import EmptyOperator\n"
                "from airflow.utils.task_group import TaskGroup\n"
                "\n"
                "args = {'owner': 'airflow', 'start_date': datetime(2021, 1, 1), 'retries': 2}\n"
                "\n"
                "\n"
                "def subdag(parent_dag, child_dag_name, args):\n"
                "    dag_subdag = TaskGroup(\n"
                "        group_id=child_dag_name,\n"
                "        default_args=args,\n"
                "        # ignored for a SubDAG\n"
                "        dag=parent_dag,\n"
                "    )\n"
                "    # one task per shard\n"
                "    for i in range(5):\n"
                "        EmptyOperator(\n"
                "            task_id='%s-task-%s' % (child_dag_name, i + 1),\n"
                "            dag=parent_dag,\n"
                "            task_group=dag_subdag,\n"
                "        )\n"
                "    return dag_subdag\n"
                "\n"
                "\n"
                "dag = DAG('example_subdag_operator', default_args=args, schedule='@once')\n"
                "start = EmptyOperator(task_id='start', dag=dag)\n"
                "section_1 = subdag(dag, 'section-1', args)\n"
                "start >> section_1\n"
            ),
        ),
        Example(
            title="`with DAG(...) as sub:` in the factory, the parent as a context manager",
            before=(
                "from datetime import datetime\n"
                "from airflow import DAG\n"
                "from airflow.operators.bash_operator import BashOperator\n"
                "from airflow.operators.subdag_operator import SubDagOperator\n"
                "\n"
                "ARGS = {'owner': 'data', 'start_date': datetime(2021, 1, 1), 'retries': 2}\n"
                "\n"
                "\n"
                "def load_subdag(parent_dag_id, child_id, tables, args):\n"
                "    with DAG(dag_id=f'{parent_dag_id}.{child_id}', default_args=args, schedule_interval='@daily') as sub:\n"
                "        for table in tables:\n"
                "            BashOperator(task_id=f'load_{table}', bash_command=f'load.sh {parent_dag_id} {table}')\n"
                "    return sub\n"
                "\n"
                "\n"
                "with DAG('warehouse', default_args=ARGS, schedule_interval='@daily') as dag:\n"
                "    load = SubDagOperator(task_id='load', subdag=load_subdag('warehouse', 'load', ['orders', 'users'], ARGS))\n"
            ),
            after=(
                "from datetime import datetime\n"
                "from airflow import DAG\n"
                "from airflow.operators.bash import BashOperator\n"
                "from airflow.utils.task_group import TaskGroup\n"
                "\n"
                "ARGS = {'owner': 'data', 'start_date': datetime(2021, 1, 1), 'retries': 2}\n"
                "\n"
                "\n"
                "def load_subdag(parent_dag, child_id, tables, args):\n"
                "    with parent_dag, TaskGroup(group_id=child_id, default_args=args) as sub:\n"
                "        for table in tables:\n"
                "            BashOperator(task_id=f'load_{table}', bash_command=f'load.sh {parent_dag.dag_id} {table}')\n"
                "    return sub\n"
                "\n"
                "\n"
                "with DAG('warehouse', default_args=ARGS, schedule='@daily') as dag:\n"
                "    load = load_subdag(dag, 'load', ['orders', 'users'], ARGS)\n"
            ),
        ),
        Example(
            title="the parent's default_args would reach the SubDAG's tasks: TODO",
            before=(
                "from datetime import datetime\n"
                "from airflow import DAG\n"
                "from airflow.operators.bash_operator import BashOperator\n"
                "from airflow.operators.subdag_operator import SubDagOperator\n"
                "\n"
                "ARGS = {'owner': 'data', 'start_date': datetime(2021, 1, 1), 'retries': 2}\n"
                "\n"
                "\n"
                "def load_subdag(parent_dag_id, child_id):\n"
                "    sub = DAG('%s.%s' % (parent_dag_id, child_id), schedule_interval='@daily',\n"
                "              default_args={'owner': 'data', 'start_date': datetime(2021, 1, 1)})\n"
                "    BashOperator(task_id='load', bash_command='load.sh', dag=sub)\n"
                "    return sub\n"
                "\n"
                "\n"
                "with DAG('warehouse', default_args=ARGS, schedule_interval='@daily') as dag:\n"
                "    load = SubDagOperator(task_id='load', subdag=load_subdag('warehouse', 'load'))\n"
            ),
            after=(
                "from datetime import datetime\n"
                "from airflow import DAG\n"
                "from airflow.operators.bash import BashOperator\n"
                "from airflow.operators.subdag import SubDagOperator\n"
                "\n"
                "ARGS = {'owner': 'data', 'start_date': datetime(2021, 1, 1), 'retries': 2}\n"
                "\n"
                "\n"
                "def load_subdag(parent_dag_id, child_id):\n"
                "    sub = DAG('%s.%s' % (parent_dag_id, child_id), schedule='@daily',\n"
                "              default_args={'owner': 'data', 'start_date': datetime(2021, 1, 1)}, auto_register=False)\n"
                "    BashOperator(task_id='load', bash_command='load.sh', dag=sub)\n"
                "    return sub\n"
                "\n"
                "\n"
                "with DAG('warehouse', default_args=ARGS, schedule='@daily') as dag:\n"
                "    # TODO(airflow2): AM404 SubDagOperator was not converted to a TaskGroup (Airflow 2 deprecates "
                "it): the parent DAG's default_args set retries, the SubDAG's do not: in a TaskGroup its tasks "
                "would get them\n"
                "    load = SubDagOperator(task_id='load', subdag=load_subdag('warehouse', 'load'))\n"
            ),
            todos=("the parent DAG's default_args set retries",),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if target is None or target.identity != SUBDAG:
            return call
        plan = _plan(ctx)
        site = plan.sites.get(ctx.line)
        if site is None or site.reason:
            reason = site.reason if site is not None else "this call was not found in the file's analysis"
            ctx.todo(self.code, f"SubDagOperator was not converted to a TaskGroup (Airflow 2 deprecates it): "
                                f"{reason}")
            return call
        f = plan.factories[site.factory]
        bound = cstutil.bind_arguments(call, ("subdag", "executor"), strict=False)
        factory_call = bound["subdag"].value
        dag_arg = cstutil.kwarg(call, "dag")
        parent = dag_arg.value if dag_arg is not None else cst.Name(site.context_dag)
        positional = [a.arg for a in (*f.fn.args.posonlyargs, *f.fn.args.args)]
        old = cstutil.kwarg(factory_call, f.parent_param)
        if old is not None:
            new = old.with_changes(keyword=cst.Name(f.new_param), value=parent)
        else:
            old = cstutil.positional_args(factory_call)[positional.index(f.parent_param)]
            new = old.with_changes(value=parent)
        new_call = cstutil.replace_arg(factory_call, old, [new])
        comments = Counter(cstutil.comments_in(call)) - Counter(cstutil.comments_in(factory_call))
        if comments:
            new_call = new_call.with_changes(whitespace_before_args=cst.ParenthesizedWhitespace(
                first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace("    "),
                empty_lines=[cst.EmptyLine(indent=True, whitespace=cst.SimpleWhitespace("    "),
                                           comment=cst.Comment(c)) for c in comments.elements()]))
        ctx.mark_converted(call.func)
        ctx.change(self.code, f"SubDagOperator -> the TaskGroup {f.fn.name}() now builds on the parent DAG: task ids "
                              f"become <group>.<task>, and the SubDagOperator task's own settings (retries, "
                              f"timeout, pool, callbacks from default_args) no longer wrap the SubDAG as a whole")
        return new_call

    def leave_function(self, ctx, node: cst.FunctionDef):
        f = _plan(ctx).factories.get(node.name.value)
        if f is None or f.reason or not f.sites or not ctx.frames or ctx.frames[-1].info.line != f.fn.lineno:
            return node
        body = node.body.visit(_FactoryBody(f))
        statements = list(body.body)
        index = _cst_index(statements, f.fn.body.index(f.stmt))
        stmt = statements[index]
        group = ctx.require_import(TASK_GROUP)
        if f.form == "assign":
            assign = stmt.body[0]
            ctx.mark_converted(assign.value.func)
            statements[index] = stmt.with_changes(body=[assign.with_changes(
                value=self._group_call(assign.value, group, f))])
        else:
            item = stmt.items[0]
            ctx.mark_converted(item.item.func)
            statements[index] = stmt.with_changes(items=[
                _with_item(f.new_param), item.with_changes(item=self._group_call(item.item, group, f))])
        params = node.params
        renamed = [p.with_changes(name=cst.Name(f.new_param), annotation=None) if p.name.value == f.parent_param
                   else p for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
        n_pos, n_args = len(params.posonly_params), len(params.params)
        params = params.with_changes(posonly_params=renamed[:n_pos], params=renamed[n_pos:n_pos + n_args],
                                     kwonly_params=renamed[n_pos + n_args:])
        ctx.change(self.code, f"{node.name.value}(): builds a TaskGroup on the parent DAG ({f.new_param}) instead "
                              f"of a SubDAG", line=f.stmt.lineno)
        return node.with_changes(params=params, body=body.with_changes(body=statements))

    @staticmethod
    def _group_call(call: cst.Call, group: str, f: _Factory) -> cst.Call:
        """``DAG(dag_id=..., default_args=..., <dropped>)`` -> ``TaskGroup(group_id=<child>,
        default_args=..., dag=<parent DAG>)`` (no dag= in ``with <parent DAG>, TaskGroup(...)``, which
        finds it); comments of the dropped arguments stay."""
        kind, child = f.child
        child_node = cst.Name(child) if kind == "param" else cstutil.string_literal(child, cstutil.call_quote(call))
        replacements: dict[int, list[cst.Arg]] = {}
        for index, a in enumerate(call.args):
            name = a.keyword.value if a.keyword is not None else DAG_PARAMS[index]
            value = child_node if name == "dag_id" else a.value
            replacements[id(a)] = [cstutil.keyword_arg(a, name).with_changes(value=value)]
        new = cstutil.replace_args(call, replacements)
        dropped = [a.keyword.value for a in new.args if a.keyword.value not in ("dag_id", "default_args")]
        comments = [c for a in new.args if a.keyword.value in dropped for c in cstutil.comments_in(a)]
        insert = [cstutil.arg("dag", cst.Name(f.new_param))] if f.form == "assign" or comments else []
        new = new.with_changes(args=cstutil.rebuild_args(new, drop=dropped, rename={"dag_id": "group_id"},
                                                         insert=insert))
        return _realign(new.with_changes(func=cst.Name(group)), f, len(group) - len(cstutil.code_of(call.func)))


def _realign(call: cst.Call, f: _Factory, delta: int) -> cst.Call:
    """Arguments continued on lines aligned with the opening parenthesis (``DAG(a,\\n    b)``) move with it
    when the callee's name changes length."""
    dag = f.stmt.value if f.form == "assign" else f.stmt.items[0].context_expr
    column = dag.func.end_col_offset + 1
    if not delta or isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace) or \
            cstutil.code_of(call.whitespace_after_func):
        return call

    def moved(ws):
        if not isinstance(ws, cst.ParenthesizedWhitespace) or \
                len(ws.last_line.value) != column - (f.stmt.col_offset if ws.indent else 0):
            return ws
        return ws.with_changes(last_line=cst.SimpleWhitespace(" " * (len(ws.last_line.value) + delta)))

    return call.with_changes(args=[a.with_changes(comma=a.comma.with_changes(whitespace_after=moved(
        a.comma.whitespace_after))) if isinstance(a.comma, cst.Comma) else a for a in call.args])


def _cst_index(statements, ast_index: int) -> int:
    """The position in a libcst block of the statement that is number ``ast_index`` in the ``ast`` block."""
    seen = 0
    for i, stmt in enumerate(statements):
        seen += len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
        if seen > ast_index:
            return i
    raise IndexError(ast_index)


RULES = (SubDagToTaskGroup,)
