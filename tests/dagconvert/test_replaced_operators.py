"""AM801-AM806: operators whose Airflow 2.10-era replacement is not drop-in (BigQuery, Dataproc, SQL, Dataflow).

Edge cases of each rule (what is converted, what is declined with a TODO and why), then one slow test that
converts a realistic Airflow 1.10 DAG using all of them and loads it in the REAL Airflow 2 runtime: no import
error, no deprecation warning from the DAG file, and each task's configuration/job/table/cluster dict read
back from the loaded operator (templates rendered, Dataproc dicts accepted by the client's protos).

The runtime is ``$COMPOSER_MIGRATE_RUNTIME_PYTHON``, else the project's pinned runtime (tests/runtime.py).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from dagconvert.engine import convert_source
from dagconvert.rules.bigquery_insert_job import split_table_name
from dagconvert.rules.cstutil import Unconvertible
from tests.runtime import require_runtime_python

REPO = Path(__file__).resolve().parents[2]


def convert(source: str, body: str = ""):
    """Convert ``source`` (+ ``body``, dedented): the result must parse and convert to itself again."""
    result = convert_source(textwrap.dedent(source).lstrip("\n") + textwrap.dedent(body).lstrip("\n"), "dag.py")
    ast.parse(result.code)
    again = convert_source(result.code, "dag.py")
    assert again.code == result.code, "not idempotent"
    return result


def todos(result, code: str) -> list[str]:
    return [t.message for t in result.todos if t.rule == code]


def assert_declined(result, code: str, *fragments: str) -> None:
    messages = todos(result, code)
    for fragment in fragments:
        assert any(fragment in m for m in messages), f"no {code} TODO with {fragment!r}: {messages}"
    assert not [c for c in result.changes if c.rule == code and not c.message.startswith("import ")], \
        "declined but also converted"


def call_kwargs(code: str, name: str) -> dict[str, object]:
    """Keyword arguments (as Python values where literal, else source) of the first call to ``name``."""
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
            out = {}
            for kw in node.keywords:
                try:
                    out[kw.arg] = ast.literal_eval(kw.value)
                except ValueError:
                    out[kw.arg] = ast.unparse(kw.value)
            return out
    raise AssertionError(f"no call to {name} in:\n{code}")


# -- AM801 BigQueryOperator -> BigQueryInsertJobOperator -------------------------------------------------

BQ = "from airflow.contrib.operators.bigquery_operator import BigQueryOperator\n"


@pytest.mark.parametrize("name,expected", [
    ("p.d.t", ("p", "d", "t")),
    ("p:d.t", ("p", "d", "t")),
    ("d.t", (None, "d", "t")),
    ("my-proj.d.t_{{ ds_nodash }}", ("my-proj", "d", "t_{{ ds_nodash }}")),
    ("p.d.t${{ data_interval_start | ds_nodash }}", ("p", "d", "t${{ data_interval_start | ds_nodash }}")),
    ("example.com:p.d.t", None),  # 4 separators: 1.10 raised
    ("p:d.e.t", ("p:d", "e", "t")),  # what 1.10 did (a domain-scoped project)
])
def test_split_table_name_like_1_10(name, expected):
    if expected is None:
        with pytest.raises(Unconvertible):
            split_table_name(name)
    else:
        assert split_table_name(name) == expected


@pytest.mark.parametrize("name", ["{{ params.project }}.d.t", "p.d.{{ table }}", "p.d.t_{{ ts }}", "t", "a.b.c.d"])
def test_split_table_name_declines(name):
    with pytest.raises(Unconvertible):
        split_table_name(name)


def test_bigquery_full_mapping():
    result = convert(BQ, """
        q = BigQueryOperator(
            task_id='q',
            sql='SELECT @x',
            destination_dataset_table='p:d.t',
            write_disposition='WRITE_APPEND',
            create_disposition='CREATE_NEVER',
            allow_large_results=True,
            flatten_results=False,
            use_legacy_sql=False,
            priority='BATCH',
            query_params=[{'name': 'x', 'parameterType': {'type': 'INT64'}, 'parameterValue': {'value': '1'}}],
            udf_config=[{'resourceUri': 'gs://b/f.js'}],
            maximum_billing_tier=2,
            maximum_bytes_billed=1e9,
            schema_update_options=['ALLOW_FIELD_ADDITION'],
            time_partitioning={'type': 'DAY', 'field': 'day'},
            cluster_fields=['a', 'b'],
            labels={'team': 'data'},
            encryption_configuration={'kmsKeyName': 'k'},
            api_resource_configs={'query': {'useQueryCache': False}},
            location='US',
        )
    """)
    kwargs = call_kwargs(result.code, "BigQueryInsertJobOperator")
    assert kwargs["location"] == "US"
    assert kwargs["configuration"] == {
        "query": {
            "useQueryCache": False,
            "query": "SELECT @x",
            "useLegacySql": False,
            "priority": "BATCH",
            "queryParameters": [{"name": "x", "parameterType": {"type": "INT64"}, "parameterValue": {"value": "1"}}],
            "userDefinedFunctionResources": [{"resourceUri": "gs://b/f.js"}],
            "maximumBillingTier": 2,
            "maximumBytesBilled": 1e9,
            "timePartitioning": {"type": "DAY", "field": "day"},
            "schemaUpdateOptions": ["ALLOW_FIELD_ADDITION"],
            "destinationTable": {"projectId": "p", "datasetId": "d", "tableId": "t"},
            "writeDisposition": "WRITE_APPEND",
            "createDisposition": "CREATE_NEVER",
            "allowLargeResults": True,
            "flattenResults": False,
            "clustering": {"fields": ["a", "b"]},
            "destinationEncryptionConfiguration": {"kmsKeyName": "k"},
        },
        "labels": {"team": "data"},
    }
    assert not result.todos


def test_bigquery_destination_arguments_are_dropped_without_a_destination():
    """run_query only sent the dispositions with a destination table."""
    result = convert(BQ + "q = BigQueryOperator(task_id='q', sql=QUERY, write_disposition='WRITE_TRUNCATE')\n")
    assert call_kwargs(result.code, "BigQueryInsertJobOperator")["configuration"] == (
        "{'query': {'query': QUERY, 'useLegacySql': True, 'priority': 'INTERACTIVE'}}")


def test_bigquery_none_and_empty_values_are_not_sent():
    result = convert(BQ + "q = BigQueryOperator(task_id='q', sql='SELECT 1', labels=None, time_partitioning={}, "
                          "schema_update_options=(), cluster_fields=[])\n")
    assert call_kwargs(result.code, "BigQueryInsertJobOperator")["configuration"] == {
        "query": {"query": "SELECT 1", "useLegacySql": True, "priority": "INTERACTIVE"}}


def test_bigquery_keeps_aliases_comments_and_other_arguments():
    result = convert("""
        from airflow.contrib.operators import bigquery_operator as bq
        from airflow import DAG
        with DAG('d', schedule_interval=None) as dag:
            q = bq.BigQueryOperator(
                task_id="q",  # the totals
                sql="SELECT 1",
                use_legacy_sql=False,
                retries=3,
            )
    """)
    assert 'task_id="q",  # the totals' in result.code
    assert '"query": "SELECT 1"' in result.code  # the call's quote style
    kwargs = call_kwargs(result.code, "BigQueryInsertJobOperator")
    assert kwargs["retries"] == 3 and "sql" not in kwargs


def test_bigquery_keeps_comments_and_multi_line_sql():
    source = BQ + textwrap.dedent("""
        with dag:
            q = BigQueryOperator(
                task_id='q',
                sql=\"\"\"
                    SELECT day, COUNT(*)  -- not a Python comment
                    FROM `p.d.events`
                    GROUP BY day
                \"\"\",  # the daily count
                # standard SQL
                use_legacy_sql=False,
                time_partitioning={
                    'type': 'DAY',  # daily partitions
                },
            )
    """)
    result = convert(source)
    for comment in ("# the daily count", "# standard SQL", "# daily partitions"):
        assert comment in result.code
    assert "\n            SELECT day, COUNT(*)  -- not a Python comment\n" in result.code  # the text is untouched
    assert "                    'type': 'DAY',  # daily partitions\n                },\n" in result.code


@pytest.mark.parametrize("call,fragment", [
    ("sql=['SELECT 1', 'SELECT 2']", "one job per query"),
    ("sql='SELECT 1', bql='SELECT 2'", "both sql and bql"),
    ("sql='SELECT 1', destination_dataset_table='a.b.c.d'", "Airflow 1.10 raised an error for it"),
    ("sql='SELECT 1', destination_dataset_table=7", "is not a string"),
    ("sql='SELECT 1', destination_dataset_table='d.{{ params.t }}.json'", "read as a template file"),
    ("sql='SELECT 1', destination_dataset_table='d.t', pre_execute=check", "already sets pre_execute"),
    ("sql='SELECT 1', destination_dataset_table='d.t', api_resource_configs={'query': {'createDisposition': 'X'}}",
     "merge them into configuration by hand"),
    ("sql='SELECT 1', query_params=[{'name': 'x'}]", "legacy SQL"),
    ("sql='SELECT 1', api_resource_configs=CONFIGS", "not a literal dict"),
    ("sql='SELECT 1', api_resource_configs={'query': {'useLegacySql': False}}", "raised an error"),
    ("sql='SELECT 1', use_legacy_sql=False, query_params=[{'name': 'x', 'v': '{{ ds }}'}]", "Jinja"),
    ("sql='SELECT 1', delegate_to='svc@p.iam'", "delegate_to"),
    ("sql='SELECT 1', project_id='p'", "project_id"),
    ("sql='SELECT 1', **extra", "**kwargs"),
])
def test_bigquery_declines(call, fragment):
    result = convert(BQ + f"q = BigQueryOperator(task_id='q', {call})\n")
    assert "BigQueryOperator(" in result.code
    assert_declined(result, "AM801", fragment)


@pytest.mark.parametrize("setup,destination,expected", [
    ("P = 'acme'\n", "P + '.sales.daily${{ ds_nodash }}'",
     "{'projectId': P, 'datasetId': 'sales', 'tableId': 'daily${{ ds_nodash }}'}"),
    ("P = 'acme'\nTABLE = 'sales.daily'\n", "f'{P}.{TABLE}'",  # a constant holding a separator is taken apart
     "{'projectId': P, 'datasetId': 'sales', 'tableId': 'daily'}"),
    ("P = 'acme'\nfor region in ['emea', 'amer']:\n    ", "'{}.marts.sales_{}'.format(P, region)",
     "{'projectId': P, 'datasetId': 'marts', 'tableId': 'sales_' + region}"),
    ("NAME = 'acme:sales.t_{{ ds_nodash }}'\n", "NAME",
     "{'projectId': 'acme', 'datasetId': 'sales', 'tableId': 't_{{ ds_nodash }}'}"),
])
def test_bigquery_destination_built_from_constants(setup, destination, expected):
    result = convert(BQ + setup + f"q = BigQueryOperator(task_id='q', sql='SELECT 1', "
                                  f"destination_dataset_table={destination})\n")
    configuration = str(call_kwargs(result.code, "BigQueryInsertJobOperator")["configuration"])
    assert f"'destinationTable': {expected}" in configuration
    assert not result.todos


@pytest.mark.parametrize("setup,destination", [
    ("for t in ['a.b', 'c.d']:\n    ", "'p.' + t"),  # a piece may hold '.' or ':'
    ("def make(table):\n    return ", "'p.d.' + table"),  # computed
    ("P = 'acme'\n", "'{}.d.{:>5}'.format(P, 't')"),  # computed
    ("", "f'{P}.d.t'"),  # P is not the file's constant
    ("D = 'reporting'\n", "D + '.t'"),  # no project: 1.10 used the connection's
    ("", "'{{ params.p }}.d.t'"),  # a template whose parts are known at run time
    ("", "Variable.get('table')"),
])
def test_bigquery_destination_split_when_the_task_runs(setup, destination):
    result = convert(BQ + setup + f"BigQueryOperator(task_id='q', sql='SELECT 1', "
                                  f"destination_dataset_table={destination})\n")
    assert not result.todos, [t.message for t in result.todos]
    kwargs = call_kwargs(result.code, "BigQueryInsertJobOperator")
    assert kwargs["pre_execute"] == "split_destination_table"
    assert "project_id" not in kwargs  # no default_args: the new class's default, the connection's project
    configuration = kwargs["configuration"]
    assert f"'destinationTable': {destination}, 'writeDisposition': 'WRITE_EMPTY'" in str(configuration)
    assert "from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook\n" in result.code
    assert "# Added by composer-migrate (AM801)" in result.code


def test_bigquery_destination_helper_is_defined_once_under_a_free_name():
    result = convert(BQ, """
        def split_destination_table():
            pass
        a = BigQueryOperator(task_id='a', sql='SELECT 1', destination_dataset_table='d.a')
        b = BigQueryOperator(task_id='b', sql='SELECT 1', destination_dataset_table='p.d.b')
        c = BigQueryOperator(task_id='c', sql='SELECT 1', destination_dataset_table='d.{{ ds_nodash }}')
    """)
    assert result.code.count("def split_destination_table_2(context):") == 1
    assert result.code.count("pre_execute=split_destination_table_2") == 2  # b's project is in the file
    assert result.code.index("def split_destination_table_2") < result.code.index("a = BigQueryInsertJobOperator")


def test_bigquery_project_id_from_default_args_is_not_passed_to_the_job():
    """1.10's BigQueryOperator had no project_id parameter, so default_args could not give it one: the job ran
    in the connection's project. The new class takes project_id, so the rule passes None over default_args."""
    result = convert(BQ, """
        from airflow import DAG
        ARGS = {'project_id': '{{ var.value.gcp_project }}'}
        with DAG('d', default_args=ARGS, schedule_interval=None) as dag:
            q = BigQueryOperator(task_id='q', sql='SELECT 1', destination_dataset_table='p.d.t')
    """)
    kwargs = call_kwargs(result.code, "BigQueryInsertJobOperator")
    assert kwargs["project_id"] is None and "pre_execute" not in kwargs
    assert not result.todos


