"""DagCutover: one DAG from its converted file to verified runs in the target, or back to the source.

    deploy (paused) -> wait parsed -> pause in target (set) -> first-run plan -> tell the wave "ready"
    -> wait for the wave's release (the cutover gate) -> pause in source -> route to composer2 (ack)
    -> first-run guard -> unpause in target -> verify a run
    failed verification / rollback request / cancel after the source was paused:
    -> pause in target -> route back to composer1 (ack) -> unpause in source

Invariant: the DAG is never unpaused in both environments. The source is paused before the target is
unpaused, and the target is paused before the source is unpaused again; each step is an idempotent
activity (set state, deterministic change and run ids), so a worker crash costs only a retry.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.environment import EnvironmentActivities
    from activities.io import (
        BaselineRequest,
        DeployRequest,
        FirstRunRequest,
        GuardRequest,
        ParseRequest,
        PauseRequest,
        RouteRequest,
        VerifyRequest,
    )
    from waves.model import (
        DAG_AWAITING_CUTOVER,
        DAG_BLOCKED,
        DAG_CANCELLED,
        DAG_CUTTING_OVER,
        DAG_DEPLOY_FAILED,
        DAG_DEPLOYING,
        DAG_DONE,
        DAG_FAILED,
        DAG_REJECTED,
        DAG_ROLLED_BACK,
        DAG_VERIFYING,
        ROUTE_SOURCE,
        ROUTE_TARGET,
        CutoverInput,
        CutoverResult,
        DagReady,
        DagView,
        FirstRunPlan,
        Release,
        RollbackRequest,
    )
    from workflows import options, search


def _reason(error: BaseException) -> str:
    """The innermost message of an activity failure (what went wrong, not the wrapping)."""
    while isinstance(error, ActivityError) and error.cause is not None:
        error = error.cause
    return str(error)[:500]


@workflow.defn(name="DagCutover")
class DagCutover:
    def __init__(self) -> None:
        self._state = DAG_DEPLOYING
        self._reason = ""
        self._steps: list[str] = []
        self._release: Release | None = None
        self._rollback: RollbackRequest | None = None
        self._plan: FirstRunPlan | None = None
        self._verify_run_id = ""
        self._unpaused_at = ""
        self._input: CutoverInput | None = None

    # ------------------------------------------------------------ signals and queries

    @workflow.signal
    def release(self, release: Release) -> None:
        """From the wave: the cutover gate is open for this DAG (proceed) or closed for good (stop)."""
        if self._release is None:
            self._release = release

    @workflow.signal
    def rollback(self, request: RollbackRequest) -> None:
        """From the wave (which checked the requester): roll this DAG back to the source now."""
        if self._rollback is None:
            self._rollback = request

    @workflow.query
    def status(self) -> DagView:
        inp = self._input
        return DagView(dag_id=inp.dag_id if inp else "", file=inp.file if inp else "", state=self._state,
                       reason=self._reason, verify_run_id=self._verify_run_id,
                       first_run=self._plan.surprise_runs if self._plan else "", steps=tuple(self._steps))

    # ------------------------------------------------------------ run

    @workflow.run
    async def run(self, inp: CutoverInput) -> CutoverResult:
        self._input = inp
        if inp.rollback_only:
            self._set_state(DAG_CUTTING_OVER, "rollback requested after cutover")
            return await self._compensate(inp, source_paused=True, routed=True, why="rollback requested")
        try:
            ready = await self._deploy(inp)
        except asyncio.CancelledError:
            return self._finish(DAG_CANCELLED, "wave cancelled during deploy (target left paused)")
        await self._tell_wave(ready)
        if not ready.ok:
            return self._finish(DAG_DEPLOY_FAILED, ready.reason)

        self._set_state(DAG_AWAITING_CUTOVER, "waiting for the cutover gate")
        try:
            await workflow.wait_condition(lambda: self._release is not None)
        except asyncio.CancelledError:
            return self._finish(DAG_CANCELLED, "wave cancelled at the cutover gate (target left paused)")
        assert self._release is not None
        if not self._release.proceed:
            return self._finish(DAG_REJECTED, self._release.reason or "cutover rejected")
        assert self._plan is not None
        if self._plan.action == "block":
            return self._finish(DAG_BLOCKED, f"first-run guard: {self._plan.detail}")
        self._steps.append(f"cutover approved by {self._release.approver}")
        return await self._cutover(inp)

    async def _deploy(self, inp: CutoverInput) -> DagReady:
        try:
            outcome = await workflow.execute_activity_method(
                EnvironmentActivities.deploy_dag, DeployRequest(inp.target, inp.out_dir, inp.file, inp.sha256, inp.dag_id),
                summary=f"deploy {inp.file}", **options.DEPLOY.kwargs())
            self._steps.append("deployed" + ("" if outcome.uploaded else " (same bytes were already there)"))
            parsed = await workflow.execute_activity_method(
                EnvironmentActivities.wait_parsed,
                ParseRequest(inp.target, inp.dag_id, inp.file, timeout_s=inp.parse_timeout_s),
                summary=f"wait until the target parsed {inp.dag_id}", **options.PARSE_WAIT.kwargs())
            if not parsed.parsed:
                return DagReady(inp.dag_id, ok=False, reason=parsed.reason)
            self._steps.append(f"parsed by the target in {parsed.waited_s:g}s")
            await self._pause(inp.target, "set_target_paused", True, options.PAUSE)
            self._plan = await workflow.execute_activity_method(
                EnvironmentActivities.plan_first_run, FirstRunRequest(inp.target, inp.dag_id, inp.first_run),
                summary=f"first-run plan of {inp.dag_id}", **options.FIRST_RUN.kwargs())
            self._steps.append(f"first-run plan: {self._plan.surprise_runs} -> {self._plan.action}")
        except ActivityError as error:
            return DagReady(inp.dag_id, ok=False, reason=_reason(error))
        return DagReady(inp.dag_id, ok=True, first_run=self._plan)

    async def _tell_wave(self, ready: DagReady) -> None:
        if self._input and self._input.parent_id:
            await workflow.get_external_workflow_handle(self._input.parent_id).signal("dag_ready", ready)

    async def _cutover(self, inp: CutoverInput) -> CutoverResult:
        source_paused = routed = False
        try:
            self._set_state(DAG_CUTTING_OVER, "pausing in the source")
            try:
                baseline = await workflow.execute_activity_method(
                    EnvironmentActivities.source_baseline, BaselineRequest(inp.source, inp.dag_id),
                    summary=f"baseline of {inp.dag_id} in the source", **options.BASELINE.kwargs())
                self._steps.append(f"source baseline: {baseline.summary}")
            except ActivityError as error:
                self._steps.append(f"source baseline unavailable: {_reason(error)}")
            await self._pause(inp.source, "set_source_paused", True, options.PAUSE)
            source_paused = True
            self._steps.append("paused in the source")
            self._set_state(DAG_CUTTING_OVER, "routing to composer2, waiting for the scheduler's ack")
            routed = True  # from here on a rollback routes back, even if the ack never came
            route = await workflow.execute_activity_method(
                EnvironmentActivities.route_dag, self._route_request(inp, ROUTE_TARGET, inp.target, "target"),
                summary=f"route {inp.dag_id} to composer2", **options.ROUTE.kwargs())
            self._steps.append(f"routed to composer2 (change {route.change_id}, {route.outcome})")
            assert self._plan is not None
            if self._plan.action == "mark-interval":
                done = await workflow.execute_activity_method(
                    EnvironmentActivities.apply_first_run_guard, GuardRequest(inp.target, self._plan),
                    summary=f"first-run guard of {inp.dag_id}", **options.FIRST_RUN.kwargs())
                self._steps.append(f"first-run guard: {done}")
            await self._pause(inp.target, "set_target_paused", False, options.PAUSE)
            self._unpaused_at = workflow.now().isoformat()
            self._steps.append("unpaused in the target")
        except ActivityError as error:
            return await self._compensate(inp, source_paused, routed, why=f"cutover step failed: {_reason(error)}")
        except asyncio.CancelledError:
            return await self._compensate(inp, source_paused, routed, why="wave cancelled during cutover",
                                          final=DAG_CANCELLED)
        return await self._verify(inp)

    async def _verify(self, inp: CutoverInput) -> CutoverResult:
        self._set_state(DAG_VERIFYING, "waiting for a verification run")
        self._verify_run_id = f"verify__{inp.wave}__{inp.scope[:8]}__{inp.attempt}"
        if not inp.verify.trigger_run:
            self._verify_run_id = ""
        request = VerifyRequest(inp.target, inp.dag_id, self._verify_run_id, inp.verify.trigger_run,
                                inp.verify.timeout_s, inp.verify.poll_s, since=self._unpaused_at)
        task = asyncio.ensure_future(workflow.execute_activity_method(
            EnvironmentActivities.verify_run, request, summary=f"verify {inp.dag_id} with run {self._verify_run_id}",
            **options.VERIFY.kwargs()))
        try:
            await workflow.wait_condition(lambda: task.done() or self._rollback is not None)
        except asyncio.CancelledError:
            task.cancel()
            return await self._compensate(inp, True, True, why="wave cancelled during verification",
                                          final=DAG_CANCELLED)
        if not task.done():
            task.cancel()
            assert self._rollback is not None
            return await self._compensate(inp, True, True, why=(
                f"rollback requested by {self._rollback.requester}: {self._rollback.reason}".rstrip(": ")))
        try:
            outcome = task.result()
        except ActivityError as error:
            return await self._compensate(inp, True, True, why=f"verification could not run: {_reason(error)}")
        if outcome.state != "success":
            return await self._compensate(inp, True, True, why=f"verification failed: {outcome.reason}")
        self._verify_run_id = outcome.run_id
        self._steps.append(f"verified: run {outcome.run_id} succeeded in {outcome.duration_s:g}s")
        return self._finish(DAG_DONE, f"running in the target; run {outcome.run_id} succeeded")

    async def _compensate(self, inp: CutoverInput, source_paused: bool, routed: bool, why: str,
                          final: str = DAG_ROLLED_BACK) -> CutoverResult:
        """Back to the source: pause target, route back (ack), unpause source. Runs even after a cancel.

        Each step runs only after the one before it succeeded: with no ack for the route back, the
        source stays paused (unpausing it while the scheduler may still route the DAG to the target
        could make it run in both once someone unpauses the target), and the reason lists what is left.
        """
        self._steps.append(f"rolling back: {why}")
        self._set_state(DAG_CUTTING_OVER, f"rolling back: {why}")
        left = ["pause in the target"]
        left += ["route back to composer1 (the scheduler's ack)"] if routed else []
        left += ["unpause in the source"] if source_paused else []
        try:
            await self._pause(inp.target, "set_target_paused", True, options.COMPENSATE_PAUSE)
            self._steps.append("paused in the target")
            left.pop(0)
            if routed:
                route = await workflow.execute_activity_method(
                    EnvironmentActivities.route_dag, self._route_request(inp, ROUTE_SOURCE, inp.source, "source"),
                    summary=f"route {inp.dag_id} back to composer1", **options.COMPENSATE_ROUTE.kwargs())
                self._steps.append(f"routed back to composer1 (change {route.change_id}, {route.outcome})")
                left.pop(0)
            if source_paused:
                await self._pause(inp.source, "set_source_paused", False, options.COMPENSATE_PAUSE)
                self._steps.append("unpaused in the source")
        except ActivityError as error:
            return self._finish(DAG_FAILED, f"{why}; ROLLBACK INCOMPLETE, a person must finish it "
                                            f"(left to do: {', '.join(left)}): {_reason(error)}")
        return self._finish(final, why)

    async def _pause(self, environment: str, activity_name: str, paused: bool, opts: options.ActivityOptions) -> None:
        where = "source" if activity_name == "set_source_paused" else "target"
        await workflow.execute_activity_method(
            getattr(EnvironmentActivities, activity_name), PauseRequest(environment, self._input.dag_id if self._input else "", paused),
            summary=f"{'pause' if paused else 'unpause'} {self._input.dag_id if self._input else ''} in the {where}",
            **opts.kwargs())

    def _route_request(self, inp: CutoverInput, environment: str, name: str, side: str) -> RouteRequest:
        issued = workflow.now().isoformat().replace("+00:00", "Z")
        return RouteRequest(wave=inp.wave, dag_id=inp.dag_id, environment=environment, environment_name=name,
                            side=side, attempt=inp.attempt, scope=inp.scope, issued_at=issued,
                            ack_timeout_s=inp.ack_timeout_s)

    def _set_state(self, state: str, detail: str) -> None:
        self._state = state
        self._reason = detail
        workflow.upsert_search_attributes([search.STAGE.value_set(state)])
        inp = self._input
        if inp is not None:
            workflow.set_current_details(f"**{inp.dag_id}** ({inp.wave}): {state}\n\n{detail}")

    def _finish(self, state: str, reason: str) -> CutoverResult:
        self._state, self._reason = state, reason
        workflow.upsert_search_attributes([search.STAGE.value_set(state), search.STATUS.value_set(state)])
        inp = self._input
        assert inp is not None
        workflow.set_current_details(f"**{inp.dag_id}** ({inp.wave}): {state}\n\n{reason}")
        return CutoverResult(dag_id=inp.dag_id, state=state, reason=reason, verify_run_id=self._verify_run_id,
                             first_run=self._plan, steps=tuple(self._steps))

