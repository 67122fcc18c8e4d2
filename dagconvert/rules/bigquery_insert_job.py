"""AM801/AM802: BigQuery operators the google provider removed in favour of classes that take the BigQuery
API's own resource dicts (rules.md section 3).

AM801 ``BigQueryOperator`` (2.0 name ``BigQueryExecuteQueryOperator``, removed in google 11.0.0) becomes
``BigQueryInsertJobOperator(configuration={"query": {...}})``. The configuration is built the way Airflow
1.10.15's ``BigQueryBaseCursor.run_query`` built it from the operator's arguments (the same mapping the 2.0
provider kept in ``BigQueryHook.run_query``), with 1.10's defaults written out: ``useLegacySql: True``,
``priority: 'INTERACTIVE'`` and, with a destination table, ``writeDisposition: 'WRITE_EMPTY'``,
``createDisposition: 'CREATE_IF_NEEDED'``, ``allowLargeResults: False``.

``destination_dataset_table`` becomes ``destinationTable {projectId, datasetId, tableId}`` where the file spells
out its project (``project.dataset.table``, ``project:dataset.table``, also built from constants). Where the
split is only known at run time (no project: 1.10 used the connection's; a Jinja template; a computed name),
the name goes into the templated configuration as it is written, and a ``pre_execute`` the rule adds once per
file (``ctx.require_definition``) splits the rendered name when the task runs, as 1.10.15's
``_split_tablename`` did, filling a missing project the way the new class picks the job's project (its
``project_id``, else its connection's); a name 1.10 could not split fails the task with the name. A
``project_id`` in default_args, which 1.10's BigQueryOperator did not take, is overridden with ``project_id=None``
so that the job runs in the connection's project, as in 1.10.

AM802 ``BigQueryCreateEmptyTableOperator`` (removed in google 17.0.0) becomes ``BigQueryCreateTableOperator``
with the table resource 1.10.15's ``create_empty_table`` sent, and ``if_exists='fail'`` (1.10 failed when the
table existed; the new default only logs).

Arguments the new classes do not take that the file's default_args set (1.10 applied them) move into the
call (``cstutil.check_default_args``); a computed table name is split when it is built from literals,
module-level constants and loop variables over constant lists (``cstutil.string_parts``).

The connection default is left to the new class (``google_cloud_default``, not 1.10's ``bigquery_default``):
Airflow 2.0 normalised every Google operator on it (RN2.0.0), and the drop-in BigQuery operators of the same
DAG use it too.
"""

from __future__ import annotations

import ast
import re
import textwrap
from typing import ClassVar

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, RestructuringRule
from dagconvert.rules.cstutil import Code, Unconvertible

BQ = "airflow.providers.google.cloud.operators.bigquery"
QUERY_OPERATOR = f"{BQ}.BigQueryExecuteQueryOperator"
INSERT_JOB = f"{BQ}.BigQueryInsertJobOperator"
EMPTY_TABLE = f"{BQ}.BigQueryCreateEmptyTableOperator"
CREATE_TABLE = f"{BQ}.BigQueryCreateTableOperator"

# 1.10 argument -> key of configuration["query"], in the order the configuration is written; the argument
# is left out when it is None, {} or () (what run_query skipped), else 1.10's default is written out.
QUERY_KEYS = (
    ("use_legacy_sql", "useLegacySql", True),
    ("priority", "priority", "INTERACTIVE"),
    ("query_params", "queryParameters", None),
    ("udf_config", "userDefinedFunctionResources", None),
    ("maximum_billing_tier", "maximumBillingTier", None),
    ("maximum_bytes_billed", "maximumBytesBilled", None),
    ("time_partitioning", "timePartitioning", None),
    ("schema_update_options", "schemaUpdateOptions", None),
)
# Only sent with a destination table (run_query added them when it set destinationTable).
DESTINATION_KEYS = (
    ("write_disposition", "writeDisposition", "WRITE_EMPTY"),
    ("create_disposition", "createDisposition", "CREATE_IF_NEEDED"),
    ("allow_large_results", "allowLargeResults", False),
    ("flatten_results", "flattenResults", None),
)
QUERY_ARGS = frozenset({
    "sql", "bql", "destination_dataset_table", "udf_config", "use_legacy_sql", "maximum_billing_tier",
    "maximum_bytes_billed", "schema_update_options", "query_params", "labels", "priority", "time_partitioning",
    "api_resource_configs", "cluster_fields", "encryption_configuration", "write_disposition",
    "create_disposition", "allow_large_results", "flatten_results", "delegate_to",
})
QUERY_KNOWN = QUERY_ARGS | {"bigquery_conn_id", "gcp_conn_id", "location", "impersonation_chain"}
# Templated in 1.10 (so Jinja in them rendered then as it renders now inside `configuration`).
QUERY_TEMPLATED = frozenset({"sql", "bql", "destination_dataset_table", "labels"})
INSERT_JOB_TEMPLATE_EXT = (".json", ".sql")

