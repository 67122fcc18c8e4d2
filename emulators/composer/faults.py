"""TEST-ONLY fault injection for the Composer emulator: API errors and timeouts, and a target that never
parses (its bucket is never mirrored into its Airflow's DAG folder).

Reached in-process only, through ``ComposerEmulatorHandle.faults``; off until a test arms it; product
code never uses it. Examples::

    emulator.faults.fail_next(2, grpc.StatusCode.UNAVAILABLE, environment_id="composer2-demo")
    emulator.faults.fail_next(1, grpc.StatusCode.DEADLINE_EXCEEDED)      # any environment
    emulator.faults.pause_sync("composer2-demo")   # uploads stay in the bucket; Airflow never sees them
"""

from __future__ import annotations

import threading

import grpc

from emulators.grpc_faults import CallRecord, GrpcFaults


class ComposerFaults:
    """The Composer API's armed failures (``grpc``) and the environments whose DAG sync is paused."""

    def __init__(self) -> None:
        self.grpc = GrpcFaults()
        self._lock = threading.Lock()
        self._sync_paused: set[str] = set()

    def fail_next(self, count: int = 1, code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE, *,
                  method: str = "GetEnvironment", environment_id: str | None = None, delay_s: float = 0.0) -> None:
        """The next ``count`` calls of ``method`` (for ``environment_id`` only, when given) answer ``code``."""
        when = None
        if environment_id is not None:
            suffix = f"/environments/{environment_id}"

            def when(request) -> bool:  # a GetEnvironmentRequest
                return str(getattr(request, "name", "")).endswith(suffix)

        self.grpc.fail_next(method, count, code, when=when, delay_s=delay_s,
                            message=f"injected fault: the Composer API answered {code.name}")

    def calls(self, method: str = "GetEnvironment", environment_id: str | None = None) -> list[CallRecord]:
        """The API calls so far (of ``method``; for ``environment_id`` only, when given), with their outcome."""
        records = self.grpc.calls(method)
        if environment_id is None:
            return records
        return [r for r in records if r.subject.endswith(f"/environments/{environment_id}")]

    def pause_sync(self, environment_id: str) -> None:
        """Stop mirroring this environment's bucket into its DAG folder (as if Composer's sync were stuck)."""
        with self._lock:
            self._sync_paused.add(environment_id)

    def resume_sync(self, environment_id: str) -> None:
        with self._lock:
            self._sync_paused.discard(environment_id)

    def sync_paused(self, environment_id: str) -> bool:
        with self._lock:
            return environment_id in self._sync_paused

    def clear(self) -> None:
        """Disarm every API failure and resume every sync."""
        self.grpc.clear()
        with self._lock:
            self._sync_paused.clear()
