# -*- coding: utf-8 -*-
"""Every way of wiring tasks: set_upstream/set_downstream, << and >>, lists, and
`dag >> task` (assigning a task to a DAG with a bitshift, removed in 2.x).

Exercises: t.set_downstream(list), t.set_upstream(t2), `[a, b] >> c`, `c << [a, b]`,
`a >> b << c`, a task created without dag= and attached with `dag >> task`.
"""
from datetime import datetime, timedelta

from airflow.models import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator

dag = DAG(
    dag_id="corpus_set_upstream_downstream",
    start_date=datetime(2020, 9, 1),
    schedule_interval=timedelta(days=1),
    default_args={"owner": "platform", "retries": 1},
)

a = DummyOperator(task_id="a", dag=dag)
b = DummyOperator(task_id="b", dag=dag)
c = DummyOperator(task_id="c", dag=dag)
d = DummyOperator(task_id="d", dag=dag)
e = DummyOperator(task_id="e", dag=dag)
f = DummyOperator(task_id="f", dag=dag)

a.set_downstream([b, c])
d.set_upstream(b)
d.set_upstream(c)
e << [b, c]
d >> f << e

# Created without a DAG, then attached with a bitshift from the DAG object.
orphan = BashOperator(task_id="late_attached", bash_command="echo attached late")
dag >> orphan
f.set_downstream(orphan)
