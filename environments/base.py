"""Interfaces and values shared by every environment adapter.

A *target* is an Airflow 2 environment (Composer 2.1+/3, or the embedded local Airflow 2); a *source*
is the Airflow 1.10 environment of Composer 1. Implementations raise the errors below, never
library-specific ones, so callers (activities) can decide what is retryable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

# ---------------------------------------------------------------- errors


class EnvironmentError_(RuntimeError):
    """Base of adapter errors. ``retryable`` says whether trying the same call again may help."""

    retryable: bool = True


class EnvironmentNotFound(EnvironmentError_):
    """The named environment (or its bucket) does not exist. Not retryable."""

    retryable = False


class EnvironmentUnreachable(EnvironmentError_):
    """The API did not answer (connection refused, timeout, 5xx). Retryable."""

    retryable = True


class AuthError(EnvironmentError_):
    """The API refused our credentials (401/403). Not retryable."""

    retryable = False


class DagNotFound(EnvironmentError_):
    """The environment does not know the DAG (not parsed yet, or never deployed)."""

    retryable = False


class DeployError(EnvironmentError_):
    """A file could not be uploaded or placed (the message names the file)."""

    retryable = True


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class DeployFile:
    """One file to deploy: its path relative to the DAG folder, where it is locally, its sha256."""

    relative_path: str
    local_path: Path
    sha256: str


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did: relative paths uploaded and those skipped because the bytes were already there."""

    uploaded: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParseStatus:
    """Whether the target has parsed a DAG: ``parsed`` (known, no import error), or the import error."""

    dag_id: str
    parsed: bool
    import_error: str | None = None
    file: str | None = None


@dataclass(frozen=True)
class DagInfo:
    """What the target's scheduler knows about a DAG (what the first-run guard needs)."""

    dag_id: str
    is_paused: bool
    schedule: str | None  # cron expression / timedelta repr / preset, None when unscheduled
    catchup: bool
    next_dagrun: datetime | None  # logical date of the run the scheduler would create next
    next_dagrun_create_after: datetime | None
    fileloc: str | None = None


@dataclass(frozen=True)
class RunState:
    """One DAG run: id, state (queued/running/success/failed), timing, and per-task states."""

    dag_id: str
    run_id: str
    state: str
    logical_date: datetime | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    run_type: str | None = None
    task_states: Mapping[str, str] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in ("success", "failed")


@dataclass(frozen=True)
class TriggerResult:
    """A trigger's answer: the run, and whether it already existed (409: a replayed trigger)."""

    run: RunState
    already_existed: bool


# ---------------------------------------------------------------- interfaces


@runtime_checkable
class TargetEnvironment(Protocol):
    """An Airflow 2 environment the wave deploys to. Every operation is idempotent."""

    name: str
    airflow_uri: str

    def deploy(self, files: Sequence[DeployFile]) -> DeployResult:
        """Put files in the DAG folder/bucket; same bytes are not re-uploaded; each upload is atomic."""

    def remove(self, relative_paths: Sequence[str]) -> None:
        """Delete deployed files (missing ones are fine)."""

    def parse_status(self, dag_id: str, relative_path: str) -> ParseStatus:
        """One look: parsed, import error of that file, or not yet known."""

    def dag_info(self, dag_id: str) -> DagInfo:
        """Scheduler facts about a parsed DAG; DagNotFound when unknown."""

    def set_paused(self, dag_ids: Sequence[str], paused: bool) -> Mapping[str, bool]:
        """Set (not toggle) the paused state of many DAGs with bounded concurrency; returns the new states."""

    def is_paused(self, dag_id: str) -> bool: ...

    def trigger(self, dag_id: str, run_id: str, conf: Mapping[str, object] | None = None,
                logical_date: datetime | None = None) -> TriggerResult:
        """Create a run with this run_id; an existing run_id is not an error (already_existed=True)."""

    def get_run(self, dag_id: str, run_id: str) -> RunState: ...

    def list_runs(self, dag_id: str, limit: int = 25) -> Sequence[RunState]:
        """Newest first."""

    def mark_run(self, dag_id: str, run_id: str, state: str) -> RunState:
        """Set a run's state (success/failed), as the UI's "mark" does."""


@runtime_checkable
class SourceEnvironment(Protocol):
    """The Airflow 1.10 environment (Composer 1) the DAGs leave, through the experimental API."""

    name: str
    airflow_uri: str

    def set_paused(self, dag_ids: Sequence[str], paused: bool) -> Mapping[str, bool]: ...

    def is_paused(self, dag_id: str) -> bool: ...

    def latest_runs(self, dag_id: str, limit: int = 25) -> Sequence[RunState]:
        """Newest first: the baseline of durations and outcomes."""

    def trigger(self, dag_id: str, run_id: str, conf: Mapping[str, object] | None = None,
                logical_date: datetime | None = None) -> TriggerResult: ...
