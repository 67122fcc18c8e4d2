"""The long-lived DAG loader: import Airflow once, then fork one child per DAG file.

Runs INSIDE the runtime venv: ``python -m airflow_runtime.inside.loader [--jobs N] ...``.
Reads JSON-lines requests on stdin and writes JSON-lines events on stdout (see ``protocol``); everything
else that would go to stdout (Airflow's logs, a DAG's ``print``) is redirected to stderr, so the
protocol stream stays clean.

Why fork: importing Airflow costs seconds, a fork costs milliseconds, and a child is disposable. Each
child gets its own process group (killed as a group on timeout, taking any subprocess of the DAG with it),
an address-space limit (``RLIMIT_AS``: the loaded runtime's size plus the configured budget), no core
dumps, a CPU-time backstop and a parent-death signal (no orphan keeps spinning if the loader dies).
The parent runs up to ``--jobs`` children at once, writes each result as soon as it is done, and turns
every way a child can die (signal, ``os._exit``, ``sys.exit``, MemoryError, endless loop) into a result
with a status instead of dying itself. It wakes on SIGCHLD (``signal.set_wakeup_fd``), not by polling.
"""

from __future__ import annotations

import argparse
import ctypes
import faulthandler
import json
import math
import os
import resource
import selectors
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from airflow_runtime.inside import fileload
from airflow_runtime.inside import protocol as P

PR_SET_PDEATHSIG = 1
_MiB = 1024 * 1024
_RESERVE_BYTES = 8 * _MiB  # freed on MemoryError so the child can still report it


@dataclass
class Child:
    """A running child and what it has sent so far."""

    pid: int
    fd: int
    request: dict[str, Any]
    started: float
    deadline: float
    buffer: bytearray = field(default_factory=bytearray)
    timed_out: bool = False


def _vsz_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _thread_count() -> int:
    """OS threads of this process: should be 1 before forking (children inherit locks, not threads)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return -1


def describe_exit(status: int) -> str:
    """A person's reading of a ``waitpid`` status (``killed by SIGSEGV (segmentation fault)``)."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        why = {
            "SIGSEGV": " (segmentation fault)",
            "SIGKILL": " (killed: out of memory, or by another process)",
            "SIGABRT": " (abort: a C library gave up, often out of memory)",
            "SIGXCPU": " (CPU time limit)",
            "SIGBUS": " (bus error)",
        }.get(name, "")
        return f"killed by {name}{why}"
    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        return f"exited with code {code} without a result (os._exit() or a hard exit in the DAG file)"
    return f"ended with wait status {status}"


