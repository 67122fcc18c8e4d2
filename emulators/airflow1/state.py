"""The emulated Airflow 1.10 metadata: DAGs (paused flag), their runs, and a log of every call that
changed something (triggers and pause changes, with timestamps).

Runs move on their own: a triggered run is ``running`` until ``run_duration_s`` has passed since it
could start, then ``success`` (or ``failed`` when the DAG's seed says ``"outcome": "failed"``). A run
triggered while its DAG is paused stays ``running`` and only starts progressing once the DAG is
unpaused, as in Airflow 1.10 where the scheduler ignores paused DAGs. States are computed from the
clock when read, so no background thread is needed and a restart computes the same answer.

``EmulatorState`` is thread-safe (one lock) and, when given a ``state_path``, writes its whole state to
that JSON file atomically after every change, so a restarted emulator continues where it stopped.
The error classes mirror the Airflow exceptions the real endpoints turn into status codes.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

STATE_SCHEMA = 1
DEFAULT_RUN_DURATION_S = 2.0
RUN_STATES = ("running", "success", "failed")
OUTCOMES = ("success", "failed")


class SeedError(ValueError):
    """The seed or state file cannot be used; the message names the file (or "seed") and the entry."""


class DagNotFoundError(LookupError):
    """Airflow's DagNotFound: ``Dag id X not found in DagModel``."""

    def __init__(self, dag_id: str) -> None:
        super().__init__(f"Dag id {dag_id} not found in DagModel")
        self.dag_id = dag_id


class DagRunAlreadyExistsError(ValueError):
    """Airflow's DagRunAlreadyExists (an AirflowBadRequest: HTTP 400)."""

    def __init__(self, dag_id: str, run_id: str) -> None:
        super().__init__(f"Run id {run_id} already exists for dag id {dag_id}")


class ExecutionDateTakenError(ValueError):
    """The unique (dag_id, execution_date) constraint of 1.10's dag_run table: an IntegrityError (500)."""

    def __init__(self, dag_id: str, execution_date: datetime) -> None:
        super().__init__(
            "(sqlite3.IntegrityError) UNIQUE constraint failed: dag_run.dag_id, dag_run.execution_date "
            f"[dag_id={dag_id}, execution_date={execution_date.isoformat()}]"
        )


class DagRunNotFoundError(LookupError):
    """Airflow's DagRunNotFound (HTTP 404)."""

    def __init__(self, dag_id: str, execution_date: datetime) -> None:
        super().__init__(f"DagRun for {dag_id} with date {execution_date} not found")


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_datetime(text: str) -> datetime:
    """Airflow's ``timezone.parse``: ISO 8601, naive values are UTC. Raises ValueError."""
    if not isinstance(text, str):
        raise ValueError(f"not a date string: {text!r}")  # noqa: TRY004 - callers answer any bad date with 400
    text = text.strip()
    value = datetime.fromisoformat(text if "T" in text else text.replace(" ", "T", 1))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True)
class Run:
    """One DAG run as stored; ``state`` is the stored state, ``effective`` computes the current one."""

    id: int
    dag_id: str
    run_id: str
    execution_date: datetime
    start_date: datetime | None
    state: str
    end_date: datetime | None = None
    external_trigger: bool = False
    conf: Mapping[str, Any] | None = None
    duration_s: float = DEFAULT_RUN_DURATION_S
    outcome: str = "success"
    progress_from: datetime | None = None  # when it could start running (None: DAG paused so far)

    def effective(self, now: datetime) -> Run:
        """The run as Airflow would report it at ``now``."""
        if self.state != "running" or self.progress_from is None:
            return self
        finish = self.progress_from + timedelta(seconds=self.duration_s)
        if now < finish:
            return self
        return replace(self, state=self.outcome, end_date=finish)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dag_id": self.dag_id,
            "run_id": self.run_id,
            "execution_date": _iso(self.execution_date),
            "start_date": _iso(self.start_date),
            "end_date": _iso(self.end_date),
            "state": self.state,
            "external_trigger": self.external_trigger,
            "conf": dict(self.conf) if self.conf is not None else None,
            "duration_s": self.duration_s,
            "outcome": self.outcome,
            "progress_from": _iso(self.progress_from),
        }


@dataclass
class Dag:
    """A DAG as the emulator knows it (mutable, guarded by the state's lock)."""

    dag_id: str
    is_paused: bool
    run_duration_s: float
    outcome: str
    runs: list[Run] = field(default_factory=list)


