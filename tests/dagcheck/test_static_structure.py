"""Static extraction of DAG structure from Airflow 1.10 source text: one construct per test."""

from __future__ import annotations

import textwrap

import pytest

from dagcheck.static_structure import StaticExtraction, extract_static
from dagcheck.structure import RELATIVE, UNKNOWN, DagStructure

HEADER = """\
from datetime import datetime, timedelta
from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator
"""


def extract(body: str, header: str = HEADER, path: str = "dags/example.py") -> StaticExtraction:
    return extract_static(header + textwrap.dedent(body), path)


def one(body: str, header: str = HEADER) -> DagStructure:
    result = extract(body, header)
    assert len(result.dags) == 1, result
    return result.dags[0]


def notes_text(result: StaticExtraction) -> str:
    return "\n".join(result.notes)


# ---- DAG construction -----------------------------------------------------------------------------------


def test_assigned_dag_with_kwargs_and_default_args_applied_to_tasks():
    dag = one("""
        default_args = {"owner": "data", "retries": 2, "retry_delay": timedelta(minutes=5),
                        "start_date": datetime(2020, 1, 1)}
        dag = DAG("etl", default_args=default_args, schedule_interval="0 3 * * *", catchup=False)
        extract = BashOperator(task_id="extract", bash_command="echo", dag=dag)
        load = BashOperator(task_id="load", bash_command="echo", dag=dag, retries=5, trigger_rule="all_done")
        extract >> load
    """)
    assert dag == DagStructure(
        dag_id="etl",
        task_ids=("extract", "load"),
        edges=(("extract", "load"),),
        schedule="0 3 * * *",
        catchup=False,
        start_date="2020-01-01T00:00:00",
        retries={"extract": 2, "load": 5},
        trigger_rules={"extract": "all_success", "load": "all_done"},
        default_args={"owner": "data", "retries": 2, "retry_delay": "timedelta:300"},
        source_line=8,
    )


def test_context_manager_gives_tasks_the_dag_and_defaults_apply():
    dag = one("""
        with DAG("ctx", start_date=datetime(2021, 6, 1), schedule_interval=None) as dag:
            a = DummyOperator(task_id="a")
            b = DummyOperator(task_id="b")
            a >> b
    """)
    assert dag.dag_id == "ctx"
    assert dag.task_ids == ("a", "b")
    assert dag.edges == (("a", "b"),)
    assert dag.schedule is None
    assert dag.catchup is True  # Airflow's catchup_by_default
    assert dag.start_date == "2021-06-01T00:00:00"
    assert dag.retries == {"a": 0, "b": 0}
    assert dag.trigger_rules == {"a": "all_success", "b": "all_success"}


def test_reentering_an_existing_dag_with_with():
    dag = one("""
        dag = DAG("reenter", start_date=datetime(2021, 1, 1))
        with dag:
            DummyOperator(task_id="inside")
    """)
    assert dag.task_ids == ("inside",)


@pytest.mark.parametrize(
    ("schedule_src", "expected"),
    [
        ("schedule_interval='@daily'", "@daily"),
        ("schedule_interval=None", None),
        ("schedule_interval=timedelta(hours=6)", "timedelta:21600"),
        ("schedule_interval=timedelta(1)", "timedelta:86400"),
        ("schedule_interval=SCHEDULE", "*/15 * * * *"),
        ("schedule='@hourly'", "@hourly"),
        ("", "timedelta:86400"),  # the 1.10 default when omitted
    ],
)
def test_schedule_forms(schedule_src, expected):
    dag = one(f"""
        SCHEDULE = "*/15 * * * *"
        dag = DAG("s", start_date=datetime(2021, 1, 1), {schedule_src})
    """)
    assert dag.schedule == expected


def test_catchup_default_is_true_and_explicit_value_is_kept():
    result = extract("""
        a = DAG("a", start_date=datetime(2021, 1, 1))
        b = DAG("b", start_date=datetime(2021, 1, 1), catchup=False)
    """)
    assert {d.dag_id: d.catchup for d in result.dags} == {"a": True, "b": False}


