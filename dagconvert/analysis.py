"""The fast pre-pass over a file (stdlib ``ast``): import bindings, name resolution, and which lines hold
something a rule may change.

Why: a libcst transformer that visits every node costs about twice a bare libcst parse+render on DAG files
(measured in bench/), while ``ast.parse`` plus a walk costs about a tenth of it. So the engine learns here,
cheaply, where the work is, and the libcst pass visits only the statements that contain such a line, and
inside them only the call arguments and container elements that contain a marked node (``marked_within``:
marks are kept per line and per node position). The same pass gives line numbers for the report without
libcst's PositionProvider.

Nothing here rewrites code; it answers "what does this name refer to" and "is this line interesting".
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class Binding:
    """A local name bound by an import statement."""

    local: str            # the name as used in the file: "BashOperator", "bq", "airflow"
    qname: str            # what it refers to: "airflow.operators.bash_operator.BashOperator", "airflow"
    line: int
    module_import: bool   # bound by `import a.b [as m]` (a module), not `from m import x`
    guarded: bool         # inside `try: ... except ImportError:` - such imports are left alone
    top_level: bool       # a module-level statement (not inside a def/class)


@dataclass(frozen=True)
class Interest:
    """What a rule looks at, as data, so the pre-pass can find candidate lines for every rule at once."""

    call_identities: frozenset[str] = frozenset()   # canonical 2.x identities of callees ("*" = every call)
    keywords: frozenset[str] = frozenset()          # keyword argument names in any call
    strings: re.Pattern | None = None               # string constants (templates, dict keys) that match
    function_params: frozenset[str] = frozenset()   # defs with parameters of these names (the def is marked,
                                                    # not its body: leave_function sees the whole def)
    decorators: frozenset[str] = frozenset()        # decorator qualified names (resolved) or bare names
    names: frozenset[str] = frozenset()             # qualified names referenced anywhere (Name/Attribute)
    # What the fields above cannot say: ``node_filter(analysis, node)`` is asked about every node of one of
    # ``node_types`` and marks its line when it answers True. It runs on every such node of every file: keep
    # it cheap, and let it over-approximate (the rule decides on the libcst node).
    node_types: tuple[type[ast.AST], ...] = ()
    node_filter: Callable[[Analysis, ast.AST], bool] | None = None


@dataclass
class Analysis:
    tree: ast.Module
    bindings: dict[str, Binding]
    ref_counts: Counter                      # local name -> number of Load references (outside imports)
    interesting: bytearray                   # per line (1-based): 1 when some rule may change that line
    # The finer grain, for pruning inside a statement: the (line, col_offset) of every marked node, sorted.
    marks: list[tuple[int, int]] = field(default_factory=list)
    stored_names: set[str] = field(default_factory=set)  # names the file binds (assignments, defs, classes)
    imports_airflow: bool = False
    identity_of: Callable[[str], str] = lambda qname: qname  # the decider's qname -> identity (for node filters)
    guarded_try_body_lines: set[int] = field(default_factory=set)  # imports in the try body of an ImportError guard
    plain_modules: set[str] = field(default_factory=set)  # dotted modules bound by `import a.b.c` (no alias)
    module_refs: Counter = field(default_factory=Counter)  # such a module path -> uses (`a.b.c.X`)
    # Every node of the tree, in ``ast.walk`` order, from the one walk above: rules that look at the whole
    # module iterate this instead of walking the tree again.
    nodes: list[ast.AST] = field(default_factory=list)
    memo: dict = field(default_factory=dict)   # per-file facts node filters compute once (key: their own)

    def resolve(self, node: ast.AST) -> str | None:
        """Qualified name of a Name/Attribute chain through the file's import bindings, else None."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        binding = self.bindings.get(node.id)
        if binding is None:
            return None
        return ".".join([binding.qname, *reversed(parts)])

    def any_interesting(self, start: int, end: int) -> bool:
        return any(self.interesting[start : end + 1])

    def marked_within(self, start: tuple[int, int], end: tuple[int, int]) -> bool:
        """Whether the source span [start, end) ((line, col_offset) pairs, as ``ast`` reports them) holds the
        start of a marked node."""
        marks = self.marks
        i = bisect_left(marks, start)
        return i < len(marks) and marks[i] < end


