# -*- coding: utf-8 -*-
"""BROKEN ON PURPOSE: a DAG file with a Python syntax error on line 14 (missing ':').

A batch conversion must report this file with its line number and go on.
"""
from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator

dag = DAG("corpus_broken_syntax_error", start_date=datetime(2020, 1, 1), schedule_interval="@daily")


def build_command(day)
    return "echo " + day


BashOperator(task_id="echo", bash_command=build_command("{{ ds }}"), dag=dag)
