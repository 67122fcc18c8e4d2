# -*- coding: utf-8 -*-
"""Trigger rules and DAG/task arguments that Airflow 2 renamed or deprecated.

Exercises: trigger_rule="dummy", trigger_rule="none_failed_or_skipped",
TriggerRule.DUMMY, TriggerRule.NONE_FAILED_OR_SKIPPED, DAG(default_view="tree",
orientation="LR", concurrency=, full_filepath=), task_concurrency=, no schedule_interval
at all (1.10 default: daily), operator-level schedule_interval=, priority_weight/weight_rule.
"""
from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator
from airflow.operators.python_operator import BranchPythonOperator
from airflow.utils.trigger_rule import TriggerRule
from airflow.utils.weight_rule import WeightRule

# No schedule_interval: 1.10 defaults to timedelta(days=1).
dag = DAG(
    "corpus_trigger_rules_dag_args",
    start_date=datetime(2020, 3, 1),
    default_args={"owner": "platform", "retries": 0},
    default_view="tree",
    orientation="LR",
    concurrency=8,
    max_active_runs=3,
    full_filepath=__file__,
)

branch = BranchPythonOperator(
    task_id="branch",
    python_callable=lambda: "fast_path",
    dag=dag,
)
fast_path = BashOperator(task_id="fast_path", bash_command="echo fast", dag=dag)
slow_path = BashOperator(
    task_id="slow_path",
    bash_command="sleep 5; echo slow",
    task_concurrency=1,
    priority_weight=10,
    weight_rule=WeightRule.ABSOLUTE,
    dag=dag,
)

join_string = DummyOperator(task_id="join_string", trigger_rule="none_failed_or_skipped", dag=dag)
join_enum = DummyOperator(task_id="join_enum", trigger_rule=TriggerRule.NONE_FAILED_OR_SKIPPED, dag=dag)
always_string = BashOperator(task_id="always_string", bash_command="echo always", trigger_rule="dummy", dag=dag)
always_enum = DummyOperator(task_id="always_enum", trigger_rule=TriggerRule.DUMMY, dag=dag)
# Operator-level schedule_interval was accepted (and ignored) by 1.10's BaseOperator.
legacy_sched = DummyOperator(task_id="legacy_sched", schedule_interval="@daily", dag=dag)

branch >> [fast_path, slow_path]
[fast_path, slow_path] >> join_string >> join_enum
join_enum >> [always_string, always_enum, legacy_sched]
