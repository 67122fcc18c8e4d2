# -*- coding: utf-8 -*-
"""BashOperators that call the Airflow 1.10 CLI (commands and flags renamed in 2.x).

Exercises: `airflow trigger_dag -c '{json}' -r run_id`, `airflow clear -c -t -s -e`,
`airflow backfill -s -e --reset_dagruns -y`, `airflow list_dags`, `airflow pause`,
`airflow variables -g`, `airflow connections --list`, `airflow test`, `-sd` subdir flag.
"""
from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator

with DAG(
    "corpus_cli_in_bash",
    start_date=datetime(2020, 6, 1),
    schedule_interval="0 9 * * *",
    default_args={"owner": "platform", "retries": 0},
    catchup=False,
) as dag:
    trigger = BashOperator(
        task_id="trigger_downstream",
        bash_command=(
            "airflow trigger_dag -c '{\"day\": \"{{ ds }}\"}' "
            "-r manual_{{ ts_nodash }} corpus_xcom_patterns"
        ),
    )
    clear = BashOperator(
        task_id="clear_failed",
        bash_command=(
            "airflow clear -c -f -t 'load_.*' -s {{ macros.ds_add(ds, -3) }} -e {{ ds }} "
            "corpus_python_callables_context"
        ),
    )
    backfill = BashOperator(
        task_id="backfill_gap",
        bash_command=(
            "airflow backfill -s {{ macros.ds_add(ds, -2) }} -e {{ yesterday_ds }} "
            "--reset_dagruns -y -sd /home/airflow/gcs/dags corpus_gcs_object_ops"
        ),
    )
    housekeeping = BashOperator(
        task_id="housekeeping",
        bash_command="""
            airflow list_dags -sd /home/airflow/gcs/dags | tail -n 20
            airflow pause corpus_schedule_forms_hourly
            airflow variables -g low_stock_limit
            airflow connections --list | grep -c conn_id
            airflow test corpus_cli_in_bash housekeeping {{ ds }} --dry_run || true
        """,
    )
    trigger >> clear >> backfill >> housekeeping
