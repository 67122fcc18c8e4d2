# -*- coding: utf-8 -*-
"""1.10 utility imports and configuration reads that moved in Airflow 2.

Exercises: `from airflow.configuration import conf` + conf.get('core', 'base_log_folder')
at import time (moved to [logging] in 2.x; a config read, no DB), `from airflow import
configuration` + configuration.conf.getboolean, airflow.utils.file.TemporaryDirectory,
airflow.utils.db.provide_session inside a callable, airflow.utils.state.State,
airflow.contrib.utils.weekday.WeekDay, LatestOnlyOperator, Variable only in templates
({{ var.value.x }}, {{ var.json.cfg.key }}) and inside callables (Variable.get, deserialize_json).
"""
import os
from datetime import datetime, timedelta

from airflow import DAG, configuration
from airflow.configuration import conf
from airflow.contrib.utils.weekday import WeekDay
from airflow.models import DagRun, Variable
from airflow.operators.bash_operator import BashOperator
from airflow.operators.latest_only_operator import LatestOnlyOperator
from airflow.operators.python_operator import PythonOperator
from airflow.utils.db import provide_session
from airflow.utils.file import TemporaryDirectory
from airflow.utils.state import State

# Config reads at import time (file/env only; no metadata DB, no network).
LOG_FOLDER = conf.get("core", "base_log_folder")
REMOTE_LOGGING = configuration.conf.getboolean("core", "remote_logging")
SCRATCH = os.path.join(LOG_FOLDER, "scratch")


@provide_session
def count_failed_runs(session=None, **kwargs):
    failed = (
        session.query(DagRun)
        .filter(DagRun.dag_id == kwargs["dag"].dag_id, DagRun.state == State.FAILED)
        .count()
    )
    print("failed runs so far:", failed)


def build_in_tmpdir(**kwargs):
    cfg = Variable.get("exporter_config", deserialize_json=True, default_var={"format": "csv"})
    with TemporaryDirectory(prefix="export_") as tmp:
        print("exporting", cfg["format"], "into", tmp, "weekday", WeekDay(kwargs["execution_date"].isoweekday()).name)


with DAG(
    "corpus_utils_conf_variables",
    start_date=datetime(2020, 1, 1),
    schedule_interval="0 12 * * *",
    default_args={"owner": "platform", "retries": 1, "retry_delay": timedelta(minutes=5)},
    catchup=False,
) as dag:
    latest_only = LatestOnlyOperator(task_id="latest_only")
    failed = PythonOperator(task_id="count_failed_runs", python_callable=count_failed_runs, provide_context=True)
    build = PythonOperator(task_id="build_in_tmpdir", python_callable=build_in_tmpdir, provide_context=True)
    show = BashOperator(
        task_id="show_settings",
        bash_command=(
            "echo bucket={{ var.value.export_bucket }} fmt={{ var.json.exporter_config.format }} "
            "remote_logging=" + str(REMOTE_LOGGING) + " scratch=" + SCRATCH
        ),
    )
    latest_only >> [failed, build] >> show