@pytest.mark.parametrize(
    ("start_src", "expected"),
    [
        ("start_date=datetime(2020, 1, 1)", "2020-01-01T00:00:00"),
        ("start_date=datetime(2020, 1, 1, 6, 30)", "2020-01-01T06:30:00"),
        ("start_date=pendulum.datetime(2021, 1, 1, tz='Europe/Amsterdam')", "2020-12-31T23:00:00"),
        ("start_date=pendulum.datetime(2021, 7, 1)", "2021-07-01T00:00:00"),
        ("start_date=datetime(2021, 7, 1, tzinfo=pendulum.timezone('America/New_York'))", "2021-07-01T04:00:00"),
        ("start_date=timezone.datetime(2021, 3, 1)", "2021-03-01T00:00:00"),
        ("start_date=days_ago(1)", RELATIVE),
        ("start_date=dates.days_ago(3)", RELATIVE),
        ("start_date=datetime.now() - timedelta(days=1)", RELATIVE),
        ("start_date=START", "2019-05-05T00:00:00"),
        ("", None),
    ],
)
def test_start_date_forms(start_src, expected):
    dag = one(f"""
        import pendulum
        from airflow.utils import dates, timezone
        from airflow.utils.dates import days_ago
        START = datetime(2019, 5, 5)
        dag = DAG("s", {start_src})
    """)
    assert dag.start_date == expected


def test_start_date_from_default_args_datetime_and_string():
    result = extract("""
        a = DAG("a", default_args={"start_date": datetime(2020, 2, 2)})
        b = DAG("b", default_args={"start_date": "2020-03-03"})
    """)
    assert {d.dag_id: d.start_date for d in result.dags} == {"a": "2020-02-02T00:00:00", "b": "2020-03-03T00:00:00"}


def test_relative_start_date_is_noted():
    result = extract("""
        from airflow.utils.dates import days_ago
        dag = DAG("r", default_args={"start_date": days_ago(2)})
    """)
    assert result.dags[0].start_date == RELATIVE
    assert "start_date depends on the parse time (days_ago() at line 7)" in notes_text(result)


def test_dag_id_from_constants_and_formatting():
    result = extract("""
        PREFIX = "team"
        NAME = "sales"
        DAG_ID = "x_dag"
        a = DAG(DAG_ID, start_date=datetime(2021, 1, 1))
        b = DAG(f"{PREFIX}_{NAME}", start_date=datetime(2021, 1, 1))
        c = DAG("{}_{}".format(PREFIX, "c"), start_date=datetime(2021, 1, 1))
        d = DAG("%s_%s" % (PREFIX, "d"), start_date=datetime(2021, 1, 1))
        e = DAG(PREFIX + "_e", start_date=datetime(2021, 1, 1))
        f = DAG(dag_id="_".join([PREFIX, "f"]).upper(), start_date=datetime(2021, 1, 1))
    """)
    assert [d.dag_id for d in result.dags] == ["TEAM_F", "team_c", "team_d", "team_e", "team_sales", "x_dag"]


def test_dag_id_from_the_file_name():
    result = extract_static(HEADER + textwrap.dedent("""
        import os
        from pathlib import Path
        a = DAG(os.path.basename(__file__).replace(".py", ""), start_date=datetime(2021, 1, 1))
        b = DAG(Path(__file__).stem + "_v2", start_date=datetime(2021, 1, 1))
    """), "/home/composer/dags/load_orders.py")
    assert [d.dag_id for d in result.dags] == ["load_orders", "load_orders_v2"]


# ---- default_args --------------------------------------------------------------------------------------


def test_default_args_copy_dict_and_unpacking():
    result = extract("""
        base = {"owner": "o", "retries": 1, "email": ["a@example.com"]}
        copied = base.copy()
        copied["retries"] = 3
        via_dict = dict(base, retries=4)
        unpacked = {**base, "retries": 5, "depends_on_past": True}
        a = DAG("a", default_args=copied, start_date=datetime(2021, 1, 1))
        b = DAG("b", default_args=via_dict, start_date=datetime(2021, 1, 1))
        c = DAG("c", default_args=unpacked, start_date=datetime(2021, 1, 1))
        d = DAG("d", default_args=base, start_date=datetime(2021, 1, 1))
        for x in (a, b, c, d):
            DummyOperator(task_id="t", dag=x)
    """)
    by_id = {d.dag_id: d for d in result.dags}
    assert {k: v.retries["t"] for k, v in by_id.items()} == {"a": 3, "b": 4, "c": 5, "d": 1}
    assert by_id["c"].default_args == {"owner": "o", "retries": 5, "email": ["a@example.com"],
                                       "depends_on_past": True}


def test_default_args_are_copied_when_the_dag_is_created():
    dag = one("""
        args = {"retries": 1, "start_date": datetime(2021, 1, 1)}
        dag = DAG("copy", default_args=args)
        args["retries"] = 9
        DummyOperator(task_id="t", dag=dag)
    """)
    assert dag.retries == {"t": 1}
    assert dag.default_args == {"retries": 1}


