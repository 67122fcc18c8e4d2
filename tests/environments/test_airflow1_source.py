"""Airflow1Source against the Airflow 1.10 API emulator: the SourceEnvironment contract, 1.10's
answers mapped to environments/base.py's errors, auth (IAP bearer tokens, basic), bounded concurrency."""

from __future__ import annotations

import base64
import json
import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest

from emulators.airflow1 import start_emulator
from environments.airflow1 import (
    Airflow1Source,
    BasicAuth,
    IapIdTokenAuth,
    RequestRejected,
    StaticBearerToken,
)
from environments.base import AuthError, DagNotFound, EnvironmentUnreachable, SourceEnvironment

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def seed(dag_count: int = 3) -> dict:
    dags = [
        {
            "dag_id": f"dag_{i}",
            "is_paused": False,
            "run_duration_s": 5,
            "runs": [
                {
                    "run_id": f"scheduled__2026-05-0{day}T00:00:00+00:00",
                    "execution_date": f"2026-05-0{day}T00:00:00+00:00",
                    "start_date": f"2026-05-0{day + 1}T00:01:00+00:00",
                    "end_date": f"2026-05-0{day + 1}T00:0{day + 2}:00+00:00",
                    "state": "failed" if day == 2 else "success",
                }
                for day in (1, 2, 3)
            ],
        }
        for i in range(dag_count)
    ]
    return {"dags": dags}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock):
    handle = start_emulator(seed(), clock=clock)
    yield handle
    handle.stop()


@pytest.fixture
def source(emulator) -> Airflow1Source:
    return Airflow1Source(emulator.url, timeout_s=5)


def test_is_a_source_environment(source, emulator):
    assert isinstance(source, SourceEnvironment)
    assert source.name == "composer1" and source.airflow_uri == emulator.url


def test_set_paused_sets_and_reads_back(source, emulator):
    assert source.set_paused(["dag_0", "dag_1", "dag_0"], True) == {"dag_0": True, "dag_1": True}
    assert source.is_paused("dag_0") is True and source.is_paused("dag_2") is False
    assert source.set_paused(["dag_0", "dag_1"], True) == {"dag_0": True, "dag_1": True}  # a set, not a toggle
    assert source.set_paused(["dag_1"], False) == {"dag_1": False}
    assert source.set_paused([], True) == {}
    changes = json.loads(_get(emulator.url + "/_emulator/state"))["pause_changes"]
    assert sorted((c["dag_id"], c["is_paused"]) for c in changes) == [  # concurrent: any order
        ("dag_0", True), ("dag_0", True), ("dag_1", False), ("dag_1", True), ("dag_1", True)]


def test_set_paused_runs_with_bounded_concurrency(clock):
    with start_emulator(seed(dag_count=40), clock=clock) as handle:
        in_flight = 0
        peak = 0
        lock = threading.Lock()
        original = Airflow1Source._send

        def counting_send(self, *args, **kwargs):
            nonlocal in_flight, peak
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            try:
                threading.Event().wait(0.01)
                return original(self, *args, **kwargs)
            finally:
                with lock:
                    in_flight -= 1

        source = Airflow1Source(handle.url, max_concurrency=4)
        source._send = counting_send.__get__(source)
        states = source.set_paused([f"dag_{i}" for i in range(40)], True)
        assert set(states.values()) == {True} and len(states) == 40
        assert 2 <= peak <= 4


def test_unknown_dag_is_dag_not_found_naming_it(source):
    with pytest.raises(DagNotFound, match="ghost"):
        source.is_paused("ghost")
    with pytest.raises(DagNotFound, match="ghost"):
        source.latest_runs("ghost")
    with pytest.raises(DagNotFound, match="ghost"):
        source.trigger("ghost", "r1")
    with pytest.raises(DagNotFound, match="ghost") as caught:
        source.set_paused(["dag_0", "ghost"], True)
    assert "1 of 2" in str(caught.value)
    assert source.is_paused("dag_0") is True  # the others were still set


def test_latest_runs_newest_first_as_run_states(source, clock):
    runs = source.latest_runs("dag_0")
    assert [r.run_id for r in runs] == [
        "scheduled__2026-05-03T00:00:00+00:00", "scheduled__2026-05-02T00:00:00+00:00",
        "scheduled__2026-05-01T00:00:00+00:00"]
    assert [r.state for r in runs] == ["success", "failed", "success"]
    assert runs[0].logical_date == datetime(2026, 5, 3, tzinfo=UTC)
    assert runs[0].start_date == datetime(2026, 5, 4, 0, 1, tzinfo=UTC)
    assert runs[0].run_type == "scheduled" and runs[0].finished
    assert runs[0].end_date is None  # 1.10's experimental API does not expose it
    assert len(source.latest_runs("dag_0", limit=2)) == 2