def _is_import_error_guard(handler: ast.ExceptHandler) -> bool:
    names: list[ast.AST] = []
    if isinstance(handler.type, ast.Tuple):
        names = list(handler.type.elts)
    elif handler.type is not None:
        names = [handler.type]
    return any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError") for n in names)


_STATEMENT_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")


class _BindingCollector(ast.NodeVisitor):
    def __init__(self) -> None:
        self.bindings: dict[str, Binding] = {}
        self._guard_depth = 0
        self._scope_depth = 0
        self._in_guarded_try_body = 0
        self.guarded_try_body_lines: set[int] = set()  # imports in the `try:` body of an ImportError guard
        self.plain_modules: set[str] = set()           # `import a.b.c` (no alias): dotted module paths

    def _bind(self, binding: Binding) -> None:
        # First binding wins for guarded alternatives (try-branch), later plain rebinding overrides.
        existing = self.bindings.get(binding.local)
        if existing is not None and existing.guarded and binding.guarded:
            return
        self.bindings[binding.local] = binding

    def visit_Try(self, node: ast.Try) -> None:
        guarded = any(_is_import_error_guard(h) for h in node.handlers)
        self._guard_depth += guarded
        self._in_guarded_try_body += guarded
        for stmt in node.body:
            self.visit(stmt)
        self._in_guarded_try_body -= guarded
        for handler in node.handlers:
            for stmt in handler.body:
                self.visit(stmt)
        self._guard_depth -= guarded
        for stmt in node.orelse + node.finalbody:
            self.visit(stmt)

    def _scoped(self, node: ast.AST) -> None:
        self._scope_depth += 1
        self.generic_visit(node)
        self._scope_depth -= 1

    def generic_visit(self, node: ast.AST) -> None:
        """Only statements can bind an import: descend into statement lists (bodies, handlers, match cases),
        never into expressions (most of a file's nodes)."""
        for name in _STATEMENT_FIELDS:
            children = getattr(node, name, None)
            if children:
                for child in children:
                    self.visit(child)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def visit_Import(self, node: ast.Import) -> None:
        if self._in_guarded_try_body:
            self.guarded_try_body_lines.add(node.lineno)
        for alias in node.names:
            if not alias.asname and "." in alias.name:
                self.plain_modules.add(alias.name)
            if alias.asname:
                local, qname = alias.asname, alias.name
            else:
                local = qname = alias.name.split(".")[0]
            self._bind(Binding(local, qname, node.lineno, True, self._guard_depth > 0, self._scope_depth == 0))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if self._in_guarded_try_body:
            self.guarded_try_body_lines.add(node.lineno)
        if node.level or not node.module:
            return  # relative imports are the project's own modules
        for alias in node.names:
            if alias.name == "*":
                continue
            local = alias.asname or alias.name
            self._bind(Binding(local, f"{node.module}.{alias.name}", node.lineno, False,
                               self._guard_depth > 0, self._scope_depth == 0))


def collect_bindings(tree: ast.Module) -> dict[str, Binding]:
    return _collect(tree).bindings


def _collect(tree: ast.Module) -> _BindingCollector:
    collector = _BindingCollector()
    collector.visit(tree)
    return collector


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for a pure Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def walk_all(tree: ast.AST) -> list[ast.AST]:
    """Every node of the tree in ``ast.walk``'s order (breadth first, children in field order), as a list;
    without ``ast.walk``'s generator per node, which makes this the cheapest way to visit every node once."""
    nodes = [tree]
    append, node_type = nodes.append, ast.AST
    i = 0
    while i < len(nodes):
        node = nodes[i]
        i += 1
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, node_type):
                        append(item)
            elif isinstance(value, node_type):
                append(value)
    return nodes


@cache
def _subclasses(node_type: type) -> tuple[type, ...]:
    """The AST classes below ``node_type`` (itself excluded), for filters declared on an abstract type."""
    found, todo = [], list(node_type.__subclasses__())
    while todo:
        sub = todo.pop()
        found.append(sub)
        todo.extend(sub.__subclasses__())
    return tuple(found)


