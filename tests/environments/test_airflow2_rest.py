"""The Airflow 2 stable-REST client: pure mapping, auth, transport errors, and against a real Airflow 2.

The slow tests share the session's local Airflow 2 (``local_airflow2`` in tests/conftest.py) and use
DAG ids of their own.
"""

from __future__ import annotations

import socket
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta

import google.auth.credentials
import pytest

from environments.airflow2 import Airflow2RestClient, BasicAuth, GoogleAuth, RequestRejected, RunNotFound
from environments.airflow2.rest import (
    error_for_status,
    import_error_of,
    parse_time,
    problem_detail,
    run_from_json,
    schedule_text,
    task_states_from_json,
)
from environments.base import AuthError, DagNotFound, EnvironmentUnreachable
from tests.net import free_port
from tests.net import timed_wait as wait_until

# ---------------------------------------------------------------- pure mapping


def test_schedule_text_renders_every_shape_of_schedule_interval() -> None:
    assert schedule_text(None) is None
    assert schedule_text("@daily") == "@daily"
    assert schedule_text({"__type": "CronExpression", "value": "0 3 * * *"}) == "0 3 * * *"
    assert schedule_text({"__type": "TimeDelta", "days": 1, "seconds": 3600, "microseconds": 0}) == \
        str(timedelta(days=1, hours=1))
    assert schedule_text({"__type": "RelativeDelta", "months": 1, "days": 0, "hours": -2}) == \
        "relativedelta(months=+1, hours=-2)"


