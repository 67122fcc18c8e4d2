"""A real Temporal dev server on free ports and a small stand-in wave workflow for the CLI/client tests.

The stand-in answers the real MigrationWave's interface (workflow type, signal, update and query names,
value types) and uses the real gate bookkeeping (``workflows.gates.Gates``), so the CLI's paths are
proven against a real server without the convert/test/cutover activities (the lead's end-to-end test
covers those). It opens the promote gate, then the cutover gate, records pause/resume/rollback like the
real wave, and closes with a WaveResult when a gate is rejected or both are approved, or when cancelled.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from temporalio import workflow
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from stack.config import StackConfig
from stack.temporal import dev_server_argv, search_attributes_ready, temporal_binary
from tests.stack.helpers import free_ports
from waves.model import (
    DAG_AWAITING_CUTOVER,
    DAG_AWAITING_PROMOTE,
    DAG_CANCELLED,
    DAG_DONE,
    DAG_REJECTED,
    GATE_CUTOVER,
    GATE_PROMOTE,
    STAGE_CUTOVER_GATE,
    STAGE_DONE,
    STAGE_PROMOTE_GATE,
    STATUS_CANCELLED,
    STATUS_COMPLETED,
    STATUS_PAUSED,
    STATUS_REJECTED,
    STATUS_RUNNING,
    STATUS_WAITING,
    Approval,
    CutoverInput,
    CutoverResult,
    DagView,
    RollbackRequest,
    WaveInput,
    WaveResult,
    WaveStatus,
)
from workflows import search
from workflows.gates import Gates


def _now() -> str:
    return workflow.now().isoformat(timespec="seconds").replace("+00:00", "Z")


@workflow.defn(name="MigrationWave")
class StandInWave:
    def __init__(self) -> None:
        self._input: WaveInput | None = None
        self._gates = Gates()
        self._stage = STAGE_PROMOTE_GATE
        self._status = STATUS_RUNNING
        self._paused = False
        self._dags: list[DagView] = []

    @workflow.signal
    def approve(self, approval: Approval) -> None:
        self._decide("approve", approval)

    @workflow.signal
    def reject(self, approval: Approval) -> None:
        self._decide("reject", approval)

    @workflow.update
    def approve_checked(self, approval: Approval) -> str:
        return self._decide_or_fail("approve", approval)

    @workflow.update
    def reject_checked(self, approval: Approval) -> str:
        return self._decide_or_fail("reject", approval)

    @workflow.signal
    def pause(self, actor: str) -> None:
        self._gates.record("pause", actor, True, _now())
        self._paused = True
        self._publish()

    @workflow.signal
    def resume(self, actor: str) -> None:
        self._gates.record("resume", actor, True, _now())
        self._paused = False
        self._publish()

    @workflow.signal
    def rollback(self, request: RollbackRequest) -> None:
        inp = self._input
        allowed = inp is not None and request.requester in inp.cutover.approvers + inp.cutover.escalate_to
        refusal = "" if allowed else f"{request.requester!r} may not roll back DAGs (cutover approvers only)"
        self._gates.record("rollback", request.requester, allowed, _now(), refusal or request.reason,
                           dag_id=request.dag_id)

    @workflow.query
    def status(self) -> WaveStatus:
        inp = self._input
        if inp is None:  # queried before the first workflow task ran
            return WaveStatus(wave="", stage=self._stage, status=self._status, source="", target="", profile="",
                              dags=())
        return WaveStatus(wave=inp.wave, stage=self._stage, status=self._status, source=inp.source,
                          target=inp.target, profile=inp.profile, dags=tuple(self._dags),
                          pending_gates=self._gates.pending(), audit=tuple(self._gates.audit),
                          out_dir=inp.out_dir, reports=(f"{inp.out_dir}/reports/conversion.md",))

    @workflow.run
    async def run(self, inp: WaveInput) -> WaveResult:
        self._input = inp
        self._dags = [DagView(dag_id=Path(f.path).stem, file=f.path, state=DAG_AWAITING_PROMOTE, changes=2)
                      for f in inp.files]
        try:
            if (await self._gate(GATE_PROMOTE, inp, STAGE_PROMOTE_GATE, DAG_AWAITING_CUTOVER)
                    and await self._gate(GATE_CUTOVER, inp, STAGE_CUTOVER_GATE, DAG_DONE)):
                self._status = STATUS_COMPLETED
        except asyncio.CancelledError:
            self._status = STATUS_CANCELLED
            self._dags = [replace(d, state=DAG_CANCELLED, reason="wave cancelled") for d in self._dags]
        self._stage = STAGE_DONE
        self._publish()
        return WaveResult(status=self.status())

    async def _gate(self, gate: str, inp: WaveInput, stage: str, next_state: str) -> bool:
        self._stage = stage
        found = self._gates.open(gate, inp.promote if gate == GATE_PROMOTE else inp.cutover, _now(),
                                 detail=f"{len(self._dags)} DAG(s) ready")
        self._publish()
        await workflow.wait_condition(lambda: not found.open)
        if found.decision != "approve":
            self._status = STATUS_REJECTED
            self._dags = [replace(d, state=DAG_REJECTED, reason=f"{gate} rejected by {found.decided_by}")
                          for d in self._dags]
            return False
        self._dags = [replace(d, state=next_state, steps=(*d.steps, f"{gate} approved by {found.decided_by}"))
                      for d in self._dags]
        return True

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

    def _publish(self) -> None:
        if self._status in (STATUS_RUNNING, STATUS_WAITING, STATUS_PAUSED):
            self._status = (STATUS_PAUSED if self._paused else STATUS_WAITING if self._gates.pending()
                            else STATUS_RUNNING)
        workflow.upsert_search_attributes([search.STAGE.value_set(self._stage), search.STATUS.value_set(self._status)])


@workflow.defn(name="DagCutover")
class StandInCutover:
    """Records what a rollback-only DagCutover was asked to do (the real one's activities are not here)."""

    @workflow.run
    async def run(self, inp: CutoverInput) -> CutoverResult:
        assert inp.rollback_only, "the stand-in only does rollbacks"
        return CutoverResult(dag_id=inp.dag_id, state="rolled-back", reason=f"rollback in scope {inp.scope[:8]}",
                             steps=(f"paused in {inp.target}", f"unpaused in {inp.source}"))


@dataclass(frozen=True)
class TemporalTestEnv:
    config: StackConfig

    def cli_env(self) -> dict[str, str]:
        """Variables that point the CLI (StackConfig.from_env) at this server and task queue."""
        return {"COMPOSER_MIGRATE_TEMPORAL_PORT": str(self.config.temporal_port),
                "COMPOSER_MIGRATE_TEMPORAL_UI_PORT": str(self.config.temporal_ui_port),
                "COMPOSER_MIGRATE_TASK_QUEUE": self.config.task_queue}


@contextmanager
def dev_server(tmp_path: Path, timeout: float = 90.0) -> Iterator[StackConfig]:
    """`temporal server start-dev` (the stack's own argv) on free ports under tmp_path; always stopped."""
    grpc_port, ui_port = free_ports(2)
    config = StackConfig(state_dir=tmp_path / "state", temporal_port=grpc_port, temporal_ui_port=ui_port,
                         task_queue=f"test-{uuid.uuid4().hex[:8]}")
    (config.state_dir / "temporal").mkdir(parents=True, exist_ok=True)
    log = (tmp_path / "temporal.log").open("wb")
    process = subprocess.Popen([*dev_server_argv(config, temporal_binary()), "--headless"], stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not search_attributes_ready(config):
            if process.poll() is not None:
                raise RuntimeError(f"temporal dev server exited: {(tmp_path / 'temporal.log').read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"temporal dev server not ready on {config.temporal_address} in {timeout}s")
            time.sleep(0.3)
        yield config
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


@contextmanager
def stand_in_worker(config: StackConfig) -> Iterator[None]:
    """A worker for the stand-in workflows in a background thread (its own event loop); stopped on exit."""
    ready, stop = threading.Event(), None
    errors: list[BaseException] = []

    async def main() -> None:
        nonlocal stop
        stop = asyncio.Event()
        client = await Client.connect(config.temporal_address, namespace=config.temporal_namespace)
        async with Worker(client, task_queue=config.task_queue, workflows=[StandInWave, StandInCutover],
                          workflow_runner=UnsandboxedWorkflowRunner()):
            ready.set()
            await stop.wait()

    loop = asyncio.new_event_loop()

    def run() -> None:
        try:
            loop.run_until_complete(main())
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
            ready.set()

    thread = threading.Thread(target=run, name="stand-in-worker", daemon=True)
    thread.start()
    if not ready.wait(30) or errors:
        raise RuntimeError(f"stand-in worker did not start: {errors}")
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
