"""AM309: a task attached to its DAG with a bitshift (rules.md section 5 rule 7; upgrade-check
``ChainBetweenDAGAndOperatorNotAllowedRule``).

Airflow 1.10.15's ``BaseOperator`` took a DAG on either side of ``>>``/``<<``: ``dag >> t``, ``t << dag``,
``t >> dag`` and ``dag << t`` all ran ``if not (t.has_dag() and t.dag is dag): t.dag = dag`` (``DAG`` itself
has no shift operators, so ``dag >> t`` reached ``t.__rrshift__`` -> ``t.__lshift__(dag)``). Airflow 2 removed
this ("Assigning task to a DAG using bitwise shift ... no longer supported", 2.0.0 release notes): 2.10.5
raises ``AttributeError: 'DAG' object has no attribute 'update_relative'`` when the file is parsed.

A statement that is exactly one such shift, between a name bound only to ``DAG(...)`` in this file and a
task name, becomes ``t.dag = dag``: the same setter 1.10 called (re-assigning the task's own DAG is a no-op
in both versions; another DAG raises in both). Anything else gets a TODO:
- a chain (``dag >> t1 >> t2``) or a shift inside a larger expression: attach the task on a line of its own;
- a list (``dag >> [t1, t2]``): 1.10 raised ``TypeError`` there too (a list has no reverse shift), so the line
  never ran;
- ``dag.set_downstream(t)`` / ``t.set_upstream(dag)``: 1.10 raised there too (a DAG has no ``set_downstream``;
  ``BaseOperator._set_relatives`` accepts operators only).

Which names are DAGs comes from the file's ``ast`` (once per file, in the pre-pass): a name every binding
of which is ``name = DAG(...)`` or ``with DAG(...) as name``. A name also bound otherwise (a parameter, a
loop variable, another value) is not known to be a DAG, and its shifts are left alone.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass

import libcst as cst

from dagconvert.analysis import Analysis, Interest
from dagconvert.rules.base import Example, Rule

DAG = "airflow.models.dag.DAG"
_MEMO_KEY = "AM309.names"
_LINES_KEY = "AM309.lines"  # lines the pre-pass found a shift or set_downstream/set_upstream involving a DAG on
_LITERALS = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
             ast.Constant, ast.JoinedStr, ast.Lambda)
_RELATIVES = frozenset({"set_downstream", "set_upstream"})


@dataclass(frozen=True)
class FileNames:
    dags: frozenset[str]      # names bound only to DAG(...) calls
    not_tasks: frozenset[str]  # names bound (somewhere) to what cannot be a task: a def, class, import, literal


def file_names(analysis: Analysis) -> FileNames:
    """The file's DAG names and names that cannot hold a task, computed once per file."""
    names = analysis.memo.get(_MEMO_KEY)
    if names is None:
        names = analysis.memo[_MEMO_KEY] = _collect_names(analysis)
    return names


def _collect_names(analysis: Analysis) -> FileNames:
    """Walks statements only (a tenth of the nodes): names bound by assignments, loops, ``with ... as``,
    ``except ... as``, ``del``, definitions, imports and parameters. Not seen: an assignment expression
    (``(dag := ...)``) inside an expression."""
    kinds: dict[str, set[str]] = defaultdict(set)

    def value_kind(value: ast.AST | None) -> str:
        if isinstance(value, ast.Call):
            qname = analysis.resolve(value.func)
            if qname is not None and analysis.identity_of(qname) == DAG:
                return "dag"
        return "literal" if isinstance(value, _LITERALS) else "value"

    def bind(target: ast.AST, kind: str) -> None:
        if isinstance(target, ast.Name):
            kinds[target.id].add(kind)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                bind(element, "value")
        elif isinstance(target, ast.Starred):
            bind(target.value, "value")

    stack: list[ast.AST] = list(analysis.tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Assign):
            kind = value_kind(node.value)
            for target in node.targets:
                bind(target, kind)
        elif isinstance(node, ast.AnnAssign):
            bind(node.target, value_kind(node.value) if node.value is not None else "value")
        elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
            bind(node.target, "value")
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                bind(target, "value")
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    bind(item.optional_vars, value_kind(item.context_expr))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            kinds[node.name].add("definition")
            args = node.args
            for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
                if a is not None:
                    kinds[a.arg].add("value")
        elif isinstance(node, ast.ClassDef):
            kinds[node.name].add("definition")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                kinds[(alias.asname or alias.name).split(".")[0]].add("definition")
        elif isinstance(node, ast.ExceptHandler) and node.name:
            kinds[node.name].add("value")
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            stack.extend(getattr(node, field, None) or ())
    dags = frozenset(name for name, k in kinds.items() if k == {"dag"})
    not_tasks = frozenset(name for name, k in kinds.items() if k & {"definition", "literal", "dag"})
    return FileNames(dags, not_tasks)


