# -*- coding: utf-8 -*-
"""Retrain the product-recommendation model in a pod on the Composer GKE cluster.

The trainer image reads its feature snapshot from a persistent volume and its
service-account key from a Kubernetes secret; it writes the model version to XCom.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.kubernetes.secret import Secret
from airflow.contrib.kubernetes.volume import Volume
from airflow.contrib.kubernetes.volume_mount import VolumeMount
from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator
from airflow.operators.bash_operator import BashOperator

# Service-account key, mounted as a file.
gcp_key = Secret(
    deploy_type="volume",
    deploy_target="/var/secrets/google",
    secret="recs-trainer-sa",
    key="key.json",
)
# Feature-store password, exposed as an environment variable.
feature_store_password = Secret("env", "FEATURE_STORE_PASSWORD", "recs-feature-store", "password")

# Feature snapshots live on a persistent volume shared with the exporter job.
features_volume = Volume(
    name="features",
    configs={"persistentVolumeClaim": {"claimName": "recs-features-pvc"}},
)
features_mount = VolumeMount(
    "features",
    mount_path="/data/features",
    sub_path=None,
    read_only=True,
)

default_args = {
    "owner": "ml-platform",
    "start_date": datetime(2020, 9, 1),
    "email": ["ml-platform@acme.example"],
    "email_on_failure": True,
    "retries": 1,
    "retry_delay": timedelta(minutes=30),
}

dag = DAG(
    dag_id="recommendations_train",
    default_args=default_args,
    schedule_interval=timedelta(hours=6),
    catchup=False,
    dagrun_timeout=timedelta(hours=5),
)

train = KubernetesPodOperator(
    task_id="train_model",
    name="recs-train",
    namespace="default",
    image="eu.gcr.io/acme-ml/recs-trainer:2.4.1",
    cmds=["python", "-m", "trainer.run"],
    arguments=["--snapshot-date", "{{ ds }}", "--features", "/data/features"],
    env_vars={
        "GOOGLE_APPLICATION_CREDENTIALS": "/var/secrets/google/key.json",
        "RUN_ID": "{{ run_id }}",
    },
    secrets=[gcp_key, feature_store_password],
    volumes=[features_volume],
    volume_mounts=[features_mount],
    # Old-style resources dict (airflow.contrib.kubernetes.pod.Resources keys).
    resources={
        "request_memory": "2Gi",
        "request_cpu": "1",
        "limit_memory": "4Gi",
        "limit_cpu": "2",
    },
    node_selectors={"cloud.google.com/gke-nodepool": "ml-pool"},
    labels={"team": "ml-platform", "app": "recs-trainer"},
    image_pull_policy="Always",
    startup_timeout_seconds=600,
    get_logs=True,
    is_delete_operator_pod=True,
    # The trainer writes {"model_version": ...} to /airflow/xcom/return.json.
    do_xcom_push=True,
    dag=dag,
)

announce = BashOperator(
    task_id="announce_model",
    bash_command=(
        "echo \"new model {{ ti.xcom_pull(task_ids='train_model')['model_version'] }}"
        " trained for {{ ds }}\""
    ),
    dag=dag,
)

train.set_downstream(announce)
