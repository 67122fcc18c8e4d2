# -*- coding: utf-8 -*-
"""Refreshes BI extracts on demand; triggered by `reporting_refresh_controller`.

Not scheduled (schedule_interval=None): every run carries the tables to refresh in
dag_run.conf, set by the controller's payload.
"""
from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.python_operator import PythonOperator


def list_tables(**context):
    """Log and return the tables requested by the controller."""
    conf = context["dag_run"].conf or {}
    tables = conf.get("tables", [])
    print("refreshing {} table(s) for {}".format(len(tables), conf.get("requested_for")))
    return tables


dag = DAG(
    dag_id="reporting_refresh",
    default_args={"owner": "bi-team", "start_date": datetime(2020, 11, 1)},
    schedule_interval=None,  # trigger only
)

read_request = PythonOperator(
    task_id="read_request",
    python_callable=list_tables,
    provide_context=True,
    dag=dag,
)

# The conf arrives as a dict; Jinja renders the list straight into the command.
refresh_extracts = BashOperator(
    task_id="refresh_extracts",
    bash_command=(
        "for t in {{ dag_run.conf['tables'] | join(' ') }}; do "
        "echo refreshing $t for {{ dag_run.conf['requested_for'] }}; done"
    ),
    dag=dag,
)

read_request >> refresh_extracts