# Template expressions whose rendered value never holds "." or ":", so a table name that uses them in one
# component can still be split statically.
_SPLIT_SAFE_JINJA = re.compile(
    r"\{\{\s*(?:(?:(?:next|prev|yesterday|tomorrow)_)?ds(?:_nodash)?|ts_nodash"
    r"|(?:data_interval_start|data_interval_end|logical_date)\s*\|\s*(?:ds|ds_nodash|ts_nodash))\s*\}\}")


class RunTimeSplit(Unconvertible):
    """The split of a destination depends on values only known when the task runs (the rule then splits it
    at run time, as 1.10 did)."""


def split_table_name(name: str, shown: str | None = None) -> tuple[str | None, str, str]:
    """``(<project>.|<project>:)<dataset>.<table>`` as Airflow 1.10.15's ``_split_tablename`` split it
    (project None when the name has none); Jinja only where the rendered value cannot change the split
    (else ``RunTimeSplit``). ``shown`` is how messages name it (default: the name)."""
    shown = shown or repr(name)
    tokens: list[str] = []

    def hide(match: re.Match) -> str:
        tokens.append(match.group(0))
        return f"\x00{len(tokens) - 1}\x00"

    masked = _SPLIT_SAFE_JINJA.sub(hide, name)
    if any(m in masked for m in cstutil.JINJA_MARKERS):
        raise RunTimeSplit(f"destination_dataset_table {shown} is a template: its project, dataset and table "
                            f"are only known at run time, so they cannot be split into destinationTable")
    invalid = Unconvertible(f"destination_dataset_table {shown} is not (<project>.)<dataset>.<table> "
                            f"(Airflow 1.10 raised an error for it)")
    if "." not in masked or masked.count(".") + masked.count(":") > 3:
        raise invalid
    project, rest = None, masked
    pieces = masked.rsplit(":", 1)
    if len(pieces) == 2:
        if pieces[0].count(":") > 1:
            raise invalid
        if pieces[1].count(".") != 2:
            project, rest = pieces
    parts = rest.split(".")
    if len(parts) == 3:
        if project:
            raise invalid
        project = parts[0]
        parts = parts[1:]
    elif len(parts) != 2:
        raise invalid

    def unmask(text: str) -> str:
        return re.sub("\x00(\\d+)\x00", lambda m: tokens[int(m.group(1))], text)

    return (unmask(project) if project else None), unmask(parts[0]), unmask(parts[1])


def _opaque_pieces(parts: list, shown: str) -> list:
    """String pieces that can stay whole while the name is split: their values hold no separator and no
    template that could render one; a constant that does is taken apart into its own pieces."""
    out: list = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        values = part.values or ()
        safe = part.values is not None and all(
            "." not in v and ":" not in v and not any(m in _SPLIT_SAFE_JINJA.sub("", v) for m in cstutil.JINJA_MARKERS)
            for v in values)
        if safe:
            out.append(part)
        elif part.parts is not None:
            out += _opaque_pieces(list(part.parts), shown)
        else:
            raise RunTimeSplit(f"destination_dataset_table {shown}: {part.code} may hold '.' or ':', which "
                                f"moves the split; split it into destinationTable by hand")
    return out


def _value(node: cst.BaseExpression, arg_name: str, templated: frozenset[str], exts=()):
    """What goes into the new dict for an argument's expression: its Python value when it is a literal
    (checked for what templating would now do to it), else its source."""
    value = cstutil.literal(node)
    if value is cstutil.NotLiteral:
        return Code(cstutil.code_of(node))
    why = cstutil.template_hazard(value, jinja=arg_name not in templated, exts=exts)
    if why:
        raise Unconvertible(f"{arg_name}: {why}, and the whole new resource dict is templated "
                            f"(in Airflow 1.10 {arg_name} was{'' if arg_name in templated else ' not'} templated)")
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) or cstutil.comments_in(node):
        return cstutil.Source(cstutil.code_of(node), value)  # keeps its quotes, lines and comments
    return value


