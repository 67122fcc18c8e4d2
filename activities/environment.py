"""Environment activities: deploy, parse, pause, first-run guard, route, verify, baseline.

Each is idempotent by construction: deploy uploads the same bytes (skipped when already there), pause
*sets* a state, triggers use deterministic run ids (a replay is a 409), routing changes have
deterministic change ids (the scheduler applies each once). Adapter errors that retrying cannot fix
become non-retryable ``ApplicationError``s whose type names the error, so the workflow can tell a
missing environment from a flaky network.
"""

from __future__ import annotations

import functools
import hashlib
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.adapters import Adapters
from activities.heartbeat import Progress
from activities.io import (
    Baseline,
    BaselineRequest,
    DeployOutcome,
    DeployRequest,
    FirstRunRequest,
    GuardRequest,
    ParseOutcome,
    ParseRequest,
    PauseRequest,
    RouteOutcome,
    RouteRequest,
    VerifyOutcome,
    VerifyRequest,
    short,
)
from environments.base import DeployFile, EnvironmentError_
from waves.first_run import GUARD_RUN_PREFIX, guard_run_id, plan_first_run
from waves.model import FirstRunPlan

F = TypeVar("F", bound=Callable[..., Any])


def adapter_errors(fn: F) -> F:
    """Adapter errors -> ApplicationError (type = the error class; non-retryable when retrying cannot help)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except EnvironmentError_ as exc:
            raise ApplicationError(short(str(exc)), type=type(exc).__name__,
                                   non_retryable=not exc.retryable) from exc

    return wrapper  # type: ignore[return-value]


def heartbeating(fn: F) -> F:
    """Heartbeat from a background thread while a short environment call runs.

    Without it the server notices a worker killed mid-call only at the start-to-close timeout (minutes),
    and the DAG waits that long; with a heartbeat timeout it notices within seconds. The chaos test
    (tests/reliability/test_chaos.py) measured the difference.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with Progress(fn.__name__):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


