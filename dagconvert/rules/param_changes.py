"""AM201: constructor parameters that Airflow 2 renamed or removed, from the sourced rows of
dagconvert/tables/param_changes.json (``bql`` -> ``sql``, ``bigquery_conn_id`` -> ``gcp_conn_id``,
``xcom_push`` -> ``do_xcom_push``, ``delegate_to`` removed, ...); AM204: per-service GCP connections merged
into ``gcp_conn_id``; AM209: parameters the target deprecates whose named replacement behaves differently.
The same renames set through ``default_args`` are AM208 (default_args_renamed.py)."""

from __future__ import annotations

import libcst as cst

from dagconvert import tables
from dagconvert.analysis import Interest
from dagconvert.decisions import Action
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule

# Parameters that rules of their own handle (with more care than a rename or removal).
OWNED_ELSEWHERE = frozenset({"provide_context", "python_callable", "allow_null"})  # AM202, AM601, AM205


class ParamChanged(Rule):
    code = "AM201"
    name = "param-renamed-or-removed"
    summary = ("A keyword argument renamed in Airflow 2 is renamed; a removed one is dropped when it passes "
               "the default (None), and left with a TODO otherwise.")
    # Only calls that pass one of the table's parameters need a visit (a call to BashOperator without
    # xcom_push has nothing to change).
    interest = Interest(keywords=frozenset(p for rows in tables.param_changes().values() for p in rows
                                           if p not in OWNED_ELSEWHERE))
    order = 20
    examples = (
        Example(
            title="renames on a moved class",
            before=(
                "from airflow.contrib.operators.bigquery_to_gcs import BigQueryToCloudStorageOperator\n"
                "t = BigQueryToCloudStorageOperator(task_id='x', source_project_dataset_table='p.d.t',\n"
                "    destination_cloud_storage_uris=['gs://b/x'], bigquery_conn_id='bq', delegate_to=None)\n"
            ),
            after=(
                "from airflow.providers.google.cloud.transfers.bigquery_to_gcs import BigQueryToGCSOperator\n"
                "t = BigQueryToGCSOperator(task_id='x', source_project_dataset_table='p.d.t',\n"
                "    destination_cloud_storage_uris=['gs://b/x'], gcp_conn_id='bq')\n"
            ),
        ),
        Example(
            title="xcom_push is do_xcom_push",
            before=(
                "from airflow.operators.bash_operator import BashOperator\n"
                "t = BashOperator(task_id='x', bash_command='date', xcom_push=True)\n"
            ),
            after=(
                "from airflow.operators.bash import BashOperator\n"
                "t = BashOperator(task_id='x', bash_command='date', do_xcom_push=True)\n"
            ),
        ),
        Example(
            title="a removed parameter with a value is a TODO",
            before=(
                "from airflow.contrib.operators.gcs_delete_operator import GoogleCloudStorageDeleteOperator\n"
                "t = GoogleCloudStorageDeleteOperator(task_id='t', bucket_name='b', objects=['x'],\n"
                "    delegate_to='svc@x.iam')\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.gcs import GCSDeleteObjectsOperator\n"
                "# TODO(airflow2): AM201 parameter delegate_to of GCSDeleteObjectsOperator was removed in "
                "Airflow 2 (wheels apache-airflow-providers-google: delegate_to present in 9.0.0, absent from "
                "10.0.0 (bisected on GCSToBigQueryOperator); use impersonation_chain); remove it by hand\n"
                "t = GCSDeleteObjectsOperator(task_id='t', bucket_name='b', objects=['x'],\n"
                "    delegate_to='svc@x.iam')\n"
            ),
            todos=("parameter delegate_to",),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None) -> cst.BaseExpression:
        if target is None:
            return call
        rows = tables.param_changes().get(target.identity)
        if not rows:
            return call
        class_name = target.identity.rpartition(".")[2]
        for arg in list(call.args):
            if arg.keyword is None:
                continue
            param = arg.keyword.value
            row = rows.get(param)
            if row is None or param in OWNED_ELSEWHERE:
                continue
            if row.get("for_replacement") and target.decision.action is not Action.REPLACE:
                continue
            new = row["to"]
            if new:
                if cstutil.kwarg(call, new) is not None:
                    ctx.todo(self.code, f"{class_name} gets both {param} and {new}; keep one ({new})")
                    continue
                call = cstutil.rename_kwarg(call, param, new)
                ctx.change(self.code, f"{class_name}: {param} -> {new}")
            elif cstutil.literal(arg.value) is None:
                call = cstutil.remove_kwarg(call, param)
                ctx.change(self.code, f"{class_name}: removed {param}=None (no longer accepted)")
            else:
                ctx.todo(self.code, f"parameter {param} of {class_name} was removed in Airflow 2 "
                                    f"({row['source']}); remove it by hand")
        return call


# Operators that took one connection per service in 1.10 and take a single gcp_conn_id in Airflow 2:
# identity -> (the connection the operator's main work used, {another connection: the arguments without
# which 1.10 never opened it}). Read from the 1.10.15 sources: GoogleCloudStorageToBigQueryOperator.execute
# opens the GCS connection only to read `schema_object`.
CONNECTION_MERGES: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "airflow.providers.google.cloud.transfers.gcs_to_bigquery.GCSToBigQueryOperator": (
        "bigquery_conn_id", {"google_cloud_storage_conn_id": ("schema_object",)}),
}


