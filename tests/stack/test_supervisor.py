"""The supervisor against real processes: a python http.server, process groups, stale pidfiles, busy ports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from stack.supervisor import (
    PortInUse,
    ServiceStartError,
    State,
    StaysAlive,
    TcpReady,
    group_members,
    process_start_time,
)
from tests.stack.helpers import free_port, http_service


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status


def _alive(pid: int) -> bool:
    return process_start_time(pid) is not None


def _wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_start_waits_until_ready_records_pid_and_start_time_then_stop(supervisor, tmp_path):
    spec = http_service(tmp_path)
    status = supervisor.start(spec)

    assert status.state is State.RUNNING and status.ready and status.note == "started"
    assert _get(spec.address + "/") == 200
    record = json.loads(supervisor.pidfile("web").read_text())
    assert record["pid"] == status.pid
    assert record["start_time"] == process_start_time(status.pid)
    assert record["log_file"] == str(spec.log_file) and spec.log_file.exists()
    assert supervisor.status("web", ready=spec.ready).ready is True

    stopped = supervisor.stop("web")
    assert stopped.note == "stopped"
    assert not _alive(status.pid)
    assert not supervisor.pidfile("web").exists()
    assert supervisor.status("web").state is State.STOPPED
    assert not TcpReady("127.0.0.1", spec.ports[0][1])(0)


def test_start_is_idempotent_for_a_running_service(supervisor, tmp_path):
    spec = http_service(tmp_path)
    first = supervisor.start(spec)
    second = supervisor.start(spec)
    assert second.pid == first.pid
    assert second.note == "already running"
    assert _get(spec.address + "/") == 200


def test_a_reused_pid_is_never_signalled(supervisor, tmp_path):
    """A pidfile naming a live process with another start time (pid reuse) is stale: nothing is killed."""
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        assert _wait_until(lambda: _alive(bystander.pid))
        supervisor.pids_dir.mkdir(parents=True)
        supervisor.pidfile("web").write_text(json.dumps({
            "name": "web", "pid": bystander.pid, "start_time": process_start_time(bystander.pid) - 1,
            "argv": [], "log_file": "",
        }))
        assert supervisor.status("web").state is State.DEAD

        result = supervisor.stop("web")
        assert result.state is State.DEAD and result.note == "stale pidfile removed"
        assert bystander.poll() is None, "the process that reused the pid was signalled"
        assert not supervisor.pidfile("web").exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_stale_pidfile_of_a_dead_process_is_replaced_on_start(supervisor, tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    supervisor.pids_dir.mkdir(parents=True)
    supervisor.pidfile("web").write_text(json.dumps({"name": "web", "pid": gone.pid, "start_time": 1,
                                                     "argv": [], "log_file": ""}))
    assert supervisor.status("web").state is State.DEAD

    spec = http_service(tmp_path)
    status = supervisor.start(spec)
    assert status.note == "started" and status.pid != gone.pid
    assert json.loads(supervisor.pidfile("web").read_text())["pid"] == status.pid


def test_corrupt_pidfile_counts_as_stale(supervisor, tmp_path):
    supervisor.pids_dir.mkdir(parents=True)
    supervisor.pidfile("web").write_text("not json")
    assert supervisor.status("web").state is State.DEAD
    assert supervisor.start(http_service(tmp_path)).note == "started"


def test_port_in_use_is_a_clear_error_before_launching(supervisor, tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        spec = http_service(tmp_path, name="web", port=port)
        with pytest.raises(PortInUse) as caught:
            supervisor.start(spec)
    message = str(caught.value)
    assert f"port {port}" in message and "web" in message
    assert not supervisor.pidfile("web").exists()
    assert not spec.log_file.exists(), "nothing was launched"


def test_stop_kills_the_whole_group_and_only_it(supervisor, tmp_path):
    child_pid_file = tmp_path / "child.pid"
    port = free_port()
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(f"""
        import http.server, pathlib, subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        pathlib.Path({str(child_pid_file)!r}).write_text(str(child.pid))
        http.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, port={port}, bind="127.0.0.1")
    """))
    spec = http_service(tmp_path, name="parent", port=port, argv=(sys.executable, str(script)))
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        status = supervisor.start(spec)
        assert _wait_until(child_pid_file.exists)
        child_pid = int(child_pid_file.read_text())
        assert set(group_members(status.pid)) == {status.pid, child_pid}

        supervisor.stop("parent")

        assert not _alive(status.pid)
        assert _wait_until(lambda: not _alive(child_pid)), "the service's child survived stop"
        assert bystander.poll() is None, "a process outside the service's group was killed"
    finally:
        bystander.kill()
        bystander.wait()


def test_stop_escalates_to_sigkill_after_the_grace_period(supervisor, tmp_path):
    script = tmp_path / "stubborn.py"
    script.write_text("import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(120)\n")
    spec = http_service(tmp_path, name="stubborn", argv=(sys.executable, str(script)), ready=StaysAlive(0.5),
                        ports=())
    status = supervisor.start(spec)
    began = time.monotonic()
    supervisor.stop("stubborn", grace=1.0)
    assert not _alive(status.pid)
    assert 1.0 <= time.monotonic() - began < 8


def test_a_service_that_exits_fails_with_its_log_tail(supervisor, tmp_path):
    spec = http_service(tmp_path, name="crash", ports=(), argv=(
        sys.executable, "-c", "import sys; print('cannot open the frobnicator', file=sys.stderr); sys.exit(3)"))
    with pytest.raises(ServiceStartError) as caught:
        supervisor.start(spec)
    message = str(caught.value)
    assert "crash failed to start: the process exited with code 3" in message
    assert "cannot open the frobnicator" in message
    assert str(spec.log_file) in message
    assert not supervisor.pidfile("crash").exists()


def test_a_service_never_ready_is_stopped_after_its_timeout(supervisor, tmp_path):
    port = free_port()
    spec = http_service(tmp_path, name="mute", ports=(), ready=TcpReady("127.0.0.1", port), ready_timeout=1.5,
                        argv=(sys.executable, "-c", "print('warming up', flush=True); import time; time.sleep(60)"))
    with pytest.raises(ServiceStartError) as caught:
        supervisor.start(spec)
    assert "not ready after 1.5s" in str(caught.value)
    assert f"TCP 127.0.0.1:{port}" in str(caught.value)
    assert "warming up" in caught.value.log_tail
    assert not supervisor.pidfile("mute").exists()
    assert not any("time.sleep(60)" in _cmdline(pid) for pid in _all_pids())


def test_a_service_detached_from_our_session(supervisor, tmp_path):
    """start_new_session: the service survives its starter's terminal and leads its own group."""
    status = supervisor.start(http_service(tmp_path))
    assert os.getpgid(status.pid) == status.pid
    assert os.getsid(status.pid) == status.pid != os.getsid(0)


