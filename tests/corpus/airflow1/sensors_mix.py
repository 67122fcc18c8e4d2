# -*- coding: utf-8 -*-
"""Sensors from core and contrib, with the arguments Airflow 2 changed.

Exercises: ExternalTaskSensor with execution_date_fn (single positional dt parameter),
ExternalTaskMarker, `from airflow.operators.sensors import ...` (1.10 compat module),
SqlSensor(allow_null=), PythonSensor(provide_context=True) from contrib, TimeDeltaSensor,
DayOfWeekSensor, BashSensor, SFTPSensor, HttpSensor, soft_fail/mode="reschedule".
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.sensors.bash_sensor import BashSensor
from airflow.contrib.sensors.python_sensor import PythonSensor
from airflow.contrib.sensors.sftp_sensor import SFTPSensor
from airflow.contrib.sensors.weekday_sensor import DayOfWeekSensor
from airflow.operators.dummy_operator import DummyOperator
from airflow.operators.sensors import ExternalTaskSensor, HttpSensor
from airflow.sensors.external_task_sensor import ExternalTaskMarker
from airflow.sensors.sql_sensor import SqlSensor
from airflow.sensors.time_delta_sensor import TimeDeltaSensor


def upstream_run(dt):
    # The upstream DAG runs at 01:00; this DAG at 03:00.
    return dt - timedelta(hours=2)


def partner_ready(**context):
    return context["execution_date"].hour >= 2


with DAG(
    "corpus_sensors_mix",
    start_date=datetime(2020, 8, 1),
    schedule_interval="0 3 * * *",
    default_args={"owner": "platform", "retries": 1, "retry_delay": timedelta(minutes=10)},
    catchup=False,
) as dag:
    upstream = ExternalTaskSensor(
        task_id="wait_upstream_load",
        external_dag_id="corpus_python_callables_context",
        external_task_id="compare_days",
        execution_date_fn=upstream_run,
        allowed_states=["success"],
        mode="reschedule",
        timeout=4 * 3600,
    )
    rows_ready = SqlSensor(
        task_id="rows_ready",
        conn_id="ops_db",
        sql="SELECT COUNT(*) FROM events WHERE day = '{{ ds }}'",
        allow_null=False,
        poke_interval=300,
    )
    partner = PythonSensor(
        task_id="partner_ready",
        python_callable=partner_ready,
        provide_context=True,
        poke_interval=600,
    )
    grace = TimeDeltaSensor(task_id="grace_period", delta=timedelta(minutes=30))
    weekday = DayOfWeekSensor(
        task_id="only_weekdays",
        week_day={"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"},
        use_task_execution_day=True,
        soft_fail=True,
        timeout=60,
    )
    disk_ok = BashSensor(task_id="disk_ok", bash_command="test $(df --output=pcent /tmp | tail -1 | tr -dc 0-9) -lt 90")
    sftp_file = SFTPSensor(task_id="sftp_file", path="/outbound/{{ ds_nodash }}.csv", sftp_conn_id="partner_sftp")
    api = HttpSensor(task_id="api_alive", http_conn_id="partner_api", endpoint="health", poke_interval=30)
    mark_downstream = ExternalTaskMarker(
        task_id="mark_reports",
        external_dag_id="corpus_xcom_patterns",
        external_task_id="push_things",
    )
    go = DummyOperator(task_id="go")

    [upstream, rows_ready, partner, grace, weekday, disk_ok, sftp_file, api] >> go >> mark_downstream