def test_bigquery_sql_name_bound_to_a_list_is_declined():
    result = convert(BQ + "QUERIES = ['SELECT 1', 'SELECT 2']\nq = BigQueryOperator(task_id='q', sql=QUERIES)\n")
    assert_declined(result, "AM801", "one job per query")


def test_bigquery_argument_from_default_args_moves_into_the_configuration():
    result = convert(BQ, """
        from airflow import DAG
        ARGS = {'owner': 'x'}
        ARGS['use_legacy_sql'] = False
        with DAG('d', default_args=ARGS, schedule_interval=None) as dag:
            q = BigQueryOperator(task_id='q', sql='SELECT 1')
    """)
    assert call_kwargs(result.code, "BigQueryInsertJobOperator")["configuration"] == (
        "{'query': {'query': 'SELECT 1', 'useLegacySql': ARGS['use_legacy_sql'], 'priority': 'INTERACTIVE'}}")
    assert not result.todos


def test_bigquery_connection_from_default_args_is_passed_as_gcp_conn_id():
    result = convert(BQ, """
        from airflow import DAG
        with DAG('d', default_args={'bigquery_conn_id': 'bq'}, schedule_interval=None) as dag:
            q = BigQueryOperator(task_id='q', sql='SELECT 1')
    """)
    assert call_kwargs(result.code, "BigQueryInsertJobOperator")["gcp_conn_id"] == "bq"


