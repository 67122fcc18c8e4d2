"""MigrationWave: one wave from its spec to a report.

    convert (batch activity) -> test (batch activity, real Airflow 2) -> gate "promote"
    -> one DagCutover child per DAG, at most ``concurrency`` deploying or cutting over at a time
    -> gate "cutover" (once for the wave, or per DAG) -> release the children -> wave report

DAGs that fail convert or test stop there with their reasons; the rest go on. Approvals are signals
(or updates, which answer at once) checked against the spec's allowlist per gate; every attempt is in
the audit log. History stays small: files are passed by path and hash, per-DAG work lives in the
children's histories, and the wave keeps about six events per DAG.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.io import ConvertRequest, ReportFiles, ReportRequest, TestRequest
    from waves.model import (
        DAG_AWAITING_CUTOVER,
        DAG_AWAITING_PROMOTE,
        DAG_CANCELLED,
        DAG_CONVERT_FAILED,
        DAG_CUTTING_OVER,
        DAG_DEPLOYING,
        DAG_DONE,
        DAG_FAILED,
        DAG_REJECTED,
        DAG_TEST_FAILED,
        DECISION_APPROVE,
        DECISION_REJECT,
        GATE_CUTOVER,
        GATE_PROMOTE,
        STAGE_CONVERT,
        STAGE_CUTOVER,
        STAGE_CUTOVER_GATE,
        STAGE_DEPLOY,
        STAGE_DONE,
        STAGE_PROMOTE_GATE,
        STAGE_REPORT,
        STAGE_TEST,
        STATUS_CANCELLED,
        STATUS_COMPLETED,
        STATUS_COMPLETED_WITH_FAILURES,
        STATUS_PAUSED,
        STATUS_REJECTED,
        STATUS_RUNNING,
        STATUS_WAITING,
        TERMINAL_DAG_STATES,
        Approval,
        ConvertSummary,
        CutoverInput,
        CutoverResult,
        DagReady,
        DagView,
        Release,
        RollbackRequest,
        TestSummary,
        WaveInput,
        WaveResult,
        WaveStatus,
    )
    from workflows import options, search
    from workflows.cutover import DagCutover
    from workflows.gates import Gates


def _now() -> str:
    return workflow.now().isoformat(timespec="seconds").replace("+00:00", "Z")


def _cause(error: BaseException) -> str:
    while isinstance(error, ActivityError | ChildWorkflowError) and error.cause is not None:
        error = error.cause
    return str(error)[:500]


@workflow.defn(name="MigrationWave")
class MigrationWave:
    def __init__(self) -> None:
        self._input: WaveInput | None = None
        self._stage = STAGE_CONVERT
        self._status = STATUS_RUNNING
        self._dags: dict[str, DagView] = {}  # key: dag_id, or "file:<path>" before a file has DAG ids
        self._files: dict[str, str] = {}  # dag_id -> sha256 of its converted file
        self._gates = Gates()
        self._paused = False
        self._ready: dict[str, DagReady] = {}
        self._children: dict[str, workflow.ChildWorkflowHandle] = {}
        self._deploying: set[str] = set()
        self._cutting: set[str] = set()
        self._released: set[str] = set()
        self._reports: list[str] = []
        self._started_at = ""
        self._child_tasks: dict[str, asyncio.Task] = {}
        self._rollback_done: list[RollbackRequest] = []
        self._published: tuple[str, str, str] | None = None  # search attributes last upserted

    # ------------------------------------------------------------ signals, updates, queries

    @workflow.signal
    def approve(self, approval: Approval) -> None:
        self._decide(DECISION_APPROVE, approval)

    @workflow.signal
    def reject(self, approval: Approval) -> None:
        self._decide(DECISION_REJECT, approval)

    @workflow.update
    def approve_checked(self, approval: Approval) -> str:
        """Like the ``approve`` signal, but the sender learns at once whether it counted."""
        return self._decide_or_fail(DECISION_APPROVE, approval)

    @workflow.update
    def reject_checked(self, approval: Approval) -> str:
        return self._decide_or_fail(DECISION_REJECT, approval)

    @workflow.signal
    def pause(self, actor: str) -> None:
        """Start no new DAG (deploy or cutover) until resumed; DAGs already moving finish their step.

        Approvers of either gate only; other senders change nothing and are recorded."""
        if self._operator_allowed("pause", actor):
            self._paused = True
        self._publish()

    @workflow.signal
    def resume(self, actor: str) -> None:
        if self._operator_allowed("resume", actor):
            self._paused = False
        self._publish()

    def _operator_allowed(self, action: str, actor: str) -> bool:
        inp = self._input
        allowed = inp is not None and actor in (inp.promote.approvers + inp.cutover.approvers
                                                + inp.promote.escalate_to + inp.cutover.escalate_to)
        self._gates.record(action, actor, allowed, _now(), "" if allowed else f"{actor!r} is not an approver of this wave")
        return allowed

    @workflow.signal
    async def rollback(self, request: RollbackRequest) -> None:
        """Roll one DAG back to the source (cutover approvers only); forwarded to its DagCutover."""
        inp = self._input
        allowed = inp is not None and request.requester in inp.cutover.approvers + inp.cutover.escalate_to
        handle = self._children.get(request.dag_id)
        view = self._dags.get(request.dag_id)
        if not allowed:
            refusal = f"{request.requester!r} may not roll back DAGs (cutover approvers only)"
        elif handle is None or view is None:
            refusal = f"DAG {request.dag_id} has no cutover in this wave"
        elif view.state in TERMINAL_DAG_STATES and view.state != DAG_DONE:
            refusal = f"DAG {request.dag_id} is {view.state}: nothing to roll back"
        else:
            refusal = ""
        self._gates.record("rollback", request.requester, not refusal, _now(), refusal or request.reason,
                           dag_id=request.dag_id)
        if refusal:
            return
        if view is not None and view.state == DAG_DONE:
            self._rollback_done.append(request)
        else:
            assert handle is not None
            await handle.signal(DagCutover.rollback, request)

    @workflow.signal
    def dag_ready(self, ready: DagReady) -> None:
        """From a DagCutover: deployed and parsed (with its first-run plan), or stopped with a reason."""
        self._ready[ready.dag_id] = ready
        self._deploying.discard(ready.dag_id)
        if ready.ok and ready.dag_id in self._dags:
            plan = ready.first_run
            self._set_dag(ready.dag_id, DAG_AWAITING_CUTOVER, "deployed paused; waiting for the cutover gate",
                          first_run=f"{plan.surprise_runs} -> {plan.action}" if plan else "")
        self._publish()

    @workflow.query
    def status(self) -> WaveStatus:
        inp = self._input
        return WaveStatus(
            wave=inp.wave if inp else "", stage=self._stage, status=self._status,
            source=inp.source if inp else "", target=inp.target if inp else "", profile=inp.profile if inp else "",
            dags=tuple(self._dags.values()), pending_gates=self._gates.pending(), audit=tuple(self._gates.audit),
            started_at=self._started_at, updated_at=_now(), out_dir=inp.out_dir if inp else "",
            reports=tuple(self._reports))

    # ------------------------------------------------------------ run

    @workflow.run
    async def run(self, inp: WaveInput) -> WaveResult:
        self._input = inp
        self._started_at = _now()
        self._dags = {f"file:{f.path}": DagView(dag_id="", file=f.path, state="pending") for f in inp.files}
        try:
            if await self._convert_and_test(inp) and await self._promote(inp):
                await self._cutovers(inp)
        except asyncio.CancelledError:
            self._status = STATUS_CANCELLED
            await self._cancel_children()
        return await self._finish(inp)

    async def _convert_and_test(self, inp: WaveInput) -> bool:
        self._set_stage(STAGE_CONVERT)
        try:
            converted: ConvertSummary = await workflow.execute_activity(
                "convert_files", ConvertRequest(inp.wave, inp.source_dir, inp.out_dir, inp.files, inp.profile),
                summary=f"convert {len(inp.files)} DAG files", result_type=ConvertSummary, **options.CONVERT.kwargs())
        except ActivityError as error:
            self._fail_pending(DAG_CONVERT_FAILED, f"convert stage failed: {_cause(error)}")
            return False
        self._reports.append(converted.report_md)
        sha_by_file = {}
        for f in converted.files:
            if f.ok:
                sha_by_file[f.path] = f.sha256
                self._dags[f"file:{f.path}"] = replace(self._dags[f"file:{f.path}"], changes=f.changes, todos=f.todos)
            else:
                self._dags[f"file:{f.path}"] = replace(self._dags[f"file:{f.path}"], state=DAG_CONVERT_FAILED,
                                                       reason=f.error)
        if not sha_by_file:
            return False

        self._set_stage(STAGE_TEST)
        try:
            tested: TestSummary = await workflow.execute_activity(
                "test_files", TestRequest(inp.wave, inp.source_dir, inp.out_dir, inp.profile),
                summary=f"test {len(sha_by_file)} converted files in Airflow 2 ({inp.profile})",
                result_type=TestSummary, **options.TEST.kwargs())
        except ActivityError as error:
            self._fail_pending(DAG_TEST_FAILED, f"test stage failed: {_cause(error)}")
            return False
        self._reports.append(tested.report_html)
        for t in tested.files:
            key = f"file:{t.path}"
            if key not in self._dags or t.path not in sha_by_file:
                continue
            base = self._dags.pop(key)
            if not t.passed or not t.dag_ids:
                reason = t.reason if not t.passed else "no DAG found in the file"
                self._dags[key] = replace(base, state=DAG_TEST_FAILED, reason=reason, dag_id=",".join(t.dag_ids))
                continue
            for dag_id in t.dag_ids:
                if dag_id in self._dags:  # the same dag_id in two files: Airflow would keep one at random
                    first = self._dags[dag_id]  # both stop, each naming the other file
                    self._dags[dag_id] = replace(first, state=DAG_TEST_FAILED, reason=f"dag_id also defined in {t.path}")
                    self._dags[f"file:{t.path}:{dag_id}"] = replace(
                        base, dag_id=dag_id, state=DAG_TEST_FAILED, reason=f"dag_id also defined in {first.file}")
                    continue
                self._dags[dag_id] = replace(base, dag_id=dag_id, state=DAG_AWAITING_PROMOTE, reason="")
                self._files[dag_id] = sha_by_file[t.path]
        for key, view in list(self._dags.items()):
            if view.state == "pending":  # converted but the test stage did not report it
                self._dags[key] = replace(view, state=DAG_TEST_FAILED, reason="not tested (not a DAG file?)")
        return any(v.state == DAG_AWAITING_PROMOTE for v in self._dags.values())

    async def _promote(self, inp: WaveInput) -> bool:
        waiting = [k for k, v in self._dags.items() if v.state == DAG_AWAITING_PROMOTE]
        stopped = len(self._dags) - len(waiting)
        review = [self._dags[k] for k in waiting if self._dags[k].todos]
        detail = (f"{len(waiting)} DAG(s) converted and tested clean, {stopped} stopped; "
                  + (f"{len(review)} of them carry TODO(airflow2) notes to review first: "
                     + ", ".join(f"{v.dag_id or v.file} ({v.todos})" for v in review[:10])
                     + (f" and {len(review) - 10} more" if len(review) > 10 else "") + "; " if review else "")
                  + f"reports: {', '.join(self._reports)}")
        self._set_stage(STAGE_PROMOTE_GATE)
        decision = await self._await_gate(GATE_PROMOTE, inp.promote, detail)
        if decision != DECISION_APPROVE:
            gate = self._gates.gates[GATE_PROMOTE]
            for key in waiting:
                self._set_dag(key, DAG_REJECTED, f"promote gate rejected by {gate.decided_by}: {gate.comment}".rstrip(": "))
            self._status = STATUS_REJECTED
            return False
        return True

    async def _await_gate(self, gate: str, policy, detail: str, dag_id: str = "") -> str:
        found = self._gates.open(gate, policy, _now(), detail, dag_id)
        self._publish()
        while found.open:
            timeout = timedelta(seconds=policy.timeout_s) if policy.timeout_s and not found.escalated else None
            try:
                await workflow.wait_condition(lambda: not found.open, timeout=timeout,
                                              timeout_summary=f"gate {found.key} timeout")
            except TimeoutError:
                self._gates.expire(found.key, _now())
                self._publish()
        self._publish()
        return found.decision

    async def _cutovers(self, inp: WaveInput) -> None:
        dag_ids = [k for k, v in self._dags.items() if v.state == DAG_AWAITING_PROMOTE]
        self._set_stage(STAGE_DEPLOY)
        gates: list[asyncio.Task] = []
        for dag_id in dag_ids:
            await workflow.wait_condition(lambda: len(self._deploying) < inp.concurrency and not self._paused)
            self._deploying.add(dag_id)
            self._set_dag(dag_id, DAG_DEPLOYING, "deploying paused to the target")
            self._child_tasks[dag_id] = asyncio.ensure_future(self._run_child(inp, dag_id))
            if inp.cutover_gate == "dag":
                gates.append(asyncio.ensure_future(self._per_dag_gate(inp, dag_id)))
        if inp.cutover_gate == "wave":
            await self._wave_gate(inp, dag_ids)
        else:
            self._set_stage(STAGE_CUTOVER)
            await asyncio.gather(*gates)
        await workflow.wait(list(self._child_tasks.values()))
        while self._rollback_done:
            await self._rollback_finished(inp, self._rollback_done.pop(0))

    async def _wave_gate(self, inp: WaveInput, dag_ids: list[str]) -> None:
        """One cutover approval for the wave, once every DAG is deployed paused (or stopped)."""
        await workflow.wait_condition(lambda: all(d in self._ready or self._finished(d) for d in dag_ids))
        ready = [d for d in dag_ids if d in self._ready and self._ready[d].ok and not self._finished(d)]
        if not ready:
            return
        self._set_stage(STAGE_CUTOVER_GATE)
        plans = "; ".join(f"{d}: {self._ready[d].first_run.surprise_runs} -> {self._ready[d].first_run.action}"
                          for d in ready if self._ready[d].first_run)
        decision = await self._await_gate(GATE_CUTOVER, inp.cutover,
                                          f"{len(ready)} DAG(s) deployed paused; first-run plans: {plans}")
        gate = self._gates.gates[GATE_CUTOVER]
        self._set_stage(STAGE_CUTOVER)
        # Releases are sent without waiting for each signal's delivery in turn: that wait cost one workflow
        # task round trip per DAG, in series (5 minutes of a 1,000-DAG wave's cutover, bench/bench_wave.py).
        sends = []
        for dag_id in ready:
            if decision == DECISION_APPROVE:
                await workflow.wait_condition(lambda: len(self._cutting) < inp.concurrency and not self._paused)
                release = Release(proceed=True, approver=gate.decided_by)
            else:
                release = Release(proceed=False, reason=(
                    f"cutover gate rejected by {gate.decided_by}: {gate.comment}".rstrip(": ")))
            if self._mark_released(dag_id, release):
                sends.append(asyncio.ensure_future(self._children[dag_id].signal(DagCutover.release, release)))
        await asyncio.gather(*sends)

    async def _per_dag_gate(self, inp: WaveInput, dag_id: str) -> None:
        """Per-DAG cutover approval, opened as soon as that DAG is deployed paused."""
        await workflow.wait_condition(lambda: dag_id in self._ready or self._finished(dag_id))
        ready = self._ready.get(dag_id)
        if ready is None or not ready.ok or self._finished(dag_id):
            return
        plan = ready.first_run
        decision = await self._await_gate(GATE_CUTOVER, inp.cutover,
                                          f"first-run plan: {plan.surprise_runs} -> {plan.action}" if plan else "",
                                          dag_id=dag_id)
        gate = self._gates.gates[Gates.key(GATE_CUTOVER, dag_id)]
        if decision == DECISION_APPROVE:
            await workflow.wait_condition(lambda: len(self._cutting) < inp.concurrency and not self._paused)
            await self._release(dag_id, Release(proceed=True, approver=gate.decided_by))
        else:
            await self._release(dag_id, Release(proceed=False, reason=(
                f"cutover gate rejected by {gate.decided_by}: {gate.comment}".rstrip(": "))))

    async def _release(self, dag_id: str, release: Release) -> None:
        if self._mark_released(dag_id, release):
            await self._children[dag_id].signal(DagCutover.release, release)

    def _mark_released(self, dag_id: str, release: Release) -> bool:
        """Record the release of one DAG (False when it was released or finished already)."""
        if self._finished(dag_id) or dag_id in self._released:
            return False
        self._released.add(dag_id)
        if release.proceed:
            self._cutting.add(dag_id)
            self._set_dag(dag_id, DAG_CUTTING_OVER, f"cutover approved by {release.approver}")
        return True

    async def _run_child(self, inp: WaveInput, dag_id: str, attempt: int = 1, rollback_only: bool = False,
                         suffix: str = "") -> None:
        view = self._dags[dag_id]
        child_input = CutoverInput(
            wave=inp.wave, dag_id=dag_id, file=view.file, out_dir=inp.out_dir, sha256=self._files.get(dag_id, ""),
            source=inp.source, target=inp.target, cutover=inp.cutover, per_dag_gate=inp.cutover_gate == "dag",
            verify=inp.verify, first_run=inp.first_run, parent_id=workflow.info().workflow_id,
            scope=workflow.info().run_id, attempt=attempt, rollback_only=rollback_only,
            parse_timeout_s=inp.parse_timeout_s, ack_timeout_s=inp.ack_timeout_s)
        try:
            handle = await workflow.start_child_workflow(
                DagCutover.run, child_input, id=search.cutover_workflow_id(inp.wave, dag_id, suffix),
                search_attributes=search.initial(inp.wave, DAG_DEPLOYING, STATUS_RUNNING, dag_id),
                parent_close_policy=ParentClosePolicy.REQUEST_CANCEL,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                static_summary=f"{dag_id}: {'rollback' if rollback_only else 'cutover'} in wave {inp.wave}")
            if not rollback_only:
                self._children[dag_id] = handle
            result: CutoverResult = await handle
        except ChildWorkflowError as error:
            result = CutoverResult(dag_id=dag_id, state=DAG_FAILED, reason=f"cutover workflow failed: {_cause(error)}")
        except asyncio.CancelledError:
            raise
        finally:
            self._deploying.discard(dag_id)
            self._cutting.discard(dag_id)
        plan = result.first_run
        self._set_dag(dag_id, result.state, result.reason, verify_run_id=result.verify_run_id,
                      first_run=f"{plan.surprise_runs} -> {plan.action}" if plan else view.first_run,
                      steps=view.steps + result.steps if rollback_only else result.steps)

    async def _rollback_finished(self, inp: WaveInput, request: RollbackRequest) -> None:
        n = sum(1 for e in self._gates.audit if e.action == "rollback" and e.accepted and e.dag_id == request.dag_id)
        await self._run_child(inp, request.dag_id, attempt=1 + n, rollback_only=True, suffix=f"--rollback-{n}")

    async def _cancel_children(self) -> None:
        """Cancel: children still moving compensate (see DagCutover); wait for them, then report."""
        for dag_id, handle in self._children.items():
            if not self._finished(dag_id):
                await workflow.get_external_workflow_handle(handle.id).cancel()
        if self._child_tasks:
            await workflow.wait(list(self._child_tasks.values()))

    async def _finish(self, inp: WaveInput) -> WaveResult:
        self._set_stage(STAGE_REPORT)
        for key, view in self._dags.items():
            if view.state not in TERMINAL_DAG_STATES:
                self._dags[key] = replace(view, state=DAG_CANCELLED if self._status == STATUS_CANCELLED else view.state)
        if self._status == STATUS_RUNNING:
            failed = any(v.state != DAG_DONE for v in self._dags.values())
            self._status = STATUS_COMPLETED_WITH_FAILURES if failed else STATUS_COMPLETED
        try:
            files: ReportFiles = await workflow.execute_activity(
                "write_wave_report", ReportRequest(self.status()), summary="write the wave report",
                result_type=ReportFiles, **options.REPORT.kwargs())
            self._reports.extend([files.markdown, files.html])
        except ActivityError as error:
            self._gates.record("report", "worker", False, _now(), f"report not written: {_cause(error)}")
        self._set_stage(STAGE_DONE)
        return WaveResult(status=self.status())

    # ------------------------------------------------------------ helpers

    def _finished(self, dag_id: str) -> bool:
        view = self._dags.get(dag_id)
        return view is not None and view.state in TERMINAL_DAG_STATES

    def _decide(self, decision: str, approval: Approval) -> str:
        refusal = self._gates.decide(decision, approval.gate, approval.approver, approval.comment, _now(),
                                     approval.dag_id)
        self._publish()
        return refusal

    def _decide_or_fail(self, decision: str, approval: Approval) -> str:
        refusal = self._decide(decision, approval)
        if refusal:
            raise ApplicationError(f"refused: {refusal}", type="ApprovalRefused", non_retryable=True)
        return f"{decision} of gate {approval.gate} by {approval.approver} recorded"

    def _fail_pending(self, state: str, reason: str) -> None:
        for key, view in self._dags.items():
            if view.state == "pending":
                self._dags[key] = replace(view, state=state, reason=reason)

    def _set_dag(self, dag_id: str, state: str, reason: str, **fields: object) -> None:
        view = self._dags.get(dag_id)
        if view is not None:
            self._dags[dag_id] = replace(view, state=state, reason=reason, **fields)

    def _set_stage(self, stage: str) -> None:
        self._stage = stage
        self._publish()

    def _publish(self) -> None:
        """Search attributes and the UI's current details: which stage, and who the wave waits on."""
        inp = self._input
        if inp is None:
            return
        pending = self._gates.pending()
        if self._status in (STATUS_RUNNING, STATUS_WAITING, STATUS_PAUSED):
            self._status = STATUS_PAUSED if self._paused else STATUS_WAITING if pending else STATUS_RUNNING
        if self._published != (inp.wave, self._stage, self._status):  # an event per change, not per call
            self._published = (inp.wave, self._stage, self._status)
            workflow.upsert_search_attributes([search.WAVE.value_set(inp.wave), search.STAGE.value_set(self._stage),
                                               search.STATUS.value_set(self._status)])
        counts: dict[str, int] = {}
        for view in self._dags.values():
            counts[view.state] = counts.get(view.state, 0) + 1
        lines = [f"## Wave `{inp.wave}`: {self._stage} ({self._status})", "",
                 f"{inp.source} -> {inp.target} ({inp.profile})", "",
                 "DAGs: " + ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))]
        for gate in pending:
            who = ", ".join(gate.approvers)
            target = f" for DAG `{gate.dag_id}`" if gate.dag_id else ""
            lines += ["", f"**Waiting for approval of gate `{gate.gate}`{target}** since {gate.since} by one of: {who}",
                      (f"Send signal `approve` with `{{\"gate\": \"{gate.gate}\", \"approver\": \"<you>\", "
                      f"\"dag_id\": \"{gate.dag_id}\"}}`"), "", gate.detail[:1500]]
        if self._paused:
            lines += ["", "**Paused** (signal `resume` to go on)"]
        workflow.set_current_details("\n".join(lines))
