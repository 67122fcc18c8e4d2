# -*- coding: utf-8 -*-
"""A custom operator and a custom sensor defined in the DAG file, 1.10 style.

Exercises: `@apply_defaults` from airflow.utils.decorators on __init__, py2-style
`super(Cls, self).__init__(*args, **kwargs)`, template_fields/template_ext/ui_color,
a hook used in execute(), a BaseSensorOperator subclass (airflow.sensors.base_sensor_operator)
with poke(), and the custom classes used with default_args.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.hooks.gcs_hook import GoogleCloudStorageHook
from airflow.models import BaseOperator
from airflow.sensors.base_sensor_operator import BaseSensorOperator
from airflow.utils.decorators import apply_defaults


class GcsLineCountOperator(BaseOperator):
    """Counts the lines of a GCS object and returns the count (pushed to XCom)."""

    template_fields = ("bucket", "object_name")
    ui_color = "#e8f7e4"

    @apply_defaults
    def __init__(self, bucket, object_name, gcp_conn_id="google_cloud_default", *args, **kwargs):
        super(GcsLineCountOperator, self).__init__(*args, **kwargs)
        self.bucket = bucket
        self.object_name = object_name
        self.gcp_conn_id = gcp_conn_id

    def execute(self, context):
        hook = GoogleCloudStorageHook(google_cloud_storage_conn_id=self.gcp_conn_id)
        data = hook.download(self.bucket, self.object_name)
        count = data.count(b"\n")
        self.log.info("%s/%s has %d lines", self.bucket, self.object_name, count)
        return count


class MarkerFileSensor(BaseSensorOperator):
    """Waits until a marker object exists in GCS."""

    template_fields = ("marker",)

    @apply_defaults
    def __init__(self, bucket, marker, *args, **kwargs):
        super(MarkerFileSensor, self).__init__(*args, **kwargs)
        self.bucket = bucket
        self.marker = marker

    def poke(self, context):
        self.log.info("poking for gs://%s/%s", self.bucket, self.marker)
        return GoogleCloudStorageHook().exists(self.bucket, self.marker)


default_args = {
    "owner": "data-eng",
    "start_date": datetime(2020, 11, 1),
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
    "gcp_conn_id": "google_cloud_default",  # picked up by GcsLineCountOperator via apply_defaults
}

with DAG(
    "corpus_custom_operator_apply_defaults",
    default_args=default_args,
    schedule_interval="@daily",
    catchup=False,
) as dag:
    wait = MarkerFileSensor(
        task_id="wait_marker",
        bucket="acme-landing",
        marker="exports/{{ ds_nodash }}/_SUCCESS",
        poke_interval=120,
        timeout=3600,
    )
    count = GcsLineCountOperator(
        task_id="count_lines",
        bucket="acme-landing",
        object_name="exports/{{ ds_nodash }}/data.csv",
    )
    wait >> count
