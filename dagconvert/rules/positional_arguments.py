"""AM403: operators called with positional arguments (rules.md section 6 rule 12).

Airflow 2 operators take keyword arguments only (``BaseOperatorMeta``: "Use keyword arguments when initializing
operators"). Note that Airflow 1.10 rejected them as well: its ``apply_defaults`` decorator, on every operator's
``__init__`` including ``BaseOperator``'s, raised the same AirflowException for any positional argument
(1.10.15 ``utils/decorators.py``: ``if len(args) > 1``, ``self`` included). So such a call never ran on 1.10 (dead
code, or a file that did not load): there is no 1.10 behaviour to keep, only Python's binding to read.

The rule names each positional argument after the parameter Python binds it to in 1.10.15: the operator's own
parameters, then ``BaseOperator``'s (each operator passes ``*args`` up). It does so only when that binding
gives the task a ``task_id`` (``DummyOperator('start')``, ``BashOperator('make all', task_id='build')``);
``BashOperator('build', 'make all')`` binds ``'build'`` to ``bash_command``, which is surely not what was
meant, so it is a TODO.
"""

from __future__ import annotations

import ast

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule

# 1.10.15 BaseOperator.__init__ parameters, in order (models/baseoperator.py).
BASE_OPERATOR = (
    "task_id", "owner", "email", "email_on_retry", "email_on_failure", "retries", "retry_delay",
    "retry_exponential_backoff", "max_retry_delay", "start_date", "end_date", "schedule_interval",
    "depends_on_past", "wait_for_downstream", "dag", "params", "default_args", "priority_weight", "weight_rule",
    "queue", "pool", "pool_slots", "sla", "execution_timeout", "on_failure_callback", "on_success_callback",
    "on_retry_callback", "trigger_rule", "resources", "run_as_user", "task_concurrency", "executor_config",
    "do_xcom_push", "inlets", "outlets",
)
_PYTHON = ("python_callable", "op_args", "op_kwargs", "provide_context", "templates_dict", "templates_exts")

# Airflow 2 identity -> the 1.10.15 class's own __init__ parameters, in order (they end with *args, **kwargs).
OWN_PARAMETERS = {
    "airflow.operators.bash.BashOperator": ("bash_command", "xcom_push", "env", "output_encoding"),
    "airflow.operators.python.PythonOperator": _PYTHON,
    "airflow.operators.python.BranchPythonOperator": _PYTHON,
    "airflow.operators.python.ShortCircuitOperator": _PYTHON,
    "airflow.operators.python.PythonVirtualenvOperator": (
        "python_callable", "requirements", "python_version", "use_dill", "system_site_packages", "op_args",
        "op_kwargs", "provide_context", "string_args", "templates_dict", "templates_exts"),
    "airflow.operators.email.EmailOperator": (
        "to", "subject", "html_content", "files", "cc", "bcc", "mime_subtype", "mime_charset"),
    "airflow.operators.trigger_dagrun.TriggerDagRunOperator": ("trigger_dag_id", "python_callable", "execution_date"),
    "airflow.operators.empty.EmptyOperator": (),
}


class PositionalOperatorArguments(Rule):
    code = "AM403"
    name = "positional-operator-arguments"
    summary = ("Positional arguments of core operators become keyword arguments by 1.10.15's parameter order, "
               "when that binding names the task_id (Airflow 1.10 and 2 both reject positional arguments).")
    # only calls that pass something positionally (an argument or *args), not every operator call
    interest = Interest(node_types=(ast.Call,), node_filter=lambda analysis, call: bool(call.args) and (
        (qname := analysis.resolve(call.func)) is not None and analysis.identity_of(qname) in OWN_PARAMETERS))
    order = 15  # before the renames of the parameters it names (xcom_push, provide_context, python_callable)
    examples = (
        Example(
            title="the task_id first, as DummyOperator's binding has it",
            before=(
                "from airflow.operators.dummy_operator import DummyOperator\n"
                "start = DummyOperator('start', dag=dag)\n"
            ),
            after=(
                "from airflow.operators.empty import EmptyOperator\n"
                "start = EmptyOperator(task_id='start', dag=dag)\n"
            ),
        ),
        Example(
            title="the command first, with the task_id by keyword",
            before=(
                "from airflow.operators.bash_operator import BashOperator\n"
                "build = BashOperator('make all', task_id='build', dag=dag)\n"
            ),
            after=(
                "from airflow.operators.bash import BashOperator\n"
                "build = BashOperator(bash_command='make all', task_id='build', dag=dag)\n"
            ),
        ),
        Example(
            title="a binding that leaves no task_id: TODO",
            before=(
                "from airflow.operators.bash_operator import BashOperator\n"
                "build = BashOperator('build', 'make all', dag=dag)\n"
            ),
            after=(
                "from airflow.operators.bash import BashOperator\n"
                "# TODO(airflow2): AM403 BashOperator takes keyword arguments only (Airflow 1.10 rejected positional "
                "ones too, so this call never ran): by 1.10.15's signature they would be bash_command, xcom_push and "
                "no task_id is given; pass each argument by keyword\n"
                "build = BashOperator('build', 'make all', dag=dag)\n"
            ),
            todos=("takes keyword arguments only",),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        own = OWN_PARAMETERS.get(target.identity) if target is not None else None
        positional = cstutil.positional_args(call)
        star = any(a.star == "*" for a in call.args)
        if own is None or not (positional or star):
            return call
        params = (*own, *BASE_OPERATOR)
        class_name = target.identity.rpartition(".")[2]
        bound = cstutil.bind_arguments(call, params, strict=False)
        names = params[:len(positional)]
        why = ""
        if star:
            why = "*args hides which parameters its items would bind to"
        elif bound is None:
            why = ("**kwargs hides the keywords" if cstutil.has_star_args(call) else
                   f"by 1.10.15's signature they would be {', '.join(names)}, which the call also passes by keyword"
                   if len(positional) <= len(params) else "there are more than 1.10.15's signature takes")
        elif "task_id" not in bound:
            why = f"by 1.10.15's signature they would be {', '.join(names)} and no task_id is given"
        if why:
            ctx.todo(self.code, f"{class_name} takes keyword arguments only (Airflow 1.10 rejected positional ones "
                                f"too, so this call never ran): {why}; pass each argument by keyword")
            return call
        ctx.change(self.code, f"{class_name}: positional arguments passed by keyword ({', '.join(names)}), as "
                              f"1.10.15's signature binds them (1.10 rejected them too: this call never ran)")
        return cstutil.replace_args(call, {id(a): [cstutil.keyword_arg(a, name)] for a, name in zip(positional, names)})


RULES = (PositionalOperatorArguments,)
