# -*- coding: utf-8 -*-
"""KubernetesPodOperator with every 1.10-only pod helper, plus executor_config.

Exercises: airflow.contrib.kubernetes.{secret.Secret, volume.Volume, volume_mount.VolumeMount,
pod.Port, pod.Resources, pod_runtime_info_env.PodRuntimeInfoEnv}; KPO arguments
ports=, pod_runtime_info_envs=, configmaps=, image_pull_secrets="a,b" string,
tolerations/affinity/security_context dicts, resources=Resources(...) object,
node_selectors=, xcom via do_xcom_push=, hostnetwork=, dnspolicy=; executor_config
{"KubernetesExecutor": {...}} on a PythonOperator.
"""
import datetime

from airflow import DAG
from airflow.contrib.kubernetes import secret
from airflow.contrib.kubernetes.pod import Port, Resources
from airflow.contrib.kubernetes.pod_runtime_info_env import PodRuntimeInfoEnv
from airflow.contrib.kubernetes.volume import Volume
from airflow.contrib.kubernetes.volume_mount import VolumeMount
from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator
from airflow.operators.python_operator import PythonOperator

# A whole secret as environment variables (no key), and one key as a file.
all_api_keys = secret.Secret("env", None, "partner-api-keys")
tls_cert = secret.Secret("volume", "/etc/tls", "scraper-tls", "tls.crt")

config_volume = Volume(name="scraper-config", configs={"configMap": {"name": "scraper-config"}})
cache_volume = Volume(name="cache", configs={"emptyDir": {}})
config_mount = VolumeMount("scraper-config", mount_path="/etc/scraper", sub_path=None, read_only=True)
cache_mount = VolumeMount("cache", mount_path="/cache", sub_path="scraper", read_only=False)

pod_ip = PodRuntimeInfoEnv("POD_IP", "status.podIP")
metrics_port = Port("metrics", 9102)

resources = Resources(
    request_memory="512Mi",
    request_cpu="250m",
    limit_memory="1Gi",
    limit_cpu="1",
    limit_ephemeral_storage="2Gi",
)

tolerations = [{"key": "dedicated", "operator": "Equal", "value": "scrapers", "effect": "NoSchedule"}]
affinity = {
    "podAntiAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [{
            "weight": 100,
            "podAffinityTerm": {
                "labelSelector": {"matchLabels": {"app": "price-scraper"}},
                "topologyKey": "kubernetes.io/hostname",
            },
        }],
    },
}


def summarize(**context):
    result = context["ti"].xcom_pull(task_ids="scrape_prices")
    print("scraped", (result or {}).get("count"), "prices")


default_args = {
    "owner": "pricing",
    "start_date": datetime.datetime(2020, 5, 1),
    "retries": 2,
    "retry_delay": datetime.timedelta(minutes=3),
}

dag = DAG(
    "corpus_k8s_pod_full_legacy",
    default_args=default_args,
    schedule_interval="0 */2 * * *",
    catchup=False,
)

scrape = KubernetesPodOperator(
    task_id="scrape_prices",
    name="price-scraper",
    namespace="scrapers",
    image="eu.gcr.io/acme-pricing/scraper:5.0.3",
    cmds=["scrape"],
    arguments=["--since", "{{ prev_execution_date }}", "--until", "{{ execution_date }}"],
    env_vars={"LOG_LEVEL": "info"},
    secrets=[all_api_keys, tls_cert],
    volumes=[config_volume, cache_volume],
    volume_mounts=[config_mount, cache_mount],
    ports=[metrics_port],
    pod_runtime_info_envs=[pod_ip],
    configmaps=["scraper-env"],
    image_pull_secrets="gcr-pull,quay-pull",
    resources=resources,
    node_selectors={"pool": "scrapers"},
    tolerations=tolerations,
    affinity=affinity,
    security_context={"runAsUser": 1000, "fsGroup": 2000},
    service_account_name="scraper",
    hostnetwork=False,
    dnspolicy="ClusterFirst",
    labels={"app": "price-scraper"},
    annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"},
    startup_timeout_seconds=300,
    in_cluster=True,
    is_delete_operator_pod=False,
    do_xcom_push=True,
    dag=dag,
)

report = PythonOperator(
    task_id="summarize",
    python_callable=summarize,
    provide_context=True,
    # 1.10 KubernetesExecutor per-task settings, as a plain dict.
    executor_config={
        "KubernetesExecutor": {
            "request_memory": "256Mi",
            "limit_memory": "512Mi",
            "image": "eu.gcr.io/acme-pricing/airflow-worker:1.10.15",
        }
    },
    dag=dag,
)

scrape >> report
