"""CPU time and memory of a process (and its subprocesses) from /proc, for the wave benchmark.

psutil is not installed, and the worker runs in its own process so its figures are its own: CPU is
utime+stime from /proc/<pid>/stat (the reaped-children fields give the CPU of the subprocesses it
started and waited for: the Airflow runtime of the test stage, a convert process pool); the peak RSS of
the worker itself is the kernel's VmHWM; the peak RSS of its live subprocess tree is sampled.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Self

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class CpuTimes:
    """Seconds of CPU: the process's own, and that of its children it has reaped."""

    own_s: float
    children_s: float

    @property
    def total_s(self) -> float:
        return self.own_s + self.children_s

    def __sub__(self, other: CpuTimes) -> CpuTimes:
        return CpuTimes(self.own_s - other.own_s, self.children_s - other.children_s)


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (which may contain spaces): state is [0]."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()


def cpu_times(pid: int) -> CpuTimes:
    fields = _stat_fields(pid)
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return CpuTimes((utime + stime) / CLOCK_TICKS, (cutime + cstime) / CLOCK_TICKS)


def peak_rss_bytes(pid: int) -> int:
    """The process's peak resident set size (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM line")


def _rss_bytes(pid: int) -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (children, grandchildren, ...)."""
    parent_of: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent_of[int(entry.name)] = int(_stat_fields(int(entry.name))[1])
            except (OSError, ValueError, IndexError):
                continue  # exited while we looked
    below, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [p for p, ppid in parent_of.items() if ppid == current]
        below.extend(kids)
        frontier.extend(kids)
    return below


def tree_rss_bytes(pid: int) -> int:
    """Resident memory now of the live subprocesses of ``pid`` (not ``pid`` itself)."""
    total = 0
    for child in descendants(pid):
        try:
            total += _rss_bytes(child)
        except OSError:
            continue
    return total


class SubtreeRssSampler:
    """Samples the RSS of a process's subprocess tree in a thread; ``peak_bytes`` is the highest seen."""

    def __init__(self, pid: int, every_s: float = 0.5):
        self.pid = pid
        self.peak_bytes = 0
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-sampler-{pid}", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self.pid))
            except OSError:
                pass
            self._stop.wait(self._every_s)
