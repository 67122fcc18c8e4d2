"""Orchestrator side of the DAG loader: start it in the runtime venv, feed it files, collect results.

Never imports Airflow. A ``RuntimeSession`` owns one loader process (``airflow_runtime.inside.loader``
run by the runtime's Python) and a private work directory: a copy of the template Airflow home (its
migrated SQLite DB), an empty DAGs folder, the loader's log. ``load_files`` sends one request per file
and returns one ``FileLoadResult`` per file, in input order, calling ``on_result`` as each arrives.

Robust to the loader dying (a DAG that kills its parent, an OOM kill, a bug): the files it was working
on are reported ``crashed``, a new loader is started, and the files it had not started yet are sent
again. A loader that stops answering is killed and treated the same way. Not thread-safe: one caller.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Self

from airflow_runtime.build import init_airflow_home, runtime_python, template_airflow_home
from airflow_runtime.env import make_pythonpath_dir, runtime_env
from airflow_runtime.inside import protocol as P
from airflow_runtime.inside.fileload import PROVIDER_PRELOAD
from airflow_runtime.results import FileLoadResult
from target_profiles import TargetProfile

ResultCallback = Callable[[FileLoadResult], None]
_EOF = object()
_GRACE_S = 30.0  # beyond a file's own time limit, before the loader itself is presumed stuck


class LoaderStartError(RuntimeError):
    """The loader did not come up (bad runtime, Airflow fails to import): the message has its log tail."""


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join("    " + ln for ln in text[-lines:]) or "    (empty log)"


class RuntimeSession:
    """A long-lived loader in the runtime of ``profile`` (context manager).

    ``python``: the runtime's interpreter; default ``runtime_python(profile, root)`` (raises
    ``RuntimeNotBuiltError`` with the build command). ``airflow_home_template``: a home holding a migrated
    ``airflow.db``; default the built runtime's template, or, with an explicit ``python``, a fresh
    ``airflow db migrate`` (a few seconds). ``jobs``: files loaded at once (default: CPU count).
    ``memory_limit_mb``: address space one DAG file may add on top of the loaded runtime.
    ``preload``: modules the loader imports once before forking (default: Airflow core plus
    ``PROVIDER_PRELOAD``, the common provider operators; ``()`` for core only).
    ``extra_env``: added to the loader's environment (e.g. ``AIRFLOW_VAR_*`` the DAGs read at parse time).
    ``batch_size``: files one forked child loads one after another, reset between files (1: a fresh child
    per file); a file that crashes or times out ends its child, the rest of its batch goes to a new one.
    """

    def __init__(self, profile: str | TargetProfile | None = None, *, python: Path | None = None,
                 root: Path | None = None, airflow_home_template: Path | None = None, jobs: int | None = None,
                 memory_limit_mb: int = P.DEFAULT_MEMORY_LIMIT_MB, default_timeout_s: float = P.DEFAULT_TIMEOUT_S,
                 startup_timeout_s: float = 180.0, preload: Iterable[str] | None = None,
                 extra_env: Mapping[str, str] | None = None, workdir: Path | None = None,
                 keep_workdir: bool = False, max_restarts: int = 3,
                 batch_size: int = P.DEFAULT_BATCH_SIZE) -> None:
        self.profile = profile
        self._python = Path(python) if python else None
        self.root = root
        self._template = Path(airflow_home_template) if airflow_home_template else None
        self.jobs = jobs or os.cpu_count() or 1
        self.memory_limit_mb = memory_limit_mb
        self.default_timeout_s = default_timeout_s
        self.startup_timeout_s = startup_timeout_s
        self.preload = PROVIDER_PRELOAD if preload is None else tuple(preload)
        self.extra_env = dict(extra_env or {})
        self._workdir_parent = workdir
        self.keep_workdir = keep_workdir
        self.max_restarts = max_restarts
        self.batch_size = max(1, batch_size)
        self.workdir: Path | None = None
        self.python: Path | None = None
        self.ready_info: dict[str, Any] = {}
        self.restarts = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._queue: queue.Queue[tuple[int, Any]] = queue.Queue()
        self._generation = 0
        self._next_id = 0
        self._env: dict[str, str] = {}
        self._log_file: Any = None

    # ------------------------------------------------------------ lifecycle

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def loader_pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def log_path(self) -> Path:
        assert self.workdir is not None, "session not started"
        return self.workdir / "loader.log"

    def start(self) -> None:
        """Prepare the work directory and start the loader; returns once Airflow is imported in it."""
        if self.workdir is None:
            self._prepare()
        if self._proc is None or self._proc.poll() is not None:
            try:
                self._spawn()
            except BaseException:
                self.close()
                raise

    def _prepare(self) -> None:
        self.python = self._python or runtime_python(self.profile, self.root)
        template = self._template
        if template is None and self._python is None:
            template = template_airflow_home(self.profile, self.root)
        self.workdir = Path(tempfile.mkdtemp(prefix="composer-migrate-session-", dir=self._workdir_parent))
        try:
            home = self.workdir / "airflow_home"
            dags = self.workdir / "dags"
            dags.mkdir()
            if template is not None and (template / "airflow.db").exists():
                home.mkdir()
                shutil.copy2(template / "airflow.db", home / "airflow.db")
            else:
                init_airflow_home(self.python, home)
            pythonpath = make_pythonpath_dir(self.workdir / "pythonpath")
            self._env = runtime_env(os.environ, airflow_home=home, dags_folder=dags, pythonpath=pythonpath,
                                    extra=self.extra_env)
            self._log_file = self.log_path.open("ab")
        except BaseException:
            self.close()
            raise

    def _spawn(self) -> None:
        assert self.workdir is not None and self.python is not None
        self._generation += 1
        generation = self._generation
        cmd = [str(self.python), "-m", "airflow_runtime.inside.loader", "--jobs", str(self.jobs),
               "--memory-limit-mb", str(self.memory_limit_mb), "--timeout-s", str(self.default_timeout_s),
               "--batch-size", str(self.batch_size),
               "--scratch-dir", str(self.workdir / "scratch")]  # DAG files' cwd/HOME/TMPDIR: removed with workdir
        if self.preload:
            cmd += ["--preload", ",".join(self.preload)]
        self._log_file.write(f"\n=== loader start #{generation}: {' '.join(cmd)}\n".encode())
        self._log_file.flush()
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log_file,
                                      cwd=self.workdir, env=self._env, start_new_session=True)
        proc = self._proc

        def read() -> None:
            assert proc.stdout is not None
            for raw in proc.stdout:
                try:
                    self._queue.put((generation, json.loads(raw)))
                except ValueError:
                    continue  # not protocol: ignore (the loader keeps stdout clean; this is defensive)
            self._queue.put((generation, _EOF))

        self._reader = threading.Thread(target=read, name=f"loader-reader-{generation}", daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self.startup_timeout_s
        while True:
            remaining = deadline - time.monotonic()
            try:
                gen, msg = self._queue.get(timeout=max(0.1, remaining))
            except queue.Empty:
                msg, gen = None, generation
                if remaining > 0:
                    continue
            if gen != generation:
                continue
            if isinstance(msg, dict) and msg.get("event") == P.EVENT_READY:
                self.ready_info = msg
                return
            if msg is _EOF or msg is None:
                why = "exited" if msg is _EOF else f"did not start within {self.startup_timeout_s:g} s"
                self._kill()
                raise LoaderStartError(f"the DAG loader ({self.python}) {why}; last lines of its log:\n"
                                       f"{_log_tail(self.log_path)}")

    def _kill(self) -> None:
        proc = self._proc
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the loader (EOF, then SIGTERM, then SIGKILL) and remove the work directory."""
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                if proc.stdin:
                    proc.stdin.close()
            except OSError:
                pass
            try:
                proc.wait(timeout=timeout_s)  # EOF: the loader finishes what it started, then exits
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGTERM)  # the loader kills its children and exits
                try:
                    proc.wait(timeout=timeout_s)
                except subprocess.TimeoutExpired:
                    pass
            if proc.poll() is None:
                self._proc = proc
                self._kill()
                self._proc = None
            if proc.stdout:
                proc.stdout.close()
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self.workdir is not None and not self.keep_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir = None

    def _restart(self, why: str) -> None:
        self.restarts += 1
        if self._log_file is not None:
            self._log_file.write(f"\n=== restarting the loader: {why}\n".encode())
        self._kill()
        self._spawn()

    # ------------------------------------------------------------ loading

    def load_files(self, paths: Iterable[str | os.PathLike[str]], *, render_templates: bool = True,
                   timeout_s: float | None = None, logical_date: str = P.DEFAULT_LOGICAL_DATE,
                   dags_root: str | os.PathLike[str] | None = None,
                   on_result: ResultCallback | None = None) -> list[FileLoadResult]:
        """Load the files in the loader's children (batches, isolated per file); one result per path, in input order.

        ``dags_root``: put on ``sys.path`` while loading, as Composer does with its DAGs folder (so a DAG's
        ``import common.helpers`` finds the sibling package); default: each file's own directory.
        """
        self.start()
        timeout = float(timeout_s or self.default_timeout_s)
        order: list[tuple[str, str]] = []
        for path in paths:
            self._next_id += 1
            order.append((str(self._next_id), str(Path(path).absolute())))
        files = dict(order)
        results: dict[str, FileLoadResult] = {}

        def deliver(result: FileLoadResult) -> None:
            results[result.id or ""] = result
            if on_result is not None:
                on_result(result)

        def request(rid: str) -> dict[str, Any]:
            return {"id": rid, "file": files[rid], "render_templates": render_templates,
                    "logical_date": logical_date, "timeout_s": timeout,
                    "dags_root": str(Path(dags_root).absolute()) if dags_root else None}

        to_send = [rid for rid, _ in order]
        failures_in_a_row = 0
        while to_send:
            death = self._run_batch(to_send, request, timeout, deliver)
            if death is None:
                break
            in_flight, not_started = death[1], [r for r in to_send if r not in results and r not in death[1]]
            for rid in in_flight:
                deliver(FileLoadResult.failed(
                    files[rid], P.STATUS_CRASHED, id=rid, elapsed_s=death[2].get(rid, 0.0),
                    detail=f"the loader process died while this file was loading ({death[0]})"))
            failures_in_a_row = 0 if in_flight else failures_in_a_row + 1
            to_send = not_started
            if failures_in_a_row > self.max_restarts:
                for rid in to_send:
                    deliver(FileLoadResult.failed(files[rid], P.STATUS_CRASHED, id=rid,
                                                  detail=f"not loaded: the loader kept dying ({death[0]})"))
                break
            try:
                self._restart(death[0])
            except LoaderStartError as exc:
                for rid in to_send:
                    deliver(FileLoadResult.failed(files[rid], P.STATUS_CRASHED, id=rid,
                                                  detail=f"not loaded: the loader could not be restarted: {exc}"))
                break
        return [results[rid] for rid, _ in order]

    def _run_batch(self, ids: list[str], request: Callable[[str], dict[str, Any]], timeout: float,
                   deliver: ResultCallback) -> tuple[str, list[str], dict[str, float]] | None:
        """Send ``ids`` and collect their results. None when all arrived, else (why the loader died,
        ids it was loading, their elapsed seconds)."""
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        generation = self._generation
        started: dict[str, float] = {}
        try:
            proc.stdin.write(b"".join(json.dumps(request(rid)).encode() + b"\n" for rid in ids))
            proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            return f"could not send requests: {exc}", [], {}
        waiting = set(ids)
        last_activity = time.monotonic()
        while waiting:
            try:
                gen, msg = self._queue.get(timeout=1.0)
            except queue.Empty:
                if time.monotonic() - last_activity > timeout + _GRACE_S:
                    why = f"no answer for {timeout + _GRACE_S:g} s; killed"
                    self._kill()
                    return why, sorted(waiting & started.keys()), self._elapsed(started)
                continue
            if gen != generation:
                continue
            last_activity = time.monotonic()
            if msg is _EOF:
                rc = proc.wait()
                why = f"loader exited with {'signal ' + str(-rc) if rc < 0 else 'code ' + str(rc)}"
                return why, sorted(waiting & started.keys()), self._elapsed(started)
            rid = None if msg.get("id") is None else str(msg["id"])
            if rid not in waiting:
                continue
            if msg.get("event") == P.EVENT_STARTED:
                started[rid] = time.monotonic()
            elif msg.get("event") == P.EVENT_RESULT:
                waiting.discard(rid)
                deliver(FileLoadResult.from_dict(msg))
        return None

    @staticmethod
    def _elapsed(started: dict[str, float]) -> dict[str, float]:
        now = time.monotonic()
        return {rid: round(now - t, 3) for rid, t in started.items()}


def load_files_once(paths: Iterable[str | os.PathLike[str]], profile: str | TargetProfile | None = None, *,
                    python: Path | None = None, root: Path | None = None, airflow_home_template: Path | None = None,
                    jobs: int | None = None, memory_limit_mb: int = P.DEFAULT_MEMORY_LIMIT_MB,
                    **load_kwargs: Any) -> list[FileLoadResult]:
    """Start a session, load ``paths``, stop it. For one-off checks; batches should keep a session."""
    with RuntimeSession(profile, python=python, root=root, airflow_home_template=airflow_home_template,
                        jobs=jobs, memory_limit_mb=memory_limit_mb) as session:
        return session.load_files(paths, **load_kwargs)
