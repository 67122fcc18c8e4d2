# -*- coding: utf-8 -*-
"""Alerting: EmailOperator, failure/success/retry callbacks, SLAs and pools.

Exercises: EmailOperator (to list, cc, files, html_content template),
on_failure_callback/on_retry_callback/on_success_callback in default_args and on the DAG,
airflow.utils.email.send_email inside a callback, sla= per task + DAG sla_miss_callback,
dagrun_timeout, execution_timeout, pool=, queue=, run_as_user=, email as a comma string.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.email_operator import EmailOperator
from airflow.utils.email import send_email


def notify_failure(context):
    ti = context["task_instance"]
    send_email(
        to=["oncall@acme.example"],
        subject="[airflow] {} failed".format(ti.task_id),
        html_content="Run {} of {} failed. Log: {}".format(context["execution_date"], ti.dag_id, ti.log_url),
    )


def note_retry(context):
    print("retrying", context["task_instance"].task_id, "try", context["task_instance"].try_number)


def dag_succeeded(context):
    print("dag run", context["dag_run"].run_id, "succeeded")


def sla_missed(dag, task_list, blocking_task_list, slas, blocking_tis):
    print("SLA missed in", dag.dag_id, ":", task_list)


default_args = {
    "owner": "billing",
    "start_date": datetime(2020, 4, 1),
    "email": "billing-oncall@acme.example,finance@acme.example",
    "email_on_failure": True,
    "email_on_retry": True,
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "on_failure_callback": notify_failure,
    "on_retry_callback": note_retry,
    "execution_timeout": timedelta(minutes=45),
}

dag = DAG(
    "corpus_email_callbacks_sla",
    default_args=default_args,
    schedule_interval="0 5 * * *",
    on_success_callback=dag_succeeded,
    sla_miss_callback=sla_missed,
    dagrun_timeout=timedelta(hours=3),
    catchup=False,
)

invoice = BashOperator(
    task_id="generate_invoices",
    bash_command="echo generating invoices for {{ ds }}",
    sla=timedelta(hours=1),
    pool="billing_pool",
    queue="billing",
    run_as_user="airflow",
    dag=dag,
)

email = EmailOperator(
    task_id="email_invoices",
    to=["accounts@acme.example", "audit@acme.example"],
    cc="finance@acme.example",
    subject="Invoices for {{ ds }}",
    html_content="<p>Invoices for {{ ds }} are attached.</p><p>Run: {{ run_id }}</p>",
    files=["/home/airflow/gcs/data/invoices_latest.pdf"],  # not templated in 1.10
    dag=dag,
)

invoice >> email
