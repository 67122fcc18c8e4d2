# -*- coding: utf-8 -*-
"""Posts yesterday's revenue digest to the finance team's Slack channel every weekday morning.

The Slack token comes from the Composer environment's variables (FINANCE_SLACK_TOKEN), as the
finance team set it up in 2019; Airflow 2's Slack provider only takes a connection, so someone
has to create one with the token before this DAG can move.
"""
import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.python_operator import PythonOperator
from airflow.operators.slack_operator import SlackAPIPostOperator

SLACK_TOKEN = os.environ.get("FINANCE_SLACK_TOKEN")


def build_digest(**context):
    """The message text: the export's row count for the day (pushed to XCom)."""
    rows = context["ti"].xcom_pull(task_ids="export_revenue") or "0"
    return "Revenue export for {}: {} rows".format(context["ds"], rows.strip())


default_args = {
    "owner": "finance",
    "start_date": datetime(2020, 10, 1),
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
    "email": ["finance-data@example.com"],
}

with DAG(
    "finance_daily_digest",
    default_args=default_args,
    schedule_interval="0 7 * * 1-5",
    catchup=False,
) as dag:

    export_revenue = BashOperator(
        task_id="export_revenue",
        bash_command="echo 1234",
        xcom_push=True,
    )

    digest = PythonOperator(
        task_id="build_digest",
        python_callable=build_digest,
        provide_context=True,
    )

    post = SlackAPIPostOperator(
        task_id="post_to_slack",
        token=SLACK_TOKEN,
        channel="#finance",
        username="airflow",
        text="{{ ti.xcom_pull(task_ids='build_digest') }}",
    )

    export_revenue >> digest >> post
