"""AM211: a keyword argument Airflow 1.10 ignored (the 1.10 class had no such parameter) that the Airflow 2 class
uses.

Airflow 1.10.15's ``BaseOperator.__init__`` took ``*args, **kwargs`` and, when anything was left in them, only
warned ("Invalid arguments were passed to X (task_id: ...). Support for passing such arguments will be dropped
in Airflow 2.0. Invalid arguments were: ...", a PendingDeprecationWarning) and dropped it. Airflow 2 rejects a
keyword its class does not take (AM203); but when the 2.x class *does* take a keyword its 1.10 class did not, the
converted DAG loads fine and silently starts using a value 1.10 threw away. Google's Composer sample
relationship_parent passes ``TriggerDagRunOperator(conf={...})``: 1.10.15's operator had no ``conf`` (only a
``python_callable`` could set a payload), so the triggered runs got no conf; Airflow 2 passes it on.

What each 1.10 class accepted comes from dagconvert/tables/airflow_1_10_default_args_params.json
(``tables.airflow_1_10_accepted_kwargs``: every name an ``__init__`` of its chain up to BaseOperator's takes or
reads out of ``**kwargs``, derived from the 1.10.15 wheel; classes that may use any keyword are not described),
what the 2.x class accepts from the profile's inventory (``accepted_kwargs``). A keyword the author wrote that the
first set lacks and the second has gets a TODO saying what Airflow 2 does with it; the rule does not remove it
(the author wrote it, perhaps for Airflow 2 already: a person decides). Nothing is said when the value is the
literal the 2.x parameter defaults to (passing it changes nothing).

The rule runs first on a call (it sees the keywords as written). Keywords another rule handles are left to it:
the parameter table's renames and removals (AM201), AM204's connection merges, ``provide_context`` (AM202) and
``conf=`` next to a ``python_callable=`` other than None (AM601/AM603: the callable's payload was the conf).
Calls a rule restructures into another class (REPLACE decisions), classes not converted (TODO) and what
``**kwargs`` may hold are not looked at. A parameter-table rename whose old name the 1.10 class did not take
(``presto_conn_id`` -> ``conn_id`` applies to every class that became ``SQLCheckOperator``, 1.10's
``CheckOperator`` included, which had no ``presto_conn_id``) is the table's to restrict, not this rule's.
"""

from __future__ import annotations

import ast

import libcst as cst

from dagconvert import tables
from dagconvert.analysis import Analysis, Interest
from dagconvert.decisions import Action
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule
from dagconvert.rules.kubernetes_pod import POD_OPERATORS

TRIGGER = "airflow.operators.trigger_dagrun.TriggerDagRunOperator"
_DOC = "Airflow 2 shows it in the UI as the task's documentation"
# What the 2.x class does with a keyword, where more can be said than "the task runs with it":
# (2.x class or "*" for any, keyword) -> text.
EFFECTS = {
    (TRIGGER, "conf"): ("the DAG run it triggers gets this conf (dag_run.conf); 1.10 triggered it with no conf "
                        "(None: without a python_callable to set a payload there was none)"),
    ("*", "doc"): _DOC, ("*", "doc_md"): _DOC, ("*", "doc_json"): _DOC, ("*", "doc_rst"): _DOC,
    ("*", "doc_yaml"): _DOC,
}


def _kpo_finish_action(ctx, call: cst.Call, value: cst.BaseExpression) -> tuple[str, str] | None:
    """1.10.15's KubernetesPodOperator deleted the pod when it reached its final state iff
    ``is_delete_operator_pod`` (default False, fillable from default_args; AM707 turns it into
    ``on_finish_action``): (what 1.10 did, what to pass instead), None when ``value`` does what 1.10 did."""
    given = cstutil.kwarg(call, "is_delete_operator_pod")
    if given is None:
        keys = cstutil.default_args_keys(ctx)
        if keys is None or "is_delete_operator_pod" in keys:
            did = "1.10 deleted the pod or kept it as default_args' is_delete_operator_pod said (AM707 turns that " \
                  "into their on_finish_action)"
            return did, "remove on_finish_action="
        wanted, did = "keep_pod", "1.10 kept the pod (is_delete_operator_pod defaulted to False)"
    else:
        flag = cstutil.literal(given.value)
        if not isinstance(flag, bool):
            code = " ".join(cstutil.code_of(given.value).split())
            return (f"1.10 deleted the pod when {code} was true (is_delete_operator_pod={code})",
                    f"pass on_finish_action='delete_pod' if {code} else 'keep_pod' instead")
        wanted = "delete_pod" if flag else "keep_pod"
        did = f"1.10 {'deleted the pod once it finished' if flag else 'kept the pod'} (is_delete_operator_pod={flag})"
    if _same(cstutil.literal(value), wanted):
        return None
    return f"{did}, which is on_finish_action={wanted!r}", f"pass on_finish_action={wanted!r} instead"