class ConnectionsMerged(Rule):
    code = "AM204"
    name = "gcp-connections-merged"
    summary = ("An operator that used one connection per Google service in 1.10 takes a single gcp_conn_id: "
               "the main connection becomes gcp_conn_id; another one is dropped only when 1.10 never opened it "
               "(or it is the same), else TODO.")
    interest = Interest(call_identities=frozenset(CONNECTION_MERGES))
    order = 22
    examples = (
        Example(
            title="the GCS connection was only used for schema_object",
            before=(
                "from airflow.contrib.operators.gcs_to_bq import GoogleCloudStorageToBigQueryOperator\n"
                "t = GoogleCloudStorageToBigQueryOperator(task_id='t', bucket='b', source_objects=['a.csv'],\n"
                "    destination_project_dataset_table='p.d.t', bigquery_conn_id='bq',\n"
                "    google_cloud_storage_conn_id='gcs')\n"
            ),
            after=(
                "from airflow.providers.google.cloud.transfers.gcs_to_bigquery import GCSToBigQueryOperator\n"
                "t = GCSToBigQueryOperator(task_id='t', bucket='b', source_objects=['a.csv'],\n"
                "    destination_project_dataset_table='p.d.t', gcp_conn_id='bq')\n"
            ),
        ),
        Example(
            title="two different connections both in use: TODO",
            before=(
                "from airflow.contrib.operators.gcs_to_bq import GoogleCloudStorageToBigQueryOperator\n"
                "t = GoogleCloudStorageToBigQueryOperator(task_id='t', bucket='b', source_objects=['a.csv'],\n"
                "    destination_project_dataset_table='p.d.t', schema_object='s.json', bigquery_conn_id='bq',\n"
                "    google_cloud_storage_conn_id='gcs')\n"
            ),
            after=(
                "from airflow.providers.google.cloud.transfers.gcs_to_bigquery import GCSToBigQueryOperator\n"
                "# TODO(airflow2): AM204 GCSToBigQueryOperator takes one gcp_conn_id, but this task used "
                "bigquery_conn_id='bq' and google_cloud_storage_conn_id='gcs' (with schema_object): give one "
                "connection access to both\n"
                "t = GCSToBigQueryOperator(task_id='t', bucket='b', source_objects=['a.csv'],\n"
                "    destination_project_dataset_table='p.d.t', schema_object='s.json', bigquery_conn_id='bq',\n"
                "    google_cloud_storage_conn_id='gcs')\n"
            ),
            todos=("takes one gcp_conn_id",),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None) -> cst.BaseExpression:
        if target is None or target.identity not in CONNECTION_MERGES or cstutil.has_star_args(call):
            return call
        primary, others = CONNECTION_MERGES[target.identity]
        main = cstutil.kwarg(call, primary)
        if main is None or cstutil.kwarg(call, "gcp_conn_id") is not None:
            return call
        main_value = cstutil.literal(main.value)
        class_name = target.identity.rpartition(".")[2]
        drop = []
        for other, needs in others.items():
            arg = cstutil.kwarg(call, other)
            if arg is None:
                continue
            unused = not any(cstutil.kwarg(call, n) is not None for n in needs)
            same = main_value is not cstutil.NotLiteral and cstutil.literal(arg.value) == main_value
            if not (unused or same):
                ctx.todo(self.code, f"{class_name} takes one gcp_conn_id, but this task used "
                                    f"{primary}={cstutil.code_of(main.value)} and {other}="
                                    f"{cstutil.code_of(arg.value)} (with {', '.join(needs)}): give one connection "
                                    "access to both")
                return call
            drop.append(other)
        for other in drop:
            call = cstutil.remove_kwarg(call, other)
        ctx.change(self.code, f"{class_name}: {primary} -> gcp_conn_id" +
                   (f"; dropped {', '.join(drop)} (1.10 did not use it here)" if drop else ""))
        return cstutil.rename_kwarg(call, primary, "gcp_conn_id")


def _delimiter_listing(value) -> str:
    """What GCS listing with ``delimiter`` returns (1.10.15 GoogleCloudStorageHook.list and provider google 19.0.0
    GCSHook._list alike: ``bucket.list_blobs(prefix=, delimiter=)``, then per page ``blobs.prefixes`` if any,
    else the page's names), and the match_glob a person may mean."""
    shown = f"{value!r}" if isinstance(value, str) else "D"
    glob = f"'**/*{value}'" if isinstance(value, str) else "'**/*' + D"
    return (f"match_glob is not the same filter: with delimiter={shown} the listing returns, for each page of "
            f"results holding a name that contains {shown} after the prefix, only the distinct names cut after "
            f"that first {shown} (an object 'a{value if isinstance(value, str) else 'D'}.gz' gives "
            f"'a{value if isinstance(value, str) else 'D'}'), and for a page holding none, every object name on "
            f"it. If the task means the objects under the prefix whose names end with {shown}, replace the "
            f"argument by match_glob={glob} and check what the tasks reading its XCom expect")


# identity -> {parameter: why its replacement is not the same}: parameters that the target still accepts but
# deprecates with a warning when the DAG file is parsed, where the replacement the warning names behaves
# differently (read in the runtime's provider sources).
DEPRECATED_PARAMS = {
    "airflow.providers.google.cloud.operators.gcs.GCSListObjectsOperator": {"delimiter": _delimiter_listing},
}


class ParamDeprecated(Rule):
    code = "AM209"
    name = "param-deprecated-not-equivalent"
    summary = ("A parameter the target deprecates with a warning at parse time, whose named replacement filters or "
               "behaves differently (GCSListObjectsOperator's delimiter vs match_glob), gets a TODO saying how "
               "they differ and what to write if the difference does not matter.")
    interest = Interest(call_identities=frozenset(DEPRECATED_PARAMS),
                        keywords=frozenset(p for params in DEPRECATED_PARAMS.values() for p in params))
    order = 23
    examples = (
        Example(
            before=(
                "from airflow.contrib.operators.gcs_list_operator import GoogleCloudStorageListOperator\n"
                "files = GoogleCloudStorageListOperator(task_id='files', bucket='b', prefix='in/', delimiter='.csv')\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.gcs import GCSListObjectsOperator\n"
                "# TODO(airflow2): AM209 parameter delimiter of GCSListObjectsOperator is deprecated (the target "
                "warns when the DAG file is parsed), and match_glob is not the same filter: with delimiter='.csv' "
                "the listing returns, for each page of results holding a name that contains '.csv' after the "
                "prefix, only the distinct names cut after that first '.csv' (an object 'a.csv.gz' gives 'a.csv'), "
                "and for a page holding none, every object name on it. If the task means the objects under the "
                "prefix whose names end with '.csv', replace the argument by match_glob='**/*.csv' and check what "
                "the tasks reading its XCom expect\n"
                "files = GCSListObjectsOperator(task_id='files', bucket='b', prefix='in/', delimiter='.csv')\n"
            ),
            todos=("parameter delimiter of GCSListObjectsOperator is deprecated",),
        ),
        Example(
            title="not given (None): nothing to do",
            before=(
                "from airflow.contrib.operators.gcs_list_operator import GoogleCloudStorageListOperator\n"
                "files = GoogleCloudStorageListOperator(task_id='files', bucket='b', delimiter=None)\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.gcs import GCSListObjectsOperator\n"
                "files = GCSListObjectsOperator(task_id='files', bucket='b', delimiter=None)\n"
            ),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None) -> cst.BaseExpression:
        params = DEPRECATED_PARAMS.get(target.identity) if target is not None else None
        if not params:
            return call
        class_name = target.identity.rpartition(".")[2]
        for param, why in params.items():
            arg = cstutil.kwarg(call, param)
            value = cstutil.literal(arg.value) if arg is not None else None
            if arg is None or value in (None, ""):  # the provider warns only for a true value
                continue
            ctx.todo(self.code, f"parameter {param} of {class_name} is deprecated (the target warns when the DAG "
                                f"file is parsed), and {why(value)}")
        return call


RULES = (ParamChanged, ConnectionsMerged, ParamDeprecated)
