"""Start, stop and inspect detached local services, identified by pidfiles that survive our process.

Why a pidfile holds the process start time too: pids are reused. Before we signal anything we check
that the pid still belongs to the process we launched (same start time in ``/proc/<pid>/stat``), so a
stale pidfile never makes us kill a stranger. Each service runs in its own session (process group), so
stopping it stops everything it spawned (Airflow's webserver workers, the scheduler) and nothing else.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

# ---------------------------------------------------------------- errors


class SupervisorError(RuntimeError):
    """Base of the errors below; the message names the service and what to look at."""


class PortInUse(SupervisorError):
    """A port the service needs is taken by a process we did not start."""

    def __init__(self, service: str, host: str, port: int):
        super().__init__(
            f"cannot start {service}: port {port} on {host} is already in use by another process "
            f"(stop it, or choose another port for {service})"
        )
        self.service, self.host, self.port = service, host, port


class ServiceStartError(SupervisorError):
    """The service exited or did not become ready in time; carries its log path and last lines."""

    def __init__(self, service: str, reason: str, log_file: Path, log_tail: str):
        message = f"{service} failed to start: {reason}\nlog: {log_file}"
        if log_tail.strip():
            message += f"\n--- last lines of the log ---\n{log_tail.rstrip()}"
        super().__init__(message)
        self.service, self.reason, self.log_file, self.log_tail = service, reason, log_file, log_tail


# ---------------------------------------------------------------- readiness checks
# A readiness check is any callable taking the service's pid and answering "ready now?". It must be
# quick and never raise for "not yet" (connection refused, 503...).

ReadyCheck = Callable[[int], bool]


@dataclass(frozen=True)
class TcpReady:
    """Ready when something accepts TCP connections on host:port."""

    host: str
    port: int

    def __call__(self, pid: int) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1.0):
                return True
        except OSError:
            return False

    def __str__(self) -> str:
        return f"TCP {self.host}:{self.port} accepts connections"


@dataclass(frozen=True)
class HttpReady:
    """Ready when GET url answers 200 (and, if given, ``accept(json_body)`` is true)."""

    url: str
    accept: Callable[[object], bool] | None = None
    timeout: float = 2.0

    def __call__(self, pid: int) -> bool:
        try:
            with urllib.request.urlopen(self.url, timeout=self.timeout) as response:
                if response.status != 200:
                    return False
                if self.accept is None:
                    return True
                return bool(self.accept(json.loads(response.read() or b"null")))
        except (OSError, urllib.error.URLError, ValueError):
            return False

    def __str__(self) -> str:
        return f"GET {self.url} answers 200"


@dataclass(frozen=True)
class StaysAlive:
    """Ready once the process has been running for ``seconds`` (for services that listen on nothing)."""

    seconds: float

    def __call__(self, pid: int) -> bool:
        age = process_age(pid)
        return age is not None and age >= self.seconds

    def __str__(self) -> str:
        return f"process alive for {self.seconds:g}s"


@dataclass(frozen=True)
class AllReady:
    """Ready when every check is."""

    checks: tuple[ReadyCheck, ...]

    def __call__(self, pid: int) -> bool:
        return all(check(pid) for check in self.checks)

    def __str__(self) -> str:
        return " and ".join(str(check) for check in self.checks)


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class ServiceSpec:
    """How to run one service: command, environment, readiness and the ports it will bind."""

    name: str
    argv: tuple[str, ...]
    log_file: Path
    ready: ReadyCheck
    env: Mapping[str, str] = field(default_factory=dict)  # added to (overrides) the inherited environment
    cwd: Path | None = None
    ready_timeout: float = 30.0
    ports: tuple[tuple[str, int], ...] = ()  # (host, port) pairs checked free before launching
    address: str = ""  # what people use to reach it (URL or host:port), shown in status


class State(str, Enum):
    RUNNING = "running"
    STOPPED = "stopped"  # no pidfile: not started by us, or stopped cleanly
    DEAD = "dead"  # pidfile left behind, but the process is gone (or the pid now belongs to another)


@dataclass(frozen=True)
class PidRecord:
    """What the pidfile holds: enough to recognise our process and to describe it later."""

    name: str
    pid: int
    start_time: int  # field 22 of /proc/<pid>/stat: clock ticks after boot
    argv: tuple[str, ...]
    log_file: str
    address: str = ""


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    state: State
    pid: int | None = None
    ready: bool | None = None  # None when not checked (not running, or no check given)
    log_file: str | None = None
    address: str = ""
    note: str = ""  # e.g. "already running" after an idempotent start


# ---------------------------------------------------------------- /proc helpers


def _proc_stat_fields(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/<pid>/stat (after the parenthesised command name, which may hold spaces)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return raw[raw.rindex(")") + 2:].split()


def process_start_time(pid: int) -> int | None:
    """Start time of a live (non-zombie) process in clock ticks after boot, or None."""
    fields = _proc_stat_fields(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def process_age(pid: int) -> float | None:
    start = process_start_time(pid)
    if start is None:
        return None
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - start / os.sysconf("SC_CLK_TCK")


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) pids in process group ``pgid``."""
    members = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _proc_stat_fields(int(entry.name))
        if fields is not None and fields[0] not in ("Z", "X") and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