# (2.x class, keyword) -> fn(ctx, call, value) for a keyword whose 1.10 behaviour another argument decided: None
# when the value written does what 1.10 did (no TODO), else (what 1.10 did, what to do instead).
EQUIVALENTS = {(identity, "on_finish_action"): _kpo_finish_action for identity in POD_OPERATORS}


def _owned_by_other_rules(identity: str, call: cst.Call) -> frozenset[str]:
    """Keywords of this call that another rule renames, removes or leaves a TODO about."""
    from dagconvert.rules.param_changes import CONNECTION_MERGES

    owned = {"provide_context"}  # AM202
    owned |= set(tables.param_changes().get(identity) or {})  # AM201 (and the restructuring rules' rows)
    merged = CONNECTION_MERGES.get(identity)
    if merged:  # AM204
        owned |= {merged[0], *merged[1]}
    callable_arg = cstutil.kwarg(call, "python_callable") if identity == TRIGGER else None
    if callable_arg is not None and not cstutil.is_none(callable_arg.value):
        owned.add("conf")  # AM601/AM603: the payload the callable set was the run's conf
    return frozenset(owned)


def _may_flag(analysis: Analysis, node: ast.AST) -> bool:
    """Pre-pass filter: a call of a described 1.10 class passing a keyword that class did not accept."""
    if not node.keywords:
        return False
    qname = analysis.resolve(node.func)
    accepted = tables.airflow_1_10_accepted_kwargs(qname) if qname else None
    return accepted is not None and any(k.arg is not None and k.arg not in accepted for k in node.keywords)


def _final_class(decision) -> str | None:
    """The 2.x class a converted call of a MOVE/KEEP decision constructs (None: restructured or not converted)."""
    if decision.action is Action.MOVE:
        return decision.new_qname
    if decision.action is Action.KEEP:
        return decision.identity
    return None


def _effect(final: str, param: str, value: cst.BaseExpression, default) -> str:
    known = EFFECTS.get((final, param)) or EFFECTS.get(("*", param))
    if known:
        return known
    without = f"; without it Airflow 2 uses {default!r}" if _is_literal_default(default) else ""
    return f"the task runs with {param}={_shown(value)}, where 1.10 ran as if it were not given{without}"


def _shown(value: cst.BaseExpression) -> str:
    shown = " ".join(cstutil.code_of(value).split())
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _is_literal_default(default) -> bool:
    return default is None or isinstance(default, (bool, int, float, str))


