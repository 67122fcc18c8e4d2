"""The structure of the DAGs in an Airflow 1.10 file, read from its source text without running Airflow.

Airflow 1.10 cannot run here, so the source side of the structure check (``dagcheck.compare``) is derived
statically: ``extract_static(source, path)`` parses the file once with ``ast`` and walks the module with
a small abstract interpreter. The interpreter evaluates what is statically known (literals, module
constants, string formatting, ``timedelta``/``datetime``/``pendulum`` calls, default_args dicts, loops over
literal lists and ``range``, functions defined in the same file, ``if`` on known conditions) and follows
what Airflow itself does when a file is imported: ``DAG(...)`` and ``with DAG(...)`` contexts, operators
created with ``dag=`` or inside a context, default_args applied at construction, ``>>``/``<<``/
``set_upstream``/``set_downstream``/``chain``/``cross_downstream`` (a task without a DAG joins the DAG of
the task it is linked to), TaskGroups with their id prefixes, SubDagOperator children, and which DAG
objects end up as module globals (the only ones Airflow 1.10's DagBag loads).

Anything it cannot determine becomes :data:`~dagcheck.structure.UNKNOWN` (or ``"relative"`` for a start
date that depends on the parse time), the affected field is listed in ``DagStructure.incomplete`` where
the value is a collection, and a note says what and why with its line: it never guesses. Side effects
under a condition or in a loop whose outcome is only known at run time are not recorded as facts.
Standard library only and no Airflow import: this runs in the orchestrator, on up to 1,000 files a wave
(about 1 ms a file).

Deliberate conventions, each with a note where it applies:
- Airflow 1.10 semantics: only DAG objects bound to module globals are loaded (no ``auto_register``: a
  ``with DAG(...)`` never bound to a name is noted, and is a real change when Airflow 2 loads it);
  positional ``DAG(...)`` arguments follow the 1.10 signature; of two tasks with one id the first stays.
- A ``raise`` that may happen at import time is assumed not to: if it did, the file would load no DAG at
  all, so the structure is "what Airflow loads if the file imports".
- A ``DAG(...)`` call the analysis did not run (in a class, in a function never called) yields a DAG
  with id ``"unknown"``, so that DAGs found only after conversion are reported as not compared.
"""

from __future__ import annotations

import ast
import builtins
import copy as _copy
import os.path
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import pairwise
from typing import Any

from dagcheck.structure import (
    OMIT,
    RELATIVE,
    UNKNOWN,
    DagStructure,
    json_safe,
    schedule_text,
    utc_iso,
)

try:  # stdlib, but needs the system's tz database
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - every supported Python has zoneinfo
    ZoneInfo = None  # type: ignore[assignment,misc]
    ZoneInfoNotFoundError = Exception  # type: ignore[assignment,misc]

__all__ = ["StaticExtraction", "extract_static"]

MAX_LOOP_ITERATIONS = 1000  # a loop longer than this is treated as unknown (and noted)
MAX_CALL_DEPTH = 30
MAX_STEPS = 2_000_000  # evaluation budget per file; exceeding it marks every DAG incomplete
_ALL_PARTS = ("task_ids", "edges", "default_args", "subdags")


@dataclass(frozen=True)
class StaticExtraction:
    """What ``extract_static`` found in one file.

    ``dags``: the DAGs Airflow would load from the file (module globals), sorted by dag id; a DAG whose id
    or existence cannot be determined appears with ``dag_id == "unknown"``. ``notes``: one line each,
    ``"line N: ..."``, for everything that could not be determined and why. ``error``: set (with
    ``dags`` empty) when the file does not parse.
    """

    path: str
    dags: tuple[DagStructure, ...]
    notes: tuple[str, ...] = ()
    error: str | None = None


def extract_static(source: str, path: str) -> StaticExtraction:
    """Statically extract the DAG structures of the Airflow 1.10 file ``path`` whose text is ``source``."""
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        message = f"{path}:{exc.lineno}: syntax error: {exc.msg}"
        return StaticExtraction(path=path, dags=(), notes=(f"line {exc.lineno}: syntax error: {exc.msg}",),
                                error=message)
    interpreter = _Interpreter(path)
    interpreter.run(tree)
    return StaticExtraction(path=path, dags=interpreter.result(), notes=tuple(interpreter.notes))


