# -*- coding: utf-8 -*-
"""A subclass of a built-in operator using 1.10-only import locations.

Exercises: `from airflow.utils import apply_defaults` (deprecated alias in 1.10),
`from airflow import AirflowException`, `from airflow import conf` (1.10 top-level
re-exports), `from airflow.utils.log.logging_mixin import LoggingMixin`, a BashOperator
subclass that extends template_fields, `from airflow.operators.sensors import BaseSensorOperator`
(1.10 compatibility module), and `airflow.settings` access inside execute().
"""
from datetime import datetime

from airflow import AirflowException, conf
from airflow.models import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.sensors import BaseSensorOperator
from airflow.utils import apply_defaults
from airflow.utils.log.logging_mixin import LoggingMixin

LOG = LoggingMixin().log


class RetryingBashOperator(BashOperator):
    """BashOperator that exports the try number and refuses to run as root."""

    template_fields = BashOperator.template_fields + ("marker",)

    @apply_defaults
    def __init__(self, marker=None, *args, **kwargs):
        super(RetryingBashOperator, self).__init__(*args, **kwargs)
        self.marker = marker

    def execute(self, context):
        if conf.get("core", "default_impersonation") == "root":
            raise AirflowException("refusing to run as root")
        self.env = dict(self.env or {}, TRY_NUMBER=str(context["ti"].try_number))
        LOG.info("marker: %s", self.marker)
        return super(RetryingBashOperator, self).execute(context)


class AlwaysTrueSensor(BaseSensorOperator):
    def poke(self, context):
        return True


dag = DAG(
    "corpus_custom_operator_legacy_imports",
    start_date=datetime(2019, 11, 1),
    schedule_interval="@hourly",
    default_args={"owner": "legacy"},
    catchup=False,
)

ready = AlwaysTrueSensor(task_id="ready", poke_interval=5, dag=dag)
work = RetryingBashOperator(
    task_id="work",
    bash_command="echo try $TRY_NUMBER for {{ ts }}",
    marker="{{ ds_nodash }}",
    dag=dag,
)
ready >> work
