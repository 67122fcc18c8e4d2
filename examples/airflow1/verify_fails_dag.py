# -*- coding: utf-8 -*-
"""DEMO ONLY: a DAG whose only task always fails (`exit 1`).

It converts, parses and deploys cleanly, so it passes every check before cutover; its
first run in the target environment then fails. The composer-migrate demo uses it to
show the verify step's automatic rollback (pause in Composer 2, route back, unpause in
Composer 1). Do not "fix" it: the failure is the point.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator

default_args = {
    "owner": "migration-demo",
    "start_date": datetime(2021, 1, 1),
    "retries": 0,  # fail at once: the demo should not wait for retries
    "retry_delay": timedelta(minutes=1),
}

dag = DAG(
    "verify_fails_dag",
    default_args=default_args,
    schedule_interval="@daily",
    catchup=False,
)

# Always exits non-zero, so the verify step sees a failed run and rolls back.
always_fail = BashOperator(
    task_id="always_fail",
    bash_command="echo 'verify_fails_dag: failing on purpose for {{ ds }}'; exit 1",
    dag=dag,
)