# --------------------------------------------------------------------------------------------------
# Values of the abstract interpreter. Known Python values (str, int, timedelta, list, dict, ...) are
# represented by themselves; everything else by one of these.


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be determined statically; ``reason`` says why (with its line)."""

    reason: str


@dataclass(frozen=True)
class Relative:
    """A date-time that depends on when the file is parsed (``days_ago(1)``, ``datetime.now()``)."""

    reason: str


@dataclass(frozen=True)
class Symbol:
    """An imported name (``airflow.DAG``, ``config.TABLES``) or a builtin, by its qualified name."""

    qualname: str
    line: int = 0

    def unknown(self) -> Unknown:
        where = f" (imported at line {self.line})" if self.line else ""
        return Unknown(f"'{self.qualname}' is defined outside this file{where}")


@dataclass(frozen=True)
class PathValue:
    """``pathlib.Path(...)`` of a known string (``Path(__file__).stem`` names many DAGs)."""

    path: str


@dataclass(eq=False)
class Function:
    """A function or lambda defined in this file, with the scope it closes over."""

    name: str
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    scope: _Scope
    defaults: list[Any]
    kw_defaults: list[Any]


@dataclass(frozen=True)
class ClassValue:
    """A class defined in this file; ``is_operator`` when it looks like an operator (by name or base)."""

    name: str
    is_operator: bool


class PartialDict(dict):
    """A dict built by the interpreted file; ``missing`` is set when it may hold keys not listed.

    Every dict the interpreter builds is one, so that it can turn partial in place (``d.update(unknown)``)
    and every name bound to it sees that.
    """

    def __init__(self, *args: Any, missing: Unknown | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.missing = missing


def _is_partial(value: Any) -> bool:
    return isinstance(value, PartialDict) and value.missing is not None


@dataclass(eq=False)
class DagNode:
    """A ``DAG(...)`` object being built by the interpreted file."""

    dag_id: Any
    line: int
    schedule: Any
    catchup: Any
    start_date: Any
    default_args: Any
    uncertain: str | None  # why its creation is conditional, when it is
    tasks: list[TaskNode] = field(default_factory=list)
    groups: list[GroupNode] = field(default_factory=list)
    incomplete: set[str] = field(default_factory=set)
    is_subdag: bool = False


@dataclass(eq=False)
class GroupNode:
    """A ``TaskGroup`` (Airflow 2 sources); task ids inside get its prefix, as Airflow names them."""

    label: str
    prefix_group_id: bool
    parent: GroupNode | None
    dag: DagNode | None
    default_args: dict[str, Any]
    children: list[Any] = field(default_factory=list)

    @property
    def group_id(self) -> str:
        if self.parent is not None and self.parent.prefix_group_id:
            return self.parent.child_id(self.label)
        return self.label

    def child_id(self, label: str) -> str:
        return f"{self.group_id}.{label}" if self.prefix_group_id else label

    def tasks(self) -> Iterator[TaskNode]:
        for child in self.children:
            if isinstance(child, GroupNode):
                yield from child.tasks()
            else:
                yield child


@dataclass(eq=False)
class TaskNode:
    """An operator instance. ``task_id`` is a str, or ``Unknown``; ``uncertain`` says why it may not exist."""

    task_id: Any
    line: int
    dag: DagNode | None
    retries: Any
    trigger_rule: Any
    uncertain: str | None
    subdag: Any = None  # DagNode, or Unknown for a SubDagOperator whose subdag is not resolvable
    downstream: list[TaskNode] = field(default_factory=list)
    upstream: list[TaskNode] = field(default_factory=list)


_NODES = (DagNode, GroupNode, TaskNode)


# --------------------------------------------------------------------------------------------------
# Names the interpreter knows by qualified name.

# DAG.__init__ parameters in their Airflow 1.10 order, for arguments passed positionally (Airflow 2.10
# inserted ``schedule`` at position 2: an Airflow 2 source passing more than dag_id and description
# positionally would be misread, but sources here are 1.10 files)
_DAG_POSITIONAL_1_10 = (
    "dag_id", "description", "schedule_interval", "start_date", "end_date", "full_filepath",
    "template_searchpath", "template_undefined", "user_defined_macros", "user_defined_filters", "default_args",
    "concurrency", "max_active_runs", "dagrun_timeout", "sla_miss_callback", "default_view", "orientation",
    "catchup",
)
_DAG_CLASSES = {"airflow.DAG", "airflow.models.DAG", "airflow.models.dag.DAG"}
_TASK_GROUP_CLASSES = {"airflow.utils.task_group.TaskGroup"}
_CHAIN = {"airflow.utils.helpers.chain", "airflow.models.baseoperator.chain", "airflow.models.chain"}
_CROSS = {
    "airflow.utils.helpers.cross_downstream",
    "airflow.models.baseoperator.cross_downstream",
    "airflow.models.cross_downstream",
}
_RELATIVE_CALLS = {
    "airflow.utils.dates.days_ago",
    "airflow.utils.timezone.utcnow",
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.today",
    "datetime.date.today",
    "pendulum.now",
    "pendulum.today",
    "pendulum.yesterday",
    "pendulum.tomorrow",
    "time.time",
}
_TIMEZONE_CALLS = {"pendulum.timezone", "pendulum.tz.timezone", "pendulum.Timezone", "zoneinfo.ZoneInfo",
                   "dateutil.tz.gettz"}
_CONSTANTS: dict[str, Any] = {
    "datetime.timezone.utc": UTC,
    "pendulum.UTC": UTC,
    "pendulum.utc": UTC,
    "airflow.utils.timezone.utc": UTC,
    "datetime.datetime.min": datetime.min,
    "datetime.datetime.max": datetime.max,
}
_SAFE_BUILTINS = {
    "abs", "all", "any", "bool", "dict", "enumerate", "float", "int", "len", "list", "max", "min", "range",
    "reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip", "globals", "isinstance", "print",
    "repr", "frozenset",
}
_STR_METHODS = {
    "format", "join", "upper", "lower", "replace", "strip", "lstrip", "rstrip", "split", "rsplit",
    "startswith", "endswith", "title", "capitalize", "zfill", "partition", "rpartition", "casefold",
    "center", "ljust", "rjust", "count", "find", "isdigit", "isalnum", "isalpha", "removeprefix",
    "removesuffix", "format_map", "swapcase", "splitlines",
}
_DATETIME_METHODS = {"replace", "isoformat", "strftime", "date", "time", "astimezone", "total_seconds", "weekday"}


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _StopBranch(Exception):
    """A jump (return/break/continue/raise) inside code whose execution is uncertain."""

    def __init__(self, kind: str) -> None:
        self.kind = kind


class _Raise(Exception):
    """A ``raise`` executed for certain: the file would fail to import from here on."""


class _OutOfBudget(Exception):
    pass


class _Scope:
    """Variables of the module or of one function call (``parent`` is the enclosing scope)."""

    def __init__(self, parent: _Scope | None = None) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.global_names: set[str] = set()

    def lookup(self, name: str) -> tuple[bool, Any]:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return True, scope.vars[name]
            scope = scope.parent
        return False, None

    def module(self) -> _Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


# --------------------------------------------------------------------------------------------------
# The interpreter


class _Interpreter:
    """Walks one module; collects DAG nodes, notes, and which DAGs end up as module globals."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.notes: dict[str, None] = {}  # insertion-ordered set
        self.module = _Scope()
        self.module.vars["__file__"] = path
        self.module.vars["__name__"] = "airflow_dag_module"  # DagBag never imports a file as __main__
        self.module.vars["__doc__"] = None
        self.dags: list[DagNode] = []
        self.anonymous_globals: list[Any] = []  # values stored with globals()[<unknown name>] = value
        self.maybe_global_dags: list[tuple[DagNode, str]] = []
        self.dag_stack: list[DagNode] = []
        self.group_stack: list[GroupNode] = []
        self.uncertain: list[str] = []  # why the code being run may not run (innermost last)
        self.diverged: str | None = None  # a jump that may have happened ("return", "break", ...)
        self.func_base = 0  # len(self.uncertain) when the current function was entered
        self.loop_base = 0  # len(self.uncertain) when the current loop body was entered
        self.star_imports: list[str] = []
        self.evaluated_dag_lines: set[int] = set()  # lines of DAG(...) calls that were evaluated
        self.tree: ast.Module = ast.Module(body=[], type_ignores=[])
        self.depth = 0
        self.steps = 0
        self.line = 0
        self.aborted = False

    # ---- entry points -------------------------------------------------------------------------

    def run(self, tree: ast.Module) -> None:
        self.tree = tree
        try:
            self.exec_block(tree.body, self.module)
        except _Raise as exc:
            self.note(self.line, f"the file raises at import time ({exc}); later code was not evaluated")
        except _OutOfBudget:
            self.aborted = True
            self.note(self.line, "evaluation budget exceeded; the structure is incomplete")
        except _StopBranch:
            pass
        except RecursionError:
            self.aborted = True
            self.note(self.line, "nesting too deep to evaluate; the structure is incomplete")

    def result(self) -> tuple[DagStructure, ...]:
        """The DAGs Airflow would load: DAG objects bound to module globals, subdags excluded."""
        seen: set[int] = set()
        loaded: list[DagNode] = []
        for value in [*self.module.vars.values(), *self.anonymous_globals]:
            if isinstance(value, DagNode) and id(value) not in seen and not value.is_subdag:
                seen.add(id(value))
                loaded.append(value)
        out: list[DagStructure] = []
        for dag in loaded:
            out.append(self.structure(dag))
        for dag, why in self.maybe_global_dags:
            if id(dag) not in seen and not dag.is_subdag:
                seen.add(id(dag))
                self.note(dag.line, f"DAG {self.describe_id(dag.dag_id)} may or may not be loaded: {why}")
                out.append(_placeholder(dag.line))
        for dag in self.dags:
            if id(dag) not in seen and not dag.is_subdag and dag.uncertain is None:
                self.note(dag.line, f"DAG {self.describe_id(dag.dag_id)} is not bound to a module-level name: "
                                    "Airflow 1.10 does not load it")
        for line in self.unevaluated_dag_calls():
            self.note(line, "a DAG(...) call here was not evaluated (in code this analysis does not follow): "
                            "the file may define DAGs not listed")
            out.append(_placeholder(line))
        return tuple(sorted(out, key=lambda s: (s.dag_id, s.source_line or 0)))

    def unevaluated_dag_calls(self) -> list[int]:
        """Lines of calls that look like ``DAG(...)`` (by the names the file binds to the DAG class) not run."""
        aliases = {name for name, value in self.module.vars.items()
                   if isinstance(value, Symbol) and value.qualname in _DAG_CLASSES} | {"DAG"}
        lines = []
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            named = (isinstance(func, ast.Name) and func.id in aliases) or (
                isinstance(func, ast.Attribute) and func.attr == "DAG")
            if named and node.lineno not in self.evaluated_dag_lines:
                lines.append(node.lineno)
        return sorted(set(lines))

    def structure(self, dag: DagNode, forced_id: str | None = None) -> DagStructure:
        incomplete = set(dag.incomplete)
        if self.aborted:
            incomplete.update(_ALL_PARTS)
        tasks = sorted((t for t in dag.tasks if isinstance(t.task_id, str) and t.uncertain is None),
                       key=lambda t: t.task_id)
        known = {id(t) for t in tasks}
        edges = sorted({(t.task_id, d.task_id) for t in tasks for d in t.downstream if id(d) in known})
        subdags: list[DagStructure] = []
        for task in tasks:
            if task.subdag is None:
                continue
            child_id = f"{dag.dag_id}.{task.task_id}" if isinstance(dag.dag_id, str) else UNKNOWN
            if isinstance(task.subdag, DagNode):
                if task.subdag.dag_id != child_id:
                    self.note(task.line, f"subdag of task '{task.task_id}' has dag id "
                                         f"{self.describe_id(task.subdag.dag_id)}; Airflow requires "
                                         f"'{child_id}'")
                subdags.append(self.structure(task.subdag, forced_id=child_id))
            else:
                incomplete.add("subdags")
                subdags.append(_placeholder(task.line, child_id))
        default_args, args_complete = _default_args_json(dag.default_args)
        if not args_complete:
            incomplete.add("default_args")
        dag_id = forced_id or (dag.dag_id if isinstance(dag.dag_id, str) else UNKNOWN)
        return DagStructure(
            dag_id=dag_id,
            task_ids=tuple(sorted(t.task_id for t in tasks)),
            edges=tuple(edges),
            schedule=_schedule_json(dag.schedule),
            catchup=dag.catchup if isinstance(dag.catchup, bool) else UNKNOWN,
            start_date=_start_date_json(dag.start_date),
            retries={t.task_id: _retries_json(t.retries) for t in tasks},
            trigger_rules={t.task_id: _trigger_rule_json(t.trigger_rule) for t in tasks},
            default_args=default_args,
            subdags=tuple(sorted(subdags, key=lambda s: s.dag_id)),
            source_line=dag.line,
            incomplete=tuple(p for p in _ALL_PARTS if p in incomplete),
            task_groups=tuple(sorted(g.group_id for g in dag.groups)),
        )

    # ---- helpers ------------------------------------------------------------------------------

    def note(self, line: int, message: str) -> None:
        self.notes[f"line {line}: {message}"] = None

    @staticmethod
    def describe_id(value: Any) -> str:
        return f"'{value}'" if isinstance(value, str) else "with an id not known statically"

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _OutOfBudget()

    def why_uncertain(self) -> str | None:
        return self.uncertain[-1] if self.uncertain else None

    def taint(self, dags: Iterable[DagNode | None], parts: Iterable[str], line: int, why: str) -> None:
        """Mark ``parts`` of ``dags`` (all DAGs so far when none is known) incomplete, with a note."""
        targets = [d for d in dags if d is not None] or list(self.dags)
        parts = tuple(parts)
        for dag in targets:
            dag.incomplete.update(parts)
        self.note(line, why)

    # ---- statements ---------------------------------------------------------------------------

    def exec_block(self, stmts: list[ast.stmt], scope: _Scope) -> None:
        entered = False
        try:
            for stmt in stmts:
                self.exec_stmt(stmt, scope)
                if self.diverged and not entered:
                    # an uncertain branch may have jumped: the rest of this block may not run
                    self.uncertain.append(f"code after a conditional {self.diverged} (line {stmt.lineno})")
                    entered = True
        finally:
            if entered:
                self.uncertain.pop()

    def exec_stmt(self, stmt: ast.stmt, scope: _Scope) -> None:
        self.tick()
        self.line = stmt.lineno
        handler = getattr(self, f"stmt_{type(stmt).__name__}", None)
        if handler is not None:
            handler(stmt, scope)

    def stmt_Expr(self, stmt: ast.Expr, scope: _Scope) -> None:
        self.eval(stmt.value, scope)

    def stmt_Assign(self, stmt: ast.Assign, scope: _Scope) -> None:
        value = self.eval(stmt.value, scope)
        for target in stmt.targets:
            self.assign(target, value, scope)

    def stmt_AnnAssign(self, stmt: ast.AnnAssign, scope: _Scope) -> None:
        if stmt.value is not None:
            self.assign(stmt.target, self.eval(stmt.value, scope), scope)

    def stmt_AugAssign(self, stmt: ast.AugAssign, scope: _Scope) -> None:
        if isinstance(stmt.target, ast.Name):
            current = self.eval(ast.Name(stmt.target.id, ast.Load(), lineno=stmt.lineno), scope)
        else:
            current = self.eval(_as_load(stmt.target), scope)
        value = self.binop(stmt.op, current, self.eval(stmt.value, scope), stmt.lineno)
        if isinstance(current, list) and isinstance(stmt.op, ast.Add) and isinstance(value, list):
            current[:] = value  # += on a list mutates it in place
            value = current
        self.assign(stmt.target, value, scope)

    def stmt_Import(self, stmt: ast.Import, scope: _Scope) -> None:
        for alias in stmt.names:
            if alias.asname:
                self.bind(scope, alias.asname, Symbol(alias.name, stmt.lineno))
            else:
                top = alias.name.split(".")[0]
                self.bind(scope, top, Symbol(top, stmt.lineno))

    def stmt_ImportFrom(self, stmt: ast.ImportFrom, scope: _Scope) -> None:
        module = "." * stmt.level + (stmt.module or "")
        for alias in stmt.names:
            if alias.name == "*":
                self.star_imports.append(module)
                continue
            self.bind(scope, alias.asname or alias.name, Symbol(f"{module}.{alias.name}", stmt.lineno))

    def stmt_FunctionDef(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope) -> None:
        args = stmt.args
        defaults = [self.eval(d, scope) for d in args.defaults]
        kw_defaults = [None if d is None else self.eval(d, scope) for d in args.kw_defaults]
        value: Any = Function(stmt.name, stmt, scope, defaults, kw_defaults)
        if stmt.decorator_list:
            value = Unknown(f"function '{stmt.name}' is decorated (line {stmt.lineno})")
        self.bind(scope, stmt.name, value)

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def stmt_ClassDef(self, stmt: ast.ClassDef, scope: _Scope) -> None:
        is_operator = stmt.name.endswith(("Operator", "Sensor"))
        for base in stmt.bases:
            value = self.eval(base, scope)
            if isinstance(value, Symbol) and _looks_like_operator(value.qualname):
                is_operator = True
            if isinstance(value, ClassValue) and value.is_operator:
                is_operator = True
        self.bind(scope, stmt.name, ClassValue(stmt.name, is_operator))

    def stmt_Global(self, stmt: ast.Global, scope: _Scope) -> None:
        scope.global_names.update(stmt.names)

    def stmt_Return(self, stmt: ast.Return, scope: _Scope) -> None:
        value = self.eval(stmt.value, scope) if stmt.value is not None else None
        if len(self.uncertain) > self.func_base:
            raise _StopBranch("return")
        raise _Return(value)

    def stmt_Break(self, stmt: ast.Break, scope: _Scope) -> None:
        if len(self.uncertain) > self.loop_base:
            raise _StopBranch("break")
        raise _Break()

    def stmt_Continue(self, stmt: ast.Continue, scope: _Scope) -> None:
        if len(self.uncertain) > self.loop_base:
            raise _StopBranch("continue")
        raise _Continue()

    def stmt_Raise(self, stmt: ast.Raise, scope: _Scope) -> None:
        """A raise that may happen ends its branch; the structure assumes the file imports (or nothing loads)."""
        if self.uncertain:
            self.note(stmt.lineno, "the file may raise here at import time; the structure assumes it does not")
            raise _StopBranch("raise")
        raise _Raise(f"line {stmt.lineno}")

    def stmt_Delete(self, stmt: ast.Delete, scope: _Scope) -> None:
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                owner = self.module if target.id in scope.global_names else scope
                owner.vars.pop(target.id, None)

    def stmt_If(self, stmt: ast.If, scope: _Scope) -> None:
        test = self.eval(stmt.test, scope)
        truth = self.truth(test)
        if truth is True:
            self.exec_block(stmt.body, scope)
        elif truth is False:
            self.exec_block(stmt.orelse, scope)
        else:
            why = f"condition at line {stmt.lineno} is only known at run time ({_reason(test)})"
            self.run_uncertain([stmt.body, stmt.orelse], scope, why)

    def stmt_For(self, stmt: ast.For | ast.AsyncFor, scope: _Scope) -> None:
        iterable = self.eval(stmt.iter, scope)
        items = self.iterate(iterable)
        if items is None:
            why = f"loop at line {stmt.lineno} is over a value only known at run time ({_reason(iterable)})"
            self.assign(stmt.target, Unknown(why), scope)
            self.run_uncertain([stmt.body, stmt.orelse], scope, why, loop=True)
            return
        outer, self.diverged = self.diverged, None
        outer_base, self.loop_base = self.loop_base, len(self.uncertain)
        pushed = False
        try:
            for item in items:
                self.assign(stmt.target, item, scope)
                try:
                    self.exec_block(stmt.body, scope)
                except _Break:
                    break
                except _Continue:
                    continue
                except _StopBranch as jump:
                    if jump.kind != "raise":
                        self.diverged = _stronger(self.diverged, jump.kind)
                if self.diverged and not pushed:
                    self.uncertain.append(f"iterations after a conditional {self.diverged} "
                                          f"(loop at line {stmt.lineno})")
                    pushed = True
            else:
                self.exec_block(stmt.orelse, scope)
        finally:
            if pushed:
                self.uncertain.pop()
            self.loop_base = outer_base
            self.diverged = _stronger(outer, "return" if self.diverged == "return" else None)

    stmt_AsyncFor = stmt_For

    def stmt_While(self, stmt: ast.While, scope: _Scope) -> None:
        test = self.eval(stmt.test, scope)
        if self.truth(test) is False:
            self.exec_block(stmt.orelse, scope)
            return
        why = f"while loop at line {stmt.lineno} runs a number of times not known statically"
        self.run_uncertain([stmt.body, stmt.orelse], scope, why, loop=True)

    def stmt_With(self, stmt: ast.With | ast.AsyncWith, scope: _Scope) -> None:
        pushed_dags = pushed_groups = 0
        try:
            for item in stmt.items:
                value = self.eval(item.context_expr, scope)
                if isinstance(value, DagNode):
                    self.dag_stack.append(value)
                    pushed_dags += 1
                elif isinstance(value, GroupNode):
                    self.group_stack.append(value)
                    pushed_groups += 1
                if item.optional_vars is not None:
                    bound = value if isinstance(value, _NODES) else Unknown(
                        f"value of a with-statement at line {stmt.lineno}")
                    self.assign(item.optional_vars, bound, scope)
            self.exec_block(stmt.body, scope)
        finally:
            del self.dag_stack[len(self.dag_stack) - pushed_dags:]
            del self.group_stack[len(self.group_stack) - pushed_groups:]

    stmt_AsyncWith = stmt_With

    def stmt_Try(self, stmt: ast.Try, scope: _Scope) -> None:
        """The body (and ``else``) as if it does not raise; except clauses as code that may run.

        Imports in an except clause are the 1.10/2.x fallback idiom (``try: import a except ImportError:
        import b``): they bind only names the body left unbound, so that the name stays known.
        """
        try:
            self.exec_block(stmt.body, scope)
        except _Raise:
            if not stmt.handlers:
                raise
        for handler in stmt.handlers:
            for inner in handler.body:
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    for alias in inner.names:
                        name = alias.asname or alias.name.split(".")[0]
                        if alias.name != "*" and not scope.lookup(name)[0]:
                            self.exec_stmt(inner, scope)
                            break
        others = [[s for s in h.body if not isinstance(s, (ast.Import, ast.ImportFrom))] for h in stmt.handlers]
        if any(others):
            why = f"the except clause of the try at line {stmt.lineno} runs only if its body raises"
            self.run_uncertain(others, scope, why)
        self.exec_block(stmt.orelse, scope)
        self.exec_block(stmt.finalbody, scope)

    stmt_TryStar = stmt_Try

    def run_uncertain(self, blocks: list[list[ast.stmt]], scope: _Scope, why: str, loop: bool = False) -> None:
        """Run ``blocks`` knowing they may or may not run: effects are recorded as unknown, not as facts.

        A jump inside them (return/break/continue/raise) may or may not happen: it is remembered in
        ``self.diverged`` so that the rest of the enclosing block, up to the jump's target, is uncertain too.
        With ``loop``, the blocks are the body of a loop whose iterations are unknown.
        """
        outer = self.diverged
        if loop:
            self.diverged = None
        assigned = _assigned_names([s for b in blocks for s in b])
        for name in assigned:  # a DAG bound to a module name that may now be rebound may not be loaded
            owner = self.module if (scope is self.module or name in scope.global_names) else None
            if owner is not None and isinstance(owner.vars.get(name), DagNode):
                self.maybe_global_dags.append((owner.vars[name], f"'{name}' may be rebound where {why}"))
        self.uncertain.append(why)
        outer_base = self.loop_base
        if loop:
            self.loop_base = len(self.uncertain)
        jumped: str | None = None
        try:
            for block in blocks:
                try:
                    self.exec_block(block, scope)
                except _StopBranch as jump:
                    jumped = _stronger(jumped, jump.kind)
                except (_Break, _Continue):  # only raised for this loop's own body
                    pass
        finally:
            self.uncertain.pop()
            self.loop_base = outer_base
        for name in assigned:
            self.bind(scope, name, Unknown(f"'{name}' is assigned where {why}"))
        jumped = _stronger(jumped, self.diverged)
        if jumped == "raise" or (loop and jumped in ("break", "continue")):
            jumped = None  # a raise: if it happens, the file does not import and there is nothing to compare
        self.diverged = _stronger(outer, jumped)

    # ---- assignment -----------------------------------------------------------------------------

    def bind(self, scope: _Scope, name: str, value: Any) -> None:
        owner = self.module if name in scope.global_names else scope
        owner.vars[name] = value
        if owner is self.module and isinstance(value, DagNode) and self.uncertain:
            self.maybe_global_dags.append((value, self.uncertain[-1]))

    def assign(self, target: ast.expr, value: Any, scope: _Scope) -> None:
        if isinstance(target, ast.Name):
            self.bind(scope, target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.assign_sequence(target, value, scope)
        elif isinstance(target, ast.Subscript):
            self.assign_item(target, value, scope)
        elif isinstance(target, ast.Attribute):
            self.assign_attribute(target, value, scope)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, scope)

    def assign_sequence(self, target: ast.Tuple | ast.List, value: Any, scope: _Scope) -> None:
        items = self.iterate(value)
        starred = [i for i, e in enumerate(target.elts) if isinstance(e, ast.Starred)]
        if items is None or (not starred and len(items) != len(target.elts)):
            unknown = value if isinstance(value, Unknown) else Unknown(
                f"unpacking at line {target.lineno} of a value not known statically")
            for elt in target.elts:
                self.assign(elt, unknown, scope)
            return
        if starred:
            i = starred[0]
            tail = len(target.elts) - i - 1
            parts = [*items[:i], list(items[i:len(items) - tail]), *items[len(items) - tail:]]
        else:
            parts = list(items)
        for elt, item in zip(target.elts, parts):
            self.assign(elt, item, scope)

    def assign_item(self, target: ast.Subscript, value: Any, scope: _Scope) -> None:
        if _is_globals_call(target.value):
            key = self.eval(target.slice, scope)
            if isinstance(key, str):
                self.bind(self.module, key, value)
            else:
                self.anonymous_globals.append(value)
                if isinstance(value, DagNode) and self.uncertain:
                    self.maybe_global_dags.append((value, self.uncertain[-1]))
            return
        container = self.eval(target.value, scope)
        key = self.eval(target.slice, scope)
        if self.uncertain:
            value = Unknown(f"set where {self.uncertain[-1]}")
        if isinstance(container, dict) and _is_hashable_plain(key):
            container[key] = value
        elif isinstance(container, dict):
            for k in list(container):
                container[k] = Unknown(f"dict updated with a key not known statically (line {target.lineno})")
            if isinstance(container, PartialDict):
                container.missing = Unknown(f"key not known statically (line {target.lineno})")
        elif isinstance(container, list) and isinstance(key, int) and -len(container) <= key < len(container):
            container[key] = value

    def assign_attribute(self, target: ast.Attribute, value: Any, scope: _Scope) -> None:
        owner = self.eval(target.value, scope)
        name = target.attr
        if self.uncertain and isinstance(owner, (DagNode, TaskNode)) and name in (
                "schedule_interval", "catchup", "start_date", "retries", "trigger_rule", "default_args"):
            value = Unknown(f"'{name}' set where {self.uncertain[-1]}")
        if isinstance(owner, DagNode):
            if name in ("schedule_interval", "schedule"):
                owner.schedule = value
            elif name == "catchup":
                owner.catchup = value
            elif name == "start_date":
                owner.start_date = value
            elif name == "default_args":
                owner.default_args = value
        elif isinstance(owner, TaskNode):
            if name == "retries":
                owner.retries = value
            elif name == "trigger_rule":
                owner.trigger_rule = value
            elif name == "dag" and isinstance(value, DagNode):
                self.attach(owner, value, target.lineno)

    # ---- expressions ----------------------------------------------------------------------------

    def eval(self, node: ast.expr | None, scope: _Scope) -> Any:
        if node is None:
            return None
        self.tick()
        handler = getattr(self, f"expr_{type(node).__name__}", None)
        if handler is None:
            return Unknown(f"{type(node).__name__} expression at line {getattr(node, 'lineno', '?')}")
        return handler(node, scope)

    def expr_Constant(self, node: ast.Constant, scope: _Scope) -> Any:
        return node.value

    def expr_Name(self, node: ast.Name, scope: _Scope) -> Any:
        found, value = scope.lookup(node.id)
        if found:
            return value
        if node.id in _SAFE_BUILTINS or hasattr(builtins, node.id):
            return Symbol(f"builtins.{node.id}")
        if self.star_imports:
            return Unknown(f"name '{node.id}' (line {node.lineno}) may come from "
                           f"'from {self.star_imports[-1]} import *'")
        return Unknown(f"name '{node.id}' is not defined at line {node.lineno}")

    def expr_Attribute(self, node: ast.Attribute, scope: _Scope) -> Any:
        return self.attribute(self.eval(node.value, scope), node.attr, node.lineno)

    def attribute(self, owner: Any, name: str, line: int) -> Any:
        if isinstance(owner, Symbol):
            if owner.qualname.endswith("TriggerRule"):
                return name.lower()
            return Symbol(f"{owner.qualname}.{name}", owner.line)
        if isinstance(owner, (Unknown, Relative)):
            return owner
        if isinstance(owner, DagNode):
            return {"dag_id": owner.dag_id, "default_args": owner.default_args,
                    "schedule_interval": owner.schedule, "catchup": owner.catchup,
                    "start_date": owner.start_date}.get(
                name, Unknown(f"attribute '{name}' of a DAG (line {line})"))
        if isinstance(owner, TaskNode):
            return {"task_id": owner.task_id, "dag": owner.dag, "retries": owner.retries,
                    "trigger_rule": owner.trigger_rule}.get(
                name, Unknown(f"attribute '{name}' of a task (line {line})"))
        if isinstance(owner, GroupNode) and name == "group_id":
            return owner.group_id
        if isinstance(owner, (Function, ClassValue)) and name in ("__name__", "__qualname__"):
            return owner.name
        if isinstance(owner, PathValue):
            pure = os.path.basename(owner.path)
            return {"name": pure, "stem": os.path.splitext(pure)[0], "suffix": os.path.splitext(pure)[1]}.get(
                name, Unknown(f"attribute '{name}' of a path (line {line})"))
        if isinstance(owner, (datetime, date, timedelta)) and name in (
                "year", "month", "day", "hour", "minute", "second", "days", "seconds", "tzinfo"):
            return getattr(owner, name)
        return Unknown(f"attribute '{name}' at line {line}")

    def expr_JoinedStr(self, node: ast.JoinedStr, scope: _Scope) -> Any:
        parts: list[str] = []
        for value in node.values:
            part = self.eval(value, scope)
            if not isinstance(part, str):
                return _unknown_of(part, f"f-string at line {node.lineno}")
            parts.append(part)
        return "".join(parts)

    def expr_FormattedValue(self, node: ast.FormattedValue, scope: _Scope) -> Any:
        value = self.concrete(self.eval(node.value, scope))
        spec = self.eval(node.format_spec, scope) if node.format_spec is not None else ""
        if not _is_plain(value) or not isinstance(spec, str):
            return _unknown_of(value, f"f-string at line {node.lineno}")
        try:
            if node.conversion == ord("r"):
                value = repr(value)
            elif node.conversion == ord("s"):
                value = str(value)
            elif node.conversion == ord("a"):
                value = ascii(value)
            return format(value, spec)
        except (ValueError, TypeError) as exc:
            return Unknown(f"f-string at line {node.lineno} fails: {exc}")

    def expr_List(self, node: ast.List, scope: _Scope) -> Any:
        return self.eval_items(node.elts, scope)

    def expr_Tuple(self, node: ast.Tuple, scope: _Scope) -> Any:
        items = self.eval_items(node.elts, scope)
        return tuple(items) if isinstance(items, list) else items

    def expr_Set(self, node: ast.Set, scope: _Scope) -> Any:
        items = self.eval_items(node.elts, scope)
        if isinstance(items, list) and all(_is_hashable_plain(i) for i in items):
            return set(items)
        return Unknown(f"set at line {node.lineno}")

    def eval_items(self, elts: list[ast.expr], scope: _Scope) -> list[Any] | Unknown:
        items: list[Any] = []
        for elt in elts:
            if isinstance(elt, ast.Starred):
                inner = self.iterate(self.eval(elt.value, scope))
                if inner is None:
                    return Unknown(f"*-unpacking at line {elt.lineno} of a value not known statically")
                items.extend(inner)
            else:
                items.append(self.eval(elt, scope))
        return items

    def expr_Dict(self, node: ast.Dict, scope: _Scope) -> Any:
        out: dict[Any, Any] = {}
        missing: Unknown | None = None
        for key_node, value_node in zip(node.keys, node.values):
            value = self.eval(value_node, scope)
            if key_node is None:  # {**other}
                value = self.concrete(value)
                if isinstance(value, dict):
                    out.update(value)
                    if _is_partial(value):
                        missing = value.missing
                else:
                    reason = _unknown_of(value, f"**-unpacking at line {node.lineno}")
                    for k in out:
                        out[k] = reason
                    missing = reason
                continue
            key = self.concrete(self.eval(key_node, scope))
            if not _is_hashable_plain(key):
                missing = _unknown_of(key, f"dict key at line {node.lineno}")
                continue
            out[key] = value
        return PartialDict(out, missing=missing)

    def expr_Subscript(self, node: ast.Subscript, scope: _Scope) -> Any:
        if _is_globals_call(node.value):
            key = self.eval(node.slice, scope)
            found, value = self.module.lookup(key) if isinstance(key, str) else (False, None)
            return value if found else Unknown(f"globals() lookup at line {node.lineno}")
        container = self.concrete(self.eval(node.value, scope))
        key = self.concrete(self.eval(node.slice, scope))
        return self.subscript(container, key, node.lineno)

    def subscript(self, container: Any, key: Any, line: int) -> Any:
        if _is_partial(container) and _is_hashable_plain(key) and key not in container:
            return container.missing
        if isinstance(container, (dict, list, tuple, str)) and (_is_hashable_plain(key) or isinstance(key, slice)):
            try:
                return container[key]
            except (KeyError, IndexError, TypeError) as exc:
                self.note(line, f"subscript raises {type(exc).__name__} ({exc}) at import time")
                return Unknown(f"subscript at line {line} raises {type(exc).__name__}")
        return _unknown_of(container if isinstance(container, Unknown) else key, f"subscript at line {line}")

    def expr_Slice(self, node: ast.Slice, scope: _Scope) -> Any:
        parts = [self.eval(p, scope) for p in (node.lower, node.upper, node.step)]
        if all(p is None or isinstance(p, int) for p in parts):
            return slice(*parts)
        return Unknown(f"slice at line {node.lineno}")

    def expr_BinOp(self, node: ast.BinOp, scope: _Scope) -> Any:
        left = self.eval(node.left, scope)
        right = self.eval(node.right, scope)
        return self.binop(node.op, left, right, node.lineno)

    def binop(self, op: ast.operator, left: Any, right: Any, line: int) -> Any:
        if isinstance(op, (ast.RShift, ast.LShift)) and (_is_relative(left) or _is_relative(right)):
            return self.shift(left, right, downstream=isinstance(op, ast.RShift), line=line)
        left, right = self.concrete(left), self.concrete(right)
        if isinstance(op, (ast.RShift, ast.LShift)) and (isinstance(left, Unknown) or isinstance(right, Unknown)):
            unknown = left if isinstance(left, Unknown) else right
            self.taint([], ("edges",), line, f"dependency between values not known statically: {unknown.reason}")
            return unknown
        if isinstance(left, Relative) or isinstance(right, Relative):
            return left if isinstance(left, Relative) else right
        if isinstance(op, ast.Add) and isinstance(left, (list, tuple)) and type(left) is type(right):
            return left + right
        if isinstance(op, ast.Mod) and isinstance(left, str):
            if _is_plain(right):
                return _safe_apply(lambda: left % right, f"%-formatting at line {line}")
            return _unknown_of(right, f"%-formatting at line {line}")
        if not (_is_plain(left) and _is_plain(right)):
            return _unknown_of(left if not _is_plain(left) else right, f"expression at line {line}")
        if isinstance(op, ast.Mult) and any(isinstance(v, (str, list, tuple)) for v in (left, right)) \
                and max(_size(left), _size(right)) > 100_000:
            return Unknown(f"repetition too large at line {line}")
        if isinstance(op, ast.Pow) and isinstance(right, int) and abs(right) > 1000:
            return Unknown(f"power too large at line {line}")
        return _safe_apply(lambda: _BINOPS[type(op)](left, right), f"expression at line {line}")

    def expr_UnaryOp(self, node: ast.UnaryOp, scope: _Scope) -> Any:
        value = self.concrete(self.eval(node.operand, scope))
        if isinstance(node.op, ast.Not):
            truth = self.truth(value)
            return Unknown(f"condition at line {node.lineno}: {_reason(value)}") if truth is None else not truth
        if not _is_plain(value):
            return _unknown_of(value, f"expression at line {node.lineno}")
        ops = {ast.USub: lambda v: -v, ast.UAdd: lambda v: +v, ast.Invert: lambda v: ~v}
        return _safe_apply(lambda: ops[type(node.op)](value), f"expression at line {node.lineno}")

    def expr_BoolOp(self, node: ast.BoolOp, scope: _Scope) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = None
        for operand in node.values:
            value = self.eval(operand, scope)
            truth = self.truth(value)
            if truth is None:
                return _unknown_of(value, f"condition at line {node.lineno}")
            if truth is not is_and:
                return value
        return value

    def expr_Compare(self, node: ast.Compare, scope: _Scope) -> Any:
        left = self.concrete(self.eval(node.left, scope))
        for op, right_node in zip(node.ops, node.comparators):
            right = self.concrete(self.eval(right_node, scope))
            if isinstance(op, (ast.Is, ast.IsNot)) and (left is None or right is None) and not (
                    isinstance(left, Unknown) or isinstance(right, Unknown)):
                outcome = (left is right) if isinstance(op, ast.Is) else (left is not right)
            elif _is_plain(left) and _is_plain(right):
                outcome = _safe_apply(lambda op=op, a=left, b=right: _COMPARES[type(op)](a, b),
                                      f"comparison at line {node.lineno}")
                if isinstance(outcome, Unknown):
                    return outcome
            else:
                return _unknown_of(left if not _is_plain(left) else right, f"comparison at line {node.lineno}")
            if not outcome:
                return False
            left = right
        return True

    def expr_IfExp(self, node: ast.IfExp, scope: _Scope) -> Any:
        test = self.eval(node.test, scope)
        truth = self.truth(test)
        if truth is None:
            return _unknown_of(test, f"conditional expression at line {node.lineno}")
        return self.eval(node.body if truth else node.orelse, scope)

    def expr_Lambda(self, node: ast.Lambda, scope: _Scope) -> Any:
        defaults = [self.eval(d, scope) for d in node.args.defaults]
        kw_defaults = [None if d is None else self.eval(d, scope) for d in node.args.kw_defaults]
        return Function("<lambda>", node, scope, defaults, kw_defaults)

    def expr_NamedExpr(self, node: ast.NamedExpr, scope: _Scope) -> Any:
        value = self.eval(node.value, scope)
        self.assign(node.target, value, scope)
        return value

    def expr_ListComp(self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp, scope: _Scope) -> Any:
        results = self.comprehension(node.generators, scope, lambda s: self.eval(node.elt, s), node.lineno)
        if isinstance(results, Unknown) or isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            return results
        return set(results) if all(_is_hashable_plain(r) for r in results) else Unknown(
            f"set comprehension at line {node.lineno}")

    expr_GeneratorExp = expr_ListComp
    expr_SetComp = expr_ListComp

    def expr_DictComp(self, node: ast.DictComp, scope: _Scope) -> Any:
        pairs = self.comprehension(
            node.generators, scope, lambda s: (self.concrete(self.eval(node.key, s)), self.eval(node.value, s)),
            node.lineno)
        if isinstance(pairs, Unknown):
            return pairs
        if not all(_is_hashable_plain(k) for k, _ in pairs):
            return Unknown(f"dict comprehension at line {node.lineno} with keys not known statically")
        return PartialDict(pairs)

    def comprehension(self, generators: list[ast.comprehension], scope: _Scope, element: Any,
                      line: int) -> list[Any] | Unknown:
        inner = _Scope(scope)
        inner.global_names = scope.global_names if scope is self.module else set()
        results: list[Any] = []
        unknown: Unknown | None = None

        def run(index: int) -> None:
            nonlocal unknown
            if index == len(generators):
                results.append(element(inner))
                return
            gen = generators[index]
            iterable = self.eval(gen.iter, inner)
            items = self.iterate(iterable)
            if items is None:
                why = f"comprehension at line {line} is over a value only known at run time ({_reason(iterable)})"
                unknown = Unknown(why)
                for rest in generators[index:]:
                    self.assign(rest.target, unknown, inner)
                self.uncertain.append(why)
                try:
                    element(inner)  # so that tasks created in it are seen (as uncertain)
                finally:
                    self.uncertain.pop()
                return
            for item in items:
                self.assign(gen.target, item, inner)
                conditions = [self.truth(self.eval(c, inner)) for c in gen.ifs]
                if any(c is None for c in conditions):
                    why = f"comprehension filter at line {line} is only known at run time"
                    unknown = Unknown(why)
                    self.uncertain.append(why)
                    try:
                        run(index + 1)
                    finally:
                        self.uncertain.pop()
                    continue
                if all(conditions):
                    run(index + 1)

        run(0)
        return unknown if unknown is not None else results

    # ---- calls ----------------------------------------------------------------------------------

    def expr_Call(self, node: ast.Call, scope: _Scope) -> Any:
        args = self.eval_items(node.args, scope)
        kwargs: dict[str, Any] = {}
        extra: Unknown | None = None
        for keyword in node.keywords:
            value = self.eval(keyword.value, scope)
            if keyword.arg is not None:
                kwargs[keyword.arg] = value
                continue
            value = self.concrete(value)
            if isinstance(value, dict):
                kwargs.update({k: v for k, v in value.items() if isinstance(k, str)})
                if _is_partial(value):
                    extra = value.missing
            else:
                extra = _unknown_of(value, f"**-unpacking at line {node.lineno}")
        if isinstance(args, Unknown):
            self.taint_arguments([kwargs], node.lineno, args.reason)
            args_known: list[Any] | None = None
        else:
            args_known = args
        if isinstance(node.func, ast.Attribute):
            owner = self.eval(node.func.value, scope)
            if isinstance(owner, Symbol) and owner.qualname in _CONSTANTS:
                owner = _CONSTANTS[owner.qualname]
            if not isinstance(owner, Symbol):
                return self.call_method(owner, node.func.attr, args_known, kwargs, extra, node.lineno)
            func: Any = Symbol(f"{owner.qualname}.{node.func.attr}", owner.line)
            if owner.qualname.endswith("TriggerRule"):
                func = Unknown(f"TriggerRule.{node.func.attr}(...) at line {node.lineno}")
        else:
            func = self.eval(node.func, scope)
        return self.call(func, args_known, kwargs, extra, node.lineno)

    def call(self, func: Any, args: list[Any] | None, kwargs: dict[str, Any], extra: Unknown | None,
             line: int) -> Any:
        if isinstance(func, Function):
            if args is None or extra is not None:
                # run it anyway, with unknown arguments, so that what it creates is seen (as not certain)
                why = f"'{func.name}' is called at line {line} with arguments not known statically"
                self.uncertain.append(why)
                try:
                    self.call_function(func, None, kwargs, line)
                finally:
                    self.uncertain.pop()
                return Unknown(why)
            return self.call_function(func, args, kwargs, line)
        if isinstance(func, ClassValue):
            if func.is_operator or "task_id" in kwargs:
                return self.create_task(func.name, args, kwargs, extra, line)
            return Unknown(f"instance of class '{func.name}' (line {line})")
        if isinstance(func, Symbol):
            return self.call_symbol(func, args, kwargs, extra, line)
        if isinstance(func, Unknown) and "task_id" in kwargs:
            return self.create_task("<unknown callable>", args, kwargs, extra, line)
        self.taint_arguments([args or [], kwargs], line, f"{_reason(func)}: called with DAG objects")
        return _unknown_of(func, f"call at line {line}")

    def call_function(self, func: Function, args: list[Any] | None, kwargs: dict[str, Any], line: int) -> Any:
        """Run a function of this file with its arguments bound (``args=None``: all unknown)."""
        if self.depth >= MAX_CALL_DEPTH:
            self.note(line, f"call of '{func.name}' nested too deep to evaluate")
            self.taint_arguments([args, kwargs], line, f"call of '{func.name}' not evaluated")
            return Unknown(f"call of '{func.name}' nested too deep (line {line})")
        scope = _Scope(func.scope)
        if args is None:
            spec = func.node.args
            for param in [*spec.posonlyargs, *spec.args, *spec.kwonlyargs, spec.vararg, spec.kwarg]:
                if param is not None:
                    scope.vars[param.arg] = Unknown(f"argument '{param.arg}' of '{func.name}' at line {line}")
        else:
            self.bind_arguments(func, scope, args, kwargs, line)
        if isinstance(func.node, ast.Lambda):
            self.depth += 1
            try:
                return self.eval(func.node.body, scope)
            finally:
                self.depth -= 1
        self.depth += 1
        outer_diverged, self.diverged = self.diverged, None
        outer_bases = (self.func_base, self.loop_base)
        self.func_base = self.loop_base = len(self.uncertain)
        stack_depth = (len(self.dag_stack), len(self.group_stack))
        try:
            self.exec_block(func.node.body, scope)
            result: Any = None
        except _Return as ret:
            result = ret.value
        except _StopBranch:
            result = Unknown(f"'{func.name}' returns under a condition only known at run time (line {line})")
        finally:
            self.depth -= 1
            self.func_base, self.loop_base = outer_bases
            diverged, self.diverged = self.diverged, outer_diverged
            del self.dag_stack[stack_depth[0]:]
            del self.group_stack[stack_depth[1]:]
        if diverged == "return":
            return Unknown(f"'{func.name}' returns under a condition only known at run time (line {line})")
        return result

    def bind_arguments(self, func: Function, scope: _Scope, args: list[Any], kwargs: dict[str, Any],
                       line: int) -> None:
        spec = func.node.args
        positional = [*spec.posonlyargs, *spec.args]
        kwargs = dict(kwargs)
        first_default = len(positional) - len(func.defaults)
        for index, param in enumerate(positional):
            if index < len(args):
                value = args[index]
            elif param.arg in kwargs:
                value = kwargs.pop(param.arg)
            elif index >= first_default:
                value = func.defaults[index - first_default]
            else:
                value = Unknown(f"argument '{param.arg}' of '{func.name}' missing at line {line}")
            scope.vars[param.arg] = value
        if spec.vararg is not None:
            scope.vars[spec.vararg.arg] = tuple(args[len(positional):])
        for param, default in zip(spec.kwonlyargs, func.kw_defaults):
            scope.vars[param.arg] = kwargs.pop(param.arg) if param.arg in kwargs else (
                default if default is not None else Unknown(f"argument '{param.arg}' missing at line {line}"))
        if spec.kwarg is not None:
            scope.vars[spec.kwarg.arg] = kwargs

    def call_symbol(self, func: Symbol, args: list[Any] | None, kwargs: dict[str, Any], extra: Unknown | None,
                    line: int) -> Any:
        name = func.qualname
        if name in _DAG_CLASSES:
            self.evaluated_dag_lines.add(line)
            return self.create_dag(args, kwargs, extra, line)
        if name in _TASK_GROUP_CLASSES:
            return self.create_group(args, kwargs, extra, line)
        if name in _CHAIN:
            self.chain(args, line)
            return None
        if name in _CROSS:
            self.cross_downstream(args, kwargs, line)
            return None
        if name in _RELATIVE_CALLS:
            return Relative(f"{name.rsplit('.', 1)[-1]}() at line {line}")
        if name.startswith("builtins."):
            return self.call_builtin(name[len("builtins."):], args, kwargs, line)
        if _looks_like_operator(name) or "task_id" in kwargs:
            return self.create_task(name.rsplit(".", 1)[-1], args, kwargs, extra, line)
        handler = _SYMBOL_CALLS.get(name)
        if handler is not None and args is not None and extra is None:
            plain_args = [self.concrete(a) for a in args]
            plain_kwargs = {k: self.concrete(v) for k, v in kwargs.items()}
            values = [*plain_args, *plain_kwargs.values()]
            relative = next((v for v in values if isinstance(v, Relative)), None)
            if relative is not None:  # depends on the parse time, whatever else it depends on
                return relative
            unknown = next((v for v in values if isinstance(v, Unknown)), None)
            if unknown is not None:
                return unknown
            return _safe_apply(lambda: handler(*plain_args, **plain_kwargs), f"{name}(...) at line {line}")
        self.taint_arguments([args or [], kwargs], line,
                             f"'{name}' (defined outside this file) is called with DAG objects and may add "
                             "tasks or dependencies")
        if name.endswith("Variable.get"):
            return Unknown(f"Airflow Variable read at line {line}")
        return Unknown(f"result of '{name}(...)' at line {line}")

    def call_builtin(self, name: str, args: list[Any] | None, kwargs: dict[str, Any], line: int) -> Any:
        if args is None:
            return Unknown(f"{name}(...) at line {line} with arguments not known statically")
        if name == "globals":
            return Unknown(f"globals() at line {line}")
        if name == "print":
            return None
        if name == "range":
            plain = [self.concrete(a) for a in args]
            if all(isinstance(a, int) for a in plain) and plain:
                r = range(*plain)
                return list(r) if len(r) <= MAX_LOOP_ITERATIONS else Unknown(f"range at line {line} is too long")
            return _unknown_of(next((a for a in plain if not isinstance(a, int)), None), f"range at line {line}")
        if name in ("list", "tuple", "reversed", "enumerate", "zip", "len", "sorted", "dict", "set", "frozenset"):
            return self.call_container_builtin(name, args, kwargs, line)
        plain = [self.concrete(a) for a in args]
        plain_kwargs = {k: self.concrete(v) for k, v in kwargs.items()}
        if name in _SAFE_BUILTINS and all(_is_plain(a) for a in [*plain, *plain_kwargs.values()]):
            return _safe_apply(lambda: getattr(builtins, name)(*plain, **plain_kwargs), f"{name}() at line {line}")
        return _unknown_of(next((a for a in plain if not _is_plain(a)), None), f"{name}() at line {line}")

    def call_container_builtin(self, name: str, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
        if name == "dict":
            out: dict[Any, Any] = {}
            missing: Unknown | None = None
            if args:
                base = self.concrete(args[0])
                if isinstance(base, dict):
                    out.update(base)
                    missing = base.missing if _is_partial(base) else None
                else:
                    items = self.iterate(base)
                    if items is None or not all(isinstance(i, (list, tuple)) and len(i) == 2 for i in items):
                        return _unknown_of(base, f"dict() at line {line}")
                    out.update(dict(items))
            out.update(kwargs)
            return PartialDict(out, missing=missing)
        sequences = [self.iterate(a) for a in args]
        if any(s is None for s in sequences):
            bad = next(a for a, s in zip(args, sequences) if s is None)
            return _unknown_of(bad, f"{name}() at line {line}")
        if name == "len":
            return len(sequences[0]) if sequences else Unknown(f"len() at line {line}")
        if name == "list":
            return list(sequences[0]) if sequences else []
        if name == "tuple":
            return tuple(sequences[0]) if sequences else ()
        if name == "reversed":
            return list(reversed(sequences[0]))
        if name == "enumerate":
            start = kwargs.get("start", args[1] if len(args) > 1 else 0)
            return [(i + start, v) for i, v in enumerate(sequences[0])] if isinstance(start, int) else Unknown(
                f"enumerate() at line {line}")
        if name == "zip":
            return [tuple(t) for t in zip(*sequences)]
        if all(_is_hashable_plain(i) or _is_plain(i) for s in sequences for i in s):
            fn = {"sorted": sorted, "set": set, "frozenset": frozenset}[name]
            plain_kwargs = {k: v for k, v in kwargs.items() if k == "reverse"}
            return _safe_apply(lambda: fn(sequences[0], **plain_kwargs), f"{name}() at line {line}")
        return Unknown(f"{name}() at line {line} over values not known statically")

    def call_method(self, owner: Any, name: str, args: list[Any] | None, kwargs: dict[str, Any],
                    extra: Unknown | None, line: int) -> Any:
        if args is None:
            why = f"method '{name}' at line {line} is called with arguments not known statically"
            self.taint_arguments([owner, kwargs], line, why)
            return Unknown(why)
        if isinstance(owner, Unknown) and name in ("set_downstream", "set_upstream"):
            self.taint([], ("edges",), line, f"dependency between values not known statically: {owner.reason}")
            return None
        if isinstance(owner, (TaskNode, GroupNode)) and name in ("set_downstream", "set_upstream"):
            target = args[0] if args else kwargs.get("task_or_task_list")
            if name == "set_downstream":
                self.relate(owner, target, line)
            else:
                self.relate(target, owner, line)
            return None
        if isinstance(owner, DagNode):
            return self.dag_method(owner, name, args, kwargs, line)
        if _is_partial(owner) and name in ("get", "setdefault", "pop") and args:
            key = self.concrete(args[0])
            if _is_hashable_plain(key) and key not in owner:
                return owner.missing
        if isinstance(owner, dict):
            return self.dict_method(owner, name, args, kwargs, line)
        if isinstance(owner, list):
            return self.list_method(owner, name, args, line)
        if isinstance(owner, str) and name in _STR_METHODS:
            plain = [self.concrete(a) for a in args]
            plain_kwargs = {k: self.concrete(v) for k, v in kwargs.items()}
            values = [*plain, *plain_kwargs.values()]
            if name == "join" and plain and isinstance(plain[0], (list, tuple)):
                values = list(plain[0])
            if not all(_is_plain(v) for v in values):
                return _unknown_of(next(v for v in values if not _is_plain(v)), f"str.{name}() at line {line}")
            return _safe_apply(lambda: getattr(owner, name)(*plain, **plain_kwargs), f"str.{name}() at line {line}")
        if isinstance(owner, (datetime, date, timedelta)) and name in _DATETIME_METHODS:
            plain = [self.concrete(a) for a in args]
            plain_kwargs = {k: self.concrete(v) for k, v in kwargs.items()}
            if all(_is_plain(v) or _is_tz(v) for v in [*plain, *plain_kwargs.values()]):
                return _safe_apply(lambda: getattr(owner, name)(*plain, **plain_kwargs), f"{name}() at line {line}")
        if isinstance(owner, Relative):
            return owner
        self.taint_arguments([args, kwargs], line, f"method '{name}' of {_describe(owner)} at line {line} is "
                                                   "called with DAG objects and may add tasks or dependencies")
        return _unknown_of(owner, f"method '{name}' at line {line}")

    def dag_method(self, dag: DagNode, name: str, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
        if name in ("add_task", "add_tasks"):
            for task in self.flatten(args[0] if args else kwargs.get("task") or kwargs.get("tasks")):
                if isinstance(task, TaskNode):
                    self.attach(task, dag, line)
                else:
                    self.taint([dag], ("task_ids",), line, f"task added at line {line} is not known statically")
            return None
        if name == "set_dependency" and len(args) == 2:
            by_id = {t.task_id: t for t in dag.tasks if isinstance(t.task_id, str)}
            up, down = (self.concrete(a) for a in args)
            if isinstance(up, str) and isinstance(down, str) and up in by_id and down in by_id:
                self.relate(by_id[up], by_id[down], line)
            else:
                self.taint([dag], ("edges",), line, f"dependency at line {line} between tasks not known statically")
            return None
        if name in ("cli", "test", "run", "clear"):
            return None
        if name == "get_task" and args and isinstance(args[0], str):
            by_id = {t.task_id: t for t in dag.tasks if isinstance(t.task_id, str)}
            return by_id.get(args[0], Unknown(f"get_task('{args[0]}') at line {line}"))
        return Unknown(f"DAG method '{name}' at line {line}")

    def dict_method(self, owner: dict, name: str, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
        if name == "copy":
            return PartialDict(owner, missing=getattr(owner, "missing", None))
        if name == "get":
            key = self.concrete(args[0]) if args else None
            return owner.get(key, args[1] if len(args) > 1 else None) if _is_hashable_plain(key) else Unknown(
                f"dict.get at line {line}")
        if name in ("keys", "values", "items"):
            if _is_partial(owner):
                return owner.missing
            return list(getattr(owner, name)())
        if name == "update":
            if self.uncertain:
                unknown = Unknown(f"set where {self.uncertain[-1]}")
                for k in _keys_of(args, kwargs):
                    owner[k] = unknown
                if any(not isinstance(self.concrete(a), dict) or _is_partial(a) for a in args) and isinstance(
                        owner, PartialDict):
                    owner.missing = unknown
                return None
            for source in args:
                source = self.concrete(source)
                if isinstance(source, dict):
                    owner.update(source)
                    if _is_partial(source) and isinstance(owner, PartialDict) and owner.missing is None:
                        owner.missing = source.missing
                else:
                    unknown = _unknown_of(source, f"dict.update at line {line}")
                    for k in list(owner):
                        owner[k] = unknown
                    if isinstance(owner, PartialDict):
                        owner.missing = unknown
            owner.update(kwargs)
            return None
        if name == "setdefault" and args and _is_hashable_plain(self.concrete(args[0])):
            key = self.concrete(args[0])
            if self.uncertain and key not in owner:
                owner[key] = Unknown(f"set where {self.uncertain[-1]}")
            return owner.setdefault(key, args[1] if len(args) > 1 else None)
        if name == "pop" and args and _is_hashable_plain(self.concrete(args[0])):
            key = self.concrete(args[0])
            if self.uncertain:
                if key in owner:
                    owner[key] = Unknown(f"removed where {self.uncertain[-1]}")
                return Unknown(f"dict.pop at line {line}")
            return owner.pop(key, *(args[1:2]))
        return Unknown(f"dict.{name} at line {line}")

    def list_method(self, owner: list, name: str, args: list[Any], line: int) -> Any:
        if name in ("append", "extend", "insert"):
            values = args[-1:] if name != "extend" else (self.iterate(args[0]) if args else [])
            if values is None or self.uncertain:
                why = self.uncertain[-1] if self.uncertain else f"extend at line {line} with unknown items"
                owner.append(Unknown(f"list item added where {why}"))
                return None
            if name == "insert" and len(args) == 2 and isinstance(args[0], int):
                owner.insert(args[0], args[1])
            else:
                owner.extend(values)
            return None
        if name == "copy":
            return list(owner)
        if name in ("index", "count") and all(_is_plain(v) for v in [*owner, *args]):
            return _safe_apply(lambda: getattr(owner, name)(*args), f"list.{name} at line {line}")
        if name == "pop" and not self.uncertain and owner:
            return owner.pop(*(a for a in args if isinstance(a, int)))
        return Unknown(f"list.{name} at line {line}")

    def taint_arguments(self, values: list[Any], line: int, why: str) -> None:
        """Values passed to code we cannot follow: if DAG objects are among them, their DAGs are incomplete."""
        dags = {id(d): d for d in _dags_in(values)}
        if dags:
            self.taint(dags.values(), ("task_ids", "edges"), line, why)

    # ---- Airflow objects -----------------------------------------------------------------------

    def create_dag(self, args: list[Any] | None, kwargs: dict[str, Any], extra: Unknown | None,
                   line: int) -> DagNode:
        if args is None:
            extra = Unknown(f"DAG arguments at line {line} are *-unpacked from a value not known statically")
            args = []
        kwargs = {**dict(zip(_DAG_POSITIONAL_1_10, args)), **kwargs}

        def arg(name: str, default: Any) -> Any:
            if name in kwargs:
                return kwargs[name]
            return extra if extra is not None else default

        dag_id = self.concrete(arg("dag_id", Unknown(f"DAG at line {line} has no dag_id")))
        default_args = self.concrete(arg("default_args", {}))
        if default_args is None:
            default_args = {}
        if isinstance(default_args, dict):
            default_args = _copy_value(default_args)
            if "catchup" in default_args:
                self.note(line, "'catchup' in default_args has no effect on the DAG (it is a DAG argument)")
        elif not isinstance(default_args, Unknown):
            default_args = Unknown(f"default_args at line {line} is not a dict")
        schedule: Any = _NOT_SET
        for key in ("schedule_interval", "schedule", "timetable"):
            if key in kwargs:
                schedule = kwargs[key]
        if schedule is _NOT_SET:
            schedule = extra if extra is not None else timedelta(days=1)
        start = arg("start_date", None)
        if start is None:
            start = _lookup(default_args, "start_date", None)
        dag = DagNode(
            dag_id=dag_id if isinstance(dag_id, str) else _unknown_of(dag_id, f"dag id at line {line}"),
            line=line,
            schedule=self.concrete(schedule),
            catchup=self.concrete(arg("catchup", True)),
            start_date=self.concrete(start),
            default_args=default_args,
            uncertain=self.why_uncertain(),
        )
        if not isinstance(dag.dag_id, str):
            self.note(line, f"dag id not known statically: {_reason(dag.dag_id)}")
        for what, value in (("schedule", dag.schedule), ("catchup", dag.catchup), ("start_date", dag.start_date)):
            if isinstance(value, (Unknown, Symbol)):
                self.note(line, f"DAG {self.describe_id(dag.dag_id)}: {what} not known statically: {_reason(value)}")
        if isinstance(dag.start_date, Relative):
            self.note(line, f"DAG {self.describe_id(dag.dag_id)}: start_date depends on the parse time "
                            f"({dag.start_date.reason})")
        if isinstance(default_args, Unknown):
            self.note(line, f"DAG {self.describe_id(dag.dag_id)}: default_args not known statically: "
                            f"{default_args.reason}")
        elif _is_partial(default_args):
            self.note(line, f"DAG {self.describe_id(dag.dag_id)}: default_args only partly known: "
                            f"{default_args.missing.reason}")
        if isinstance(default_args, dict):
            for key, value in default_args.items():
                if isinstance(key, str) and key != "params" and _arg_json(value) == UNKNOWN and not isinstance(
                        value, str):
                    self.note(line, f"DAG {self.describe_id(dag.dag_id)}: default_args '{key}' not known "
                                    f"statically: {_reason(value)}")
        if dag.uncertain:
            self.note(line, f"DAG {self.describe_id(dag.dag_id)} is created where {dag.uncertain}")
        self.dags.append(dag)
        return dag

    def create_group(self, args: list[Any] | None, kwargs: dict[str, Any], extra: Unknown | None,
                     line: int) -> Any:
        label = self.concrete((args or [None])[0] if args else kwargs.get("group_id"))
        dag = kwargs.get("dag") or (self.dag_stack[-1] if self.dag_stack else None)
        parent = kwargs.get("parent_group") or self.current_group(dag if isinstance(dag, DagNode) else None)
        if isinstance(parent, GroupNode) and dag is None:
            dag = parent.dag
        prefix = kwargs.get("prefix_group_id", True)
        own_args = self.concrete(kwargs.get("default_args") or {})
        if not isinstance(label, str) or not isinstance(dag, DagNode) or not isinstance(prefix, bool) or (
                parent is not None and not isinstance(parent, GroupNode)) or extra is not None:
            self.taint([dag] if isinstance(dag, DagNode) else [], ("task_ids", "edges"), line,
                       f"TaskGroup at line {line} not known statically")
            return Unknown(f"TaskGroup at line {line}")
        merged = {**(parent.default_args if parent else {}), **(own_args if isinstance(own_args, dict) else {})}
        group = GroupNode(label=label, prefix_group_id=prefix, parent=parent, dag=dag, default_args=merged)
        if parent is not None:
            parent.children.append(group)
        if self.uncertain:
            self.taint([dag], ("task_ids", "edges"), line, f"TaskGroup created where {self.uncertain[-1]}")
        else:
            dag.groups.append(group)
        return group

    def current_group(self, dag: DagNode | None) -> GroupNode | None:
        for group in reversed(self.group_stack):
            if group.dag is dag:
                return group
        return None

    def create_task(self, kind: str, args: list[Any] | None, kwargs: dict[str, Any], extra: Unknown | None,
                    line: int) -> TaskNode:
        raw_id = self.concrete(kwargs.get("task_id", extra if extra is not None else _NOT_SET))
        if raw_id is _NOT_SET:
            raw_id = Unknown(f"{kind} at line {line} has no task_id keyword"
                             + (" (passed positionally?)" if args else ""))
        dag = self.concrete(kwargs["dag"]) if "dag" in kwargs else (
            extra if extra is not None else (self.dag_stack[-1] if self.dag_stack else None))
        group = kwargs.get("task_group") or self.current_group(dag if isinstance(dag, DagNode) else None)
        if isinstance(group, GroupNode) and dag is None:
            dag = group.dag
        if not isinstance(group, (GroupNode, type(None))):
            raw_id = Unknown(f"task group of task at line {line} not known statically")
            group = None
        task_id = group.child_id(raw_id) if isinstance(group, GroupNode) and isinstance(raw_id, str) else raw_id
        merged = self.merged_defaults(dag, group, kwargs.get("default_args"), line)
        retries = _effective(kwargs, "retries", merged, extra, 0)
        trigger_rule = _effective(kwargs, "trigger_rule", merged, extra, "all_success")
        task = TaskNode(task_id=task_id, line=line, dag=None, retries=self.concrete(retries),
                        trigger_rule=self.concrete(trigger_rule), uncertain=self.why_uncertain())
        if "subdag" in kwargs:
            subdag = self.concrete(kwargs["subdag"])
            if isinstance(subdag, DagNode):
                subdag.is_subdag = True
                task.subdag = subdag
            else:
                task.subdag = _unknown_of(subdag, f"subdag at line {line}")
                self.note(line, f"subdag of task {self.describe_id(task_id)} not known statically: "
                                f"{_reason(subdag)}")
        if isinstance(group, GroupNode):
            group.children.append(task)
        if isinstance(dag, DagNode):
            self.attach(task, dag, line)
        elif isinstance(dag, Unknown):
            self.taint([], ("task_ids", "edges"), line,
                       f"task {self.describe_id(task_id)}: its DAG is not known statically: {dag.reason}")
        return task

    def merged_defaults(self, dag: Any, group: Any, own: Any, line: int) -> Any:
        """The default_args a task created now sees: its DAG's, its group's, then its own."""
        base = dag.default_args if isinstance(dag, DagNode) else {}
        own = self.concrete(own) if own is not None else {}
        if isinstance(base, Unknown) or isinstance(own, Unknown) or not isinstance(own, dict):
            return _unknown_of(base if isinstance(base, Unknown) else own, f"default_args at line {line}")
        merged = PartialDict(base, missing=getattr(base, "missing", None))
        if isinstance(group, GroupNode):
            merged.update(group.default_args)
        merged.update(own)
        if _is_partial(own) and merged.missing is None:
            merged.missing = own.missing
        return merged

    def attach(self, task: TaskNode, dag: DagNode, line: int) -> None:
        """Airflow's ``dag.add_task``: a task joins one DAG; its id must be unique there."""
        if task.dag is dag:
            return
        if task.dag is not None:
            self.note(line, f"task {self.describe_id(task.task_id)} is moved to another DAG")
            task.dag.tasks.remove(task)
        task.dag = dag
        dag.tasks.append(task)
        if task.uncertain:
            self.taint([dag], ("task_ids", "edges"), task.line,
                       f"task {self.describe_id(task.task_id)} is created where {task.uncertain}")
            return
        if not isinstance(task.task_id, str):
            self.taint([dag], ("task_ids", "edges"), task.line,
                       f"task id not known statically: {_reason(task.task_id)}")
            return
        if any(t is not task and t.task_id == task.task_id and not t.uncertain for t in dag.tasks):
            # 1.10 warns and keeps the first task; dependencies set on the second refer to it by id
            self.taint([dag], ("edges",), task.line,
                       f"task id '{task.task_id}' is used twice in DAG {self.describe_id(dag.dag_id)} "
                       "(Airflow 1.10 keeps the first; Airflow 2 raises DuplicateTaskIdFound)")
            dag.tasks.remove(task)
            return
        for what, value in (("retries", task.retries), ("trigger_rule", task.trigger_rule)):
            if not isinstance(value, (int, str)) or value == UNKNOWN:
                self.note(task.line, f"task '{task.task_id}': {what} not known statically: {_reason(value)}")

    # ---- dependencies ---------------------------------------------------------------------------

    def shift(self, left: Any, right: Any, downstream: bool, line: int) -> Any:
        """``left >> right`` / ``left << right``: returns ``right``, as Airflow's operators do."""
        left, right = self.concrete(left), self.concrete(right)
        if isinstance(left, DagNode) or isinstance(right, DagNode):  # 1.10: `dag >> task` attaches the task
            dag, other = (left, right) if isinstance(left, DagNode) else (right, left)
            for task in self.flatten(other):
                if isinstance(task, TaskNode) and task.dag is None:
                    if self.uncertain:
                        self.taint([dag], ("task_ids", "edges"), line, f"task added where {self.uncertain[-1]}")
                    else:
                        self.attach(task, dag, line)
            return right
        if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
            self.note(line, "a list shifted into a list raises TypeError at import time")
            return Unknown(f"list >> list at line {line}")
        if downstream:
            self.relate(left, right, line)
        else:
            self.relate(right, left, line)
        return right

    def flatten(self, value: Any) -> list[Any]:
        value = self.concrete(value)
        if isinstance(value, (list, tuple, set)):
            return [self.concrete(v) for v in value]
        return [value]

    def ends(self, value: Any, leaves: bool) -> tuple[list[TaskNode], list[Any]]:
        """Tasks at the upstream (leaves) or downstream (roots) end of a dependency operand, and unknowns."""
        tasks: list[TaskNode] = []
        unknown: list[Any] = []
        for item in self.flatten(value):
            if isinstance(item, TaskNode):
                tasks.append(item)
            elif isinstance(item, GroupNode):
                members = [t for t in item.tasks() if t.dag is not None]
                if any(t.uncertain or not isinstance(t.task_id, str) for t in members):
                    unknown.append(Unknown(f"TaskGroup '{item.group_id}' holds tasks not known statically"))
                ids = {id(t) for t in members}
                for task in members:
                    neighbours = task.downstream if leaves else task.upstream
                    if not any(id(n) in ids for n in neighbours):
                        tasks.append(task)
            else:
                unknown.append(item)
        return tasks, unknown

    def relate(self, up: Any, down: Any, line: int) -> None:
        ups, unknown_up = self.ends(up, leaves=True)
        downs, unknown_down = self.ends(down, leaves=False)
        involved = [t.dag for t in [*ups, *downs] if t.dag is not None]
        if unknown_up or unknown_down:
            why = _reason((unknown_up or unknown_down)[0])
            self.taint(involved, ("edges",), line, f"dependency with a task not known statically: {why}")
        if self.uncertain:
            if ups and downs:
                # a task without a DAG would join one here: that DAG's tasks are not all known either
                joined = any(t.dag is None for t in [*ups, *downs])
                parts = ("task_ids", "edges") if joined else ("edges",)
                self.taint(involved, parts, line, f"dependency set where {self.uncertain[-1]}")
            return
        for u in ups:
            for d in downs:
                self.join_dag(u, d, line)
                if u.uncertain or d.uncertain or not isinstance(u.task_id, str) or not isinstance(d.task_id, str):
                    self.taint([u.dag, d.dag], ("edges",), line,
                               "dependency with a task whose id or existence is not known statically")
                if d not in u.downstream:
                    u.downstream.append(d)
                    d.upstream.append(u)

    def join_dag(self, up: TaskNode, down: TaskNode, line: int) -> None:
        """Airflow assigns a task without a DAG to the DAG of the task it is linked with."""
        if up.dag is None and down.dag is not None:
            self.attach(up, down.dag, line)
        elif down.dag is None and up.dag is not None:
            self.attach(down, up.dag, line)
        elif up.dag is None and down.dag is None:
            self.note(line, "dependency between tasks without a DAG (Airflow raises at import time)")
        elif up.dag is not down.dag:
            self.note(line, "dependency between tasks of two DAGs (Airflow raises at import time)")

    def chain(self, args: list[Any] | None, line: int) -> None:
        """``chain(a, [b, c], d)``: consecutive elements linked; two lists of equal length pairwise."""
        if args is None:
            self.taint([], ("edges",), line, f"chain() at line {line} over values not known statically")
            return
        items = [self.concrete(a) for a in args]
        for up, down in pairwise(items):
            if isinstance(up, (list, tuple)) and isinstance(down, (list, tuple)):
                if len(up) != len(down):
                    self.note(line, "chain() of two lists of different lengths raises at import time")
                    continue
                for u, d in zip(up, down):
                    self.relate(u, d, line)
            else:
                self.relate(up, down, line)

    def cross_downstream(self, args: list[Any] | None, kwargs: dict[str, Any], line: int) -> None:
        values = list(args or []) + [kwargs[k] for k in ("from_tasks", "to_tasks") if k in kwargs]
        if args is None or len(values) != 2:
            self.taint([], ("edges",), line, f"cross_downstream() at line {line} not known statically")
            return
        for up in self.flatten(values[0]):
            self.relate(up, values[1], line)

    # ---- value helpers --------------------------------------------------------------------------

    def concrete(self, value: Any) -> Any:
        """A Symbol used as a value: a known constant, else Unknown (it is defined in another module)."""
        if isinstance(value, Symbol):
            if value.qualname in _CONSTANTS:
                return _CONSTANTS[value.qualname]
            return value.unknown()
        return value

    def iterate(self, value: Any) -> list[Any] | None:
        value = self.concrete(value)
        if _is_partial(value):
            return None
        if isinstance(value, (list, tuple, str, dict, set, frozenset)):
            items = list(value)
            if isinstance(value, (set, frozenset)) and len(items) > 1:
                # a set's iteration order is not defined (str hashes are randomised per process): the
                # members are known, the order of what a loop does with them is not
                try:
                    items = sorted(items)
                except TypeError:
                    return None
                self.taint([], ("edges",), self.line, "iteration over a set: its order is not defined, so "
                                                      "dependencies that follow it are not known statically")
            return items if len(items) <= MAX_LOOP_ITERATIONS else None
        return None

    def truth(self, value: Any) -> bool | None:
        value = self.concrete(value)
        if isinstance(value, (Unknown, Relative)):
            return None if isinstance(value, Unknown) else True
        if _is_partial(value):
            return True if value else None
        if isinstance(value, (DagNode, TaskNode, GroupNode, Function, ClassValue)):
            return True
        try:
            return bool(value)
        except Exception:  # noqa: BLE001 - any odd object: not known
            return None


# --------------------------------------------------------------------------------------------------
# Module-level helpers

_NOT_SET = object()

_BINOPS: dict[type, Any] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a ** b, ast.BitOr: lambda a, b: a | b, ast.BitAnd: lambda a, b: a & b,
    ast.BitXor: lambda a, b: a ^ b, ast.LShift: lambda a, b: a << b, ast.RShift: lambda a, b: a >> b,
    ast.MatMult: lambda a, b: a @ b,
}
_COMPARES: dict[type, Any] = {
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
}


def _zone(name: Any) -> Any:
    if not isinstance(name, str):
        if _is_tz(name):
            return name
        raise TypeError("timezone name must be a string")
    if name.upper() == "UTC":
        return UTC
    if ZoneInfo is None:
        raise ValueError("no time zone database")
    return ZoneInfo(name)


def _pendulum_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
                       microsecond: int = 0, tz: Any = "UTC", **_: Any) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=_zone(tz) if tz else None)


