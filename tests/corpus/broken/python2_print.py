# -*- coding: utf-8 -*-
"""BROKEN ON PURPOSE: Python 2 only (print statement on line 15), as many 1.10 DAGs were.

Airflow 1.10 ran on Python 2.7; this file is not Python 3 and cannot be parsed by libcst.
"""
from datetime import datetime

from airflow import DAG
from airflow.operators.python_operator import PythonOperator

dag = DAG("corpus_broken_python2_print", start_date=datetime(2019, 1, 1), schedule_interval="@daily")


def hello():
    print "hello from python 2"


PythonOperator(task_id="hello", python_callable=hello, dag=dag)
