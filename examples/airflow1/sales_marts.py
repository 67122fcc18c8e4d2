# -*- coding: utf-8 -*-
"""Regional sales marts, built once the daily sales load (DAG `sales_gcs_to_bq`) is done.

Runs one hour after `sales_gcs_to_bq` and waits for its `build_daily_sales` task with an
ExternalTaskSensor, then builds one mart per region and exports the finance extract.
"""
from datetime import datetime, timedelta

from airflow.contrib.operators.bigquery_operator import BigQueryOperator
from airflow.contrib.operators.bigquery_to_gcs import BigQueryToCloudStorageOperator
from airflow.models import DAG
from airflow.sensors.external_task_sensor import ExternalTaskSensor

PROJECT = "acme-data-prod"
REGIONS = ["emea", "amer", "apac"]

default_args = {
    "owner": "analytics",
    "start_date": datetime(2020, 6, 1),
    "email": ["analytics-oncall@acme.example"],
    "email_on_failure": True,
    "retries": 1,
    "retry_delay": timedelta(minutes=15),
}

with DAG(
    dag_id="sales_marts",
    default_args=default_args,
    schedule_interval="0 4 * * *",  # one hour after sales_gcs_to_bq
    catchup=False,
    default_view="tree",
) as dag:

    # The upstream DAG runs at 03:00: look one hour back for its run.
    wait_for_sales = ExternalTaskSensor(
        task_id="wait_for_sales",
        external_dag_id="sales_gcs_to_bq",
        external_task_id="build_daily_sales",
        execution_delta=timedelta(hours=1),
        mode="reschedule",
        poke_interval=10 * 60,
        timeout=4 * 60 * 60,
    )

    export_finance = BigQueryToCloudStorageOperator(
        task_id="export_finance_extract",
        source_project_dataset_table=PROJECT + ".marts.sales_finance",
        destination_cloud_storage_uris=[
            "gs://acme-finance-drop/sales/{{ ds }}/extract-*.csv",
        ],
        export_format="CSV",
        print_header=True,
        bigquery_conn_id="bigquery_default",
    )

    # One mart per region; the tasks are created in a loop.
    for region in REGIONS:
        build_mart = BigQueryOperator(
            task_id="build_mart_{}".format(region),
            sql=(
                "SELECT * FROM `acme-data-prod.reporting.daily_sales` "
                "WHERE sale_date = '{{ ds }}' AND region = '%s'" % region
            ),
            destination_dataset_table="{}.marts.sales_{}${{{{ ds_nodash }}}}".format(PROJECT, region),
            write_disposition="WRITE_TRUNCATE",
            use_legacy_sql=False,
            bigquery_conn_id="bigquery_default",
        )
        wait_for_sales >> build_mart >> export_finance
