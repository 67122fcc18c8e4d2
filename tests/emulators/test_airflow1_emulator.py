"""The Airflow 1.10 API emulator: 1.10.15's paths, bodies and status codes, runs that finish, auth,
the test-only call log, persistence across a restart, the demo seed and the CLI."""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emulators.airflow1 import DEMO_SEED_PATH, SeedError, start_emulator

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
API = "/api/experimental"


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def seed(**overrides) -> dict:
    return {
        "dags": [
            {
                "dag_id": "sales",
                "is_paused": False,
                "run_duration_s": 5,
                "runs": [
                    {
                        "run_id": "scheduled__2026-05-01T00:00:00+00:00",
                        "execution_date": "2026-05-01T00:00:00+00:00",
                        "start_date": "2026-05-02T00:01:00+00:00",
                        "end_date": "2026-05-02T00:11:00+00:00",
                        "state": "success",
                    },
                    {
                        "run_id": "scheduled__2026-05-02T00:00:00+00:00",
                        "execution_date": "2026-05-02T00:00:00+00:00",
                        "start_date": "2026-05-03T00:01:00+00:00",
                        "end_date": "2026-05-03T00:09:00+00:00",
                        "state": "failed",
                    },
                ],
            },
            {"dag_id": "broken", "is_paused": False, "run_duration_s": 1, "outcome": "failed"},
            {"dag_id": "sleepy", "is_paused": True},
        ],
        **overrides,
    }


def call(url: str, method: str = "GET", body=None, headers=None) -> tuple[int, dict, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def call_json(url: str, method: str = "GET", body=None, headers=None):
    status, _, raw = call(url, method, body, headers)
    return status, json.loads(raw)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock):
    handle = start_emulator(seed(), clock=clock)
    yield handle
    handle.stop()


def test_health_info_and_paused_flags(emulator):
    assert call_json(emulator.url + API + "/test") == (200, {"status": "OK"})
    assert call_json(emulator.url + API + "/info")[1]["version"].startswith("1.10.15")
    assert call_json(emulator.url + API + "/dags/sales/paused") == (200, {"is_paused": False})
    assert call_json(emulator.url + API + "/dags/sales/paused/true") == (200, {"response": "ok"})
    assert call_json(emulator.url + API + "/dags/sales/paused/true") == (200, {"response": "ok"})  # a set
    assert call_json(emulator.url + API + "/dags/sales/paused") == (200, {"is_paused": True})
    # 1.10 compares with "true": anything else unpauses
    assert call_json(emulator.url + API + "/dags/sales/paused/False")[0] == 200
    assert call_json(emulator.url + API + "/dags/sales/paused") == (200, {"is_paused": False})


def test_unknown_dag_answers_as_1_10_does(emulator):
    # the paused endpoints call get_dagmodel(...) unchecked: an AttributeError, the 500 page
    for path in ("/dags/nope/paused", "/dags/nope/paused/true"):
        status, headers, body = call(emulator.url + API + path)
        assert status == 500
        assert headers["Content-Type"].startswith("text/html")
        assert b"'NoneType' object has no attribute" in body
    assert call_json(emulator.url + API + "/dags/nope/dag_runs", "POST", {"run_id": "r"}) == (
        404, {"error": "Dag id nope not found in DagModel"})
    assert call_json(emulator.url + API + "/dags/nope/dag_runs") == (
        400, {"error": "Dag id nope not found in DagModel"})
    status, body = call_json(emulator.url + API + "/dags/nope/dag_runs/2026-05-01T00:00:00")
    assert status == 404


def test_unknown_paths_and_methods(emulator):
    assert call(emulator.url + API + "/nothing")[0] == 404
    assert call(emulator.url + "/api/v1/dags")[0] == 404
    assert call(emulator.url + API + "/test", "POST", {})[0] == 405
    assert call(emulator.url + API + "/dags/sales/paused", "POST", {})[0] == 405


def test_trigger_then_the_run_finishes_after_its_duration(emulator, clock):
    status, body = call_json(emulator.url + API + "/dags/sales/dag_runs", "POST", {
        "run_id": "sched__sales__2026-05-04T09:00:00Z",
        "execution_date": "2026-05-04T09:00:00+00:00",
        "conf": {"region": "eu"},
    })
    assert status == 200
    assert body["run_id"] == "sched__sales__2026-05-04T09:00:00Z"
    assert body["execution_date"] == "2026-05-04T09:00:00+00:00"
    assert body["message"].startswith("Created <DagRun sales @ 2026-05-04 09:00:00+00:00")
    running = call_json(emulator.url + API + "/dags/sales/dag_runs?state=running")[1]
    assert [r["run_id"] for r in running] == ["sched__sales__2026-05-04T09:00:00Z"]
    assert set(running[0]) == {"id", "run_id", "state", "dag_id", "execution_date", "start_date", "dag_run_url"}
    assert running[0]["start_date"] == T0.isoformat()
    date_path = "/dags/sales/dag_runs/2026-05-04T09:00:00%2B00:00"
    assert call_json(emulator.url + API + date_path) == (200, {"state": "running"})
    clock.advance(4.9)
    assert call_json(emulator.url + API + date_path) == (200, {"state": "running"})
    clock.advance(0.2)
    assert call_json(emulator.url + API + date_path) == (200, {"state": "success"})
    # all runs, oldest first
    runs = call_json(emulator.url + API + "/dags/sales/dag_runs")[1]
    assert [r["state"] for r in runs] == ["success", "failed", "success"]
    assert [r["id"] for r in runs] == sorted(r["id"] for r in runs)
    assert call_json(emulator.url + API + "/dags/sales/dag_runs?state=FAILED")[1][0]["run_id"] == (
        "scheduled__2026-05-02T00:00:00+00:00")


