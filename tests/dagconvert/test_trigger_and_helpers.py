"""TriggerDagRunOperator (AM601/AM602/AM603), days_ago and @apply_defaults (AM401/AM402), positional operator
arguments (AM403)."""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

import libcst as cst
import pytest

from dagconvert.engine import convert_source
from dagconvert.rules.base import CallTarget
from dagconvert.rules.trigger_dagrun import FALLBACK_NAME, TRIGGER, TriggerDagRunLogicalDate
from tests.dagconvert.helpers import convert, converted, todos
from tests.dagconvert.test_kubernetes_pod import load_in_runtime

TRIGGER_IMPORT = "from airflow.operators.dagrun_operator import TriggerDagRunOperator\n"


def trigger_with(callable_source: str, call_extra: str = "") -> str:
    return (TRIGGER_IMPORT + "TABLE = 'events'\n" + textwrap.dedent(callable_source) +
            f"t = TriggerDagRunOperator(task_id='t', trigger_dag_id='target', python_callable=cb{call_extra})\n")


# -- AM601: python_callable -> conf ---------------------------------------------------------------------------


@pytest.mark.parametrize("payload,conf", [
    ("{'a': 1, 'b': [True, None], 'c': {'d': 'e'}}", "{'a': 1, 'b': [True, None], 'c': {'d': 'e'}}"),
    ("{'ids': (1, 2)}", "{'ids': [1, 2]}"),  # 1.10 sent the payload through JSON: a tuple arrived as a list
    ("{'table': TABLE}", "{'table': TABLE}"),
    ("{'day': context['ds'], 'run': context['run_id'], 'dag': context['dag'].dag_id}",
     "{'day': '{{ ds }}', 'run': '{{ run_id }}', 'dag': '{{ dag.dag_id }}'}"),
    ("{'path': TABLE + '/' + context['ds_nodash']}", "{'path': TABLE + '/{{ ds_nodash }}'}"),
    ('{"msg": f"hello {context[\'params\'][\'who\']}!"}', '{"msg": "hello {{ params.who }}!"}'),
    ("{'k': 'x-' + context['params']['items']}", "{'k': \"x-{{ params['items'] }}\"}"),  # dict method name
    ("{'c': 'from ' + context['dag_run'].conf['source']}", "{'c': \"from {{ dag_run.conf['source'] }}\"}"),
    ("-1", "-1"),
])
def test_payload_becomes_conf(payload, conf):
    code = converted(trigger_with(f"""\
        def cb(context, dag_run_obj):
            dag_run_obj.payload = {payload}
            return dag_run_obj
        """))
    assert code.endswith(f"t = TriggerDagRunOperator(task_id='t', trigger_dag_id='target', conf={conf})\n")
    assert "def cb" not in code


def kept_callable(source: str) -> str:
    """The AM603 change message of a file whose python_callable stays (on the added subclass), checked clean."""
    result = convert(source)
    assert not result.todos, [t.message for t in result.todos]
    assert convert_source(result.code).code == result.code, "not idempotent"
    assert f"{FALLBACK_NAME}(task_id=" in result.code and "python_callable=" in result.code
    assert result.code.count(f"class {FALLBACK_NAME}(TriggerDagRunOperator):") == 1
    messages = [c.message for c in result.changes if c.rule == "AM603" and "python_callable=" in c.message]
    assert len(messages) == 1, messages
    return messages[0]


@pytest.mark.parametrize("payload,why", [
    ("{'when': context['execution_date']}", "is computed when the task runs"),
    ("{'v': context['params']['v']}", "may not be a string"),
    ("{'sql': 'SELECT {{ ds }}'}", "contains Jinja markers"),
    ("{'now': datetime.now().isoformat()}", "is computed when the task runs"),
    ("{'n': COUNTER}", "not a literal known when the file is parsed"),
    ("{1: 'a'}", "key that is not a string literal"),
    ("{**BASE}", "unpacks a dict"),
    ("{'k': f'{context[\"ds\"]!r}'}", "conversion or format spec"),
])
def test_payload_known_only_when_the_task_runs_keeps_the_callable(payload, why):
    message = kept_callable(trigger_with(f"""\
        def cb(context, dag_run_obj):
            dag_run_obj.payload = {payload}
            return dag_run_obj
        """))
    assert why in message


