"""The reference scheduler's durable routing table: where each DAG's triggers go (SQLite, WAL).

Rules (the ones docs/routing-contract.md asks of any scheduler):
- each change_id is applied exactly once: ``apply`` of a known change_id changes nothing and
  returns False (Pub/Sub delivers at least once; a retried publish repeats the change_id);
- per DAG, the applied change with the latest ``issued_at`` is the route; a change older than the
  current route (a late redelivery, an out-of-order replay) is recorded with outcome ``superseded``
  and does not move the route; on equal ``issued_at`` the later arrival wins (ordering keys make
  arrival order the publish order);
- every change is kept (``history``), and so is every message that could not be read
  (``dead_letter``), with its reason and bytes, for an operator to look at.

Each call is one transaction (``BEGIN IMMEDIATE``, ``synchronous=FULL``): once ``apply`` returns,
the change survives a crash, which is what lets the consumer ack the Pub/Sub message afterwards.
One connection guarded by a lock makes an instance safe to share between callback threads.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Self

from routing.contract import OUTCOME_APPLIED, OUTCOME_SUPERSEDED, RoutingChange, format_time, parse_time

SCHEMA_VERSION = 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_DDL = """
CREATE TABLE IF NOT EXISTS changes (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,  -- arrival order
    change_id    TEXT NOT NULL UNIQUE,
    dag_id       TEXT NOT NULL,
    environment  TEXT NOT NULL,
    issued_at_us INTEGER NOT NULL,                   -- microseconds since the epoch, for ordering
    applied_at   TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('applied', 'superseded')),
    body         TEXT NOT NULL                       -- the change, canonically encoded
);
CREATE INDEX IF NOT EXISTS changes_by_dag ON changes (dag_id, seq);
CREATE TABLE IF NOT EXISTS routes (
    dag_id       TEXT PRIMARY KEY,
    change_id    TEXT NOT NULL REFERENCES changes (change_id),
    issued_at_us INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id   TEXT NOT NULL UNIQUE,
    received_at  TEXT NOT NULL,
    reason       TEXT NOT NULL,
    ordering_key TEXT NOT NULL,
    attributes   TEXT NOT NULL,                      -- JSON object
    data         BLOB NOT NULL
);
"""


class RoutingTableError(RuntimeError):
    """The table file cannot be used (written by a newer version, not a routing table...)."""


@dataclass(frozen=True)
class ChangeRecord:
    """A change as the table recorded it."""

    change: RoutingChange
    applied_at: datetime
    outcome: str
    seq: int


@dataclass(frozen=True)
class Route:
    """Where a DAG's triggers go now, and which change put it there."""

    dag_id: str
    environment: str
    airflow_uri: str
    change_id: str
    issued_at: datetime
    applied_at: datetime


@dataclass(frozen=True)
class DeadLetter:
    """A message that could not be applied, kept with its reason and raw bytes."""

    message_id: str
    received_at: datetime
    reason: str
    data: bytes
    ordering_key: str = ""
    attributes: Mapping[str, str] | None = None


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _micros(value: datetime) -> int:
    return (value - _EPOCH) // timedelta(microseconds=1)


class RoutingTable:
    """A routing table stored in one SQLite file (use it as a context manager, or call ``close``)."""

    def __init__(self, path: str | Path, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.path = str(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise RoutingTableError(f"{self.path} cannot be used as a routing table: {error}") from error

    # ---- writes -------------------------------------------------------------------------------

    def apply(self, change: RoutingChange) -> bool:
        """Record ``change`` and move the DAG's route if it is the newest; False if already known."""
        issued_us = _micros(change.issued_at)
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM changes WHERE change_id = ?", (change.change_id,)).fetchone():
                return False
            current = db.execute(
                "SELECT issued_at_us FROM routes WHERE dag_id = ?", (change.dag_id,)
            ).fetchone()
            outcome = OUTCOME_APPLIED if current is None or issued_us >= current[0] else OUTCOME_SUPERSEDED
            db.execute(
                "INSERT INTO changes (change_id, dag_id, environment, issued_at_us, applied_at, outcome, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    change.change_id,
                    change.dag_id,
                    change.environment,
                    issued_us,
                    format_time(self._clock()),
                    outcome,
                    change.encode().decode("utf-8"),
                ),
            )
            if outcome == OUTCOME_APPLIED:
                db.execute(
                    "INSERT INTO routes (dag_id, change_id, issued_at_us) VALUES (?, ?, ?)"
                    " ON CONFLICT (dag_id) DO UPDATE SET change_id = excluded.change_id,"
                    " issued_at_us = excluded.issued_at_us",
                    (change.dag_id, change.change_id, issued_us),
                )
            return True

    def dead_letter(
        self,
        message_id: str,
        reason: str,
        data: bytes,
        *,
        attributes: Mapping[str, str] | None = None,
        ordering_key: str = "",
    ) -> bool:
        """Keep an unreadable message; False if this message id was already kept (a redelivery)."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO dead_letters (message_id, received_at, reason, ordering_key, attributes, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    message_id,
                    format_time(self._clock()),
                    reason,
                    ordering_key,
                    json.dumps(dict(attributes or {}), sort_keys=True),
                    bytes(data),
                ),
            )
            return cursor.rowcount == 1

    # ---- reads --------------------------------------------------------------------------------

    def change(self, change_id: str) -> ChangeRecord | None:
        """The record of one change, or None if it was never applied."""
        with self._lock:
            row = self._db.execute(
                "SELECT body, applied_at, outcome, seq FROM changes WHERE change_id = ?", (change_id,)
            ).fetchone()
        return _record(row) if row else None

    def route_of(self, dag_id: str) -> Route | None:
        """Where ``dag_id`` is routed now, or None if no change for it was ever applied."""
        with self._lock:
            row = self._db.execute(
                "SELECT c.body, c.applied_at FROM routes r JOIN changes c ON c.change_id = r.change_id"
                " WHERE r.dag_id = ?",
                (dag_id,),
            ).fetchone()
        if row is None:
            return None
        change = RoutingChange.decode(row[0].encode("utf-8"))
        return Route(
            dag_id=change.dag_id,
            environment=change.environment,
            airflow_uri=change.airflow_uri,
            change_id=change.change_id,
            issued_at=change.issued_at,
            applied_at=parse_time(row[1], "applied_at"),
        )

    def history(self, dag_id: str) -> list[ChangeRecord]:
        """Every change recorded for ``dag_id``, in arrival order (superseded ones included)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT body, applied_at, outcome, seq FROM changes WHERE dag_id = ? ORDER BY seq", (dag_id,)
            ).fetchall()
        return [_record(row) for row in rows]

    def dead_letters(self) -> list[DeadLetter]:
        """Every dead-lettered message, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT message_id, received_at, reason, data, ordering_key, attributes FROM dead_letters ORDER BY seq"
            ).fetchall()
        return [
            DeadLetter(
                message_id=row[0],
                received_at=parse_time(row[1], "received_at"),
                reason=row[2],
                data=bytes(row[3]),
                ordering_key=row[4],
                attributes=json.loads(row[5]),
            )
            for row in rows
        ]

    # ---- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RoutingTableError(
                f"{self.path} was written by a newer routing table (schema {version}; this code knows {SCHEMA_VERSION})"
            )
        if version < SCHEMA_VERSION:
            with self._transaction() as db:
                for statement in _DDL.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _record(row: tuple) -> ChangeRecord:
    return ChangeRecord(
        change=RoutingChange.decode(row[0].encode("utf-8")),
        applied_at=parse_time(row[1], "applied_at"),
        outcome=row[2],
        seq=row[3],
    )