def _airflow_datetime(*args: Any, **kwargs: Any) -> datetime:
    kwargs.setdefault("tzinfo", UTC)
    return datetime(*args, **kwargs)


def _parse_datetime(text: str, *_: Any, **kwargs: Any) -> datetime:
    value = datetime.fromisoformat(text)
    tz = kwargs.get("tz") or kwargs.get("timezone")
    if value.tzinfo is None and tz:
        value = value.replace(tzinfo=_zone(tz))
    return value


def _duration(**kwargs: Any) -> timedelta:
    if "years" in kwargs or "months" in kwargs:
        raise ValueError("calendar durations are not timedeltas")
    return timedelta(**kwargs)


def _refuse(reason: str) -> Any:
    def handler(*_: Any, **__: Any) -> Any:
        raise ValueError(reason)
    return handler


_SYMBOL_CALLS: dict[str, Any] = {
    "datetime.datetime": datetime,
    "datetime.timedelta": timedelta,
    "datetime.datetime.strptime": datetime.strptime,
    "datetime.datetime.fromisoformat": datetime.fromisoformat,
    "datetime.datetime.combine": datetime.combine,
    "datetime.time": time,
    "datetime.timezone": timezone,
    "pendulum.datetime": _pendulum_datetime,
    "pendulum.DateTime": _pendulum_datetime,
    "pendulum.parse": _parse_datetime,
    "pendulum.duration": _duration,
    "airflow.utils.timezone.datetime": _airflow_datetime,
    "airflow.utils.timezone.parse": _parse_datetime,
    "os.path.basename": os.path.basename,
    "os.path.splitext": os.path.splitext,
    "pathlib.Path": lambda p: PathValue(p) if isinstance(p, str) else _refuse("path")(),
    "pytz.timezone": _refuse("pytz time zones attach the zone's first (LMT) offset to a datetime"),
    "dateutil.relativedelta.relativedelta": _refuse("relativedelta schedules are not compared statically"),
    **{name: _zone for name in _TIMEZONE_CALLS},
}


