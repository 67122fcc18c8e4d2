# -*- coding: utf-8 -*-
"""Dependencies with airflow.utils.helpers.chain and cross_downstream (moved in 2.x).

Exercises: `from airflow.utils.helpers import chain, cross_downstream`,
chain() with single tasks and equal-length lists, cross_downstream(list, list),
`import airflow.utils.helpers as helpers` + helpers.chain(...).
"""
from datetime import datetime

import airflow.utils.helpers as helpers
from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator
from airflow.utils.helpers import chain, cross_downstream

dag = DAG(
    "corpus_chain_cross_downstream",
    start_date=datetime(2020, 2, 1),
    schedule_interval="@daily",
    default_args={"owner": "platform"},
    catchup=False,
)


def step(name):
    return BashOperator(task_id=name, bash_command="echo " + name + " {{ ds }}", dag=dag)


start = DummyOperator(task_id="start", dag=dag)
extract_a, extract_b = step("extract_a"), step("extract_b")
clean_a, clean_b = step("clean_a"), step("clean_b")
merge = step("merge")

# start -> [extract_a, extract_b] -> [clean_a, clean_b] (pairwise) -> merge
chain(start, [extract_a, extract_b], [clean_a, clean_b], merge)

publish_1, publish_2 = step("publish_web"), step("publish_api")
notify_1, notify_2 = step("notify_slack"), step("notify_email")

# every publish task before every notify task
cross_downstream([publish_1, publish_2], [notify_1, notify_2])

# module-alias style
helpers.chain(merge, publish_1)
merge >> publish_2
