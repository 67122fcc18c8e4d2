"""AM603 in the real Airflow 2.10.5 runtime: the subclass it adds runs a 1.10 python_callable as Airflow 1.10.15's
TriggerDagRunOperator.execute did (airflow/operators/dagrun_operator.py in the 1.10.15 wheel):

    run_id = 'trig__{}'.format(self.execution_date) if self.execution_date is not None
             else 'trig__' + timezone.utcnow().isoformat()
    dro = self.python_callable(context, DagRunOrder(run_id=run_id))
    if dro: trigger_dag(dag_id=..., run_id=dro.run_id, conf=json.dumps(dro.payload), execution_date=...)
    else: self.log.info("Criteria not met, moving on")

The converted file is loaded in a DagBag and each task's ``execute`` is called with a minimal context, with the
``trigger_dag`` function Airflow 2's operator calls replaced by a recorder (no database)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from dagconvert.engine import convert_source
from dagconvert.rules.trigger_dagrun import FALLBACK_NAME
from tests.dagconvert.helpers import probe_in_runtime
from tests.runtime import require_runtime_python

SOURCE = '''\
"""A controller DAG in Airflow 1.10's TriggerDagRunOperator style."""
from datetime import datetime

from airflow import DAG
from airflow.operators.dagrun_operator import DagRunOrder, TriggerDagRunOperator


def maybe(context, dag_run_obj):
    if context['params']['go']:
        dag_run_obj.payload = {'tables': context['params']['tables'], 'day': context['ds']}
        return dag_run_obj
    return None


def fresh(context, dag_run_obj):
    return DagRunOrder(run_id='trig__custom__' + context['ds_nodash'], payload=['a', ('b', 1)])


def default_order(context, dag_run_obj):
    print('would trigger', dag_run_obj.run_id)
    return dag_run_obj


with DAG('controller', start_date=datetime(2024, 1, 1), schedule_interval='@daily', catchup=False) as dag:
    skip = TriggerDagRunOperator(task_id='skip', trigger_dag_id='target', python_callable=maybe,
                                 params={'go': False, 'tables': []})
    go = TriggerDagRunOperator(task_id='go', trigger_dag_id='target', python_callable=maybe,
                               params={'go': True, 'tables': ['a', 'b']})
    order = TriggerDagRunOperator(task_id='fresh', trigger_dag_id='target', python_callable=fresh,
                                  execution_date='{{ ds }}')
    plain = TriggerDagRunOperator(task_id='plain', trigger_dag_id='target', python_callable=default_order,
                                  execution_date='{{ ds }}')
    skip >> go >> order >> plain
'''

_PROBE = r"""
import inspect, json, logging, sys, warnings
from types import SimpleNamespace
from unittest import mock
warnings.simplefilter("always")
from airflow.api.common import trigger_dag as api
from airflow.models import DagBag
from airflow.models.base import _sentinel

bag = DagBag(sys.argv[1], include_examples=False)
out = {"import_errors": {k: str(v) for k, v in bag.import_errors.items()},
       "warnings": {k: [str(w) for w in v] for k, v in bag.captured_warnings.items()},
       # what the API does with a str conf (the operator passes it through): json.loads, as 1.10's did
       "api_loads_str_conf": "json.loads(conf)" in inspect.getsource(api._trigger_dag),
       "tasks": {}}


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


for task in bag.dags["controller"].tasks:
    calls = []

    def trigger_dag(**kwargs):
        calls.append(kwargs)
        return SimpleNamespace(logical_date=kwargs["execution_date"], run_id=kwargs["run_id"])

    ti = mock.Mock()
    context = {"ds": "2024-05-01", "ds_nodash": "20240501", "params": task.params, "task_instance": ti, "ti": ti}
    task.render_template_fields(context)
    records = Records()
    task._log = logging.getLogger("probe." + task.task_id)
    task._log.addHandler(records)
    with mock.patch("airflow.operators.trigger_dagrun.trigger_dag", trigger_dag):
        try:
            # called as TaskInstance._execute_task does (with its sentinel), not as a nested operator
            returned, error = task.execute(context=context, **{f"{type(task).__name__}__sentinel": _sentinel}), None
        except Exception as exc:
            returned, error = None, repr(exc)
    out["tasks"][task.task_id] = {
        "class": type(task).__name__, "returned": repr(returned), "error": error, "log": records.messages,
        "triggers": [{"dag_id": c["dag_id"], "run_id": c["run_id"], "conf": c["conf"],
                      "execution_date": c["execution_date"].isoformat()} for c in calls],
        "xcom": sorted(k.kwargs["key"] for k in ti.xcom_push.call_args_list)}
print("@@" + json.dumps(out))
"""


@pytest.mark.slow
def test_the_added_subclass_runs_the_callable_as_airflow_1_10_did(tmp_path):
    runtime_python = require_runtime_python()
    result = convert_source(SOURCE, "controller.py")
    assert not result.todos, [t.message for t in result.todos]
    assert result.code.count(f"{FALLBACK_NAME}(task_id=") == 4
    out = probe_in_runtime(runtime_python, result.code, "controller.py", _PROBE, tmp_path)
    assert out["import_errors"] == {}
    assert out["warnings"] == {}
    assert out["api_loads_str_conf"]
    tasks = out["tasks"]
    assert {t["class"] for t in tasks.values()} == {FALLBACK_NAME}
    assert all(t["error"] is None and t["returned"] == "None" for t in tasks.values()), tasks

    # returned None: nothing triggered, the task succeeds (1.10 did not skip it either)
    assert tasks["skip"]["triggers"] == [] and tasks["skip"]["xcom"] == []
    assert "Criteria not met, moving on" in tasks["skip"]["log"]

    # the order it was given, with a payload: 1.10's default run id (no execution_date: trig__<now>)
    (go,) = tasks["go"]["triggers"]
    assert go["dag_id"] == "target"
    assert go["run_id"].startswith("trig__")
    now = datetime.fromisoformat(go["run_id"][len("trig__"):])
    assert now.tzinfo is not None and timedelta(0) <= datetime.fromisoformat(go["execution_date"]) - now < \
        timedelta(minutes=1)
    assert json.loads(go["conf"]) == {"tables": ["a", "b"], "day": "2024-05-01"}
    assert tasks["go"]["xcom"] == ["trigger_logical_date_iso", "trigger_run_id"]

    # a new DagRunOrder: its run id; the payload through JSON (the tuple arrives as a list)
    (fresh,) = tasks["fresh"]["triggers"]
    assert fresh["run_id"] == "trig__custom__20240501"
    assert json.loads(fresh["conf"]) == ["a", ["b", 1]]
    assert fresh["execution_date"] == "2024-05-01T00:00:00+00:00"

    # execution_date given: 1.10's run id was trig__<the rendered execution_date>; no payload: conf null
    (plain,) = tasks["plain"]["triggers"]
    assert plain["run_id"] == "trig__2024-05-01"
    assert json.loads(plain["conf"]) is None