_JUMP_STRENGTH = {None: 0, "continue": 1, "break": 2, "return": 3, "raise": 4}


def _stronger(a: str | None, b: str | None) -> str | None:
    """Of two possible jumps, the one that skips more code."""
    return a if _JUMP_STRENGTH[a] >= _JUMP_STRENGTH[b] else b


def _looks_like_operator(qualname: str) -> bool:
    return qualname.rsplit(".", 1)[-1].endswith(("Operator", "Sensor"))


def _is_tz(value: Any) -> bool:
    return isinstance(value, (timezone,)) or (ZoneInfo is not None and isinstance(value, ZoneInfo))


def _is_plain(value: Any) -> bool:
    """A fully known value made of Python builtins (safe to compute with for real)."""
    if value is None or isinstance(value, (str, bool, int, float, timedelta, datetime, date, time, slice)):
        return True
    if _is_tz(value):
        return True
    if _is_partial(value):
        return False
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_is_plain(k) and _is_plain(v) for k, v in value.items())
    return False


def _is_hashable_plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, bool, int, float)) or (
        isinstance(value, tuple) and all(_is_hashable_plain(v) for v in value))


def _is_relative(value: Any) -> bool:
    """An operand of ``>>``/``<<`` that makes it a dependency (or 1.10's DAG assignment)."""
    if isinstance(value, (TaskNode, GroupNode, DagNode)):
        return True
    if isinstance(value, (list, tuple)):
        return any(isinstance(v, (TaskNode, GroupNode)) for v in value)
    return False


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else (value if isinstance(value, int) else 0)


