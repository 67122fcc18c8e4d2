"""AM110-AM113: names an Airflow 1.10 DAG file imports from python-future (the `future` distribution: packages
``future`` and ``past``), which Airflow 1.10 required (1.10.15's setup.py: ``future>=0.16.0,<0.19``) and Airflow 2
does not. In the default profile nothing else installs it either (its constraints.txt pins no ``future``), so
such an import fails with ModuleNotFoundError and the DAG does not load. ``six`` is still installed (1.17.0 in
both profiles) and ``from builtins import ...`` is Python 3's own module: neither is touched.

What each name is on Python 3 is a row of ``dagconvert/tables/python2_compat.json``, read from python-future
0.18.2's sources (data, not branches here); a row is used only when the target profile's constraints.txt does not
pin the distribution:

- AM110 ``to``: an exact Python 3 equivalent; the import is rewritten, the name kept as the file's local name
  (``from past.builtins import unicode`` -> ``from builtins import str as unicode``; ``from
  future.moves.urllib.parse import urlencode`` -> ``from urllib.parse import urlencode``). A row with
  ``differences`` (``future.backports.urllib.parse``, python-future's copy of Python 3.3's module) is rewritten
  too, with a TODO naming the differences. A name with no exact equivalent (``past.builtins.cmp``, a name the
  table does not list) stays with a TODO saying what to write, or to add `future` to the environment.
- AM111 ``no_op_call``: ``standard_library.install_aliases()`` returns at once on Python 3: the call statement is
  removed (``pass`` when comments are on it), and the import with it when those calls are its only uses.
- AM112 ``isinstance``: past's ``basestring`` is a class whose metaclass answers ``isinstance(x, (bytes, str))``;
  ``isinstance(x, basestring)`` becomes ``isinstance(x, (str, bytes))`` when every use of the name is such a
  check (0.18.2 has no ``issubclass`` hook, so other uses keep a TODO).
- AM113 ``helper``: a function whose Python 3 behaviour is not one builtin (``old_div``: floor division of two
  integers, true division otherwise; ``iteritems``: the object's own ``iteritems()`` if it has one, else its
  ``items()`` view) is defined in the file as python-future defines it, under the same name, and the import goes.

Module-level imports only (a name imported inside a function is moved when its row has ``to``, else TODO);
imports inside ``try: ... except ImportError:`` are the author's fallback and are left alone. An unused
module-level import of such a name goes (it would only fail).
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass

import libcst as cst

from dagconvert import tables
from dagconvert.analysis import Analysis, Interest
from dagconvert.imports import build_dotted, dotted
from dagconvert.rules import cstutil
from dagconvert.rules.base import Example, Rule

MOVE, NO_OP, ISINSTANCE, HELPER = "AM110", "AM111", "AM112", "AM113"

_TABLE = tables.python2_compat()
_NAMES: dict[str, dict] = _TABLE["names"]
_MODULES: dict[str, dict] = _TABLE["modules"]
_TOP_TO_DIST = {top: dist for dist, tops in _TABLE["distributions"].items() for top in tops}
_NO_OPS = frozenset(q for q, row in _NAMES.items() if row.get("no_op_call"))
_ISINSTANCE = frozenset(q for q, row in _NAMES.items() if "isinstance" in row)


def absent_tops(profile) -> frozenset[str]:
    """The table's top-level modules whose distribution the profile does not install (empty when unknown)."""
    pinned = profile.installed_distributions
    if pinned is None:
        return frozenset()
    return frozenset(top for top, dist in _TOP_TO_DIST.items() if dist not in pinned)


def equivalent(qname: str) -> tuple[str, dict] | None:
    """(the Python 3 path, its row) for a name with a ``to`` row, or a name of (or in) a moved module."""
    row = _NAMES.get(qname)
    if row is not None:
        return (row["to"], row) if "to" in row else None
    module = qname
    while module:
        row = _MODULES.get(module)
        if row is not None:
            return row["to"] + qname[len(module):], row
        module = module.rpartition(".")[0]
    return None