def test_default_args_leave_out_callables_datetimes_and_params():
    dag = one("""
        def alert(context):
            pass
        args = {"owner": "o", "on_failure_callback": alert, "start_date": datetime(2021, 1, 1),
                "params": {"x": 1}, "sla": timedelta(hours=1), "email_on_failure": False}
        dag = DAG("d", default_args=args)
    """)
    assert dag.default_args == {"owner": "o", "sla": "timedelta:3600", "email_on_failure": False}


def test_default_args_value_from_another_module_is_unknown_with_a_note():
    result = extract("""
        from config import OWNER
        dag = DAG("d", default_args={"owner": OWNER, "retries": 1}, start_date=datetime(2021, 1, 1))
    """)
    assert result.dags[0].default_args == {"owner": UNKNOWN, "retries": 1}
    assert "default_args 'owner' not known statically: 'config.OWNER' is defined outside this file" in notes_text(
        result)


def test_default_args_built_from_an_imported_dict_are_partial():
    result = extract("""
        from common.args import BASE_ARGS
        args = {**BASE_ARGS, "owner": "me"}
        dag = DAG("p", default_args=args, start_date=datetime(2021, 1, 1))
        DummyOperator(task_id="t", dag=dag)
        DummyOperator(task_id="u", dag=dag, retries=1)
    """)
    dag = result.dags[0]
    assert dag.default_args == {"owner": "me"}
    assert "default_args" in dag.incomplete
    assert dag.retries == {"t": UNKNOWN, "u": 1}
    assert "line 9: task 't': retries not known statically" in notes_text(result)


def test_task_level_default_args_merge_over_the_dags():
    dag = one("""
        dag = DAG("m", default_args={"retries": 1, "trigger_rule": "all_done"}, start_date=datetime(2021, 1, 1))
        DummyOperator(task_id="t", dag=dag, default_args={"retries": 4})
        DummyOperator(task_id="u", dag=dag)
    """)
    assert dag.retries == {"t": 4, "u": 1}
    assert dag.trigger_rules == {"t": "all_done", "u": "all_done"}


# ---- tasks and dependencies ---------------------------------------------------------------------------

DAG_LINE = 'dag = DAG("d", start_date=datetime(2021, 1, 1))\n'


def tasks(*ids: str) -> str:
    return "".join(f'{i} = DummyOperator(task_id="{i}", dag=dag)\n' for i in ids)


@pytest.mark.parametrize(
    ("deps", "edges"),
    [
        ("a >> b >> c", {("a", "b"), ("b", "c")}),
        ("c << b << a", {("a", "b"), ("b", "c")}),
        ("a >> [b, c] >> d", {("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")}),
        ("[a, b] >> c", {("a", "c"), ("b", "c")}),
        ("d << [b, c]", {("b", "d"), ("c", "d")}),
        ("a.set_downstream([b, c])\nd.set_upstream(c)", {("a", "b"), ("a", "c"), ("c", "d")}),
        ("b.set_upstream(a)", {("a", "b")}),
    ],
)
def test_dependency_operators(deps, edges):
    dag = one(DAG_LINE + tasks("a", "b", "c", "d") + deps + "\n")
    assert set(dag.edges) == edges
    assert dag.incomplete == ()


@pytest.mark.parametrize("module", ["airflow.utils.helpers", "airflow.models.baseoperator"])
def test_chain_and_cross_downstream(module):
    dag = one(f"from {module} import chain, cross_downstream\n" + DAG_LINE + tasks("a", "b", "c", "d", "e", "f", "g")
              + "chain(a, [b, c], [d, e], f)\ncross_downstream([a, b], [g])\n")
    assert set(dag.edges) == {("a", "b"), ("a", "c"), ("b", "d"), ("c", "e"), ("d", "f"), ("e", "f"),
                              ("a", "g"), ("b", "g")}


def test_chain_of_a_task_list_built_in_a_loop():
    dag = one("""
        from airflow.utils.helpers import chain
        dag = DAG("c", start_date=datetime(2021, 1, 1))
        steps = [DummyOperator(task_id=f"step_{i}", dag=dag) for i in range(3)]
        chain(*steps)
    """)
    assert dag.edges == (("step_0", "step_1"), ("step_1", "step_2"))


@pytest.mark.parametrize(
    "task_id_expr",
    ["'load_' + name", "f'load_{name}'", "'load_{}'.format(name)", "'load_%s' % name", "'load_%s' % (name,)"],
)
def test_loop_over_a_literal_list_unrolls(task_id_expr):
    dag = one(f"""
        dag = DAG("loop", start_date=datetime(2021, 1, 1))
        start = DummyOperator(task_id="start", dag=dag)
        for name in ["orders", "users"]:
            t = BashOperator(task_id={task_id_expr}, bash_command="echo", dag=dag)
            start >> t
    """)
    assert dag.task_ids == ("load_orders", "load_users", "start")
    assert dag.edges == (("start", "load_orders"), ("start", "load_users"))


