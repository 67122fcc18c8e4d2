"""A real Airflow 2 (web server + scheduler) run by the project from a target profile's runtime venv.

Everything lives under one home folder: ``airflow.db`` (SQLite), ``dags/``, ``logs/`` (the two
processes' output and Airflow's own logs). Configuration is passed as ``AIRFLOW__*`` variables
(``airflow_environ``, a pure function), so no ``airflow.cfg`` is edited and two servers with different
homes and ports can run side by side. Chosen for speed: SQLite + SequentialExecutor (no broker), the DAG
folder listed and files re-parsed every 2 seconds, the FAB permission sync done once in ``prepare``
rather than at every web server start.

The two children run in their own process groups (``start_new_session``); ``stop`` signals those
groups only, so the gunicorn workers, the DAG processor and task subprocesses go with their parents
and nothing else on the machine is touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self

from airflow_runtime.atomic import atomic_write_text
from airflow_runtime.build import runtime_python
from observability import get_logger
from stack.config import StackConfig

log = get_logger(__name__)

SECRET_KEY = "composer-migrate-local-airflow2-not-a-secret"  # fixed: sessions survive restarts; local only
PREPARED_MARKER = "prepared.json"
PREPARE_SCRIPT_VERSION = 1

# Runs inside the runtime venv: migrate the DB, create (or re-password) the admin, sync FAB permissions,
# in one interpreter (each `airflow ...` command alone would pay the ~1.5 s import of Airflow again).
PREPARE_SCRIPT = """
import os
from airflow.cli import cli_parser
from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

user, password = os.environ["LOCAL_AIRFLOW_ADMIN_USER"], os.environ["LOCAL_AIRFLOW_ADMIN_PASSWORD"]
parser = cli_parser.get_parser()

def run(*argv):
    args = parser.parse_args(list(argv))
    args.func(args)

run("db", "migrate")
with get_application_builder() as appbuilder:
    exists = appbuilder.sm.find_user(user) is not None
if exists:
    run("users", "reset-password", "--username", user, "--password", password)
else:
    run("users", "create", "--username", user, "--password", password, "--firstname", "Local",
        "--lastname", "Admin", "--role", "Admin", "--email", user + "@localhost")