@pytest.mark.parametrize("body,why", [
    ("    if context['params'].get('go'):\n        dag_run_obj.payload = {}\n        return dag_run_obj\n",
     "decides whether to trigger"),
    ("    dag_run_obj.payload = {}\n    return dag_run_obj if context['params'] else None\n",
     "decides whether to trigger"),
    ("    dag_run_obj.payload = {}\n", "never returns the DagRunOrder"),
    ("    dag_run_obj.run_id = 'custom'\n    return dag_run_obj\n", "sets the run_id"),
    ("    print(context)\n    return dag_run_obj\n", "does more than set the payload"),
])
def test_callable_that_is_not_a_payload_is_kept(body, why):
    source = trigger_with("def cb(context, dag_run_obj):\n" + body)
    assert why in kept_callable(source)
    assert "def cb(context, dag_run_obj):\n" + body in convert(source).code


def test_dag_run_order_style_and_its_import():
    code = converted(
        "from airflow.operators.dagrun_operator import DagRunOrder, TriggerDagRunOperator\n"
        "def cb(context, dro):\n"
        "    '''Build the order.'''\n"
        "    return DagRunOrder(payload={\"day\": context[\"ds\"]})\n"
        "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='target', python_callable=cb)\n")
    assert code == ("from airflow.operators.trigger_dagrun import TriggerDagRunOperator\n"
                    "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='target', conf={\"day\": \"{{ ds }}\"})\n")


def test_callable_without_payload_just_goes():
    code = converted(trigger_with("def cb(context, dag_run_obj):\n    return dag_run_obj\n"))
    assert code.endswith("t = TriggerDagRunOperator(task_id='t', trigger_dag_id='target')\n")


def test_python_callable_none_goes():
    code = converted(TRIGGER_IMPORT + "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='x', "
                                      "python_callable=None)\n")
    assert code.endswith("t = TriggerDagRunOperator(task_id='t', trigger_dag_id='x')\n")


def test_shared_callable_is_kept():
    result = convert(trigger_with("def cb(context, dag_run_obj):\n    dag_run_obj.payload = {'k': 1}\n"
                                  "    return dag_run_obj\n") + "u = TriggerDagRunOperator(task_id='u', "
                                  "trigger_dag_id='other', python_callable=cb)\nlog(cb)\n")
    assert "def cb(context, dag_run_obj):" in result.code
    assert result.code.count("conf={'k': 1}") == 2
    assert any("cb is kept (used elsewhere)" in c.message for c in result.changes)


def test_a_factory_parameter_named_like_a_module_constant_is_not_read_as_it():
    message = kept_callable(TRIGGER_IMPORT + "TABLE = 'events'\n" + textwrap.dedent("""\
        def make(TABLE):
            def cb(context, dag_run_obj):
                dag_run_obj.payload = {'table': TABLE}
                return dag_run_obj
            return TriggerDagRunOperator(task_id='t', trigger_dag_id='x', python_callable=cb)
        """))
    assert "whose value is not a literal known when the file is parsed" in message


def test_callable_in_a_dag_factory():
    code = converted(TRIGGER_IMPORT + textwrap.dedent("""\
        def make(dag, target):
            def cb(context, dag_run_obj):
                dag_run_obj.payload = {'source': 'factory'}
                return dag_run_obj
            return TriggerDagRunOperator(task_id='t', trigger_dag_id=target, python_callable=cb, dag=dag)
        """))
    assert code.endswith(textwrap.dedent("""\
        def make(dag, target):
            return TriggerDagRunOperator(task_id='t', trigger_dag_id=target, conf={'source': 'factory'}, dag=dag)
        """))


def test_callable_whose_def_is_not_visited_still_converts():
    """A second parameter named unusually: the def is not among the statements visited, so it stays (unused)."""
    result = convert(trigger_with("def cb(context, order):\n    order.payload = {'k': 'v'}\n    return order\n"))
    assert "conf={'k': 'v'}" in result.code
    assert any("cb is no longer used: remove it" in c.message for c in result.changes)


def test_conf_next_to_the_callable_is_a_todo():
    messages = todos(trigger_with("def cb(context, dag_run_obj):\n    dag_run_obj.payload = {}\n"
                                  "    return dag_run_obj\n", ", conf={'a': 1}"))
    assert any("conf= are both given: 1.10 ignored conf=" in m for m in messages), messages