def merge_sections(sections: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge the child's sections (import first, render second) into one result body. Pure."""
    body: dict[str, Any] = {"import_errors": [], "warnings": [], "dag_ids": [], "dags": [],
                            "render_failures": [], "render_warnings": [], "notes": []}
    for section in sections:
        for key, value in section.items():
            if key == "notes":
                body["notes"].extend(value)
            else:
                body[key] = value
    return body


class Loader:
    """The parent process: reads requests, runs children, writes results."""

    def __init__(self, out_fd: int, jobs: int, memory_limit_mb: int, default_timeout_s: float) -> None:
        self.out_fd = out_fd
        self.jobs = max(1, jobs)
        self.memory_limit = memory_limit_mb * _MiB
        self.default_timeout_s = default_timeout_s
        self.pending: deque[dict[str, Any]] = deque()
        self.running: dict[int, Child] = {}  # by pid
        self.stdin_eof = False
        self.stopping = False
        self._stdin_buf = bytearray()
        self.sel = selectors.DefaultSelector()
        self.wake_r, self.wake_w = os.pipe()
        self.pid = os.getpid()
        self._libc = ctypes.CDLL(None, use_errno=True)

    # ------------------------------------------------------------ output

    def emit(self, event: dict[str, Any]) -> None:
        data = (json.dumps(event, default=str) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.out_fd, view)
            except InterruptedError:
                continue
            except BrokenPipeError:  # the client is gone: nobody wants our results
                self.stopping = True
                return
            view = view[written:]

    # ------------------------------------------------------------ main loop

    def run(self) -> int:
        for fd in (self.wake_r, self.wake_w):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._on_term)
        signal.signal(signal.SIGINT, self._on_term)
        os.set_blocking(0, False)
        self.sel.register(0, selectors.EVENT_READ, None)
        self.sel.register(self.wake_r, selectors.EVENT_READ, None)
        try:
            while not self.stopping:
                self._start_children()
                if self.stdin_eof and not self.pending and not self.running:
                    break
                for key, _ in self.sel.select(self._select_timeout()):
                    if key.fd == 0:
                        self._read_stdin()
                    elif key.fd == self.wake_r:
                        self._drain_wakeups()
                    else:
                        self._read_child(key.data)
                self._reap()
                self._enforce_deadlines()
        finally:
            for child in list(self.running.values()):
                self._kill_group(child.pid)
                try:
                    os.waitpid(child.pid, 0)
                except ChildProcessError:
                    pass
        return 0

    def _on_term(self, *_: Any) -> None:
        self.stopping = True

    def _select_timeout(self) -> float:
        if not self.running:
            return 1.0
        nearest = min(c.deadline for c in self.running.values()) - time.monotonic()
        return max(0.0, min(1.0, nearest))

    def _drain_wakeups(self) -> None:
        try:
            while os.read(self.wake_r, 4096):
                pass
        except BlockingIOError:
            pass

    # ------------------------------------------------------------ requests

    def _read_stdin(self) -> None:
        try:
            data = os.read(0, 65536)
        except BlockingIOError:
            return
        if not data:
            self.stdin_eof = True
            self.sel.unregister(0)
            if self._stdin_buf.strip():
                self._accept(bytes(self._stdin_buf))
            self._stdin_buf.clear()
            return
        self._stdin_buf.extend(data)
        while b"\n" in self._stdin_buf:
            line, _, rest = bytes(self._stdin_buf).partition(b"\n")
            self._stdin_buf[:] = rest
            if line.strip():
                self._accept(line)

    def _accept(self, line: bytes) -> None:
        try:
            request = json.loads(line)
            if not isinstance(request, dict) or not isinstance(request.get("file"), str):
                raise TypeError("a request is a JSON object with a string 'file'")
        except (ValueError, TypeError) as exc:
            self.emit({"event": P.EVENT_RESULT, "id": None, "file": None, "status": P.STATUS_ERROR,
                       "elapsed_s": 0.0, "detail": f"malformed request {line[:200]!r}: {exc}"})
            return
        path = os.path.abspath(request["file"])
        request["file"] = path
        if not os.path.isfile(path):
            self.emit({"event": P.EVENT_RESULT, "id": request.get("id"), "file": path, "status": P.STATUS_ERROR,
                       "elapsed_s": 0.0, "detail": f"no such file: {path}"})
            return
        self.pending.append(request)

    # ------------------------------------------------------------ children

    def _start_children(self) -> None:
        while self.pending and len(self.running) < self.jobs and not self.stopping:
            self._spawn(self.pending.popleft())

    def _spawn(self, request: dict[str, Any]) -> None:
        timeout_s = float(request.get("timeout_s") or self.default_timeout_s)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: never returns
            try:
                os.close(r)
                self._child(request, w, timeout_s)
            finally:
                os._exit(70)
        os.close(w)
        os.set_blocking(r, False)
        try:
            os.setpgid(pid, pid)  # also done by the child; whichever runs first wins the race
        except OSError:
            pass
        now = time.monotonic()
        child = Child(pid=pid, fd=r, request=request, started=now, deadline=now + timeout_s)
        self.running[pid] = child
        self.sel.register(r, selectors.EVENT_READ, child)
        self.emit({"event": P.EVENT_STARTED, "id": request.get("id"), "file": request["file"], "pid": pid})

    def _child(self, request: dict[str, Any], w: int, timeout_s: float) -> None:
        """Body of a forked child: isolate, limit, load, report, ``_exit``."""
        try:
            os.setpgid(0, 0)
        except OSError:
            pass
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        self._libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != self.pid:  # the loader died before prctl took effect
            os._exit(71)
        inherited = [self.out_fd, self.wake_r, self.wake_w, self.sel.fileno()]
        inherited += [c.fd for c in self.running.values()]
        for fd in inherited:
            try:
                os.close(fd)
            except OSError:
                pass
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        cpu = math.ceil(timeout_s * 2) + 30
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        limit = _vsz_bytes() + self.memory_limit
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        faulthandler.enable(file=sys.stderr)

        def emit(section: dict[str, Any]) -> None:
            data = (json.dumps(section, default=str) + "\n").encode("utf-8")
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]

        dag_file = request["file"]
        reserve = bytearray(_RESERVE_BYTES)
        try:
            fileload.load_file(dag_file, request.get("dags_root"), bool(request.get("render_templates", True)),
                               request.get("logical_date") or P.DEFAULT_LOGICAL_DATE, emit)
        except MemoryError:
            del reserve
            emit({"status": P.STATUS_MEMORY,
                  "detail": f"MemoryError: the file used more than the {self.memory_limit // _MiB} MiB budget"})
        except BaseException as exc:  # noqa: BLE001 - SystemExit/KeyboardInterrupt from the DAG, or a loader bug
            summary, line = fileload.format_exception_line(exc, dag_file)
            where = f" at line {line}" if line else ""
            emit({"status": P.STATUS_CRASHED, "detail": f"{summary} escaped the DAG file's import{where}",
                  "crash_line": line})
        sys.stderr.flush()
        os._exit(0)

    def _read_child(self, child: Child) -> None:
        try:
            while True:
                data = os.read(child.fd, 65536)
                if not data:
                    return
                child.buffer.extend(data)
        except BlockingIOError:
            return

    def _reap(self) -> None:
        for child in list(self.running.values()):
            try:
                pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status, usage = child.pid, 0, None
            if pid == 0:
                continue
            self._finish(child, status, usage)

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for child in list(self.running.values()):
            if now < child.deadline:
                continue
            child.timed_out = True
            self._kill_group(child.pid)
            try:
                _, status, usage = os.wait4(child.pid, 0)
            except ChildProcessError:
                status, usage = 0, None
            self._finish(child, status, usage)

    @staticmethod
    def _kill_group(pid: int) -> None:
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def _finish(self, child: Child, status: int, usage: Any) -> None:
        """Turn a reaped child into a result event."""
        self._read_child(child)
        self._kill_group(child.pid)  # leftovers: anything the DAG file started in the background
        self.sel.unregister(child.fd)
        os.close(child.fd)
        del self.running[child.pid]
        self.emit(self.result_event(child, status, usage))

    def result_event(self, child: Child, status: int, usage: Any) -> dict[str, Any]:
        sections: list[dict[str, Any]] = []
        for raw in bytes(child.buffer).splitlines():
            try:
                sections.append(json.loads(raw))
            except ValueError:
                pass  # a partial line: the child was killed while writing
        body = merge_sections(sections)
        reported = body.get("status")
        has_import = any("import_errors" in s for s in sections)
        has_render = any("render_failures" in s for s in sections)
        wants_render = bool(child.request.get("render_templates", True)) and reported == P.STATUS_OK
        phase = "rendering templates" if has_import else "importing the file"
        timeout_s = child.deadline - child.started
        if child.timed_out:
            body["status"] = P.STATUS_TIMEOUT
            body["detail"] = f"no result within {timeout_s:g} s while {phase}; killed (with its process group)"
        elif reported is None or (wants_render and not has_render):
            body["status"] = P.STATUS_CRASHED
            body["detail"] = f"{describe_exit(status)} while {phase}"
        body.update({
            "event": P.EVENT_RESULT,
            "id": child.request.get("id"),
            "file": child.request["file"],
            "elapsed_s": round(time.monotonic() - child.started, 3),
            "max_rss_mb": round(usage.ru_maxrss / 1024, 1) if usage is not None else None,
        })
        body.setdefault("detail", None)
        return body


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="children at once")
    parser.add_argument("--memory-limit-mb", type=int, default=P.DEFAULT_MEMORY_LIMIT_MB,
                        help="address space a DAG file may add on top of the loaded runtime")
    parser.add_argument("--timeout-s", type=float, default=P.DEFAULT_TIMEOUT_S, help="default per-file limit")
    parser.add_argument("--preload", default="", help="extra comma-separated modules to import once up front "
                        "(besides Airflow core); e.g. the provider modules the DAGs use")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    out_fd = os.dup(1)  # the protocol stream; not inherited by children's exec'd subprocesses
    os.dup2(2, 1)  # anything else printed to stdout lands on stderr
    started = time.monotonic()
    extra = [m for m in args.preload.split(",") if m.strip()]
    failed = fileload.preload(fileload.CORE_PRELOAD + tuple(m.strip() for m in extra))
    if _thread_count() > 1:
        print(f"warning: {_thread_count()} threads after preloading; forking may deadlock a child "
              "(drop the module that starts them from --preload)", file=sys.stderr)
    essential = {name: why for name, why in failed.items() if name in ("airflow", "airflow.models.dagbag")}
    if essential:  # without Airflow no file can be loaded: refuse to start, say why (the client shows this)
        print(f"error: this Python ({sys.executable}) cannot import Airflow: {essential}", file=sys.stderr)
        return 2
    _, structure_note = fileload.structure_function()
    import airflow

    airflow_version = airflow.__version__
    loader = Loader(out_fd, args.jobs, args.memory_limit_mb, args.timeout_s)
    loader.emit({
        "event": P.EVENT_READY, "protocol": P.PROTOCOL_VERSION, "pid": os.getpid(),
        "airflow_version": airflow_version, "python": sys.version.split()[0],
        "import_s": round(time.monotonic() - started, 3), "jobs": loader.jobs,
        "memory_limit_mb": args.memory_limit_mb, "preload_failed": failed,
        "structure": structure_note or "available", "vsz_mb": round(_vsz_bytes() / _MiB, 1),
        "threads": _thread_count(),
    })
    return loader.run()


if __name__ == "__main__":
    sys.exit(main())
