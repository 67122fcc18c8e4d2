"""Import statement edits: move names to their Airflow 2 homes in place (keeping the line's comments),
drop imports nothing uses any more, and add the imports rules asked for next to the existing ones.

Written by hand instead of libcst's AddImportsVisitor/RemoveImportsVisitor because those walk the whole
tree again (the engine's cost budget is one partial walk); the edits here touch import lines only.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from dagconvert.decisions import Action

if TYPE_CHECKING:
    from dagconvert.converter import ConversionContext

RULE_MOVE = "AM101"
RULE_TODO = "AM102"
RULE_GUARDED = "AM103"


def dotted(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    raise TypeError(f"not a dotted name: {node!r}")


def build_dotted(path: str) -> cst.Attribute | cst.Name:
    parts = path.split(".")
    node: cst.Attribute | cst.Name = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _alias(name: str, asname: str | None) -> cst.ImportAlias:
    return cst.ImportAlias(
        name=cst.Name(name),
        asname=cst.AsName(name=cst.Name(asname)) if asname and asname != name else None,
    )


def _with_names(node: cst.ImportFrom, names: list[cst.ImportAlias]) -> cst.ImportFrom:
    fixed = list(names)
    if fixed:
        last = fixed[-1]
        had_trailing_comma = isinstance(node.names, (list, tuple)) and node.names and not isinstance(
            node.names[-1].comma, cst.MaybeSentinel) and node.lpar is not None
        if not had_trailing_comma:
            fixed[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=fixed)


def _from_line(module: str, aliases: list[tuple[str, str | None]], template: cst.SimpleStatementLine | None):
    stmt = cst.ImportFrom(module=build_dotted(module), names=[_alias(n, a) for n, a in aliases])
    if template is None:
        return cst.SimpleStatementLine(body=[stmt])
    return template.with_changes(body=[stmt], leading_lines=())


def rewrite_import_line(line: cst.SimpleStatementLine, ctx: ConversionContext, source_line: int,
                        *, deferred: bool) -> list[cst.SimpleStatementLine] | None:
    """New lines for one import line, or None when it stays as it is.

    deferred=True (module-level lines, rewritten after the whole file was visited): a name whose uses were
    all restructured by a rule is dropped; otherwise it stays, with a TODO.
    """
    if len(line.body) != 1 or not isinstance(line.body[0], (cst.Import, cst.ImportFrom)):
        return None
    stmt = line.body[0]
    bindings = ctx.analysis.bindings
    if isinstance(stmt, cst.ImportFrom):
        if stmt.relative or stmt.module is None or isinstance(stmt.names, cst.ImportStar):
            return None
        module = dotted(stmt.module)
        kept: list[cst.ImportAlias] = []
        moved: dict[str, list[tuple[str, str | None]]] = {}
        changed = False
        for alias in stmt.names:
            name = dotted(alias.name)
            asname = alias.asname.name.value if alias.asname else None
            local = asname or name
            binding = bindings.get(local)
            in_try_body = source_line in ctx.analysis.guarded_try_body_lines
            guarded_move = in_try_body and ctx.decider.decide(f"{module}.{name}").action is Action.MOVE
            new_home = _guarded_module_move(ctx, f"{module}.{name}", local) if in_try_body and binding else None
            if new_home is not None and binding.guarded and not guarded_move:
                # `try: from airflow.contrib.operators import gcs_to_bq` (a module) whose every attribute use
                # moved to one Airflow 2 module: import that module under the same name, so the guard keeps
                # its meaning (a missing provider still raises ImportError) and `gcs_to_bq is not None` holds.
                new_module, _, new_name = new_home.rpartition(".")
                moved.setdefault(new_module, []).append((new_name, local))
                ctx.change(RULE_MOVE, f"guarded module import {module}.{name} -> {new_home} as {local}", source_line)
                changed = True
                continue
            if binding is not None and binding.guarded and not guarded_move:
                # The `except ImportError:` fallback is the author's choice: left alone. (A drop-in move in the
                # `try:` body keeps the guard's meaning - a missing new path still raises ImportError - so it
                # is rewritten like any import.)
                kept.append(alias)
                decision = ctx.decider.decide(f"{module}.{name}")
                if decision.action in (Action.TODO, Action.REPLACE) and deferred is False:
                    ctx.todo(RULE_GUARDED, f"guarded import of {module}.{name} left alone, but it does not "
                             f"import on profile {ctx.profile.name}: {decision.reason}", source_line)
                continue
            qname = f"{module}.{name}"
            decision = ctx.decider.decide(qname)
            if deferred and decision.action is not Action.REPLACE and _every_use_converted(ctx, local):
                ctx.change(RULE_MOVE, f"import {qname} dropped: every use was rewritten", source_line)
                changed = True
            elif decision.action is Action.MOVE:
                new_module, _, new_name = decision.new_qname.rpartition(".")
                new_local = asname or ctx.renames.get(local) or local
                moved.setdefault(new_module, []).append((new_name, new_local))
                ctx.change(decision.rule, f"import {qname} -> {decision.new_qname}", source_line)
                changed = True
            elif decision.action is Action.REPLACE and deferred:
                uses = ctx.analysis.ref_counts.get(local, 0)
                if ctx.converted_refs.get(local, 0) >= uses:
                    ctx.change(decision.rule, f"import {qname} dropped: every use now calls {decision.new_qname}",
                               source_line)
                    changed = True
                else:
                    kept.append(alias)
                    ctx.todo(decision.rule, f"{uses - ctx.converted_refs.get(local, 0)} use(s) of {local} "
                             f"({qname}) could not be converted to {decision.new_qname}: {decision.reason}",
                             source_line)
            elif decision.action in (Action.TODO, Action.REPLACE):
                kept.append(alias)
                ctx.todo(decision.rule, decision.reason, source_line)
            else:
                kept.append(alias)
        if not changed:
            return None
        out: list[cst.SimpleStatementLine] = []
        if kept:
            out.append(line.with_changes(body=[_with_names(stmt, kept)]))
        for new_module, aliases in moved.items():
            out.append(_from_line(new_module, aliases, line))
        if not out:
            return [cst.SimpleStatementLine(body=[cst.Pass()], leading_lines=line.leading_lines)] if not deferred \
                else []
        out[0] = out[0].with_changes(leading_lines=line.leading_lines)
        return out

    # `import a.b.c` / `import a.b.c as m`: references were rewritten one by one (leave_Attribute); the
    # import goes when none is left.
    kept_aliases: list[cst.ImportAlias] = []
    changed = False
    for alias in stmt.names:
        name = dotted(alias.name)
        local = alias.asname.name.value if alias.asname else name.split(".")[0]
        if not alias.asname and "." in name:
            # `import a.b.c` binds `a`; what counts is the uses spelled through `a.b.c.`
            uses = ctx.analysis.module_refs.get(name, 0)
            converted = ctx.converted_module_refs.get(name, 0)
        else:
            uses = ctx.analysis.ref_counts.get(local, 0)
            converted = ctx.converted_refs.get(local, 0)
        if deferred and converted and converted >= uses and name.startswith("airflow."):
            ctx.change(RULE_MOVE, f"import {name} dropped: every use was moved", source_line)
            changed = True
        else:
            kept_aliases.append(alias)
    if not changed:
        return None
    if not kept_aliases:
        return []
    kept_aliases[-1] = kept_aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return [line.with_changes(body=[stmt.with_changes(names=kept_aliases)])]


def _guarded_module_move(ctx: ConversionContext, qname: str, local: str) -> str | None:
    """The one Airflow 2 module that every ``local.<name>`` use of the 1.10 module ``qname`` moves to, or None.

    None unless ``qname`` is a module (not itself a moved name), ``local`` is used through attributes at least
    once, each such use is a drop-in move (Action.MOVE) and all of them land in the same module; then
    ``from <parent> import <module> as local`` binds what the rewritten uses need, exactly."""
    if ctx.decider.decide(qname).action is Action.MOVE:
        return None
    homes: set[str] = set()
    for node in ctx.analysis.nodes:  # the analysis' one walk of the tree
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == local:
            decision = ctx.decider.decide(f"{qname}.{node.attr}")
            if decision.action is not Action.MOVE:
                return None
            homes.add(decision.new_qname.rpartition(".")[0])
    return homes.pop() if len(homes) == 1 else None


def _every_use_converted(ctx: ConversionContext, local: str) -> bool:
    """A rule rewrote every reference to this imported name (``ctx.mark_converted``) and no rule asked for
    it (``require_import``): nothing needs it."""
    converted = ctx.converted_refs.get(local, 0)
    return converted > 0 and converted >= ctx.analysis.ref_counts.get(local, 0) and local not in ctx.handed_out


def _is_import_line(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)


def _is_docstring_or_future(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    small = stmt.body[0]
    if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    return isinstance(small, cst.ImportFrom) and small.module is not None and dotted(small.module) == "__future__"


def finish_module(original: cst.Module, updated: cst.Module, ctx: ConversionContext, infos) -> cst.Module:
    """Rewrite module-level import lines and add the imports rules required."""
    from dagconvert.converter import attach_todos

    body: list[cst.BaseStatement] = []
    touched = False
    carried: list[cst.EmptyLine] = []  # comments above a dropped import move to the next statement
    ends: dict[int, int] = {}  # id(statement in body) -> its last source line
    header = frozenset(line.comment.value for line in updated.header if line.comment is not None)
    for index, stmt in enumerate(updated.body):
        orig_stmt = ctx.statement_origins.get(id(stmt), stmt)
        already = header if index == 0 else frozenset()
        if carried and hasattr(stmt, "leading_lines"):
            stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines])
            carried = []
        if _is_import_line(stmt):
            info = infos.get(id(orig_stmt))
            todo_mark = len(ctx.todos)
            new_lines = rewrite_import_line(stmt, ctx, info.line if info else 1, deferred=True)
            new_todos = [f"{t.rule} {t.message}" for t in ctx.todos[todo_mark:]]
            if new_lines is not None:
                touched = True
                if not new_lines:
                    carried = [ll for ll in stmt.leading_lines if ll.comment is not None]
                    continue
                if new_todos:
                    new_lines[0] = attach_todos(new_lines[0], new_todos, already)
                body.extend(new_lines)
                continue
            if new_todos:
                touched = True
                stmt = attach_todos(stmt, new_todos, already)
        if id(orig_stmt) in infos:
            ends[id(stmt)] = infos[id(orig_stmt)].end
        body.append(stmt)
    if ctx.required or ctx.required_modules:
        touched = True
        body = _add_required_imports(body, ctx)
    if ctx.definitions:
        touched = True
        body = _add_definitions(body, ctx, ends)
    if not touched:
        return updated
    return updated.with_changes(body=body)


def _add_required_imports(body: list[cst.BaseStatement], ctx: ConversionContext) -> list[cst.BaseStatement]:
    body = list(body)
    remaining = dict(ctx.required)
    # merge into an existing module-level `from M import ...` line
    for i, stmt in enumerate(body):
        if not _is_import_line(stmt) or len(stmt.body) != 1:
            continue
        node = stmt.body[0]
        if not isinstance(node, cst.ImportFrom) or node.relative or node.module is None or isinstance(
                node.names, cst.ImportStar):
            continue
        module = dotted(node.module)
        if module in remaining:
            extra = [_alias(n, a) for n, a in remaining.pop(module)]
            names = list(node.names)
            names[-1] = names[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            body[i] = stmt.with_changes(body=[_with_names(node, names + extra)])
    if not remaining and not ctx.required_modules:
        return body
    insert_at = 0
    for i, stmt in enumerate(body):
        if _is_import_line(stmt) or (i == insert_at and _is_docstring_or_future(stmt)):
            insert_at = i + 1
    new_lines = [_module_line(module, local) for module, local in sorted(ctx.required_modules.items())]
    new_lines += [_from_line(module, aliases, None) for module, aliases in sorted(remaining.items())]
    return body[:insert_at] + new_lines + body[insert_at:]


def _add_definitions(body: list[cst.BaseStatement], ctx: ConversionContext,
                     ends: dict[int, int]) -> list[cst.BaseStatement]:
    """Put the rules' module-level definitions after the imports above their first use."""
    first_use = min(d.line for d in ctx.definitions.values())
    use_at = next((i for i, stmt in enumerate(body) if ends.get(id(stmt), 0) >= first_use), len(body))
    insert_at = next((j + 1 for j in range(use_at - 1, -1, -1) if _is_import_line(body[j])), None)
    if insert_at is None:
        insert_at = next((i + 1 for i, stmt in enumerate(body[:use_at]) if _is_docstring_or_future(stmt)), 0)
    two_blank = [cst.EmptyLine(), cst.EmptyLine()]
    added: list[cst.BaseStatement] = []
    for definition in ctx.definitions.values():
        code = cst.parse_module(definition.code)  # its leading comment lines are the module's header
        for k, stmt in enumerate(code.body):
            added.append(stmt.with_changes(leading_lines=[*two_blank, *code.header, *stmt.leading_lines])
                         if k == 0 else stmt)
    if insert_at < len(body):
        following = body[insert_at]
        blank = 0
        for line in following.leading_lines:
            if line.comment is not None:
                break
            blank += 1
        if blank < 2:
            body = [*body[:insert_at], following.with_changes(
                leading_lines=[*[cst.EmptyLine()] * (2 - blank), *following.leading_lines]), *body[insert_at + 1:]]
    return body[:insert_at] + added + body[insert_at:]


def _module_line(module: str, local: str) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[cst.Import(names=[_alias(module, local)])])
