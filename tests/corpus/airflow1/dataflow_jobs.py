# -*- coding: utf-8 -*-
"""Dataflow jobs: Python pipeline, Java pipeline and a Google-provided template.

Exercises: DataFlowPythonOperator (py_file, py_options, options, dataflow_default_options),
DataFlowJavaOperator (jar, job_class), DataflowTemplateOperator (template, parameters),
gcp_conn_id=, poll_sleep=, dataflow_default_options in default_args.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.operators.dataflow_operator import (
    DataFlowJavaOperator,
    DataflowTemplateOperator,
    DataFlowPythonOperator,
)

default_args = {
    "owner": "streaming",
    "start_date": datetime(2020, 4, 1),
    "retries": 1,
    "retry_delay": timedelta(minutes=15),
    # Shared by every Dataflow operator in the DAG.
    "dataflow_default_options": {
        "project": "acme-streaming",
        "region": "europe-west1",
        "tempLocation": "gs://acme-dataflow-tmp/tmp/",
        "stagingLocation": "gs://acme-dataflow-tmp/staging/",
    },
}

dag = DAG(
    "corpus_dataflow_jobs",
    default_args=default_args,
    schedule_interval="0 5 * * *",
    catchup=False,
)

enrich = DataFlowPythonOperator(
    task_id="enrich_events",
    py_file="gs://acme-dataflow-code/pipelines/enrich_events.py",
    py_options=[],
    job_name="enrich-events-{{ ds_nodash }}",
    options={
        "input": "gs://acme-events/raw/{{ ds }}/*.json",
        "output": "acme-streaming:events.enriched",
        "setup_file": "/home/airflow/gcs/dags/pipelines/setup.py",
    },
    gcp_conn_id="google_cloud_default",
    poll_sleep=30,
    dag=dag,
)

sessionize = DataFlowJavaOperator(
    task_id="sessionize_events",
    jar="gs://acme-dataflow-code/jars/sessionize-bundled-1.8.jar",
    job_class="com.acme.dataflow.Sessionize",
    options={"date": "{{ ds }}", "autoscalingAlgorithm": "THROUGHPUT_BASED", "maxNumWorkers": "20"},
    dag=dag,
)

archive = DataflowTemplateOperator(
    task_id="archive_to_text",
    template="gs://dataflow-templates/latest/Cloud_Bigtable_to_GCS_Avro",
    parameters={
        "bigtableProjectId": "acme-streaming",
        "bigtableInstanceId": "events",
        "bigtableTableId": "sessions",
        "outputDirectory": "gs://acme-archive/sessions/{{ ds }}/",
        "filenamePrefix": "sessions-",
    },
    dag=dag,
)

enrich >> sessionize >> archive
