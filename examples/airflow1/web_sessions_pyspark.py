# -*- coding: utf-8 -*-
"""Sessionize yesterday's web click-stream with a PySpark job on an ephemeral Dataproc cluster.

create cluster -> run PySpark -> delete cluster (always, even when the job fails).
"""
import datetime

from airflow import models
from airflow.contrib.operators.dataproc_operator import (
    DataprocClusterCreateOperator,
    DataprocClusterDeleteOperator,
    DataProcPySparkOperator,
)
from airflow.utils.trigger_rule import TriggerRule

PROJECT_ID = "acme-data-prod"
REGION = "europe-west1"
ZONE = "europe-west1-b"
# One cluster per run, named after the run date so that retries re-use it.
CLUSTER_NAME = "web-sessions-{{ ds_nodash }}"
JOBS_BUCKET = "gs://acme-dataproc-jobs"

default_args = {
    "owner": "web-analytics",
    "start_date": datetime.datetime(2020, 3, 1),
    "email": ["web-analytics@acme.example"],
    "email_on_failure": True,
    "retries": 1,
    "retry_delay": datetime.timedelta(minutes=5),
    # Picked up by every Dataproc operator below.
    "project_id": PROJECT_ID,
}

with models.DAG(
    "web_sessions_pyspark",
    default_args=default_args,
    schedule_interval="@daily",
    catchup=True,  # the team backfills missed days on purpose
    max_active_runs=2,
) as dag:

    create_cluster = DataprocClusterCreateOperator(
        task_id="create_cluster",
        cluster_name=CLUSTER_NAME,
        num_workers=2,
        zone=ZONE,
        region=REGION,
        master_machine_type="n1-standard-4",
        worker_machine_type="n1-standard-4",
        storage_bucket="acme-dataproc-staging",
        init_actions_uris=[JOBS_BUCKET + "/init/install-deps.sh"],
        metadata={"PIP_PACKAGES": "pyyaml==5.3.1 user-agents==2.1"},
        labels={"team": "web-analytics"},
    )

    # The job reads gs://acme-clickstream/dt=<ds>/ and writes sessions to BigQuery.
    sessionize = DataProcPySparkOperator(
        task_id="sessionize",
        main=JOBS_BUCKET + "/pyspark/sessionize.py",
        pyfiles=[JOBS_BUCKET + "/pyspark/common.zip"],
        arguments=["--date", "{{ ds }}", "--output", "acme-data-prod:web.sessions"],
        cluster_name=CLUSTER_NAME,
        region=REGION,
        dataproc_pyspark_properties={
            "spark.executor.memory": "6g",
            "spark.sql.shuffle.partitions": "200",
        },
        dataproc_pyspark_jars=["gs://spark-lib/bigquery/spark-bigquery-latest.jar"],
    )

    # ALL_DONE: tear the cluster down even if the job failed (it costs money).
    delete_cluster = DataprocClusterDeleteOperator(
        task_id="delete_cluster",
        cluster_name=CLUSTER_NAME,
        region=REGION,
        trigger_rule=TriggerRule.ALL_DONE,
    )

    create_cluster >> sessionize >> delete_cluster