# Popen objects of the services this process launched: kept so their exit status is collected
# (no zombies while a test or a long-running caller lives on) and so Python does not warn about them.
_launched: dict[int, subprocess.Popen] = {}
_exit_codes: dict[int, int] = {}  # pid -> exit status of those that ended, for error messages


def _reap(pid: int) -> None:
    process = _launched.get(pid)
    if process is not None and process.poll() is not None:
        _exit_codes[pid] = process.returncode
        _launched.pop(pid, None)  # pop, not del: another thread may have reaped it meanwhile


def _is_ours(record: PidRecord) -> bool:
    _reap(record.pid)
    return process_start_time(record.pid) == record.start_time


def _leftovers(record: PidRecord) -> list[int]:
    """Processes our dead service left in its group (e.g. the workers of a crashed web server).

    Linux does not hand out a pid while a process group still carries that number, so while no process
    has the recorded pid, members of group <pid> are ours. When some other process has the pid (it was
    reused), our group was empty when it got it: then nothing is ours.
    """
    if record.pid <= 0 or process_start_time(record.pid) is not None:  # a live process has the pid
        return []
    return group_members(record.pid)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def tail(path: Path, lines: int = 40) -> str:
    """Last ``lines`` lines of a text file ('' if it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            data = handle.read()
    except FileNotFoundError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


# ---------------------------------------------------------------- the supervisor


@dataclass(frozen=True)
class Supervisor:
    """Services recorded in ``pids_dir`` (one ``<name>.json`` each)."""

    pids_dir: Path
    poll_interval: float = 0.2

    def pidfile(self, name: str) -> Path:
        return self.pids_dir / f"{name}.json"

    def read_record(self, name: str) -> PidRecord | None:
        try:
            data = json.loads(self.pidfile(name).read_text())
            return PidRecord(name=data["name"], pid=int(data["pid"]), start_time=int(data["start_time"]),
                             argv=tuple(data.get("argv", ())), log_file=data.get("log_file", ""),
                             address=data.get("address", ""))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            # An unreadable pidfile names no process we could safely signal: treat as stale.
            return PidRecord(name=name, pid=-1, start_time=-1, argv=(), log_file="")

    def _write_record(self, record: PidRecord) -> None:
        self.pids_dir.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"name": record.name, "pid": record.pid, "start_time": record.start_time,
                              "argv": list(record.argv), "log_file": record.log_file,
                              "address": record.address}, indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.pids_dir, prefix=f".{record.name}.", suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            handle.write(payload)
        os.replace(tmp, self.pidfile(record.name))

    def status(self, name: str, ready: ReadyCheck | None = None) -> ServiceStatus:
        """running / stopped / dead, and (when running and a check is given) whether it is ready."""
        record = self.read_record(name)
        if record is None:
            return ServiceStatus(name=name, state=State.STOPPED)
        if not _is_ours(record):
            leftovers = _leftovers(record)
            note = "stale pidfile: the process is gone"
            if leftovers:
                note += f", {len(leftovers)} process(es) of its group remain (`stop` ends them)"
            return ServiceStatus(name=name, state=State.DEAD, pid=record.pid, log_file=record.log_file,
                                 address=record.address, note=note)
        return ServiceStatus(name=name, state=State.RUNNING, pid=record.pid,
                             ready=None if ready is None else ready(record.pid),
                             log_file=record.log_file, address=record.address)

    def start(self, spec: ServiceSpec) -> ServiceStatus:
        """Launch ``spec`` detached and wait until it is ready; leave it alone if it already runs.

        Raises PortInUse before launching when a port it needs is taken by someone else, and
        ServiceStartError (with the log tail) when it exits or is not ready within its timeout; a
        service that failed to become ready is stopped, so a retry starts clean.
        """
        record = self.read_record(spec.name)
        if record is not None and _is_ours(record):
            self._wait_ready(spec, record.pid)
            return ServiceStatus(name=spec.name, state=State.RUNNING, pid=record.pid, ready=True,
                                 log_file=record.log_file, address=record.address, note="already running")
        if record is not None:
            self.pidfile(spec.name).unlink(missing_ok=True)  # stale: the process is gone
        for host, port in spec.ports:
            if not port_is_free(host, port):
                raise PortInUse(spec.name, host, port)

        spec.log_file.parent.mkdir(parents=True, exist_ok=True)
        with spec.log_file.open("ab") as log:
            log.write(f"\n=== {time.strftime('%Y-%m-%dT%H:%M:%S%z')} starting {spec.name}: "
                      f"{' '.join(spec.argv)}\n".encode())
            log.flush()
            try:
                process = subprocess.Popen(
                    list(spec.argv), cwd=spec.cwd, env={**os.environ, **spec.env},
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                )
            except OSError as error:
                raise ServiceStartError(spec.name, f"cannot run {spec.argv[0]!r}: {error}", spec.log_file,
                                        "") from error
        _launched[process.pid] = process
        start_time = process_start_time(process.pid)
        if start_time is None:  # exited before we could even look at it
            process.wait()
            raise ServiceStartError(spec.name, f"exited at once with code {process.returncode}",
                                    spec.log_file, tail(spec.log_file))
        record = PidRecord(name=spec.name, pid=process.pid, start_time=start_time, argv=spec.argv,
                           log_file=str(spec.log_file), address=spec.address)
        self._write_record(record)
        try:
            self._wait_ready(spec, process.pid)
        except ServiceStartError:
            self.stop(spec.name)
            raise
        return ServiceStatus(name=spec.name, state=State.RUNNING, pid=process.pid, ready=True,
                             log_file=str(spec.log_file), address=spec.address, note="started")

    def _wait_ready(self, spec: ServiceSpec, pid: int) -> None:
        deadline = time.monotonic() + spec.ready_timeout
        while True:
            _reap(pid)
            if process_start_time(pid) is None:
                code = f" with code {_exit_codes[pid]}" if pid in _exit_codes else ""
                raise ServiceStartError(spec.name, f"the process exited{code} before it was ready "
                                        f"({spec.ready})", spec.log_file, tail(spec.log_file))
            if spec.ready(pid):
                return
            if time.monotonic() >= deadline:
                raise ServiceStartError(spec.name, f"not ready after {spec.ready_timeout:g}s "
                                        f"(waiting for: {spec.ready})", spec.log_file, tail(spec.log_file))
            time.sleep(self.poll_interval)

    def stop(self, name: str, grace: float = 15.0) -> ServiceStatus:
        """SIGTERM the service's process group, SIGKILL what is left after ``grace`` seconds.

        Only a process whose start time matches the pidfile is signalled; the pidfile is removed in
        every case. Returns the status before stopping (STOPPED when there was nothing to stop).
        """
        record = self.read_record(name)
        if record is None:
            return ServiceStatus(name=name, state=State.STOPPED)
        pgid = record.pid  # start_new_session: the service leads its own group
        if not _is_ours(record):
            leftovers = _leftovers(record)
            if leftovers:
                self._signal_group(pgid, signal.SIGTERM)
                if not self._wait_group_gone(record.pid, pgid, grace):
                    self._signal_group(pgid, signal.SIGKILL)
                    self._wait_group_gone(record.pid, pgid, 5.0)
            self.pidfile(name).unlink(missing_ok=True)
            note = f"stale pidfile removed; {len(leftovers)} leftover process(es) of its group stopped" \
                if leftovers else "stale pidfile removed"
            return ServiceStatus(name=name, state=State.DEAD, pid=record.pid, log_file=record.log_file, note=note)
        self._signal_group(pgid, signal.SIGTERM)
        if not self._wait_group_gone(record.pid, pgid, grace):
            self._signal_group(pgid, signal.SIGKILL)
            self._wait_group_gone(record.pid, pgid, 5.0)
        self.pidfile(name).unlink(missing_ok=True)
        return ServiceStatus(name=name, state=State.RUNNING, pid=record.pid, log_file=record.log_file,
                             address=record.address, note="stopped")

    @staticmethod
    def _signal_group(pgid: int, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signum)

    def _wait_group_gone(self, pid: int, pgid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            _reap(pid)
            if not group_members(pgid):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(self.poll_interval, 0.1))
