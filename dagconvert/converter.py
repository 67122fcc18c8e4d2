"""The one libcst pass over a file: visits only statements the analysis marked, applies every rule there,
rewrites imports, and records findings with source line numbers.

Import statements directly in the module body are rewritten last (in ``leave_Module``), when it is known
whether every use of a replaced class was converted: an import is only dropped when nothing still needs it.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from dagconvert import imports as import_edits
from dagconvert.analysis import Analysis
from dagconvert.decisions import Action, Decider
from dagconvert.model import Finding
from dagconvert.rules.base import CallTarget, Rule

TODO_PREFIX = "# TODO(airflow2): "

_SUITE_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")
_COMPOUND = tuple(t for t in (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try,
                              getattr(ast, "TryStar", None), ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                              ast.Match) if t is not None)
# Nodes whose parts (call arguments, container elements) the converter pairs with libcst's to prune them.
_TRACKED = (ast.Call, ast.Dict, ast.List, ast.Set)
_CONTAINERS = {cst.Dict: ast.Dict, cst.List: ast.List, cst.Set: ast.Set}


@dataclass
class _StmtInfo:
    start: int
    end: int
    line: int
    nodes: list[ast.stmt]   # the ast statement(s) of this libcst statement (several for `a = 1; b = 2`)


@dataclass
class Definition:
    """Module-level code a rule added (``ConversionContext.require_definition``)."""

    name: str
    code: str
    line: int  # the first line that uses it (the code goes above the statement holding it)


@dataclass
class _Frame:
    info: _StmtInfo
    tracked: list[ast.AST]  # the statement's own calls and containers, in libcst's visit order
    fine: bool              # the pairing of libcst nodes with ``tracked`` is trusted (pruning below statements)
    index: int = 0          # next entry of ``tracked``
    call_stack: list[int] = field(default_factory=list)  # lines of the calls being visited, innermost last
    todos: list[str] = field(default_factory=list)


def _start(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset


def _own_nodes(info: _StmtInfo) -> tuple[list[ast.AST], bool]:
    """The calls and containers of a statement in source order (= libcst's pre-order), excluding nested
    statements' ones, and whether they can be paired with libcst's nodes by that order. Inside f-strings
    Python 3.11 reports unreliable positions: a statement with such nodes there is not pruned below its level."""
    roots: list = []
    for node in info.nodes:
        if isinstance(node, _COMPOUND):
            roots.extend(v for name, v in ast.iter_fields(node) if name not in _SUITE_FIELDS)
        else:
            roots.append(node)
    found: list[ast.AST] = []
    fine = True
    stack: list = roots
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, ast.AST):
            if isinstance(item, _TRACKED):
                found.append(item)
            elif isinstance(item, ast.JoinedStr) and fine:
                fine = not any(isinstance(n, _TRACKED) for n in ast.walk(item))
            for name in item._fields:  # the children (what ast.iter_child_nodes gives, without its generator)
                value = getattr(item, name, None)
                if isinstance(value, (list, ast.AST)):
                    stack.append(value)
    found.sort(key=lambda c: (c.lineno, c.col_offset, -(c.end_lineno or 0), -(c.end_col_offset or 0)))
    return found, fine


def _span(node: ast.stmt) -> tuple[int, int]:
    start = node.lineno
    for dec in getattr(node, "decorator_list", ()):
        start = min(start, dec.lineno)
    return start, node.end_lineno or node.lineno


class _Pairing:
    """Maps libcst statement nodes to their ``ast`` counterparts (same order, same nesting)."""

    def __init__(self) -> None:
        self.info: dict[int, _StmtInfo] = {}
        self.ok = True

    def pair_body(self, cst_body, ast_body: list[ast.stmt]) -> None:
        i = 0
        for stmt in cst_body:
            if isinstance(stmt, cst.SimpleStatementLine):
                n = len(stmt.body)
                nodes = ast_body[i : i + n]
                i += n
                if len(nodes) != n:
                    self.ok = False
                    return
                start = min(_span(a)[0] for a in nodes)
                end = max(_span(a)[1] for a in nodes)
                self.info[id(stmt)] = _StmtInfo(start, end, nodes[0].lineno, nodes)
            else:
                if i >= len(ast_body):
                    self.ok = False
                    return
                node = ast_body[i]
                i += 1
                self.pair_compound(stmt, node)
        if i != len(ast_body):
            self.ok = False

    def _pair_suite(self, suite, ast_body: list[ast.stmt]) -> None:
        if isinstance(suite, cst.IndentedBlock):
            self.pair_body(suite.body, ast_body)
        # SimpleStatementSuite: one-line bodies are covered by their compound statement's span

    def pair_compound(self, stmt, node: ast.stmt) -> None:
        start, end = _span(node)
        self.info[id(stmt)] = _StmtInfo(start, end, node.lineno, [node])
        body = getattr(stmt, "body", None)
        if body is not None and hasattr(node, "body") and not isinstance(stmt, cst.Match):
            self._pair_suite(body, node.body)
        if isinstance(stmt, (cst.If, cst.For, cst.While)):
            orelse = stmt.orelse
            if isinstance(orelse, cst.If):
                if node.orelse:
                    self.pair_compound(orelse, node.orelse[0])
            elif isinstance(orelse, cst.Else):
                self._pair_suite(orelse.body, node.orelse)
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            for handler, ast_handler in zip(stmt.handlers, node.handlers):
                self._pair_suite(handler.body, ast_handler.body)
            if stmt.orelse is not None:
                self._pair_suite(stmt.orelse.body, node.orelse)
            if stmt.finalbody is not None:
                self._pair_suite(stmt.finalbody.body, node.finalbody)
        elif isinstance(stmt, cst.Match):
            for case, ast_case in zip(stmt.cases, node.cases):
                self._pair_suite(case.body, ast_case.body)


class ConversionContext:
    """What rules see: the profile, name resolution, findings, and import requests."""

    def __init__(self, analysis: Analysis, decider: Decider):
        self.analysis = analysis
        self.decider = decider
        self.profile = decider.profile
        self.changes: list[Finding] = []
        self.todos: list[Finding] = []
        self.frames: list[_Frame] = []
        self.converted_refs: Counter = Counter()
        self.converted_module_refs: Counter = Counter()  # `import a.b.c` module path -> uses rewritten
        # qname -> local name of every name the output binds at module level (for require_import)
        self.bound: dict[str, str] = {}
        self.taken_names: set[str] = set(analysis.bindings) | analysis.stored_names
        self.required: dict[str, list[tuple[str, str | None]]] = {}  # module -> [(name, asname)]
        self.required_modules: dict[str, str] = {}  # top-level module -> local name (`import m [as local]`)
        self.handed_out: set[str] = set()  # local names require_import returned: their imports must stay
        self.renames: dict[str, str] = {}
        self.definitions: dict[str, Definition] = {}  # key -> module-level code a rule added (in order)
        # id(module-level statement of the output) -> the source statement it came from (rules may remove a
        # statement or turn one into several; an untouched statement is its own origin)
        self.statement_origins: dict[int, cst.CSTNode] = {}
        self.function_depth = 0     # > 0 inside a def (rules ask "is this code run at import time?")

    # -- lines ---------------------------------------------------------------------------------------
    @property
    def line(self) -> int:
        if not self.frames:
            return 1
        frame = self.frames[-1]
        return frame.call_stack[-1] if frame.call_stack else frame.info.line

    # -- findings ------------------------------------------------------------------------------------
    def change(self, rule: str, message: str, line: int | None = None) -> None:
        self.changes.append(Finding(rule, line or self.line, message))

    def todo(self, rule: str, message: str, line: int | None = None) -> None:
        message = " ".join(message.split())
        self.todos.append(Finding(rule, line or self.line, message, todo=True))
        if self.frames:
            self.frames[-1].todos.append(f"{rule} {message}")

    # -- names ---------------------------------------------------------------------------------------
    def resolve(self, node: cst.BaseExpression) -> str | None:
        parts: list[str] = []
        while isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Name):
            return None
        binding = self.analysis.bindings.get(node.value)
        if binding is None:
            return None
        return ".".join([binding.qname, *reversed(parts)])

    def call_target(self, func: cst.BaseExpression) -> CallTarget | None:
        qname = self.resolve(func)
        if qname is None:
            return None
        decision = self.decider.decide(qname)
        return CallTarget(qname, decision.identity, decision)

    def mark_converted(self, func: cst.BaseExpression) -> None:
        """A rule rewrote a use of this (original) callee: its import may go when every use is converted."""
        node = func
        while isinstance(node, cst.Attribute):
            node = node.value
        if isinstance(node, cst.Name):
            self.converted_refs[node.value] += 1

    def require_definition(self, key: str, name: str, render, *, replaces: bool = False) -> str:
        """Add module-level code (a helper function or class a rewrite calls) once per file; return its name.

        ``render(local_name) -> str`` gives the code (it may call ``require_import`` for the names it uses). The
        code goes after the module's imports that precede its first use, with a comment saying which rule
        added it. A taken name gets a suffix, like ``require_import``; with ``replaces=True`` the code takes
        ``name`` from the file's import of that name, which goes because the rule marked every use of it
        converted (``mark_converted``)."""
        found = self.definitions.get(key)
        if found is not None:
            found.line = min(found.line, self.line)
            return found.name
        local, n = name, 2
        while local in self.taken_names and not replaces:
            local = f"{name}_{n}"
            n += 1
        self.taken_names.add(local)
        if not replaces:
            self.handed_out.add(local)
        self.definitions[key] = Definition(local, render(local), self.line)
        return local

    def require_import(self, qname: str, alias: str | None = None) -> str:
        """Make ``qname`` importable in the output and return the local name to use for it.

        ``module.Name`` is imported as ``from module import Name`` (``as alias`` when given: ``require_import(
        "kubernetes.client.models", alias="k8s")``), a dotless name as ``import module``. A name the file
        already imports at module level is used under its local name; a taken local name gets a suffix."""
        local = self._require_import(qname, alias)
        self.handed_out.add(local)
        return local

    def _require_import(self, qname: str, alias: str | None) -> str:
        if qname in self.bound:
            return self.bound[qname]
        for local, binding in self.analysis.bindings.items():
            if binding.qname == qname and binding.top_level and not binding.guarded:
                self.bound[qname] = local
                return local
        module, _, name = qname.rpartition(".")
        local = base = alias or name
        n = 2
        while local in self.taken_names:
            local = f"{base}_{n}"
            n += 1
        self.taken_names.add(local)
        self.bound[qname] = local
        if module:
            self.required.setdefault(module, []).append((name, None if local == name else local))
        else:
            self.required_modules[name] = local
        return local


class Converter(cst.CSTTransformer):
    """Visits what the analysis marked, and nothing else.

    Pruning, in two grains: a statement (simple line or compound header) holding no marked line is not
    entered; inside a visited statement, a call argument or a dict/list/set element whose source span holds no
    marked node is not entered either. A rule hook therefore sees every node of a kind it declared interest in
    (a marked call, string, dict key, subscript key, name...) and every node that encloses one, with the
    parts it only reads (argument values) unvisited but intact. Parts are paired with their ``ast`` nodes by
    source order: a statement's own calls and containers, sorted by position, are libcst's pre-order (checked
    on every pair: argument keywords and element counts; a mismatch turns the fine pruning off for the rest of
    the statement, and the call lines then degrade as before to "in order").

    Dispatch is by node type, to the handlers that have work for that type with this file's rules and renames;
    other nodes cost libcst's own traversal only (the base class's per-field attribute callbacks are skipped).
    """

    def __init__(self, ctx: ConversionContext, rules: list[Rule], pairing: _Pairing):
        super().__init__()
        self.ctx = ctx
        self.analysis = ctx.analysis
        self.pairing = pairing
        self.info = pairing.info
        self.prune_statements = pairing.ok
        self.header_comments: frozenset[str] = frozenset()
        self.skip_names: set[int] = set()
        self.prunable: dict[int, tuple[int, int]] = {}  # id(libcst argument/element) -> end of its ast span
        self._pruned: cst.CSTNode | None = None          # the node on_visit just declined to enter
        self.depth = 0  # statement nesting: 0 = module body

        def hooked(name: str) -> list[Rule]:
            return sorted((r for r in rules if hasattr(r, name)), key=lambda r: r.order)

        self.call_rules = hooked("leave_call")
        self.string_rules = hooked("leave_string")
        self.function_rules = hooked("leave_function")
        self.dict_rules = hooked("leave_dict")
        self.subscript_rules = hooked("leave_subscript")
        self.statement_rules = hooked("leave_statement")
        renames = bool(ctx.renames)

        visit: dict[type, Callable[[cst.CSTNode], bool]] = {}
        leave: dict[type, Callable] = {}
        for kind in _statement_types():
            visit[kind] = self._visit_statement
            leave[kind] = self._end_statement
        visit[cst.Module] = self._visit_module
        visit[cst.FunctionDef] = self._visit_function
        visit[cst.Import] = visit[cst.ImportFrom] = self._decline  # rewritten as a whole, not name by name
        visit[cst.Call] = self._visit_call
        for kind in _TRIVIA:  # no rule looks inside whitespace, comments or punctuation: libcst keeps them as is
            visit[kind] = _no_children
        for kind in _LEAVES:  # their only children are parentheses; their leave hooks still run (libcst calls
            visit[kind] = _no_children  # on_leave after a False on_visit)
        for kind in _CONTAINERS:
            visit[kind] = self._visit_container
        for kind in (cst.Arg, cst.Element, cst.StarredElement, cst.DictElement, cst.StarredDictElement):
            visit[kind] = self._visit_part
        if renames:  # names that are not references: never renamed
            visit[cst.Attribute] = self._visit_attribute
            visit[cst.Param] = self._visit_param
            visit[cst.ClassDef] = self._visit_class
            leave[cst.Name] = self.leave_Name
        leave[cst.Module] = self.leave_Module
        leave[cst.Attribute] = self.leave_Attribute
        leave[cst.Call] = self.leave_Call
        leave[cst.FunctionDef] = self.leave_FunctionDef
        leave[cst.SimpleStatementLine] = self.leave_SimpleStatementLine
        if self.statement_rules:
            leave[cst.SimpleStatementSuite] = self._apply_statement_rules
        if self.string_rules:
            leave[cst.SimpleString] = self.leave_SimpleString
        if self.dict_rules:
            leave[cst.Dict] = self.leave_Dict
        if self.subscript_rules:
            leave[cst.Subscript] = self.leave_Subscript
        self._visit = visit
        self._leave = leave

    # -- dispatch --------------------------------------------------------------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        handler = self._visit.get(type(node))
        return True if handler is None else handler(node)

    def on_leave(self, original_node, updated_node):
        if original_node is self._pruned:
            self._pruned = None
            return updated_node
        handler = self._leave.get(type(original_node))
        return updated_node if handler is None else handler(original_node, updated_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None  # no visit_<Node>_<field> hooks here: skip libcst's lookup per field

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None

    def _decline(self, node: cst.CSTNode) -> bool:
        self._pruned = node
        return False

    # -- statements ------------------------------------------------------------------------------------
    def _visit_statement(self, node: cst.CSTNode) -> bool:
        info = self.info.get(id(node))
        if info is not None:
            if self.prune_statements and not self.analysis.any_interesting(info.start, info.end):
                return self._decline(node)
            tracked, fine = _own_nodes(info)
            self.ctx.frames.append(_Frame(info, tracked, fine and self.prune_statements))
            self.depth += 1
        return True

    def _end_statement(self, original_node, result):
        if id(original_node) in self.info:
            if isinstance(result, cst.SimpleStatementLine) and self.depth > 1:
                result = self._rewrite_nested_imports(result)
            frame = self.ctx.frames.pop()
            self.depth -= 1
            if frame.todos:
                result = attach_todos(result, frame.todos, self.header_comments if self.depth == 0 else frozenset())
            if self.depth == 0:  # a module-level statement: what it became (none, one or several)
                nodes = result.nodes if isinstance(result, cst.FlattenSentinel) else \
                    () if isinstance(result, cst.RemovalSentinel) else (result,)
                for node in nodes:
                    self.ctx.statement_origins[id(node)] = original_node
        return result

    def _visit_module(self, node: cst.Module) -> bool:
        self.header_comments = frozenset(line.comment.value for line in node.header if line.comment is not None)
        return True

    def _visit_function(self, node: cst.FunctionDef) -> bool:
        if not self._visit_statement(node):
            return False
        self.skip_names.add(id(node.name))
        self.ctx.function_depth += 1
        return True

    def _visit_class(self, node: cst.ClassDef) -> bool:
        if not self._visit_statement(node):
            return False
        self.skip_names.add(id(node.name))
        return True

    # -- calls, containers and their parts (pruning below statement level) ------------------------------
    def _take(self, frame: _Frame, kind: type) -> ast.AST | None:
        """The ``ast`` node of the libcst node of that kind being entered: the statement's next tracked one."""
        tracked, i = frame.tracked, frame.index
        while i < len(tracked) and type(tracked[i]) is not kind:
            i += 1
            frame.fine = False  # libcst and ast disagree here: trust the order no further in this statement
        if i >= len(tracked):
            frame.index = i
            frame.fine = False
            return None
        frame.index = i + 1
        return tracked[i]

    def _plan_parts(self, frame: _Frame, parts, spans: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
        marked_within = self.analysis.marked_within
        for part, (start, end) in zip(parts, spans):
            if not marked_within(start, end):
                self.prunable[id(part)] = end

    def _visit_call(self, node: cst.Call) -> bool:
        if not self.ctx.frames:
            return True
        frame = self.ctx.frames[-1]
        call = self._take(frame, ast.Call)
        frame.call_stack.append(call.lineno if call is not None else frame.info.line)
        if call is not None and frame.fine:
            children = sorted((*call.args, *call.keywords), key=_start)
            if len(children) == len(node.args) and all(
                    (a.keyword.value if a.keyword is not None else None) == getattr(c, "arg", None)
                    for a, c in zip(node.args, children)):
                self._plan_parts(frame, node.args, [(_start(c), (c.end_lineno, c.end_col_offset))
                                                    for c in children])
            else:
                frame.fine = False
        return True

    def _visit_container(self, node: cst.Dict | cst.List | cst.Set) -> bool:
        if not self.ctx.frames:
            return True
        frame = self.ctx.frames[-1]
        container = self._take(frame, _CONTAINERS[type(node)])
        if container is None or not frame.fine:
            return True
        if isinstance(container, ast.Dict):
            spans = [(_start(k if k is not None else v), (v.end_lineno, v.end_col_offset))
                     for k, v in zip(container.keys, container.values)]
            shape = [k is None for k in container.keys]
            starred = cst.StarredDictElement
        else:
            spans = [(_start(e), (e.end_lineno, e.end_col_offset)) for e in container.elts]
            shape = [isinstance(e, ast.Starred) for e in container.elts]
            starred = cst.StarredElement
        if len(shape) == len(node.elements) and all(
                isinstance(e, starred) == s for e, s in zip(node.elements, shape)):
            self._plan_parts(frame, node.elements, spans)
        else:
            frame.fine = False
        return True

    def _visit_part(self, node: cst.CSTNode) -> bool:
        end = self.prunable.pop(id(node), None)
        if end is not None:
            # not entered: step over the tracked nodes inside it, which libcst will not visit
            frame = self.ctx.frames[-1]
            tracked, i = frame.tracked, frame.index
            while i < len(tracked) and _start(tracked[i]) < end:
                i += 1
            frame.index = i
            return self._decline(node)
        if self.ctx.renames and type(node) is cst.Arg and node.keyword is not None:
            self.skip_names.add(id(node.keyword))
        return True

    # -- names -----------------------------------------------------------------------------------------
    def _visit_attribute(self, node: cst.Attribute) -> bool:
        self.skip_names.add(id(node.attr))
        return True

    def _visit_param(self, node: cst.Param) -> bool:
        self.skip_names.add(id(node.name))
        return True

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.ctx.renames.get(original_node.value)
        if new and id(original_node) not in self.skip_names:
            return updated_node.with_changes(value=new)
        return updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        qname = self.ctx.resolve(original_node)
        if qname is None:
            return updated_node
        decision = self.ctx.decider.decide(qname)
        if decision.action is Action.MOVE:
            local = self.ctx.require_import(decision.new_qname)
            self.ctx.mark_converted(original_node)
            if self.analysis.plain_modules:
                prefix = _dotted(original_node.value)
                while prefix:
                    if prefix in self.analysis.plain_modules:
                        self.ctx.converted_module_refs[prefix] += 1
                    prefix = prefix.rpartition(".")[0]
            self.ctx.change(decision.rule, f"{qname} -> {decision.new_qname}")
            return cst.Name(local)
        return updated_node

    # -- rule hooks ----------------------------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        result = self._apply_call_rules(original_node, updated_node)
        if self.ctx.frames and self.ctx.frames[-1].call_stack:
            self.ctx.frames[-1].call_stack.pop()
        return result

    def _apply_call_rules(self, original_node: cst.Call, updated_node: cst.Call):
        target = self.ctx.call_target(original_node.func)
        todos_before = len(self.ctx.todos)
        result: cst.BaseExpression = updated_node
        for rule in self.call_rules:
            if not isinstance(result, cst.Call):
                break
            mark = len(self.ctx.changes)
            new = rule.leave_call(self.ctx, result, target)
            repeated = _repeated_keyword(new) if new is not result and isinstance(new, cst.Call) else None
            if repeated and _repeated_keyword(result) != repeated:  # its output would not even compile
                del self.ctx.changes[mark:]
                self.ctx.todo(rule.code, f"converting this call would pass {repeated}= twice (the call already "
                                         f"passes one of the names that become {repeated}): keep one by hand")
                continue
            result = new
        if (isinstance(result, cst.Call) and target is not None and target.decision.action is Action.REPLACE
                and result.func is updated_node.func and len(self.ctx.todos) == todos_before):
            self.ctx.todo(target.decision.rule, f"{target.qname} was not converted: {target.decision.reason}")
        return result

    def leave_SimpleString(self, original_node, updated_node):
        result = updated_node
        for rule in self.string_rules:
            if not isinstance(result, cst.SimpleString):
                break
            result = rule.leave_string(self.ctx, result)
        return result

    def leave_FunctionDef(self, original_node, updated_node):
        self.ctx.function_depth -= 1
        result = updated_node
        for rule in self.function_rules:
            if not isinstance(result, cst.FunctionDef):
                break
            result = rule.leave_function(self.ctx, result)
        return self._end_statement(original_node, result)

    def leave_Dict(self, original_node, updated_node):
        result = updated_node
        for rule in self.dict_rules:
            if not isinstance(result, cst.Dict):
                break
            result = rule.leave_dict(self.ctx, result)
        return result

    def leave_Subscript(self, original_node, updated_node):
        result = updated_node
        for rule in self.subscript_rules:
            if not isinstance(result, cst.Subscript):
                break
            result = rule.leave_subscript(self.ctx, result)
        return result

    def _apply_statement_rules(self, original_node, updated_node):
        """``leave_statement`` hooks on a simple line, or a one-line suite (``if x: a; b``, whose TODOs go
        above the compound statement)."""
        result = updated_node
        for rule in self.statement_rules:
            if not isinstance(result, type(updated_node)):
                break
            result = rule.leave_statement(self.ctx, result)
        return result

    def leave_SimpleStatementLine(self, original_node, updated_node):
        return self._end_statement(original_node, self._apply_statement_rules(original_node, updated_node))

    # -- imports ---------------------------------------------------------------------------------------
    def _rewrite_nested_imports(self, line: cst.SimpleStatementLine):
        info_line = self.ctx.frames[-1].info.line if self.ctx.frames else 1
        lines = import_edits.rewrite_import_line(line, self.ctx, info_line, deferred=False)
        if lines is None:
            return line
        return cst.FlattenSentinel(lines) if len(lines) != 1 else lines[0]

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return import_edits.finish_module(original_node, updated_node, self.ctx, self.pairing.info)


def _repeated_keyword(call: cst.Call) -> str | None:
    """A keyword the call passes twice (a SyntaxError), else None."""
    seen: set[str] = set()
    for a in call.args:
        if a.keyword is not None:
            if a.keyword.value in seen:
                return a.keyword.value
            seen.add(a.keyword.value)
    return None


def _no_children(node: cst.CSTNode) -> bool:
    return False


def _trivia_types() -> tuple[type, ...]:
    """Whitespace, comment, punctuation and operator nodes: most of what a visit meets, and nothing a rule
    changes (TODO comments are added to statements). Not visiting them spares libcst rebuilding each one."""
    kinds: list[type] = [cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.Newline, cst.TrailingWhitespace,
                         cst.EmptyLine, cst.Comment, cst.Comma, cst.Colon, cst.Dot, cst.Semicolon, cst.AssignEqual,
                         cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
                         cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.ImportStar]
    todo = [cst.BaseBinaryOp, cst.BaseUnaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseAugOp]
    while todo:
        base = todo.pop()
        for sub in base.__subclasses__():
            todo.append(sub)
            if not getattr(sub, "__abstractmethods__", None):
                kinds.append(sub)
    return tuple(kinds)


def _statement_types() -> list[type]:
    """libcst's statement node types the pairing may have paired (simple lines and compound statements)."""
    found, todo = [cst.SimpleStatementLine], [cst.BaseCompoundStatement]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            found.append(sub)
    return found


def _dotted(node: cst.BaseExpression) -> str:
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return ""
    parts.append(node.value)
    return ".".join(reversed(parts))


def attach_todos(stmt, todos: list[str], already: frozenset[str] = frozenset()):
    """Put ``# TODO(airflow2): ...`` lines above a statement, once each (a re-run adds nothing).

    already: comments above the statement that libcst keeps elsewhere (the module header, for the first
    statement of a file)."""
    if isinstance(stmt, cst.FlattenSentinel):
        nodes = list(stmt.nodes)
        if not nodes:
            return stmt
        nodes[0] = attach_todos(nodes[0], todos, already)
        return cst.FlattenSentinel(nodes)
    if not hasattr(stmt, "leading_lines"):
        return stmt
    existing = {line.comment.value for line in stmt.leading_lines if line.comment is not None} | set(already)
    added = []
    for text in todos:
        comment = TODO_PREFIX + text
        if comment not in existing:
            existing.add(comment)
            added.append(cst.EmptyLine(comment=cst.Comment(comment)))
    if not added:
        return stmt
    return stmt.with_changes(leading_lines=[*stmt.leading_lines, *added])


_TRIVIA = _trivia_types()
_LEAVES = (cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary)
