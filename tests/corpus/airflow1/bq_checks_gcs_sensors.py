# -*- coding: utf-8 -*-
"""Data-quality gates: BigQuery check operators behind GCS sensors.

Exercises: GoogleCloudStorageObjectSensor, GoogleCloudStorageObjectUpdatedSensor,
GoogleCloudStoragePrefixSensor (google_cloud_conn_id=), BigQueryCheckOperator,
BigQueryValueCheckOperator, BigQueryIntervalCheckOperator, sensor mode/poke_interval/
soft_fail/timeout, `with DAG(...) as dag:` style.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.operators.bigquery_check_operator import (
    BigQueryCheckOperator,
    BigQueryIntervalCheckOperator,
    BigQueryValueCheckOperator,
)
from airflow.contrib.sensors.gcs_sensor import (
    GoogleCloudStorageObjectSensor,
    GoogleCloudStorageObjectUpdatedSensor,
    GoogleCloudStoragePrefixSensor,
)

TABLE = "acme-data-prod.finance.ledger"

with DAG(
    dag_id="corpus_bq_checks_gcs_sensors",
    start_date=datetime(2020, 2, 1),
    schedule_interval="0 7 * * *",
    default_args={
        "owner": "finance-data",
        "retries": 0,
        "email": ["finance-data@acme.example"],
        "email_on_failure": True,
    },
    catchup=False,
) as dag:
    ledger_file = GoogleCloudStorageObjectSensor(
        task_id="ledger_file",
        bucket="acme-finance-landing",
        object="ledger/{{ ds }}/ledger.parquet",
        google_cloud_conn_id="google_cloud_default",
        mode="reschedule",
        poke_interval=600,
        timeout=6 * 3600,
    )
    fx_rates_updated = GoogleCloudStorageObjectUpdatedSensor(
        task_id="fx_rates_updated",
        bucket="acme-finance-landing",
        object="fx/latest.csv",
        soft_fail=True,
        timeout=1800,
    )
    adjustments = GoogleCloudStoragePrefixSensor(
        task_id="adjustments_present",
        bucket="acme-finance-landing",
        prefix="adjustments/{{ ds_nodash }}",
        poke_interval=120,
    )

    not_empty = BigQueryCheckOperator(
        task_id="ledger_not_empty",
        sql="SELECT COUNT(*) FROM `" + TABLE + "` WHERE booking_date = '{{ ds }}'",
        use_legacy_sql=False,
    )
    balanced = BigQueryValueCheckOperator(
        task_id="ledger_balanced",
        sql="SELECT ROUND(SUM(debit) - SUM(credit), 2) FROM `" + TABLE + "` WHERE booking_date = '{{ ds }}'",
        pass_value=0,
        tolerance=0.001,
        use_legacy_sql=False,
        bigquery_conn_id="bigquery_default",
    )
    stable_volume = BigQueryIntervalCheckOperator(
        task_id="ledger_volume_stable",
        table=TABLE,
        metrics_thresholds={"COUNT(*)": 1.5},
        date_filter_column="booking_date",
        days_back=-7,
        use_legacy_sql=False,
    )

    [ledger_file, fx_rates_updated, adjustments] >> not_empty
    not_empty >> [balanced, stable_volume]
