# -*- coding: utf-8 -*-
"""Callables with **kwargs but provide_context=False (the 1.10 default), and the
other PythonOperator-family classes.

Exercises: a **kwargs callable that in 1.10 receives only op_kwargs (in 2.x it would
receive the whole context too), ShortCircuitOperator with provide_context=True,
PythonVirtualenvOperator (requirements, python_version, string_args),
BranchPythonOperator without context, `from airflow.operators.python_operator import *`-style
multi-name import.
"""
from datetime import datetime

from airflow import DAG
from airflow.operators.dummy_operator import DummyOperator
from airflow.operators.python_operator import (
    BranchPythonOperator,
    PythonOperator,
    PythonVirtualenvOperator,
    ShortCircuitOperator,
)


def build_report(**kwargs):
    # With provide_context=False this sees exactly {"region": ..., "fmt": ...}.
    assert set(kwargs) == {"region", "fmt"}, sorted(kwargs)
    print("report", kwargs["region"], kwargs["fmt"])


def is_month_end(**kwargs):
    nxt = kwargs["next_execution_date"]
    return nxt.day == 1


def choose_format():
    return "as_csv"


def crunch_in_venv(n):
    # Runs in a fresh virtualenv: imports must be inside the function.
    import math
    return math.factorial(int(n))


with DAG(
    "corpus_python_kwargs_without_context",
    start_date=datetime(2021, 1, 1),
    schedule_interval="@daily",
    default_args={"owner": "reporting"},
    catchup=False,
) as dag:
    report = PythonOperator(
        task_id="build_report",
        python_callable=build_report,
        op_kwargs={"region": "emea", "fmt": "pdf"},
    )
    month_end = ShortCircuitOperator(
        task_id="only_on_month_end",
        python_callable=is_month_end,
        provide_context=True,
    )
    fmt = BranchPythonOperator(task_id="choose_format", python_callable=choose_format)
    as_csv = DummyOperator(task_id="as_csv")
    as_xlsx = DummyOperator(task_id="as_xlsx")
    venv = PythonVirtualenvOperator(
        task_id="crunch_in_venv",
        python_callable=crunch_in_venv,
        op_args=["12"],
        requirements=["six==1.15.0"],
        python_version="3",
        system_site_packages=False,
        string_args=["unused"],
    )
    report >> month_end >> fmt >> [as_csv, as_xlsx]
    month_end >> venv
