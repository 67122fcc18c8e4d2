# -*- coding: utf-8 -*-
"""GKE: create a cluster, run a pod on it with GKEPodOperator, delete the cluster.

Exercises: GKEClusterCreateOperator (body dict), GKEPodOperator (project_id, location,
cluster_name + KubernetesPodOperator arguments: resources dict, node_selectors, secrets
from the 1.10 core path `airflow.kubernetes.secret`, is_delete_operator_pod,
image_pull_policy), GKEClusterDeleteOperator with trigger_rule="all_done".
"""
from datetime import datetime

from airflow import DAG
from airflow.contrib.operators.gcp_container_operator import (
    GKEClusterCreateOperator,
    GKEClusterDeleteOperator,
    GKEPodOperator,
)
from airflow.kubernetes.secret import Secret

PROJECT = "acme-batch"
LOCATION = "europe-west4-a"
CLUSTER = "batch-{{ ds_nodash }}"

db_password = Secret("env", "DB_PASSWORD", "batch-db", "password")

with DAG(
    "corpus_gke_pod_operator",
    start_date=datetime(2020, 7, 1),
    schedule_interval="@weekly",
    default_args={"owner": "batch", "retries": 1},
    catchup=False,
) as dag:
    create_cluster = GKEClusterCreateOperator(
        task_id="create_cluster",
        project_id=PROJECT,
        location=LOCATION,
        body={"name": CLUSTER, "initial_node_count": 3, "node_config": {"machine_type": "n1-standard-8"}},
    )

    run_batch = GKEPodOperator(
        task_id="run_batch",
        project_id=PROJECT,
        location=LOCATION,
        cluster_name=CLUSTER,
        name="weekly-batch",
        namespace="default",
        image="eu.gcr.io/acme-batch/weekly:1.12",
        arguments=["--week-of", "{{ ds }}"],
        secrets=[db_password],
        resources={"request_cpu": "2", "request_memory": "8Gi", "limit_memory": "12Gi"},
        node_selectors={"cloud.google.com/gke-preemptible": "true"},
        image_pull_policy="IfNotPresent",
        is_delete_operator_pod=True,
        get_logs=True,
    )

    delete_cluster = GKEClusterDeleteOperator(
        task_id="delete_cluster",
        project_id=PROJECT,
        location=LOCATION,
        name=CLUSTER,
        trigger_rule="all_done",
    )

    create_cluster >> run_batch >> delete_cluster