def _unaliased(args, params) -> set[str]:
    """The 1.10 arguments default_args could still supply: ``bql``/``sql`` and ``bigquery_conn_id``/
    ``gcp_conn_id`` (what AM201 renamed it to) are one argument each."""
    params = set(params) | {"bigquery_conn_id"}
    if "gcp_conn_id" in args:
        params.discard("bigquery_conn_id")
    if "sql" in args or "bql" in args:
        params -= {"sql", "bql"}
    return params


def _moved_connection(args, moved: list[str]) -> list[cst.Arg]:
    """A ``bigquery_conn_id`` moved out of default_args, as the new class's ``gcp_conn_id``."""
    if "bigquery_conn_id" in moved:
        return [cstutil.arg("gcp_conn_id", args["bigquery_conn_id"].value)]
    return []


def _skipped(node: cst.BaseExpression) -> bool:
    """run_query ignored None, {} and () (the "not given" values)."""
    return cstutil.literal(node) in (None, {}, ())


HOOK = "airflow.providers.google.cloud.hooks.bigquery.BigQueryHook"

# The pre_execute that splits a destination known only at run time (``{hook}``: BigQueryHook's local name).
# Rendered with templates, a BigQueryInsertJobOperator holds the 1.10 destination_dataset_table string in
# configuration["query"]["destinationTable"]; Airflow 2.10 calls pre_execute after rendering, with the
# rendered task as context["task"], and the operator reads configuration in execute.
DESTINATION_HELPER = '''\
# Added by composer-migrate (AM801): splits destination_dataset_table when the task runs, as Airflow 1.10 did.
def {name}(context):
    """pre_execute of a BigQueryInsertJobOperator converted from Airflow 1.10's BigQueryOperator.

    The rendered configuration["query"]["destinationTable"] holds 1.10's destination_dataset_table; it
    becomes the API's {{"projectId", "datasetId", "tableId"}}, split like 1.10.15's _split_tablename:
    (<project>.|<project>:)<dataset>.<table>. A name without a project is in the job's project (the task's
    project_id, else its connection's, as BigQueryInsertJobOperator resolves it; 1.10 ran the job in the
    connection's project and used it here). An empty name means no destination, as in 1.10.
    """
    task = context["task"]
    query = task.configuration["query"]
    name = query.get("destinationTable")
    if not name:
        for key in ({destination_keys}):
            query.pop(key, None)
        return
    if not isinstance(name, str):
        raise TypeError(f"{{task.task_id}}: destination_dataset_table {{name!r}} is not a string")
    if "." not in name or name.count(".") + name.count(":") > 3:
        raise ValueError(f"{{task.task_id}}: destination_dataset_table {{name!r}} is not "
                         "(<project>.|<project>:)<dataset>.<table>")
    project, rest = None, name
    head, colon, tail = name.rpartition(":")
    if colon and tail.count(".") != 2:
        project, rest = head, tail
    parts = rest.split(".")
    if len(parts) == 3:
        project, dataset, table = parts
    elif len(parts) == 2:
        dataset, table = parts
    else:
        raise ValueError(f"{{task.task_id}}: destination_dataset_table {{name!r}} is not "
                         "(<project>.|<project>:)<dataset>.<table>")
    if project is None:
        project = task.project_id
        if project is None:
            hook = {hook}(gcp_conn_id=task.gcp_conn_id, impersonation_chain=task.impersonation_chain)
            project = hook.project_id
        if not project:
            raise ValueError(f"{{task.task_id}}: destination_dataset_table {{name!r}} has no project, and "
                             f"neither project_id nor connection {{task.gcp_conn_id!r}} gives one")
    query["destinationTable"] = {{"projectId": project, "datasetId": dataset, "tableId": table}}
'''


def destination_helper_code(name: str, hook: str) -> str:
    """The helper's code, defined as ``name``, with BigQueryHook imported as ``hook``."""
    keys = textwrap.fill(", ".join(f'"{key}"' for key in ("destinationTable", *(k for _, k, _ in DESTINATION_KEYS))),
                         width=80, subsequent_indent=" " * 20)
    return DESTINATION_HELPER.format(name=name, hook=hook, destination_keys=keys)


