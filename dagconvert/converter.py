"""The one libcst pass over a file: visits only statements the analysis marked, applies every rule there,
rewrites imports, and records findings with source line numbers.

Import statements directly in the module body are rewritten last (in ``leave_Module``), when it is known
whether every use of a replaced class was converted: an import is only dropped when nothing still needs it.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field

import libcst as cst

from dagconvert import imports as import_edits
from dagconvert.analysis import Analysis
from dagconvert.decisions import Action, Decider
from dagconvert.model import Finding
from dagconvert.rules.base import CallTarget, Rule

TODO_PREFIX = "# TODO(airflow2): "

_SUITE_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


@dataclass
class _StmtInfo:
    start: int
    end: int
    line: int
    call_lines: list[int]


@dataclass
class _Frame:
    info: _StmtInfo
    call_index: int = 0
    call_stack: list[int] = field(default_factory=list)  # lines of the calls being visited, innermost last
    todos: list[str] = field(default_factory=list)


def _own_calls(node: ast.stmt) -> list[int]:
    """Lines of the calls in a statement, in source order, excluding nested statements' calls."""
    roots: list[ast.AST]
    if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try,
                         ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Match)) or (
        hasattr(ast, "TryStar") and isinstance(node, ast.TryStar)
    ):
        roots = [v for name, v in ast.iter_fields(node) if name not in _SUITE_FIELDS]
    else:
        roots = [node]
    calls: list[ast.Call] = []
    stack: list = list(roots)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, ast.AST):
            if isinstance(item, ast.Call):
                calls.append(item)
            stack.extend(ast.iter_child_nodes(item))
    calls.sort(key=lambda c: (c.lineno, c.col_offset, -(c.end_lineno or 0), -(c.end_col_offset or 0)))
    return [c.lineno for c in calls]


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
                calls = [line for a in nodes for line in _own_calls(a)]
                self.info[id(stmt)] = _StmtInfo(start, end, nodes[0].lineno, calls)
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
        self.info[id(stmt)] = _StmtInfo(start, end, node.lineno, _own_calls(node))
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
        self.taken_names: set[str] = set(analysis.bindings)
        self.required: dict[str, list[tuple[str, str | None]]] = {}  # module -> [(name, asname)]
        self.required_modules: dict[str, str] = {}  # top-level module -> local name (`import m [as local]`)
        self.handed_out: set[str] = set()  # local names require_import returned: their imports must stay
        self.renames: dict[str, str] = {}
        self.function_depth = 0     # > 0 inside a def (rules ask "is this code run at import time?")
        self._collect_names()

    def _collect_names(self) -> None:
        for node in ast.walk(self.analysis.tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.taken_names.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.taken_names.add(node.name)

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
    def __init__(self, ctx: ConversionContext, rules: list[Rule], pairing: _Pairing):
        super().__init__()
        self.ctx = ctx
        self.analysis = ctx.analysis
        self.pairing = pairing
        self.pruned: set[int] = set()
        self.header_comments: frozenset[str] = frozenset()
        self.skip_names: set[int] = set()
        self.depth = 0  # statement nesting: 0 = module body
        self.call_rules = sorted((r for r in rules if hasattr(r, "leave_call")), key=lambda r: r.order)
        self.string_rules = sorted((r for r in rules if hasattr(r, "leave_string")), key=lambda r: r.order)
        self.function_rules = sorted((r for r in rules if hasattr(r, "leave_function")), key=lambda r: r.order)
        self.dict_rules = sorted((r for r in rules if hasattr(r, "leave_dict")), key=lambda r: r.order)
        self.subscript_rules = sorted((r for r in rules if hasattr(r, "leave_subscript")), key=lambda r: r.order)
        self.statement_rules = sorted((r for r in rules if hasattr(r, "leave_statement")), key=lambda r: r.order)

    # -- pruning and statement frames ----------------------------------------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        info = self.pairing.info.get(id(node))
        if info is not None:
            if self.pairing.ok and not self.analysis.any_interesting(info.start, info.end):
                self.pruned.add(id(node))
                return False
            self.ctx.frames.append(_Frame(info))
            self.depth += 1
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            return False  # import statements are rewritten as a whole, not name by name
        elif isinstance(node, cst.Call) and self.ctx.frames:
            frame = self.ctx.frames[-1]
            lines = frame.info.call_lines
            frame.call_stack.append(lines[frame.call_index] if frame.call_index < len(lines) else frame.info.line)
            frame.call_index += 1
        return super().on_visit(node)

    def on_leave(self, original_node, updated_node):
        if id(original_node) in self.pruned:
            return updated_node
        result = super().on_leave(original_node, updated_node)
        if id(original_node) in self.pairing.info:
            if isinstance(result, cst.SimpleStatementLine) and self.depth > 1:
                result = self._rewrite_nested_imports(result)
            frame = self.ctx.frames.pop()
            self.depth -= 1
            if frame.todos:
                result = attach_todos(result, frame.todos, self.header_comments if self.depth == 0 else frozenset())
        return result

    def visit_Module(self, node: cst.Module) -> None:
        self.header_comments = frozenset(line.comment.value for line in node.header if line.comment is not None)

    # -- names -----------------------------------------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.skip_names.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.skip_names.add(id(node.keyword))

    def visit_Param(self, node: cst.Param) -> None:
        self.skip_names.add(id(node.name))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.skip_names.add(id(node.name))
        self.ctx.function_depth += 1


    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.skip_names.add(id(node.name))

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
            result = rule.leave_call(self.ctx, result, target)
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
        return result

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

    def leave_SimpleStatementLine(self, original_node, updated_node):
        result = updated_node
        for rule in self.statement_rules:
            if not isinstance(result, type(updated_node)):
                break
            result = rule.leave_statement(self.ctx, result)
        return result

    leave_SimpleStatementSuite = leave_SimpleStatementLine  # `if x: a; b` (its TODOs go above the compound)

    # -- imports ---------------------------------------------------------------------------------------
    def _rewrite_nested_imports(self, line: cst.SimpleStatementLine):
        info_line = self.ctx.frames[-1].info.line if self.ctx.frames else 1
        lines = import_edits.rewrite_import_line(line, self.ctx, info_line, deferred=False)
        if lines is None:
            return line
        return cst.FlattenSentinel(lines) if len(lines) != 1 else lines[0]

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return import_edits.finish_module(original_node, updated_node, self.ctx, self.pairing.info)


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
