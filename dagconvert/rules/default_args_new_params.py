"""AM210: a ``default_args`` key that Airflow 1.10 did not give a task, because its 1.10 class had no such
parameter, reaches the task in Airflow 2, whose class takes it.

How default_args reach a task, in both versions (1.10.15 ``apply_defaults``; 2.10.5
``BaseOperatorMeta._apply_defaults``): each wrapped ``__init__`` fills the parameters of its own signature that
the call does not pass from ``default_args``; other keys are ignored. So a key is harmless for a class without
that parameter, and reaches every class that has it. Some 2.x classes took on parameters their 1.10 ancestors
did not have (google 19.0.0's ``BigQueryToGCSOperator`` and ``BigQueryGetDataOperator`` take ``project_id``;
1.10's ``BigQueryToCloudStorageOperator``/``BigQueryGetDataOperator`` ran in the connection's project): a
``'project_id': '{{ var.value.gcp_project }}'`` in default_args, meant for other operators, now reaches them, and
where ``project_id`` is not a templated field the job goes to a project named by the template text.

For each operator call of a 1.10 class, the parameters 1.10 filled from default_args come from
dagconvert/tables/airflow_1_10_default_args_params.json (derived from the 1.10.15 wheel; an ``__init__`` 1.10 did
not decorate with ``apply_defaults`` got nothing from default_args), those its 2.x class's ``__init__`` chain has,
with their defaults, from the profile's inventory (``parameter_defaults``). A key the file's default_args set
(``cstutil.default_args_keys``) that the 2.x class has and the 1.10 class did not get, and that the converted
call does not pass, is passed in the call with the 2.x default when that default is a literal (None, a bool, a
number, a string, written as such in the provider): the task then behaves as in 1.10. Else (the default is
computed or configured, or the parameter is required) a TODO names the task and the key. A key the parameter
table renames *to* for this class (``bigquery_conn_id`` -> ``gcp_conn_id``) is AM208's when default_args also
set the old name; when they set only the new one the old default differed, so it is a TODO too. Calls that a
restructuring rule rewrote are checked as they came out (AM801 passes ``project_id=None`` itself). A file
whose default_args cannot be read gets one TODO, at its first such call.
"""

from __future__ import annotations

from functools import cache

import libcst as cst

from dagconvert import tables
from dagconvert.analysis import Interest
from dagconvert.decisions import Action
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule
from dagconvert.rules.param_changes import CONNECTION_MERGES

_UNREADABLE_KEY = "AM210:unreadable-reported"
BASE_OPERATOR = "airflow.models.baseoperator.BaseOperator"


@cache
def params_1_10(qname: str) -> frozenset[str] | None:
    """The parameters Airflow 1.10.15 filled from default_args for the class ``qname`` (its 1.10 path)."""
    table = tables.airflow_1_10_default_args_params()
    own = table["classes"].get(qname)
    return None if own is None else frozenset(table["base_operator"]) | frozenset(own)


@cache
def _base_1_10() -> frozenset[str]:
    """The parameters Airflow 1.10.15's BaseOperator filled from default_args (every task got them)."""
    return frozenset(tables.airflow_1_10_default_args_params()["base_operator"])


@cache
def _identities() -> frozenset[str]:
    moves = tables.import_moves()
    return frozenset((moves.get(q) or {}).get("to") or (moves.get(q) or {}).get("replacement") or q
                     for q in tables.airflow_1_10_default_args_params()["classes"])


@cache
def renamed_to(identity: str, replaced: bool) -> dict[str, frozenset[str]]:
    """2.x parameter -> the 1.10 names the parameter table (and AM204's merges) turn into it, for a class."""
    out: dict[str, set[str]] = {}
    for param, row in (tables.param_changes().get(identity) or {}).items():
        if row["to"] and (replaced or not row.get("for_replacement")):
            out.setdefault(row["to"], set()).add(param)
    merged = CONNECTION_MERGES.get(identity)
    if merged:
        out.setdefault("gcp_conn_id", set()).add(merged[0])
    return {k: frozenset(v) for k, v in out.items()}