run("sync-perm")
print("prepared")
"""

# Variables of the caller's environment that must not reach the runtime's Python or Airflow.
_DROP_EXACT = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH", "AIRFLOW_HOME"}
_DROP_PREFIXES = ("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_")


class LocalAirflowError(RuntimeError):
    """The local Airflow 2 could not be prepared, started or reached; the message names what and where."""


def airflow_environ(base: Mapping[str, str], *, home: Path, venv_bin: Path, host: str, port: int,
                    workers: int = 2) -> dict[str, str]:
    """Environment of every process of the local Airflow 2 (pure): the caller's minus Python/Airflow
    settings, plus the whole configuration as ``AIRFLOW__SECTION__KEY`` variables."""
    env = {k: v for k, v in base.items() if k not in _DROP_EXACT and not k.startswith(_DROP_PREFIXES)}
    logs = home / "logs"
    env.update({
        # SequentialExecutor runs `airflow tasks run ...` through PATH: the runtime's bin comes first.
        "PATH": f"{venv_bin}{os.pathsep}{base.get('PATH', os.defpath)}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "plugins"),
        "AIRFLOW__CORE__EXECUTOR": "SequentialExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL": "2",
        "AIRFLOW__CORE__MIN_SERIALIZED_DAG_FETCH_INTERVAL": "2",
        "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACK_DEPTH": "25",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__DATABASE__LOAD_DEFAULT_CONNECTIONS": "False",
        "AIRFLOW__DATABASE__CHECK_MIGRATIONS": "False",  # prepare() migrated; the check costs start time
        "AIRFLOW__API__AUTH_BACKENDS": "airflow.api.auth.backend.basic_auth,airflow.api.auth.backend.session",
        "AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL": "2",
        "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "2",
        "AIRFLOW__SCHEDULER__PARSING_PROCESSES": "1",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "AIRFLOW__SCHEDULER__CHILD_PROCESS_LOG_DIRECTORY": str(logs / "scheduler"),
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__WEBSERVER__SECRET_KEY": SECRET_KEY,
        "AIRFLOW__WEBSERVER__WEB_SERVER_HOST": host,
        "AIRFLOW__WEBSERVER__WEB_SERVER_PORT": str(port),
        "AIRFLOW__WEBSERVER__BASE_URL": f"http://{reachable_host(host)}:{port}",
        "AIRFLOW__WEBSERVER__WORKERS": str(workers),
        "AIRFLOW__WEBSERVER__WORKER_REFRESH_INTERVAL": "0",  # no rolling worker restarts
        "AIRFLOW__WEBSERVER__WARN_DEPLOYMENT_EXPOSURE": "False",
        "AIRFLOW__FAB__UPDATE_FAB_PERMS": "False",  # synced once by prepare()
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(logs),
        "AIRFLOW__LOGGING__DAG_PROCESSOR_MANAGER_LOG_LOCATION": str(logs / "dag_processor_manager.log"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "NO_GCE_CHECK": "True",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def reachable_host(bind_host: str) -> str:
    """The address to reach a server bound to ``bind_host`` (a wildcard bind is reached on loopback)."""
    return "127.0.0.1" if bind_host in ("", "0.0.0.0", "::") else bind_host


def health_is_ready(health: Mapping[str, object]) -> bool:
    """Whether ``/health`` says the metadatabase and the scheduler are both healthy."""
    def status(part: str) -> object:
        value = health.get(part)
        return value.get("status") if isinstance(value, Mapping) else None
    return status("metadatabase") == "healthy" and status("scheduler") == "healthy"


def tail_of(path: Path, lines: int = 30) -> str:
    """The last lines of a log file (empty when it does not exist)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 64 * 1024))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class ProcessStatus:
    name: str
    pid: int | None
    running: bool
    exit_code: int | None
    log: Path


@dataclass(frozen=True)
class ServerStatus:
    url: str
    home: Path
    processes: tuple[ProcessStatus, ...]
    health: Mapping[str, object] | None  # None when the web server did not answer

    @property
    def ready(self) -> bool:
        return self.health is not None and health_is_ready(self.health)