def test_parse_time_is_always_timezone_aware() -> None:
    assert parse_time(None) is None
    assert parse_time("2024-05-01T10:00:00+00:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert parse_time("2024-05-01T10:00:00Z") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    naive = parse_time("2024-05-01T10:00:00")
    assert naive is not None and naive.tzinfo is not None
    shifted = parse_time("2024-05-01T12:00:00+02:00")
    assert shifted == datetime(2024, 5, 1, 10, tzinfo=UTC)


def test_run_and_task_states_from_api_json() -> None:
    run = run_from_json({"dag_id": "d", "dag_run_id": "r", "state": "running",
                         "execution_date": "2024-05-01T00:00:00+00:00", "start_date": None,
                         "run_type": "manual"},
                        task_states_from_json([{"task_id": "a", "state": "success", "map_index": -1},
                                               {"task_id": "m", "state": None, "map_index": 0},
                                               {"task_id": "m", "state": "failed", "map_index": 1}]))
    assert run.logical_date == datetime(2024, 5, 1, tzinfo=UTC)  # pre-2.2 servers: execution_date
    assert run.start_date is None and not run.finished
    assert dict(run.task_states) == {"a": "success", "m[0]": "none", "m[1]": "failed"}


def test_import_error_of_matches_the_relative_path_only_on_a_path_boundary() -> None:
    errors = [
        {"filename": "/home/airflow/gcs/dags/team/etl.py", "stack_trace": "old", "timestamp": "2024-01-01T00:00:00Z"},
        {"filename": "/home/airflow/gcs/dags/team/etl.py", "stack_trace": "new", "timestamp": "2024-01-02T00:00:00Z"},
        {"filename": "/home/airflow/gcs/dags/myteam/etl.py", "stack_trace": "other", "timestamp": None},
    ]
    assert import_error_of(errors, "team/etl.py")["stack_trace"] == "new"
    assert import_error_of(errors, "eam/etl.py") is None
    assert import_error_of(errors, "missing.py") is None


def test_error_for_status_maps_http_to_adapter_errors_naming_the_url() -> None:
    where = "GET http://h:1/api/v1/dags/x"
    assert isinstance(error_for_status(401, "", where), AuthError)
    assert isinstance(error_for_status(403, "", where), AuthError)
    not_found = error_for_status(404, "no such dag", where, dag_id="x")
    assert isinstance(not_found, DagNotFound) and "'x'" in str(not_found) and where in str(not_found)
    assert isinstance(error_for_status(404, "", where, dag_id="x", run_id="r"), RunNotFound)
    unreachable = error_for_status(503, "", where)
    assert isinstance(unreachable, EnvironmentUnreachable) and unreachable.retryable
    rejected = error_for_status(409, "exists", where)
    assert isinstance(rejected, RequestRejected) and rejected.status == 409 and not rejected.retryable


def test_problem_detail_reads_rfc7807_bodies() -> None:
    assert problem_detail(b'{"detail": "DAG x not found", "status": 404}') == "DAG x not found"
    assert problem_detail('{"title": "Forbidden", "detail": null}') == "Forbidden"
    assert problem_detail(b"<html>bad gateway</html>") == "<html>bad gateway</html>"


# ---------------------------------------------------------------- auth


def test_basic_auth_header_and_repr_hides_the_password() -> None:
    auth = BasicAuth("admin", "s3cret")
    assert auth.headers() == {"Authorization": "Basic YWRtaW46czNjcmV0"}
    assert "s3cret" not in repr(auth)


class _CountingCredentials(google.auth.credentials.Credentials):
    """Credentials whose token endpoint is a counter: each refresh issues token-1, token-2, ..."""

    def __init__(self) -> None:
        super().__init__()
        self.refreshes = 0

    def refresh(self, request: object) -> None:
        self.refreshes += 1
        self.token = f"token-{self.refreshes}"
        self.expiry = (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None)


def test_google_auth_refreshes_only_when_the_token_is_not_valid() -> None:
    creds = _CountingCredentials()
    auth = GoogleAuth(credentials=creds)
    assert auth.headers() == {"Authorization": "Bearer token-1"}
    assert auth.headers() == {"Authorization": "Bearer token-1"}
    creds.expiry = (datetime.now(UTC) - timedelta(minutes=1)).replace(tzinfo=None)
    assert auth.headers() == {"Authorization": "Bearer token-2"}
    assert creds.refreshes == 2


# ---------------------------------------------------------------- transport errors (no Airflow needed)


def test_connection_refused_is_environment_unreachable_naming_the_url() -> None:
    port = free_port()
    client = Airflow2RestClient(f"http://127.0.0.1:{port}", BasicAuth("a", "b"), timeout_s=2)
    with pytest.raises(EnvironmentUnreachable) as info:
        client.get_dag("any")
    assert f"http://127.0.0.1:{port}/api/v1/dags/any" in str(info.value)
    assert info.value.retryable


def test_a_server_that_never_answers_times_out_as_unreachable() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel accepts connections; nobody ever answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        client = Airflow2RestClient(url, BasicAuth("a", "b"), timeout_s=0.5)
        started = time.monotonic()
        with pytest.raises(EnvironmentUnreachable) as info:
            client.is_paused("any")
        assert time.monotonic() - started < 5
        assert url in str(info.value)


def test_bad_arguments_fail_before_any_request() -> None:
    client = Airflow2RestClient("http://127.0.0.1:9", BasicAuth("a", "b"))
    with pytest.raises(ValueError, match="marked"):
        client.mark_run("d", "r", "running")
    with pytest.raises(ValueError, match="timezone"):
        client.trigger("d", "r", logical_date=datetime(2024, 1, 1))
    with pytest.raises(ValueError):
        Airflow2RestClient("http://127.0.0.1:9", BasicAuth("a", "b"), max_concurrency=0)
    assert client.set_paused([], True) == {}


# ---------------------------------------------------------------- against the real local Airflow 2


@pytest.fixture(scope="module")
def rest(local_airflow2) -> Airflow2RestClient:
    client = Airflow2RestClient(local_airflow2.url, BasicAuth(local_airflow2.username, local_airflow2.password))
    yield client
    client.close()


FLEET_SIZE = 30
FLEET_DAGS = textwrap.dedent('''
    """Thirty small DAGs from one file (fleet-scale pausing), plus one on a cron schedule that stays paused."""
    import pendulum
    from airflow import DAG
    from airflow.operators.empty import EmptyOperator

    START = pendulum.datetime(2024, 1, 1, tz="UTC")
    for i in range({size}):
        with DAG(f"fleet_{{i:02d}}", schedule=None, start_date=START, catchup=False) as dag:
            EmptyOperator(task_id="noop")
        globals()[dag.dag_id] = dag

    with DAG("fleet_cron", schedule="0 3 * * *", start_date=START, catchup=False) as cron_dag:
        EmptyOperator(task_id="noop")
''').format(size=FLEET_SIZE)


@pytest.fixture(scope="module")
def fleet(local_airflow2, rest) -> list[str]:
    """The fleet file deployed and every DAG of it parsed."""
    (local_airflow2.dags_dir / "fleet.py").write_text(FLEET_DAGS)
    ids = [f"fleet_{i:02d}" for i in range(FLEET_SIZE)] + ["fleet_cron"]

    def all_parsed() -> bool:
        return all(rest.parse_status(d, "fleet.py").parsed for d in (ids[0], ids[-1]))

    wait_until("fleet DAGs parsed", all_parsed, timeout=90)
    return ids


@pytest.mark.slow
def test_health_reports_metadatabase_and_scheduler(rest) -> None:
    health = rest.health()
    assert health["metadatabase"]["status"] == "healthy"
    assert health["scheduler"]["status"] == "healthy"
    assert rest.version().startswith("2.10")


@pytest.mark.slow
def test_bad_password_is_auth_error(local_airflow2) -> None:
    client = Airflow2RestClient(local_airflow2.url, BasicAuth(local_airflow2.username, "wrong-password"))
    with pytest.raises(AuthError) as info:
        client.is_paused("fleet_00")
    assert local_airflow2.url in str(info.value) and not info.value.retryable


@pytest.mark.slow
def test_unknown_dag_is_dag_not_found_naming_it(rest) -> None:
    with pytest.raises(DagNotFound, match="no_such_dag_xyz"):
        rest.dag_info("no_such_dag_xyz")
    with pytest.raises(DagNotFound, match="no_such_dag_xyz"):
        rest.trigger("no_such_dag_xyz", "r1")
    status = rest.parse_status("no_such_dag_xyz", "no_such_dag_xyz.py")
    assert not status.parsed and status.import_error is None


@pytest.mark.slow
def test_set_paused_on_thirty_dags_runs_concurrently_and_bounded(local_airflow2, fleet) -> None:
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    class CountingClient(Airflow2RestClient):
        def _set_one_paused(self, dag_id: str, paused: bool) -> bool:
            nonlocal in_flight, peak
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            try:
                time.sleep(0.02)  # keep each request open a little so overlap is observable
                return super()._set_one_paused(dag_id, paused)
            finally:
                with lock:
                    in_flight -= 1

    client = CountingClient(local_airflow2.url, BasicAuth(local_airflow2.username, local_airflow2.password),
                            max_concurrency=4)
    dags = fleet[:FLEET_SIZE]
    samples = (dags[0], dags[FLEET_SIZE // 2], dags[-1])  # reads are sequential: a sample is enough
    assert all(client.is_paused(d) for d in samples), "dags_are_paused_at_creation"
    started = time.monotonic()
    assert client.set_paused(dags, False) == {d: False for d in dags}
    unpause_seconds = time.monotonic() - started
    assert 1 < peak <= 4, f"peak concurrency {peak}"
    assert client.set_paused(dags + dags[:3], False) == {d: False for d in dags}  # set, not toggle; deduped
    assert not any(client.is_paused(d) for d in samples)
    assert client.set_paused(dags, True) == {d: True for d in dags}
    assert all(client.is_paused(d) for d in samples)
    print(f"\nset_paused of {len(dags)} DAGs with 4 concurrent requests: {unpause_seconds:.2f} s")


@pytest.mark.slow
def test_set_paused_names_every_dag_that_failed(rest, fleet) -> None:
    with pytest.raises(DagNotFound) as info:
        rest.set_paused([fleet[0], "ghost_a", "ghost_b"], True)
    assert "ghost_a" in str(info.value) and "ghost_b" in str(info.value)
    assert rest.is_paused(fleet[0])


@pytest.mark.slow
def test_dag_info_of_a_cron_dag(rest, fleet) -> None:
    info = rest.dag_info("fleet_cron")
    assert info.dag_id == "fleet_cron"
    assert info.is_paused and not info.catchup
    assert info.schedule == "0 3 * * *"
    assert info.next_dagrun is not None and info.next_dagrun.tzinfo is not None
    assert info.next_dagrun_create_after is not None and info.next_dagrun_create_after > info.next_dagrun
    assert info.fileloc and info.fileloc.endswith("/fleet.py")
