"""Redaction of DAG source text and credentials from the reasons that go into workflow history."""

from __future__ import annotations

from security.redact import REDACTED, SOURCE_LINE, credential_values, redact

SOURCE = '''from airflow import DAG
from airflow.operators.bash_operator import BashOperator

WAREHOUSE_URI = "postgresql://etl_load:Load-S3cret-4410@warehouse.internal:5432/analytics"
API = {"token": "tok_live_9a8b7c6d"}

dag = DAG("warehouse_load", schedule_interval="@daily")
load = BashOperator(task_id="load_rows", bash_command="echo load", conn_uri=WAREHOUSE_URI, password="hunter2x",
                    dag=dag)
'''


def test_a_quoted_source_line_is_replaced():
    message = ('warehouse_load.py: line 4, column 90: invalid syntax: '
               'WAREHOUSE_URI = "postgresql://etl_load:Load-S3cret-4410@warehouse.internal:5432/analytics"')
    out = redact(message, [SOURCE])
    assert out == f"warehouse_load.py: line 4, column 90: invalid syntax: {SOURCE_LINE}"


def test_values_from_the_file_are_redacted_names_kept():
    message = ("Invalid arguments were passed to BashOperator (task_id: load_rows). Invalid arguments were:\n"
               "**kwargs: {'conn_uri': 'postgresql://etl_load:Load-S3cret-4410@warehouse.internal:5432/analytics', "
               "'password': 'hunter2x', 'task': 'load_rows'}")
    out = redact(message, [SOURCE])
    assert "Load-S3cret-4410" not in out and "hunter2x" not in out
    assert f"'conn_uri': '{REDACTED}'" in out and f"'password': '{REDACTED}'" in out
    assert "'load_rows'" in out and "task_id: load_rows" in out, "names stay: they make the reason useful"


def test_credential_named_values_are_redacted_even_unquoted():
    assert credential_values(SOURCE) == {"tok_live_9a8b7c6d", "hunter2x"}
    assert "tok_live_9a8b7c6d" not in redact("KeyError: token tok_live_9a8b7c6d rejected", [SOURCE])


def test_uri_passwords_are_redacted_whatever_their_origin():
    out = redact("OperationalError: could not connect to mysql://root:computed-pw@10.0.0.5/db", [])
    assert out == f"OperationalError: could not connect to mysql://root:{REDACTED}@10.0.0.5/db"


def test_messages_without_source_text_are_unchanged():
    for message in ("ModuleNotFoundError: No module named 'company_plugins'",
                    ("templates: DAG 'warehouse_load' task 'load_rows' field 'bash_command': undefined template "
                    "variable 'tables': removed in Airflow 2"),
                    "timeout: the file did not finish importing in 30 s"):
        assert redact(message, [SOURCE]) == message


def test_kept_values_stay_even_when_not_name_like():
    message = "duplicate dag id 'team/load v2'"
    assert redact(message, ['DAG("team/load v2")']) == f"duplicate dag id '{REDACTED}'"
    assert redact(message, ['DAG("team/load v2")'], keep=["team/load v2"]) == message
