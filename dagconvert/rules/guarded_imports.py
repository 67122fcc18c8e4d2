"""AM104: a module-level ``try: <imports> except ImportError: <imports>`` whose two branches import the same
classes (written to run on 1.10 and 2.x alike) collapses to the one branch the target needs.

Why: such a guard is dead code on the target, and often a broken one: its fallback names a 1.10 path that
Airflow 2 either serves through a deprecation shim (a warning when the file loads) or no longer has at all
(``airflow.contrib.operators.bigquery_operator.BigQueryOperator`` on google 19.0.0, where the try branch's
``BigQueryExecuteQueryOperator`` is gone too: both branches fail and the file does not load). AM103 leaves
guards it cannot prove equivalent alone; this rule handles the ones it can.

When it applies (each condition is what makes the collapse exact):
- the statement is in the module body, has exactly one handler, catching only ``ImportError`` and/or
  ``ModuleNotFoundError`` without ``as``, and no ``else``/``finally``;
- both branches are nothing but ``from airflow... import`` statements (no star, no relative import) and
  bind the same local names;
- each local name refers to the same class in both branches: the same canonical Airflow 2 identity (the
  import table's drop-in target; e.g. ``bigquery_operator.BigQueryOperator`` and ``BigQueryExecuteQueryOperator``).

Which branch stays: the first (try, then except) whose every import exists on the target profile as it is
written. On the target that branch is what runs (the try branch: the handler never runs; the except branch:
the try branch is not what the target imports cleanly), and the other branch binds the same classes anyway.
When neither imports as written, the first branch whose every name the engine can move or restructure stays,
and the usual import rules (AM101, AM8xx) convert it like any plain import. Otherwise the guard stays (AM103).

Comments of the dropped parts (``try:  # Airflow 2``, the fallback's lines) are kept, above the first kept
import. The collapse happens before the analysis (on the ``ast`` module and the libcst module alike), so the
kept imports are converted as ordinary module-level imports; the findings keep the source's line numbers.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst

from dagconvert.decisions import Action, Decider
from dagconvert.rules.base import Example, Rule

_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


@dataclass(frozen=True)
class Collapse:
    """One guard to collapse: the try statement at ``index`` in the ``ast`` module body keeps ``branch``."""

    index: int
    branch: int      # 0: the try body; 1: the except body
    line: int
    names: tuple[str, ...]


class GuardedImportCollapsed(Rule):
    code = "AM104"
    name = "guarded-import-collapsed"
    summary = ("A module-level try/except ImportError whose branches import the same classes collapses to the "
               "branch that imports on the target (or that the engine converts); comments are kept.")
    order = 12
    examples = (
        Example(
            title="the Airflow 2 branch exists on the target: the 1.10 fallback goes",
            before=(
                "try:  # Airflow 2\n"
                "    from airflow.operators.bash import BashOperator\n"
                "except ImportError:  # Airflow 1.10\n"
                "    from airflow.operators.bash_operator import BashOperator\n"
                "t = BashOperator(task_id='t', bash_command='date')\n"
            ),
            after=(
                "# Airflow 2\n"
                "# Airflow 1.10\n"
                "from airflow.operators.bash import BashOperator\n"
                "t = BashOperator(task_id='t', bash_command='date')\n"
            ),
        ),
        Example(
            title="1.10 path first, provider path as the fallback: the one that exists stays",
            before=(
                "try:\n"
                "    from airflow.contrib.operators.gcs_delete_operator import GoogleCloudStorageDeleteOperator\n"
                "except ImportError:\n"
                "    from airflow.providers.google.cloud.operators.gcs import (\n"
                "        GCSDeleteObjectsOperator as GoogleCloudStorageDeleteOperator)\n"
                "t = GoogleCloudStorageDeleteOperator(task_id='t', bucket_name='b', objects=['x'])\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.gcs import (\n"
                "    GCSDeleteObjectsOperator as GoogleCloudStorageDeleteOperator)\n"
                "t = GoogleCloudStorageDeleteOperator(task_id='t', bucket_name='b', objects=['x'])\n"
            ),
        ),
        Example(
            title="neither branch imports on google 19.0.0: the kept one is restructured like a plain import",
            before=(
                "try:\n"
                "    from airflow.providers.google.cloud.operators.bigquery import (\n"
                "        BigQueryExecuteQueryOperator as BigQueryOperator)\n"
                "except ImportError:\n"
                "    from airflow.contrib.operators.bigquery_operator import BigQueryOperator\n"
                "q = BigQueryOperator(task_id='q', sql='SELECT 1', use_legacy_sql=False)\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator\n"
                "q = BigQueryInsertJobOperator(task_id='q', configuration={\n"
                "    'query': {'query': 'SELECT 1', 'useLegacySql': False, 'priority': 'INTERACTIVE'},\n"
                "})\n"
            ),
        ),
        Example(
            title="an optional dependency guard (the fallback is not an import) stays",
            before=(
                "try:\n"
                "    from airflow.providers.slack.operators.slack import SlackAPIPostOperator\n"
                "except ImportError:\n"
                "    SlackAPIPostOperator = None\n"
            ),
            after=(
                "try:\n"
                "    from airflow.providers.slack.operators.slack import SlackAPIPostOperator\n"
                "except ImportError:\n"
                "    SlackAPIPostOperator = None\n"
            ),
        ),
        Example(
            title="branches that import different classes stay",
            before=(
                "try:\n"
                "    from airflow.operators.bash import BashOperator as Op\n"
                "except ImportError:\n"
                "    from airflow.operators.python_operator import PythonOperator as Op\n"
            ),
            after=(
                "try:\n"
                "    from airflow.operators.bash import BashOperator as Op\n"
                "except ImportError:\n"
                "    from airflow.operators.python_operator import PythonOperator as Op\n"
            ),
        ),
    )


# -- planning (stdlib ast) ------------------------------------------------------------------------------

def plan_collapses(tree: ast.Module, decider: Decider) -> list[Collapse]:
    """The module-level import guards to collapse, and which branch each keeps. Cheap: looks at the
    module body's ``try`` statements only."""
    plans = []
    for index, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.Try):
            chosen = _choose(stmt, decider)
            if chosen is not None:
                branch, names = chosen
                plans.append(Collapse(index, branch, stmt.lineno, names))
    return plans


