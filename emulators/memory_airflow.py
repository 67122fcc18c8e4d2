"""In-memory Airflow environments (Composer 2 target, Composer 1 source) with one shared, ordered timeline.

Used where Airflow is not what is being tested or measured: the workflow tests (ordering, gates, retries,
compensation) and the wave benchmark (the local Airflow 2 runs SequentialExecutor on SQLite, 3-4 s per
task, so deploying and running 1,000 DAGs in it would measure that executor, not the migration).
Temporal, Pub/Sub and the reference scheduler's consumer stay real there; the real adapters are tested
against real Airflow in tests/environments, and the demo wave runs everything real end to end.

Both doubles answer at once (a run succeeds, or fails for the DAG ids in ``failing``, as soon as it is
triggered). The timeline records every pause/unpause in both environments, so a test or the benchmark
can prove "never unpaused in both environments at once" at every step, not only at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from environments.base import (
    DagInfo,
    DagNotFound,
    DeployFile,
    DeployResult,
    ParseStatus,
    RunState,
    TriggerResult,
)


@dataclass
class Timeline:
    """Every pause/unpause in both environments, in order: (environment, dag_id, paused)."""

    events: list[tuple[str, str, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, environment: str, dag_id: str, paused: bool) -> None:
        with self.lock:
            self.events.append((environment, dag_id, paused))

    def active_in_both(self, initial_source_paused: bool = False) -> list[str]:
        """DAG ids that were ever unpaused in both environments at the same moment."""
        paused: dict[tuple[str, str], bool] = {}
        both = []
        with self.lock:
            events = list(self.events)
        for env, dag, state in events:
            paused[(env, dag)] = state
            if not paused.get(("source", dag), initial_source_paused) and not paused.get(("target", dag), True):
                both.append(dag)
        return both


class TargetDouble:
    """An Airflow 2 target: parses a deployed file at once; runs finish as soon as they are triggered,
    successfully unless the DAG id is in ``failing``; ``import_errors`` maps files to their error."""

    def __init__(self, timeline: Timeline, *, failing: Sequence[str] = (), import_errors: Mapping[str, str] | None = None,
                 name: str = "composer2-test", schedule: str = "@daily", catchup: bool = False):
        self.name = name
        self.airflow_uri = f"http://127.0.0.1:1/{name}"
        self.failing = set(failing)
        self.import_errors = dict(import_errors or {})
        self.schedule, self.catchup = schedule, catchup
        self.timeline = timeline
        self.files: dict[str, str] = {}
        self.uploads: list[str] = []
        self.paused: dict[str, bool] = {}
        self.runs: dict[tuple[str, str], RunState] = {}
        self.lock = threading.Lock()

    def deploy(self, files: Sequence[DeployFile]) -> DeployResult:
        uploaded, unchanged = [], []
        with self.lock:
            for f in files:
                if self.files.get(f.relative_path) == f.sha256:
                    unchanged.append(f.relative_path)
                else:
                    self.files[f.relative_path] = f.sha256
                    self.uploads.append(f.relative_path)
                    uploaded.append(f.relative_path)
        return DeployResult(tuple(uploaded), tuple(unchanged))

    def remove(self, relative_paths: Sequence[str]) -> None:
        with self.lock:
            for path in relative_paths:
                self.files.pop(path, None)

    def parse_status(self, dag_id: str, relative_path: str) -> ParseStatus:
        if relative_path in self.import_errors:
            return ParseStatus(dag_id, False, self.import_errors[relative_path], relative_path)
        with self.lock:
            if relative_path not in self.files:
                return ParseStatus(dag_id, False, None, relative_path)
            if dag_id not in self.paused:
                self.paused[dag_id] = True  # dags_are_paused_at_creation
                self.timeline.record("target", dag_id, True)
        return ParseStatus(dag_id, True, None, relative_path)

    def dag_info(self, dag_id: str) -> DagInfo:
        with self.lock:
            if dag_id not in self.paused:
                raise DagNotFound(f"DAG {dag_id} not found in {self.name}")
            paused = self.paused[dag_id]
            marked = any(r.run_id.startswith("cutover_guard__") for (d, _), r in self.runs.items() if d == dag_id)
        now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        next_run = now if marked else now - timedelta(days=1)
        return DagInfo(dag_id, paused, self.schedule, self.catchup, next_run, next_run + timedelta(days=1))

    def set_paused(self, dag_ids: Sequence[str], paused: bool) -> Mapping[str, bool]:
        with self.lock:
            for dag_id in dag_ids:
                if dag_id not in self.paused:
                    raise DagNotFound(f"DAG {dag_id} not found in {self.name}")
                if self.paused[dag_id] != paused:
                    self.paused[dag_id] = paused
                    self.timeline.record("target", dag_id, paused)
            return {d: self.paused[d] for d in dag_ids}

    def is_paused(self, dag_id: str) -> bool:
        with self.lock:
            return self.paused[dag_id]

    def trigger(self, dag_id: str, run_id: str, conf=None, logical_date=None) -> TriggerResult:
        with self.lock:
            if (dag_id, run_id) in self.runs:
                return TriggerResult(self.runs[(dag_id, run_id)], already_existed=True)
            now = datetime.now(UTC)
            state = "failed" if dag_id in self.failing else "success"
            run = RunState(dag_id, run_id, state, logical_date or now, now, now + timedelta(seconds=1), "manual",
                           {"task": state})
            self.runs[(dag_id, run_id)] = run
            return TriggerResult(run, already_existed=False)

    def get_run(self, dag_id: str, run_id: str) -> RunState:
        with self.lock:
            try:
                return self.runs[(dag_id, run_id)]
            except KeyError:
                raise DagNotFound(f"run {run_id} of {dag_id} not found in {self.name}") from None

    def list_runs(self, dag_id: str, limit: int = 25) -> Sequence[RunState]:
        with self.lock:
            return [r for (d, _), r in self.runs.items() if d == dag_id][-limit:]

    def mark_run(self, dag_id: str, run_id: str, state: str) -> RunState:
        with self.lock:
            run = replace(self.runs[(dag_id, run_id)], state=state)
            self.runs[(dag_id, run_id)] = run
            return run


class SourceDouble:
    """The Airflow 1.10 source: every DAG starts unpaused, with three recent successful runs."""

    def __init__(self, timeline: Timeline, name: str = "composer1-test"):
        self.name = name
        self.airflow_uri = f"http://127.0.0.1:1/{name}"
        self.timeline = timeline
        self.paused: dict[str, bool] = {}
        self.lock = threading.Lock()

    def set_paused(self, dag_ids: Sequence[str], paused: bool) -> Mapping[str, bool]:
        with self.lock:
            for dag_id in dag_ids:
                if self.paused.get(dag_id, False) != paused:
                    self.paused[dag_id] = paused
                    self.timeline.record("source", dag_id, paused)
            return {d: self.paused.get(d, False) for d in dag_ids}

    def is_paused(self, dag_id: str) -> bool:
        with self.lock:
            return self.paused.get(dag_id, False)

    def latest_runs(self, dag_id: str, limit: int = 25) -> Sequence[RunState]:
        now = datetime.now(UTC)
        return [RunState(dag_id, f"scheduled__{i}", "success", now - timedelta(days=i),
                         now - timedelta(days=i), now - timedelta(days=i) + timedelta(seconds=30 + i))
                for i in range(1, 4)]

    def trigger(self, dag_id: str, run_id: str, conf=None, logical_date=None) -> TriggerResult:
        raise AssertionError(f"the wave must never trigger in the source (dag {dag_id}, run {run_id})")