def _is_dag_name(node: ast.AST, names: FileNames) -> bool:
    return isinstance(node, ast.Name) and node.id in names.dags


def _involves_dag(analysis: Analysis, node: ast.AST) -> bool:
    """Pre-pass filter: a shift with a DAG name on one side, or set_downstream/set_upstream on or of one.
    Records the line, so that the rule looks only at the statements holding one."""
    if _finds_dag(analysis, node):
        analysis.memo.setdefault(_LINES_KEY, set()).add(node.lineno)
        return True
    return False


def _finds_dag(analysis: Analysis, node: ast.AST) -> bool:
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, (ast.RShift, ast.LShift)):
            return False
        if not isinstance(node.left, ast.Name) and not isinstance(node.right, ast.Name):
            return False  # cheap exit before the file's names are computed
        names = file_names(analysis)
        return _is_dag_name(node.left, names) or _is_dag_name(node.right, names)
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in _RELATIVES:
        return False
    names = file_names(analysis)
    operands = [func.value, *node.args]
    operands += [e for a in node.args if isinstance(a, (ast.List, ast.Tuple)) for e in a.elts]
    return any(_is_dag_name(o, names) for o in operands)


# -- the libcst side ------------------------------------------------------------------------------------------


def _name(node: cst.BaseExpression) -> str | None:
    return node.value if isinstance(node, cst.Name) else None


class _Finder(cst.CSTVisitor):
    """Shifts with a DAG name operand and set_downstream/set_upstream calls involving one, in a statement."""

    def __init__(self, dags: frozenset[str]):
        self.dags = dags
        self.shifts: list[cst.BinaryOperation] = []
        self.relatives: list[cst.Call] = []

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, (cst.RightShift, cst.LeftShift)) and (
                _name(node.left) in self.dags or _name(node.right) in self.dags):
            self.shifts.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _RELATIVES:
            values = [func.value, *(a.value for a in node.args)]
            values += [e.value for a in node.args if isinstance(a.value, (cst.List, cst.Tuple))
                       for e in a.value.elements]
            if any(_name(v) in self.dags for v in values):
                self.relatives.append(node)


