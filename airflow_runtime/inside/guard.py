"""What a DAG file may not do while the test runtime loads it: outlive its deadline, reach the network,
write outside a scratch folder, or start programs.

Runs INSIDE the runtime venv, in a loader child (see ``loader``). Standard library only.

Why: the test stage executes the code of DAG files nobody has reviewed yet. A DAG that loops forever, calls
an API or the metadata server at parse time, or writes to ``~`` or ``/etc`` when imported is a real problem
in Composer too (the scheduler parses every file every 30 s), and it must not slow, hang or damage the
machine running the migration. So, per file:

- ``Deadline``: a soft deadline (``SIGALRM`` via ``setitimer``) interrupts the import with
  ``ImportDeadline`` (a ``BaseException``: a DAG's ``except Exception`` does not swallow it), so the file
  fails with the line it was stuck at; the loader's hard deadline (kill the child's process group) stays
  behind it for code that never returns to the interpreter.
- ``install()`` adds an audit hook (``sys.addaudithook``) that, while a file is ``watching()``, refuses with
  ``SandboxViolation`` (a ``PermissionError``, as a read-only file system or a firewall would answer):
  network connections, name lookups and binds to anything but loopback or a Unix socket; opening a file
  for writing, and removing/renaming/creating/chmod-ing paths, outside the allowed roots (the child's
  scratch folder, which is also its cwd, ``HOME`` and ``TMPDIR``, the session's Airflow home and
  ``/dev/null``); starting a program (``subprocess``, ``os.system``, ``exec``, ``spawn``), which would
  escape the hook, except the standard library's own shared-library probe (``ctypes.util.find_library``
  runs ``ldconfig -p``, ``gcc`` and ``ld`` to read the linker's search path; provider packages such as
  asyncssh, imported by the sftp and ssh providers, call it at import). Every refusal is also recorded with the DAG file's line, so a DAG that catches the
  error (``try: urlopen(...) except Exception: pass``) still fails the test, with that line.

Limits (a guard against careless DAGs, not a security boundary against malicious ones): code that reaches
the OS without a Python audit event (C extensions, ``ctypes`` calls) is not seen, and a DAG that imports
this module can switch it off. Process isolation, rlimits and the deadline still hold for those.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Self

KIND_NETWORK = "network access at import"
KIND_WRITE = "write outside the scratch folder at import"
KIND_PROCESS = "program started at import"

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
# event -> indexes of the path arguments it changes
_PATH_EVENTS = {
    "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.chmod": (0,), "os.chown": (0,),
    "os.truncate": (0,), "os.utime": (0,), "os.chflags": (0,), "os.setxattr": (0,), "os.removexattr": (0,),
    "os.rename": (0, 1), "os.link": (1,), "os.symlink": (1,), "shutil.rmtree": (0,),
}
_PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile"}
# The standard library's shared-library probe: read-only programs whose only output goes to TMPDIR.
_LIBRARY_PROBES = {"_findSoname_ldconfig", "_findLib_gcc", "_findLib_ld", "_findLib_crle", "_get_soname"}
_NETWORK_EVENTS = {"socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind", "socket.getaddrinfo",
                   "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo"}

# Bound at import, so a DAG that monkeypatches os/os.path cannot blind the hook.
_realpath = os.path.realpath
_join = os.path.join
_getcwd = os.getcwd
_fsdecode = os.fsdecode
_isabs = os.path.isabs
_getframe = sys._getframe


class SandboxViolation(PermissionError):
    """Something a DAG file may not do while it is loaded for testing (module docstring)."""


SandboxViolation.__module__ = "builtins"  # tracebacks and Airflow's import errors say "SandboxViolation: ..."


class ImportDeadline(BaseException):
    """The file's import ran past its deadline; raised in the main thread by SIGALRM."""


@dataclass
class _State:
    active: bool = False
    dag_file: str = ""
    dag_real: str = ""
    roots: tuple[str, ...] = ()
    violations: list[dict[str, Any]] = field(default_factory=list)
    busy: bool = False


_STATE = _State()
_INSTALLED = False


def install(allowed_roots: tuple[str, ...]) -> None:
    """Add the audit hook (once per process; it cannot be removed) allowing writes under ``allowed_roots``."""
    global _INSTALLED
    _STATE.roots = tuple(_realpath(r) for r in allowed_roots if r)
    if not _INSTALLED:
        sys.addaudithook(_hook)
        _INSTALLED = True


@contextmanager
def watching(dag_file: str) -> Iterator[list[dict[str, Any]]]:
    """Refuse and record what ``dag_file`` may not do, until the block ends; yields the violations list."""
    _STATE.dag_file, _STATE.dag_real = dag_file, _realpath(dag_file)
    _STATE.violations = []
    _STATE.active = True
    try:
        yield _STATE.violations
    finally:
        _STATE.active = False


def take_violations() -> list[dict[str, Any]]:
    """The violations recorded since the last call (each ``{kind, message, line}``), and forget them."""
    found, _STATE.violations[:] = list(_STATE.violations), []
    return found


# ---------------------------------------------------------------- the hook


