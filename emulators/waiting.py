"""Polling for tests and fixtures: wait until a check holds, or fail saying what was awaited."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(check: Callable[[], T], timeout_s: float = 15.0, what: str = "condition", every_s: float = 0.02) -> T:
    """Poll ``check`` until it returns something truthy (returned) or fail after ``timeout_s``."""
    give_up_at = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > give_up_at:
            raise AssertionError(f"timed out after {timeout_s:g}s waiting for {what}")
        time.sleep(every_s)