TWO_DAGS_TWO_VALUES = """
with DAG('a', default_args={'use_legacy_sql': False}, schedule_interval=None) as a:
    q = BigQueryOperator(task_id='q', sql='SELECT 1')
with DAG('b', default_args={'use_legacy_sql': True}, schedule_interval=None) as b:
    r = BigQueryOperator(task_id='r', sql='SELECT 1')
"""
ONE_DAG_WITHOUT_DEFAULT_ARGS = """
with DAG('a', default_args={'use_legacy_sql': False}, schedule_interval=None) as a:
    q = BigQueryOperator(task_id='q', sql='SELECT 1')
with DAG('b', schedule_interval=None) as b:
    r = BigQueryOperator(task_id='r', sql='SELECT 1')
"""
COMPUTED_DEFAULT_ARGS = """
def make(name):
    return {'use_legacy_sql': name == 'x'}
with DAG('a', default_args=make('a'), schedule_interval=None) as a:
    q = BigQueryOperator(task_id='q', sql='SELECT 1')
"""


@pytest.mark.parametrize("dags,fragment", [
    (TWO_DAGS_TWO_VALUES, "where its value comes from is not clear"),
    (ONE_DAG_WITHOUT_DEFAULT_ARGS, "where its value comes from is not clear"),
    (COMPUTED_DEFAULT_ARGS, "cannot be read statically"),
])
def test_default_args_whose_value_is_not_clear_are_declined(dags, fragment):
    result = convert(BQ + "from airflow import DAG\n" + dags)
    assert_declined(result, "AM801", fragment)


def test_imported_default_args_are_declined():
    result = convert(BQ, """
        from airflow import DAG
        from common.settings import DEFAULT_ARGS
        with DAG('d', default_args=DEFAULT_ARGS, schedule_interval=None) as dag:
            q = BigQueryOperator(task_id='q', sql='SELECT 1')
    """)
    assert_declined(result, "AM801", "cannot be read statically")


def test_default_args_of_a_subdag_factory_are_followed_to_its_callers():
    source = BQ + textwrap.dedent("""
        from airflow import DAG
        ARGS = {'owner': 'x', 'use_legacy_sql': False}

        def load_subdag(parent, child, args):
            sub = DAG(f'{parent}.{child}', default_args=args, schedule_interval=None)
            BigQueryOperator(task_id='q', sql='SELECT 1', dag=sub)
            return sub
    """)
    called = convert(source + "\nload_subdag('p', 'c', ARGS)\n")
    assert "'useLegacySql': ARGS['use_legacy_sql']" in called.code and not called.todos
    assert_declined(convert(source), "AM801", "cannot be read statically")  # no caller shows the dict


def test_default_args_built_inside_a_dag_factory():
    result = convert(DP.format("DataProcHiveOperator"), """
        from airflow import DAG

        def create_dag(dag_id, cluster):
            args = {'owner': 'x', 'cluster_name': 'shared-etl', 'region': 'eu'}
            dag = DAG(dag_id, default_args=args, schedule_interval=None)
            DataProcHiveOperator(task_id='h', query='SHOW TABLES', dag=dag)
            return dag
    """)
    kwargs = call_kwargs(result.code, "DataprocSubmitJobOperator")
    assert kwargs["job"]["placement"] == {"cluster_name": "shared-etl"} and "region" not in kwargs


def test_default_args_without_operator_arguments_do_not_block():
    result = convert(BQ, """
        from airflow import DAG
        BASE = {'owner': 'x', 'retries': 1}
        with DAG('d', default_args={**BASE, 'email': ['a@b.c']}, schedule_interval=None) as dag:
            q = BigQueryOperator(task_id='q', sql='SELECT 1')
    """)
    assert "BigQueryInsertJobOperator(" in result.code and not result.todos


# -- AM802 BigQueryCreateEmptyTableOperator -> BigQueryCreateTableOperator --------------------------------


