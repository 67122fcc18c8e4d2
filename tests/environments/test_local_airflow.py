"""The local Airflow 2: its configuration, the file side of LocalAirflowTarget, and the whole life of a
DAG in the real server (deploy, parse, paused at creation, unpause, trigger twice, run to success)."""

from __future__ import annotations

import hashlib
import os
import socket
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest

from environments.airflow2 import Airflow2RestClient, BasicAuth, RequestRejected
from environments.base import DeployError, DeployFile, TargetEnvironment
from environments.local_airflow import LocalAirflowError, LocalAirflowServer, LocalAirflowTarget
from environments.local_airflow.server import airflow_environ, descendants, health_is_ready, tail_of
from tests.net import free_port
from tests.net import timed_wait as wait_until
from tests.runtime import find_runtime_python

# ---------------------------------------------------------------- pure parts


def test_airflow_environ_configures_everything_through_variables(tmp_path: Path) -> None:
    base = {"PATH": "/usr/bin", "PYTHONPATH": "/repo", "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW_CONN_X": "postgres://", "HOME": "/root"}
    env = airflow_environ(base, home=tmp_path, venv_bin=Path("/rt/bin"), host="127.0.0.1", port=18080)
    assert "PYTHONPATH" not in env and "AIRFLOW_CONN_X" not in env
    assert env["HOME"] == "/root"
    assert env["PATH"].split(os.pathsep)[0] == "/rt/bin"  # `airflow tasks run` of the SequentialExecutor
    assert env["AIRFLOW__CORE__EXECUTOR"] == "SequentialExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path / 'airflow.db'}"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(tmp_path / "dags")
    assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "True"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert "basic_auth" in env["AIRFLOW__API__AUTH_BACKENDS"]
    assert env["AIRFLOW__WEBSERVER__WEB_SERVER_PORT"] == "18080"
    assert int(env["AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL"]) <= 5
    wildcard = airflow_environ(base, home=tmp_path, venv_bin=Path("/rt/bin"), host="0.0.0.0", port=18080)
    assert wildcard["AIRFLOW__WEBSERVER__BASE_URL"] == "http://127.0.0.1:18080"


def test_health_is_ready_needs_database_and_scheduler() -> None:
    healthy = {"metadatabase": {"status": "healthy"}, "scheduler": {"status": "healthy"}}
    assert health_is_ready(healthy)
    assert not health_is_ready({**healthy, "scheduler": {"status": "unhealthy"}})
    assert not health_is_ready({"metadatabase": {"status": "healthy"}})


def test_tail_of_returns_the_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert tail_of(log, 2) == "line 98\nline 99"
    assert tail_of(tmp_path / "missing.log") == ""


def test_descendants_finds_grandchildren() -> None:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c",
                              ("import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', "
                              "'import time; time.sleep(30)']); print(p.pid, flush=True); time.sleep(30)")],
                             stdout=subprocess.PIPE, text=True)
    try:
        grandchild = int(child.stdout.readline())
        assert grandchild in descendants(child.pid)
        assert child.pid not in descendants(grandchild)
    finally:
        for pid in (grandchild, child.pid):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        child.wait()


# ---------------------------------------------------------------- LocalAirflowTarget: files


@pytest.fixture
def target(tmp_path: Path) -> LocalAirflowTarget:
    rest = Airflow2RestClient(f"http://127.0.0.1:{free_port()}", BasicAuth("admin", "admin"))
    return LocalAirflowTarget("local-test", tmp_path / "dags", rest)


def deploy_file(tmp_path: Path, relative_path: str, text: str) -> DeployFile:
    local = tmp_path / "src" / relative_path
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text(text)
    return DeployFile(relative_path, local, hashlib.sha256(text.encode()).hexdigest())


def test_target_implements_the_interface(target: LocalAirflowTarget) -> None:
    assert isinstance(target, TargetEnvironment)
    assert target.airflow_uri == target.rest.base_url


