"""AM801's run-time destination split, executed in the REAL Airflow 2 runtime.

A 1.10 DAG whose BigQueryOperator destinations have no project, are Jinja templates or are computed is
converted; the converted file is loaded with Airflow 2.10's DagBag (no import error, no warning from the file),
then for each task the templates are rendered with one run's values and the task's own ``pre_execute`` (the
helper the rule added) is called, as the task runner calls it: the resulting ``configuration["query"]`` must
hold the destination Airflow 1.10.15's ``_split_tablename`` gave, with a missing project taken from the job's
project (the task's ``project_id``, else its connection's: ``BigQueryHook.project_id`` is replaced by one
that names the connection and impersonation chain it was built with, so no Google credentials are needed).

The runtime is ``$COMPOSER_MIGRATE_RUNTIME_PYTHON``, else the project's pinned runtime (tests/runtime.py).
"""

from __future__ import annotations

import pytest

from dagconvert.engine import convert_source
from tests.dagconvert.helpers import probe_in_runtime
from tests.runtime import require_runtime_python

AIRFLOW_1_DAG = '''
from datetime import datetime

from airflow import DAG
from airflow.contrib.operators.bigquery_operator import BigQueryOperator

DATASET = "staging_{{ ds_nodash }}"
STAGING_TABLE = DATASET + ".events"

default_args = {"start_date": datetime(2021, 1, 1), "project_id": "not-for-bigquery"}

with DAG("bq_destinations", default_args=default_args, schedule_interval="@daily") as dag:
    no_project = BigQueryOperator(task_id="no_project", sql="SELECT 1", destination_dataset_table="reporting.daily")
    computed = BigQueryOperator(task_id="computed", sql="SELECT 1", destination_dataset_table=STAGING_TABLE,
                                write_disposition="WRITE_TRUNCATE", bigquery_conn_id="bq_other",
                                impersonation_chain="etl@acme.iam.gserviceaccount.com")
    templated = BigQueryOperator(
        task_id="templated",
        sql="SELECT 1",
        destination_dataset_table="{{ params.project }}:{{ params.dataset }}.daily_{{ ds_nodash }}",
        params={"project": "acme", "dataset": "marts"},
        use_legacy_sql=False,
    )
    domain = BigQueryOperator(task_id="domain", sql="SELECT 1", destination_dataset_table="{{ params.name }}",
                              params={"name": "google:acme.marts.t"})
    empty = BigQueryOperator(task_id="empty", sql="SELECT 1", destination_dataset_table="{{ params.name }}",
                             params={"name": ""}, allow_large_results=True)
    invalid = BigQueryOperator(task_id="invalid", sql="SELECT 1", destination_dataset_table="{{ params.name }}",
                               params={"name": "a.b.c.d"})
    no_project >> computed >> templated >> domain >> empty >> invalid
'''

# Runs inside the runtime: load the folder, then render and pre_execute every task of one run.
RUNNER = r'''
import json, sys
from airflow.models import DagBag
from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook

BigQueryHook.project_id = property(lambda hook: f"conn-project-of-{hook.gcp_conn_id}-as-{hook.impersonation_chain}")
bag = DagBag(sys.argv[1], include_examples=False)
out = {"import_errors": {k: str(v) for k, v in bag.import_errors.items()},
       "warnings": {k: [str(w) for w in v] for k, v in bag.captured_warnings.items()}, "tasks": {}}
dag = bag.dags.get("bq_destinations")
if dag is not None:
    for task in dag.tasks:
        for project_id in (None, "task-project"):
            task = dag.get_task(task.task_id).prepare_for_execution()
            task.project_id = project_id
            context = {"ds": "2024-01-02", "ds_nodash": "20240102", "dag": dag, "task": task,
                       "params": {k: task.params[k] for k in task.params}}
            task.render_template_fields(context, jinja_env=dag.get_template_env())
            result = {"class": type(task).__name__, "rendered": task.configuration["query"].get("destinationTable")}
            try:
                task.pre_execute(context=context)
            except Exception as error:
                result["error"] = f"{type(error).__name__}: {error}"
            result["query"] = task.configuration["query"]
            out["tasks"][f"{task.task_id}/{project_id}"] = result
print("RESULT " + json.dumps(out, default=str))
'''


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    python = require_runtime_python()
    result = convert_source(AIRFLOW_1_DAG, "bq_destinations.py")
    assert not result.todos, [t.message for t in result.todos]
    assert convert_source(result.code, "bq_destinations.py").code == result.code, "not idempotent"
    assert result.code.count("def split_destination_table(context):") == 1

    tmp = tmp_path_factory.mktemp("bq_destinations")
    # the hooks read their connection (from the environment: no metadata database is needed)
    connections = {"AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT": "google-cloud-platform://",
                   "AIRFLOW_CONN_BQ_OTHER": "google-cloud-platform://"}
    out = probe_in_runtime(python, result.code, "bq_destinations.py", RUNNER, tmp, marker="RESULT ",
                           extra_env=connections, python_flags=("-W", "always"))
    out["dag_file"] = str(tmp / "dags" / "bq_destinations.py")
    return out


