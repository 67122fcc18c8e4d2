# -*- coding: utf-8 -*-
"""Daily sales ETL: POS exports landed in GCS -> BigQuery staging -> reporting table.

Owner: data-platform (#data-alerts). The point-of-sale system drops one folder per day
into gs://acme-pos-landing/sales/YYYYMMDD/ and writes a _SUCCESS marker when it is done.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.operators.bigquery_check_operator import BigQueryCheckOperator
from airflow.contrib.operators.bigquery_operator import BigQueryOperator
from airflow.contrib.operators.gcs_to_bq import GoogleCloudStorageToBigQueryOperator
from airflow.contrib.sensors.gcs_sensor import GoogleCloudStorageObjectSensor
from airflow.operators.dummy_operator import DummyOperator

PROJECT = "acme-data-prod"
LANDING_BUCKET = "acme-pos-landing"

# Schema of the POS export (CSV, header row).
SALES_SCHEMA = [
    {"name": "sale_id", "type": "STRING", "mode": "REQUIRED"},
    {"name": "store_id", "type": "STRING", "mode": "REQUIRED"},
    {"name": "sku", "type": "STRING", "mode": "REQUIRED"},
    {"name": "quantity", "type": "INTEGER", "mode": "NULLABLE"},
    {"name": "amount_eur", "type": "NUMERIC", "mode": "NULLABLE"},
    {"name": "sold_at", "type": "TIMESTAMP", "mode": "REQUIRED"},
]

default_args = {
    "owner": "data-platform",
    "depends_on_past": False,
    "start_date": datetime(2020, 6, 1),
    "email": ["data-alerts@acme.example"],
    "email_on_failure": True,
    "email_on_retry": False,
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
}

dag = DAG(
    "sales_gcs_to_bq",
    default_args=default_args,
    description="Load the daily POS sales export into BigQuery",
    schedule_interval="0 3 * * *",  # 03:00 UTC, after the POS export
    catchup=False,
    max_active_runs=1,
    tags=["sales", "bigquery"],
)

# Wait for the exporter's success marker before loading anything.
wait_for_export = GoogleCloudStorageObjectSensor(
    task_id="wait_for_export",
    bucket=LANDING_BUCKET,
    object="sales/{{ ds_nodash }}/_SUCCESS",
    google_cloud_conn_id="google_cloud_default",
    poke_interval=5 * 60,
    timeout=3 * 60 * 60,
    dag=dag,
)

# One staging table per day; re-runs overwrite it.
load_staging = GoogleCloudStorageToBigQueryOperator(
    task_id="load_staging",
    bucket=LANDING_BUCKET,
    source_objects=["sales/{{ ds_nodash }}/part-*.csv"],
    destination_project_dataset_table=PROJECT + ".staging.sales_{{ ds_nodash }}",
    schema_fields=SALES_SCHEMA,
    skip_leading_rows=1,
    source_format="CSV",
    write_disposition="WRITE_TRUNCATE",
    bigquery_conn_id="bigquery_default",
    google_cloud_storage_conn_id="google_cloud_default",
    dag=dag,
)

# Fail loudly on an empty export instead of publishing an empty day.
check_rows = BigQueryCheckOperator(
    task_id="check_rows",
    sql="SELECT COUNT(*) FROM `" + PROJECT + ".staging.sales_{{ ds_nodash }}`",
    use_legacy_sql=False,
    bigquery_conn_id="bigquery_default",
    dag=dag,
)

# Aggregate into the day's partition of the reporting table.
build_daily_sales = BigQueryOperator(
    task_id="build_daily_sales",
    sql="""
        SELECT
          DATE(sold_at) AS sale_date,
          store_id,
          sku,
          SUM(quantity) AS units,
          SUM(amount_eur) AS revenue_eur
        FROM `{project}.staging.sales_{{{{ ds_nodash }}}}`
        WHERE DATE(sold_at) = '{{{{ ds }}}}'
        GROUP BY sale_date, store_id, sku
    """.format(project=PROJECT),
    destination_dataset_table=PROJECT + ".reporting.daily_sales${{ ds_nodash }}",
    write_disposition="WRITE_TRUNCATE",
    time_partitioning={"type": "DAY", "field": "sale_date"},
    use_legacy_sql=False,
    bigquery_conn_id="bigquery_default",
    dag=dag,
)

done = DummyOperator(task_id="done", dag=dag)

wait_for_export >> load_staging >> check_rows >> build_daily_sales >> done
