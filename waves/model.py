"""The small frozen values that cross the workflow boundary: inputs, signals, results and status.

Everything here goes into Temporal's history or a query answer, so it holds names, paths, hashes,
states and short reasons only: never DAG source text, never connection values or tokens. Values are
plain dataclasses of str/int/float/bool/tuples so Temporal's default JSON converter round-trips them
and a person can send a signal from the Temporal UI by typing JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ------------------------------------------------------------------ stages and states

STAGE_CONVERT = "convert"
STAGE_TEST = "test"
STAGE_PROMOTE_GATE = "promote-gate"
STAGE_DEPLOY = "deploy"
STAGE_CUTOVER_GATE = "cutover-gate"
STAGE_CUTOVER = "cutover"
STAGE_VERIFY = "verify"
STAGE_REPORT = "report"
STAGE_DONE = "done"

# Per-DAG states (DagView.state). Terminal ones end a DAG's journey in this wave.
DAG_PENDING = "pending"
DAG_CONVERT_FAILED = "convert-failed"
DAG_TEST_FAILED = "test-failed"
DAG_AWAITING_PROMOTE = "awaiting-promote"
DAG_DEPLOYING = "deploying"
DAG_DEPLOY_FAILED = "deploy-failed"
DAG_AWAITING_CUTOVER = "awaiting-cutover"
DAG_CUTTING_OVER = "cutting-over"
DAG_VERIFYING = "verifying"
DAG_DONE = "done"
DAG_ROLLED_BACK = "rolled-back"
DAG_REJECTED = "rejected"
DAG_BLOCKED = "blocked"
DAG_CANCELLED = "cancelled"
DAG_FAILED = "failed"  # compensation could not finish: a person must look (the reason says what is left)

TERMINAL_DAG_STATES = frozenset({
    DAG_CONVERT_FAILED, DAG_TEST_FAILED, DAG_DEPLOY_FAILED, DAG_DONE, DAG_ROLLED_BACK, DAG_REJECTED,
    DAG_BLOCKED, DAG_CANCELLED, DAG_FAILED,
})

# Wave status values (search attribute MigrationStatus)
STATUS_RUNNING = "running"
STATUS_WAITING = "waiting-approval"
STATUS_PAUSED = "paused"
STATUS_COMPLETED = "completed"
STATUS_COMPLETED_WITH_FAILURES = "completed-with-failures"
STATUS_REJECTED = "rejected"
STATUS_CANCELLED = "cancelled"

GATE_PROMOTE = "promote"
GATE_CUTOVER = "cutover"
GATES = (GATE_PROMOTE, GATE_CUTOVER)

DECISION_APPROVE = "approve"
DECISION_REJECT = "reject"

# Routing destinations (routing.contract.ENVIRONMENTS)
ROUTE_SOURCE = "composer1"
ROUTE_TARGET = "composer2"


# Waits of the cutover, overridable per wave (spec ``deploy.parse_timeout`` and ``routing.ack_timeout``).
DEFAULT_PARSE_TIMEOUT_S = 300.0  # a target's parse of a new file: Composer syncs the bucket, then parses
DEFAULT_ACK_TIMEOUT_S = 300.0  # the scheduler's ack of a routing change; no ack -> roll back


# ------------------------------------------------------------------ wave input


@dataclass(frozen=True)
class GatePolicy:
    """Who may open a gate, and what happens when nobody does in time."""

    approvers: tuple[str, ...]
    timeout_s: float = 0.0  # 0: wait forever
    on_timeout: str = "reject"  # "reject" | "escalate"
    escalate_to: tuple[str, ...] = ()  # extra approvers allowed after an escalation


@dataclass(frozen=True)
class VerifyPolicy:
    """How a cutover is verified: trigger a run (deterministic id) and wait for success."""

    trigger_run: bool = True
    timeout_s: float = 900.0
    poll_s: float = 5.0


@dataclass(frozen=True)
class WaveFile:
    """One DAG file of the wave, relative to the source tree."""

    path: str


@dataclass(frozen=True)
class WaveInput:
    """A validated wave spec, as the workflow receives it (waves.spec builds it)."""

    wave: str
    source_dir: str  # absolute path to the Airflow 1 DAG tree (read only)
    out_dir: str  # absolute path where converted files and reports go
    files: tuple[WaveFile, ...]
    source: str  # Composer 1 environment (resource name or id)
    target: str  # Composer 2+ environment (resource name or id)
    profile: str
    promote: GatePolicy
    cutover: GatePolicy
    cutover_gate: str = "wave"  # "wave": one approval for all DAGs; "dag": one per DAG
    concurrency: int = 10
    verify: VerifyPolicy = field(default_factory=VerifyPolicy)
    first_run: str = "guard"  # "guard": prevent surprise runs on unpause; "allow": let the scheduler run them
    spec_path: str = ""
    parse_timeout_s: float = DEFAULT_PARSE_TIMEOUT_S  # deploy: how long the target may take to parse a DAG
    ack_timeout_s: float = DEFAULT_ACK_TIMEOUT_S  # routing: how long to wait for the scheduler's ack


# ------------------------------------------------------------------ signals and updates


@dataclass(frozen=True)
class Approval:
    """An approve/reject signal. ``dag_id`` is only for per-DAG cutover gates."""

    gate: str
    approver: str
    comment: str = ""
    dag_id: str = ""


@dataclass(frozen=True)
class RollbackRequest:
    dag_id: str
    requester: str
    reason: str = ""


@dataclass(frozen=True)
class AuditEntry:
    """One approval attempt (accepted or not) or operator action, as recorded by the workflow."""

    at: str  # RFC 3339 (workflow time)
    action: str  # approve | reject | rollback | pause | resume | escalate | timeout
    gate: str
    actor: str
    accepted: bool
    detail: str = ""
    dag_id: str = ""


# ------------------------------------------------------------------ activity results


@dataclass(frozen=True)
class ConvertedFile:
    path: str  # relative path, same in the source and output trees
    ok: bool
    sha256: str = ""  # of the converted bytes
    changes: int = 0
    todos: int = 0
    error: str = ""


@dataclass(frozen=True)
class ConvertSummary:
    files: tuple[ConvertedFile, ...]
    report_md: str
    elapsed_s: float


@dataclass(frozen=True)
class TestedFile:
    path: str
    passed: bool
    dag_ids: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class TestSummary:
    files: tuple[TestedFile, ...]
    report_html: str
    elapsed_s: float
    __test__ = False  # not a pytest class


@dataclass(frozen=True)
class FirstRunPlan:
    """What the target's scheduler would do on unpause, and what the guard does about it."""

    dag_id: str
    schedule: str
    catchup: bool
    surprise_runs: str  # human text: "none", "1 (interval 2026-11-24T00:00:00Z)", "back-fill from ..."
    action: str  # none | mark-interval | block | allow
    logical_date: str = ""  # the interval to mark (action mark-interval)
    detail: str = ""