def test_trigger_creates_once_then_reports_the_existing_run(source, clock):
    slot = datetime(2026, 5, 4, 9, 0, 0, 250000, tzinfo=UTC)
    first = source.trigger("dag_1", "sched__dag_1__2026-05-04T09:00:00.25Z", {"k": "v"}, slot)
    assert first.already_existed is False
    assert first.run.state == "running" and first.run.logical_date == slot  # microseconds kept
    clock.now += timedelta(seconds=6)
    again = source.trigger("dag_1", "sched__dag_1__2026-05-04T09:00:00.25Z", {"k": "v"}, slot)
    assert again.already_existed is True
    assert again.run.state == "success" and again.run.run_id == first.run.run_id
    assert len(source.latest_runs("dag_1")) == 4


def test_trigger_on_a_date_another_run_holds_is_rejected_not_retried(source):
    slot = datetime(2026, 5, 4, 9, tzinfo=UTC)
    source.trigger("dag_1", "a", logical_date=slot)
    with pytest.raises(RequestRejected, match="run 'a' already has execution date") as caught:
        source.trigger("dag_1", "b", logical_date=slot)
    assert caught.value.retryable is False
    with pytest.raises(ValueError, match="timezone-aware"):
        source.trigger("dag_1", "c", logical_date=datetime(2026, 5, 4))


def test_unreachable_names_the_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = Airflow1Source(f"http://127.0.0.1:{port}/", timeout_s=2)
    with pytest.raises(EnvironmentUnreachable, match=f"127.0.0.1:{port}/api/experimental/dags/dag_0/paused") as caught:
        source.is_paused("dag_0")
    assert caught.value.retryable is True


def test_bearer_token_auth(clock):
    with start_emulator(seed(), clock=clock, bearer_token="tok") as handle:
        assert Airflow1Source(handle.url, StaticBearerToken("tok")).is_paused("dag_0") is False
        with pytest.raises(AuthError, match="401") as caught:
            Airflow1Source(handle.url, StaticBearerToken("wrong")).is_paused("dag_0")
        assert caught.value.retryable is False
        with pytest.raises(AuthError):
            Airflow1Source(handle.url).set_paused(["dag_0"], True)
        assert handle.state.is_paused("dag_0") is False


def test_iap_tokens_are_cached_and_refreshed_after_a_refusal(clock):
    def jwt(exp: float, tag: str) -> str:
        def part(obj):
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
        return f"{part({'alg': 'RS256'})}.{part({'exp': exp, 'aud': 'client-123', 'tag': tag})}.sig"

    now = [1_000_000.0]
    issued: list[str] = []
    tokens = iter([jwt(now[0] + 3600, "old"), jwt(now[0] + 3600, "new"), jwt(now[0] + 9000, "newer")])

    def fetch(audience: str) -> str:
        assert audience == "client-123"
        issued.append(next(tokens))
        return issued[-1]

    auth = IapIdTokenAuth("client-123", fetch=fetch, clock=lambda: now[0])
    first = auth.headers()
    assert auth.headers() == first and len(issued) == 1  # cached
    with start_emulator(seed(), clock=clock, bearer_token=jwt(now[0] + 3600, "new")) as handle:
        # the cached "old" token is refused once; the source invalidates, fetches "new", succeeds
        assert Airflow1Source(handle.url, auth).is_paused("dag_0") is False
    assert len(issued) == 2
    now[0] += 3600 - 200  # inside the refresh margin
    auth.headers()
    assert len(issued) == 3


def test_basic_auth(clock):
    with start_emulator(seed(), clock=clock, basic_auth=("admin", "pw")) as handle:
        assert Airflow1Source(handle.url, BasicAuth("admin", "pw")).set_paused(["dag_2"], True) == {"dag_2": True}
        with pytest.raises(AuthError):
            Airflow1Source(handle.url, BasicAuth("admin", "nope")).is_paused("dag_2")
    assert "pw" not in repr(BasicAuth("admin", "pw"))


def _get(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()