DESTINATION_SETTINGS = {"writeDisposition": "WRITE_EMPTY", "createDisposition": "CREATE_IF_NEEDED",
                        "allowLargeResults": False}


@pytest.mark.slow
def test_converted_file_loads_without_errors_or_warnings(loaded):
    assert loaded["import_errors"] == {}
    for messages in loaded["warnings"].values():
        own = [m for m in messages if loaded["dag_file"] in m or "AirflowProviderDeprecationWarning" in m
               or "RemovedInAirflow3Warning" in m]
        assert not own, own
    assert {t["class"] for t in loaded["tasks"].values()} == {"BigQueryInsertJobOperator"}


@pytest.mark.slow
@pytest.mark.parametrize("task,project_id,rendered,expected", [
    # no project: the job's project, which is the connection's (default_args' project_id is not passed on,
    # as 1.10's BigQueryOperator did not take it) ...
    ("no_project", None, "reporting.daily",
     {"projectId": "conn-project-of-google_cloud_default-as-None", "datasetId": "reporting", "tableId": "daily"}),
    # ... or the task's project_id when it has one, as BigQueryInsertJobOperator picks the job's project
    ("no_project", "task-project", "reporting.daily",
     {"projectId": "task-project", "datasetId": "reporting", "tableId": "daily"}),
    ("computed", None, "staging_20240102.events",
     {"projectId": "conn-project-of-bq_other-as-etl@acme.iam.gserviceaccount.com", "datasetId": "staging_20240102",
      "tableId": "events"}),
    ("templated", None, "acme:marts.daily_20240102",
     {"projectId": "acme", "datasetId": "marts", "tableId": "daily_20240102"}),
    ("templated", "task-project", "acme:marts.daily_20240102",
     {"projectId": "acme", "datasetId": "marts", "tableId": "daily_20240102"}),
    # a domain-scoped project (google:acme) followed by dataset.table: 1.10 kept the colon in the project
    ("domain", None, "google:acme.marts.t",
     {"projectId": "google:acme", "datasetId": "marts", "tableId": "t"}),
])
def test_destination_is_split_when_the_task_runs(loaded, task, project_id, rendered, expected):
    result = loaded["tasks"][f"{task}/{project_id}"]
    assert result["rendered"] == rendered  # Jinja rendered the name inside configuration
    assert "error" not in result, result["error"]
    assert result["query"]["destinationTable"] == expected
    settings = {**DESTINATION_SETTINGS, "writeDisposition": "WRITE_TRUNCATE"} if task == "computed" \
        else DESTINATION_SETTINGS
    assert {k: result["query"][k] for k in settings} == settings


@pytest.mark.slow
def test_an_empty_destination_means_none_as_in_1_10(loaded):
    result = loaded["tasks"]["empty/None"]
    assert "error" not in result, result["error"]
    assert result["query"] == {"query": "SELECT 1", "useLegacySql": True, "priority": "INTERACTIVE"}


@pytest.mark.slow
def test_a_name_1_10_could_not_split_fails_the_task_naming_it(loaded):
    result = loaded["tasks"]["invalid/None"]
    assert result["error"] == ("ValueError: invalid: destination_dataset_table 'a.b.c.d' is not "
                               "(<project>.|<project>:)<dataset>.<table>")