class LocalAirflowServer:
    """One local Airflow 2: ``prepare()`` once, ``start()``, ``wait_ready()``, ``stop()``."""

    PROCESSES = ("webserver", "scheduler")

    def __init__(self, home: Path | None = None, port: int | None = None, *, profile: str | None = None,
                 host: str | None = None, username: str | None = None, password: str | None = None,
                 workers: int = 2, runtime_root: Path | None = None, python: Path | None = None) -> None:
        defaults = StackConfig()
        self.home = Path(home if home is not None else defaults.airflow2_home).absolute()
        self.port = port if port is not None else defaults.airflow2_port
        self.host = host or defaults.host
        self.profile = profile or defaults.profile
        self.username = username or defaults.airflow2_user
        self.password = password or defaults.airflow2_password
        self.workers = workers
        # The profile's built runtime (RuntimeNotBuiltError names the build command) unless told which.
        self.python = Path(python) if python is not None else runtime_python(self.profile, runtime_root)
        self._procs: dict[str, subprocess.Popen] = {}
        self._log_files: dict[str, IO[bytes]] = {}

    def __repr__(self) -> str:
        return f"LocalAirflowServer(home={str(self.home)!r}, url={self.url!r})"

    @property
    def url(self) -> str:
        return f"http://{reachable_host(self.host)}:{self.port}"

    @property
    def dags_dir(self) -> Path:
        return self.home / "dags"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    def log_path(self, process: str) -> Path:
        return self.logs_dir / f"{process}.out"

    def environ(self) -> dict[str, str]:
        return airflow_environ(os.environ, home=self.home, venv_bin=self.python.parent, host=self.host,
                               port=self.port, workers=self.workers)

    # ------------------------------------------------------------ prepare

    def _prepared_stamp(self) -> dict[str, object]:
        secret = hashlib.sha256(f"{self.username}\0{self.password}".encode()).hexdigest()
        return {"version": PREPARE_SCRIPT_VERSION, "profile": self.profile, "python": str(self.python),
                "admin": secret}

    def prepare(self) -> bool:
        """Migrate the metadata DB, create the admin user, sync permissions. Returns False when the home
        was already prepared for this runtime and user (then nothing runs: a restart stays fast)."""
        for directory in (self.home, self.dags_dir, self.logs_dir, self.home / "plugins"):
            directory.mkdir(parents=True, exist_ok=True)
        marker = self.home / PREPARED_MARKER
        stamp = self._prepared_stamp()
        try:
            if (self.home / "airflow.db").exists() and json.loads(marker.read_text()) == stamp:
                return False
        except (OSError, ValueError):
            pass
        started = time.monotonic()
        env = self.environ() | {"LOCAL_AIRFLOW_ADMIN_USER": self.username,
                                "LOCAL_AIRFLOW_ADMIN_PASSWORD": self.password,
                                "AIRFLOW__FAB__UPDATE_FAB_PERMS": "True"}  # creates the roles
        log_path = self.log_path("prepare")
        with log_path.open("wb") as out:
            proc = subprocess.run([str(self.python), "-c", PREPARE_SCRIPT], env=env, cwd=self.home,
                                  stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False)
        if proc.returncode != 0:
            raise LocalAirflowError(f"preparing the local Airflow 2 in {self.home} failed (exit status "
                                    f"{proc.returncode}); last lines of {log_path}:\n{tail_of(log_path)}")
        atomic_write_text(marker, json.dumps(stamp, indent=2) + "\n")
        log.info("local_airflow.prepared", home=str(self.home), seconds=round(time.monotonic() - started, 2))
        return True

    # ------------------------------------------------------------ start / stop

    def webserver_command(self) -> list[str]:
        """Gunicorn serving Airflow's web app, as ``airflow webserver`` would run it, minus the wrapper.

        ``airflow webserver`` imports Airflow only to build this command line and then babysits gunicorn
        (rolling worker restarts, which we switch off anyway); starting gunicorn directly saves that
        import, 1.5-3 s of every start. ``--preload`` builds the app once, before forking the workers.
        """
        return [str(self.python), "-m", "gunicorn",
                "--workers", str(self.workers), "--worker-class", "sync",
                "--timeout", "120", "--graceful-timeout", "10",
                "--bind", f"{self.host}:{self.port}", "--name", "airflow-webserver",
                "--config", "python:airflow.www.gunicorn_config", "--preload",
                "airflow.www.app:cached_app()"]

    def running(self) -> bool:
        return bool(self._procs) and all(p.poll() is None for p in self._procs.values())

    def start(self) -> None:
        """Launch the web server and the scheduler (each in its own process group, output to logs/)."""
        if self.running():
            return
        if self._procs:
            self.stop()  # one of them died: start both afresh
        if not (self.home / PREPARED_MARKER).exists():
            raise LocalAirflowError(f"{self.home} is not prepared: call prepare() before start()")
        if not port_is_free(self.host, self.port):
            raise LocalAirflowError(f"cannot start the local Airflow 2 web server: {self.host}:{self.port} "
                                    f"is already in use")
        env = self.environ()
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        commands = {
            "webserver": self.webserver_command(),
            # No log server (port 8793): the web server reads task logs from the shared home directly.
            "scheduler": [str(self.python), "-m", "airflow", "scheduler", "--skip-serve-logs"],
        }
        try:
            for name, cmd in commands.items():
                out = self.log_path(name).open("ab")
                self._log_files[name] = out
                self._procs[name] = subprocess.Popen(cmd, env=env, cwd=self.home, stdout=out,
                                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                     start_new_session=True)
        except OSError as exc:
            self.stop()
            raise LocalAirflowError(f"cannot start the local Airflow 2 ({exc})") from exc
        log.info("local_airflow.started", url=self.url, home=str(self.home),
                 pids={n: p.pid for n, p in self._procs.items()})

    def read_health(self, timeout_s: float = 2.0) -> dict[str, object] | None:
        """``/api/v1/health`` (no auth needed), or None when the web server does not answer (yet)."""
        try:
            with urllib.request.urlopen(f"{self.url}/api/v1/health", timeout=timeout_s) as resp:
                return json.loads(resp.read())
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def check_alive(self) -> None:
        """Raise LocalAirflowError, with the log tail, if one of the started processes has exited."""
        self._raise_if_died()

    def _raise_if_died(self) -> None:
        for name, proc in self._procs.items():
            code = proc.poll()
            if code is not None:
                path = self.log_path(name)
                raise LocalAirflowError(f"the local Airflow 2 {name} (pid {proc.pid}) exited with status {code}; "
                                        f"last lines of {path}:\n{tail_of(path)}")

    def wait_ready(self, timeout: float = 120.0, interrupt: threading.Event | None = None) -> float:
        """Block until ``/health`` reports the metadatabase and the scheduler healthy; returns the seconds
        waited. Fails early, with the log tail, when a process died; on timeout names what was missing.
        ``interrupt`` set (a signal handler's) ends the wait with a LocalAirflowError too."""
        if not self._procs:
            raise LocalAirflowError("the local Airflow 2 is not started")
        started = time.monotonic()
        health: dict[str, object] | None = None
        while time.monotonic() - started < timeout:
            if interrupt is not None and interrupt.is_set():
                raise LocalAirflowError(f"waiting for the local Airflow 2 at {self.url} was interrupted")
            self._raise_if_died()
            health = self.read_health()
            if health is not None and health_is_ready(health):
                return time.monotonic() - started
            time.sleep(0.2)
        self._raise_if_died()
        seen = json.dumps(health) if health is not None else "no answer from the web server"
        raise LocalAirflowError(f"the local Airflow 2 at {self.url} was not ready after {timeout:.0f} s "
                                f"(/health: {seen}); logs in {self.logs_dir}:\n"
                                f"webserver:\n{tail_of(self.log_path('webserver'), 10)}\n"
                                f"scheduler:\n{tail_of(self.log_path('scheduler'), 10)}")

    def stop(self, grace_s: float = 15.0) -> None:
        """SIGTERM the process groups this server started, SIGKILL what is left after ``grace_s``."""
        procs = list(self._procs.values())
        # Some descendants make their own group (the scheduler's DAG processor manager): remember them now,
        # while the tree is intact, to kill them too should their parent die before reaping them.
        groups = {proc.pid for proc in procs}
        for proc in procs:
            groups |= {g for g in map(_pgid_or_none, descendants(proc.pid)) if g is not None}
        groups.discard(os.getpgrp())  # never our own group
        for proc in procs:
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        # The group leaders may be gone while members (gunicorn workers, a task) linger: kill the groups.
        for pgid in groups:
            _signal_group(pgid, signal.SIGKILL)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                log.warning("local_airflow.unkillable", pid=proc.pid)
        for out in self._log_files.values():
            out.close()
        if procs:
            log.info("local_airflow.stopped", url=self.url)
        self._procs.clear()
        self._log_files.clear()

    def status(self) -> ServerStatus:
        processes = []
        for name in self.PROCESSES:
            proc = self._procs.get(name)
            code = proc.poll() if proc is not None else None
            processes.append(ProcessStatus(name=name, pid=proc.pid if proc else None,
                                           running=proc is not None and code is None, exit_code=code,
                                           log=self.log_path(name)))
        return ServerStatus(url=self.url, home=self.home, processes=tuple(processes), health=self.read_health())

    def __enter__(self) -> Self:
        self.prepare()
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def descendants(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc; empty where there is no /proc)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return set()
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _pgid_or_none(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    """Signal one process group we created (pgid == the leader's pid); gone already is fine."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