@dataclass(frozen=True)
class Handling:
    """What happens to one import binding: ``move`` (to ``new``), ``helper``, ``isinstance``, ``no_op`` (its
    only uses are no-op calls), ``unused`` (those four drop the import), or ``todo`` (``note`` says why)."""

    kind: str
    qname: str
    new: str = ""
    row: dict | None = None
    note: str = ""
    first_use: int = 0


_PLAN_KEY = "python2_compat.plan"
_DROPPED = frozenset({"helper", "isinstance", "no_op", "unused"})


def _builtin_names_free(analysis: Analysis) -> bool:
    """``isinstance``, ``str`` and ``bytes`` are the builtins in this file (what AM112 writes relies on it)."""
    for name in ("isinstance", "str", "bytes"):
        binding = analysis.bindings.get(name)
        if name in analysis.stored_names or (binding is not None and binding.qname != f"builtins.{name}"):
            return False
    return True


def _uses(analysis: Analysis, locals_: set[str]) -> tuple[Counter, Counter, dict[str, int]]:
    """Per local name: references that are an ``isinstance`` second argument (or in its tuple), references
    that are the callee root of a no-op call statement, and the first line of any reference."""
    in_isinstance: Counter = Counter()
    no_op: Counter = Counter()
    first: dict[str, int] = {}
    for node in analysis.nodes:
        if isinstance(node, ast.Name) and node.id in locals_ and isinstance(node.ctx, ast.Load):
            first[node.id] = min(first.get(node.id, node.lineno), node.lineno)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance"
              and len(node.args) == 2 and not node.keywords):
            second = node.args[1]
            for item in (second.elts if isinstance(second, ast.Tuple) else [second]):
                if isinstance(item, ast.Name) and item.id in locals_:
                    in_isinstance[item.id] += 1
        elif isinstance(node, ast.Expr) and _is_no_op_call(analysis, node.value):
            root = node.value.func
            while isinstance(root, ast.Attribute):
                root = root.value
            no_op[root.id] += 1
    return in_isinstance, no_op, first


def _is_no_op_call(analysis: Analysis, node: ast.AST) -> bool:
    if not isinstance(node, ast.Call) or node.args or node.keywords:
        return False
    root = node.func
    while isinstance(root, ast.Attribute):
        root = root.value
    binding = analysis.bindings.get(root.id) if isinstance(root, ast.Name) else None
    return (binding is not None and binding.qname.split(".")[0] in _TOP_TO_DIST
            and analysis.resolve(node.func) in _NO_OPS)


def plan(ctx) -> dict[str, Handling]:
    """local name -> Handling, for the file's unguarded imports of names from a distribution the profile lacks."""
    memo = ctx.analysis.memo  # per file (the profile is the conversion's): one dict lookup per statement
    found = memo.get(_PLAN_KEY)
    if found is None:
        found = memo[_PLAN_KEY] = _plan(ctx)
    return found