def _safe_apply(fn: Any, what: str) -> Any:
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - evaluating user code: any failure means "not known"
        return Unknown(f"{what} cannot be evaluated: {type(exc).__name__}: {exc}")


def _reason(value: Any) -> str:
    if isinstance(value, (Unknown, Relative)):
        return value.reason
    if isinstance(value, Symbol):
        return value.unknown().reason
    return f"{type(value).__name__} value"


def _unknown_of(value: Any, what: str) -> Unknown:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Symbol):
        return value.unknown()
    if isinstance(value, Relative):
        return Unknown(f"{what} depends on the parse time ({value.reason})")
    return Unknown(f"{what} is not known statically")


def _describe(value: Any) -> str:
    return _reason(value) if isinstance(value, (Unknown, Symbol)) else f"a {type(value).__name__}"


def _lookup(mapping: Any, key: str, default: Any) -> Any:
    if isinstance(mapping, Unknown):
        return mapping
    if _is_partial(mapping) and key not in mapping:
        return mapping.missing
    if isinstance(mapping, dict):
        return mapping.get(key, default)
    return default


def _effective(kwargs: dict[str, Any], key: str, merged: Any, extra: Unknown | None, default: Any) -> Any:
    """A task argument: explicit, else from the merged default_args, else Airflow's default."""
    if key in kwargs:
        return kwargs[key]
    if extra is not None:
        return extra
    return _lookup(merged, key, default)


