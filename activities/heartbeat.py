"""Heartbeats from a background thread: a dead worker is noticed within the heartbeat timeout.

Long activities (convert and test over many files, waiting for a parse, a run or an ack) cannot always
heartbeat from their own loop in time (one slow file, one slow API call); ``Progress`` heartbeats the
latest details every few seconds whatever the activity is doing, so heartbeat timeouts can be short
(30 s) and a killed worker costs seconds, not minutes. The details show in the Temporal UI.
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any, Self

from temporalio import activity

HEARTBEAT_EVERY_S = 5.0


class Progress:
    """Heartbeats with the latest progress from a background thread, every few seconds.

    A worker that dies is noticed within the heartbeat timeout (tens of seconds), even while one slow
    file keeps the activity from reporting progress; the details show in the Temporal UI. The thread
    runs in a copy of the activity's context, which is what ``activity.heartbeat`` reads.
    """

    def __init__(self, what: str, total: int = 0, every_s: float = HEARTBEAT_EVERY_S):
        self.details: dict[str, Any] = {"stage": what, "done": 0, "total": total, "last": ""}
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=contextvars.copy_context().run, args=(self._beat,),
                                        name=f"heartbeat-{what}", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def total(self, total: int) -> None:
        self.details = {**self.details, "total": total}

    def step(self, item: str = "") -> None:
        self.details = {**self.details, "done": self.details["done"] + 1, "last": item}

    def note(self, **details: Any) -> None:
        """Replace what the next heartbeats say (waiting activities: what they wait for)."""
        self.details = {**self.details, **details}

    def _beat(self) -> None:
        while True:
            activity.heartbeat(self.details)
            if self._stop.wait(self._every_s):
                return
