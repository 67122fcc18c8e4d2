# -*- coding: utf-8 -*-
"""TriggerDagRunOperator in its 1.10 shape, with DagRunOrder, and the target it triggers.

Exercises: `from airflow.operators.dagrun_operator import DagRunOrder, TriggerDagRunOperator`,
python_callable(context, dag_run_obj) setting dag_run_obj.payload and run_id, returning a
new DagRunOrder, execution_date= templated, a loop of triggers, and the target DAG reading
dag_run.conf in a template and in a callable. Two DAGs in one file.
"""
from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dagrun_operator import DagRunOrder, TriggerDagRunOperator
from airflow.operators.python_operator import PythonOperator

COUNTRIES = ["de", "fr", "it"]


def with_country(country):
    def _payload(context, dag_run_obj):
        dag_run_obj.payload = {"country": country, "day": context["ds"]}
        dag_run_obj.run_id = "trig__{}__{}".format(country, context["ts_nodash"])
        return dag_run_obj
    return _payload


def fresh_order(context, dag_run_obj):
    # Returning a brand-new DagRunOrder instead of mutating the one passed in.
    return DagRunOrder(run_id="trig__all__" + context["ts_nodash"], payload={"country": "all"})


controller = DAG(
    "corpus_trigger_dagrun_payload",
    start_date=datetime(2020, 6, 1),
    schedule_interval="@daily",
    default_args={"owner": "orchestration"},
    catchup=False,
)

for country in COUNTRIES:
    TriggerDagRunOperator(
        task_id="trigger_" + country,
        trigger_dag_id="corpus_trigger_dagrun_target",
        python_callable=with_country(country),
        dag=controller,
    )

TriggerDagRunOperator(
    task_id="trigger_all",
    trigger_dag_id="corpus_trigger_dagrun_target",
    python_callable=fresh_order,
    execution_date="{{ execution_date }}",
    dag=controller,
)


def read_conf(**context):
    conf = context["dag_run"].conf or {}
    print("processing country", conf.get("country"), "for", conf.get("day"))


target = DAG(
    "corpus_trigger_dagrun_target",
    start_date=datetime(2020, 6, 1),
    schedule_interval=None,
    default_args={"owner": "orchestration"},
)

PythonOperator(task_id="read_conf", python_callable=read_conf, provide_context=True, dag=target) >> BashOperator(
    task_id="echo_conf",
    bash_command="echo country={{ dag_run.conf.get('country', 'n/a') }}",
    dag=target,
)
