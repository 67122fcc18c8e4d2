"""AM311: a statement that only compares tasks with ``>`` / ``<`` (``a > b > c``, a typo for ``>>``).

Airflow 1.10.15's ``BaseOperator`` defines ``__lt__`` only (it compares task ids), so ``a > b`` ran
``b.__lt__(a)``, compared two strings and threw the result away: the statement made no dependency and
the DAG loaded. Airflow 2's ``BaseOperator`` defines ``__gt__``/``__lt__`` as lineage (``task > outlet``,
``inlet > task``): with a task on the other side they raise ``TypeError: Left hand side (<Task...>) is not an
outlet`` when the file is parsed (airflow/models/baseoperator.py of 2.10.5), so the DAG does not load.
Airflow 1.10.15's own ``contrib/example_dags/example_gcp_dlp_operator.py`` ends with one.

The exact conversion keeps what 1.10 did (nothing): the statement becomes ``pass`` (its line's comments
kept) and a TODO names it and says to write ``>>`` if dependencies were meant. Turning it into ``>>`` would
add edges the 1.10 DAG never had.

When it applies: the statement is a single expression, a comparison whose operators are all ``>`` or all
``<`` (or a mix of the two), and every operand is a name that the file binds only by assigning it the
result of calling an Airflow operator or sensor class (an imported ``airflow...`` name ending in
``Operator`` or ``Sensor``). Anything else (lists, attributes, local classes, names rebound elsewhere) is
left alone.
"""

from __future__ import annotations

import ast
from collections import Counter

import libcst as cst

from dagconvert.analysis import Analysis, Interest
from dagconvert.rules.base import Example, Rule

_MEMO_KEY = "task_comparison.tasks"


def _is_task_comparison_statement(analysis: Analysis, node: ast.AST) -> bool:
    """Pre-pass filter (cheap): an expression statement that is a ``>``/``<`` comparison of plain names."""
    value = getattr(node, "value", None)
    return (isinstance(value, ast.Compare) and all(isinstance(op, (ast.Gt, ast.Lt)) for op in value.ops)
            and all(isinstance(operand, ast.Name) for operand in (value.left, *value.comparators)))


def _is_operator_class(analysis: Analysis, func: ast.AST) -> bool:
    qname = analysis.resolve(func)
    return (qname is not None and qname.startswith("airflow.")
            and qname.rpartition(".")[2].endswith(("Operator", "Sensor")))


def task_names(analysis: Analysis) -> frozenset[str]:
    """Names whose every binding in the file is ``name = <Airflow operator class>(...)``; computed once."""
    names = analysis.memo.get(_MEMO_KEY)
    if names is not None:
        return names
    stores: Counter = Counter()
    task_assigns: Counter = Counter()
    other: set[str] = set()
    for node in analysis.nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            stores[node.id] += 1
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and _is_operator_class(analysis, node.value.func):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    task_assigns[target.id] += 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            other.add(node.name)
        elif isinstance(node, ast.arg):
            other.add(node.arg)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            other.update(node.names)
    other.update(analysis.bindings)  # imports
    names = frozenset(n for n, count in task_assigns.items() if stores[n] == count and n not in other)
    analysis.memo[_MEMO_KEY] = names
    return names