@dataclass(frozen=True)
class CutoverInput:
    wave: str
    dag_id: str
    file: str  # relative path in the output tree
    out_dir: str
    sha256: str
    source: str
    target: str
    cutover: GatePolicy
    per_dag_gate: bool
    verify: VerifyPolicy
    first_run: str
    parent_id: str
    scope: str  # the wave run's id: change ids and verify run ids of a re-run wave never collide
    attempt: int = 1
    rollback_only: bool = False  # compensate a DAG whose cutover finished earlier
    parse_timeout_s: float = DEFAULT_PARSE_TIMEOUT_S
    ack_timeout_s: float = DEFAULT_ACK_TIMEOUT_S


@dataclass(frozen=True)
class DagReady:
    """A child tells its wave: deployed and parsed (or not), with the first-run plan for the gate."""

    dag_id: str
    ok: bool
    reason: str = ""
    first_run: FirstRunPlan | None = None


@dataclass(frozen=True)
class Release:
    """The wave lets a child go on past the cutover gate (wave-level approval), or tells it to stop."""

    proceed: bool
    approver: str = ""
    reason: str = ""


@dataclass(frozen=True)
class CutoverResult:
    dag_id: str
    state: str  # a terminal DAG state
    reason: str = ""
    verify_run_id: str = ""
    verify_state: str = ""
    first_run: FirstRunPlan | None = None
    steps: tuple[str, ...] = ()  # what was done, in order (for the report)


# ------------------------------------------------------------------ status (query answers)


@dataclass(frozen=True)
class PendingGate:
    gate: str
    approvers: tuple[str, ...]
    since: str
    detail: str = ""
    dag_id: str = ""


@dataclass(frozen=True)
class DagView:
    dag_id: str
    file: str
    state: str
    reason: str = ""
    changes: int = 0
    todos: int = 0
    verify_run_id: str = ""
    first_run: str = ""
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class WaveStatus:
    wave: str
    stage: str
    status: str
    source: str
    target: str
    profile: str
    dags: tuple[DagView, ...]
    pending_gates: tuple[PendingGate, ...] = ()
    audit: tuple[AuditEntry, ...] = ()
    started_at: str = ""
    updated_at: str = ""
    out_dir: str = ""
    reports: tuple[str, ...] = ()

    def count(self, state: str) -> int:
        return sum(1 for d in self.dags if d.state == state)


@dataclass(frozen=True)
class WaveResult:
    status: WaveStatus