def test_star_arguments_keep_the_callable():
    assert "*args/**kwargs hide the call's arguments" in kept_callable(trigger_with(
        "def cb(context, dag_run_obj):\n    dag_run_obj.payload = {}\n    return dag_run_obj\n", ", **extra"))


@pytest.mark.parametrize("source,why", [
    ("from helpers import cb\nt = TriggerDagRunOperator(task_id='t', trigger_dag_id='x', python_callable=cb)\n",
     "cb is not a function defined once in this file"),
    ("t = TriggerDagRunOperator(task_id='t', trigger_dag_id='x', python_callable=lambda c, o: o)\n",
     "it is not a function defined in this file"),
    (("def pick(day):\n    def cb(context, dag_run_obj):\n        return dag_run_obj\n    return cb\n"
      "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='x', python_callable=pick('mon'))\n"),
     "it is not a function defined in this file"),
])
def test_imported_lambda_or_built_callables_are_kept(source, why):
    assert why in kept_callable(TRIGGER_IMPORT + source)


def test_one_subclass_per_file_and_a_taken_name():
    result = convert(TRIGGER_IMPORT + f"{FALLBACK_NAME} = 'mine'\n" + textwrap.dedent("""\
        def cb(context, dag_run_obj):
            return dag_run_obj if context['params'] else None
        a = TriggerDagRunOperator(task_id='a', trigger_dag_id='x', python_callable=cb)
        b = TriggerDagRunOperator(task_id='b', trigger_dag_id='y', python_callable=cb)
        """))
    assert result.code.count(f"class {FALLBACK_NAME}_2(TriggerDagRunOperator):") == 1
    assert result.code.count(f"{FALLBACK_NAME}_2(task_id=") == 2
    assert f"{FALLBACK_NAME} = 'mine'" in result.code


def test_dag_run_order_used_otherwise_than_called_stays_a_todo():
    result = convert(
        "from airflow.operators.dagrun_operator import DagRunOrder, TriggerDagRunOperator\n"
        "def cb(context, dro):\n"
        "    return dro if isinstance(dro, DagRunOrder) else None\n"
        "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='x', python_callable=cb)\n")
    assert any(t.rule == "AM102" and "DagRunOrder" in t.message for t in result.todos)
    assert "class DagRunOrder_2:" in result.code  # the subclass's own; the import (a TODO) keeps the name


def test_unused_dag_run_order_import_goes():
    code = converted(
        "from airflow.operators.dagrun_operator import DagRunOrder, TriggerDagRunOperator\n"
        "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='x')\n")
    assert code == ("from airflow.operators.trigger_dagrun import TriggerDagRunOperator\n"
                    "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='x')\n")


def test_dag_run_order_in_a_def_the_payload_rule_removes_and_in_one_kept():
    """AM601 removes one def calling DagRunOrder (its uses go with it), AM603 keeps the other: one class."""
    code = converted(
        "from airflow.operators.dagrun_operator import DagRunOrder, TriggerDagRunOperator\n"
        "def cb(context, dro):\n"
        "    return DagRunOrder(payload={'k': 1})\n"
        "def other(context, dro):\n"
        "    return DagRunOrder(run_id='r', payload={'k': 2})\n"
        "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='x', python_callable=cb)\n"
        "u = TriggerDagRunOperator(task_id='u', trigger_dag_id='x', python_callable=other)\n")
    assert "conf={'k': 1}" in code and "def cb" not in code
    assert code.count("class DagRunOrder:") == 1 and "DagRunOrder(run_id='r', payload={'k': 2})" in code
    assert "from airflow.operators.dagrun_operator" not in code


# -- AM602: execution_date -> logical_date --------------------------------------------------------------------


def test_logical_date_only_from_airflow_2_10():
    rule = TriggerDagRunLogicalDate()
    call = cst.parse_expression("TriggerDagRunOperator(task_id='t', trigger_dag_id='x', execution_date='{{ ds }}')")
    target = CallTarget(TRIGGER, TRIGGER, SimpleNamespace())
    changes = []

    def ctx(version: str):
        profile = SimpleNamespace(airflow_at_least=lambda v: tuple(map(int, version.split("."))) >= tuple(
            map(int, v.split("."))))
        return SimpleNamespace(profile=profile, change=lambda code, msg: changes.append(msg), todo=None)

    assert rule.leave_call(ctx("2.9.3"), call, target) is call
    renamed = rule.leave_call(ctx("2.10.5"), call, target)
    assert cst.Module(body=[]).code_for_node(renamed).endswith("logical_date='{{ ds }}')")


