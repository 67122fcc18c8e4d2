"""Which DAGs depend on which, read from Airflow 1.10 (or 2.x) DAG sources with ``ast``, never importing them.

Why: a wave moves a set of DAGs from Composer 1 to Composer 2 while the rest stay behind. A DAG whose
ExternalTaskSensor waits for a DAG in the other environment waits forever (each environment has its own
metadata database); a TriggerDagRunOperator or ExternalTaskMarker reaching across cannot find its target.
So before a wave is planned we need the cross-DAG edges, and we must get them from the source text alone:
Airflow 1.10 cannot run here, and importing DAG code has side effects.

What is extracted per file (:func:`extract_file`, pure):
- DAG definitions: ``DAG(...)`` (first argument or ``dag_id=``), ``with DAG(...) as dag``, 2.x ``@dag``;
- dependencies: ExternalTaskSensor / ExternalTaskMarker (``external_dag_id=``), TriggerDagRunOperator
  (``trigger_dag_id=``), under their 1.10, legacy-package and 2.x import paths, aliases and same-file
  subclasses included; DAGs defined in the same file are linked too (a file is deployed as a whole);
- pools: ``pool=`` on a task, or ``"pool"`` in the ``default_args`` of a DAG or task;
- DAG ids themselves in strings, matched against the ids the whole tree defines (:func:`build_graph`):
  in an airflow CLI command that acts on a DAG (``airflow trigger_dag|clear|backfill|pause ... other``,
  1.10 and 2.x spellings) a hard edge; any other string equal to a DAG id (``DagRun.find(dag_id="other")``)
  a weaker "mentions" relation, a warning only.

A value is known when it is a literal, a module-level constant assigned once to something known, or a
``+`` / f-string of known parts. Anything else (a loop variable, a factory parameter, a call) is listed as
:class:`Unresolved` with its ``file:line`` and source text: the plan never guesses a DAG id.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from dagconvert.analysis import collect_bindings

# Edge kinds. Hard ones must stay in one environment; soft ones are warnings.
SENSOR = "external_task_sensor"
MARKER = "external_task_marker"
TRIGGER = "trigger_dag_run"
SAME_FILE = "same_file"
AIRFLOW_CLI = "airflow_cli"
MENTION = "mentions_dag_id"
HARD_KINDS = frozenset({SENSOR, MARKER, TRIGGER, SAME_FILE, AIRFLOW_CLI})

# Class name (the last part of the import path, identical in 1.10 and 2.x) -> (edge kind, keyword).
_DEPENDENCY_CLASSES = {
    "ExternalTaskSensor": (SENSOR, "external_dag_id"),
    "ExternalTaskMarker": (MARKER, "external_dag_id"),
    "TriggerDagRunOperator": (TRIGGER, "trigger_dag_id"),
}
_DAG_CLASS = "DAG"
_DAG_DECORATOR = "dag"
_MAX_EXPRESSION_CHARS = 120
_IDENTIFIER_LIKE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,249}")  # what a dag id looks like
_AIRFLOW_CLI_TOKEN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
# An Airflow 1.10 or 2.x CLI command that acts on another DAG's runs or state (in a bash_command, say).
_AIRFLOW_CLI_COMMAND = re.compile(
    r"\bairflow\s+(?:dags\s+|tasks\s+)?(?:trigger_dag|trigger|clear|backfill|pause|unpause|run|mark_success)\b")
SKIP_DIRS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".venv", "venv", "node_modules"})


@dataclass(frozen=True, order=True)
class Location:
    file: str  # relative to the scanned tree, POSIX separators
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True)
class DagDefinition:
    dag_id: str
    location: Location


@dataclass(frozen=True, order=True)
class Dependency:
    """``source`` holds the task; ``target`` is the DAG it names. ``kind`` says what the task does to it."""

    source: str
    target: str
    kind: str
    location: Location

    @property
    def hard(self) -> bool:
        return self.kind in HARD_KINDS

    def describe(self) -> str:
        verb = {
            SENSOR: "waits for",
            MARKER: "clears (ExternalTaskMarker)",
            TRIGGER: "triggers",
            AIRFLOW_CLI: "runs an airflow CLI command on",
            SAME_FILE: "is defined in the same file as",
            MENTION: "mentions the dag id of",
        }.get(self.kind, self.kind)
        return f"{self.source} {verb} {self.target} ({self.location})"


@dataclass(frozen=True, order=True)
class PoolUse:
    dag_id: str
    pool: str
    location: Location


@dataclass(frozen=True, order=True)
class Unresolved:
    """A value the analysis could not determine statically. ``role``: dag_id, external_dag_id, pool, ..."""

    location: Location
    role: str
    expression: str


@dataclass(frozen=True, order=True)
class FileError:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class FileFacts:
    """What one file says about DAGs. ``strings``: identifier-like string constants (or tokens of an airflow
    CLI command) with their line and the edge kind they make (MENTION or AIRFLOW_CLI) when they turn out
    to be a DAG id defined elsewhere (``build_graph``)."""

    file: str
    dags: tuple[DagDefinition, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    pools: tuple[PoolUse, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()
    strings: tuple[tuple[str, int, str], ...] = ()
    error: FileError | None = None


# ------------------------------------------------------------------ per-file extraction


def extract_file(source: str, file: str) -> FileFacts:
    """The DAGs, dependencies, pools and unresolved values of one file's source text. Pure."""
    try:
        tree = ast.parse(source, filename=file)
    except SyntaxError as exc:
        return FileFacts(file, error=FileError(file, exc.lineno, f"does not parse: {exc.msg}"))
    except ValueError as exc:  # e.g. null bytes
        return FileFacts(file, error=FileError(file, None, f"does not parse: {exc}"))
    return _FileVisitor(file, tree).run()


