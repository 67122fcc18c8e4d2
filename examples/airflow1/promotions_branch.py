# -*- coding: utf-8 -*-
"""Weekday promotions: branch on the day of the week, then join the branches.

Mon-Fri run the price-feed refresh; weekends only send the weekend digest. The join
tasks use trigger rules so that skipped branches do not block them.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator
from airflow.operators.python_operator import BranchPythonOperator
from airflow.utils.trigger_rule import TriggerRule


def pick_branch(**kwargs):
    """Return the task_id to follow; execution_date comes from the context."""
    if kwargs["execution_date"].weekday() < 5:
        return "refresh_price_feed"
    return "weekend_digest"


default_args = {
    "owner": "marketing-eng",
    "start_date": datetime(2021, 2, 1),
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
    "email": ["marketing-eng@acme.example"],
    "email_on_failure": False,
}

with DAG(
    "promotions_branch",
    default_args=default_args,
    schedule_interval="0 6 * * *",
    catchup=False,
) as dag:

    branch = BranchPythonOperator(
        task_id="weekday_or_weekend",
        python_callable=pick_branch,
        provide_context=True,
    )

    refresh_price_feed = BashOperator(
        task_id="refresh_price_feed",
        bash_command="echo refreshing promotion prices for {{ ds }}",
    )
    push_to_shop = BashOperator(
        task_id="push_to_shop",
        bash_command="echo pushing feed {{ ds_nodash }} to the shop",
    )
    weekend_digest = BashOperator(
        task_id="weekend_digest",
        bash_command="echo sending the weekend digest for {{ ds }}",
    )

    # Runs as long as nothing upstream failed and at least one branch succeeded.
    join = DummyOperator(task_id="join", trigger_rule="none_failed_or_skipped")

    # Audit runs whichever branch ran.
    audit = DummyOperator(task_id="audit", trigger_rule=TriggerRule.ONE_SUCCESS)

    branch >> [refresh_price_feed, weekend_digest]
    refresh_price_feed >> push_to_shop >> join
    weekend_digest >> join
    [push_to_shop, weekend_digest] >> audit