# -- AM401: days_ago ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call,expression", [
    ("days_ago(1)", "pendulum.today('UTC').add(days=-1)"),
    ("days_ago(0)", "pendulum.today('UTC')"),
    ("days_ago(-2)", "pendulum.today('UTC').add(days=2)"),
    ("days_ago(N)", "pendulum.today('UTC').add(days=-N)"),
    ("days_ago(N + 1, minute=30)", "pendulum.today('UTC').add(days=-(N + 1), minutes=30)"),
    ("days_ago(1, 6, 15, 0, 5)", "pendulum.today('UTC').add(days=-1, hours=6, minutes=15, microseconds=5)"),
    ("days_ago(n=7)", "pendulum.today('UTC').add(days=-7)"),
])
def test_days_ago(call, expression):
    code = converted(f"from airflow.utils.dates import days_ago\nN = 3\nstart = {call}\n")
    assert code == f"import pendulum\nN = 3\nstart = {expression}\n"


@pytest.mark.parametrize("call", ["days_ago(1, 24)", "days_ago(1, hour=H)", "days_ago(*args)", "days_ago()"])
def test_days_ago_todo(call):
    result = convert(f"from airflow.utils.dates import days_ago\nstart = {call}\n")
    assert [t.rule for t in result.todos] == ["AM401"]
    assert "from airflow.utils.dates import days_ago\n" in result.code


def test_days_ago_keeps_the_import_while_used_and_avoids_a_taken_name():
    code = converted("from airflow.utils.dates import days_ago\npendulum = None\na = days_ago(1)\nhelper = days_ago\n")
    assert code == ("from airflow.utils.dates import days_ago\nimport pendulum as pendulum_2\npendulum = None\n"
                    "a = pendulum_2.today('UTC').add(days=-1)\nhelper = days_ago\n")


def test_days_ago_through_the_module():
    code = converted("from airflow import DAG\nfrom airflow.utils import dates\n"
                     "dag = DAG('d', start_date=dates.days_ago(1), schedule_interval=None)\n")
    assert code == ("from airflow import DAG\nimport pendulum\n"
                    "dag = DAG('d', start_date=pendulum.today('UTC').add(days=-1), schedule=None)\n")


# -- AM402: @apply_defaults ----------------------------------------------------------------------------------


def test_apply_defaults_with_comments_and_other_decorators():
    code = converted(textwrap.dedent("""\
        from airflow.models import BaseOperator
        from airflow.utils import apply_defaults


        class Op(BaseOperator):
            @some.decorator
            # applies default_args
            @apply_defaults  # required in 1.10
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
        """))
    assert code == textwrap.dedent("""\
        from airflow.models import BaseOperator


        class Op(BaseOperator):
            @some.decorator
            # applies default_args
            # required in 1.10
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
        """)


def test_apply_defaults_through_the_module_import():
    code = converted("from airflow.utils import decorators\nfrom airflow.models import BaseOperator\n"
                     "class Op(BaseOperator):\n    @decorators.apply_defaults\n    def __init__(self, **kw):\n"
                     "        super().__init__(**kw)\n")
    assert code.startswith("from airflow.models import BaseOperator\nclass Op(BaseOperator):\n    def __init__")


# -- AM403: positional operator arguments ---------------------------------------------------------------------


POSITIONAL = {
    "bash": (
        "from airflow.operators.bash_operator import BashOperator\nt = BashOperator('make', True, task_id='b')\n",
        ("from airflow.operators.bash import BashOperator\n"
         "t = BashOperator(bash_command='make', do_xcom_push=True, task_id='b')\n"),
    ),
    "python": (
        ("from airflow.operators.python_operator import PythonOperator\n"
         "t = PythonOperator(f, [1], None, True, task_id='p')\n"),
        ("from airflow.operators.python import PythonOperator\n"
         "t = PythonOperator(python_callable=f, op_args=[1], op_kwargs=None, task_id='p')\n"),
    ),
    "trigger": (
        ("from airflow.operators.dagrun_operator import TriggerDagRunOperator\n"
         "t = TriggerDagRunOperator('x', task_id='t')\n"),
        ("from airflow.operators.trigger_dagrun import TriggerDagRunOperator\n"
         "t = TriggerDagRunOperator(trigger_dag_id='x', task_id='t')\n"),
    ),
    "dummy": (
        "from airflow.operators.dummy_operator import DummyOperator\nt = DummyOperator('d', 'data-team')\n",
        "from airflow.operators.empty import EmptyOperator\nt = EmptyOperator(task_id='d', owner='data-team')\n",
    ),
}


