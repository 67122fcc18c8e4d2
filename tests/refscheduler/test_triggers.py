"""Trigger paths: deterministic run ids; Airflow 1.10's experimental API (against the emulator) and
Airflow 2's stable API (against the real local Airflow 2): created once, then a duplicate, never twice."""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta, timezone

import pytest

from emulators.airflow1 import start_emulator
from refscheduler.triggers import (
    AIRFLOW2_RUN_ID_PATTERN,
    Airflow1ExperimentalTrigger,
    Airflow2StableTrigger,
    TriggerError,
    basic_auth_headers,
    deterministic_run_id,
)

SLOT = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def test_deterministic_run_id_is_stable_and_valid_in_airflow_1_and_2():
    run_id = deterministic_run_id("sales_daily", SLOT)
    assert run_id == "sched__sales_daily__2026-05-04T09:00:00Z"
    # the same instant in another offset is the same slot
    assert deterministic_run_id("sales_daily", SLOT.astimezone(timezone(timedelta(hours=2)))) == run_id
    assert deterministic_run_id("sales_daily", SLOT + timedelta(microseconds=5)).endswith("09:00:00.000005Z")
    assert deterministic_run_id("sales_daily", SLOT + timedelta(hours=1)) != run_id
    assert AIRFLOW2_RUN_ID_PATTERN.match(run_id)
    # not one of Airflow's own run-type prefixes
    assert not re.match(r"(manual|scheduled|backfill|dataset_triggered)__", run_id)


def test_deterministic_run_id_refuses_bad_input():
    with pytest.raises(ValueError, match="timezone-aware"):
        deterministic_run_id("job", datetime(2026, 5, 4))
    with pytest.raises(ValueError, match="may only use"):
        deterministic_run_id("bad job/name", SLOT)
    with pytest.raises(ValueError, match="longer than"):
        deterministic_run_id("j" * 240, SLOT)


@pytest.fixture
def airflow1():
    handle = start_emulator({"dags": [{"dag_id": "sales", "is_paused": True}]}, bearer_token="tok")
    yield handle
    handle.stop()


def test_airflow1_trigger_creates_then_reports_a_duplicate(airflow1):
    trigger = Airflow1ExperimentalTrigger(airflow1.url, lambda: {"Authorization": "Bearer tok"})
    run_id = deterministic_run_id("sales", SLOT)
    first = trigger.trigger("sales", run_id, SLOT, {"region": "eu"})
    assert (first.created, first.run_id, first.status) == (True, run_id, 200)
    again = trigger.trigger("sales", run_id, SLOT, {"region": "eu"})
    assert (again.created, again.status) == (False, 400)
    assert "already exists" in again.detail
    runs = airflow1.state.runs("sales")
    assert [(r.run_id, r.execution_date, r.conf) for r in runs] == [(run_id, SLOT, {"region": "eu"})]
    assert trigger.is_paused("sales") is True


def test_airflow1_errors_name_the_url(airflow1):
    trigger = Airflow1ExperimentalTrigger(airflow1.url, lambda: {"Authorization": "Bearer tok"})
    with pytest.raises(TriggerError, match=r"HTTP 404 from http://127\.0\.0\.1:\d+/api/experimental/dags/ghost/dag_runs"):
        trigger.trigger("ghost", "r", SLOT)
    with pytest.raises(TriggerError, match="HTTP 401") as caught:
        Airflow1ExperimentalTrigger(airflow1.url).trigger("sales", "r", SLOT)
    assert caught.value.status == 401
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TriggerError, match=f"127.0.0.1:{port}/api/experimental"):
        Airflow1ExperimentalTrigger(f"http://127.0.0.1:{port}").trigger("sales", "r", SLOT)


DAG_ID = "refsched_trigger_path_test"
DAG_FILE = f"""
from datetime import datetime

from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG("{DAG_ID}", schedule=None, start_date=datetime(2020, 1, 1), catchup=False):
    EmptyOperator(task_id="noop")
"""


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_airflow2_trigger_creates_then_409_against_real_airflow(local_airflow2):
    (local_airflow2.dags_dir / f"{DAG_ID}.py").write_text(DAG_FILE)
    headers = basic_auth_headers(local_airflow2.username, local_airflow2.password)
    trigger = Airflow2StableTrigger(local_airflow2.url, headers)
    _wait_until_parsed(local_airflow2.url, DAG_ID, headers)
    slot = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    run_id = deterministic_run_id("refsched_test", slot)
    first = trigger.trigger(DAG_ID, run_id, slot, {"from": "test"})
    assert (first.created, first.status) == (True, 200)
    again = trigger.trigger(DAG_ID, run_id, slot, {"from": "test"})
    assert (again.created, again.status) == (False, 409)
    assert "already exists" in again.detail
    runs = _get_json(f"{local_airflow2.url}/api/v1/dags/{DAG_ID}/dagRuns", headers)["dag_runs"]
    assert [(r["dag_run_id"], r["conf"]) for r in runs] == [(run_id, {"from": "test"})]
    assert isinstance(trigger.is_paused(DAG_ID), bool)
    with pytest.raises(TriggerError, match=r"HTTP 404 from .*/api/v1/dags/no_such_dag_here/dagRuns"):
        trigger.trigger("no_such_dag_here", run_id, slot)
    with pytest.raises(TriggerError, match="HTTP 401"):
        Airflow2StableTrigger(local_airflow2.url, basic_auth_headers("admin", "wrong")).trigger(DAG_ID, run_id, slot)


def _get_json(url: str, headers) -> dict:
    request = urllib.request.Request(url, headers=dict(headers()))
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _wait_until_parsed(base_url: str, dag_id: str, headers, timeout_s: float = 300.0) -> None:
    give_up_at = time.monotonic() + timeout_s
    while True:
        try:
            _get_json(f"{base_url}/api/v1/dags/{dag_id}", headers)
            return
        except urllib.error.HTTPError as error:
            if error.code != 404 or time.monotonic() > give_up_at:
                raise
        time.sleep(1.0)