def test_create_table_keeps_gcs_schema_and_fails_when_the_table_exists():
    result = convert("""
        from airflow.contrib.operators.bigquery_operator import BigQueryCreateEmptyTableOperator
        t = BigQueryCreateEmptyTableOperator(task_id='t', dataset_id='d', table_id='t',
                                             gcs_schema_object='gs://b/schema.json', labels={'a': 'b'},
                                             google_cloud_storage_conn_id='gcs')
    """)
    kwargs = call_kwargs(result.code, "BigQueryCreateTableOperator")
    assert kwargs == {"task_id": "t", "dataset_id": "d", "table_id": "t", "table_resource": {"labels": {"a": "b"}},
                      "if_exists": "fail", "gcs_schema_object": "gs://b/schema.json",
                      "google_cloud_storage_conn_id": "gcs"}


def test_create_table_declines_jinja_in_a_schema():
    result = convert("""
        from airflow.contrib.operators.bigquery_operator import BigQueryCreateEmptyTableOperator
        t = BigQueryCreateEmptyTableOperator(task_id='t', dataset_id='d', table_id='t',
                                             schema_fields=[{'name': 'x', 'description': '{{ not rendered }}'}])
    """)
    assert_declined(result, "AM802", "Jinja")


# -- AM803 DataProc*Operator -> DataprocSubmitJobOperator ------------------------------------------------

DP = "from airflow.contrib.operators.dataproc_operator import {}\n"


@pytest.mark.parametrize("operator,call,expected", [
    ("DataProcSparkOperator", "main_jar='gs://j/a.jar', arguments=['x'], files=['gs://f'], archives=['gs://a.zip']",
     {"spark_job": {"main_jar_file_uri": "gs://j/a.jar", "args": ["x"], "file_uris": ["gs://f"],
                    "archive_uris": ["gs://a.zip"]}}),
    ("DataProcHadoopOperator", "main_class='org.Main', dataproc_hadoop_jars=['gs://j/a.jar']",
     {"hadoop_job": {"main_class": "org.Main", "jar_file_uris": ["gs://j/a.jar"]}}),
    ("DataProcPigOperator", "query_uri='gs://q/x.pig', variables={'out': 'gs://o'}",
     {"pig_job": {"query_file_uri": "gs://q/x.pig", "script_variables": {"out": "gs://o"}}}),
    ("DataProcSparkSqlOperator", "query='SELECT 1', dataproc_spark_properties={'a': 'b'}",
     {"spark_sql_job": {"query_list": {"queries": ["SELECT 1"]}, "properties": {"a": "b"}}}),
    ("DataProcPySparkOperator", "main=f'gs://{BUCKET}/x.py', labels={'team': 'data'}",
     {"pyspark_job": {"main_python_file_uri": "f'gs://{BUCKET}/x.py'"}, "labels": {"team": "data"}}),
])
def test_dataproc_job_kinds(operator, call, expected):
    result = convert(DP.format(operator) + f"j = {operator}(task_id='j', cluster_name='c', {call}, region='r')\n")
    kwargs = call_kwargs(result.code, "DataprocSubmitJobOperator")
    job = kwargs["job"]
    if isinstance(job, str):  # a non-literal value inside: compare the source
        assert job == str({"placement": {"cluster_name": "c"}, **expected}).replace('"', "")
    else:
        assert job == {"placement": {"cluster_name": "c"}, **expected}
    assert kwargs["region"] == "r"
    assert not result.todos


def test_dataproc_defaults_made_explicit():
    result = convert(DP.format("DataProcHiveOperator") + "h = DataProcHiveOperator(task_id='h', query='SHOW TABLES')\n")
    kwargs = call_kwargs(result.code, "DataprocSubmitJobOperator")
    assert kwargs["job"]["placement"] == {"cluster_name": "cluster-1"}
    assert kwargs["region"] == "global"


def test_dataproc_region_from_default_args_is_left_to_them():
    result = convert(DP.format("DataProcHiveOperator"), """
        from airflow import DAG
        default_args = {'owner': 'x'}
        default_args.update({'region': 'europe-west1'})
        with DAG('d', default_args=default_args, schedule_interval=None) as dag:
            h = DataProcHiveOperator(task_id='h', query='SHOW TABLES', cluster_name='c')
    """)
    assert "region" not in call_kwargs(result.code, "DataprocSubmitJobOperator")


def test_dataproc_region_in_an_options_dict_is_not_default_args():
    result = convert(DP.format("DataProcHiveOperator"), """
        OPTIONS = {'region': 'europe-west1'}
        h = DataProcHiveOperator(task_id='h', query='SHOW TABLES', cluster_name='c')
    """)
    assert call_kwargs(result.code, "DataprocSubmitJobOperator")["region"] == "global"


def test_pyspark_main_built_from_a_gcs_constant():
    result = convert(DP.format("DataProcPySparkOperator") + "JOBS = 'gs://jobs'\n"
                     "j = DataProcPySparkOperator(task_id='j', main=JOBS + '/x.py', cluster_name='c', region='r')\n")
    assert call_kwargs(result.code, "DataprocSubmitJobOperator")["job"] == (
        "{'placement': {'cluster_name': 'c'}, 'pyspark_job': {'main_python_file_uri': JOBS + '/x.py'}}")


@pytest.mark.parametrize("states", ["{'ERROR'}", "{'ERROR', 'CANCELLED'}", "None"])
def test_dataproc_default_error_states_are_dropped(states):
    result = convert(DP.format("DataProcHiveOperator") +
                     f"h = DataProcHiveOperator(task_id='h', query='q', cluster_name='c', job_error_states={states})\n")
    assert "job_error_states" not in call_kwargs(result.code, "DataprocSubmitJobOperator")


@pytest.mark.parametrize("operator,call,fragment", [
    ("DataProcHiveOperator", "query='x.q'", "read as a template file"),
    ("DataProcPigOperator", "query='x.pig'", "read as a template file"),
    ("DataProcHiveOperator", "query='q', query_uri='gs://q'", "both set"),
    ("DataProcHiveOperator", "variables={'a': 1}", "neither query nor query_uri"),
    ("DataProcSparkOperator", "main_jar='gs://a.jar', main_class='M'", "both set"),
    ("DataProcSparkOperator", "arguments=['x']", "neither main_jar nor main_class"),
    ("DataProcPySparkOperator", "main='jobs/local.py'", "local file"),
    ("DataProcPySparkOperator", "main=MAIN", "local file"),
    ("DataProcPySparkOperator", "main='gs://m.py', job_name='nightly'", "job_name"),
    ("DataProcPySparkOperator", "main='gs://m.py', job_error_states={'ERROR', 'SETUP_DONE'}", "job_error_states"),
    ("DataProcPySparkOperator", "main='gs://m.py', files=['gs://{{ ds }}/f']", "not templated"),
    ("DataProcPySparkOperator", "main='gs://m.py', delegate_to='svc@p.iam'", "delegate_to"),
])
def test_dataproc_declines(operator, call, fragment):
    result = convert(DP.format(operator) + f"j = {operator}(task_id='j', cluster_name='c', {call})\n")
    assert f"{operator}(" in result.code
    assert_declined(result, "AM803", fragment)