def test_deploy_writes_atomically_and_skips_identical_bytes(target: LocalAirflowTarget, tmp_path: Path) -> None:
    a = deploy_file(tmp_path, "team/a.py", "A = 1\n")
    b = deploy_file(tmp_path, "b.sql", "select 1")
    first = target.deploy([a, b])
    assert first.uploaded == ("team/a.py", "b.sql") and first.unchanged == ()
    assert (target.dags_dir / "team" / "a.py").read_text() == "A = 1\n"
    mtime = (target.dags_dir / "team" / "a.py").stat().st_mtime_ns
    again = target.deploy([a, b])
    assert again.uploaded == () and again.unchanged == ("team/a.py", "b.sql")
    assert (target.dags_dir / "team" / "a.py").stat().st_mtime_ns == mtime  # not rewritten
    changed = deploy_file(tmp_path, "team/a.py", "A = 2\n")
    assert target.deploy([changed]).uploaded == ("team/a.py",)
    assert (target.dags_dir / "team" / "a.py").read_text() == "A = 2\n"
    leftovers = [p.name for p in target.dags_dir.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_deploy_refuses_paths_outside_the_dag_folder_and_changed_sources(target: LocalAirflowTarget,
                                                                         tmp_path: Path) -> None:
    escape = deploy_file(tmp_path, "x.py", "X = 1\n")
    for bad in ("../x.py", "/etc/x.py", "a/../../x.py"):
        with pytest.raises(DeployError, match="inside the DAG folder"):
            target.deploy([DeployFile(bad, escape.local_path, escape.sha256)])
    stale = DeployFile("x.py", escape.local_path, hashlib.sha256(b"other").hexdigest())
    with pytest.raises(DeployError, match="changed since it was planned"):
        target.deploy([stale])
    with pytest.raises(DeployError, match="cannot read"):
        target.deploy([DeployFile("y.py", tmp_path / "nope.py", "")])


def test_remove_deletes_and_tolerates_missing_files(target: LocalAirflowTarget, tmp_path: Path) -> None:
    target.deploy([deploy_file(tmp_path, "a.py", "A = 1\n")])
    target.remove(["a.py", "never_there.py"])
    assert not (target.dags_dir / "a.py").exists()


# ---------------------------------------------------------------- the server, without starting Airflow


def test_start_refuses_a_port_in_use(tmp_path: Path) -> None:
    python, why = find_runtime_python()
    if python is None:
        pytest.skip(why)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        server = LocalAirflowServer(tmp_path, busy.getsockname()[1], python=python)
        (tmp_path / "prepared.json").write_text("{}")
        with pytest.raises(LocalAirflowError, match="already in use"):
            server.start()
        assert not server.running()


def test_wait_ready_before_start_is_a_clear_error(tmp_path: Path) -> None:
    python, why = find_runtime_python()
    if python is None:
        pytest.skip(why)
    with pytest.raises(LocalAirflowError, match="not started"):
        LocalAirflowServer(tmp_path, free_port(), python=python).wait_ready(timeout=1)


@pytest.mark.slow
def test_a_dying_process_fails_wait_ready_with_its_log(tmp_path: Path) -> None:
    """A metadata DB that is not a database: the processes die, wait_ready says which and shows why."""
    python, why = find_runtime_python()
    if python is None:
        pytest.skip(why)
    server = LocalAirflowServer(tmp_path, free_port(), python=python)
    (tmp_path / "prepared.json").write_text("{}")  # start() only asks that prepare() ran at some point
    (tmp_path / "airflow.db").write_bytes(b"this is not sqlite" * 100)
    server.start()
    try:
        with pytest.raises(LocalAirflowError, match=r"exited with status .*last lines of"):
            server.wait_ready(timeout=90)
    finally:
        server.stop()
    assert not any(p.running for p in server.status().processes)


# ---------------------------------------------------------------- the real server


@pytest.fixture(scope="module")
def live_target(local_airflow2) -> LocalAirflowTarget:
    rest = Airflow2RestClient(local_airflow2.url, BasicAuth(local_airflow2.username, local_airflow2.password))
    yield LocalAirflowTarget("local-airflow2", local_airflow2.dags_dir, rest)
    rest.close()


HELLO_DAG = textwrap.dedent('''
    import pendulum
    from airflow import DAG
    from airflow.operators.bash import BashOperator

    with DAG("hello_local", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False):
        BashOperator(task_id="say_hello", bash_command="echo hello from {{ dag_run.conf.get('who', 'nobody') }}")
''')


@pytest.mark.slow
def test_server_reports_its_startup_and_prepare_is_idempotent(local_airflow2) -> None:
    server = local_airflow2.server
    print(f"\nlocal Airflow 2 startup (prepare + start + ready): {local_airflow2.startup_seconds:.1f} s")
    started = time.monotonic()
    assert server.prepare() is False  # already prepared: nothing runs
    assert time.monotonic() - started < 1.0
    status = server.status()
    assert status.ready and all(p.running for p in status.processes)
    assert {p.name for p in status.processes} == {"webserver", "scheduler"}


@pytest.mark.slow
def test_a_dag_from_deploy_to_a_successful_run(live_target: LocalAirflowTarget, tmp_path: Path) -> None:
    result = live_target.deploy([deploy_file(tmp_path, "hello_local.py", HELLO_DAG)])
    assert result.uploaded == ("hello_local.py",)

    _status, parse_seconds = wait_until("hello_local parsed",
                                       lambda: live_target.parse_status("hello_local", "hello_local.py").parsed,
                                       timeout=60)
    info = live_target.dag_info("hello_local")
    assert info.is_paused, "dags_are_paused_at_creation"
    assert info.schedule is None and info.next_dagrun is None
    assert info.fileloc == str(live_target.dags_dir / "hello_local.py")

    assert live_target.set_paused(["hello_local"], False) == {"hello_local": False}
    assert live_target.is_paused("hello_local") is False

    started = time.monotonic()
    first = live_target.trigger("hello_local", "wave-1-hello", conf={"who": "wave-1"})
    assert not first.already_existed
    assert first.run.run_id == "wave-1-hello" and first.run.state in ("queued", "running")
    assert first.run.logical_date is not None and first.run.logical_date.tzinfo is not None

    again = live_target.trigger("hello_local", "wave-1-hello", conf={"who": "wave-1"})
    assert again.already_existed and again.run.run_id == "wave-1-hello"
    runs = live_target.list_runs("hello_local")
    assert [r.run_id for r in runs] == ["wave-1-hello"]

    run, _ = wait_until("run finished", lambda: (r := live_target.get_run("hello_local", "wave-1-hello")).finished
                        and r, timeout=90)
    run_seconds = time.monotonic() - started
    assert run.state == "success", run
    assert dict(run.task_states) == {"say_hello": "success"}
    assert run.start_date is not None and run.end_date is not None and run.end_date >= run.start_date

    # A later logical date (in the future: the scheduler leaves it queued) lists first.
    later = live_target.trigger("hello_local", "wave-1-later", logical_date=run.logical_date + timedelta(days=1))
    assert [r.run_id for r in live_target.list_runs("hello_local")] == ["wave-1-later", "wave-1-hello"]
    with pytest.raises(RequestRejected, match="conflicts with another run"):  # same logical date, other id
        live_target.trigger("hello_local", "wave-1-other", logical_date=run.logical_date)
    assert live_target.mark_run("hello_local", later.run.run_id, "failed").state == "failed"
    assert live_target.mark_run("hello_local", "wave-1-hello", "failed").state == "failed"
    assert live_target.mark_run("hello_local", "wave-1-hello", "success").state == "success"
    live_target.set_paused(["hello_local"], True)
    print(f"\nparse latency {parse_seconds:.1f} s; trigger to success {run_seconds:.1f} s")


@pytest.mark.slow
def test_import_errors_are_reported_with_their_text(live_target: LocalAirflowTarget, tmp_path: Path) -> None:
    good = textwrap.dedent('''
        import pendulum
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator

        with DAG("evolving", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC")):
            EmptyOperator(task_id="noop")
    ''')
    broken = good.replace("from airflow.operators.empty import EmptyOperator",
                          "from airflow.operators.empty import EmptyOperator\nimport module_that_is_not_installed")
    fresh_broken = broken.replace('"evolving"', '"born_broken"')
    live_target.deploy([deploy_file(tmp_path, "team/evolving.py", good),
                        deploy_file(tmp_path, "team/born_broken.py", fresh_broken)])
    wait_until("evolving parsed", lambda: live_target.parse_status("evolving", "team/evolving.py").parsed)

    born, _ = wait_until("born_broken import error",
                         lambda: live_target.parse_status("born_broken", "team/born_broken.py").import_error)
    assert "module_that_is_not_installed" in born

    # A new version that fails: the DAG from the old version is still known, the import error wins.
    live_target.deploy([deploy_file(tmp_path / "v2", "team/evolving.py", broken)])
    status, _seconds = wait_until("evolving import error",
                                 lambda: (s := live_target.parse_status("evolving", "team/evolving.py")).import_error
                                 and s)
    assert not status.parsed
    assert "module_that_is_not_installed" in status.import_error
    assert status.file == str(live_target.dags_dir / "team" / "evolving.py")

    live_target.remove(["team/evolving.py", "team/born_broken.py"])


@pytest.mark.slow
def test_serve_command_runs_until_sigterm_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """What the stack supervisor runs: one "ready" line with the URL; SIGTERM stops every child."""
    import signal
    import subprocess
    import sys

    from stack.config import REPO_ROOT

    python, why = find_runtime_python()
    if python is None:
        pytest.skip(why)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "environments.local_airflow", "serve", "--home", str(tmp_path),
                             "--port", str(port)], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        started = time.monotonic()
        line = proc.stdout.readline()
        assert f"ready at http://127.0.0.1:{port}" in line, (line, proc.poll())
        print(f"\nserve: ready line after {time.monotonic() - started:.1f} s (fresh home)")
        children = descendants(proc.pid)
        assert len(children) >= 4  # gunicorn master + workers, scheduler (+ its DAG processor)
        stopping = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=40) == 0
        print(f"serve: stopped {time.monotonic() - stopping:.1f} s after SIGTERM")
        alive = [pid for pid in children if _running(pid)]
        assert alive == [], f"left running: {alive}"
        assert (tmp_path / "dags").is_dir() and (tmp_path / "logs" / "scheduler.out").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for a reaper is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
