"""Pure helpers of the in-runtime code and the environment builder (no Airflow, no subprocess)."""

from __future__ import annotations

import signal
import warnings
from pathlib import Path

from airflow_runtime.env import runtime_env
from airflow_runtime.inside.fileload import (
    classify_render_error,
    error_line,
    error_summary,
    own_warnings,
    parse_captured_warning,
    qualified_category,
)
from airflow_runtime.inside.loader import describe_exit, merge_sections

DAG = "/dags/sales/daily.py"

SYNTAX_TB = f'''Traceback (most recent call last):
  File "<frozen importlib._bootstrap_external>", line 1074, in get_code
  File "<frozen importlib._bootstrap>", line 241, in _call_with_frames_removed
  File "{DAG}", line 7
    def broken(:
               ^
SyntaxError: invalid syntax
'''

DEEP_TB = f'''Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/airflow/models/dagbag.py", line 383, in parse
    loader.exec_module(new_module)
  File "{DAG}", line 12, in <module>
    make_tasks()
  File "{DAG}", line 9, in make_tasks
    BashOperator(task_id="x", bogus=1)
  File "/venv/lib/python3.11/site-packages/airflow/models/baseoperator.py", line 980, in __init__
    raise AirflowException("Invalid arguments were passed")
airflow.exceptions.AirflowException: Invalid arguments were passed
'''


def test_error_line_is_the_innermost_frame_in_the_dag_file():
    assert error_line(SYNTAX_TB, DAG) == 7
    assert error_line(DEEP_TB, DAG) == 9
    assert error_line(DEEP_TB, "/dags/other.py") is None


MULTILINE_TB = f'''Traceback (most recent call last):
  File "{DAG}", line 20, in <module>
    check = BigQueryCheckOperator(
            ^^^^^^^^^^^^^^^^^^^^^^
  File "/venv/lib/python3.11/site-packages/airflow/models/baseoperator.py", line 976, in __init__
    raise AirflowException(
airflow.exceptions.AirflowException: Invalid arguments were passed to BigQueryCheckOperator (task_id: c). Invalid arguments were:
**kwargs: {{'bigquery_conn_id': 'bigquery_default'}}
'''


def test_error_summary_keeps_a_multiline_message_whole():
    assert error_summary(MULTILINE_TB) == (
        "airflow.exceptions.AirflowException: Invalid arguments were passed to BigQueryCheckOperator (task_id: c)."
        " Invalid arguments were:\n**kwargs: {'bigquery_conn_id': 'bigquery_default'}")
    assert error_line(MULTILINE_TB, DAG) == 20


def test_error_summary_is_the_exception_line():
    assert error_summary(SYNTAX_TB) == "SyntaxError: invalid syntax"
    assert error_summary(DEEP_TB) == "airflow.exceptions.AirflowException: Invalid arguments were passed"
    assert error_summary("plain message without traceback") == "plain message without traceback"


def test_qualified_category_matches_dagbag_spelling():
    class RemovedThing(DeprecationWarning):
        pass

    assert qualified_category(DeprecationWarning) == "DeprecationWarning"
    assert qualified_category(RemovedThing) == f"{__name__}.RemovedThing"


def test_parse_captured_warning():
    text = f"{DAG}:11: airflow.exceptions.RemovedInAirflow3Warning: provide_context is deprecated: really"
    assert parse_captured_warning(text, DAG) == {
        "category": "airflow.exceptions.RemovedInAirflow3Warning",
        "message": "provide_context is deprecated: really", "filename": DAG, "lineno": 11, "source": "dagbag"}
    assert parse_captured_warning("/elsewhere.py:3: UserWarning: x", DAG) is None


def test_own_warnings_keeps_the_dag_files_own_and_deduplicates():
    def message(filename: str, lineno: int, text: str) -> warnings.WarningMessage:
        return warnings.WarningMessage(DeprecationWarning(text), DeprecationWarning, filename, lineno)

    recorded = [message(DAG, 3, "old import"), message("/venv/lib/google/x.py", 40, "library noise"),
                message(DAG, 3, "old import")]
    captured = [f"{DAG}:3: DeprecationWarning: old import", f"{DAG}:9: UserWarning: only in captured"]
    out = own_warnings(recorded, captured, DAG)
    assert [(w["lineno"], w["message"], w["source"]) for w in out] == [
        (3, "old import", "import"), (9, "only in captured", "dagbag")]


def test_classify_render_error():
    class UndefinedError(Exception):
        pass

    class TemplateNotFound(Exception):
        pass

    assert classify_render_error(UndefinedError("'x' is undefined")) == "undefined"
    assert classify_render_error(TemplateNotFound("q.sql")) == "template_not_found"
    assert classify_render_error(KeyError("Variable nope does not exist")) == "missing_variable"
    assert classify_render_error(ValueError("boom")) == "error"


def test_merge_sections_render_after_import():
    body = merge_sections([{"status": "ok", "dag_ids": ["a"], "notes": ["n1"]},
                           {"render_failures": [{"task_id": "t"}], "notes": ["n2"]}])
    assert body["status"] == "ok" and body["dag_ids"] == ["a"]
    assert body["render_failures"] == [{"task_id": "t"}] and body["notes"] == ["n1", "n2"]
    assert merge_sections([])["import_errors"] == []


def test_describe_exit():
    assert "SIGSEGV" in describe_exit(signal.SIGSEGV)  # raw wait status of a signal death is the signal number
    assert "code 3" in describe_exit(3 << 8)


def test_runtime_env_isolates_and_configures(tmp_path: Path):
    base = {"PATH": "/usr/bin", "PYTHONPATH": "/orchestrator", "VIRTUAL_ENV": "/work/.venv",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor", "AIRFLOW_VAR_SECRET": "x", "HOME": "/root"}
    env = runtime_env(base, airflow_home=tmp_path / "home", dags_folder=tmp_path / "dags",
                      pythonpath=tmp_path / "pp", extra={"AIRFLOW_VAR_REGION": "eu"})
    assert env["PATH"] == "/usr/bin" and env["HOME"] == "/root"
    assert "VIRTUAL_ENV" not in env and "AIRFLOW__CORE__EXECUTOR" not in env and "AIRFLOW_VAR_SECRET" not in env
    assert env["PYTHONPATH"] == str(tmp_path / "pp")
    assert env["AIRFLOW_HOME"] == str(tmp_path / "home")
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(tmp_path / "dags")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path / 'home' / 'airflow.db'}"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["AIRFLOW_VAR_REGION"] == "eu"