def test_dataproc_arguments_from_default_args_move_into_the_job():
    result = convert(DP.format("DataProcPySparkOperator"), """
        from airflow import DAG
        with DAG('d', default_args={'cluster_name': 'etl', 'dataproc_pyspark_jars': ['gs://j.jar'], 'region': 'eu'},
                 schedule_interval=None) as dag:
            j = DataProcPySparkOperator(task_id='j', main='gs://m.py')
    """)
    kwargs = call_kwargs(result.code, "DataprocSubmitJobOperator")
    assert kwargs["job"] == {"placement": {"cluster_name": "etl"},
                             "pyspark_job": {"main_python_file_uri": "gs://m.py", "jar_file_uris": ["gs://j.jar"]}}
    assert "region" not in kwargs  # default_args gives it to the new class too


# -- AM804 DataprocClusterCreateOperator flat arguments -> ClusterGenerator ------------------------------

CLUSTER = "from airflow.contrib.operators.dataproc_operator import DataprocClusterCreateOperator\n"


def test_cluster_inline_call():
    result = convert(CLUSTER + "c = DataprocClusterCreateOperator(task_id='c', cluster_name='c', project_id=P, "
                               "num_workers=0, worker_disk_size=100, labels={'a': 'b'})\n")
    kwargs = call_kwargs(result.code, "DataprocCreateClusterOperator")
    assert kwargs["cluster_config"] == ("ClusterGenerator(project_id=P, num_workers=0, worker_disk_size=100, "
                                        "master_disk_size=500).make()")
    assert kwargs["labels"] == {"a": "b"} and kwargs["region"] == "global" and kwargs["use_if_exists"] is False
    assert "from airflow.providers.google.cloud.operators.dataproc import DataprocCreateClusterOperator, " \
           "ClusterGenerator" in result.code


def test_cluster_in_the_2_x_style_is_left_alone():
    source = ("from airflow.providers.google.cloud.operators.dataproc import DataprocCreateClusterOperator\n"
              "c = DataprocCreateClusterOperator(task_id='c', cluster_name='c', region='r', cluster_config={})\n")
    assert convert(source).code == source


@pytest.mark.parametrize("call,fragment", [
    ("cluster_name='c', num_workers=2", "no project_id"),
    ("cluster_name='c', project_id='p', num_workers=2, metadata={'script': '{{ x }}'}", "Jinja"),
    ("cluster_name='c', project_id='p', num_workers=2, cluster_config={}", "cluster_config"),
])
def test_cluster_declines(call, fragment):
    result = convert(CLUSTER + f"c = DataprocClusterCreateOperator(task_id='c', {call})\n")
    assert "num_workers=2" in result.code
    assert_declined(result, "AM804", fragment)


# -- AM805 database operators -> SQLExecuteQueryOperator -------------------------------------------------


@pytest.mark.parametrize("module,operator,conn", [
    ("airflow.operators.postgres_operator", "PostgresOperator", "postgres_default"),
    ("airflow.operators.mysql_operator", "MySqlOperator", "mysql_default"),
    ("airflow.operators.sqlite_operator", "SqliteOperator", "sqlite_default"),
    ("airflow.operators.mssql_operator", "MsSqlOperator", "mssql_default"),
    ("airflow.operators.oracle_operator", "OracleOperator", "oracle_default"),
    ("airflow.operators.jdbc_operator", "JdbcOperator", "jdbc_default"),
    ("airflow.contrib.operators.vertica_operator", "VerticaOperator", "vertica_default"),
])
def test_sql_default_connection_made_explicit(module, operator, conn):
    result = convert(f"from {module} import {operator}\nt = {operator}(task_id='t', sql='SELECT 1')\n")
    kwargs = call_kwargs(result.code, "SQLExecuteQueryOperator")
    assert kwargs == {"task_id": "t", "sql": "SELECT 1", "conn_id": conn, "do_xcom_push": False}


def test_sql_provider_missing_from_the_profile_is_a_todo_but_converted():
    result = convert("from airflow.operators.mssql_operator import MsSqlOperator\n"
                     "t = MsSqlOperator(task_id='t', sql='SELECT 1', mssql_conn_id='ms')\n")
    assert call_kwargs(result.code, "SQLExecuteQueryOperator")["conn_id"] == "ms"
    assert any("apache-airflow-providers-microsoft-mssql" in m for m in todos(result, "AM805"))


def test_snowflake_autocommit_default_made_explicit():
    result = convert("from airflow.contrib.operators.snowflake_operator import SnowflakeOperator\n"
                     "t = SnowflakeOperator(task_id='t', sql='CALL p()', snowflake_conn_id='sf')\n")
    kwargs = call_kwargs(result.code, "SQLExecuteQueryOperator")
    assert kwargs["autocommit"] is True and kwargs["conn_id"] == "sf"


def test_sql_default_args_with_shared_arguments():
    result = convert("""
        from airflow import DAG
        from airflow.contrib.operators.snowflake_operator import SnowflakeOperator
        with DAG('d', default_args=dict(autocommit=False, do_xcom_push=True), schedule_interval=None) as dag:
            t = SnowflakeOperator(task_id='t', sql='CALL p()')
    """)
    kwargs = call_kwargs(result.code, "SQLExecuteQueryOperator")
    assert "autocommit" not in kwargs and "do_xcom_push" not in kwargs  # default_args supplies them, as in 1.10