def test_stop_of_an_unknown_service_changes_nothing(supervisor):
    assert supervisor.stop("nothing").state is State.STOPPED


def _all_pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""



def test_stop_ends_what_a_crashed_service_left_in_its_group(supervisor, tmp_path):
    """The leader died (crash, OOM kill) but its child still runs: status says so, stop ends the child."""
    child_pid_file = tmp_path / "child.pid"
    script = tmp_path / "leader.py"
    script.write_text(textwrap.dedent(f"""
        import pathlib, subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        pathlib.Path({str(child_pid_file)!r}).write_text(str(child.pid))
        time.sleep(120)
    """))
    spec = http_service(tmp_path, name="leader", argv=(sys.executable, str(script)), ready=StaysAlive(0.3), ports=())
    status = supervisor.start(spec)
    assert _wait_until(child_pid_file.exists)
    child_pid = int(child_pid_file.read_text())
    os.kill(status.pid, 9)
    assert _wait_until(lambda: supervisor.status("leader").state is State.DEAD)
    assert "1 process(es) of its group remain" in supervisor.status("leader").note

    result = supervisor.stop("leader", grace=2)
    assert "1 leftover process(es) of its group stopped" in result.note
    assert _wait_until(lambda: not _alive(child_pid))
    assert not supervisor.pidfile("leader").exists()
