# -*- coding: utf-8 -*-
"""Hourly reconciliation of web-shop orders against payments, in plain Python callables.

The callables get the Airflow context through provide_context=True and read the run's
dates from it (execution_date, next_ds, next_execution_date).
"""
import json
import logging
import tempfile
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.hooks.gcs_hook import GoogleCloudStorageHook
from airflow.hooks.postgres_hook import PostgresHook
from airflow.operators.python_operator import PythonOperator

log = logging.getLogger(__name__)

REPORT_BUCKET = "acme-reconciliation"


def extract_window(**kwargs):
    """Work out the hour to reconcile and hand it to the next tasks via XCom."""
    execution_date = kwargs["execution_date"]
    next_execution_date = kwargs["next_execution_date"]
    log.info("reconciling %s -> %s (next_ds=%s)", execution_date, next_execution_date, kwargs["next_ds"])
    window = {
        "start": execution_date.isoformat(),
        "end": next_execution_date.isoformat(),
    }
    kwargs["ti"].xcom_push(key="window", value=window)
    return window


def compare_orders(**kwargs):
    """Count orders without a matching payment in the window."""
    window = kwargs["ti"].xcom_pull(task_ids="extract_window", key="window")
    hook = PostgresHook(postgres_conn_id="shop_db")
    rows = hook.get_records(
        "SELECT o.id FROM orders o LEFT JOIN payments p ON p.order_id = o.id "
        "WHERE p.id IS NULL AND o.created_at >= %s AND o.created_at < %s",
        parameters=(window["start"], window["end"]),
    )
    missing = [r[0] for r in rows]
    log.info("%d orders without payment", len(missing))
    return missing


def write_report(execution_date, **kwargs):
    """Write the report to GCS; `execution_date` comes in as a named parameter."""
    missing = kwargs["ti"].xcom_pull(task_ids="compare_orders")
    with tempfile.NamedTemporaryFile("w", suffix=".json") as tmp:
        json.dump({"missing": missing, "run_id": kwargs["run_id"]}, tmp)
        tmp.flush()
        hook = GoogleCloudStorageHook(google_cloud_storage_conn_id="google_cloud_default")
        hook.upload(
            bucket=REPORT_BUCKET,
            object="reports/{}/missing_payments.json".format(execution_date.strftime("%Y%m%dT%H")),
            filename=tmp.name,
            mime_type="application/json",
        )


default_args = {
    "owner": "finance-eng",
    "start_date": datetime(2021, 1, 1),
    "email": ["finance-eng@acme.example"],
    "email_on_failure": True,
    "email_on_retry": False,
    "retries": 3,
    "retry_delay": timedelta(minutes=2),
}

with DAG(
    "orders_reconciliation",
    default_args=default_args,
    schedule_interval="@hourly",
    catchup=False,
    concurrency=4,
) as dag:

    extract = PythonOperator(
        task_id="extract_window",
        python_callable=extract_window,
        provide_context=True,
    )

    compare = PythonOperator(
        task_id="compare_orders",
        python_callable=compare_orders,
        provide_context=True,
        # Only one comparison at a time: it scans the orders table.
        task_concurrency=1,
    )

    report = PythonOperator(
        task_id="write_report",
        python_callable=write_report,
        provide_context=True,
        templates_dict={"next_ds": "{{ next_ds }}"},
    )

    extract >> compare >> report
