"""The long-lived DAG loader: import Airflow once, then fork children that each load a batch of DAG files.

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

Batches: forking and exiting a child of the loaded runtime costs more than loading a typical file, so a
child loads up to ``--batch-size`` files one after another (``isolation.FileSandbox`` undoes what each file
did to the process before the next one: its modules, environment, cwd, ``sys.path``, monkeypatched module
attributes...). Per file, the child tells the parent ``begin`` (the parent then emits ``started`` and arms
that file's own deadline), its sections, and ``end`` (the parent emits the file's result at once). Each
file gets its own memory budget (``RLIMIT_AS`` re-armed from the child's size before it) and CPU backstop.
A file that times out, crashes the child or hits the memory limit ends that child: the file gets the same
result as it would have alone, and the files of the batch the child had not begun go back to the front of
the queue, for a fresh child. A file after which the child cannot be reset honestly (it imported an
extension module) also ends the batch, with its own result unaffected. ``--batch-size 1`` is one child per
file, as before.

Hostile files (``guard``): a child works in a scratch folder (``--scratch-dir``, by default a temporary
folder removed when the loader exits) that is its cwd, ``HOME`` and ``TMPDIR``; while a file loads, an
audit hook refuses network access beyond loopback, writes outside that folder and the Airflow home, and
programs started, and reports each as the file's import error with its line. Each file's import has a
soft deadline (its time limit: the import is interrupted and the file fails with the line it was stuck
at); the hard deadline (killing the child) follows ``HARD_GRACE_S`` later, for code that never returns to
the interpreter.
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
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from airflow_runtime.inside import fileload, guard
from airflow_runtime.inside import protocol as P

# The child's own reporting uses these, bound here, so a DAG that monkeypatches json/os cannot break it.
_dumps = json.dumps
_os_write = os.write

PR_SET_PDEATHSIG = 1
_MiB = 1024 * 1024
_RESERVE_BYTES = 8 * _MiB  # freed on MemoryError so the child can still report it
HARD_GRACE_S = 2.0  # after a file's soft deadline (the child interrupts the import), the child is killed


@dataclass
class Child:
    """A running child, its batch, and how far it got."""

    pid: int
    fd: int
    batch: list[dict[str, Any]]
    started: float  # of the current file (of the child while between files)
    deadline: float
    buffer: bytearray = field(default_factory=bytearray)
    timed_out: bool = False
    current: int | None = None  # index in ``batch`` of the file begun and not ended
    sections: list[dict[str, Any]] = field(default_factory=list)  # of the current file
    done: int = 0  # files of the batch ended (results emitted)
    next_index: int = 0  # the next file the child will begin
    stopping: bool = False  # the child said it loads no more files (after a crash/memory/taint): not a death

    @property
    def request(self) -> dict[str, Any]:
        return self.batch[self.current if self.current is not None else min(self.next_index, len(self.batch) - 1)]


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

    def __init__(self, out_fd: int, jobs: int, memory_limit_mb: int, default_timeout_s: float,
                 batch_size: int = 1, scratch_dir: str | None = None) -> None:
        self.out_fd = out_fd
        self.scratch_dir = scratch_dir
        self.jobs = max(1, jobs)
        self.batch_size = max(1, batch_size)
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
            # Share what is queued between the free workers, up to batch_size each.
            size = min(self.batch_size, max(1, math.ceil(len(self.pending) / self.jobs)))
            self._spawn([self.pending.popleft() for _ in range(min(size, len(self.pending)))])

    def _timeout_of(self, request: dict[str, Any]) -> float:
        return float(request.get("timeout_s") or self.default_timeout_s)

    def _spawn(self, batch: list[dict[str, Any]]) -> None:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: never returns
            try:
                os.close(r)
                self._child(batch, w)
            finally:
                os._exit(70)
        os.close(w)
        os.set_blocking(r, False)
        try:
            os.setpgid(pid, pid)  # also done by the child; whichever runs first wins the race
        except OSError:
            pass
        now = time.monotonic()
        # Until it begins its first file the child gets that file's limit (plus its own start-up).
        child = Child(pid=pid, fd=r, batch=batch, started=now, deadline=now + self._timeout_of(batch[0]) + 10)
        self.running[pid] = child
        self.sel.register(r, selectors.EVENT_READ, child)

    def _child(self, batch: list[dict[str, Any]], w: int) -> None:
        """Body of a forked child: isolate, then per file: limit, load, report, reset; ``_exit``."""
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
        faulthandler.enable(file=sys.stderr)

        def send(message: dict[str, Any]) -> None:
            data = (_dumps(message, default=str) + "\n").encode("utf-8")
            view = memoryview(data)
            while view:
                view = view[_os_write(w, view):]

        from airflow_runtime.inside.isolation import FileSandbox

        self._enter_scratch()
        sandbox = FileSandbox()
        for index, request in enumerate(batch):
            timeout_s = self._timeout_of(request)
            # Per-file limits, measured from where the previous file left the process.
            used_cpu = math.ceil(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]))
            cpu = used_cpu + math.ceil(timeout_s * 2) + 30
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY))
            limit = _vsz_bytes() + self.memory_limit
            resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
            send({"m": "begin", "i": index})
            sandbox.enter()
            go_on = self._load_one(request, index, send)
            try:
                taint = sandbox.leave()
            except BaseException as exc:  # noqa: BLE001 - the reset failed: this child cannot go on
                taint = f"reset failed: {type(exc).__name__}: {exc}"
            rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            last = not go_on or bool(taint)
            send({"m": "end", "i": index, "max_rss_kb": rss_kb, "taint": taint, "last": last})
            if last:
                break
        sys.stderr.flush()
        os._exit(0)

    def _load_one(self, request: dict[str, Any], index: int, send: Any) -> bool:
        """Load one file in this child; False when the child must not load another one after it."""
        dag_file = request["file"]

        def emit(section: dict[str, Any]) -> None:
            send({"m": "section", "i": index, "body": section})

        reserve = bytearray(_RESERVE_BYTES)
        try:
            fileload.load_file(dag_file, request.get("dags_root"), bool(request.get("render_templates", True)),
                               request.get("logical_date") or P.DEFAULT_LOGICAL_DATE, emit,
                               deadline_s=self._timeout_of(request))
        except MemoryError:
            del reserve
            emit({"status": P.STATUS_MEMORY,
                  "detail": f"MemoryError: the file used more than the {self.memory_limit // _MiB} MiB budget"})
            return False
        except BaseException as exc:  # noqa: BLE001 - SystemExit/KeyboardInterrupt from the DAG, or a loader bug
            summary, line = fileload.format_exception_line(exc, dag_file)
            where = f" at line {line}" if line else ""
            emit({"status": P.STATUS_CRASHED, "detail": f"{summary} escaped the DAG file's import{where}",
                  "crash_line": line})
            return False
        del reserve
        return True

    def _enter_scratch(self) -> None:
        """In a child, before its first file: work in the scratch folder and guard what files may do."""
        if not self.scratch_dir:
            return
        os.makedirs(self.scratch_dir, exist_ok=True)
        os.chdir(self.scratch_dir)
        for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            os.environ.pop(name, None)
        os.environ.update(guard.scratch_environment(self.scratch_dir))
        tempfile.tempdir = None  # recomputed from TMPDIR on next use
        guard.install((self.scratch_dir, os.environ.get("AIRFLOW_HOME", "")))

    def _read_child(self, child: Child) -> None:
        try:
            while True:
                data = os.read(child.fd, 65536)
                if not data:
                    break
                child.buffer.extend(data)
        except BlockingIOError:
            pass
        while b"\n" in child.buffer:
            raw, _, rest = bytes(child.buffer).partition(b"\n")
            child.buffer[:] = rest
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if isinstance(message, dict):
                self._on_message(child, message)

    def _on_message(self, child: Child, message: dict[str, Any]) -> None:
        kind, index = message.get("m"), message.get("i")
        if not isinstance(index, int) or not 0 <= index < len(child.batch):
            return
        now = time.monotonic()
        if kind == "begin":
            child.current, child.next_index, child.sections = index, index + 1, []
            child.started, child.deadline = now, now + self._timeout_of(child.batch[index]) + HARD_GRACE_S
            request = child.batch[index]
            self.emit({"event": P.EVENT_STARTED, "id": request.get("id"), "file": request["file"],
                       "pid": child.pid})
        elif kind == "section" and index == child.current and isinstance(message.get("body"), dict):
            child.sections.append(message["body"])
        elif kind == "end" and index == child.current:
            rss = message.get("max_rss_kb")
            self.emit(self.result_event(child.batch[index], child.sections, started=child.started,
                                        timeout_s=self._timeout_of(child.batch[index]), status=None,
                                        timed_out=False, max_rss_kb=rss if isinstance(rss, int) else None))
            child.current, child.sections, child.done = None, [], child.done + 1
            child.started = now
            child.stopping = bool(message.get("last"))
            if child.next_index < len(child.batch):  # the time the child may take to begin the next file
                child.deadline = now + self._timeout_of(child.batch[child.next_index]) + 10

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
        """A reaped child: the result of the file it died in, and its unbegun files back to the queue."""
        self._read_child(child)
        self._kill_group(child.pid)  # leftovers: anything a DAG file started in the background
        self.sel.unregister(child.fd)
        os.close(child.fd)
        del self.running[child.pid]
        rss_kb = usage.ru_maxrss if usage is not None else None
        if child.current is not None:
            request = child.batch[child.current]
            self.emit(self.result_event(request, child.sections, started=child.started,
                                        timeout_s=self._timeout_of(request), status=status,
                                        timed_out=child.timed_out, max_rss_kb=rss_kb))
        rest = child.batch[child.next_index:]
        if rest and child.current is None and not child.stopping:
            # The child died between files (or before its first): not a file's fault. Retry in a fresh
            # child; a file whose child keeps dying before it begins is reported instead of retried forever.
            first = rest[0]
            first["_retries"] = first.get("_retries", 0) + 1
            if first["_retries"] > 2:
                rest = rest[1:]
                self.emit({"event": P.EVENT_RESULT, "id": first.get("id"), "file": first["file"],
                           "status": P.STATUS_CRASHED, "elapsed_s": 0.0, "import_errors": [], "warnings": [],
                           "dag_ids": [], "dags": [], "render_failures": [], "render_warnings": [], "notes": [],
                           "max_rss_mb": None,
                           "detail": f"the loader's child {describe_exit(status)} before loading this file, "
                                     "three times"})
        self.pending.extendleft(reversed(rest))

    def result_event(self, request: dict[str, Any], sections: list[dict[str, Any]], *, started: float,
                     timeout_s: float, status: int | None, timed_out: bool,
                     max_rss_kb: int | None) -> dict[str, Any]:
        """One file's result event from its sections. ``status``: the child's wait status when it died in
        this file (None: the child said the file was done)."""
        body = merge_sections(sections)
        reported = body.get("status")
        has_import = any("import_errors" in s for s in sections)
        has_render = any("render_failures" in s for s in sections)
        wants_render = bool(request.get("render_templates", True)) and reported == P.STATUS_OK
        phase = "rendering templates" if has_import else "importing the file"
        if timed_out:
            body["status"] = P.STATUS_TIMEOUT
            body["detail"] = f"no result within {timeout_s:g} s while {phase}; killed (with its process group)"
        elif reported is None or (wants_render and not has_render):
            body["status"] = P.STATUS_CRASHED
            why = describe_exit(status) if status is not None else "stopped without a result"
            body["detail"] = f"{why} while {phase}"
        body.update({
            "event": P.EVENT_RESULT,
            "id": request.get("id"),
            "file": request["file"],
            "elapsed_s": round(time.monotonic() - started, 3),
            "max_rss_mb": round(max_rss_kb / 1024, 1) if max_rss_kb is not None else None,
        })
        body.setdefault("detail", None)
        return body


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="children at once")
    parser.add_argument("--memory-limit-mb", type=int, default=P.DEFAULT_MEMORY_LIMIT_MB,
                        help="address space a DAG file may add on top of the loaded runtime")
    parser.add_argument("--timeout-s", type=float, default=P.DEFAULT_TIMEOUT_S, help="default per-file limit")
    parser.add_argument("--batch-size", type=int, default=P.DEFAULT_BATCH_SIZE,
                        help="files one child loads one after another (1: a fresh child per file)")
    parser.add_argument("--scratch-dir", default="", help="cwd, HOME and TMPDIR of the children, the only folder "
                        "(with the Airflow home) a DAG file may write to while loaded (default: a temporary "
                        "folder removed at exit)")
    parser.add_argument("--no-sandbox", action="store_true", help="no scratch folder and no guard (guard module)")
    parser.add_argument("--no-warm-up", action="store_true", help="skip the warm-up (airflow_runtime.inside.warmup)")
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

    from airflow_runtime.inside import warmup

    warm_up_note = None
    if args.no_warm_up:
        warmup.close_db()
    else:
        warm_up_note = warmup.prepare()  # last step before forking: ends with gc.freeze()

    airflow_version = airflow.__version__
    scratch, own_scratch = args.scratch_dir or None, False
    if scratch is None and not args.no_sandbox:
        scratch, own_scratch = tempfile.mkdtemp(prefix="composer-migrate-dag-scratch-"), True
    loader = Loader(out_fd, args.jobs, args.memory_limit_mb, args.timeout_s, args.batch_size,
                    scratch_dir=None if args.no_sandbox else scratch)
    loader.emit({
        "event": P.EVENT_READY, "protocol": P.PROTOCOL_VERSION, "pid": os.getpid(),
        "airflow_version": airflow_version, "python": sys.version.split()[0],
        "import_s": round(time.monotonic() - started, 3), "jobs": loader.jobs,
        "memory_limit_mb": args.memory_limit_mb, "preload_failed": failed,
        "structure": structure_note or "available", "vsz_mb": round(_vsz_bytes() / _MiB, 1),
        "threads": _thread_count(), "batch_size": loader.batch_size,
        "warm_up": "skipped" if args.no_warm_up else (warm_up_note or "done"),
        "scratch_dir": loader.scratch_dir,
    })
    try:
        return loader.run()
    finally:
        if own_scratch and scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
