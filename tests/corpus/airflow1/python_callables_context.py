# -*- coding: utf-8 -*-
"""PythonOperator callables that depend on 1.10 context passing.

Exercises: provide_context=True with `**kwargs`, `**context`, named context parameters
(`ds`, `execution_date`, `next_execution_date`, `ti`) followed by **kwargs,
context["execution_date"] / context["next_ds"] / context["prev_ds"] / context["tomorrow_ds"]
subscripts, templates_dict=, op_kwargs= mixed with context, op_args= (positional).
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python_operator import PythonOperator


def print_window(**kwargs):
    # Both dates read through the 1.10 context keys.
    start = kwargs["execution_date"]
    end = kwargs["next_execution_date"]
    print("window", start, end, "next_ds", kwargs["next_ds"], "prev_ds", kwargs["prev_ds"])
    return {"start": start.isoformat(), "end": end.isoformat()}


def load_partition(table, execution_date, **kwargs):
    # `execution_date` is a named parameter; `table` comes from op_kwargs.
    partition = execution_date.strftime("%Y%m%d")
    print("loading", table, "partition", partition, "tomorrow", kwargs["tomorrow_ds"])
    kwargs["ti"].xcom_push(key="partition", value=partition)


def compare_days(ds, yesterday_ds, **context):
    templates = context["templates_dict"]
    print("comparing", yesterday_ds, "->", ds, "threshold", templates["threshold"])


def rebuild(tables, mode, **kwargs):
    # Positional op_args: tables, mode.
    for t in tables:
        print("rebuild", t, mode, "for run", kwargs["run_id"])


def no_context(message):
    print(message)


default_args = {
    "owner": "data-eng",
    "start_date": datetime(2020, 10, 1),
    "email": ["data-eng@acme.example"],
    "email_on_failure": True,
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}

dag = DAG(
    "corpus_python_callables_context",
    default_args=default_args,
    schedule_interval="0 1 * * *",
)

window = PythonOperator(
    task_id="print_window",
    python_callable=print_window,
    provide_context=True,
    dag=dag,
)

loaders = []
for table in ["orders", "customers"]:
    loaders.append(
        PythonOperator(
            task_id="load_" + table,
            python_callable=load_partition,
            op_kwargs={"table": table},
            provide_context=True,
            dag=dag,
        )
    )

compare = PythonOperator(
    task_id="compare_days",
    python_callable=compare_days,
    provide_context=True,
    templates_dict={"threshold": "{{ var.value.get('compare_threshold', '0.05') }}", "day": "{{ ds }}"},
    dag=dag,
)

rebuild_marts = PythonOperator(
    task_id="rebuild_marts",
    python_callable=rebuild,
    op_args=[["mart_sales", "mart_stock"], "full"],
    provide_context=True,
    dag=dag,
)

say_done = PythonOperator(
    task_id="say_done",
    python_callable=no_context,
    op_kwargs={"message": "all partitions loaded"},
    dag=dag,
)

window >> loaders
loaders >> compare >> rebuild_marts >> say_done