def _plan(ctx) -> dict[str, Handling]:
    analysis = ctx.analysis
    absent = absent_tops(ctx.profile)
    bindings = {local: b for local, b in analysis.bindings.items()
                if not b.guarded and b.qname.split(".")[0] in absent}
    if not bindings:
        return {}
    in_isinstance, no_op, first = _uses(analysis, set(bindings))
    # the module's deferred import pass drops names from these lines only (dagconvert.imports.finish_module)
    body_from_lines = {n.lineno for n in analysis.tree.body if isinstance(n, ast.ImportFrom)}
    builtins_free = _builtin_names_free(analysis)
    out: dict[str, Handling] = {}
    for local, b in bindings.items():
        refs = analysis.ref_counts.get(local, 0)
        row = _NAMES.get(b.qname) or {}
        found = equivalent(b.qname)
        plain_module = b.module_import and local == b.qname.split(".")[0] and local != b.qname
        if found is not None and not plain_module:
            out[local] = Handling("move", b.qname, found[0], found[1])
        elif b.module_import or b.line not in body_from_lines:
            out[local] = Handling("todo", b.qname, note=row.get("todo") or _why_not(b.qname, row, nested=True))
        elif refs == 0:
            out[local] = Handling("unused", b.qname)
        elif "helper" in row:
            out[local] = Handling("helper", b.qname, row=row, first_use=first.get(local, 0))
        elif b.qname in _ISINSTANCE and in_isinstance[local] == refs and builtins_free:
            out[local] = Handling("isinstance", b.qname, row=row)
        elif no_op[local] == refs:
            out[local] = Handling("no_op", b.qname)
        else:
            out[local] = Handling("todo", b.qname, note=row.get("todo") or _why_not(b.qname, row))
    return out


def _plain_module_import(path: str) -> Handling:
    found = equivalent(path)
    note = (f"write `import {found[0]}` and spell its uses {found[0]}.<name>" if found is not None
            else _why_not(path, _NAMES.get(path) or {}))
    return Handling("todo", path, note=note)


def _why_not(qname: str, row: dict, *, nested: bool = False) -> str:
    if nested and ("isinstance" in row or "helper" in row or row.get("no_op_call")):
        return ("converted only when imported by a `from ... import` line of the module body: move the import "
                "there, or replace its uses by their Python 3 form")
    if "isinstance" in row:
        return (f"only isinstance(x, {qname.rpartition('.')[2]}) has an exact Python 3 form "
                f"(isinstance(x, ({', '.join(row['isinstance'])}))); rewrite the other uses")
    if row.get("no_op_call"):
        return "it does nothing on Python 3: remove its uses"
    return ("no exact Python 3 equivalent is recorded for it (dagconvert/tables/python2_compat.json): use the "
            "Python 3 name")


def _missing(ctx, qname: str) -> str:
    dist = _TOP_TO_DIST[qname.split(".")[0]]
    return (f"{qname} comes from the `{dist}` package (python-future), which profile {ctx.profile.name} does not "
            f"install: the import fails")


def _interesting(analysis: Analysis, node: ast.AST) -> bool:
    """Pre-pass filter: imports of the table's packages, isinstance checks against an imported name of an
    ``isinstance`` row, and no-op calls (over-approximates: the profile decides in the hooks)."""
    if isinstance(node, ast.ImportFrom):
        return not node.level and bool(node.module) and node.module.split(".")[0] in _TOP_TO_DIST
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] in _TOP_TO_DIST for alias in node.names)
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id == "isinstance" and len(node.args) == 2:
            second = node.args[1]
            items = second.elts if isinstance(second, ast.Tuple) else [second]
            return any(isinstance(i, ast.Name) and analysis.resolve(i) in _ISINSTANCE for i in items)
        return _is_no_op_call(analysis, node)
    return False


def _has_comments(line: cst.CSTNode) -> bool:
    leading = getattr(line, "leading_lines", ())
    trailing = getattr(line, "trailing_whitespace", None)
    return any(e.comment is not None for e in leading) or (trailing is not None and trailing.comment is not None)