def _copy_value(value: Any) -> Any:
    """``copy.deepcopy`` of plain containers; interpreter objects are shared, as Airflow shares them."""
    if isinstance(value, dict):
        return PartialDict({k: _copy_value(v) for k, v in value.items()}, missing=getattr(value, "missing", None))
    if isinstance(value, list):
        return [_copy_value(v) for v in value]
    return value


def _keys_of(args: list[Any], kwargs: dict[str, Any]) -> list[Any]:
    keys: list[Any] = list(kwargs)
    for arg in args:
        if isinstance(arg, dict):
            keys.extend(arg)
    return keys


def _dags_in(values: Any, depth: int = 0) -> Iterator[DagNode]:
    if depth > 4:
        return
    if isinstance(values, DagNode):
        yield values
    elif isinstance(values, (TaskNode, GroupNode)):
        if values.dag is not None:
            yield values.dag
    elif isinstance(values, Mapping):
        for v in values.values():
            yield from _dags_in(v, depth + 1)
    elif isinstance(values, (list, tuple, set)):
        for v in values:
            yield from _dags_in(v, depth + 1)


def _is_globals_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("globals", "vars") \
        and not node.args


def _as_load(node: ast.expr) -> ast.expr:
    copied = _copy.copy(node)
    copied.ctx = ast.Load()  # type: ignore[attr-defined]
    return copied