@pytest.mark.parametrize("source,fragment", [
    (("from airflow.operators.postgres_operator import PostgresOperator\n"
      "t = PostgresOperator(task_id='t', sql='x', parameters={'d': '{{ ds ' '}}'})\n"), "Jinja"),
    (("from airflow import DAG\n"
      "from airflow.operators.postgres_operator import PostgresOperator\n"
      "dag = DAG('d', render_template_as_native_obj=True)\n"
      "t = PostgresOperator(task_id='t', sql='x', parameters={'d': '{{ ds }}'}, dag=dag)\n"), "Jinja environment"),
    (("from airflow.operators.postgres_operator import PostgresOperator\n"
      "t = PostgresOperator(task_id='t', sql='x', parameters={'f': 'rows.json'})\n"), "template file"),
    (("from airflow.operators.postgres_operator import PostgresOperator\n"
      "t = PostgresOperator(task_id='t', sql='x', runtime_parameters={'statement_timeout': '1s'})\n"), "hook_params"),
    (("from airflow.operators.sqlite_operator import SqliteOperator\n"
      "t = SqliteOperator(task_id='t', sql='x', autocommit=True)\n"), "autocommit"),
])
def test_sql_declines(source, fragment):
    assert_declined(convert(source), "AM805", fragment)


def test_sql_connection_from_default_args_is_passed_as_conn_id():
    result = convert("""
        from airflow import DAG
        from airflow.operators.postgres_operator import PostgresOperator
        ARGS = {'postgres_conn_id': 'warehouse'}
        with DAG('d', default_args=ARGS, schedule_interval=None) as dag:
            t = PostgresOperator(task_id='t', sql='x')
    """)
    assert call_kwargs(result.code, "SQLExecuteQueryOperator")["conn_id"] == "ARGS['postgres_conn_id']"


# -- AM806 DataFlow*Operator -> BeamRun*PipelineOperator --------------------------------------------------

DF = "from airflow.contrib.operators.dataflow_operator import DataFlowJavaOperator, DataFlowPythonOperator\n"


def test_beam_python_options_precedence_and_configuration():
    result = convert(DF, """
        t = DataFlowPythonOperator(task_id='t', py_file='gs://p/x.py', py_options=['-m'], poll_sleep=5,
                                   dataflow_default_options={'project': 'a', 'region': 'r1'},
                                   options={'project': 'b', 'numWorkers': '3'})
    """)
    kwargs = call_kwargs(result.code, "BeamRunPythonPipelineOperator")
    assert kwargs["runner"] == "DataflowRunner" and kwargs["py_options"] == ["-m"]
    assert kwargs["default_pipeline_options"] == {"project": "a", "region": "r1"}
    assert kwargs["pipeline_options"] == {"project": "b", "numWorkers": "3"}
    # options win over the defaults, as in 1.10
    assert kwargs["dataflow_config"] == "DataflowConfiguration(project_id='b', location='r1', poll_sleep=5)"


def test_beam_java_always_starts_the_job():
    result = convert(DF + "t = DataFlowJavaOperator(task_id='t', jar='gs://j.jar', job_class='M', "
                          "dataflow_default_options={'project': 'p'})\n")
    kwargs = call_kwargs(result.code, "BeamRunJavaPipelineOperator")
    assert kwargs["job_class"] == "M"
    assert kwargs["dataflow_config"] == ("DataflowConfiguration(project_id='p', "
                                         "check_if_running=CheckJobRunning.IgnoreJob)")


@pytest.mark.parametrize("call,fragment", [
    ("options={'region': 'r'}", "no 'project'"),
    ("options={'project': '{{ var.value.p }}'}", "is a template"),
    ("options={'project': 'p', 'job_name': 'x'}", "job name"),
    ("options={'project': 'p', 'streaming': None}", "bare --streaming flag"),
    ("options={'project': 'p', 'usePublicIPs': 'false'}", "snake_case"),
    ("options=make_options()", "cannot be read"),
    ("options={'project': 'p'}, delegate_to='svc@p.iam'", "delegate_to"),
])
def test_beam_declines(call, fragment):
    result = convert(DF + f"t = DataFlowPythonOperator(task_id='t', py_file='gs://p/x.py', {call})\n")
    assert_declined(result, "AM806", fragment)


def test_beam_templated_project_in_a_module_dict_is_declined():
    result = convert(DF, """
        OPTIONS = {'project': '{{ var.value.project }}'}
        t = DataFlowPythonOperator(task_id='t', py_file='gs://p/x.py', dataflow_default_options=OPTIONS)
    """)
    assert_declined(result, "AM806", "is a template")


def test_beam_java_job_name_option_is_overridden_as_in_1_10():
    result = convert(DF + "t = DataFlowJavaOperator(task_id='t', jar='gs://j.jar', "
                          "options={'project': 'p', 'jobName': 'x'})\n")
    assert "BeamRunJavaPipelineOperator(" in result.code and not result.todos


def test_beam_default_options_from_default_args_move_into_the_call():
    result = convert(DF, """
        from airflow import DAG
        default_args = {'dataflow_default_options': {'project': 'p', 'region': 'r'}}
        with DAG('d', default_args=default_args, schedule_interval=None) as dag:
            t = DataFlowPythonOperator(task_id='t', py_file='gs://p/x.py')
    """)
    kwargs = call_kwargs(result.code, "BeamRunPythonPipelineOperator")
    assert kwargs["default_pipeline_options"] == "default_args['dataflow_default_options']"
    assert kwargs["dataflow_config"] == ("DataflowConfiguration(project_id=default_args['dataflow_default_options']"
                                         "['project'], location=default_args['dataflow_default_options']['region'])")


def test_cluster_project_from_default_args():
    result = convert(CLUSTER, """
        from airflow import DAG
        ARGS = {'project_id': '{{ var.value.gcp_project }}'}
        with DAG('d', default_args=ARGS, schedule_interval=None) as dag:
            c = DataprocClusterCreateOperator(task_id='c', cluster_name='c', num_workers=2, zone='z')
    """)
    kwargs = call_kwargs(result.code, "DataprocCreateClusterOperator")
    assert "project_id" not in kwargs
    assert kwargs["cluster_config"].startswith("ClusterGenerator(project_id=ARGS['project_id'], num_workers=2")


# -- the real Airflow 2 runtime ---------------------------------------------------------------------------