def test_loop_over_range_dict_items_and_enumerate_with_list_append():
    dag = one("""
        TABLES = {"a": 1, "b": 2}
        dag = DAG("loop", start_date=datetime(2021, 1, 1))
        end = DummyOperator(task_id="end", dag=dag)
        made = []
        for i in range(2):
            for table, retries in TABLES.items():
                made.append(DummyOperator(task_id=f"{table}_{i}", retries=retries, dag=dag))
        for n, task in enumerate(made):
            if n % 2 == 0:
                task >> end
    """)
    assert dag.task_ids == ("a_0", "a_1", "b_0", "b_1", "end")
    assert dag.retries == {"a_0": 1, "a_1": 1, "b_0": 2, "b_1": 2, "end": 0}
    assert dag.edges == (("a_0", "end"), ("a_1", "end"))


def test_task_factory_function_in_the_same_file():
    dag = one("""
        def make(name, dag, rule="all_success"):
            return BashOperator(task_id="run_" + name, bash_command="x", dag=dag, trigger_rule=rule)
        dag = DAG("f", start_date=datetime(2021, 1, 1))
        make("a", dag) >> make("b", dag, rule="one_failed")
    """)
    assert dag.edges == (("run_a", "run_b"),)
    assert dag.trigger_rules == {"run_a": "all_success", "run_b": "one_failed"}


def test_trigger_rule_enum_and_string_and_default_args():
    dag = one("""
        from airflow.utils.trigger_rule import TriggerRule
        from airflow.utils import trigger_rule
        dag = DAG("t", default_args={"trigger_rule": TriggerRule.NONE_FAILED}, start_date=datetime(2021, 1, 1))
        DummyOperator(task_id="a", dag=dag)
        DummyOperator(task_id="b", dag=dag, trigger_rule=TriggerRule.ALL_DONE)
        DummyOperator(task_id="c", dag=dag, trigger_rule="one_success")
        DummyOperator(task_id="d", dag=dag, trigger_rule=trigger_rule.TriggerRule.DUMMY)
    """)
    assert dag.trigger_rules == {"a": "none_failed", "b": "all_done", "c": "one_success", "d": "dummy"}
    assert dag.default_args == {"trigger_rule": "none_failed"}


def test_any_callable_ending_in_operator_or_sensor_or_taking_task_id_is_a_task():
    dag = one("""
        from plugins.custom import MyCopyOperator, FileReadySensor, make_task
        from airflow.contrib.operators import bigquery_operator as bq
        dag = DAG("ops", start_date=datetime(2021, 1, 1))
        MyCopyOperator(task_id="copy", dag=dag) >> FileReadySensor(task_id="wait", dag=dag)
        make_task(task_id="custom", dag=dag)
        bq.BigQueryOperator(task_id="bq", sql="select 1", dag=dag)
    """)
    assert dag.task_ids == ("bq", "copy", "custom", "wait")
    assert dag.edges == (("copy", "wait"),)


def test_operator_class_defined_in_the_file():
    dag = one("""
        from airflow.models import BaseOperator
        class Shout(BaseOperator):
            def execute(self, context):
                pass
        dag = DAG("c", start_date=datetime(2021, 1, 1))
        Shout(task_id="shout", dag=dag)
    """)
    assert dag.task_ids == ("shout",)


def test_task_without_a_dag_joins_the_dag_of_the_task_it_is_linked_to():
    dag = one("""
        dag = DAG("join", start_date=datetime(2021, 1, 1))
        a = DummyOperator(task_id="a", dag=dag)
        b = DummyOperator(task_id="b")
        a >> b
    """)
    assert dag.task_ids == ("a", "b")
    assert dag.edges == (("a", "b"),)


def test_airflow_1_dag_shift_assigns_the_task():
    dag = one("""
        dag = DAG("old", start_date=datetime(2021, 1, 1))
        a = DummyOperator(task_id="a")
        dag >> a
        b = DummyOperator(task_id="b")
        b << dag
    """)
    assert dag.task_ids == ("a", "b")
    assert dag.edges == ()


def test_set_dependency_and_add_task_on_the_dag():
    dag = one("""
        dag = DAG("sd", start_date=datetime(2021, 1, 1))
        dag.add_task(DummyOperator(task_id="a"))
        DummyOperator(task_id="b", dag=dag)
        dag.set_dependency("a", "b")
    """)
    assert dag.edges == (("a", "b"),)


def test_main_guard_and_doc_md_are_harmless():
    dag = one("""
        dag = DAG("m", start_date=datetime(2021, 1, 1))
        dag.doc_md = __doc__
        DummyOperator(task_id="a", dag=dag)
        if __name__ == "__main__":
            dag.cli()
    """)
    assert dag.task_ids == ("a",)