def _assigned_names(stmts: list[ast.stmt]) -> list[str]:
    """Names bound anywhere in ``stmts`` (not inside nested functions or classes)."""
    names: list[str] = []
    stack: list[ast.AST] = list(stmts)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.extend((a.asname or a.name.split(".")[0]) for a in node.names if a.name != "*")
        stack.extend(ast.iter_child_nodes(node))
    return list(dict.fromkeys(names))


def _placeholder(line: int, dag_id: str = UNKNOWN) -> DagStructure:
    """A DAG whose existence or content is not known statically: nothing in it is compared as a fact."""
    return DagStructure(dag_id=dag_id, schedule=UNKNOWN, catchup=UNKNOWN, start_date=UNKNOWN,
                        source_line=line, incomplete=_ALL_PARTS)


# ---- final JSON values (the conventions of dagcheck.structure) ----------------------------------------


def _schedule_json(value: Any) -> str | None:
    if isinstance(value, (Unknown, Relative, Symbol)) or value is _NOT_SET:
        return UNKNOWN
    return schedule_text(value)


def _start_date_json(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Relative):
        return RELATIVE
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return UNKNOWN
        return utc_iso(parsed)
    return UNKNOWN


def _retries_json(value: Any) -> int | str:
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return UNKNOWN


def _trigger_rule_json(value: Any) -> str:
    return value if isinstance(value, str) else UNKNOWN


