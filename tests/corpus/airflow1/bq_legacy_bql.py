# -*- coding: utf-8 -*-
"""BigQuery the 1.10 way: `bql=`, legacy SQL by default, two connection ids, delegate_to.

Exercises: BigQueryOperator(bql=...) without use_legacy_sql (1.10 default: legacy SQL),
bigquery_conn_id=, google_cloud_storage_conn_id=, delegate_to=,
BigQueryCreateEmptyDatasetOperator, BigQueryCreateEmptyTableOperator (schema_fields +
time_partitioning), GoogleCloudStorageToBigQueryOperator with schema_object,
BigQueryToCloudStorageOperator with compression.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.operators.bigquery_operator import (
    BigQueryCreateEmptyDatasetOperator,
    BigQueryCreateEmptyTableOperator,
    BigQueryOperator,
)
from airflow.contrib.operators.bigquery_to_gcs import BigQueryToCloudStorageOperator
from airflow.contrib.operators.gcs_to_bq import GoogleCloudStorageToBigQueryOperator

PROJECT = "acme-legacy-bi"
DELEGATE = "etl-runner@acme.example"

default_args = {
    "owner": "legacy-bi",
    "start_date": datetime(2018, 10, 1),
    "email": ["legacy-bi@acme.example"],
    "email_on_failure": True,
    "retries": 1,
    "retry_delay": timedelta(minutes=10),
}

dag = DAG(
    "corpus_bq_legacy_bql",
    default_args=default_args,
    schedule_interval="30 1 * * *",
)

create_dataset = BigQueryCreateEmptyDatasetOperator(
    task_id="create_dataset",
    dataset_id="clicks",
    project_id=PROJECT,
    bigquery_conn_id="bq_legacy",
    dag=dag,
)

create_table = BigQueryCreateEmptyTableOperator(
    task_id="create_daily_table",
    dataset_id="clicks",
    table_id="daily",
    project_id=PROJECT,
    schema_fields=[
        {"name": "day", "type": "DATE", "mode": "REQUIRED"},
        {"name": "page", "type": "STRING", "mode": "NULLABLE"},
        {"name": "clicks", "type": "INTEGER", "mode": "NULLABLE"},
    ],
    time_partitioning={"type": "DAY", "field": "day"},
    bigquery_conn_id="bq_legacy",
    google_cloud_storage_conn_id="gcs_legacy",
    dag=dag,
)

load_raw = GoogleCloudStorageToBigQueryOperator(
    task_id="load_raw_clicks",
    bucket="acme-clicks",
    source_objects=["raw/{{ ds }}/*.avro"],
    source_format="AVRO",
    destination_project_dataset_table=PROJECT + ":clicks.raw_{{ ds_nodash }}",
    schema_object="schemas/clicks.json",
    write_disposition="WRITE_TRUNCATE",
    bigquery_conn_id="bq_legacy",
    google_cloud_storage_conn_id="gcs_legacy",
    delegate_to=DELEGATE,
    dag=dag,
)

# Legacy SQL: square-bracket table names, TABLE_DATE_RANGE, no use_legacy_sql flag.
aggregate = BigQueryOperator(
    task_id="aggregate_clicks",
    bql="""
        SELECT DATE(ts) AS day, page, COUNT(*) AS clicks
        FROM [acme-legacy-bi:clicks.raw_{{ ds_nodash }}]
        GROUP BY day, page
    """,
    destination_dataset_table=PROJECT + ":clicks.daily${{ ds_nodash }}",
    write_disposition="WRITE_TRUNCATE",
    allow_large_results=True,
    bigquery_conn_id="bq_legacy",
    delegate_to=DELEGATE,
    dag=dag,
)

export = BigQueryToCloudStorageOperator(
    task_id="export_daily",
    source_project_dataset_table=PROJECT + ":clicks.daily${{ ds_nodash }}",
    destination_cloud_storage_uris=["gs://acme-clicks/exports/{{ ds }}/daily-*.csv.gz"],
    compression="GZIP",
    export_format="CSV",
    bigquery_conn_id="bq_legacy",
    dag=dag,
)

create_dataset >> create_table >> load_raw >> aggregate >> export