@pytest.mark.parametrize("before,after", list(POSITIONAL.values()), ids=list(POSITIONAL))
def test_positional_arguments(before, after):
    assert converted(before) == after


@pytest.mark.parametrize("call,why", [
    ("PythonOperator(*ARGS)", "*args hides"),
    ("PythonOperator(f, python_callable=f, task_id='g')", "also passes by keyword"),
    ("PythonOperator(f, task_id='g', **kw)", "**kwargs hides"),
    ("PythonOperator('t', f)", "no task_id is given"),
])
def test_positional_arguments_todo(call, why):
    messages = todos(f"from airflow.operators.python_operator import PythonOperator\nt = {call}\n")
    assert any(why in m for m in messages), messages


# -- helpers the table should move (not rules) --------------------------------------------------------------


def test_chain_moves_to_baseoperator():
    code = convert_source("from airflow.utils.helpers import chain, cross_downstream\nchain(a, b)\n").code
    assert code.startswith("from airflow.models.baseoperator import chain, cross_downstream\n")


# -- the real runtime ---------------------------------------------------------------------------------------

HELPERS_DAG = '''\
"""Daily load that triggers the report DAG (Airflow 1.10)."""
from airflow import DAG
from airflow.models import BaseOperator
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dagrun_operator import DagRunOrder, TriggerDagRunOperator
from airflow.operators.dummy_operator import DummyOperator
from airflow.utils.dates import days_ago
from airflow.utils.decorators import apply_defaults

REPORT = 'daily_report'


class EchoOperator(BaseOperator):
    template_fields = ('message',)

    @apply_defaults
    def __init__(self, message, *args, **kwargs):
        super(EchoOperator, self).__init__(*args, **kwargs)
        self.message = message

    def execute(self, context):
        self.log.info(self.message)


def set_payload(context, dag_run_obj):
    """Tell the report which day and table to use."""
    dag_run_obj.payload = {
        'day': context['ds'],
        'table': REPORT,
        'note': 'loaded by ' + context['params']['team'],
    }
    return dag_run_obj


def plain_order(context, dro):
    return DagRunOrder(payload={'source': 'load'})


default_args = {'owner': 'data', 'start_date': days_ago(2)}

with DAG('load_and_report', default_args=default_args, schedule_interval='@daily',
         params={'team': 'analytics'}) as dag:
    start = DummyOperator('start')
    load = BashOperator('echo load', task_id='load')
    echo = EchoOperator(task_id='echo', message='{{ ds }}')
    report = TriggerDagRunOperator(task_id='report', trigger_dag_id=REPORT, python_callable=set_payload,
                                   execution_date='{{ ts }}')
    audit = TriggerDagRunOperator(task_id='audit', trigger_dag_id='audit', python_callable=plain_order)
    start >> load >> echo >> [report, audit]
'''


@pytest.mark.slow
def test_converted_helpers_dag_loads_without_warnings_and_renders_the_payload(tmp_path):
    result = convert_source(HELPERS_DAG, "load_and_report.py")
    assert not result.todos, [t.message for t in result.todos]
    for gone in ("days_ago", "apply_defaults", "python_callable", "DagRunOrder", "def set_payload", "execution_date"):
        assert gone not in result.code
    loaded = load_in_runtime({"load_and_report.py": result.code}, tmp_path)
    assert loaded["import_errors"] == {}
    assert loaded["warnings"] == {}
    assert loaded["tasks"] == {"load_and_report": ["audit", "echo", "load", "report", "start"]}
    # what 1.10 sent: json.dumps of the payload built when the task ran
    assert loaded["conf"]["report"] == {"day": "2024-05-01", "table": "daily_report", "note": "loaded by analytics"}
    assert loaded["conf"]["audit"] == {"source": "load"}