def _run_time_destination(ctx, node: cst.BaseExpression):
    """The destination name as it is written, for the configuration (templated, so Jinja in it renders as in
    1.10, where destination_dataset_table was templated); declines what 1.10 could not have split."""
    shown = cstutil.code_of(node).strip()
    value = cstutil.literal(node)
    if value is not cstutil.NotLiteral and not isinstance(value, str):
        raise Unconvertible(f"destination_dataset_table {shown} is not a string (Airflow 1.10 raised an error for it)")
    parts = cstutil.string_parts(ctx, node) or [cstutil.StrExpr(shown)]
    last = parts[-1]
    for ending in [last] if isinstance(last, str) else (last.values or ()):
        if ending.endswith(".json"):
            raise Unconvertible(f"destination_dataset_table {shown} may end with .json, and a string in "
                                f"configuration ending with .json is read as a template file (Airflow 1.10 "
                                f"read only .sql)")
    return _value(node, "destination_dataset_table", QUERY_TEMPLATED)


class BigQueryInsertJob(RestructuringRule):
    """``BigQueryOperator`` -> ``BigQueryInsertJobOperator(configuration=...)``.

    A destination whose split needs run-time values (no project, a template, a computed name) is split by
    the ``pre_execute`` helper when the task runs. Declines (TODO): a destination 1.10 could not split, a
    list of queries (1.10 ran one job per query), ``api_resource_configs`` that is not a literal dict or that
    clashes with an argument (1.10 raised), ``delegate_to`` (domain-wide delegation: the provider removed it
    in google 10.0.0 and ``impersonation_chain`` is another mechanism), a ``pre_execute`` already set where
    the helper is needed, and values that would render differently now that the whole configuration is
    templated.
    """

    code = "AM801"
    name = "bigquery-insert-job"
    summary = ("BigQueryOperator / BigQueryExecuteQueryOperator -> BigQueryInsertJobOperator(configuration="
               "{'query': {...}}), mapped like 1.10's run_query, with 1.10's defaults made explicit; a destination "
               "known only at run time is split by an added pre_execute.")
    interest = Interest(call_identities=frozenset({QUERY_OPERATOR}))
    replaces: ClassVar[dict[str, str]] = {QUERY_OPERATOR: INSERT_JOB}
    emits = (INSERT_JOB,)
    order = 80
    examples = (
        Example(
            title="query into a destination table",
            before=(
                "from airflow.contrib.operators.bigquery_operator import BigQueryOperator\n"
                "daily = BigQueryOperator(\n"
                "    task_id='daily_totals',\n"
                "    sql='sql/daily_totals.sql',\n"
                "    destination_dataset_table='analytics.reporting.daily_totals${{ ds_nodash }}',\n"
                "    write_disposition='WRITE_TRUNCATE',\n"
                "    use_legacy_sql=False,\n"
                "    bigquery_conn_id='bq',\n"
                "    location='EU',\n"
                ")\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator\n"
                "daily = BigQueryInsertJobOperator(\n"
                "    task_id='daily_totals',\n"
                "    configuration={\n"
                "        'query': {\n"
                "            'query': 'sql/daily_totals.sql',\n"
                "            'useLegacySql': False,\n"
                "            'priority': 'INTERACTIVE',\n"
                "            'destinationTable': {\n"
                "                'projectId': 'analytics',\n"
                "                'datasetId': 'reporting',\n"
                "                'tableId': 'daily_totals${{ ds_nodash }}',\n"
                "            },\n"
                "            'writeDisposition': 'WRITE_TRUNCATE',\n"
                "            'createDisposition': 'CREATE_IF_NEEDED',\n"
                "            'allowLargeResults': False,\n"
                "        },\n"
                "    },\n"
                "    gcp_conn_id='bq',\n"
                "    location='EU',\n"
                ")\n"
            ),
        ),
        Example(
            title="1.10 defaults made explicit",
            before=(
                "from airflow.contrib.operators.bigquery_operator import BigQueryOperator\n"
                "check = BigQueryOperator(task_id='check', bql='SELECT COUNT(*) FROM [p:d.t]')\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator\n"
                "check = BigQueryInsertJobOperator(task_id='check', configuration={\n"
                "    'query': {\n"
                "        'query': 'SELECT COUNT(*) FROM [p:d.t]',\n"
                "        'useLegacySql': True,\n"
                "        'priority': 'INTERACTIVE',\n"
                "    },\n"
                "})\n"
            ),
        ),
        Example(
            title="a destination without a project is split when the task runs",
            before=(
                "from airflow.contrib.operators.bigquery_operator import BigQueryOperator\n"
                "t = BigQueryOperator(task_id='t', sql='SELECT 1', destination_dataset_table='staging.t1')\n"
            ),
            after=(
                "from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook\n"
                "from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator\n"
                "\n\n"
                + destination_helper_code("split_destination_table", "BigQueryHook") +
                "\n\n"
                "t = BigQueryInsertJobOperator(task_id='t', configuration={\n"
                "    'query': {\n"
                "        'query': 'SELECT 1',\n"
                "        'useLegacySql': True,\n"
                "        'priority': 'INTERACTIVE',\n"
                "        'destinationTable': 'staging.t1',\n"
                "        'writeDisposition': 'WRITE_EMPTY',\n"
                "        'createDisposition': 'CREATE_IF_NEEDED',\n"
                "        'allowLargeResults': False,\n"
                "    },\n"
                "}, pre_execute=split_destination_table)\n"
            ),
        ),
        Example(
            title="a templated destination, and a project_id in default_args that 1.10 did not pass",
            before=(
                "from airflow import DAG\n"
                "from airflow.contrib.operators.bigquery_operator import BigQueryOperator\n"
                "ARGS = {'start_date': START, 'project_id': '{{ var.value.gcp_project }}'}\n"
                "with DAG('d', default_args=ARGS, schedule_interval=None) as dag:\n"
                "    t = BigQueryOperator(\n"
                "        task_id='t',\n"
                "        sql='SELECT 1',\n"
                "        destination_dataset_table='{{ params.dataset }}.daily_{{ ds_nodash }}',\n"
                "        use_legacy_sql=False,\n"
                "    )\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook\n"
                "from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator\n"
                "\n\n"
                + destination_helper_code("split_destination_table", "BigQueryHook") +
                "\n\n"
                "ARGS = {'start_date': START, 'project_id': '{{ var.value.gcp_project }}'}\n"
                "with DAG('d', default_args=ARGS, schedule=None) as dag:\n"
                "    t = BigQueryInsertJobOperator(\n"
                "        task_id='t',\n"
                "        configuration={\n"
                "            'query': {\n"
                "                'query': 'SELECT 1',\n"
                "                'useLegacySql': False,\n"
                "                'priority': 'INTERACTIVE',\n"
                "                'destinationTable': '{{ params.dataset }}.daily_{{ ds_nodash }}',\n"
                "                'writeDisposition': 'WRITE_EMPTY',\n"
                "                'createDisposition': 'CREATE_IF_NEEDED',\n"
                "                'allowLargeResults': False,\n"
                "            },\n"
                "        },\n"
                "        pre_execute=split_destination_table,\n"
                "        project_id=None,\n"
                "    )\n"
            ),
        ),
        Example(
            title="a destination that 1.10 could not split is a TODO",
            before=(
                "from airflow.contrib.operators.bigquery_operator import BigQueryOperator\n"
                "t = BigQueryOperator(task_id='t', sql='SELECT 1', destination_dataset_table='a.b.c.d')\n"
            ),
            after=(
                "# TODO(airflow2): AM801 1 use(s) of BigQueryOperator"
                " (airflow.contrib.operators.bigquery_operator.BigQueryOperator) could not be converted to"
                " airflow.providers.google.cloud.operators.bigquery.BigQueryInsertJobOperator:"
                " airflow.providers.google.cloud.operators.bigquery.BigQueryExecuteQueryOperator (the Airflow 2 home"
                " of airflow.contrib.operators.bigquery_operator.BigQueryOperator) does not exist in profile"
                " airflow-2.10.5\n"
                "from airflow.contrib.operators.bigquery_operator import BigQueryOperator\n"
                "# TODO(airflow2): AM801 destination_dataset_table 'a.b.c.d' is not (<project>.)<dataset>.<table>"
                " (Airflow 1.10 raised an error for it)\n"
                "t = BigQueryOperator(task_id='t', sql='SELECT 1', destination_dataset_table='a.b.c.d')\n"
            ),
            todos=("is not (<project>.)<dataset>.<table>",),
        ),
    )

    def _convert(self, ctx, call: cst.Call, target: CallTarget):
        old = target.qname.rpartition(".")[2]
        args = cstutil.keyword_args(call, QUERY_KNOWN, old)
        if cstutil.given(args, "delegate_to") is not None:
            raise Unconvertible("delegate_to (domain-wide delegation) has no BigQueryInsertJobOperator "
                                "equivalent; use impersonation_chain or remove it")
        moved = cstutil.check_default_args(ctx, args, _unaliased(args, QUERY_ARGS - {"delegate_to"}), old,
                                           "BigQueryInsertJobOperator")
        if "sql" in args and "bql" in args:
            raise Unconvertible(f"{old} gets both sql and bql: keep sql")
        sql = cstutil.given(args, "sql", "bql")
        if sql is None:
            raise Unconvertible(f"{old} has no sql")
        if isinstance(sql, (cst.List, cst.Tuple, cst.ListComp)) or (
                isinstance(sql, cst.Name) and isinstance(cstutil.module_value(ctx, sql.value), (ast.List, ast.Tuple))):
            raise Unconvertible("sql is a list: Airflow 1.10 ran one job per query; BigQueryInsertJobOperator "
                                "runs one (make one task per query, or one multi-statement query)")
        query: dict = {"query": _value(sql, "sql", QUERY_TEMPLATED, exts=(".json",))}
        for name, key, default in QUERY_KEYS:
            node = cstutil.given(args, name)
            if node is not None and not _skipped(node):
                query[key] = _value(node, name, QUERY_TEMPLATED)
            elif default is not None:
                query[key] = default
        destination = cstutil.given(args, "destination_dataset_table")
        split_at_run_time = False
        if destination is not None:
            table = self._destination(ctx, destination, cstutil.call_quote(call))
            split_at_run_time = table is None
            query["destinationTable"] = _run_time_destination(ctx, destination) if split_at_run_time else table
            for name, key, default in DESTINATION_KEYS:
                node = cstutil.given(args, name)
                if node is not None:
                    query[key] = _value(node, name, QUERY_TEMPLATED)
                elif default is not None:
                    query[key] = default
        cluster_fields = cstutil.given(args, "cluster_fields")
        if cluster_fields is not None and cstutil.literal(cluster_fields) != []:
            query["clustering"] = {"fields": _value(cluster_fields, "cluster_fields", QUERY_TEMPLATED)}
        encryption = cstutil.given(args, "encryption_configuration")
        if encryption is not None and not _skipped(encryption):
            query["destinationEncryptionConfiguration"] = _value(encryption, "encryption_configuration",
                                                                 QUERY_TEMPLATED)
        if cstutil.plain(query.get("useLegacySql")) is True and "queryParameters" in query:
            raise Unconvertible("query_params with legacy SQL: Airflow 1.10 raised an error for this call")
        labels = cstutil.given(args, "labels")
        labels_value = _value(labels, "labels", QUERY_TEMPLATED) if labels is not None and not _skipped(
            labels) else None
        configuration = self._merge(args, query, labels_value)
        extra: list[cst.Arg] = []
        if split_at_run_time:
            if "pre_execute" in args:
                raise Unconvertible(f"destination_dataset_table {cstutil.code_of(destination).strip()} is split when "
                                    f"the task runs, by a pre_execute this rule adds, and the call already sets "
                                    f"pre_execute: call both from one function and convert the call by hand")
            base_node = cstutil.given(args, "api_resource_configs")
            base = {} if base_node is None else cstutil.literal(base_node)  # a literal dict (_merge checked)
            if set(base.get("query", {})) & {"destinationTable", *(key for _, key, _ in DESTINATION_KEYS)}:
                raise Unconvertible("api_resource_configs sets destination settings and destination_dataset_table "
                                    "is only known at run time: merge them into configuration by hand")
            helper = ctx.require_definition("AM801:destination", "split_destination_table",
                                            lambda name: destination_helper_code(name, ctx.require_import(HOOK)))
            extra.append(cstutil.render_argument(ctx, call, "pre_execute", Code(helper)))
        if cstutil.default_args_sets(ctx, "project_id"):
            # 1.10's BigQueryOperator took no project_id (default_args did not reach it): the job ran in the
            # connection's project, which is what the new class does with project_id None.
            extra.append(cstutil.render_argument(ctx, call, "project_id", None))

        insert = [cstutil.render_argument(ctx, call, "configuration", configuration), *extra,
                  *_moved_connection(args, moved)]
        new_args = cstutil.rebuild_args(call, drop=QUERY_ARGS, insert=insert, rename={"bigquery_conn_id": "gcp_conn_id"})
        func = cst.Name(ctx.require_import(INSERT_JOB))
        return call.with_changes(func=func, args=new_args), f"{old} -> BigQueryInsertJobOperator(configuration=...)"

    @staticmethod
    def _destination(ctx, node: cst.BaseExpression, quote: str) -> dict | None:
        """destinationTable from a table name the file spells out with its project: a literal, or one built
        from literals, module-level constants and loop variables over constant lists (those stay as they are
        written). None when the split needs run-time values: a name without a project (1.10 used the
        connection's), a template, a computed name, pieces that may hold '.' or ':'."""
        shown = cstutil.code_of(node).strip()
        parts = cstutil.string_parts(ctx, node)
        if parts is None:
            return None
        pieces: list[cstutil.StrExpr] = []
        masked = ""
        try:
            for part in _opaque_pieces(parts, shown):
                if isinstance(part, str):
                    masked += part
                else:
                    pieces.append(part)
                    masked += f"\x01{len(pieces) - 1}\x01"
            project, dataset, table = split_table_name(masked, shown)
        except RunTimeSplit:
            return None
        if project is None:
            return None

        def component(text: str):
            split = re.split("\x01(\\d+)\x01", text)
            return cstutil.parts_code([pieces[int(p)] if i % 2 else p for i, p in enumerate(split) if p != ""],
                                      quote)

        return {"projectId": component(project), "datasetId": component(dataset), "tableId": component(table)}

    @staticmethod
    def _merge(args, query: dict, labels) -> dict:
        """``api_resource_configs`` is the base configuration run_query started from; an argument that
        repeats one of its keys with another value made 1.10 raise."""
        base_node = cstutil.given(args, "api_resource_configs")
        base = {} if base_node is None else cstutil.literal(base_node)
        if not isinstance(base, dict) or not isinstance(base.get("query", {}), dict):
            raise Unconvertible("api_resource_configs is not a literal dict: merge it into configuration by hand")
        why = cstutil.template_hazard(base, exts=INSERT_JOB_TEMPLATE_EXT)
        if why:
            raise Unconvertible(f"api_resource_configs: {why}, and configuration is templated")
        configuration = dict(base)
        merged = dict(base.get("query", {}))
        overwritten = {key for _, key, _ in DESTINATION_KEYS} if "destinationTable" in query else set()
        for key, value in query.items():
            if key in merged and key not in overwritten and merged[key] != cstutil.plain(value):
                raise Unconvertible(f"api_resource_configs['query'][{key!r}] and an argument both set {key}: "
                                    f"Airflow 1.10 raised an error for this call")
            merged[key] = value
        configuration["query"] = merged
        if labels is not None:
            if "labels" in base and base["labels"] != cstutil.plain(labels):
                raise Unconvertible("api_resource_configs['labels'] and labels differ: Airflow 1.10 raised an "
                                    "error for this call")
            configuration["labels"] = labels
        if "query" in base:  # keep the base's key order
            return configuration
        return {"query": merged, **{k: v for k, v in configuration.items() if k != "query"}}


