# -*- coding: utf-8 -*-
"""Jinja templates that use context variables removed or deprecated in Airflow 2.

Removed in 2.x: {{ end_date }}, {{ END_DATE }}, {{ latest_date }}, {{ tables }}.
Deprecated in 2.x: execution_date, next_ds, next_ds_nodash, next_execution_date, prev_ds,
prev_ds_nodash, prev_execution_date, prev_execution_date_success, tomorrow_ds(_nodash),
yesterday_ds(_nodash), conf. Exercises them in bash_command strings, a SQL string and
a params-driven `tables` list.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.postgres_operator import PostgresOperator

dag = DAG(
    "corpus_removed_template_vars",
    start_date=datetime(2020, 1, 1),
    schedule_interval="@daily",
    default_args={"owner": "legacy", "retries": 1, "retry_delay": timedelta(minutes=1)},
)

# `end_date`/`END_DATE` were equal to `ds` in 1.10; `latest_date` too.
window = BashOperator(
    task_id="window",
    bash_command=(
        "echo window {{ ds }} .. {{ end_date }} (END_DATE={{ END_DATE }}, latest={{ latest_date }})"
    ),
    dag=dag,
)

# `tables` came from params['tables'] in 1.10's context.
tables = BashOperator(
    task_id="tables",
    bash_command="for t in {{ tables | join(' ') }}; do echo vacuum $t; done",
    params={"tables": ["events", "sessions"]},
    dag=dag,
)

neighbours = BashOperator(
    task_id="neighbours",
    bash_command="""
        echo "yesterday={{ yesterday_ds }} ({{ yesterday_ds_nodash }})"
        echo "tomorrow={{ tomorrow_ds }} ({{ tomorrow_ds_nodash }})"
        echo "prev={{ prev_ds }} ({{ prev_ds_nodash }}) at {{ prev_execution_date }}"
        echo "next={{ next_ds }} ({{ next_ds_nodash }}) at {{ next_execution_date }}"
        echo "last success started {{ prev_execution_date_success }}"
        echo "logical ts {{ execution_date }} / {{ ts }} / {{ ts_nodash }}"
        echo "dags folder {{ conf.get('core', 'dags_folder') }}"
    """,
    dag=dag,
)

incremental = PostgresOperator(
    task_id="incremental_copy",
    postgres_conn_id="ops_db",
    sql="""
        INSERT INTO events_daily
        SELECT * FROM events
        WHERE created_at >= '{{ execution_date }}'
          AND created_at <  '{{ next_execution_date }}'
          AND created_at >  '{{ prev_execution_date_success or '1970-01-01' }}';
        DELETE FROM events_staging WHERE day <= '{{ yesterday_ds }}';
    """,
    dag=dag,
)

window >> tables >> neighbours >> incremental
