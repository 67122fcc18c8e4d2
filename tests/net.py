"""Helpers for tests: free local ports (tests never use the stack's default ports) and timed polling."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now (the OS picks it; a tiny reuse race remains)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def timed_wait(what: str, check: Callable[[], object], timeout: float = 60.0, every: float = 0.25) -> tuple:
    """Poll ``check`` until it returns something truthy; returns (value, seconds waited)."""
    started = time.monotonic()
    while True:
        value = check()
        if value:
            return value, time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not after {timeout} s (last: {value!r})")
        time.sleep(every)
