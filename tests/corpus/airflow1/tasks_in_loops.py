# -*- coding: utf-8 -*-
"""Tasks generated in (nested) for-loops from configuration, joined with lists.

Exercises: task ids built with format/%/+, dict-driven loops, nested loops,
`previous >> task` chaining inside a loop, list-to-task and task-to-list `>>`.
"""
import datetime

from airflow import DAG
from airflow.contrib.operators.bigquery_operator import BigQueryOperator
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator

SOURCES = {
    "shop": ["orders", "refunds", "carts"],
    "crm": ["contacts", "accounts"],
    "ads": ["impressions"],
}
STEPS = ["extract", "validate", "publish"]

with DAG(
    "corpus_tasks_in_loops",
    start_date=datetime.datetime(2020, 4, 1),
    schedule_interval="0 */6 * * *",
    default_args={"owner": "ingest", "retries": 2, "retry_delay": datetime.timedelta(minutes=2)},
    catchup=False,
    max_active_runs=1,
) as dag:
    start = DummyOperator(task_id="start")
    finish = DummyOperator(task_id="finish")
    per_source_done = []

    for source, tables in sorted(SOURCES.items()):
        done = DummyOperator(task_id="%s_done" % source)
        for table in tables:
            previous = start
            for step in STEPS:
                task = BashOperator(
                    task_id="{}_{}_{}".format(source, table, step),
                    bash_command="echo {} {}.{} for {{{{ ds }}}}".format(step, source, table),
                )
                previous >> task
                previous = task
            previous >> done
        per_source_done.append(done)

    rollup = BigQueryOperator(
        task_id="rollup_all",
        sql="SELECT '{{ ds }}' AS day, " + ", ".join("'%s' AS src_%s" % (s, s) for s in sorted(SOURCES)),
        use_legacy_sql=False,
    )
    per_source_done >> rollup >> finish