def test_try_except_import_fallback():
    dag = one("""
        try:
            from airflow.operators.bash import BashOperator as Bash
        except ImportError:
            from airflow.operators.bash_operator import BashOperator as Bash
        dag = DAG("t", start_date=datetime(2021, 1, 1))
        Bash(task_id="b", bash_command="x", dag=dag)
    """)
    assert dag.task_ids == ("b",)


def test_if_on_a_known_constant_takes_one_branch():
    dag = one("""
        ENV = "prod"
        dag = DAG("env", start_date=datetime(2021, 1, 1))
        if ENV == "prod":
            DummyOperator(task_id="prod_only", dag=dag)
        else:
            DummyOperator(task_id="dev_only", dag=dag)
    """)
    assert dag.task_ids == ("prod_only",)
    assert dag.incomplete == ()


def test_task_group_ids_and_group_dependencies():
    dag = one("""
        from airflow.utils.task_group import TaskGroup
        with DAG("g", start_date=datetime(2021, 1, 1)) as dag:
            start = DummyOperator(task_id="start")
            with TaskGroup("section", default_args={"retries": 3}) as section:
                a = DummyOperator(task_id="a")
                with TaskGroup("inner") as inner:
                    b = DummyOperator(task_id="b")
                a >> inner
            with TaskGroup("flat", prefix_group_id=False) as flat:
                DummyOperator(task_id="c")
            start >> section >> flat
    """)
    assert dag.task_ids == ("c", "section.a", "section.inner.b", "start")
    assert set(dag.edges) == {("start", "section.a"), ("section.a", "section.inner.b"), ("section.inner.b", "c")}
    assert dag.retries == {"c": 0, "section.a": 3, "section.inner.b": 3, "start": 0}
    assert dag.task_groups == ("flat", "section", "section.inner")


# ---- SubDAGs and DAG factories --------------------------------------------------------------------------

SUBDAG_SOURCE = """
from airflow.operators.subdag_operator import SubDagOperator
from airflow.utils.dates import days_ago

DAG_NAME = "parent"
args = {"owner": "airflow", "start_date": datetime(2021, 1, 1)}

def subdag(parent_dag_name, child_dag_name, args):
    dag_subdag = DAG(dag_id="%s.%s" % (parent_dag_name, child_dag_name), default_args=args,
                     schedule_interval="@daily")
    for i in range(2):
        DummyOperator(task_id="%s-task-%s" % (child_dag_name, i + 1), default_args=args, dag=dag_subdag)
    return dag_subdag

dag = DAG(dag_id=DAG_NAME, default_args=args, schedule_interval="@once")
start = DummyOperator(task_id="start", dag=dag)
section = SubDagOperator(task_id="section-1", subdag=subdag(DAG_NAME, "section-1", args), dag=dag)
end = DummyOperator(task_id="end", dag=dag)
start >> section >> end
"""


def test_subdag_factory_in_the_same_file():
    result = extract(SUBDAG_SOURCE)
    assert [d.dag_id for d in result.dags] == ["parent"]  # the subdag is not a top-level DAG
    parent = result.dags[0]
    assert parent.task_ids == ("end", "section-1", "start")
    assert parent.edges == (("section-1", "end"), ("start", "section-1"))
    (child,) = parent.subdags
    assert child.dag_id == "parent.section-1"
    assert child.task_ids == ("section-1-task-1", "section-1-task-2")
    assert child.schedule == "@daily"
    assert child.start_date == "2021-01-01T00:00:00"
    assert result.notes == ()


def test_subdag_from_an_imported_factory_is_a_placeholder_with_a_note():
    result = extract("""
        from airflow.operators.subdag_operator import SubDagOperator
        from common.subdags import build
        dag = DAG("p", start_date=datetime(2021, 1, 1))
        SubDagOperator(task_id="child", subdag=build("p", "child"), dag=dag)
    """)
    parent = result.dags[0]
    (child,) = parent.subdags
    assert child.dag_id == "p.child"
    assert child.schedule == UNKNOWN
    assert child.incomplete == ("task_ids", "edges", "default_args", "subdags")
    assert "subdags" in parent.incomplete
    assert "line 9: subdag of task 'child' not known statically" in notes_text(result)


