"""Timeouts and retry policies, one entry per activity, in one place.

Principles: every activity has a start-to-close timeout; long ones (convert, test, parse wait, ack wait,
verify) heartbeat, so a dead worker is noticed within the heartbeat timeout instead of the whole
start-to-close; retries back off exponentially and stop at errors retrying cannot fix (the activities
raise those as non-retryable ApplicationErrors: a missing environment, bad credentials, a file that
changed after testing, a scheduler that never acked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio.common import RetryPolicy

NON_RETRYABLE = ["BadWaveInput", "TestStageUnusable", "FileChanged", "EnvironmentNotFound", "AuthError",
                 "DagNotFound", "AckTimeout"]


@dataclass(frozen=True)
class ActivityOptions:
    start_to_close: timedelta
    heartbeat: timedelta | None
    retry: RetryPolicy

    def kwargs(self) -> dict:
        options = {"start_to_close_timeout": self.start_to_close, "retry_policy": self.retry}
        if self.heartbeat is not None:
            options["heartbeat_timeout"] = self.heartbeat
        return options


def _retry(attempts: int, first_s: float = 1.0, max_s: float = 60.0) -> RetryPolicy:
    return RetryPolicy(initial_interval=timedelta(seconds=first_s), backoff_coefficient=2.0,
                       maximum_interval=timedelta(seconds=max_s), maximum_attempts=attempts,
                       non_retryable_error_types=NON_RETRYABLE)


# Batch work over many files: long, heartbeating (a crash costs a redo, not a duplicate). They heartbeat
# from a background thread every 5 s (activities.stage.Progress). Ten attempts: each worker death during
# the stage costs one, and errors a retry cannot fix are non-retryable anyway (three attempts let three
# worker restarts during one test stage fail every DAG of the wave).
CONVERT = ActivityOptions(timedelta(hours=2), timedelta(seconds=30), _retry(10, 5.0))
TEST = ActivityOptions(timedelta(hours=3), timedelta(seconds=30), _retry(10, 5.0))
REPORT = ActivityOptions(timedelta(minutes=1), None, _retry(10))  # small: a dead worker costs a minute

# Environment calls: short, retried patiently (APIs flap), idempotent. They heartbeat from a background
# thread too (activities.environment.heartbeating): a worker killed mid-call costs 30 s, not the minutes
# of start-to-close (the chaos test saw a 2-minute pause call hold a whole wave at its cutover gate).
DEPLOY = ActivityOptions(timedelta(minutes=5), timedelta(seconds=30), _retry(10))
PAUSE = ActivityOptions(timedelta(minutes=2), timedelta(seconds=30), _retry(10))
FIRST_RUN = ActivityOptions(timedelta(minutes=2), timedelta(seconds=30), _retry(10))
BASELINE = ActivityOptions(timedelta(minutes=2), timedelta(seconds=30), _retry(3))
# Waits: heartbeating; their own timeout is inside the request. Ten attempts: a worker death costs one,
# and with five the chaos test saw a DAG whose verification run had succeeded rolled back because the
# worker was killed during five attempts in a row ("verification could not run: heartbeat timeout").
PARSE_WAIT = ActivityOptions(timedelta(minutes=20), timedelta(seconds=30), _retry(10))
ROUTE = ActivityOptions(timedelta(minutes=30), timedelta(seconds=30), _retry(10))
VERIFY = ActivityOptions(timedelta(hours=6), timedelta(seconds=30), _retry(10))

# Compensation must finish: many attempts, longer backoff.
COMPENSATE_PAUSE = ActivityOptions(timedelta(minutes=2), timedelta(seconds=30), _retry(30, 2.0, 120.0))
COMPENSATE_ROUTE = ActivityOptions(timedelta(minutes=30), timedelta(seconds=30), _retry(30, 2.0, 120.0))