def _final_class(ctx, call: cst.Call, target: CallTarget) -> str | None:
    """The 2.x class the converted call constructs, None when it is not converted (a TODO import)."""
    decision = target.decision
    if decision.action is Action.MOVE:
        return decision.new_qname
    if decision.action is Action.KEEP:
        return decision.identity
    if decision.action is Action.REPLACE and ctx.resolve(call.func) != target.qname:
        return decision.new_qname  # restructured: the call now builds the replacement
    return None


def _task(call: cst.Call, class_name: str) -> str:
    task_id = cstutil.kwarg(call, "task_id")
    value = cstutil.string_value(task_id.value) if task_id is not None else None
    return f"{class_name} {value!r}" if value else class_name


def _shown(names) -> str:
    names = sorted(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class DefaultArgsNewParams(Rule):
    code = "AM210"
    name = "default-args-new-params"
    summary = ("A default_args key that Airflow 1.10 did not give a task (its 1.10 class had no such parameter) "
               "but that its Airflow 2 class takes (project_id for BigQueryToGCSOperator, ...) is passed in the "
               "call with the Airflow 2 default when that is a literal, so the task behaves as in 1.10; else a "
               "TODO names the task and the key.")
    interest = Interest(call_identities=_identities())
    order = 90  # after the renames (20s) and the restructuring rules (80): it sees the call's 2.x keywords
    examples = (
        Example(
            title="project_id meant for other tasks: 1.10's BigQueryToCloudStorageOperator had none",
            before=(
                "from airflow import models\n"
                "from airflow.contrib.operators import bigquery_to_gcs\n"
                "default_dag_args = {'start_date': START, 'project_id': '{{ var.value.gcp_project }}'}\n"
                "with models.DAG('d', default_args=default_dag_args, schedule_interval=None) as dag:\n"
                "    export = bigquery_to_gcs.BigQueryToCloudStorageOperator(\n"
                "        task_id='export',\n"
                "        source_project_dataset_table='d.t',\n"
                "        destination_cloud_storage_uris=['gs://b/t.csv'],\n"
                "    )\n"
            ),
            after=(
                "from airflow import models\n"
                "from airflow.providers.google.cloud.transfers.bigquery_to_gcs import BigQueryToGCSOperator\n"
                "default_dag_args = {'start_date': START, 'project_id': '{{ var.value.gcp_project }}'}\n"
                "with models.DAG('d', default_args=default_dag_args, schedule=None) as dag:\n"
                "    export = BigQueryToGCSOperator(\n"
                "        task_id='export',\n"
                "        source_project_dataset_table='d.t',\n"
                "        destination_cloud_storage_uris=['gs://b/t.csv'],\n"
                "        project_id=None,\n"
                "    )\n"
            ),
        ),
        Example(
            title="the call passes the key itself, or the 1.10 class took it: nothing to do",
            before=(
                "from airflow import DAG\n"
                "from airflow.contrib.operators.bigquery_get_data import BigQueryGetDataOperator\n"
                "from airflow.contrib.operators.gcs_list_operator import GoogleCloudStorageListOperator\n"
                "ARGS = {'owner': 'data', 'project_id': 'acme', 'delimiter': '.csv'}\n"
                "with DAG('d', default_args=ARGS, schedule_interval=None) as dag:\n"
                "    rows = BigQueryGetDataOperator(task_id='rows', dataset_id='d', table_id='t', project_id='acme')\n"
                "    files = GoogleCloudStorageListOperator(task_id='files', bucket='b')\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.providers.google.cloud.operators.bigquery import BigQueryGetDataOperator\n"
                "from airflow.providers.google.cloud.operators.gcs import GCSListObjectsOperator\n"
                "ARGS = {'owner': 'data', 'project_id': 'acme', 'delimiter': '.csv'}\n"
                "with DAG('d', default_args=ARGS, schedule=None) as dag:\n"
                "    # TODO(airflow2): AM211 BigQueryGetDataOperator in Airflow 1.10 ignored project_id= (not one of "
                "its parameters; 1.10 only warned); Airflow 2's BigQueryGetDataOperator uses it: the task runs with "
                "project_id='acme', where 1.10 ran as if it were not given; without it Airflow 2 uses None; remove "
                "project_id= to keep the 1.10 behaviour\n"
                "    rows = BigQueryGetDataOperator(task_id='rows', dataset_id='d', table_id='t', project_id='acme')\n"
                "    files = GCSListObjectsOperator(task_id='files', bucket='b')\n"
            ),
            todos=("BigQueryGetDataOperator in Airflow 1.10 ignored project_id=",),  # AM211's, not this rule's
        ),
        Example(
            title="a configured default cannot be written down: TODO",
            before=(
                "from airflow import DAG\n"
                "from airflow.contrib.operators.bigquery_get_data import BigQueryGetDataOperator\n"
                "ARGS = {'owner': 'data', 'deferrable': True}\n"
                "with DAG('d', default_args=ARGS, schedule_interval=None) as dag:\n"
                "    rows = BigQueryGetDataOperator(task_id='rows', dataset_id='d', table_id='t')\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.providers.google.cloud.operators.bigquery import BigQueryGetDataOperator\n"
                "ARGS = {'owner': 'data', 'deferrable': True}\n"
                "with DAG('d', default_args=ARGS, schedule=None) as dag:\n"
                "    # TODO(airflow2): AM210 default_args set deferrable, which Airflow 1.10 did not give "
                "BigQueryGetDataOperator 'rows' (its 1.10 class had no such parameter) but which Airflow 2's "
                "BigQueryGetDataOperator takes: the task now gets default_args' value instead of its default "
                "(conf.getboolean('operators', 'default_deferrable', fallback=False)); pass deferrable=... in "
                "the call to keep 1.10's behaviour, or delete this TODO if the default_args value is meant\n"
                "    rows = BigQueryGetDataOperator(task_id='rows', dataset_id='d', table_id='t')\n"
            ),
            todos=("default_args set deferrable, which Airflow 1.10 did not give BigQueryGetDataOperator 'rows'",),
        ),
        Example(
            title="default_args imported from another module: which keys they set is unknown",
            before=(
                "from airflow import DAG\n"
                "from airflow.contrib.operators.bigquery_get_data import BigQueryGetDataOperator\n"
                "from common import ARGS\n"
                "with DAG('d', default_args=ARGS, schedule_interval=None) as dag:\n"
                "    rows = BigQueryGetDataOperator(task_id='rows', dataset_id='d', table_id='t')\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.providers.google.cloud.operators.bigquery import BigQueryGetDataOperator\n"
                "from common import ARGS\n"
                "with DAG('d', default_args=ARGS, schedule=None) as dag:\n"
                "    # TODO(airflow2): AM210 this file's default_args cannot be read statically (imported or "
                "computed): in Airflow 2 a default_args key reaches every task whose class takes it, and some "
                "classes here take parameters their 1.10 classes did not get from default_args (first: "
                "BigQueryGetDataOperator 'rows': as_dict, deferrable, encryption_configuration, gcp_conn_id, ...); if "
                "default_args set one of them, pass its default in the call where 1.10 did not apply it\n"
                "    rows = BigQueryGetDataOperator(task_id='rows', dataset_id='d', table_id='t')\n"
            ),
            todos=("this file's default_args cannot be read statically",),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None) -> cst.BaseExpression:
        if target is None:
            return call
        keys = cstutil.default_args_keys(ctx)
        if keys is not None and keys <= _base_1_10():
            return call  # only BaseOperator parameters, which 1.10 gave every task: nothing new can reach it
        before = params_1_10(target.qname)
        final = _final_class(ctx, call, target) if before is not None else None
        defaults = ctx.profile.parameter_defaults(final) if final else None
        if defaults is None:
            return call
        base = ctx.profile.parameter_defaults(BASE_OPERATOR) or {}
        new = sorted(set(defaults) - before, key=lambda k: (k in base, k))  # the class's own first
        if not new:
            return call
        class_name = final.rpartition(".")[2]
        task = _task(call, class_name)
        if keys is None:
            return self._unreadable(ctx, call, task, new)
        passed = {a.keyword.value for a in call.args if a.keyword is not None}
        reaching = [k for k in new if k in keys and k not in passed]
        if not reaching:
            return call
        if any(a.star == "**" or (a.keyword is None and not a.star) for a in call.args):
            ctx.todo(self.code, f"default_args set {_shown(reaching)}, which Airflow 1.10 did not give {task} but "
                                f"Airflow 2's {class_name} takes, and the call passes arguments by position or "
                                f"**: pass each of them in the call (its default, to keep 1.10's behaviour)")
            return call
        replaced = target.decision.action is Action.REPLACE
        renames = renamed_to(target.identity, replaced)
        inserts: list[cst.Arg] = []
        for key in reaching:
            old = renames.get(key, frozenset())
            if old & keys:
                continue  # AM208 renames the old key in default_args: the value the task got in 1.10
            default = defaults[key]
            if old:
                ctx.todo(self.code, f"default_args set {key}, which Airflow 1.10 did not give {task} (its 1.10 "
                                    f"class took {_shown(old)} instead, with its own default) but which Airflow "
                                    f"2's {class_name} takes: the task now gets default_args' value; pass its "
                                    f"1.10 {_shown(old)} value as {key}=... in the call to keep 1.10's behaviour, "
                                    f"or delete this TODO if the default_args value is meant")
            elif isinstance(default, dict):
                what = f"which {class_name} requires" if default.get("required") else \
                    f"instead of its default ({default.get('not_literal')})"
                ctx.todo(self.code, f"default_args set {key}, which Airflow 1.10 did not give {task} (its 1.10 "
                                    f"class had no such parameter) but which Airflow 2's {class_name} takes: the "
                                    f"task now gets default_args' value {what}; pass {key}=... in the call to "
                                    f"keep 1.10's behaviour, or delete this TODO if the default_args value is meant")
            else:
                inserts.append(cstutil.render_argument(ctx, call, key, default))
                ctx.change(self.code, f"{key}={default!r} passed to {task}: default_args set {key}, which Airflow "
                                      f"1.10 did not give its class, and Airflow 2's {class_name} takes it")
        if not inserts:
            return call
        return call.with_changes(args=cstutil.rebuild_args(call, insert=inserts))

    def _unreadable(self, ctx, call: cst.Call, task: str, new: list[str]) -> cst.Call:
        """One TODO per file whose default_args cannot be read, at the first call that may be concerned (and
        whose statement has no TODO saying so already)."""
        if ctx.analysis.memo.get(_UNREADABLE_KEY):
            return call
        if ctx.frames and any("default_args cannot be read" in t for t in ctx.frames[-1].todos):
            return call  # a restructuring rule already says so here: the next call gets this one
        ctx.analysis.memo[_UNREADABLE_KEY] = True
        passed = {a.keyword.value for a in call.args if a.keyword is not None}
        shown = [k for k in new if k not in passed]
        listed = ", ".join(shown[:4]) + (", ..." if len(shown) > 4 else "")
        ctx.todo(self.code, f"this file's default_args cannot be read statically (imported or computed): in "
                            f"Airflow 2 a default_args key reaches every task whose class takes it, and some "
                            f"classes here take parameters their 1.10 classes did not get from default_args "
                            f"(first: {task}: {listed}); if default_args set one of them, pass its default in "
                            f"the call where 1.10 did not apply it")
        return call


RULES = (DefaultArgsNewParams,)
