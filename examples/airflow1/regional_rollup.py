# -*- coding: utf-8 -*-
"""Weekly inventory roll-up: one SubDAG per region, each with a task per warehouse.

The SubDAGs come from a factory function; a SubDAG's dag_id must be
"<parent dag_id>.<SubDagOperator task_id>".
"""
from datetime import datetime, timedelta

from airflow.models import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator
from airflow.operators.subdag_operator import SubDagOperator

PARENT_DAG_ID = "regional_rollup"

WAREHOUSES = {
    "north": ["ham", "cph"],
    "south": ["mil", "mad", "lis"],
}

default_args = {
    "owner": "supply-chain",
    "start_date": datetime(2020, 1, 6),
    "email": ["supply-chain@acme.example"],
    "email_on_failure": True,
    "retries": 1,
    "retry_delay": timedelta(minutes=10),
}


def region_subdag(parent_dag_id, child_task_id, warehouses, args):
    """Build the SubDAG that rolls up the stock of one region's warehouses."""
    subdag = DAG(
        dag_id="{}.{}".format(parent_dag_id, child_task_id),
        default_args=args,
        schedule_interval="@weekly",  # must match the parent
    )
    for code in warehouses:
        BashOperator(
            task_id="rollup_{}".format(code),
            bash_command="echo rolling up warehouse {} for week of {{{{ ds }}}}".format(code),
            dag=subdag,
        )
    return subdag


dag = DAG(
    dag_id=PARENT_DAG_ID,
    default_args=default_args,
    schedule_interval="@weekly",
    catchup=False,
)

start = DummyOperator(task_id="start", dag=dag)
publish = BashOperator(
    task_id="publish",
    bash_command="echo publishing roll-up for {{ ds }} to {{ params.target }}",
    params={"target": "acme-data-prod.supply.weekly_stock"},
    dag=dag,
)

for region, codes in sorted(WAREHOUSES.items()):
    task_id = "rollup_{}".format(region)
    section = SubDagOperator(
        task_id=task_id,
        subdag=region_subdag(PARENT_DAG_ID, task_id, codes, default_args),
        dag=dag,
    )
    start >> section >> publish
