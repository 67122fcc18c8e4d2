# -*- coding: utf-8 -*-
"""VALID: the one good DAG among the broken files; a batch must still convert it."""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator

dag = DAG(
    "corpus_broken_valid_neighbour",
    start_date=datetime(2020, 1, 1),
    schedule_interval="@daily",
    default_args={"owner": "qa", "retries": 1, "retry_delay": timedelta(minutes=1)},
)

start = DummyOperator(task_id="start", dag=dag)
echo = BashOperator(task_id="echo", bash_command="echo still converted on {{ ds }}", dag=dag)
start >> echo