AIRFLOW_1_DAG = '''
"""Nightly analytics pipeline (Airflow 1.10)."""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.operators.bigquery_operator import BigQueryCreateEmptyTableOperator, BigQueryOperator
from airflow.contrib.operators.dataflow_operator import DataFlowJavaOperator, DataFlowPythonOperator
from airflow.contrib.operators.dataproc_operator import (
    DataprocClusterCreateOperator,
    DataprocClusterDeleteOperator,
    DataProcHiveOperator,
    DataProcPySparkOperator,
    DataProcSparkOperator,
)
from airflow.operators.mysql_operator import MySqlOperator
from airflow.operators.postgres_operator import PostgresOperator

PROJECT = 'analytics-prod'
DATAFLOW_DEFAULTS = {'project': PROJECT, 'region': 'europe-west1', 'tempLocation': 'gs://tmp/dataflow'}

REGIONS = ['emea', 'amer']

default_args = {
    'owner': 'data',
    'retries': 1,
    'retry_delay': timedelta(minutes=5),
    'start_date': datetime(2021, 1, 1),
    'cluster_name': 'etl-{{ ds_nodash }}',  # every Dataproc job runs there
}

with DAG('replaced_ops', default_args=default_args, schedule_interval='@daily', catchup=False) as dag:
    create_table = BigQueryCreateEmptyTableOperator(
        task_id='create_table',
        project_id=PROJECT,
        dataset_id='reporting',
        table_id='daily_{{ ds_nodash }}',
        schema_fields=[{'name': 'day', 'type': 'DATE', 'mode': 'REQUIRED'}],
        labels={'team': 'data'},
        bigquery_conn_id='bq',
    )
    daily = BigQueryOperator(
        task_id='daily',
        sql='sql/daily.sql',  # templated file, rendered by the operator
        destination_dataset_table='analytics-prod.reporting.daily${{ ds_nodash }}',
        write_disposition='WRITE_TRUNCATE',
        use_legacy_sql=False,
        time_partitioning={'type': 'DAY'},
        cluster_fields=['day'],
        labels={'team': 'data'},
        bigquery_conn_id='bq',
        location='EU',
    )
    count = BigQueryOperator(task_id='count', bql='SELECT COUNT(*) FROM [analytics-prod:reporting.daily]')
    cluster = DataprocClusterCreateOperator(
        task_id='create_cluster',
        cluster_name='etl-{{ ds_nodash }}',
        project_id=PROJECT,
        num_workers=2,
        zone='europe-west1-b',
        master_machine_type='n1-standard-8',
        init_actions_uris=['gs://init/pip.sh'],
        metadata={'PIP_PACKAGES': 'pyyaml'},
        region='europe-west1',
    )
    sessionize = DataProcPySparkOperator(
        task_id='sessionize',
        main='gs://jobs/sessionize.py',
        arguments=['--date', '{{ ds }}'],
        pyfiles=['gs://jobs/lib.zip'],
        cluster_name='etl-{{ ds_nodash }}',
        dataproc_pyspark_properties={'spark.executor.memory': '4g'},
        region='europe-west1',
    )
    hive = DataProcHiveOperator(task_id='hive', query='SHOW TABLES')
    spark = DataProcSparkOperator(task_id='spark', main_class='com.example.Job', dataproc_spark_jars=['gs://j.jar'],
                                  cluster_name='etl-{{ ds_nodash }}', region='europe-west1')
    wordcount = DataFlowPythonOperator(
        task_id='wordcount',
        py_file='gs://pipelines/wordcount.py',
        job_name='wordcount-{{ ds_nodash }}',
        dataflow_default_options=DATAFLOW_DEFAULTS,
        options={'output': 'gs://out/{{ ds }}/'},
        gcp_conn_id='dataflow',
    )
    java = DataFlowJavaOperator(task_id='java', jar='gs://jars/etl.jar', job_class='com.example.Etl',
                                options={'project': PROJECT, 'stagingLocation': 'gs://tmp/staging'}, poll_sleep=30)
    load = PostgresOperator(task_id='load', postgres_conn_id='warehouse', sql='sql/load.sql', autocommit=True)
    purge = MySqlOperator(task_id='purge', sql='DELETE FROM tmp_events WHERE day < %(day)s',
                          parameters={'day': '2020-01-01'}, database='events')

    delete = DataprocClusterDeleteOperator(task_id='delete_cluster', cluster_name='etl-{{ ds_nodash }}',
                                           project_id=PROJECT)
    for region in REGIONS:
        mart = BigQueryOperator(
            task_id='mart_{}'.format(region),
            sql="SELECT * FROM `analytics-prod.reporting.daily` WHERE region = '%s'" % region,
            destination_dataset_table=PROJECT + '.marts.sales_{}${{{{ ds_nodash }}}}'.format(region),
            write_disposition='WRITE_TRUNCATE',
            use_legacy_sql=False,
        )
        count >> mart

    create_table >> daily >> count >> cluster >> [sessionize, hive, spark] >> delete
    delete >> wordcount >> java >> load >> purge
'''

# Runs inside the runtime: load the folder, render the templates of one run, check the Dataproc dicts with
# the client's own protos, print what the operators hold.
LOADER = r'''
import json, sys
from airflow.models import DagBag
bag = DagBag(sys.argv[1], include_examples=False)
out = {"import_errors": {k: str(v) for k, v in bag.import_errors.items()},
       "warnings": {k: [str(w) for w in v] for k, v in bag.captured_warnings.items()}, "tasks": {}}
dag = bag.dags.get("replaced_ops")
if dag is not None:
    from google.cloud.dataproc_v1 import ClusterConfig, Job
    context = {"ds": "2024-01-02", "ds_nodash": "20240102", "params": {}, "dag": dag}
    for task in dag.tasks:
        context["task"] = task
        task.render_template_fields(context, jinja_env=dag.get_template_env())
        info = {"class": type(task).__name__}
        for attr in ("configuration", "job", "table_resource", "cluster_config", "region", "project_id",
                     "gcp_conn_id", "conn_id", "sql", "parameters", "autocommit", "database", "do_xcom_push",
                     "runner", "py_file", "jar", "job_class", "default_pipeline_options", "pipeline_options",
                     "use_if_exists", "location", "dataset_id", "table_id", "cluster_name"):
            if hasattr(task, attr):
                info[attr] = getattr(task, attr)
        if hasattr(task, "if_exists"):
            info["if_exists"] = task.if_exists.value
        if hasattr(task, "dataflow_config"):
            info["dataflow_config"] = {k: getattr(v, "name", v) for k, v in vars(task.dataflow_config).items()}
        if hasattr(task, "job"):
            Job(task.job)
        if getattr(task, "cluster_config", None):
            ClusterConfig(task.cluster_config)
        out["tasks"][task.task_id] = info
print("RESULT " + json.dumps(out, default=str))
'''


def runtime_python() -> Path:
    return require_runtime_python()