def test_dag_factory_in_a_loop_into_globals():
    result = extract("""
        def create_dag(dag_id, schedule, default_args):
            dag = DAG(dag_id, schedule_interval=schedule, default_args=default_args)
            with dag:
                DummyOperator(task_id="hello")
            return dag

        for n in range(1, 4):
            dag_id = "hello_world_{}".format(str(n))
            default_args = {"owner": "airflow", "start_date": datetime(2018, 1, 1)}
            globals()[dag_id] = create_dag(dag_id, "@daily", default_args)
    """)
    assert [d.dag_id for d in result.dags] == ["hello_world_1", "hello_world_2", "hello_world_3"]
    assert all(d.task_ids == ("hello",) and d.schedule == "@daily" for d in result.dags)


def test_dag_factory_called_once_and_a_dag_not_bound_to_a_global():
    result = extract("""
        def create_dag(name):
            with DAG(name, start_date=datetime(2021, 1, 1)) as dag:
                DummyOperator(task_id="t")
            return dag
        dag = create_dag("made")
        create_dag("dropped")
    """)
    assert [d.dag_id for d in result.dags] == ["made"]
    assert "DAG 'dropped' is not bound to a module-level name" in notes_text(result)


def test_only_the_last_dag_bound_to_a_reused_name_is_loaded():
    result = extract("""
        for name in ["a", "b"]:
            dag = DAG(name, start_date=datetime(2021, 1, 1))
    """)
    assert [d.dag_id for d in result.dags] == ["b"]


# ---- what cannot be determined: unknown + a note, never a guess ----------------------------------------


def test_tasks_from_a_runtime_value_make_the_dag_incomplete_with_notes():
    result = extract("""
        from airflow.models import Variable
        tables = Variable.get("tables", deserialize_json=True)
        dag = DAG("v", start_date=datetime(2021, 1, 1))
        start = DummyOperator(task_id="start", dag=dag)
        end = DummyOperator(task_id="end", dag=dag)
        for table in tables:
            load = BashOperator(task_id="load_" + table, bash_command="x", dag=dag)
            start >> load >> end
        start >> end
    """)
    dag = result.dags[0]
    assert dag.task_ids == ("end", "start")
    assert dag.edges == (("start", "end"),)
    assert dag.incomplete == ("task_ids", "edges")
    text = notes_text(result)
    assert "line 12: task with an id not known statically is created where loop at line 11 is over a value " \
           "only known at run time (Airflow Variable read at line 7)" in text


def test_conditional_tasks_are_not_recorded_as_facts():
    result = extract("""
        import os
        dag = DAG("c", start_date=datetime(2021, 1, 1))
        a = DummyOperator(task_id="a", dag=dag)
        if os.environ.get("EXTRA"):
            b = DummyOperator(task_id="b", dag=dag)
            a >> b
    """)
    dag = result.dags[0]
    assert dag.task_ids == ("a",)
    assert dag.incomplete == ("task_ids", "edges")
    assert "line 10: task 'b' is created where condition at line 9 is only known at run time" in notes_text(result)


def test_unknown_schedule_dag_id_and_catchup_are_unknown_with_notes():
    result = extract("""
        from settings import SCHEDULE, NAME, CATCHUP
        dag = DAG(NAME, schedule_interval=SCHEDULE, catchup=CATCHUP, start_date=datetime(2021, 1, 1))
    """)
    dag = result.dags[0]
    assert (dag.dag_id, dag.schedule, dag.catchup) == (UNKNOWN, UNKNOWN, UNKNOWN)
    text = notes_text(result)
    assert "line 7: dag id not known statically: 'settings.NAME' is defined outside this file (imported at line 6)" in text
    assert "schedule not known statically: 'settings.SCHEDULE'" in text


def test_dags_created_under_an_unknown_condition_are_placeholders():
    result = extract("""
        import os
        if os.environ.get("ENABLE"):
            dag = DAG("maybe", start_date=datetime(2021, 1, 1))
    """)
    assert [d.dag_id for d in result.dags] == [UNKNOWN]
    assert "DAG 'maybe' may or may not be loaded" in notes_text(result)


def test_helper_from_another_module_receiving_the_dag_makes_it_incomplete():
    result = extract("""
        from common.alerts import add_alerting
        dag = DAG("h", start_date=datetime(2021, 1, 1))
        a = DummyOperator(task_id="a", dag=dag)
        add_alerting(dag, a)
    """)
    dag = result.dags[0]
    assert dag.incomplete == ("task_ids", "edges")
    assert "'common.alerts.add_alerting' (defined outside this file) is called with DAG objects" in notes_text(result)


def test_task_id_passed_positionally_is_noted():
    result = extract("""
        dag = DAG("p", start_date=datetime(2021, 1, 1))
        BashOperator("echo hi", dag=dag)
    """)
    assert result.dags[0].task_ids == ()
    assert "task_ids" in result.dags[0].incomplete
    assert "BashOperator at line 7 has no task_id keyword (passed positionally?)" in notes_text(result)