class DagBitshiftAttachment(Rule):
    code = "AM309"
    name = "dag-bitshift-attachment"
    summary = ("`dag >> task` / `task << dag` (attaching a task to a DAG, removed in Airflow 2) -> "
               "`task.dag = dag` when the statement is just that; other forms get a TODO.")
    interest = Interest(node_types=(ast.BinOp, ast.Call), node_filter=_involves_dag)
    order = 35
    examples = (
        Example(
            title="a task created without a DAG, attached afterwards",
            before=(
                "from airflow import DAG\n"
                "from airflow.operators.bash_operator import BashOperator\n"
                "dag = DAG('d', schedule_interval=None)\n"
                "late = BashOperator(task_id='late', bash_command='echo late')\n"
                "dag >> late\n"
                "cleanup = BashOperator(task_id='cleanup', bash_command='true')\n"
                "cleanup << dag  # attach\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.operators.bash import BashOperator\n"
                "dag = DAG('d', schedule=None)\n"
                "late = BashOperator(task_id='late', bash_command='echo late')\n"
                "late.dag = dag\n"
                "cleanup = BashOperator(task_id='cleanup', bash_command='true')\n"
                "cleanup.dag = dag  # attach\n"
            ),
        ),
        Example(
            title="a chain from the DAG: TODO",
            before=(
                "from airflow import DAG\n"
                "from airflow.operators.dummy_operator import DummyOperator\n"
                "dag = DAG('d', schedule_interval=None)\n"
                "a = DummyOperator(task_id='a')\n"
                "b = DummyOperator(task_id='b', dag=dag)\n"
                "dag >> a >> b\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.operators.empty import EmptyOperator\n"
                "dag = DAG('d', schedule=None)\n"
                "a = EmptyOperator(task_id='a')\n"
                "b = EmptyOperator(task_id='b', dag=dag)\n"
                "# TODO(airflow2): AM309 `dag >> a` attached a task to DAG dag in Airflow 1.10; Airflow 2 rejects "
                "it when the file is parsed. Not rewritten: it is part of a longer expression; attach the task "
                "on a line of its own (`task.dag = dag`) or pass dag=dag when creating it\n"
                "dag >> a >> b\n"
            ),
            todos=("attached a task to DAG dag",),
        ),
        Example(
            title="a list: it failed in 1.10 too",
            before=(
                "from airflow import DAG\n"
                "from airflow.operators.dummy_operator import DummyOperator\n"
                "dag = DAG('d', schedule_interval=None)\n"
                "a = DummyOperator(task_id='a')\n"
                "b = DummyOperator(task_id='b')\n"
                "dag >> [a, b]\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.operators.empty import EmptyOperator\n"
                "dag = DAG('d', schedule=None)\n"
                "a = EmptyOperator(task_id='a')\n"
                "b = EmptyOperator(task_id='b')\n"
                "# TODO(airflow2): AM309 `dag >> [a, b]`: Airflow 1.10 raised TypeError here too (a DAG has no "
                ">> and a list no reverse >>), so this line never ran; attach each task with `task.dag = dag` or "
                "dag=dag when creating it\n"
                "dag >> [a, b]\n"
            ),
            todos=("raised TypeError here too",),
        ),
    )

    def leave_statement(self, ctx, line: cst.SimpleStatementLine | cst.SimpleStatementSuite):
        lines = ctx.analysis.memo.get(_LINES_KEY)  # where the pre-pass found something to look at
        frame = ctx.frames[-1].info if ctx.frames else None
        if not lines or frame is None or not any(frame.start <= n <= frame.end for n in lines):
            return line
        names = file_names(ctx.analysis)
        body = []
        for small in line.body:
            attached = self._attach(ctx, small, names)
            if attached is None:
                self._explain(ctx, small, names)
            body.append(attached or small)
        return line.with_changes(body=body) if any(a is not b for a, b in zip(body, line.body)) else line

    def _attach(self, ctx, small: cst.BaseSmallStatement, names: FileNames) -> cst.Assign | None:
        """``dag >> t`` (and its three mirrors) as a whole statement -> ``t.dag = dag``; else None."""
        if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.BinaryOperation):
            return None
        op = small.value
        if not isinstance(op.operator, (cst.RightShift, cst.LeftShift)):
            return None
        left, right = _name(op.left), _name(op.right)
        if left in names.dags:
            dag, task = left, right
        elif right in names.dags:
            dag, task = right, left
        else:
            return None
        if task is None or task in names.not_tasks:
            return None
        ctx.change(self.code, f"`{cst.Module([]).code_for_node(op)}` -> `{task}.dag = {dag}` (Airflow 2 has no "
                              f"bitshift between a DAG and a task)")
        return cst.Assign(targets=[cst.AssignTarget(cst.Attribute(value=cst.Name(task), attr=cst.Name("dag")))],
                          value=cst.Name(dag), semicolon=small.semicolon)

    def _explain(self, ctx, small: cst.BaseSmallStatement, names: FileNames) -> None:
        finder = _Finder(names.dags)
        small.visit(finder)
        code = cst.Module([]).code_for_node
        for op in finder.shifts:
            dag = _name(op.left) if _name(op.left) in names.dags else _name(op.right)
            other = op.right if _name(op.left) == dag else op.left
            shown = code(op)
            if isinstance(other, (cst.List, cst.Tuple, cst.Set, cst.ListComp)):
                ctx.todo(self.code, f"`{shown}`: Airflow 1.10 raised TypeError here too (a DAG has no >> and a "
                                    f"list no reverse >>), so this line never ran; attach each task with "
                                    f"`task.dag = {dag}` or dag={dag} when creating it")
                continue
            if _name(other) in names.dags:
                ctx.todo(self.code, f"`{shown}`: a bitshift between two DAGs raised in Airflow 1.10 too; remove it")
                continue
            if _name(other) is None or _name(other) in names.not_tasks:
                why = "its other operand is not a plain task name"
            else:
                why = "it is part of a longer expression"
            ctx.todo(self.code, f"`{shown}` attached a task to DAG {dag} in Airflow 1.10; Airflow 2 rejects it "
                                f"when the file is parsed. Not rewritten: {why}; attach the task on a line of its "
                                f"own (`task.dag = {dag}`) or pass dag={dag} when creating it")
        for call in finder.relatives:
            method = call.func.attr.value
            ctx.todo(self.code, f"`{code(call)}`: {method} with a DAG raised in Airflow 1.10 too (a DAG has no "
                                f"{method}; tasks relate to tasks only), so this line never ran; attach the task "
                                f"with `task.dag = dag` or dag=dag when creating it")


RULES = (DagBitshiftAttachment,)
