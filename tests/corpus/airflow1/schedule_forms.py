# -*- coding: utf-8 -*-
"""Several DAGs in one file, one per schedule_interval form, in both definition styles.

Exercises: cron string, every preset (@once @hourly @daily @weekly @monthly @yearly),
timedelta, dateutil relativedelta, None, catchup True/False, `with DAG(...) as dag:`
next to `dag = DAG(...)` + `dag=dag`, DAG objects bound to distinct module names.
"""
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator

START = datetime(2021, 1, 1)
ARGS = {"owner": "scheduling", "start_date": START}

# --- context-manager style -------------------------------------------------------
with DAG("corpus_schedule_forms_cron", default_args=ARGS, schedule_interval="5 4 * * 1-5", catchup=False) as cron_dag:
    BashOperator(task_id="cron_task", bash_command="echo weekdays at 04:05 {{ ds }}")

with DAG("corpus_schedule_forms_hourly", default_args=ARGS, schedule_interval="@hourly", catchup=False) as hourly_dag:
    BashOperator(task_id="hourly_task", bash_command="echo {{ ts }}")

with DAG("corpus_schedule_forms_once", default_args=ARGS, schedule_interval="@once") as once_dag:
    BashOperator(task_id="once_task", bash_command="echo one-off migration step")

# --- explicit dag= style ---------------------------------------------------------
monthly_dag = DAG("corpus_schedule_forms_monthly", default_args=ARGS, schedule_interval="@monthly", catchup=True)
BashOperator(task_id="monthly_task", bash_command="echo month of {{ ds }}", dag=monthly_dag)

yearly_dag = DAG("corpus_schedule_forms_yearly", default_args=ARGS, schedule_interval="@yearly")
BashOperator(task_id="yearly_task", bash_command="echo year {{ execution_date.year }}", dag=yearly_dag)

every_90_min = DAG(
    "corpus_schedule_forms_timedelta",
    default_args=ARGS,
    schedule_interval=timedelta(minutes=90),
    catchup=False,
)
BashOperator(task_id="every_90_minutes", bash_command="echo {{ ts_nodash }}", dag=every_90_min)

quarterly = DAG(
    "corpus_schedule_forms_relativedelta",
    default_args=ARGS,
    schedule_interval=relativedelta(months=3),
)
BashOperator(task_id="quarterly_task", bash_command="echo quarter starting {{ ds }}", dag=quarterly)

manual_only = DAG("corpus_schedule_forms_manual", default_args=ARGS, schedule_interval=None)
BashOperator(task_id="manual_task", bash_command="echo conf={{ dag_run.conf }}", dag=manual_only)
