"""The reference scheduler's schedule loop: every due slot of every job, triggered where its DAG is routed.

- ``due_slots(jobs, last_slots, now)`` is the decision, a pure function: for each job, the slots after
  the last one triggered up to ``now`` (the newest only, unless the job asks for catch-up; a job seen
  for the first time starts at its newest slot, not at the beginning of time).
- ``ReferenceScheduler.tick(now)`` acts on it: for each due slot, look up the DAG's route in the
  routing table (no route yet: ``composer1``, the source), trigger there with
  ``deterministic_run_id(job, slot)``, and only then record the slot as done in the ``SlotLedger``.
  A crash between trigger and record, a restart, or two schedulers ticking the same slot send the same
  run id again, which Airflow refuses (409/400): a duplicate, never a second run. A failed trigger is
  not recorded, so the next tick retries that slot (and later slots of that job wait behind it).
- A DAG routed to an environment where it is paused is still triggered (Airflow keeps the run waiting)
  but logged as a warning: keeping routes and paused flags consistent is the migration workflow's job
  (invariant: never routed to an environment where the DAG is paused), and the warning makes a
  violation visible.

The ledger lives in the routing table's SQLite file (its own tables, its own connection; the
routing table's schema is untouched).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from observability import get_logger
from refscheduler.jobs import Job
from refscheduler.routing_table import RoutingTable
from refscheduler.triggers import Trigger, TriggerError, TriggerOutcome, deterministic_run_id
from routing.contract import format_time

log = get_logger("refscheduler.scheduler")

DEFAULT_ENVIRONMENT = "composer1"
MAX_CATCHUP_SLOTS = 100
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DueSlot:
    """One slot of one job to trigger, with its run id."""

    job: Job
    slot: datetime
    run_id: str


@dataclass(frozen=True)
class TickResult:
    """What a tick did with one due slot: the outcome, or the error that leaves it for the next tick."""

    job: str
    dag_id: str
    slot: datetime
    run_id: str
    environment: str
    outcome: TriggerOutcome | None = None
    error: str | None = None


def due_slots(
    jobs: Iterable[Job], last_slots: Mapping[str, datetime], now: datetime, *, max_catchup: int = MAX_CATCHUP_SLOTS
) -> list[DueSlot]:
    """The slots to trigger at ``now``, oldest first per job (pure)."""
    due: list[DueSlot] = []
    for job in jobs:
        latest = job.latest_slot(now)
        if latest is None:
            continue
        last = last_slots.get(job.name)
        if last is not None and latest <= last:
            continue
        if last is None or not job.catchup:
            slots = [latest]
        else:
            missed = (latest - last) // job.interval
            count = min(missed, max_catchup)
            slots = [latest - job.interval * k for k in reversed(range(count))]
        due.extend(DueSlot(job, slot, deterministic_run_id(job.name, slot)) for slot in slots)
    return due


def _micros(value: datetime) -> int:
    return (value - _EPOCH) // timedelta(microseconds=1)


def _from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


_LEDGER_DDL = (
    """CREATE TABLE IF NOT EXISTS refsched_slots (
        job          TEXT PRIMARY KEY,
        last_slot_us INTEGER NOT NULL,         -- microseconds since the epoch
        run_id       TEXT NOT NULL,
        updated_at   TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS refsched_triggers (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        job          TEXT NOT NULL,
        dag_id       TEXT NOT NULL,
        slot_us      INTEGER NOT NULL,
        run_id       TEXT NOT NULL,
        environment  TEXT NOT NULL,
        created      INTEGER NOT NULL,        -- 1 a new run, 0 a duplicate
        status       INTEGER NOT NULL,
        at           TEXT NOT NULL
    )""",
)


@dataclass(frozen=True)
class TriggerRecord:
    """One trigger the scheduler sent and what Airflow said (created or duplicate)."""

    job: str
    dag_id: str
    slot: datetime
    run_id: str
    environment: str
    created: bool
    status: int
    at: datetime


class SlotLedger:
    """The last slot triggered per job, and the log of triggers, durable in SQLite (WAL, synchronous=FULL)."""

    def __init__(self, path: str | Path, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.path = str(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        with self._lock:
            for statement in _LEDGER_DDL:
                self._db.execute(statement)

    def last_slots(self) -> dict[str, datetime]:
        with self._lock:
            rows = self._db.execute("SELECT job, last_slot_us FROM refsched_slots").fetchall()
        return {job: _from_micros(us) for job, us in rows}

    def record(self, due: DueSlot, environment: str, outcome: TriggerOutcome) -> None:
        """Mark ``due`` as triggered (one transaction); the job's last slot only moves forward."""
        now = format_time(self._clock())
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO refsched_triggers (job, dag_id, slot_us, run_id, environment, created, status, at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (due.job.name, due.job.dag_id, _micros(due.slot), due.run_id, environment,
                     int(outcome.created), outcome.status, now),
                )
                self._db.execute(
                    "INSERT INTO refsched_slots (job, last_slot_us, run_id, updated_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (job) DO UPDATE SET last_slot_us = excluded.last_slot_us,"
                    " run_id = excluded.run_id, updated_at = excluded.updated_at"
                    " WHERE excluded.last_slot_us > refsched_slots.last_slot_us",
                    (due.job.name, _micros(due.slot), due.run_id, now),
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def triggers(self, job: str | None = None) -> list[TriggerRecord]:
        """Every trigger recorded (of one job, or all), oldest first."""
        query = "SELECT job, dag_id, slot_us, run_id, environment, created, status, at FROM refsched_triggers"
        args: tuple = ()
        if job is not None:
            query += " WHERE job = ?"
            args = (job,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY seq", args).fetchall()
        return [
            TriggerRecord(r[0], r[1], _from_micros(r[2]), r[3], r[4], bool(r[5]), r[6],
                          datetime.fromisoformat(r[7]))
            for r in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class ReferenceScheduler:
    """Triggers each job's due slots in the environment its DAG is routed to.

    triggers: one ``Trigger`` per environment name of the routing contract (``composer1``,
    ``composer2``). ledger: where done slots are kept (default: a ``SlotLedger`` in the routing
    table's file).
    """

    def __init__(
        self,
        jobs: Sequence[Job],
        routing_table: RoutingTable,
        triggers: Mapping[str, Trigger],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        ledger: SlotLedger | None = None,
        default_environment: str = DEFAULT_ENVIRONMENT,
    ) -> None:
        self.jobs = tuple(jobs)
        self.routing_table = routing_table
        self.triggers = dict(triggers)
        self.clock = clock
        self.default_environment = default_environment
        self._owns_ledger = ledger is None
        self.ledger = ledger if ledger is not None else SlotLedger(routing_table.path, clock=clock)

    def due_slots(self, now: datetime | None = None) -> list[DueSlot]:
        """What ``tick(now)`` would trigger (reads the ledger, changes nothing)."""
        return due_slots(self.jobs, self.ledger.last_slots(), self.clock() if now is None else now)

    def environment_of(self, dag_id: str) -> str:
        route = self.routing_table.route_of(dag_id)
        return route.environment if route is not None else self.default_environment

    def tick(self, now: datetime | None = None) -> list[TickResult]:
        """Trigger every due slot; returns what happened to each (errors are logged, retried next tick)."""
        results: list[TickResult] = []
        blocked: set[str] = set()  # jobs whose earlier slot failed this tick: keep their order
        for due in self.due_slots(now):
            if due.job.name in blocked:
                continue
            result = self._trigger(due)
            results.append(result)
            if result.error is not None:
                blocked.add(due.job.name)
        return results

    def close(self) -> None:
        if self._owns_ledger:
            self.ledger.close()

    def _trigger(self, due: DueSlot) -> TickResult:
        dag_id = due.job.dag_id
        environment = self.environment_of(dag_id)
        bound = log.bind(job=due.job.name, dag_id=dag_id, run_id=due.run_id, environment=environment)
        trigger = self.triggers.get(environment)
        if trigger is None:
            error = f"no trigger configured for environment {environment!r} (routed there by the routing table)"
            bound.error("scheduler_trigger_failed", error=error)
            return TickResult(due.job.name, dag_id, due.slot, due.run_id, environment, error=error)
        self._warn_if_paused(trigger, dag_id, bound)
        try:
            outcome = trigger.trigger(dag_id, due.run_id, due.slot, due.job.conf)
        except TriggerError as error:
            bound.error("scheduler_trigger_failed", error=str(error), url=error.url)
            return TickResult(due.job.name, dag_id, due.slot, due.run_id, environment, error=str(error))
        self.ledger.record(due, environment, outcome)
        bound.info("scheduler_run_triggered" if outcome.created else "scheduler_run_already_triggered",
                   status=outcome.status, slot=format_time(due.slot))
        return TickResult(due.job.name, dag_id, due.slot, due.run_id, environment, outcome=outcome)

    @staticmethod
    def _warn_if_paused(trigger: Trigger, dag_id: str, bound) -> None:
        try:
            paused = trigger.is_paused(dag_id)
        except TriggerError as error:
            bound.warning("scheduler_paused_check_failed", error=str(error))
            return
        if paused:
            bound.warning(
                "scheduler_triggering_paused_dag",
                reason="the DAG is routed to an environment where it is paused; the run will wait there",
            )