class Python2CompatImport(Rule):
    code = MOVE
    name = "future-import-moved"
    summary = ("An import from python-future (`future`/`past`: Airflow 1.10 installed it, the target profile does "
               "not) is rewritten to its exact Python 3 equivalent from dagconvert/tables/python2_compat.json "
               "(`past.builtins.unicode` -> `builtins.str`, `future.moves.X` -> `X`); a name without one keeps "
               "a TODO saying what to write.")
    order = 13
    interest = Interest(node_types=(ast.Import, ast.ImportFrom, ast.Call), node_filter=_interesting)
    examples = (
        Example(
            title="exact equivalents, the file's names kept",
            before=(
                "from airflow import DAG\n"
                "from past.builtins import unicode, xrange  # py2\n"
                "from future.moves.urllib.parse import urlencode\n"
                "print([unicode(i) for i in xrange(3)], urlencode({'a': 1}))\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from builtins import str as unicode, range as xrange  # py2\n"
                "from urllib.parse import urlencode\n"
                "print([unicode(i) for i in xrange(3)], urlencode({'a': 1}))\n"
            ),
        ),
        Example(
            title="python-future's copy of Python 3.3's urllib.parse: moved, with a TODO naming the differences",
            before=(
                "from airflow import DAG\n"
                "from future.backports.urllib.parse import urlparse\n"
                "PARTS = urlparse('gs://bucket/path/file.tar.gz')\n"
            ),
            after=(
                "from airflow import DAG\n"
                "# TODO(airflow2): AM110 future.backports.urllib.parse.urlparse -> urllib.parse.urlparse: "
                "python-future's copy of Python 3.3's urllib.parse is not Python 3.11's: quote()/urlencode() "
                "escape '~' there (3.11 keeps it), parse_qs()/parse_qsl() also split on ';', urljoin() keeps '..' "
                "segments above the root ('http://a/../g'), and urlsplit()/urlparse() keep leading spaces and "
                "tab/newline characters that 3.11 strips; check the values this file passes, or add the `future` "
                "package to the environment's PyPI packages and import it back\n"
                "from urllib.parse import urlparse\n"
                "PARTS = urlparse('gs://bucket/path/file.tar.gz')\n"
            ),
            todos=("future.backports.urllib.parse.urlparse -> urllib.parse.urlparse",),
        ),
        Example(
            title="no exact equivalent: a TODO says what to write",
            before=(
                "from airflow import DAG\n"
                "from past.builtins import cmp\n"
                "ORDER = cmp(2, 1)\n"
            ),
            after=(
                "from airflow import DAG\n"
                "# TODO(airflow2): AM110 past.builtins.cmp comes from the `future` package (python-future), which "
                "profile airflow-2.10.5 does not install: the import fails; cmp(x, y) is (x > y) - (x < y) on "
                "Python 3 (past/builtins/misc.py)\n"
                "from past.builtins import cmp\n"
                "ORDER = cmp(2, 1)\n"
            ),
            todos=("past.builtins.cmp comes from the `future` package",),
        ),
    )

    # -- import lines and no-op call statements ---------------------------------------------------------------
    def leave_statement(self, ctx, line):
        if not isinstance(line, cst.SimpleStatementLine) and not isinstance(line, cst.SimpleStatementSuite):
            return line
        handlings = plan(ctx)
        if not handlings:
            return line
        imports = [small for small in line.body if isinstance(small, (cst.Import, cst.ImportFrom))]
        if imports and len(line.body) == 1 and isinstance(line, cst.SimpleStatementLine):
            return self._import_line(ctx, line, handlings)
        for small in imports:  # `if x: from past.builtins import unicode`, `import a; from past... import b`
            for alias in () if isinstance(small.names, cst.ImportStar) else small.names:
                local = alias.evaluated_alias or dotted(alias.name).split(".")[0]
                binding = ctx.analysis.bindings.get(local)
                if local in handlings and binding is not None and binding.line == ctx.line:
                    ctx.todo(MOVE, f"{_missing(ctx, binding.qname)}; the import shares its line with other "
                                   f"statements: put it on a line of its own, and this rule converts it")
        return self._no_op_calls(ctx, line, handlings)

    def _import_line(self, ctx, line: cst.SimpleStatementLine, handlings: dict[str, Handling]):
        stmt = line.body[0]
        if isinstance(stmt, cst.ImportFrom) and (stmt.relative or stmt.module is None
                                                 or isinstance(stmt.names, cst.ImportStar)):
            return line
        here = ctx.line
        mine: list[tuple[cst.ImportAlias, str, Handling]] = []
        for alias in stmt.names:
            local = alias.evaluated_alias or dotted(alias.name).split(".")[0]
            h = handlings.get(local)
            binding = ctx.analysis.bindings.get(local)
            if h is None or binding is None or binding.line != here:
                continue
            if isinstance(stmt, cst.Import) and alias.asname is None and "." in dotted(alias.name):
                h = _plain_module_import(dotted(alias.name))  # `import future.moves.x` binds `future`
            mine.append((alias, local, h))
        if not mine:
            return line
        for _alias, local, h in mine:
            if h.kind in _DROPPED:
                self._drop(ctx, local, h)
        todos = [h for _a, _l, h in mine if h.kind == "todo"]
        moves = [(a, h) for a, _l, h in mine if h.kind == "move"]
        for h in todos:
            ctx.todo(MOVE, f"{_missing(ctx, h.qname)}; {h.note}")
        if not moves:
            return line  # the dropped names go with the module's deferred import pass (every use converted)
        homes = {h.new if isinstance(stmt, cst.Import) else h.new.rpartition(".")[0] for _a, h in moves}
        if todos or len(mine) < len(stmt.names) or len(homes) != 1:
            # one line imports from one module: the moves cannot be written in place
            wanted = "; ".join(_import_text(stmt, a, h) for a, h in moves)
            ctx.todo(MOVE, f"{', '.join(h.qname for _a, h in moves)}: the `future` package (python-future) is not "
                           f"installed in profile {ctx.profile.name}, and their Python 3 equivalents come from "
                           f"other modules than the rest of this line: write {wanted}")
            return line
        for _alias, h in moves:
            ctx.change(MOVE, f"import {h.qname} -> {h.new}")
            if h.row and h.row.get("differences"):
                ctx.todo(MOVE, f"{h.qname} -> {h.new}: {h.row['differences']}")
        return line.with_changes(body=[self._moved(ctx, stmt, homes.pop(), moves)])

    @staticmethod
    def _drop(ctx, local: str, h: Handling) -> None:
        """The name's import goes (in place, or in the deferred import pass: every use is marked converted)."""
        if h.kind == "helper":
            row = h.row

            def render(name: str) -> str:
                names = {key: ctx.require_import(module) for key, module in row.get("imports", {}).items()}
                return (f"# Added by composer-migrate ({HELPER}): {h.qname} as python-future defines it on "
                        f"Python 3 (the `future` package is not installed on the target)\n"
                        + row["helper"].format(name=name, **names))

            ctx.require_definition(f"{HELPER}:{h.qname}:{local}", local, render, replaces=True)
            # placed above the first use, not above this import line (which goes)
            ctx.definitions[f"{HELPER}:{h.qname}:{local}"].line = h.first_use or ctx.line
            for _ in range(ctx.analysis.ref_counts.get(local, 0)):
                ctx.mark_converted(cst.Name(local))
            ctx.change(HELPER, f"{h.qname} is defined in the file as python-future defines it")
        elif h.kind == "unused":
            ctx.mark_converted(cst.Name(local))
            ctx.change(MOVE, f"unused import of {h.qname} removed (the `future` package is not installed)")

    @staticmethod
    def _moved(ctx, stmt, home: str, moves) -> cst.BaseSmallStatement:
        if isinstance(stmt, cst.Import):
            names = [a.with_changes(name=build_dotted(h.new)) for a, h in moves]
            return stmt.with_changes(names=cstutil.fix_trailing_comma(stmt.names, names))
        names = []
        for a, h in moves:
            new_name = h.new.rpartition(".")[2]
            local = a.evaluated_alias or a.evaluated_name
            asname = None if local == new_name else cst.AsName(name=cst.Name(local))
            names.append(a.with_changes(name=cst.Name(new_name), asname=asname))
        return stmt.with_changes(module=build_dotted(home), names=cstutil.fix_trailing_comma(stmt.names, names))

    def _no_op_calls(self, ctx, line, handlings: dict[str, Handling]):
        kept = []
        for small in line.body:
            root = small.value.func if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) else None
            target = ctx.call_target(root) if root is not None and not small.value.args else None
            while isinstance(root, cst.Attribute):
                root = root.value
            h = handlings.get(root.value) if isinstance(root, cst.Name) else None
            if target is not None and target.qname in _NO_OPS and h is not None and h.kind == "no_op":
                ctx.mark_converted(small.value.func)
                ctx.change(NO_OP, f"removed {target.qname}(): it does nothing on Python 3")
                continue
            kept.append(small)
        if len(kept) == len(line.body):
            return line
        if kept:
            kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            return line.with_changes(body=kept)
        if _has_comments(line) or isinstance(line, cst.SimpleStatementSuite):
            return line.with_changes(body=[cst.Pass()])  # the line's comments stay
        return cst.RemovalSentinel.REMOVE

    # -- isinstance(x, basestring) ----------------------------------------------------------------------------
    def leave_call(self, ctx, call: cst.Call, target):
        if not (isinstance(call.func, cst.Name) and call.func.value == "isinstance" and len(call.args) == 2):
            return call
        handlings = plan(ctx)
        second = call.args[1]
        if not handlings or second.keyword is not None or second.star:
            return call

        def types(node) -> list[str] | None:
            h = handlings.get(node.value) if isinstance(node, cst.Name) else None
            return h.row["isinstance"] if h is not None and h.kind == "isinstance" else None

        value = second.value
        replaced: list[str] = []
        if isinstance(value, cst.Tuple):
            elements: list[cst.BaseElement] = []
            for element in value.elements:
                names = types(element.value) if isinstance(element, cst.Element) else None
                if names is None:
                    elements.append(element)
                    continue
                ctx.mark_converted(element.value)
                replaced.append(element.value.value)
                elements += [cst.Element(cst.Name(n), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                             for n in names[:-1]]
                elements.append(cst.Element(cst.Name(names[-1]), comma=element.comma))
            if len(elements) == len(value.elements):
                return call
            new_value = value.with_changes(elements=elements)
        else:
            names = types(value)
            if names is None:
                return call
            ctx.mark_converted(value)
            replaced.append(value.value)
            new_value = cst.Tuple([cst.Element(cst.Name(n)) for n in names])
        ctx.change(ISINSTANCE, f"isinstance(..., {', '.join(replaced)}) -> isinstance(..., "
                               f"{cstutil.code_of(new_value)})")
        return call.with_changes(args=[call.args[0], second.with_changes(value=new_value)])


def _import_text(stmt, alias: cst.ImportAlias, h: Handling) -> str:
    local = alias.evaluated_alias or alias.evaluated_name
    if isinstance(stmt, cst.Import):
        return f"`import {h.new} as {local}`"
    module, _, name = h.new.rpartition(".")
    return f"`from {module} import {name}" + (f" as {local}`" if local != name else "`")


class InstallAliasesRemoved(Rule):
    code = NO_OP
    name = "future-install-aliases"
    summary = ("`standard_library.install_aliases()` (python-future) returns at once on Python 3: the call is "
               "removed, and its import when those calls were its only uses.")
    order = 13
    examples = (
        Example(
            title="the no-op call and its import go; comments stay",
            before=(
                "from __future__ import print_function\n"
                "from future import standard_library\n"
                "standard_library.install_aliases()\n"
                "from builtins import str  # Python 3's own module: kept\n"
                "# the DAG\n"
                "from airflow import DAG\n"
            ),
            after=(
                "from __future__ import print_function\n"
                "from builtins import str  # Python 3's own module: kept\n"
                "# the DAG\n"
                "from airflow import DAG\n"
            ),
        ),
        Example(
            title="a comment on the call is kept on a `pass`",
            before=(
                "from airflow import DAG\n"
                "from future.standard_library import install_aliases\n"
                "install_aliases()  # Python 2 names for the standard library\n"
            ),
            after=(
                "from airflow import DAG\n"
                "pass  # Python 2 names for the standard library\n"
            ),
        ),
    )


class BasestringIsinstance(Rule):
    code = ISINSTANCE
    name = "past-basestring-isinstance"
    summary = ("`isinstance(x, basestring)` with past.builtins' basestring (its metaclass matches str and bytes) -> "
               "`isinstance(x, (str, bytes))`, when every use of the name is such a check; the import goes.")
    order = 13
    examples = (
        Example(
            title="alone and inside a tuple of types",
            before=(
                "from airflow import DAG\n"
                "from past.builtins import basestring\n"
                "\n"
                "\n"
                "def as_list(value):\n"
                "    if isinstance(value, (basestring, dict)):\n"
                "        return [value]\n"
                "    return value if not isinstance(value, basestring) else [value]\n"
            ),
            after=(
                "from airflow import DAG\n"
                "\n"
                "\n"
                "def as_list(value):\n"
                "    if isinstance(value, (str, bytes, dict)):\n"
                "        return [value]\n"
                "    return value if not isinstance(value, (str, bytes)) else [value]\n"
            ),
        ),
        Example(
            title="another use (issubclass has no exact form): TODO",
            before=(
                "from airflow import DAG\n"
                "from past.builtins import basestring\n"
                "TEXT = issubclass(str, basestring)\n"
            ),
            after=(
                "from airflow import DAG\n"
                "# TODO(airflow2): AM110 past.builtins.basestring comes from the `future` package (python-future), "
                "which profile airflow-2.10.5 does not install: the import fails; only isinstance(x, basestring) "
                "has an exact Python 3 form (isinstance(x, (str, bytes))); rewrite the other uses\n"
                "from past.builtins import basestring\n"
                "TEXT = issubclass(str, basestring)\n"
            ),
            todos=("only isinstance(x, basestring) has an exact Python 3 form",),
        ),
    )


class HelperDefined(Rule):
    code = HELPER
    name = "future-helper-defined"
    summary = ("A python-future function with no one-builtin Python 3 form (`past.utils.old_div`, "
               "`future.utils.iteritems`, ...) is defined in the file as python-future defines it on Python 3, "
               "under the same name; the import goes.")
    order = 13
    examples = (
        Example(
            title="old_div: Python 2 division",
            before=(
                "from airflow import DAG\n"
                "from past.utils import old_div\n"
                "from future.utils import iteritems\n"
                "\n"
                "HALF = old_div(7, 2)\n"
                "PAIRS = sorted(iteritems({'a': 1}))\n"
            ),
            after=(
                "from airflow import DAG\n"
                "import numbers\n"
                "\n"
                "\n"
                "# Added by composer-migrate (AM113): past.utils.old_div as python-future defines it on Python 3 "
                "(the `future` package is not installed on the target)\n"
                "def old_div(a, b):\n"
                "    if isinstance(a, numbers.Integral) and isinstance(b, numbers.Integral):\n"
                "        return a // b\n"
                "    else:\n"
                "        return a / b\n"
                "\n"
                "\n"
                "# Added by composer-migrate (AM113): future.utils.iteritems as python-future defines it on Python 3 "
                "(the `future` package is not installed on the target)\n"
                "def iteritems(obj, **kwargs):\n"
                "    func = getattr(obj, \"iteritems\", None)\n"
                "    if not func:\n"
                "        func = obj.items\n"
                "    return func(**kwargs)\n"
                "\n"
                "\n"
                "HALF = old_div(7, 2)\n"
                "PAIRS = sorted(iteritems({'a': 1}))\n"
            ),
        ),
    )


RULES = (Python2CompatImport, InstallAliasesRemoved, BasestringIsinstance, HelperDefined)
