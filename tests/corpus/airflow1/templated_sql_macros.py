# -*- coding: utf-8 -*-
"""Templated SQL with macros, user-defined macros/filters and an undefined variable.

Exercises: BigQueryOperator sql with {{ macros.ds_add(ds, -1) }}, {{ macros.ds_format }},
{{ execution_date.strftime(...) }}, {{ macros.datetime }}, query_params=, user_defined_macros=,
user_defined_filters=, template_searchpath=, and {{ params.region_filter }} which is never
defined: rendered as "" in 1.10 (jinja2.Undefined), an error under 2.x's StrictUndefined.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.operators.bigquery_operator import BigQueryOperator
from airflow.operators.bash_operator import BashOperator


def quarter(dt):
    return "Q{}".format((dt.month - 1) // 3 + 1)


default_args = {
    "owner": "analytics",
    "start_date": datetime(2020, 1, 1),
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}

with DAG(
    "corpus_templated_sql_macros",
    default_args=default_args,
    schedule_interval="0 8 * * 1",  # Mondays 08:00
    user_defined_macros={"dataset": "acme-data-prod.analytics", "quarter": quarter},
    user_defined_filters={"bq_table": lambda s: s.replace("-", "_")},
    template_searchpath=["/home/airflow/gcs/dags/sql"],
    catchup=False,
) as dag:
    weekly = BigQueryOperator(
        task_id="weekly_kpis",
        sql="""
            SELECT '{{ quarter(execution_date) }}' AS quarter, *
            FROM `{{ dataset }}.kpis`
            WHERE day BETWEEN '{{ macros.ds_add(ds, -7) }}' AND '{{ macros.ds_add(ds, -1) }}'
              AND week = {{ execution_date.strftime('%V') }}
              {{ params.region_filter }}
        """,
        destination_dataset_table="{{ dataset }}.weekly_{{ ds | bq_table }}",
        write_disposition="WRITE_TRUNCATE",
        use_legacy_sql=False,
        query_params=[{"name": "min_rev", "parameterType": {"type": "INT64"}, "parameterValue": {"value": "100"}}],
    )
    stamp = BashOperator(
        task_id="stamp",
        bash_command=(
            "echo built {{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m/%Y') }} "
            "at {{ macros.datetime.utcnow().isoformat() }}"
        ),
    )
    weekly >> stamp
