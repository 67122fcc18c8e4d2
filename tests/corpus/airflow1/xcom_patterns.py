# -*- coding: utf-8 -*-
"""XCom in its 1.10 forms.

Exercises: BashOperator(xcom_push=True), SimpleHttpOperator(xcom_push=True),
ti.xcom_push(key, value, execution_date=...), ti.xcom_pull(..., include_prior_dates=True),
xcom_pull in templates via `ti` and `task_instance`, pickled (non-JSON) XCom values
(a set and bytes), returning a value from a PythonOperator.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.http_operator import SimpleHttpOperator
from airflow.operators.python_operator import PythonOperator


def push_things(**context):
    ti = context["ti"]
    ti.xcom_push(key="seen_skus", value={"A-1", "B-2"})  # a set: needs XCom pickling
    ti.xcom_push(key="raw", value=b"\x00\x01binary")  # bytes: needs XCom pickling
    # Explicit execution_date (deprecated in 2.x).
    ti.xcom_push(key="checkpoint", value=context["ts"], execution_date=context["execution_date"])
    return "pushed"


def pull_things(**context):
    ti = context["ti"]
    last = ti.xcom_pull(task_ids="push_things", key="checkpoint", include_prior_dates=True)
    version = ti.xcom_pull(task_ids="get_version")
    print("last checkpoint", last, "api version", version)


with DAG(
    "corpus_xcom_patterns",
    start_date=datetime(2020, 12, 1),
    schedule_interval=timedelta(hours=1),
    default_args={"owner": "platform", "retries": 0},
    catchup=False,
) as dag:
    get_version = SimpleHttpOperator(
        task_id="get_version",
        http_conn_id="partner_api",
        endpoint="version",
        method="GET",
        xcom_push=True,
    )
    count_files = BashOperator(
        task_id="count_files",
        bash_command="gsutil ls gs://acme-landing/{{ ds_nodash }}/ | wc -l",
        xcom_push=True,
    )
    push = PythonOperator(task_id="push_things", python_callable=push_things, provide_context=True)
    pull = PythonOperator(task_id="pull_things", python_callable=pull_things, provide_context=True)
    echo = BashOperator(
        task_id="echo_counts",
        bash_command=(
            "echo files={{ ti.xcom_pull(task_ids='count_files') }} "
            "version={{ task_instance.xcom_pull(task_ids='get_version') }}"
        ),
    )
    [get_version, count_files] >> push >> pull >> echo