def test_duplicate_task_id_is_noted():
    result = extract("""
        dag = DAG("dup", start_date=datetime(2021, 1, 1))
        DummyOperator(task_id="a", dag=dag)
        DummyOperator(task_id="a", dag=dag)
    """)
    assert result.dags[0].task_ids == ("a",)
    assert "task id 'a' is used twice" in notes_text(result)


def test_syntax_error_is_reported_with_file_and_line():
    result = extract_static("print 'python 2'\n", "dags/old.py")
    assert result.dags == ()
    assert result.error == "dags/old.py:1: syntax error: Missing parentheses in call to 'print'. Did you mean print(...)?"


def test_star_import_names_are_unknown():
    result = extract("""
        from common.settings import *
        dag = DAG(DAG_NAME, start_date=datetime(2021, 1, 1))
    """)
    assert result.dags[0].dag_id == UNKNOWN
    assert "may come from 'from common.settings import *'" in notes_text(result)


def test_a_large_generated_file_is_handled():
    body = DAG_LINE + "prev = None\n" + "".join(
        f't{i} = DummyOperator(task_id="t{i}", dag=dag)\n' for i in range(1000)
    ) + "".join(f"t{i} >> t{i + 1}\n" for i in range(999))
    dag = one(body)
    assert len(dag.task_ids) == 1000
    assert len(dag.edges) == 999


def test_runaway_while_loop_is_not_unrolled():
    result = extract("""
        dag = DAG("w", start_date=datetime(2021, 1, 1))
        i = 0
        while True:
            DummyOperator(task_id=f"t{i}", dag=dag)
            i += 1
    """)
    assert result.dags[0].task_ids == ()
    assert "task_ids" in result.dags[0].incomplete


# ---- control flow ---------------------------------------------------------------------------------------


def test_known_break_and_continue_in_an_unrolled_loop():
    dag = one("""
        dag = DAG("b", start_date=datetime(2021, 1, 1))
        for n in [1, 2, 3, 4]:
            if n == 1:
                continue
            if n == 4:
                break
            DummyOperator(task_id=f"t{n}", dag=dag)
    """)
    assert dag.task_ids == ("t2", "t3")
    assert dag.incomplete == ()


def test_a_conditional_continue_makes_the_rest_of_the_loop_uncertain():
    result = extract("""
        import os
        dag = DAG("c", start_date=datetime(2021, 1, 1))
        DummyOperator(task_id="before", dag=dag)
        for name in ["a", "b"]:
            if os.environ.get(name):
                continue
            DummyOperator(task_id=name, dag=dag)
        DummyOperator(task_id="after", dag=dag)
    """)
    dag = result.dags[0]
    assert dag.task_ids == ("after", "before")  # the loop's continue does not leak past the loop
    assert dag.incomplete == ("task_ids", "edges")
    assert "line 12: task 'a' is created where code after a conditional continue (line 10)" in notes_text(result)


def test_a_conditional_return_in_a_factory():
    result = extract("""
        import os
        dag = DAG("r", start_date=datetime(2021, 1, 1))
        def build(name):
            if os.environ.get("SKIP"):
                return None
            return DummyOperator(task_id=name, dag=dag)
        first = build("x")
        DummyOperator(task_id="y", dag=dag)
    """)
    dag = result.dags[0]
    assert dag.task_ids == ("y",)
    assert "task_ids" in dag.incomplete


def test_a_factory_called_inside_an_unknown_branch_still_returns_its_task():
    result = extract("""
        import os
        dag = DAG("f", start_date=datetime(2021, 1, 1))
        start = DummyOperator(task_id="start", dag=dag)
        def build(name):
            return DummyOperator(task_id=name, dag=dag)
        if os.environ.get("EXTRA"):
            start >> build("extra")
    """)
    dag = result.dags[0]
    assert dag.task_ids == ("start",)
    assert dag.incomplete == ("task_ids", "edges")
    assert "line 12: dependency set where condition at line 11 is only known at run time" in notes_text(result)


def test_a_raise_at_import_time_stops_the_evaluation_with_a_note():
    result = extract("""
        dag = DAG("x", start_date=datetime(2021, 1, 1))
        raise ValueError("broken")
    """)
    assert "line 7: the file raises at import time (line 7); later code was not evaluated" in notes_text(result)


# ---- forms seen in real Composer 1 DAGs ------------------------------------------------------------------


def test_positional_dag_arguments_follow_the_1_10_signature():
    dag = one("""
        dag = DAG("pos", "a description", "@hourly", datetime(2021, 1, 1))
    """)
    assert (dag.dag_id, dag.schedule, dag.start_date) == ("pos", "@hourly", "2021-01-01T00:00:00")