class EnvironmentActivities:
    """The activities that touch environments; one instance per worker, holding its adapters."""

    def __init__(self, adapters: Adapters):
        self.adapters = adapters

    @activity.defn(name="deploy_dag")
    @heartbeating
    @adapter_errors
    def deploy_dag(self, request: DeployRequest) -> DeployOutcome:
        path = Path(request.out_dir) / "dags" / request.file
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != request.sha256:
            raise ApplicationError(
                f"{path} changed after it was tested (sha256 {digest[:12]} != {request.sha256[:12]}): "
                "not deploying untested code; run the wave again", type="FileChanged", non_retryable=True)
        target = self.adapters.target(request.target)
        result = target.deploy([DeployFile(request.file, path, digest)])
        return DeployOutcome(uploaded=request.file in result.uploaded, airflow_uri=target.airflow_uri)

    @activity.defn(name="wait_parsed")
    @adapter_errors
    def wait_parsed(self, request: ParseRequest) -> ParseOutcome:
        """Poll until the target parsed the DAG (or reported its import error), heartbeating."""
        target = self.adapters.target(request.target)
        started = time.monotonic()
        with Progress("wait-parsed") as progress:
            while True:
                status = target.parse_status(request.dag_id, request.file)
                waited = round(time.monotonic() - started, 1)
                if status.parsed:
                    return ParseOutcome(parsed=True, waited_s=waited)
                if status.import_error:
                    return ParseOutcome(parsed=False, waited_s=waited,
                                        reason=short(f"import error in the target: {status.import_error}"))
                if waited >= request.timeout_s:
                    return ParseOutcome(parsed=False, waited_s=waited, reason=(
                        f"the target did not parse {request.file} (dag {request.dag_id}) within "
                        f"{request.timeout_s:g}s and reported no import error"))
                progress.note(waiting_for=request.dag_id, waited_s=waited)
                time.sleep(request.poll_s)

    @activity.defn(name="set_target_paused")
    @heartbeating
    @adapter_errors
    def set_target_paused(self, request: PauseRequest) -> bool:
        states = self.adapters.target(request.environment).set_paused([request.dag_id], request.paused)
        return states[request.dag_id]

    @activity.defn(name="set_source_paused")
    @heartbeating
    @adapter_errors
    def set_source_paused(self, request: PauseRequest) -> bool:
        states = self.adapters.source(request.environment).set_paused([request.dag_id], request.paused)
        return states[request.dag_id]

    @activity.defn(name="plan_first_run")
    @heartbeating
    @adapter_errors
    def plan_first_run(self, request: FirstRunRequest) -> FirstRunPlan:
        info = self.adapters.target(request.target).dag_info(request.dag_id)
        return plan_first_run(info, datetime.now(UTC), request.policy)

    @activity.defn(name="apply_first_run_guard")
    @heartbeating
    @adapter_errors
    def apply_first_run_guard(self, request: GuardRequest) -> str:
        """Mark the interval the scheduler would run on unpause as done (DAG still paused); idempotent."""
        plan = request.plan
        if plan.action != "mark-interval":
            return f"nothing to mark ({plan.action})"
        target = self.adapters.target(request.target)
        logical = _parse_time(plan.logical_date)
        run_id = guard_run_id(logical)
        result = target.trigger(plan.dag_id, run_id, {"composer_migrate": "first-run guard"}, logical)
        if result.run.state != "success":
            target.mark_run(plan.dag_id, run_id, "success")
        return f"marked interval {plan.logical_date} as success (run {run_id})"

    @activity.defn(name="route_dag")
    @adapter_errors
    def route_dag(self, request: RouteRequest) -> RouteOutcome:
        """Publish the routing change and wait for the scheduler's ack of its change_id (heartbeating).

        The ack subscription is created before publishing, so an ack cannot be missed; the change id is
        deterministic per (wave, dag, environment, attempt), so a retry republishes the same change.
        """
        from routing.ack_waiter import AckTimeout
        from routing.contract import RoutingChange, format_time, new_change_id
        from routing.switch import switch_route

        if request.side == "target":
            uri = self.adapters.target(request.environment_name).airflow_uri
        else:
            uri = self.adapters.source(request.environment_name).airflow_uri
        change = RoutingChange(
            change_id=new_change_id(request.wave, request.dag_id, request.environment, request.attempt,
                                    request.scope),
            dag_id=request.dag_id, environment=request.environment, airflow_uri=uri, wave=request.wave,
            issued_at=_parse_time(request.issued_at))
        try:
            ack = switch_route(self.adapters.publisher(), self.adapters.subscriber(), change, request.ack_timeout_s,
                               on_tick=lambda: activity.heartbeat({"change_id": change.change_id}))
        except AckTimeout as exc:
            raise ApplicationError(str(exc), type="AckTimeout", non_retryable=True) from exc
        return RouteOutcome(change_id=change.change_id, outcome=ack.outcome, applied_at=format_time(ack.applied_at))

    @activity.defn(name="verify_run")
    @adapter_errors
    def verify_run(self, request: VerifyRequest) -> VerifyOutcome:
        """Trigger (deterministic run id) and wait for the run to finish, heartbeating; never raises for a failed run."""
        target = self.adapters.target(request.target)
        if request.trigger:
            target.trigger(request.dag_id, request.run_id, {"composer_migrate": "verify"})
        started = time.monotonic()
        with Progress("verify") as progress:
            while True:
                run = (target.get_run(request.dag_id, request.run_id) if request.trigger
                       else self._first_run_since(target, request))
                if run is not None and run.finished:
                    return self._outcome(run)
                waited = time.monotonic() - started
                if waited >= request.timeout_s:
                    what = f"run {run.run_id} still {run.state}" if run else "no run started by the scheduler"
                    return VerifyOutcome(run_id=run.run_id if run else "", state="timeout",
                                         reason=f"{what} after {request.timeout_s:g}s")
                progress.note(run_id=run.run_id if run else "", state=run.state if run else "waiting",
                              waited_s=round(waited))
                time.sleep(request.poll_s)

    @staticmethod
    def _outcome(run) -> VerifyOutcome:
        duration = (run.end_date - run.start_date).total_seconds() if run.end_date and run.start_date else 0.0
        failed = tuple(sorted(t for t, s in run.task_states.items() if s in ("failed", "upstream_failed")))
        reason = "" if run.state == "success" else short(
            f"run {run.run_id} failed" + (f"; failed tasks: {', '.join(failed)}" if failed else ""))
        return VerifyOutcome(run_id=run.run_id, state=run.state, reason=reason, duration_s=round(duration, 1),
                             failed_tasks=failed)

    @staticmethod
    def _first_run_since(target, request: VerifyRequest):
        """The oldest run (not a first-run guard mark) that started after the DAG was unpaused."""
        since = _parse_time(request.since) if request.since else None
        runs = [r for r in target.list_runs(request.dag_id, 25)
                if not r.run_id.startswith(GUARD_RUN_PREFIX)
                and (since is None or (r.start_date or r.logical_date or since) >= since)]
        return min(runs, key=lambda r: r.start_date or r.logical_date) if runs else None

    @activity.defn(name="source_baseline")
    @heartbeating
    @adapter_errors
    def source_baseline(self, request: BaselineRequest) -> Baseline:
        """Recent runs in the source: how often they succeed and how long they take (for the report)."""
        runs = [r for r in self.adapters.source(request.source).latest_runs(request.dag_id, 25) if r.finished]
        durations = [(r.end_date - r.start_date).total_seconds() for r in runs if r.end_date and r.start_date]
        ok = sum(1 for r in runs if r.state == "success")
        median = round(statistics.median(durations), 1) if durations else 0.0
        summary = (f"{ok}/{len(runs)} recent runs succeeded in the source, median {median:g}s" if runs
                   else "no finished runs in the source")
        return Baseline(runs=len(runs), successes=ok, median_duration_s=median, summary=summary)