def test_a_failing_dag_fails_and_a_paused_dag_waits(emulator, clock):
    assert call_json(emulator.url + API + "/dags/broken/dag_runs", "POST", {"run_id": "b1"})[0] == 200
    assert call_json(emulator.url + API + "/dags/sleepy/dag_runs", "POST", {"run_id": "s1"})[0] == 200
    clock.advance(10)
    assert call_json(emulator.url + API + "/dags/broken/dag_runs")[1][0]["state"] == "failed"
    # triggered while paused: created, but the scheduler ignores paused DAGs
    assert call_json(emulator.url + API + "/dags/sleepy/dag_runs")[1][0]["state"] == "running"
    call(emulator.url + API + "/dags/sleepy/paused/false")
    clock.advance(1.0)
    assert call_json(emulator.url + API + "/dags/sleepy/dag_runs")[1][0]["state"] == "running"
    clock.advance(1.5)  # the default duration (2 s) counted from the unpause
    assert call_json(emulator.url + API + "/dags/sleepy/dag_runs")[1][0]["state"] == "success"


def test_without_execution_date_the_run_id_and_date_default_like_1_10(emulator, clock):
    clock.now = T0.replace(microsecond=123456)
    status, body = call_json(emulator.url + API + "/dags/sales/dag_runs", "POST", {})
    assert status == 200
    assert body["execution_date"] == "2026-05-04T09:00:00+00:00"  # microseconds replaced
    assert body["run_id"] == "manual__2026-05-04T09:00:00+00:00"
    status, body = call_json(emulator.url + API + "/dags/sales/dag_runs", "POST", {
        "run_id": "exact", "execution_date": "2026-05-04T10:00:00.500000+00:00", "replace_microseconds": "false"})
    assert body["execution_date"] == "2026-05-04T10:00:00.500000+00:00"


def test_duplicate_run_id_is_400_and_a_taken_execution_date_is_500(emulator):
    url = emulator.url + API + "/dags/sales/dag_runs"
    first = {"run_id": "r1", "execution_date": "2026-05-04T09:00:00Z"}
    assert call_json(url, "POST", first)[0] == 200
    assert call_json(url, "POST", first) == (400, {"error": "Run id r1 already exists for dag id sales"})
    # a different run_id on the same execution date breaks dag_run's unique constraint
    status, _, body = call(url, "POST", {"run_id": "r2", "execution_date": "2026-05-04T09:00:00Z"})
    assert status == 500 and b"IntegrityError" in body
    assert call_json(url, "POST", {"run_id": "r3", "execution_date": "yesterday"})[0] == 400
    assert len(call_json(url)[1]) == 3  # two seeded + r1


def test_latest_runs_lists_the_newest_run_of_each_dag(emulator):
    call(emulator.url + API + "/dags/broken/dag_runs", "POST", {"run_id": "b1", "execution_date": "2026-05-04T00:00:00Z"})
    status, body = call_json(emulator.url + API + "/latest_runs")
    assert status == 200
    items = {item["dag_id"]: item for item in body["items"]}
    assert set(items) == {"sales", "broken"}  # sleepy has no run
    assert items["sales"]["execution_date"] == "2026-05-02T00:00:00+00:00"
    assert items["sales"]["dag_run_url"].startswith("/graph?dag_id=sales&execution_date=2026-05-02")
    assert set(items["broken"]) == {"dag_id", "execution_date", "start_date", "dag_run_url"}


def test_test_only_state_endpoint_records_every_trigger_and_pause(emulator, clock):
    url = emulator.url + API
    call(url + "/dags/sales/dag_runs", "POST", {"run_id": "r1", "execution_date": "2026-05-04T09:00:00Z"})
    clock.advance(1)
    call(url + "/dags/sales/dag_runs", "POST", {"run_id": "r1", "execution_date": "2026-05-04T09:00:00Z"})
    call(url + "/dags/ghost/dag_runs", "POST", {"run_id": "g"})
    call(url + "/dags/sales/paused/true")
    state = call_json(emulator.url + "/_emulator/state")[1]
    assert [(t["dag_id"], t["run_id"], t["status"], t["result"]) for t in state["triggers"]] == [
        ("sales", "r1", 200, "created"), ("sales", "r1", 400, "duplicate"), ("ghost", "g", 404, "dag_not_found")]
    assert state["triggers"][0]["received_at"] == T0.isoformat()
    assert state["triggers"][1]["received_at"] == (T0 + timedelta(seconds=1)).isoformat()
    assert state["pause_changes"] == [
        {"dag_id": "sales", "was_paused": False, "is_paused": True, "received_at": (T0 + timedelta(seconds=1)).isoformat()}
    ]