def test_composer_yesterday_idiom_is_relative():
    dag = one("""
        import datetime as dt
        YESTERDAY = dt.datetime.combine(dt.datetime.today() - dt.timedelta(1), dt.datetime.min.time())
        dag = DAG("y", default_args={"start_date": YESTERDAY})
    """)
    assert dag.start_date == RELATIVE


def test_task_ids_from_function_names():
    dag = one("""
        from airflow.operators.python_operator import PythonOperator
        def extract():
            pass
        def load():
            pass
        with DAG("fn", start_date=datetime(2021, 1, 1)) as dag:
            tasks = [PythonOperator(task_id=f.__name__, python_callable=f) for f in (extract, load)]
            for up, down in zip(tasks, tasks[1:]):
                up >> down
    """)
    assert dag.edges == (("extract", "load"),)


def test_a_dict_updated_from_an_unknown_value_inside_a_function_becomes_partial():
    result = extract("""
        from common import EXTRA_ARGS
        args = {"owner": "o", "retries": 1}
        def customise():
            args.update(EXTRA_ARGS)
        customise()
        dag = DAG("p", default_args=args, start_date=datetime(2021, 1, 1))
        DummyOperator(task_id="t", dag=dag)
    """)
    dag = result.dags[0]
    assert dag.default_args == {"owner": UNKNOWN, "retries": UNKNOWN}
    assert dag.incomplete == ("default_args",)
    assert dag.retries == {"t": UNKNOWN}


def test_catchup_in_default_args_is_noted_as_ineffective():
    result = extract("""
        dag = DAG("c", default_args={"catchup": False, "start_date": datetime(2021, 1, 1)})
    """)
    assert result.dags[0].catchup is True
    assert "'catchup' in default_args has no effect on the DAG" in notes_text(result)


def test_a_conditional_raise_is_assumed_not_to_happen_with_a_note():
    result = extract("""
        import os
        if not os.environ.get("PROJECT"):
            raise ValueError("PROJECT is not set")
        dag = DAG("r", start_date=datetime(2021, 1, 1))
        DummyOperator(task_id="a", dag=dag)
    """)
    dag = result.dags[0]
    assert (dag.dag_id, dag.task_ids, dag.incomplete) == ("r", ("a",), ())
    assert "line 8: the file may raise here at import time; the structure assumes it does not" in notes_text(result)


def test_tasks_created_in_an_except_clause_are_not_facts():
    result = extract("""
        from airflow.models import Variable
        dag = DAG("t", start_date=datetime(2021, 1, 1))
        try:
            tables = Variable.get("tables")
        except KeyError:
            DummyOperator(task_id="fallback", dag=dag)
    """)
    dag = result.dags[0]
    assert dag.task_ids == ()
    assert dag.incomplete == ("task_ids", "edges")


def test_a_dag_rebound_under_a_condition_may_or_may_not_be_loaded():
    result = extract("""
        import os
        dag = DAG("a", start_date=datetime(2021, 1, 1))
        if os.environ.get("B"):
            dag = DAG("b", start_date=datetime(2021, 1, 1))
    """)
    assert [d.dag_id for d in result.dags] == [UNKNOWN, UNKNOWN]
    text = notes_text(result)
    assert "DAG 'a' may or may not be loaded" in text and "DAG 'b' may or may not be loaded" in text


def test_a_dag_built_by_a_class_in_the_file_is_an_unknown_dag_with_a_note():
    result = extract("""
        class Builder:
            def __init__(self, name):
                self.name = name
            def build(self):
                return DAG(self.name, start_date=datetime(2021, 1, 1))
        dag = Builder("built").build()
    """)
    assert [d.dag_id for d in result.dags] == [UNKNOWN]
    assert "line 10: a DAG(...) call here was not evaluated" in notes_text(result)


def test_a_function_called_with_unknown_arguments_still_shows_what_it_creates():
    result = extract("""
        from airflow.models import Variable
        dag = DAG("f", start_date=datetime(2021, 1, 1))
        def add(*names):
            for name in names:
                DummyOperator(task_id=name, dag=dag)
        add(*Variable.get("names"))
    """)
    dag = result.dags[0]
    assert dag.task_ids == ()
    assert dag.incomplete == ("task_ids", "edges")
    assert "(argument 'names' of 'add' at line 11)" in notes_text(result)


def test_shifting_values_not_known_statically_marks_the_edges_incomplete():
    result = extract("""
        from common.tasks import start, end
        dag = DAG("s", start_date=datetime(2021, 1, 1))
        start >> end
    """)
    assert result.dags[0].incomplete == ("edges",)
