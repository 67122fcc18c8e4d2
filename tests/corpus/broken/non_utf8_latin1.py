"""BROKEN ON PURPOSE: saved as Latin-1 without a coding cookie (byte 0xE9 on line 4)."""
from datetime import datetime

# Résumé des ventes : chargement quotidien (cafés de Paris)
from airflow import DAG
from airflow.operators.bash_operator import BashOperator

dag = DAG("corpus_broken_non_utf8", start_date=datetime(2020, 1, 1), schedule_interval="@daily")
BashOperator(task_id="load", bash_command="echo load", dag=dag)