def _hook(event: str, args: tuple[Any, ...]) -> None:
    state = _STATE
    if not state.active or state.busy:
        return
    if event != "open" and event not in _PATH_EVENTS and event not in _NETWORK_EVENTS \
            and event not in _PROCESS_EVENTS:
        return
    state.busy = True  # the checks below must not audit themselves
    try:
        refusal = _refusal(event, args, state.roots)
    except Exception:  # noqa: BLE001 - a check that cannot decide does not block
        refusal = None
    finally:
        state.busy = False
    if refusal is None:
        return
    kind, what = refusal
    line = _dag_line(state)
    message = f"{kind}: {what} refused by the test sandbox"
    state.violations.append({"kind": kind, "message": message, "line": line})
    raise SandboxViolation(message)


def _refusal(event: str, args: tuple[Any, ...], roots: tuple[str, ...]) -> tuple[str, str] | None:
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        if not _opens_for_writing(mode, flags):
            return None
        return _outside(path, roots, "open for writing")
    if event in _PATH_EVENTS:
        for index in _PATH_EVENTS[event]:
            if index < len(args):
                found = _outside(args[index], roots, event)
                if found:
                    return found
        return None
    if event in _PROCESS_EVENTS:
        if _started_by_library_probe():
            return None
        shown = args[1] if event == "subprocess.Popen" and len(args) > 1 else args[0] if args else ""
        return KIND_PROCESS, f"{event} {_short(shown)} (its writes and network use could not be checked)"
    return _network_refusal(event, args)


def _opens_for_writing(mode: Any, flags: Any) -> bool:
    if isinstance(flags, int) and flags >= 0:
        return bool(flags & _WRITE_FLAGS)
    return isinstance(mode, str) and any(c in mode for c in "wax+")


def _outside(path: Any, roots: tuple[str, ...], action: str) -> tuple[str, str] | None:
    if path is None or isinstance(path, int):
        return None  # an open file descriptor: how it was opened was checked then
    text = _fsdecode(path)
    absolute = text if _isabs(text) else _join(_getcwd(), text)
    real = _realpath(absolute)
    if real == os.devnull or any(real == r or real.startswith(r + os.sep) for r in roots):
        return None
    return KIND_WRITE, f"{action} {text!r}" + (f" (-> {real})" if real != absolute else "")


def _network_refusal(event: str, args: tuple[Any, ...]) -> tuple[str, str] | None:
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"):
        sock, address = (tuple(args) + (None, None))[:2]
        if address is None or isinstance(address, str | bytes):  # a Unix socket, or no address (connected)
            return None
        if getattr(sock, "family", None) not in (2, 10):  # AF_INET, AF_INET6; netlink, Unix...: local
            return None
        host = address[0] if isinstance(address, tuple) and address else address
        if _is_loopback(host):
            return None
        port = f":{address[1]}" if isinstance(address, tuple) and len(address) > 1 else ""
        verb = {"socket.bind": "bind to", "socket.connect": "connect to"}.get(event, "send to")
        return KIND_NETWORK, f"{verb} {host}{port}"
    if event == "socket.getnameinfo":
        host = args[0][0] if args and isinstance(args[0], tuple) and args[0] else None
    else:
        host = args[0] if args else None
    if host is None or _is_loopback(host):
        return None
    shown = _fsdecode(host) if isinstance(host, bytes) else str(host)
    port = args[1] if event == "socket.getaddrinfo" and len(args) > 1 and args[1] not in (None, 0, "") else None
    return KIND_NETWORK, f"address lookup of {shown}" + (f" (port {port})" if port is not None else "")


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower().rstrip(".") in _LOOPBACK_NAMES or host == "":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _started_by_library_probe() -> bool:
    """Whether the program is started by ``ctypes.util.find_library`` (see ``_LIBRARY_PROBES``)."""
    frame = _getframe(3)
    while frame is not None:
        code = frame.f_code
        if code.co_name in _LIBRARY_PROBES and code.co_filename.endswith(_CTYPES_UTIL):
            return True
        frame = frame.f_back
    return False


_CTYPES_UTIL = os.path.join("ctypes", "util.py")


def _dag_line(state: _State) -> int | None:
    """The innermost line of the DAG file on the current stack (None: the DAG file is not on it)."""
    frame = _getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name == state.dag_file or name == state.dag_real:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _short(value: Any) -> str:
    text = " ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return repr(text if len(text) <= 120 else text[:117] + "...")


# ---------------------------------------------------------------- deadline


class Deadline:
    """Interrupt the main thread with ``ImportDeadline`` after ``seconds`` (context manager)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.previous: Any = None

    def __enter__(self) -> Self:
        self.previous = signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, max(0.01, self.seconds))
        return self

    def __exit__(self, *exc: object) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous if self.previous is not None else signal.SIG_DFL)

    def _fire(self, *_: Any) -> None:
        raise ImportDeadline(f"the import did not finish within {self.seconds:g} s")


def scratch_environment(scratch: str) -> dict[str, str]:
    """The variables that point a child's writes (HOME, temp files, XDG caches) into ``scratch``."""
    return {"HOME": scratch, "TMPDIR": scratch, "TMP": scratch, "TEMP": scratch,
            "XDG_CACHE_HOME": _join(scratch, ".cache"), "XDG_CONFIG_HOME": _join(scratch, ".config"),
            "XDG_DATA_HOME": _join(scratch, ".local", "share"), "XDG_STATE_HOME": _join(scratch, ".local", "state")}