# 1.10.15 BigQueryCreateEmptyTableOperator argument -> table resource key (create_empty_table, truthy only)
TABLE_KEYS = (
    ("time_partitioning", "timePartitioning"),
    ("labels", "labels"),
    ("encryption_configuration", "encryptionConfiguration"),
)
TABLE_ARGS = frozenset({"schema_fields", "time_partitioning", "labels", "encryption_configuration", "delegate_to"})
TABLE_KNOWN = TABLE_ARGS | {"dataset_id", "table_id", "project_id", "gcs_schema_object", "bigquery_conn_id",
                            "gcp_conn_id", "google_cloud_storage_conn_id", "location", "impersonation_chain"}
TABLE_TEMPLATED = frozenset({"labels"})


class BigQueryCreateTable(RestructuringRule):
    """``BigQueryCreateEmptyTableOperator`` -> ``BigQueryCreateTableOperator(table_resource=...)``.

    dataset_id, table_id, project_id, gcs_schema_object and the connections stay arguments (the new class
    falls back to the connection's project, as 1.10 did). Declines both schema_fields and gcs_schema_object
    (1.10 preferred schema_fields, the new class the GCS file) and values that templating would now change.
    """

    code = "AM802"
    name = "bigquery-create-table"
    summary = ("BigQueryCreateEmptyTableOperator -> BigQueryCreateTableOperator(table_resource={...}, "
               "if_exists='fail') (1.10 failed when the table existed).")
    interest = Interest(call_identities=frozenset({EMPTY_TABLE}))
    replaces: ClassVar[dict[str, str]] = {EMPTY_TABLE: CREATE_TABLE}
    emits = (CREATE_TABLE,)
    order = 80
    examples = (
        Example(
            title="schema and partitioning",
            before=(
                "from airflow.contrib.operators.bigquery_operator import BigQueryCreateEmptyTableOperator\n"
                "create = BigQueryCreateEmptyTableOperator(\n"
                "    task_id='create_events',\n"
                "    project_id='analytics',\n"
                "    dataset_id='raw',\n"
                "    table_id='events',\n"
                "    schema_fields=[{'name': 'id', 'type': 'STRING', 'mode': 'REQUIRED'}],\n"
                "    time_partitioning={'type': 'DAY'},\n"
                "    bigquery_conn_id='bq',\n"
                ")\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.bigquery import BigQueryCreateTableOperator\n"
                "create = BigQueryCreateTableOperator(\n"
                "    task_id='create_events',\n"
                "    project_id='analytics',\n"
                "    dataset_id='raw',\n"
                "    table_id='events',\n"
                "    table_resource={\n"
                "        'schema': {'fields': [{'name': 'id', 'type': 'STRING', 'mode': 'REQUIRED'}]},\n"
                "        'timePartitioning': {'type': 'DAY'},\n"
                "    },\n"
                "    if_exists='fail',\n"
                "    gcp_conn_id='bq',\n"
                ")\n"
            ),
        ),
        Example(
            title="schema and GCS schema file together is a TODO",
            before=(
                "from airflow.contrib.operators.bigquery_operator import BigQueryCreateEmptyTableOperator\n"
                "create = BigQueryCreateEmptyTableOperator(task_id='c', dataset_id='raw', table_id='events',\n"
                "    schema_fields=SCHEMA, gcs_schema_object='gs://schemas/events.json')\n"
            ),
            after=(
                "# TODO(airflow2): AM802 1 use(s) of BigQueryCreateEmptyTableOperator"
                " (airflow.contrib.operators.bigquery_operator.BigQueryCreateEmptyTableOperator) could not be"
                " converted to airflow.providers.google.cloud.operators.bigquery.BigQueryCreateTableOperator:"
                " airflow.providers.google.cloud.operators.bigquery.BigQueryCreateEmptyTableOperator (the Airflow 2"
                " home of airflow.contrib.operators.bigquery_operator.BigQueryCreateEmptyTableOperator) does not"
                " exist in profile airflow-2.10.5\n"
                "from airflow.contrib.operators.bigquery_operator import BigQueryCreateEmptyTableOperator\n"
                "# TODO(airflow2): AM802 schema_fields and gcs_schema_object are both set: Airflow 1.10 used"
                " schema_fields, BigQueryCreateTableOperator uses the GCS file; keep one\n"
                "create = BigQueryCreateEmptyTableOperator(task_id='c', dataset_id='raw', table_id='events',\n"
                "    schema_fields=SCHEMA, gcs_schema_object='gs://schemas/events.json')\n"
            ),
            todos=("both set",),
        ),
    )

    def _convert(self, ctx, call: cst.Call, target: CallTarget):
        old = target.qname.rpartition(".")[2]
        args = cstutil.keyword_args(call, TABLE_KNOWN, old)
        if cstutil.given(args, "delegate_to") is not None:
            raise Unconvertible("delegate_to (domain-wide delegation) has no BigQueryCreateTableOperator "
                                "equivalent; use impersonation_chain or remove it")
        moved = cstutil.check_default_args(ctx, args, _unaliased(args, TABLE_ARGS - {"delegate_to"}), old,
                                           "BigQueryCreateTableOperator")
        schema = cstutil.given(args, "schema_fields")
        if schema is not None and cstutil.given(args, "gcs_schema_object") is not None:
            raise Unconvertible("schema_fields and gcs_schema_object are both set: Airflow 1.10 used "
                                "schema_fields, BigQueryCreateTableOperator uses the GCS file; keep one")
        resource: dict = {}
        if schema is not None and cstutil.literal(schema) != []:
            resource["schema"] = {"fields": _value(schema, "schema_fields", TABLE_TEMPLATED)}
        for name, key in TABLE_KEYS:
            node = cstutil.given(args, name)
            if node is not None and not _skipped(node):
                resource[key] = _value(node, name, TABLE_TEMPLATED)
        insert = [cstutil.render_argument(ctx, call, "table_resource", resource),
                  cstutil.render_argument(ctx, call, "if_exists", "fail"), *_moved_connection(args, moved)]
        new_args = cstutil.rebuild_args(call, drop=TABLE_ARGS, insert=insert,
                                        rename={"bigquery_conn_id": "gcp_conn_id"})
        func = cst.Name(ctx.require_import(CREATE_TABLE))
        return (call.with_changes(func=func, args=new_args),
                f"{old} -> BigQueryCreateTableOperator(table_resource=..., if_exists='fail')")


RULES = (BigQueryInsertJob, BigQueryCreateTable)