class ArgumentIgnoredIn110(Rule):
    code = "AM211"
    name = "argument-ignored-in-1-10"
    summary = ("A keyword argument the 1.10 operator class did not take (1.10 warned and ignored it) that the "
               "Airflow 2 class takes and uses (TriggerDagRunOperator(conf=...)) gets a TODO saying what changes; "
               "it is not removed: a person decides.")
    interest = Interest(node_types=(ast.Call,), node_filter=_may_flag)
    order = 5  # first: it sees the keywords the author wrote, before any rule renames or adds one
    examples = (
        Example(
            title="conf= on 1.10's TriggerDagRunOperator: ignored then, passed to the triggered run now",
            before=(
                "from airflow.operators.dagrun_operator import TriggerDagRunOperator\n"
                "trigger = TriggerDagRunOperator(task_id='trigger', trigger_dag_id='target', "
                "conf={'message': 'Hello World'})\n"
            ),
            after=(
                "from airflow.operators.trigger_dagrun import TriggerDagRunOperator\n"
                "# TODO(airflow2): AM211 TriggerDagRunOperator in Airflow 1.10 ignored conf= (not one of its "
                "parameters; 1.10 only warned); Airflow 2's TriggerDagRunOperator uses it: the DAG run it triggers "
                "gets this conf (dag_run.conf); 1.10 triggered it with no conf (None: without a python_callable to "
                "set a payload there was none); remove conf= to keep the 1.10 behaviour\n"
                "trigger = TriggerDagRunOperator(task_id='trigger', trigger_dag_id='target', "
                "conf={'message': 'Hello World'})\n"
            ),
            todos=("TriggerDagRunOperator in Airflow 1.10 ignored conf=",),
        ),
        Example(
            title="a parameter the provider added since: the task now runs with it",
            before=(
                "from airflow.contrib.operators.gcs_list_operator import GoogleCloudStorageListOperator\n"
                "files = GoogleCloudStorageListOperator(task_id='files', bucket='b', match_glob='**/*.csv')\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.gcs import GCSListObjectsOperator\n"
                "# TODO(airflow2): AM211 GoogleCloudStorageListOperator in Airflow 1.10 ignored match_glob= (not "
                "one of its parameters; 1.10 only warned); Airflow 2's GCSListObjectsOperator uses it: the task "
                "runs with match_glob='**/*.csv', where 1.10 ran as if it were not given; without it Airflow 2 uses "
                "None; remove match_glob= to keep the 1.10 behaviour\n"
                "files = GCSListObjectsOperator(task_id='files', bucket='b', match_glob='**/*.csv')\n"
            ),
            todos=("ignored match_glob=",),
        ),
        Example(
            title="a keyword whose 1.10 behaviour another argument decided: the TODO names the value that keeps it",
            before=(
                "from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator\n"
                "job = KubernetesPodOperator(task_id='job', name='job', image='gcr.io/p/job:1.0',\n"
                "    is_delete_operator_pod=True, on_finish_action='delete_succeeded_pod')\n"
            ),
            after=(
                "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
                "# TODO(airflow2): AM211 KubernetesPodOperator in Airflow 1.10 ignored on_finish_action= (not one of "
                "its parameters; 1.10 only warned); Airflow 2's KubernetesPodOperator uses it: the task runs with "
                "on_finish_action='delete_succeeded_pod'; 1.10 deleted the pod once it finished "
                "(is_delete_operator_pod=True), which is on_finish_action='delete_pod'; pass "
                "on_finish_action='delete_pod' instead to keep the 1.10 behaviour\n"
                "job = KubernetesPodOperator(task_id='job', name='job', image='gcr.io/p/job:1.0',\n"
                "    on_finish_action='delete_succeeded_pod')\n"
            ),
            todos=("ignored on_finish_action=",),
        ),
        Example(
            title="nothing to say: 1.10 took the keyword, the value is Airflow 2's default, or another rule owns it",
            before=(
                "from airflow.operators.dagrun_operator import TriggerDagRunOperator\n"
                "from airflow.operators.bash_operator import BashOperator\n"
                "a = TriggerDagRunOperator(task_id='a', trigger_dag_id='target', execution_date='{{ ds }}')\n"
                "b = BashOperator(task_id='b', bash_command='make', cwd=None)\n"
                "c = BashOperator(task_id='c', bash_command='make', provide_context=True)\n"
            ),
            after=(
                "from airflow.operators.trigger_dagrun import TriggerDagRunOperator\n"
                "from airflow.operators.bash import BashOperator\n"
                "a = TriggerDagRunOperator(task_id='a', trigger_dag_id='target', logical_date='{{ ds }}')\n"
                "b = BashOperator(task_id='b', bash_command='make', cwd=None)\n"
                "c = BashOperator(task_id='c', bash_command='make')\n"
            ),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None) -> cst.BaseExpression:
        if target is None:
            return call
        accepted_1_10 = tables.airflow_1_10_accepted_kwargs(target.qname)
        final = _final_class(target.decision)
        accepted = ctx.profile.accepted_kwargs(final) if final else None
        if accepted_1_10 is None or accepted is None:
            return call
        defaults = ctx.profile.parameter_defaults(final) or {}
        owned = _owned_by_other_rules(target.identity, call)
        old_name, new_name = target.qname.rpartition(".")[2], final.rpartition(".")[2]
        for arg in call.args:
            param = arg.keyword.value if arg.keyword is not None else None
            if param is None or param in accepted_1_10 or param not in accepted or param in owned:
                continue  # positional or **kwargs, taken by 1.10, rejected by 2.x (AM203), or another rule's
            default = defaults.get(param, {"required": True})
            value = cstutil.literal(arg.value)
            known = EQUIVALENTS.get((target.identity, param))
            if known is not None:
                said = known(ctx, call, arg.value)
                if said is None:
                    continue  # what 1.10 did anyway
                effect, fix = f"the task runs with {param}={_shown(arg.value)}; {said[0]}", said[1]
            elif _is_literal_default(default) and _same(value, default):
                continue  # Airflow 2's default: passing it changes nothing
            else:
                effect, fix = _effect(final, param, arg.value, default), f"remove {param}="
            ctx.todo(self.code, f"{old_name} in Airflow 1.10 ignored {param}= (not one of its parameters; 1.10 only "
                                f"warned); Airflow 2's {new_name} uses it: {effect}; {fix} to keep the 1.10 behaviour")
        return call


def _same(value, literal) -> bool:
    return type(value) is type(literal) and value == literal


RULES = (ArgumentIgnoredIn110,)