@pytest.mark.slow
def test_converted_dag_loads_and_holds_the_1_10_settings_in_airflow_2(tmp_path):
    python = runtime_python()
    result = convert_source(AIRFLOW_1_DAG, "replaced_ops.py")
    assert not result.todos, [t.message for t in result.todos]
    converted = {c.rule for c in result.changes}
    assert {"AM801", "AM802", "AM803", "AM804", "AM805", "AM806", "AM807"} <= converted

    dags = tmp_path / "dags"
    (dags / "sql").mkdir(parents=True)
    (dags / "replaced_ops.py").write_text(result.code)
    (dags / "sql" / "daily.sql").write_text("SELECT DATE '{{ ds }}' AS day")
    (dags / "sql" / "load.sql").write_text("INSERT INTO loads VALUES ('{{ ds }}')")
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AIRFLOW_HOME": str(home),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__CORE__UNIT_TEST_MODE": "False"}
    proc = subprocess.run([str(python), "-W", "always", "-c", LOADER, str(dags)], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    loaded = json.loads(lines[-1][len("RESULT "):])

    assert loaded["import_errors"] == {}
    dag_file = str(dags / "replaced_ops.py")
    for messages in loaded["warnings"].values():
        own = [m for m in messages if dag_file in m or "AirflowProviderDeprecationWarning" in m
               or "RemovedInAirflow3Warning" in m]
        assert not own, own
    tasks = loaded["tasks"]

    assert tasks["create_table"] == {
        "class": "BigQueryCreateTableOperator", "project_id": "analytics-prod", "dataset_id": "reporting",
        "table_id": "daily_20240102", "gcp_conn_id": "bq", "do_xcom_push": True, "location": None,
        "table_resource": {"schema": {"fields": [{"name": "day", "type": "DATE", "mode": "REQUIRED"}]},
                           "labels": {"team": "data"}},
        "if_exists": "fail"}
    daily = tasks["daily"]
    assert daily["class"] == "BigQueryInsertJobOperator" and daily["gcp_conn_id"] == "bq"
    assert daily["location"] == "EU"
    assert daily["configuration"] == {
        "query": {
            "query": "SELECT DATE '2024-01-02' AS day",  # the .sql file, read and rendered
            "useLegacySql": False,
            "priority": "INTERACTIVE",
            "timePartitioning": {"type": "DAY"},
            "destinationTable": {"projectId": "analytics-prod", "datasetId": "reporting",
                                 "tableId": "daily$20240102"},
            "writeDisposition": "WRITE_TRUNCATE",
            "createDisposition": "CREATE_IF_NEEDED",
            "allowLargeResults": False,
            "clustering": {"fields": ["day"]},
        },
        "labels": {"team": "data"},
    }
    assert tasks["count"]["configuration"] == {"query": {
        "query": "SELECT COUNT(*) FROM [analytics-prod:reporting.daily]", "useLegacySql": True,
        "priority": "INTERACTIVE"}}
    assert tasks["count"]["gcp_conn_id"] == "google_cloud_default"

    cluster = tasks["create_cluster"]
    assert cluster["class"] == "DataprocCreateClusterOperator" and cluster["region"] == "europe-west1"
    assert cluster["use_if_exists"] is False and cluster["cluster_name"] == "etl-20240102"
    config = cluster["cluster_config"]
    assert config["worker_config"]["num_instances"] == 2
    assert config["master_config"]["machine_type_uri"] == (
        "projects/analytics-prod/zones/europe-west1-b/machineTypes/n1-standard-8")
    assert config["master_config"]["disk_config"]["boot_disk_size_gb"] == 500
    assert config["worker_config"]["disk_config"]["boot_disk_size_gb"] == 500
    assert config["gce_cluster_config"]["metadata"] == {"PIP_PACKAGES": "pyyaml"}
    assert config["initialization_actions"] == [
        {"executable_file": "gs://init/pip.sh", "execution_timeout": {"seconds": 600}}]

    assert tasks["sessionize"]["job"] == {
        "placement": {"cluster_name": "etl-20240102"},
        "pyspark_job": {"main_python_file_uri": "gs://jobs/sessionize.py", "args": ["--date", "2024-01-02"],
                        "python_file_uris": ["gs://jobs/lib.zip"],
                        "properties": {"spark.executor.memory": "4g"}}}
    assert tasks["sessionize"]["region"] == "europe-west1"
    assert tasks["hive"]["job"] == {"placement": {"cluster_name": "etl-20240102"},
                                    "hive_job": {"query_list": {"queries": ["SHOW TABLES"]}}}
    assert tasks["hive"]["region"] == "global"
    assert tasks["spark"]["job"]["spark_job"] == {"main_class": "com.example.Job", "jar_file_uris": ["gs://j.jar"]}
    assert tasks["delete_cluster"]["region"] == "global"
    for region in ("emea", "amer"):
        assert tasks[f"mart_{region}"]["configuration"]["query"]["destinationTable"] == {
            "projectId": "analytics-prod", "datasetId": "marts", "tableId": f"sales_{region}$20240102"}
        assert tasks[f"mart_{region}"]["configuration"]["query"]["query"].endswith(f"region = '{region}'")

    wordcount = tasks["wordcount"]
    assert wordcount["class"] == "BeamRunPythonPipelineOperator" and wordcount["runner"] == "DataflowRunner"
    assert wordcount["default_pipeline_options"] == {"project": "analytics-prod", "region": "europe-west1",
                                                     "tempLocation": "gs://tmp/dataflow"}
    assert wordcount["pipeline_options"] == {"output": "gs://out/2024-01-02/"}
    assert {k: wordcount["dataflow_config"][k] for k in ("job_name", "project_id", "location", "gcp_conn_id")} == {
        "job_name": "wordcount-20240102", "project_id": "analytics-prod", "location": "europe-west1",
        "gcp_conn_id": "dataflow"}
    java = tasks["java"]
    assert java["class"] == "BeamRunJavaPipelineOperator" and java["job_class"] == "com.example.Etl"
    assert java["dataflow_config"]["check_if_running"] == "IgnoreJob"
    assert java["dataflow_config"]["poll_sleep"] == 30 and java["dataflow_config"]["project_id"] == "analytics-prod"
    assert java["dataflow_config"]["location"] == "us-central1"  # 1.10's default region

    assert tasks["load"] == {"class": "SQLExecuteQueryOperator", "conn_id": "warehouse",
                             "sql": "INSERT INTO loads VALUES ('2024-01-02')", "parameters": None,
                             "autocommit": True, "database": None, "do_xcom_push": False}
    assert tasks["purge"] == {"class": "SQLExecuteQueryOperator", "conn_id": "mysql_default",
                              "sql": "DELETE FROM tmp_events WHERE day < %(day)s",
                              "parameters": {"day": "2020-01-01"}, "autocommit": False, "database": "events",
                              "do_xcom_push": False}
