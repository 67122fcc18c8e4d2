# -*- coding: utf-8 -*-
"""GCS housekeeping with contrib operators that take google_cloud_storage_conn_id=.

Exercises: GoogleCloudStorageCreateBucketOperator, GoogleCloudStorageListOperator
(result to XCom), GoogleCloudStorageToGoogleCloudStorageOperator (wildcard, move_object),
GoogleCloudStorageDeleteOperator (objects from XCom via a template), delegate_to=.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.operators.gcs_delete_operator import GoogleCloudStorageDeleteOperator
from airflow.contrib.operators.gcs_list_operator import GoogleCloudStorageListOperator
from airflow.contrib.operators.gcs_operator import GoogleCloudStorageCreateBucketOperator
from airflow.contrib.operators.gcs_to_gcs import GoogleCloudStorageToGoogleCloudStorageOperator

CONN = "gcs_housekeeping"

with DAG(
    "corpus_gcs_object_ops",
    start_date=datetime(2020, 1, 15),
    schedule_interval=timedelta(hours=12),
    default_args={"owner": "platform", "retries": 3, "retry_delay": timedelta(minutes=1)},
    catchup=False,
) as dag:
    make_bucket = GoogleCloudStorageCreateBucketOperator(
        task_id="ensure_archive_bucket",
        bucket_name="acme-archive-{{ execution_date.year }}",
        storage_class="COLDLINE",
        location="EU",
        project_id="acme-platform",
        labels={"purpose": "archive"},
        google_cloud_storage_conn_id=CONN,
    )
    list_old = GoogleCloudStorageListOperator(
        task_id="list_processed",
        bucket="acme-landing",
        prefix="processed/",
        delimiter=".csv",
        google_cloud_storage_conn_id=CONN,
    )
    archive = GoogleCloudStorageToGoogleCloudStorageOperator(
        task_id="archive_processed",
        source_bucket="acme-landing",
        source_object="processed/*.csv",
        destination_bucket="acme-archive-{{ execution_date.year }}",
        destination_object="landing/{{ ds }}/",
        move_object=False,
        google_cloud_storage_conn_id=CONN,
        delegate_to="housekeeping@acme.example",
    )
    purge = GoogleCloudStorageDeleteOperator(
        task_id="purge_processed",
        bucket_name="acme-landing",
        prefix="processed/",
        google_cloud_storage_conn_id=CONN,
    )
    make_bucket >> list_old >> archive >> purge
