# -*- coding: utf-8 -*-
"""Dataproc cluster lifecycle with several job types and no explicit region.

Exercises: DataprocClusterCreateOperator (zone only; 1.10 region default 'global'),
DataProcPySparkOperator (dataproc_pyspark_properties/jars), DataProcSparkOperator
(dataproc_spark_jars/properties), DataProcHiveOperator (query + variables),
DataprocClusterDeleteOperator with trigger_rule=TriggerRule.ALL_DONE,
project_id via default_args, gcp_conn_id=.
"""
import datetime

from airflow import models
from airflow.contrib.operators import dataproc_operator
from airflow.utils.trigger_rule import TriggerRule

CLUSTER = "corpus-lifecycle-{{ ds_nodash }}"

default_args = {
    "owner": "data-science",
    "start_date": datetime.datetime(2019, 9, 1),
    "project_id": "acme-ds-prod",
    "retries": 1,
    "retry_delay": datetime.timedelta(minutes=10),
}

with models.DAG(
    "corpus_dataproc_cluster_lifecycle",
    default_args=default_args,
    schedule_interval="@daily",
) as dag:
    create = dataproc_operator.DataprocClusterCreateOperator(
        task_id="create_cluster",
        cluster_name=CLUSTER,
        num_workers=4,
        num_preemptible_workers=2,
        zone="us-central1-a",
        image_version="1.4-debian9",
        master_machine_type="n1-highmem-4",
        worker_machine_type="n1-highmem-4",
        properties={"spark:spark.dynamicAllocation.enabled": "true"},
        idle_delete_ttl=3600,
        gcp_conn_id="google_cloud_default",
    )

    features = dataproc_operator.DataProcPySparkOperator(
        task_id="build_features",
        main="gs://acme-ds-jobs/features/build.py",
        arguments=["{{ ds }}"],
        cluster_name=CLUSTER,
        dataproc_pyspark_properties={"spark.driver.memory": "4g"},
        dataproc_pyspark_jars=["gs://acme-ds-jobs/jars/udfs.jar"],
    )

    scoring = dataproc_operator.DataProcSparkOperator(
        task_id="score_customers",
        main_class="com.acme.ds.Score",
        arguments=["--date={{ ds }}"],
        cluster_name=CLUSTER,
        dataproc_spark_jars=["gs://acme-ds-jobs/jars/scoring-assembly-3.2.jar"],
        dataproc_spark_properties={"spark.executor.cores": "4"},
    )

    hive_partitions = dataproc_operator.DataProcHiveOperator(
        task_id="add_hive_partition",
        query="ALTER TABLE scores ADD IF NOT EXISTS PARTITION (dt='${DT}')",
        variables={"DT": "{{ ds }}"},
        cluster_name=CLUSTER,
    )

    delete = dataproc_operator.DataprocClusterDeleteOperator(
        task_id="delete_cluster",
        cluster_name=CLUSTER,
        trigger_rule=TriggerRule.ALL_DONE,
    )

    create >> features >> scoring >> hive_partitions >> delete