def _module_level_stores(tree: ast.Module) -> tuple[dict[str, int], set[str]]:
    """How often module-level code binds each name, and the names functions declare ``global``."""
    counts: dict[str, int] = defaultdict(int)
    globals_: set[str] = set()

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                for sub in ast.walk(child):
                    if isinstance(sub, ast.Global):
                        globals_.update(sub.names)
                if not isinstance(child, ast.Lambda):
                    counts[child.name] += 1
                continue
            if isinstance(child, ast.ClassDef):
                counts[child.name] += 1
                continue
            if isinstance(child, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
                continue
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                counts[child.id] += 1
            elif isinstance(child, ast.alias):
                counts[(child.asname or child.name).split(".")[0]] += 1
            walk(child)

    walk(tree)
    return counts, globals_


class _DagRef:
    """A DAG object in the file: its id when known, else the source text of its id expression."""

    def __init__(self, dag_id: str | None, expression: str, line: int):
        self.dag_id, self.expression, self.line = dag_id, expression, line


_FILE = object()  # "the task's DAG is one of this file's DAGs" (no dag=, no with-context)


class _FileVisitor(ast.NodeVisitor):
    def __init__(self, file: str, tree: ast.Module):
        self.file, self.tree = file, tree
        self.bindings = collect_bindings(tree)
        self.class_kinds: dict[str, str] = {}  # same-file subclasses of DAG/sensors/operators
        self.constants: dict[str, str] = {}
        self.dict_constants: dict[str, ast.AST] = {}
        self.local_names: list[set[str]] = []  # names bound in enclosing function scopes
        self.dag_contexts: list[_DagRef] = []
        self.dag_vars: dict[str, _DagRef] = {}
        self.dag_calls: dict[int, _DagRef] = {}
        self.dags: list[_DagRef] = []
        self.pending: list[tuple[object, str, str, int]] = []  # (dag source, kind|"pool", value, line)
        self.unresolved: list[Unresolved] = []
        self.not_mentions: set[int] = set()  # ids of string nodes that are dag ids/pools/task ids here
        self._collect_constants()

    # -- set-up

    def _collect_constants(self) -> None:
        counts, globals_ = _module_level_stores(self.tree)
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                target, value = stmt.target, stmt.value
            elif isinstance(stmt, ast.ClassDef):
                kinds = {self._kind(base) for base in stmt.bases} - {None}
                if len(kinds) == 1:
                    self.class_kinds[stmt.name] = kinds.pop()
                continue
            else:
                continue
            if not isinstance(target, ast.Name) or counts[target.id] != 1 or target.id in globals_:
                continue
            text = self._string(value)
            if text is not None:
                self.constants[target.id] = text
            elif isinstance(value, ast.Dict | ast.Call):
                self.dict_constants[target.id] = value

    def _kind(self, func: ast.AST) -> str | None:
        """``DAG``/``dag``/a dependency class name when ``func`` refers to one, else None."""
        name = None
        parts: list[str] = []
        node = func
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            binding = self.bindings.get(node.id)
            if binding is not None:
                qname = ".".join([binding.qname, *reversed(parts)])
                if qname.split(".")[0] != "airflow":
                    return None
                name = qname.rsplit(".", 1)[-1]
            elif not parts:
                if node.id in self.class_kinds:
                    return self.class_kinds[node.id]
                name = node.id  # unbound: `from airflow.operators import *` or a 1.10 plugin import
        if name == _DAG_CLASS or name == _DAG_DECORATOR or name in _DEPENDENCY_CLASSES:
            return name
        return None

    # -- values

    def _string(self, node: ast.AST | None) -> str | None:
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            if any(node.id in scope for scope in self.local_names):
                return None
            return self.constants.get(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self._string(node.left), self._string(node.right)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    if value.conversion != -1 or value.format_spec is not None:
                        return None
                    value = value.value
                text = self._string(value)
                if text is None:
                    return None
                parts.append(text)
            return "".join(parts)
        return None

    def _text(self, node: ast.AST) -> str:
        text = ast.unparse(node)
        return text if len(text) <= _MAX_EXPRESSION_CHARS else text[: _MAX_EXPRESSION_CHARS - 3] + "..."

    def _resolve(self, node: ast.AST | None, role: str, line: int) -> str | None:
        """The string value of ``node``; an Unresolved entry when it is not statically known."""
        if node is None:
            self.unresolved.append(Unresolved(Location(self.file, line), role, "(missing)"))
            return None
        if isinstance(node, ast.Constant):
            self.not_mentions.add(id(node))
        value = self._string(node)
        if value is None:
            self.unresolved.append(Unresolved(Location(self.file, line), role, self._text(node)))
        return value

    def _default_args_pool(self, node: ast.AST | None) -> ast.AST | None:
        """The expression of the "pool" entry of a default_args value, if it has one."""
        if isinstance(node, ast.Name) and not any(node.id in s for s in self.local_names):
            node = self.dict_constants.get(node.id)
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "pool":
                    return value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            for kw in node.keywords:
                if kw.arg == "pool":
                    return kw.value
        return None

    # -- DAGs

    def _register_dag(self, call: ast.Call) -> _DagRef:
        ref = self.dag_calls.get(id(call))
        if ref is not None:
            return ref
        id_node = call.args[0] if call.args else _keyword(call, "dag_id")
        dag_id = self._resolve(id_node, "dag_id", call.lineno)
        ref = _DagRef(dag_id, self._text(id_node) if id_node is not None else "(missing)", call.lineno)
        self.dag_calls[id(call)] = ref
        self.dags.append(ref)
        pool = self._default_args_pool(_keyword(call, "default_args"))
        if pool is not None:
            self._pool(ref, pool, call.lineno)
        return ref

    def _pool(self, source: object, node: ast.AST, line: int) -> None:
        if isinstance(node, ast.Constant) and node.value is None:
            return  # pool=None is the default pool
        value = self._resolve(node, "pool", line)
        if value is not None:
            self.pending.append((source, "pool", value, line))

    def _is_dag_call(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and self._kind(node.func) == _DAG_CLASS

    def _bind_dag(self, target: ast.AST, ref: _DagRef) -> None:
        if isinstance(target, ast.Name):
            self.dag_vars[target.id] = ref

    # -- visiting

    def run(self) -> FileFacts:
        self.visit(self.tree)
        return self._facts()

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        decorated: _DagRef | None = None
        for decorator in node.decorator_list:
            func = decorator.func if isinstance(decorator, ast.Call) else decorator
            if self._kind(func) == _DAG_DECORATOR:
                id_node = _keyword(decorator, "dag_id") if isinstance(decorator, ast.Call) else None
                dag_id = self._resolve(id_node, "dag_id", node.lineno) if id_node is not None else node.name
                decorated = _DagRef(dag_id, self._text(id_node) if id_node is not None else node.name, node.lineno)
                self.dags.append(decorated)
                if isinstance(decorator, ast.Call):
                    pool = self._default_args_pool(_keyword(decorator, "default_args"))
                    if pool is not None:
                        self._pool(decorated, pool, node.lineno)
        for decorator in node.decorator_list:
            self.visit(decorator)
        args = node.args
        params = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
        params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        assigned = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        self.local_names.append(params | assigned)
        if decorated is not None:
            self.dag_contexts.append(decorated)
        for stmt in node.body:
            self.visit(stmt)
        if decorated is not None:
            self.dag_contexts.pop()
        self.local_names.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _visit_function

    def visit_With(self, node: ast.With) -> None:
        pushed = 0
        for item in node.items:
            self.visit(item.context_expr)
            expr, ref = item.context_expr, None
            if self._is_dag_call(expr):
                ref = self._register_dag(expr)
            elif isinstance(expr, ast.Name) and expr.id in self.dag_vars:
                ref = self.dag_vars[expr.id]  # `dag = DAG(...)` then `with dag:`
            if ref is not None:
                if item.optional_vars is not None:
                    self._bind_dag(item.optional_vars, ref)
                self.dag_contexts.append(ref)
                pushed += 1
        for stmt in node.body:
            self.visit(stmt)
        del self.dag_contexts[len(self.dag_contexts) - pushed:]

    visit_AsyncWith = visit_With

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        if self._is_dag_call(node.value):
            ref = self._register_dag(node.value)
            for target in node.targets:
                self._bind_dag(target, ref)

    def visit_Call(self, node: ast.Call) -> None:
        kind = self._kind(node.func)
        if kind == _DAG_CLASS:
            self._register_dag(node)
        task_id = _keyword(node, "task_id")
        if task_id is not None:
            if isinstance(task_id, ast.Constant):
                self.not_mentions.add(id(task_id))
            self._task(node, kind)
        self.generic_visit(node)

    def _task(self, call: ast.Call, kind: str | None) -> None:
        source = self._task_dag(call)
        if kind in _DEPENDENCY_CLASSES:
            edge_kind, keyword = _DEPENDENCY_CLASSES[kind]
            value = _keyword(call, keyword)
            line = value.lineno if value is not None else call.lineno  # the line to edit, in a long call
            target = self._resolve(value, keyword, line)
            if target is not None:
                self.pending.append((source, edge_kind, target, line))
        pool = _keyword(call, "pool")
        if pool is not None:
            self._pool(source, pool, pool.lineno)
        default_pool = self._default_args_pool(_keyword(call, "default_args"))
        if default_pool is not None:
            self._pool(source, default_pool, default_pool.lineno)

    def _task_dag(self, call: ast.Call) -> object:
        dag = _keyword(call, "dag")
        if isinstance(dag, ast.Name) and dag.id in self.dag_vars:
            return self.dag_vars[dag.id]
        if dag is not None and self._is_dag_call(dag):
            return self._register_dag(dag)
        if self.dag_contexts:
            return self.dag_contexts[-1]
        return _FILE

    # -- results

    def _facts(self) -> FileFacts:
        dags = sorted({DagDefinition(r.dag_id, Location(self.file, r.line)) for r in self.dags if r.dag_id})
        known = sorted({d.dag_id for d in dags})
        dependencies: set[Dependency] = set()
        pools: set[PoolUse] = set()
        for source, kind, value, line in self.pending:
            where = Location(self.file, line)
            if source is _FILE:
                holders = known
                if not holders or len({r.dag_id for r in self.dags}) != len(known):
                    what = f"the DAG holding this {'pool' if kind == 'pool' else kind} (target {value!r})"
                    self.unresolved.append(Unresolved(where, "task dag", what))
                    continue
            elif source.dag_id is None:
                self.unresolved.append(Unresolved(where, "task dag", source.expression))
                continue
            else:
                holders = [source.dag_id]
            for holder in holders:
                if kind == "pool":
                    pools.add(PoolUse(holder, value, where))
                else:
                    dependencies.add(Dependency(holder, value, kind, where))
        first_line = {}
        for d in dags:
            first_line.setdefault(d.dag_id, d.location.line)
        for a, b in pairwise(known):
            dependencies.add(Dependency(a, b, SAME_FILE, Location(self.file, first_line[b])))
        return FileFacts(
            self.file, tuple(dags), tuple(sorted(dependencies)), tuple(sorted(pools)),
            tuple(sorted(set(self.unresolved))), tuple(sorted(self._strings())),
        )

    def _strings(self) -> set[tuple[str, int, str]]:
        found: set[tuple[str, int, str]] = set()
        for node in ast.walk(self.tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in self.not_mentions:
                continue
            value = node.value
            if _IDENTIFIER_LIKE.fullmatch(value):
                found.add((value, node.lineno, MENTION))
            elif "airflow" in value:  # a CLI call in a BashOperator: `airflow trigger_dag other_dag`
                kind = AIRFLOW_CLI if _AIRFLOW_CLI_COMMAND.search(value) else MENTION
                found.update((token, node.lineno, kind) for token in _AIRFLOW_CLI_TOKEN.findall(value))
        return found


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


# ------------------------------------------------------------------ the graph


@dataclass(frozen=True)
class DagGraph:
    """DAGs of a tree as nodes; hard dependencies, "mentions" and shared pools between them.

    Referenced DAG ids that no file defines stay nodes (``undefined``): the plan cannot place them.
    """

    root: str
    files: tuple[str, ...]
    definitions: tuple[DagDefinition, ...]
    dependencies: tuple[Dependency, ...]  # hard and soft (``Dependency.hard``)
    pools: tuple[PoolUse, ...]
    unresolved: tuple[Unresolved, ...]
    errors: tuple[FileError, ...]

    @property
    def dag_ids(self) -> tuple[str, ...]:
        """DAG ids some file defines, sorted."""
        return tuple(sorted({d.dag_id for d in self.definitions}))

    @property
    def undefined(self) -> tuple[str, ...]:
        """DAG ids named by a dependency that no file defines."""
        defined = set(self.dag_ids)
        return tuple(sorted({d.target for d in self.dependencies if d.target not in defined}))

    @property
    def hard_dependencies(self) -> tuple[Dependency, ...]:
        return tuple(d for d in self.dependencies if d.hard)

    @property
    def soft_dependencies(self) -> tuple[Dependency, ...]:
        return tuple(d for d in self.dependencies if not d.hard)

    def files_of(self, dag_id: str) -> tuple[str, ...]:
        return tuple(sorted({d.location.file for d in self.definitions if d.dag_id == dag_id}))

    def dags_in_file(self, file: str) -> tuple[str, ...]:
        return tuple(sorted({d.dag_id for d in self.definitions if d.location.file == file}))

    def duplicates(self) -> dict[str, tuple[str, ...]]:
        """DAG ids defined in more than one file (Airflow keeps one of them: a conflict to fix)."""
        return {dag_id: files for dag_id in self.dag_ids if len(files := self.files_of(dag_id)) > 1}

    def pool_members(self) -> dict[str, tuple[str, ...]]:
        members: dict[str, set[str]] = defaultdict(set)
        for use in self.pools:
            members[use.pool].add(use.dag_id)
        return {pool: tuple(sorted(dags)) for pool, dags in sorted(members.items())}

    def components(self) -> tuple[tuple[str, ...], ...]:
        """Groups that must move together: connected components of the hard dependencies (undirected),
        over defined and undefined DAG ids; each sorted, the groups largest first, then by first id."""
        return connected_components([*self.dag_ids, *self.undefined],
                                    [(d.source, d.target) for d in self.hard_dependencies])


def connected_components(nodes: Iterable[str], links: Iterable[tuple[str, str]]) -> tuple[tuple[str, ...], ...]:
    """Undirected connected components, deterministic: members sorted, groups by (-size, first member)."""
    parent: dict[str, str] = {n: n for n in nodes}

    def find(n: str) -> str:
        parent.setdefault(n, n)
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for n in list(parent):
        groups[find(n)].append(n)
    return tuple(sorted((tuple(sorted(g)) for g in groups.values()), key=lambda g: (-len(g), g[0])))


def build_graph(facts: Iterable[FileFacts], root: str = "") -> DagGraph:
    """Join the facts of many files into one graph; string mentions become soft edges here. Pure."""
    facts = sorted(facts, key=lambda f: f.file)
    definitions = sorted(d for f in facts for d in f.dags)
    defined = {d.dag_id for d in definitions}
    dependencies: set[Dependency] = {d for f in facts for d in f.dependencies}
    named = {(d.source, d.target) for d in dependencies}
    for f in facts:
        own = sorted({d.dag_id for d in f.dags})  # several: linked by SAME_FILE, so each holds the mention
        first: dict[str, tuple[bool, int, str]] = {}  # dag id -> (not a CLI command, line, kind): CLI wins
        for text, line, kind in f.strings:
            if text in defined and text not in own:
                first[text] = min((kind != AIRFLOW_CLI, line, kind), first.get(text, (True, line, kind)))
        dependencies.update(Dependency(holder, t, kind, Location(f.file, line))
                            for holder in own for t, (_, line, kind) in first.items() if (holder, t) not in named)
    return DagGraph(
        root=root,
        files=tuple(f.file for f in facts),
        definitions=tuple(definitions),
        dependencies=tuple(sorted(dependencies)),
        pools=tuple(sorted(p for f in facts for p in f.pools)),
        unresolved=tuple(sorted(u for f in facts for u in f.unresolved)),
        errors=tuple(sorted(f.error for f in facts if f.error is not None)),
    )


# ------------------------------------------------------------------ reading a tree (the side-effect edge)


def iter_python_files(root: Path) -> Iterator[Path]:
    """``.py`` files under root, sorted, skipping VCS/cache/virtualenv folders and hidden ones."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*.py")):
        rel_parts = path.relative_to(root).parts
        if any(p in SKIP_DIRS or p.startswith(".") for p in rel_parts[:-1]):
            continue
        if path.is_file():
            yield path


def read_file_facts(path: Path, rel: str) -> FileFacts:
    """Read, decode (PEP 263 honoured) and extract one file; any failure is that file's FileError."""
    from dagconvert.model import ConversionError
    from dagconvert.runner import decode_source

    try:
        text, _ = decode_source(path.read_bytes(), rel)
    except OSError as exc:
        return FileFacts(rel, error=FileError(rel, None, f"cannot read: {exc.strerror or exc}"))
    except ConversionError as exc:
        return FileFacts(rel, error=_decode_error(exc, rel, path))
    return extract_file(text, rel)


def _decode_error(exc: Exception, rel: str, path: Path) -> FileError:
    """A FileError for an undecodable file, with the line of the first bad byte whenever it can be found
    (``tokenize`` reports a bad byte in the first two lines without one)."""
    line = getattr(exc, "line", None)
    message = re.sub(r"^line \d+: ", "", str(exc).removeprefix(f"{rel}: "))
    if line is None:
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            line = data[: bad.start].count(b"\n") + 1
            message = (f"not valid utf-8 (byte 0x{data[bad.start]:02x}) and no encoding declared; save it as "
                       "UTF-8 or declare its encoding with a '# -*- coding: ... -*-' line")
    return FileError(rel, line, message)


def scan_tree(root: Path) -> DagGraph:
    """The dependency graph of every Python file under ``root`` (a folder or one file)."""
    root = Path(root)
    if not root.exists():
        raise FileNotFoundError(f"DAG source {root} does not exist")
    base = root.parent if root.is_file() else root
    facts = [read_file_facts(p, p.relative_to(base).as_posix()) for p in iter_python_files(root)]
    return build_graph(facts, str(base.resolve()))
