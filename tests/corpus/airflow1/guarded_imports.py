# -*- coding: utf-8 -*-
"""Imports guarded by try/except ImportError (written to run on both 1.10 and 2.x).

Exercises: a converter must leave the guarded blocks alone (on 1.10 the fallback
branch is taken), plus an optional-dependency guard that skips the DAG entirely.
"""
from datetime import datetime

from airflow import DAG

try:  # Airflow 2
    from airflow.operators.bash import BashOperator
except ImportError:  # Airflow 1.10
    from airflow.operators.bash_operator import BashOperator

try:
    from airflow.operators.python import PythonOperator
except ImportError:
    from airflow.operators.python_operator import PythonOperator

try:
    from airflow.providers.google.cloud.operators.bigquery import BigQueryExecuteQueryOperator as BigQueryOperator
except ImportError:
    from airflow.contrib.operators.bigquery_operator import BigQueryOperator


def hello():
    print("hello from a version-agnostic DAG")


with DAG(
    "corpus_guarded_imports",
    start_date=datetime(2020, 1, 1),
    schedule_interval="@daily",
    catchup=False,
) as dag:
    say_hello = PythonOperator(task_id="say_hello", python_callable=hello)
    run_query = BigQueryOperator(
        task_id="run_query",
        sql="SELECT 1",
        use_legacy_sql=False,
    )
    done = BashOperator(task_id="done", bash_command="echo done")
    say_hello >> run_query >> done