def _only_import_errors(node: ast.expr | None) -> bool:
    names = node.elts if isinstance(node, ast.Tuple) else [node]
    return bool(names) and all(isinstance(n, ast.Name) and n.id in _IMPORT_ERRORS for n in names)


def _airflow_imports(body: list[ast.stmt]) -> dict[str, str] | None:
    """local name -> imported path, when ``body`` is only ``from airflow... import`` statements."""
    bound: dict[str, str] = {}
    for stmt in body:
        if not isinstance(stmt, ast.ImportFrom) or stmt.level or not stmt.module:
            return None
        if stmt.module != "airflow" and not stmt.module.startswith("airflow."):
            return None
        for alias in stmt.names:
            local = alias.asname or alias.name
            if alias.name == "*" or local in bound:
                return None
            bound[local] = f"{stmt.module}.{alias.name}"
    return bound or None


def _imports_as_written(decider: Decider, qname: str) -> bool:
    return decider.decide(qname).action is Action.KEEP and decider.profile.has(qname) is not False


def _convertible(decider: Decider, qname: str) -> bool:
    return _imports_as_written(decider, qname) or decider.decide(qname).action in (Action.MOVE, Action.REPLACE)


def _choose(node: ast.Try, decider: Decider) -> tuple[int, tuple[str, ...]] | None:
    if node.orelse or node.finalbody or len(node.handlers) != 1:
        return None
    handler = node.handlers[0]
    if handler.name is not None or not _only_import_errors(handler.type):
        return None
    branches = (_airflow_imports(node.body), _airflow_imports(handler.body))
    if branches[0] is None or branches[1] is None or branches[0].keys() != branches[1].keys():
        return None
    names = tuple(branches[0])
    if any(decider.identity(branches[0][n]) != decider.identity(branches[1][n]) for n in names):
        return None
    for test in (_imports_as_written, _convertible):
        for index, bound in enumerate(branches):
            if all(test(decider, qname) for qname in bound.values()):
                return index, names
    return None


def collapse_ast(tree: ast.Module, plans: list[Collapse]) -> None:
    """Replace each planned ``try`` in the ``ast`` module body by its kept branch (in place: the analysis
    then sees plain module-level imports, with their source line numbers)."""
    by_index = {p.index: p for p in plans}
    body: list[ast.stmt] = []
    for index, stmt in enumerate(tree.body):
        plan = by_index.get(index)
        if plan is None:
            body.append(stmt)
        else:
            body.extend(stmt.body if plan.branch == 0 else stmt.handlers[0].body)
    tree.body = body


# -- the libcst side ------------------------------------------------------------------------------------

def collapse_cst(module: cst.Module, plans: list[Collapse]) -> cst.Module:
    """The same collapse on the libcst module: ``ast`` statement indexes are matched to libcst statements
    (a ``a; b`` line holds several ``ast`` statements)."""
    by_index = {p.index: p for p in plans}
    body: list[cst.BaseStatement] = []
    position = 0
    for stmt in module.body:
        plan = by_index.get(position)
        position += len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
        if plan is None or not isinstance(stmt, cst.Try):
            body.append(stmt)
            continue
        body.extend(_kept_lines(stmt, plan.branch))
    return module.with_changes(body=body)


def _lines(suite: cst.BaseSuite) -> list[cst.SimpleStatementLine]:
    if isinstance(suite, cst.SimpleStatementSuite):  # `try: from x import y` on one line
        return [cst.SimpleStatementLine(body=suite.body, trailing_whitespace=suite.trailing_whitespace)]
    return list(suite.body)


class _Comments(cst.CSTVisitor):
    def __init__(self, skip: set[int]):
        self.found: list[str] = []
        self.skip = skip

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) in self.skip:
            return False
        if isinstance(node, cst.Comment):
            self.found.append(node.value)
        return True


def _kept_lines(node: cst.Try, branch: int) -> list[cst.SimpleStatementLine]:
    suite = node.body if branch == 0 else node.handlers[0].body
    kept = _lines(suite)
    if isinstance(suite, cst.SimpleStatementSuite):
        # the one-line suite's trailing comment moved onto the new line itself
        skip = {id(suite.trailing_whitespace)} | {id(s) for s in suite.body}
    else:
        skip = {id(s) for s in kept}
    collector = _Comments(skip | {id(line) for line in node.leading_lines})
    node.visit(collector)
    carried = [cst.EmptyLine(comment=cst.Comment(text)) for text in collector.found]
    first = kept[0]
    kept[0] = first.with_changes(leading_lines=[*node.leading_lines, *carried, *first.leading_lines])
    return kept


RULES = (GuardedImportCollapsed,)
