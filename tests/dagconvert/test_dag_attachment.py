"""AM309: `dag >> task` and its mirrors (attaching a task to a DAG with a bitshift, removed in Airflow 2)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from dagconvert.analysis import analyse
from dagconvert.engine import _decider, convert_source
from dagconvert.rules.dag_attachment import DagBitshiftAttachment, file_names

ROOT = Path(__file__).resolve().parents[2]
HEAD = ("from airflow import DAG\n"
        "from airflow.operators.bash import BashOperator\n"
        "dag = DAG('d', schedule=None)\n"
        "t = BashOperator(task_id='t', bash_command='true')\n"
        "u = BashOperator(task_id='u', bash_command='true')\n")


def convert(body: str, head: str = HEAD):
    return convert_source(head + textwrap.dedent(body))


def tail(body: str, head: str = HEAD) -> str:
    """The converted body (after the fixed head), checked to need no TODO and to be idempotent."""
    result = convert(body, head)
    assert not result.todos, [t.message for t in result.todos]
    assert convert_source(result.code).code == result.code, "not idempotent"
    assert result.code.startswith(head)
    return result.code[len(head):]


def am309_todos(body: str, head: str = HEAD) -> list[str]:
    result = convert(body, head)
    assert convert_source(result.code).code == result.code, "not idempotent"
    return [t.message for t in result.todos if t.rule == "AM309"]


@pytest.mark.parametrize("statement", ["dag >> t", "t << dag", "t >> dag", "dag << t", "(dag) >> t"])
def test_every_direction_attaches(statement):
    # 1.10.15 BaseOperator: __rshift__/__lshift__ with a DAG, and __rrshift__/__rlshift__ (a DAG has no shifts),
    # all come down to `t.dag = dag`
    assert tail(statement + "\n") == "t.dag = dag\n"


def test_comment_semicolons_and_blocks_are_kept():
    assert tail("dag >> t  # late\n") == "t.dag = dag  # late\n"
    assert tail("dag >> t; u << dag\n") == "t.dag = dag; u.dag = dag\n"
    assert tail("if True:\n    dag >> t\nelse: dag >> u\n") == "if True:\n    t.dag = dag\nelse: u.dag = dag\n"


def test_with_block_dag_and_module_attribute_dag():
    head = ("from airflow import models\n"
            "from airflow.operators.bash import BashOperator\n")
    body = ("with models.DAG('d', schedule=None) as my_dag:\n"
            "    t = BashOperator(task_id='t', bash_command='true')\n"
            "late = BashOperator(task_id='late', bash_command='true')\n"
            "my_dag >> late\n")
    assert tail(body, head).endswith("late.dag = my_dag\n")


def test_in_a_factory_function():
    head = "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
    body = ("def make(dag_id):\n"
            "    dag = DAG(dag_id, schedule=None)\n"
            "    for i in range(3):\n"
            "        t = BashOperator(task_id=f't{i}', bash_command='true')\n"
            "        dag >> t\n"
            "    return dag\n")
    assert "        t.dag = dag\n" in tail(body, head)


def test_a_name_not_always_a_dag_is_left_alone():
    # rebound to something else, or a parameter elsewhere: not provably a DAG, so not this rule's business
    for extra in ("dag = make()\n", "def f(dag):\n    return dag\n", "for dag in dags:\n    pass\n"):
        result = convert(extra + "dag >> t\n")
        assert "dag >> t\n" in result.code and not [t for t in result.todos if t.rule == "AM309"]


def test_plain_task_dependencies_are_not_visited():
    source = HEAD + "t >> u\nu << t\nt.set_downstream(u)\n"
    tree = ast.parse(source)
    decider = _decider("airflow-2.10.5")
    analysis = analyse(source, tree, interests=[DagBitshiftAttachment.interest], identity_of=decider.identity,
                       changed_qname=lambda q: False)
    assert not analysis.interesting.count(1)
    assert file_names(analysis).dags == {"dag"}
    assert convert_source(source).code == source


def test_list_operands_failed_in_110_too():
    messages = am309_todos("dag >> [t, u]\n(t, u) << dag\n")
    assert len(messages) == 2
    assert all("raised TypeError here too" in m for m in messages)


def test_chains_and_expressions_are_todos():
    [chain] = am309_todos("dag >> t >> u\n")
    assert chain.startswith("`dag >> t` attached a task to DAG dag") and "longer expression" in chain
    [assigned] = am309_todos("x = dag >> t\n")
    assert "longer expression" in assigned


def test_operands_that_cannot_be_tasks_are_todos():
    [fn] = am309_todos("def f():\n    pass\ndag >> f\n")
    assert "not a plain task name" in fn
    [attr] = am309_todos("dag >> tasks.extract\n")
    assert "not a plain task name" in attr
    [two] = am309_todos("other = DAG('o', schedule=None)\ndag >> other\n")
    assert "between two DAGs" in two


def test_set_downstream_with_a_dag_failed_in_110_too():
    messages = am309_todos("dag.set_downstream(t)\nt.set_upstream(dag)\nu.set_downstream([t, dag])\n")
    assert len(messages) == 3
    assert messages[0].startswith("`dag.set_downstream(t)`: set_downstream with a DAG raised in Airflow 1.10 too")


def test_corpus_file():
    source = (ROOT / "tests/corpus/airflow1/set_upstream_downstream.py").read_text()
    result = convert_source(source)
    assert "\norphan.dag = dag\n" in result.code and "dag >> orphan" not in result.code
    assert [c.rule for c in result.changes].count("AM309") == 1
    assert not [t for t in result.todos if t.rule == "AM309"]


ATTACH_110 = '''\
from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator

dag = DAG("am309_attach", start_date=datetime(2024, 1, 1), schedule_interval=None)
first = BashOperator(task_id="first", bash_command="true", dag=dag)
late = BashOperator(task_id="late", bash_command="true")
dag >> late
first >> late
other = BashOperator(task_id="other", bash_command="true")
other << dag
'''


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_converted_attachment_loads_in_the_real_runtime(tmp_path):
    from airflow_runtime.build import RuntimeNotBuiltError
    from airflow_runtime.client import RuntimeSession

    converted = convert_source(ATTACH_110).code
    assert "late.dag = dag" in converted and "other.dag = dag" in converted
    # the same file with 2.x imports but the bitshift kept: what Airflow 2 says about it
    unconverted = converted.replace("late.dag = dag", "dag >> late")
    files = {"converted.py": converted, "unconverted.py": unconverted,
             "corpus.py": convert_source((ROOT / "tests/corpus/airflow1/set_upstream_downstream.py").read_text()).code}
    for name, code in files.items():
        (tmp_path / name).write_text(code)
    try:
        with RuntimeSession() as session:
            results = session.load_files([tmp_path / name for name in files], render_templates=False)
    except RuntimeNotBuiltError as exc:
        pytest.skip(f"runtime not built: {exc}")
    ok, broken, corpus = results
    assert ok.status == "ok" and not ok.import_errors, ok
    [dag] = ok.dags
    assert set(dag.task_ids) == {"first", "late", "other"} and ("first", "late") in dag.edges
    assert broken.import_errors and "update_relative" in broken.import_errors[0].message
    assert corpus.status == "ok" and not corpus.import_errors, corpus
    assert "late_attached" in corpus.dags[0].task_ids and ("f", "late_attached") in corpus.dags[0].edges
