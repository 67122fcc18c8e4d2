"""AM207: keyword arguments that kept their meaning under a new name after Airflow 2.0, so the parameter table
(AM201: the 1.10 -> 2.0 changes a deprecation message or release note names) does not have them. Each row
says where the equivalence was read; a row applies only when the target profile's class accepts the new name
(its inventory), so an older profile keeps the old one.

- ``DayOfWeekSensor(use_task_execution_day=)`` -> ``use_task_logical_date``: Airflow 2.10.5's
  ``airflow/sensors/weekday.py`` documents it as "deprecated parameter, same effect as
  `use_task_logical_date`" (it sets ``self.use_task_logical_date`` from it and warns
  ``RemovedInAirflow3Warning`` when the DAG file loads); 1.10.15 compared ``context['execution_date']``,
  2.10.5 ``context['logical_date']``: the same date.
- ``GKEDeleteClusterOperator(name=)`` -> ``cluster_name``: 1.10.15's ``GKEClusterDeleteOperator.execute``
  calls ``hook.delete_cluster(name=self.name, project_id=...)``; google 19.0.0's calls
  ``delete_cluster(name=self.cluster_name, project_id=...)`` and no longer accepts ``name``. Both are
  template fields.
"""

from __future__ import annotations

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.decisions import Action
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule

RENAMES: dict[str, dict[str, str]] = {
    "airflow.sensors.weekday.DayOfWeekSensor": {"use_task_execution_day": "use_task_logical_date"},
    "airflow.providers.google.cloud.operators.kubernetes_engine.GKEDeleteClusterOperator": {"name": "cluster_name"},
}


class RenamedSince20(Rule):
    code = "AM207"
    name = "param-renamed-since-2.0"
    summary = ("Keyword arguments renamed with the same meaning after Airflow 2.0 (use_task_execution_day -> "
               "use_task_logical_date, GKEDeleteClusterOperator name -> cluster_name), when the profile's class "
               "takes the new name.")
    interest = Interest(call_identities=frozenset(RENAMES))
    order = 21
    examples = (
        Example(
            title="a deprecated alias: the new name, no warning when the file loads",
            before=(
                "from airflow.contrib.sensors.weekday_sensor import DayOfWeekSensor\n"
                "s = DayOfWeekSensor(task_id='s', week_day='Monday', use_task_execution_day=True)\n"
            ),
            after=(
                "from airflow.sensors.weekday import DayOfWeekSensor\n"
                "s = DayOfWeekSensor(task_id='s', week_day='Monday', use_task_logical_date=True)\n"
            ),
        ),
        Example(
            title="the same cluster name under the provider's name for it",
            before=(
                "from airflow.contrib.operators.gcp_container_operator import GKEClusterDeleteOperator\n"
                "d = GKEClusterDeleteOperator(task_id='d', project_id='p', location='europe-west1-b',\n"
                "    name='batch-{{ ds_nodash }}')\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.kubernetes_engine import GKEDeleteClusterOperator\n"
                "d = GKEDeleteClusterOperator(task_id='d', project_id='p', location='europe-west1-b',\n"
                "    cluster_name='batch-{{ ds_nodash }}')\n"
            ),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None) -> cst.BaseExpression:
        if target is None or target.identity not in RENAMES:
            return call
        final = target.decision.new_qname if target.decision.action is Action.MOVE else target.identity
        accepted = ctx.profile.accepted_kwargs(final) or frozenset()
        class_name = final.rpartition(".")[2]
        for old, new in RENAMES[target.identity].items():
            if cstutil.kwarg(call, old) is None or new not in accepted:
                continue
            if cstutil.kwarg(call, new) is not None:
                ctx.todo(self.code, f"{class_name} gets both {old} and {new}; keep one ({new})")
                continue
            call = cstutil.rename_kwarg(call, old, new)
            ctx.change(self.code, f"{class_name}: {old} -> {new}")
        return call


RULES = (RenamedSince20,)
