# -*- coding: utf-8 -*-
"""SubDAGs from a factory in the same file, with the 1.10-only executor argument.

Exercises: SubDagOperator(subdag=..., executor=SequentialExecutor()), subdag dag_id
"<parent>.<task_id>", default_args shared with the subdag, `with DAG` parent and
explicit dag= children, a SubDagOperator created in a loop, trigger_rule on a SubDagOperator.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.executors.sequential_executor import SequentialExecutor
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator
from airflow.operators.subdag_operator import SubDagOperator

PARENT = "corpus_subdag_factory"
ARGS = {
    "owner": "reporting",
    "start_date": datetime(2020, 2, 1),
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}


def make_subdag(parent_dag_id, child_id, reports, args):
    sub = DAG("{}.{}".format(parent_dag_id, child_id), default_args=args, schedule_interval="@daily")
    previous = None
    for report in reports:
        task = BashOperator(task_id="render_" + report, bash_command="echo render " + report, dag=sub)
        if previous is not None:
            previous >> task
        previous = task
    return sub


with DAG(PARENT, default_args=ARGS, schedule_interval="@daily", catchup=False) as dag:
    start = DummyOperator(task_id="start")
    end = DummyOperator(task_id="end", trigger_rule="all_done")
    for group, reports in [("finance", ["pnl", "cash"]), ("ops", ["stock", "returns", "sla"])]:
        section = SubDagOperator(
            task_id=group + "_reports",
            subdag=make_subdag(PARENT, group + "_reports", reports, ARGS),
            executor=SequentialExecutor(),
            trigger_rule="all_success",
        )
        start >> section >> end
