"""One DAG by hand with `cli.py dag ...` on the real local stack, and the bad inputs of issue #4:
a converted DAG deployed through the real Composer client to the emulated Composer whose Airflow is
real, parsed, routed through the reference scheduler over Pub/Sub, triggered, and its run succeeds;
an unknown environment, a DAG with an import error, an unreachable Composer API and a malformed
routing message each get a clear error and change nothing.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from google.cloud import pubsub_v1
from typer.testing import CliRunner

from cli import app
from dagconvert.engine import convert_source
from refscheduler.routing_table import RoutingTable
from routing.contract import ROUTING_TOPIC
from stack.config import StackConfig

pytestmark = pytest.mark.slow

DAG_ID = "cli_by_hand"
AIRFLOW1_DAG = f'''
from datetime import datetime
from airflow import DAG
from airflow.operators.bash_operator import BashOperator

dag = DAG("{DAG_ID}", start_date=datetime(2021, 1, 1), schedule_interval=None)
BashOperator(task_id="hello", bash_command="echo moved by hand", dag=dag)
'''
BROKEN = '''
from datetime import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator

dag = DAG("cli_broken", start_date=datetime(2021, 1, 1), schedule=None)
BashOperator(task_id="t", bash_command="echo", dag=dag, no_such_argument=1)
'''

runner = CliRunner()


def cli(*args: str):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_one_dag_by_hand(stack: StackConfig, tmp_path: Path):
    converted = tmp_path / f"{DAG_ID}.py"
    converted.write_text(convert_source(AIRFLOW1_DAG, f"{DAG_ID}.py", None).code)

    code, out = cli("dag", "deploy", str(converted), "--dag", DAG_ID, "--wait", "90")
    assert code == 0, out
    assert "uploaded" in out and "parsed" in out and "paused in the target" in out
    code, out = cli("dag", "deploy", str(converted), "--dag", DAG_ID, "--wait", "90")
    assert code == 0 and "unchanged" in out, out  # same bytes: no second upload

    code, out = cli("dag", "unpause", DAG_ID, "--in", "target")
    assert code == 0 and "unpaused" in out, out
    code, out = cli("dag", "route", DAG_ID, "--to", "composer2", "--timeout", "60")
    assert code == 0 and "routed to composer2" in out, out
    with RoutingTable(stack.refscheduler_db) as table:
        assert table.route_of(DAG_ID).environment == "composer2"

    code, out = cli("dag", "trigger", DAG_ID, "--run-id", "by_hand_1", "--conf", '{"who": "test"}')
    assert code == 0 and "already existed" not in out, out
    code, out = cli("dag", "trigger", DAG_ID, "--run-id", "by_hand_1")
    assert code == 0 and "already existed" in out, out  # a replay is a 409: still one run
    deadline = time.monotonic() + 120
    while True:
        code, out = cli("dag", "runs", DAG_ID, "--in", "target")
        assert code == 0, out
        if "success" in out:
            break
        assert "failed" not in out, out
        assert time.monotonic() < deadline, out
        time.sleep(2)
    assert out.count("by_hand_1") == 1


def test_bad_inputs_get_clear_errors_and_change_nothing(stack: StackConfig, tmp_path: Path, monkeypatch):
    broken = tmp_path / "cli_broken.py"
    broken.write_text(BROKEN)
    # a DAG with an import error in the target: exit 1, the error text shown
    code, out = cli("dag", "deploy", str(broken), "--dag", "cli_broken", "--wait", "90")
    assert code == 1 and "import error" in out and "no_such_argument" in out, out

    # an unknown environment: exit 2, named
    code, out = cli("dag", "deploy", str(broken), "--dag", "cli_broken", "--env", "no-such-env")
    assert code == 2 and "no-such-env" in out, out

    # an unreachable Composer API: exit 2, the endpoint named, nothing uploaded
    monkeypatch.setenv("COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT", "127.0.0.1:9")
    code, out = cli("dag", "deploy", str(broken), "--dag", "cli_broken", "--as", "never_uploaded.py")
    assert code == 2 and "127.0.0.1:9" in out, out
    monkeypatch.setenv("COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT", stack.composer_api_address)
    assert not (stack.airflow2_dags_dir / "never_uploaded.py").exists()

    # a malformed routing message: dead-lettered by the reference scheduler, no route changed
    with RoutingTable(stack.refscheduler_db) as table:
        before = {r: table.route_of(r) for r in ("promotions_branch", DAG_ID)}
        letters = len(table.dead_letters())
    publisher = pubsub_v1.PublisherClient()
    topic = f"projects/{stack.project}/topics/{ROUTING_TOPIC}"
    publisher.publish(topic, json.dumps({"schema": 1, "dag_id": "promotions_branch",
                                         "environment": "composer9"}).encode()).result(timeout=30)
    deadline = time.monotonic() + 30
    while True:
        with RoutingTable(stack.refscheduler_db) as table:
            if len(table.dead_letters()) > letters:
                letter = table.dead_letters()[-1]
                assert {r: table.route_of(r) for r in before} == before
                break
        assert time.monotonic() < deadline, "the malformed message was not dead-lettered"
        time.sleep(0.5)
    assert "change_id" in letter.reason or "environment" in letter.reason, letter