@dataclass(frozen=True)
class TriggerRecord:
    """Every POST .../dag_runs received, whatever its answer (test evidence: was a DAG triggered?)."""

    received_at: datetime
    dag_id: str
    run_id: str | None
    execution_date: str | None
    status: int
    result: str  # created | duplicate | dag_not_found | bad_request | conflict

    def to_json(self) -> dict[str, Any]:
        return {
            "received_at": _iso(self.received_at),
            "dag_id": self.dag_id,
            "run_id": self.run_id,
            "execution_date": self.execution_date,
            "status": self.status,
            "result": self.result,
        }


@dataclass(frozen=True)
class PauseRecord:
    """Every paused/<true|false> call received for a known DAG, with the state before and after."""

    received_at: datetime
    dag_id: str
    was_paused: bool
    is_paused: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "received_at": _iso(self.received_at),
            "dag_id": self.dag_id,
            "was_paused": self.was_paused,
            "is_paused": self.is_paused,
        }


class EmulatorState:
    """DAGs, runs and the call log, in memory, optionally persisted to ``state_path`` (atomic writes)."""

    def __init__(
        self,
        dags: Mapping[str, Dag],
        *,
        next_id: int = 1,
        triggers: list[TriggerRecord] | None = None,
        pauses: list[PauseRecord] | None = None,
        state_path: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._dags = dict(dags)
        self._next_id = next_id
        self._triggers = list(triggers or [])
        self._pauses = list(pauses or [])
        self._state_path = state_path
        self._clock = clock
        self._lock = threading.Lock()

    # ---- construction ---------------------------------------------------------------------------

    @classmethod
    def from_seed(
        cls,
        seed: Mapping[str, Any],
        *,
        source: str = "seed",
        default_run_duration_s: float = DEFAULT_RUN_DURATION_S,
        state_path: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> EmulatorState:
        """Build from a seed: ``{"dags": [{"dag_id", "is_paused", "run_duration_s"?, "outcome"?, "runs"?}]}``.

        When ``state_path`` exists, it wins over the seed (a restart keeps the state); otherwise the
        seeded state is written there at once.
        """
        if state_path is not None and state_path.exists():
            return cls.load(state_path, clock=clock)
        dags, next_id = _dags_from_json(seed, source, default_run_duration_s, persisted=False)
        state = cls(dags, next_id=next_id, state_path=state_path, clock=clock)
        with state._lock:
            state._persist()
        return state

    @classmethod
    def load(cls, state_path: Path, *, clock: Callable[[], datetime] = utc_now) -> EmulatorState:
        """Read a state file written by ``_persist``."""
        try:
            data = json.loads(state_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise SeedError(f"{state_path}: cannot read the emulator state: {error}") from error
        if not isinstance(data, dict) or data.get("schema") != STATE_SCHEMA:
            raise SeedError(f"{state_path}: not an Airflow 1 emulator state file (schema {STATE_SCHEMA})")
        dags, next_id = _dags_from_json(data, str(state_path), DEFAULT_RUN_DURATION_S, persisted=True)
        try:
            triggers = [
                TriggerRecord(
                    received_at=parse_datetime(t["received_at"]),
                    dag_id=t["dag_id"],
                    run_id=t["run_id"],
                    execution_date=t["execution_date"],
                    status=int(t["status"]),
                    result=t["result"],
                )
                for t in data.get("triggers", [])
            ]
            pauses = [
                PauseRecord(
                    received_at=parse_datetime(p["received_at"]),
                    dag_id=p["dag_id"],
                    was_paused=bool(p["was_paused"]),
                    is_paused=bool(p["is_paused"]),
                )
                for p in data.get("pause_changes", [])
            ]
        except (KeyError, TypeError, ValueError) as error:
            raise SeedError(f"{state_path}: bad call log entry: {error}") from error
        return cls(
            dags,
            next_id=max(next_id, int(data.get("next_id", 1))),
            triggers=triggers,
            pauses=pauses,
            state_path=state_path,
            clock=clock,
        )

    # ---- the API's operations -------------------------------------------------------------------

    def set_paused(self, dag_id: str, paused: bool) -> None:
        with self._lock:
            dag = self._dag(dag_id)
            now = self._clock()
            self._pauses.append(PauseRecord(now, dag_id, dag.is_paused, paused))
            if dag.is_paused and not paused:
                # runs created while paused start progressing now
                dag.runs = [
                    replace(r, progress_from=now) if r.state == "running" and r.progress_from is None else r
                    for r in dag.runs
                ]
            dag.is_paused = paused
            self._persist()

    def is_paused(self, dag_id: str) -> bool:
        with self._lock:
            return self._dag(dag_id).is_paused

    def trigger(
        self,
        dag_id: str,
        run_id: str | None,
        conf: Mapping[str, Any] | None,
        execution_date: datetime | None,
        replace_microseconds: bool,
    ) -> Run:
        """Create a run as 1.10's ``trigger_dag`` does; raises the errors above (all are logged too)."""
        with self._lock:
            now = self._clock()
            logged_date = _iso(execution_date)
            try:
                dag = self._dag(dag_id)
            except DagNotFoundError:
                self._log_trigger(now, dag_id, run_id, logged_date, 404, "dag_not_found")
                raise
            execution_date = execution_date or now
            if replace_microseconds:
                execution_date = execution_date.replace(microsecond=0)
            run_id = run_id or f"manual__{execution_date.isoformat()}"
            if any(r.run_id == run_id for r in dag.runs):
                self._log_trigger(now, dag_id, run_id, _iso(execution_date), 400, "duplicate")
                raise DagRunAlreadyExistsError(dag_id, run_id)
            if any(r.execution_date == execution_date for r in dag.runs):
                self._log_trigger(now, dag_id, run_id, _iso(execution_date), 500, "conflict")
                raise ExecutionDateTakenError(dag_id, execution_date)
            run = Run(
                id=self._next_id,
                dag_id=dag_id,
                run_id=run_id,
                execution_date=execution_date,
                start_date=now,
                state="running",
                external_trigger=True,
                conf=dict(conf) if conf is not None else None,
                duration_s=dag.run_duration_s,
                outcome=dag.outcome,
                progress_from=None if dag.is_paused else now,
            )
            self._next_id += 1
            dag.runs.append(run)
            self._log_trigger(now, dag_id, run_id, _iso(execution_date), 200, "created")
            self._persist()
            return run

    def log_rejected_trigger(self, dag_id: str, run_id: str | None, execution_date: str | None) -> None:
        """Record a trigger the API refused before reaching ``trigger`` (a bad body)."""
        with self._lock:
            self._log_trigger(self._clock(), dag_id, run_id, execution_date, 400, "bad_request")
            self._persist()

    def runs(self, dag_id: str, state: str | None = None) -> list[Run]:
        """``DagRun.find(dag_id, state)``: oldest execution_date first."""
        with self._lock:
            now = self._clock()
            runs = [r.effective(now) for r in self._dag(dag_id).runs]
        runs.sort(key=lambda r: r.execution_date)
        return [r for r in runs if state is None or r.state == state]

    def run_at(self, dag_id: str, execution_date: datetime) -> Run:
        for run in self.runs(dag_id):
            if run.execution_date == execution_date:
                return run
        raise DagRunNotFoundError(dag_id, execution_date)

    def latest_runs(self) -> list[Run]:
        """``DagRun.get_latest_runs()``: the run with the newest execution_date of each DAG."""
        with self._lock:
            now = self._clock()
            latest = [
                max(dag.runs, key=lambda r: r.execution_date).effective(now)
                for dag in self._dags.values()
                if dag.runs
            ]
        return sorted(latest, key=lambda r: r.dag_id)

    def snapshot(self) -> dict[str, Any]:
        """Everything, as JSON (the ``/_emulator/state`` body and the state file's content)."""
        with self._lock:
            return self._snapshot(self._clock())

    # ---- internals ------------------------------------------------------------------------------

    def _dag(self, dag_id: str) -> Dag:
        dag = self._dags.get(dag_id)
        if dag is None:
            raise DagNotFoundError(dag_id)
        return dag

    def _log_trigger(self, now: datetime, dag_id: str, run_id: str | None, execution_date: str | None,
                     status: int, result: str) -> None:
        self._triggers.append(TriggerRecord(now, dag_id, run_id, execution_date, status, result))

    def _snapshot(self, now: datetime) -> dict[str, Any]:
        return {
            "schema": STATE_SCHEMA,
            "next_id": self._next_id,
            "dags": [
                {
                    "dag_id": dag.dag_id,
                    "is_paused": dag.is_paused,
                    "run_duration_s": dag.run_duration_s,
                    "outcome": dag.outcome,
                    "runs": [r.effective(now).to_json() for r in dag.runs],
                }
                for dag in self._dags.values()
            ],
            "triggers": [t.to_json() for t in self._triggers],
            "pause_changes": [p.to_json() for p in self._pauses],
        }

    def _persist(self) -> None:
        """Write the state file atomically (temp file in the same folder, fsync, rename). Lock held."""
        if self._state_path is None:
            return
        path = self._state_path
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self._snapshot(self._clock()), indent=1, sort_keys=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def load_seed(path: str | Path) -> dict[str, Any]:
    """Read a seed JSON file (clear error naming the file)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SeedError(f"{path}: cannot read the seed: {error}") from error
    if not isinstance(data, dict):
        raise SeedError(f"{path}: a seed is a JSON object with a 'dags' list")
    return data


def _dags_from_json(
    data: Mapping[str, Any], source: str, default_duration_s: float, *, persisted: bool
) -> tuple[dict[str, Dag], int]:
    entries = data.get("dags")
    if not isinstance(entries, list):
        raise SeedError(f"{source}: 'dags' must be a list")
    dags: dict[str, Dag] = {}
    next_id = 1
    for index, entry in enumerate(entries):
        where = f"{source}: dags[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("dag_id"), str) or not entry["dag_id"]:
            raise SeedError(f"{where}: needs a non-empty string 'dag_id'")
        dag_id = entry["dag_id"]
        where = f"{source}: dag {dag_id!r}"
        if dag_id in dags:
            raise SeedError(f"{where}: listed twice")
        outcome = entry.get("outcome", "success")
        if outcome not in OUTCOMES:
            raise SeedError(f"{where}: 'outcome' must be one of {OUTCOMES}, got {outcome!r}")
        duration = entry.get("run_duration_s", default_duration_s)
        if not isinstance(duration, int | float) or isinstance(duration, bool) or duration < 0:
            raise SeedError(f"{where}: 'run_duration_s' must be a number >= 0, got {duration!r}")
        dag = Dag(dag_id, bool(entry.get("is_paused", False)), float(duration), outcome)
        for run_index, raw in enumerate(entry.get("runs", [])):
            run = _run_from_json(raw, dag, next_id, f"{where}: runs[{run_index}]", persisted)
            if any(r.run_id == run.run_id or r.execution_date == run.execution_date for r in dag.runs):
                raise SeedError(f"{where}: runs[{run_index}] repeats a run_id or an execution_date")
            dag.runs.append(run)
            next_id = max(next_id, run.id) + 1
        dags[dag_id] = dag
    return dags, next_id


def _run_from_json(raw: Any, dag: Dag, next_id: int, where: str, persisted: bool) -> Run:
    if not isinstance(raw, dict):
        raise SeedError(f"{where}: a run is an object")
    try:
        execution_date = parse_datetime(raw["execution_date"])
        start = parse_datetime(raw["start_date"]) if raw.get("start_date") else None
        end = parse_datetime(raw["end_date"]) if raw.get("end_date") else None
        progress = parse_datetime(raw["progress_from"]) if raw.get("progress_from") else None
    except KeyError as error:
        raise SeedError(f"{where}: missing {error}") from None
    except ValueError as error:
        raise SeedError(f"{where}: bad date: {error}") from None
    state = raw.get("state", "success")
    if state not in RUN_STATES:
        raise SeedError(f"{where}: 'state' must be one of {RUN_STATES}, got {state!r}")
    if state != "running" and (start is None or end is None):
        raise SeedError(f"{where}: a finished run needs 'start_date' and 'end_date' (its duration)")
    return Run(
        id=int(raw.get("id", next_id)),
        dag_id=dag.dag_id,
        run_id=str(raw.get("run_id") or f"scheduled__{execution_date.isoformat()}"),
        execution_date=execution_date,
        start_date=start,
        state=state,
        end_date=end,
        external_trigger=bool(raw.get("external_trigger", False)),
        conf=raw.get("conf"),
        duration_s=float(raw.get("duration_s", dag.run_duration_s)),
        outcome=raw.get("outcome", dag.outcome),
        # a seeded "running" run progresses from its start; a persisted one keeps what it had
        progress_from=progress if persisted else (start if state == "running" else None),
    )
