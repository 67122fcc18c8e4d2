# -*- coding: utf-8 -*-
"""Pull the partner's inventory feed over HTTP every 30 minutes and tell Slack when it changed.

Connections: `partner_api` (HTTP, base URL of the partner API), `slack_default`
(Slack API token in the password field).
"""
import json
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.http_operator import SimpleHttpOperator
from airflow.operators.slack_operator import SlackAPIPostOperator
from airflow.sensors.http_sensor import HttpSensor

default_args = {
    "owner": "partner-integrations",
    "start_date": datetime(2021, 3, 1),
    "email": ["partner-integrations@acme.example"],
    "email_on_failure": True,
    "retries": 2,
    "retry_delay": timedelta(minutes=3),
}

dag = DAG(
    "partner_inventory_sync",
    default_args=default_args,
    schedule_interval="*/30 * * * *",
    catchup=False,
    max_active_runs=1,
)

# The partner publishes a health endpoint; wait until it says "ok".
api_up = HttpSensor(
    task_id="partner_api_up",
    http_conn_id="partner_api",
    endpoint="v2/health",
    response_check=lambda response: response.json().get("status") == "ok",
    poke_interval=60,
    timeout=15 * 60,
    mode="reschedule",
    dag=dag,
)

# Fetch the changes since the last run; the response body goes to XCom.
fetch_inventory = SimpleHttpOperator(
    task_id="fetch_inventory",
    http_conn_id="partner_api",
    endpoint="v2/inventory/changes",
    method="GET",
    data={"since": "{{ execution_date.isoformat() }}", "until": "{{ next_execution_date.isoformat() }}"},
    headers={"Accept": "application/json"},
    response_check=lambda response: response.status_code == 200,
    xcom_push=True,
    log_response=True,
    dag=dag,
)

# Acknowledge the batch so that the partner can drop it.
ack_batch = SimpleHttpOperator(
    task_id="ack_batch",
    http_conn_id="partner_api",
    endpoint="v2/inventory/ack",
    method="POST",
    data=json.dumps({"run_id": "{{ run_id }}"}),
    headers={"Content-Type": "application/json"},
    dag=dag,
)

notify_slack = SlackAPIPostOperator(
    task_id="notify_slack",
    slack_conn_id="slack_default",
    channel="#inventory-feed",
    username="airflow",
    text=(
        "Partner inventory synced for {{ execution_date }} - "
        "{{ ti.xcom_pull(task_ids='fetch_inventory') | length }} bytes of changes"
    ),
    dag=dag,
)

api_up >> fetch_inventory >> ack_batch >> notify_slack