class TaskComparisonStatement(Rule):
    code = "AM311"
    name = "task-comparison-statement"
    summary = ("A statement that only compares tasks with > or < (a no-op in 1.10, a TypeError in Airflow 2's "
               "lineage operators) becomes `pass` with a TODO: write >> if dependencies were meant.")
    interest = Interest(node_types=(ast.Expr,), node_filter=_is_task_comparison_statement)
    order = 36
    examples = (
        Example(
            title="`>` written for `>>`: 1.10 made no dependency, Airflow 2 raises TypeError",
            before=(
                "from airflow.operators.bash_operator import BashOperator\n"
                "create = BashOperator(task_id='create', bash_command='true')\n"
                "inspect = BashOperator(task_id='inspect', bash_command='true')\n"
                "create > inspect  # typo\n"
            ),
            after=(
                "from airflow.operators.bash import BashOperator\n"
                "create = BashOperator(task_id='create', bash_command='true')\n"
                "inspect = BashOperator(task_id='inspect', bash_command='true')\n"
                "# TODO(airflow2): AM311 `create > inspect` compared tasks: Airflow 1.10 compared their task ids "
                "and made no dependency; Airflow 2 reads > and < between tasks as lineage and raises TypeError. "
                "Replaced by `pass`; if dependencies were meant, write `create >> inspect`\n"
                "pass  # typo\n"
            ),
            todos=("compared tasks",),
        ),
        Example(
            title="a comment inside the statement: only a TODO (pass would lose the comment)",
            before=(
                "from airflow.operators.bash_operator import BashOperator\n"
                "a = BashOperator(task_id='a', bash_command='true')\n"
                "b = BashOperator(task_id='b', bash_command='true')\n"
                "(a >  # first\n"
                " b)\n"
            ),
            after=(
                "from airflow.operators.bash import BashOperator\n"
                "a = BashOperator(task_id='a', bash_command='true')\n"
                "b = BashOperator(task_id='b', bash_command='true')\n"
                "# TODO(airflow2): AM311 `a > b` compares tasks: Airflow 2 raises TypeError here (lineage), "
                "Airflow 1.10 made no dependency; remove the statement, or write `a >> b` if dependencies "
                "were meant\n"
                "(a >  # first\n"
                " b)\n"
            ),
            todos=("compares tasks",),
        ),
        Example(
            title="not only tasks (a number, a list): left alone",
            before=(
                "from airflow.operators.bash_operator import BashOperator\n"
                "a = BashOperator(task_id='a', bash_command='true')\n"
                "b = [a]\n"
                "LIMIT = 3\n"
                "a > b\n"
                "LIMIT > a\n"
            ),
            after=(
                "from airflow.operators.bash import BashOperator\n"
                "a = BashOperator(task_id='a', bash_command='true')\n"
                "b = [a]\n"
                "LIMIT = 3\n"
                "a > b\n"
                "LIMIT > a\n"
            ),
        ),
    )

    def leave_statement(self, ctx, line: cst.SimpleStatementLine | cst.SimpleStatementSuite):
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return line
        small = line.body[0]
        if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Comparison):
            return line
        comparison = small.value
        if not all(isinstance(t.operator, (cst.GreaterThan, cst.LessThan)) for t in comparison.comparisons):
            return line
        operands = [comparison.left, *(t.comparator for t in comparison.comparisons)]
        tasks = task_names(ctx.analysis)
        if not all(isinstance(o, cst.Name) and o.value in tasks for o in operands):
            return line
        signs = [">" if isinstance(c.operator, cst.GreaterThan) else "<" for c in comparison.comparisons]
        text = " ".join([operands[0].value, *(f"{s} {o.value}" for s, o in zip(signs, operands[1:]))])
        meant = " ".join([operands[0].value, *(f"{s * 2} {o.value}" for s, o in zip(signs, operands[1:]))])
        if "#" in cst.Module([]).code_for_node(comparison):  # the operands are names: a '#' is a comment inside the statement, which `pass` would lose
            ctx.todo(self.code, f"`{text}` compares tasks: Airflow 2 raises TypeError here (lineage), Airflow 1.10 "
                     f"made no dependency; remove the statement, or write `{meant}` if dependencies were meant")
            return line
        ctx.change(self.code, f"`{text}` (a no-op in Airflow 1.10) -> pass")
        ctx.todo(self.code, f"`{text}` compared tasks: Airflow 1.10 compared their task ids and made no "
                 f"dependency; Airflow 2 reads > and < between tasks as lineage and raises TypeError. Replaced by "
                 f"`pass`; if dependencies were meant, write `{meant}`")
        return line.with_changes(body=[cst.Pass()])


RULES = (TaskComparisonStatement,)