def test_bearer_token_auth_like_iap(clock):
    with start_emulator(seed(), clock=clock, bearer_token="s3cret") as handle:
        status, _, body = call(handle.url + API + "/test")
        assert (status, body) == (401, b"Invalid IAP credentials: empty token")
        assert call(handle.url + API + "/test", headers={"Authorization": "Bearer wrong"})[0] == 401
        assert call(handle.url + API + "/dags/sales/paused/true", headers={"Authorization": "Basic s3cret"})[0] == 401
        assert call_json(handle.url + API + "/test", headers={"Authorization": "Bearer s3cret"}) == (200, {"status": "OK"})
        # refused calls changed nothing
        assert handle.state.is_paused("sales") is False


def test_basic_auth(clock):
    good = "Basic " + base64.b64encode(b"admin:pw").decode()
    bad = "Basic " + base64.b64encode(b"admin:nope").decode()
    with start_emulator(seed(), clock=clock, basic_auth=("admin", "pw")) as handle:
        status, headers, _ = call(handle.url + API + "/test", headers={"Authorization": bad})
        assert status == 401 and headers["WWW-Authenticate"] == "Basic"
        assert call(handle.url + API + "/test")[0] == 401
        assert call(handle.url + API + "/test", headers={"Authorization": good})[0] == 200


def test_state_survives_a_restart(tmp_path, clock):
    state_file = tmp_path / "airflow1-state.json"
    with start_emulator(seed(), clock=clock, state_path=state_file) as handle:
        call(handle.url + API + "/dags/sales/dag_runs", "POST", {"run_id": "r1", "execution_date": "2026-05-04T09:00:00Z"})
        call(handle.url + API + "/dags/sales/paused/true")
    assert json.loads(state_file.read_text())["schema"] == 1
    assert not [p for p in tmp_path.iterdir() if p.name != state_file.name]  # no temp files left
    clock.advance(60)
    # the seed is ignored once a state file exists
    with start_emulator({"dags": []}, clock=clock, state_path=state_file) as handle:
        url = handle.url + API
        assert call_json(url + "/dags/sales/paused") == (200, {"is_paused": True})
        assert call_json(url + "/dags/sales/dag_runs/2026-05-04T09:00:00Z") == (200, {"state": "success"})
        assert call_json(url + "/dags/sales/dag_runs", "POST", {"run_id": "r1"})[0] == 400
        assert call_json(url + "/dags/sales/dag_runs", "POST", {"run_id": "r9"})[0] == 200
        runs = call_json(url + "/dags/sales/dag_runs")[1]
        assert len({r["id"] for r in runs}) == 4  # ids keep counting after the restart
        state = call_json(handle.url + "/_emulator/state")[1]
        assert [t["result"] for t in state["triggers"]] == ["created", "duplicate", "created"]


def test_seed_errors_name_the_file_and_entry(tmp_path):
    bad = tmp_path / "seed.json"
    bad.write_text(json.dumps({"dags": [{"dag_id": "a"}, {"dag_id": "b", "outcome": "maybe"}]}))
    with pytest.raises(SeedError, match=r"seed\.json: dag 'b': 'outcome'"):
        start_emulator(bad)
    bad.write_text(json.dumps({"dags": [{"dag_id": "a", "runs": [{"execution_date": "2026-01-01", "state": "success"}]}]}))
    with pytest.raises(SeedError, match=r"dag 'a': runs\[0\]: a finished run needs"):
        start_emulator(bad)
    with pytest.raises(SeedError, match="missing.json"):
        start_emulator(tmp_path / "missing.json")


def test_demo_seed_holds_the_example_dags():
    demo = json.loads(DEMO_SEED_PATH.read_text())
    seeded = {dag["dag_id"] for dag in demo["dags"]}
    sources = {path.name: path.read_text() for path in (REPO / "examples" / "airflow1").glob("*.py")}
    for name, text in sources.items():
        assert any(re.search(rf"[\"']{re.escape(dag_id)}[\"']", text) for dag_id in seeded), name
    assert len(seeded) == len(sources)
    for dag in demo["dags"]:
        assert dag["is_paused"] is False and len(dag["runs"]) >= 3
        assert all(run["end_date"] > run["start_date"] for run in dag["runs"])
    with start_emulator(DEMO_SEED_PATH) as handle:
        assert len(call_json(handle.url + API + "/latest_runs")[1]["items"]) == len(seeded)


@pytest.mark.slow
def test_cli_serves_until_sigterm(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "emulators.airflow1", "--port", "0", "--state", str(tmp_path / "s.json")],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        line = process.stdout.readline()
        url = re.search(r"http://\S+", line).group(0)
        assert call_json(url + API + "/dags/sales_marts/paused") == (200, {"is_paused": False})
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (tmp_path / "s.json").exists()