def _arg_json(value: Any) -> Any:
    """One default_args value: its JSON form, ``UNKNOWN``, or ``OMIT`` (outside the compared subset)."""
    if isinstance(value, Symbol) and value.qualname.startswith("builtins."):
        return OMIT if callable(getattr(builtins, value.qualname[len("builtins."):], None)) else UNKNOWN
    if isinstance(value, (Function, ClassValue, DagNode, TaskNode, GroupNode)):
        return OMIT
    if isinstance(value, (Unknown, Symbol)) or _is_partial(value):
        return UNKNOWN
    if isinstance(value, (Relative, datetime, date)):
        return OMIT
    if isinstance(value, (list, tuple)):
        items = [_arg_json(v) for v in value]
        if any(i is OMIT for i in items):
            return OMIT
        return UNKNOWN if any(isinstance(v, (Unknown, Symbol)) or _is_partial(v) for v in value) else items
    if isinstance(value, dict):
        pairs = {k: _arg_json(v) for k, v in value.items()}
        if any(v is OMIT or not isinstance(k, str) for k, v in pairs.items()):
            return OMIT
        return pairs
    return json_safe(value)


def _default_args_json(args: Any) -> tuple[dict[str, Any], bool]:
    """The DAG's default_args in the compared form, and whether they are completely known."""
    if not isinstance(args, dict):
        return {}, False
    out: dict[str, Any] = {}
    for key in sorted(k for k in args if isinstance(k, str)):
        if key == "params":
            continue
        value = _arg_json(args[key])
        if value is OMIT:
            continue
        out[key] = value
    return out, not _is_partial(args)