def analyse(source: str, tree: ast.Module, *, interests: list[Interest], identity_of, changed_qname,
            renamed_name=lambda binding: False) -> Analysis:
    """Walk the tree once.

    identity_of(qname) -> canonical identity used by call rules.
    changed_qname(qname) -> True when an import decision changes that name (move, replace, todo).
    renamed_name(binding) -> True when uses of that imported name must be rewritten (a renamed class).
    """
    collector = _collect(tree)
    bindings = collector.bindings
    n_lines = source.count("\n") + 2
    interesting = bytearray(n_lines + 1)
    marks: list[tuple[int, int]] = []
    stored = set()
    analysis = Analysis(tree=tree, bindings=bindings, ref_counts=Counter(), interesting=interesting,
                        marks=marks, stored_names=stored,
                        identity_of=identity_of, guarded_try_body_lines=collector.guarded_try_body_lines,
                        plain_modules=collector.plain_modules)
    plain_modules = collector.plain_modules
    analysis.imports_airflow = any(b.qname == "airflow" or b.qname.startswith("airflow.") for b in bindings.values())

    call_ids: set[str] = set()
    every_call = False
    keywords: set[str] = set()
    params: set[str] = set()
    decorators: set[str] = set()
    names: set[str] = set()
    string_patterns = []
    # node type -> the filters asking about it (dispatch on the exact type: most nodes have none)
    filters_by_type: dict[type, list] = {}
    for interest in interests:
        if interest.node_types and interest.node_filter:
            for node_type in interest.node_types:
                for concrete in (node_type, *_subclasses(node_type)):  # an abstract type (ast.stmt): its kinds
                    filters_by_type.setdefault(concrete, []).append(interest.node_filter)
    for interest in interests:
        call_ids |= interest.call_identities
        every_call |= "*" in interest.call_identities
        keywords |= interest.keywords
        params |= interest.function_params
        decorators |= interest.decorators
        names |= interest.names
        if interest.strings is not None:
            string_patterns.append(interest.strings)
    string_re = re.compile("|".join(f"(?:{p.pattern})" for p in string_patterns)) if string_patterns else None

    def mark(node: ast.AST) -> None:
        line = getattr(node, "lineno", None)
        if line is not None and line < len(interesting):
            interesting[line] = 1
            marks.append((line, node.col_offset))

    analysis.nodes = nodes = walk_all(tree)
    for node in nodes:
        accepts = filters_by_type.get(type(node))
        if accepts is not None and any(accept(analysis, node) for accept in accepts):
            mark(node)
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                analysis.ref_counts[node.id] += 1
                binding = bindings.get(node.id)
                if binding is not None and not binding.module_import and renamed_name(binding):
                    mark(node)
            elif isinstance(node.ctx, ast.Store):
                stored.add(node.id)
        elif isinstance(node, ast.Attribute):
            if plain_modules:
                text = dotted_name(node)
                if text in plain_modules:
                    analysis.module_refs[text] += 1
            if isinstance(node.ctx, ast.Load):
                qname = analysis.resolve(node)
                if qname is not None and (changed_qname(qname) or qname in names):
                    mark(node)
        elif isinstance(node, ast.Call):
            qname = analysis.resolve(node.func)
            if every_call or (qname is not None and identity_of(qname) in call_ids) or keywords and any(kw.arg in keywords for kw in node.keywords):
                mark(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if isinstance(node, ast.ImportFrom):
                    if node.level or not node.module:
                        continue
                    qname = f"{node.module}.{alias.name}"
                else:
                    qname = alias.name
                # an Airflow import in a guard's `try:` body may bind a 1.10 module whose attribute uses move
                # (dagconvert.imports._guarded_module_move decides; the line is left as it is otherwise)
                if changed_qname(qname) or (node.lineno in collector.guarded_try_body_lines
                                            and qname.startswith("airflow.")):
                    mark(node)
        elif isinstance(node, ast.Constant):
            if string_re is not None and isinstance(node.value, str) and string_re.search(node.value):
                mark(node)
        elif isinstance(node, ast.ClassDef):
            stored.add(node.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stored.add(node.name)
            if params and any(a.arg in params for a in (*node.args.args, *node.args.kwonlyargs)):
                mark(node)  # the rule's leave_function renames the parameter's uses itself
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                qname = analysis.resolve(target)
                bare = target.id if isinstance(target, ast.Name) else None
                if (qname and qname in decorators) or (bare and bare in decorators):
                    mark(dec)
                    mark(node)
    marks.sort()
    return analysis
