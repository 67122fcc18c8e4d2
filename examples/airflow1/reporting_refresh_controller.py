# -*- coding: utf-8 -*-
"""Decides each day which dashboards need a refresh and triggers `reporting_refresh` for them.

The TriggerDagRunOperator's python_callable puts the list of tables into the payload of
the DagRun it creates; the target DAG reads it from dag_run.conf.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.dagrun_operator import TriggerDagRunOperator
from airflow.operators.dummy_operator import DummyOperator

STALE_TABLES = ["reporting.daily_sales", "reporting.orders", "marts.sales_emea"]


def choose_tables(context, dag_run_obj):
    """Only trigger when there is something to refresh; returning None skips the trigger."""
    tables = context["params"].get("tables") or []
    if not tables:
        return None
    dag_run_obj.payload = {
        "tables": tables,
        "requested_for": context["ds"],
        "requested_by": context["dag"].dag_id,
    }
    return dag_run_obj


default_args = {
    "owner": "bi-team",
    "start_date": datetime(2020, 11, 1),
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}

with DAG(
    "reporting_refresh_controller",
    default_args=default_args,
    schedule_interval="@daily",
    catchup=False,
) as dag:

    start = DummyOperator(task_id="start")

    trigger_refresh = TriggerDagRunOperator(
        task_id="trigger_reporting_refresh",
        trigger_dag_id="reporting_refresh",  # must match the target's dag_id
        python_callable=choose_tables,
        params={"tables": STALE_TABLES},
    )

    start >> trigger_refresh
