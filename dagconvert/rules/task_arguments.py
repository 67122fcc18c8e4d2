"""AM305-AM308: task-level arguments Airflow 2 renamed or removed (rules.md section 6)."""

from __future__ import annotations

import re

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule

TRIGGER_RULE_RENAMES = {"dummy": "always", "none_failed_or_skipped": "none_failed_min_one_success"}
TRIGGER_RULE_MEMBERS = {"DUMMY": "ALWAYS", "NONE_FAILED_OR_SKIPPED": "NONE_FAILED_MIN_ONE_SUCCESS"}
TRIGGER_RULE_CLASS = "airflow.utils.trigger_rule.TriggerRule"


class TaskConcurrency(Rule):
    code = "AM305"
    name = "task-concurrency"
    summary = "task_concurrency -> max_active_tis_per_dag, in operator calls and default_args dicts."
    interest = Interest(keywords=frozenset({"task_concurrency"}), strings=re.compile(r"^task_concurrency$"))
    order = 40
    examples = (
        Example(
            before=("from airflow.operators.bash_operator import BashOperator\n"
                    "args = {'owner': 'x', 'task_concurrency': 2}\n"
                    "t = BashOperator(task_id='t', bash_command='true', task_concurrency=1)\n"),
            after=("from airflow.operators.bash import BashOperator\n"
                   "args = {'owner': 'x', 'max_active_tis_per_dag': 2}\n"
                   "t = BashOperator(task_id='t', bash_command='true', max_active_tis_per_dag=1)\n"),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if cstutil.kwarg(call, "task_concurrency") is None or not ctx.profile.airflow_at_least("2.2"):
            return call
        ctx.change(self.code, "task_concurrency -> max_active_tis_per_dag")
        return cstutil.rename_kwarg(call, "task_concurrency", "max_active_tis_per_dag")

    def leave_dict(self, ctx, node: cst.Dict):
        changed = False
        elements = []
        for e in node.elements:
            if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString) and \
                    cstutil.literal(e.key) == "task_concurrency":
                quote = e.key.value[0]
                e = e.with_changes(key=cst.SimpleString(f"{quote}max_active_tis_per_dag{quote}"))
                changed = True
            elements.append(e)
        if not changed:
            return node
        ctx.change(self.code, "default_args: 'task_concurrency' -> 'max_active_tis_per_dag'")
        return node.with_changes(elements=elements)


class TriggerRuleRenamed(Rule):
    code = "AM306"
    name = "trigger-rule-renamed"
    summary = ("trigger_rule 'dummy' -> 'always' and 'none_failed_or_skipped' -> 'none_failed_min_one_success' "
               "(strings and TriggerRule members).")
    interest = Interest(keywords=frozenset({"trigger_rule"}),
                        names=frozenset(f"{TRIGGER_RULE_CLASS}.{m}" for m in TRIGGER_RULE_MEMBERS))
    order = 41
    examples = (
        Example(
            before=("from airflow.operators.dummy_operator import DummyOperator\n"
                    "from airflow.utils.trigger_rule import TriggerRule\n"
                    "a = DummyOperator(task_id='a', trigger_rule='none_failed_or_skipped')\n"
                    "b = DummyOperator(task_id='b', trigger_rule=TriggerRule.DUMMY)\n"),
            after=("from airflow.operators.empty import EmptyOperator\n"
                   "from airflow.utils.trigger_rule import TriggerRule\n"
                   "a = EmptyOperator(task_id='a', trigger_rule='none_failed_min_one_success')\n"
                   "b = EmptyOperator(task_id='b', trigger_rule=TriggerRule.ALWAYS)\n"),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        arg = cstutil.kwarg(call, "trigger_rule")
        if arg is None:
            return call
        new_value = self._renamed(ctx, arg.value)
        if new_value is None:
            return call
        return call.with_changes(args=[a.with_changes(value=new_value) if a is arg else a for a in call.args])

    def _renamed(self, ctx, value: cst.BaseExpression) -> cst.BaseExpression | None:
        if isinstance(value, cst.SimpleString):
            old = cstutil.literal(value)
            if old in TRIGGER_RULE_RENAMES:
                new = TRIGGER_RULE_RENAMES[old]
                ctx.change(self.code, f"trigger_rule '{old}' -> '{new}'")
                quote = value.value[0]
                return cst.SimpleString(f"{quote}{new}{quote}")
        elif isinstance(value, cst.Attribute):
            qname = ctx.resolve(value)
            member = value.attr.value
            if qname == f"{TRIGGER_RULE_CLASS}.{member}" and member in TRIGGER_RULE_MEMBERS:
                new = TRIGGER_RULE_MEMBERS[member]
                ctx.change(self.code, f"TriggerRule.{member} -> TriggerRule.{new}")
                return value.with_changes(attr=cst.Name(new))
        return None




class OperatorScheduleInterval(Rule):
    code = "AM307"
    name = "operator-schedule-interval"
    summary = ("schedule_interval passed to an operator had no effect in 1.10 and is an invalid argument in "
               "Airflow 2: removed (the DAG's schedule is what schedules).")
    interest = Interest(keywords=frozenset({"schedule_interval"}))
    order = 42
    examples = (
        Example(
            before=("from airflow.operators.bash_operator import BashOperator\n"
                    "t = BashOperator(task_id='t', bash_command='true', schedule_interval='@daily')\n"),
            after=("from airflow.operators.bash import BashOperator\n"
                   "t = BashOperator(task_id='t', bash_command='true')\n"),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if target is None or target.identity == "airflow.models.dag.DAG":
            return call
        if cstutil.kwarg(call, "schedule_interval") is None or not _is_operator(target.identity):
            return call
        ctx.change(self.code, f"{target.identity.rpartition('.')[2]}: removed schedule_interval (tasks have none)")
        return cstutil.remove_kwarg(call, "schedule_interval")


class SubDagExecutor(Rule):
    code = "AM308"
    name = "subdag-executor"
    summary = ("SubDagOperator(executor=...) is gone: Airflow 2 runs a SubDAG through the scheduler, and the "
               "argument must be removed (an executor object is rejected).")
    interest = Interest(call_identities=frozenset({"airflow.operators.subdag.SubDagOperator"}))
    order = 43
    examples = (
        Example(
            before=("from airflow.operators.subdag_operator import SubDagOperator\n"
                    "from airflow.executors.sequential_executor import SequentialExecutor\n"
                    "s = SubDagOperator(task_id='s', subdag=make(), executor=SequentialExecutor())\n"),
            after=("from airflow.operators.subdag import SubDagOperator\n"
                   "from airflow.executors.sequential_executor import SequentialExecutor\n"
                   "# TODO(airflow2): AM404 SubDagOperator was not converted to a TaskGroup (Airflow 2 deprecates "
                   "it): make() is not a function defined at the top of this file: convert by hand\n"
                   "s = SubDagOperator(task_id='s', subdag=make())\n"),
            todos=("not converted to a TaskGroup",),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if target is None or target.identity != "airflow.operators.subdag.SubDagOperator":
            return call
        if cstutil.kwarg(call, "executor") is None:
            return call
        ctx.change(self.code, "SubDagOperator: removed executor (the scheduler runs SubDAGs in Airflow 2)")
        return cstutil.remove_kwarg(call, "executor")


def _is_operator(identity: str) -> bool:
    return any(part in identity for part in (".operators.", ".sensors.", ".transfers.")) or identity.endswith(
        ("Operator", "Sensor"))


RULES = (TaskConcurrency, TriggerRuleRenamed, OperatorScheduleInterval, SubDagExecutor)
