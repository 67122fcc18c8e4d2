# -*- coding: utf-8 -*-
"""Outbound integrations: HTTP, Slack (API and webhook), SSH and SFTP.

Exercises: SimpleHttpOperator (xcom_push=True, extra_options={"verify": False},
response_check, log_response), SlackAPIPostOperator(token=...) with attachments,
SlackWebhookOperator (contrib; http_conn_id + webhook_token), SSHOperator with
ssh_conn_id + remote_host and do_xcom_push, SFTPOperator (put, create_intermediate_dirs).
"""
import json
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.operators.sftp_operator import SFTPOperation, SFTPOperator
from airflow.contrib.operators.slack_webhook_operator import SlackWebhookOperator
from airflow.contrib.operators.ssh_operator import SSHOperator
from airflow.operators.http_operator import SimpleHttpOperator
from airflow.operators.slack_operator import SlackAPIPostOperator

with DAG(
    "corpus_http_slack_sftp",
    start_date=datetime(2020, 10, 15),
    schedule_interval="45 6 * * *",
    default_args={"owner": "integrations", "retries": 2, "retry_delay": timedelta(minutes=2)},
    catchup=False,
) as dag:
    post_totals = SimpleHttpOperator(
        task_id="post_totals",
        http_conn_id="finance_api",
        endpoint="api/v1/totals/{{ ds }}",
        method="POST",
        data=json.dumps({"day": "{{ ds }}", "source": "airflow"}),
        headers={"Content-Type": "application/json", "X-Run": "{{ run_id }}"},
        response_check=lambda r: r.json().get("accepted") is True,
        extra_options={"verify": False, "timeout": 30},
        xcom_push=True,
        log_response=True,
    )
    batch = SSHOperator(
        task_id="run_legacy_batch",
        ssh_conn_id="legacy_batch_host",
        remote_host="batch01.internal.acme.example",
        command="/opt/batch/run.sh --day {{ ds }}",
        do_xcom_push=True,
        get_pty=False,
    )
    upload = SFTPOperator(
        task_id="upload_report",
        ssh_conn_id="partner_sftp",
        local_filepath="/home/airflow/gcs/data/report_{{ ds_nodash }}.csv",
        remote_filepath="/inbound/acme/report_{{ ds_nodash }}.csv",
        operation=SFTPOperation.PUT,
        create_intermediate_dirs=True,
    )
    slack_api = SlackAPIPostOperator(
        task_id="slack_api",
        token="{{ var.value.slack_token }}",
        channel="#finance",
        username="airflow",
        text="Totals for {{ ds }} posted: {{ ti.xcom_pull(task_ids='post_totals') }}",
        attachments=[{"color": "#36a64f", "text": "batch output: {{ ti.xcom_pull(task_ids='run_legacy_batch') }}"}],
    )
    slack_hook = SlackWebhookOperator(
        task_id="slack_webhook",
        http_conn_id="slack_webhook",
        webhook_token="{{ var.value.slack_webhook_token }}",
        message="Report for {{ ds }} uploaded to the partner",
        channel="#partners",
        username="airflow",
        icon_emoji=":package:",
    )
    post_totals >> batch >> upload >> [slack_api, slack_hook]
