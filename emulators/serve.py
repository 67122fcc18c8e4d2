"""The foreground loop every emulator's ``python -m`` entry point shares: serve until SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import threading
from typing import Protocol


class Stoppable(Protocol):
    def stop(self) -> None: ...


def serve_until_signalled(handle: Stoppable, ready_line: str) -> int:
    """Print ``ready_line`` (the stack supervisor and people read it), block until SIGINT or SIGTERM,
    stop the emulator; returns the process exit code (0)."""
    print(ready_line, flush=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    handle.stop()
    return 0
