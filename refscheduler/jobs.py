"""The reference scheduler's jobs, as data: which DAG to trigger, how often, with which conf.

A jobs file is YAML or JSON: a list of entries, or a mapping with a ``jobs`` list::

    jobs:
      - dag_id: sales_daily_rollup
        every_seconds: 3600        # slots at start + k * every_seconds
        name: sales_hourly         # optional, defaults to dag_id; part of the run ids
        conf: {region: eu}         # optional
        start: "2026-01-01T00:00:00Z"  # optional anchor of the slots (default: the Unix epoch)
        catchup: false             # optional: after downtime, trigger every missed slot (true) or the latest (false)

A fixed interval is enough for a reference implementation (no cron). Errors name the file and the
entry, and unknown keys are errors (a typo must not silently become a default).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_JOB_NAME = re.compile(r"[A-Za-z0-9_.-]{1,150}")
_DAG_ID = re.compile(r"[\w.-]{1,250}")
_KEYS = {"name", "dag_id", "every_seconds", "conf", "start", "catchup"}


class JobsError(ValueError):
    """A jobs file or entry is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class Job:
    """Trigger ``dag_id`` at every slot ``start + k * every_seconds``."""

    name: str
    dag_id: str
    every_seconds: int
    conf: Mapping[str, Any] | None = field(default=None, hash=False)
    start: datetime = EPOCH
    catchup: bool = False

    @property
    def interval(self) -> timedelta:
        return timedelta(seconds=self.every_seconds)

    def latest_slot(self, now: datetime) -> datetime | None:
        """The newest slot at or before ``now`` (None before ``start``)."""
        if now < self.start:
            return None
        return self.start + self.interval * ((now - self.start) // self.interval)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "dag_id": self.dag_id, "every_seconds": self.every_seconds}
        if self.conf is not None:
            data["conf"] = dict(self.conf)
        if self.start != EPOCH:
            data["start"] = self.start.isoformat().replace("+00:00", "Z")
        if self.catchup:
            data["catchup"] = True
        return data


def load_jobs(path: str | Path) -> tuple[Job, ...]:
    """Read a YAML or JSON jobs file (YAML's parser reads JSON too)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise JobsError(f"{path}: cannot read the jobs file: {error}") from error
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise JobsError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {error}") from error
    return jobs_from_data(data, source=str(path))


def jobs_from_data(data: Any, source: str = "jobs") -> tuple[Job, ...]:
    """Jobs from parsed data: a list of entries or ``{"jobs": [...]}``. ``source`` names it in errors."""
    if isinstance(data, Mapping) and set(data) == {"jobs"}:
        data = data["jobs"]
    if data is None:
        data = []
    if not isinstance(data, Sequence) or isinstance(data, str):
        raise JobsError(f"{source}: expected a list of jobs (or a mapping with a 'jobs' list)")
    jobs: list[Job] = []
    seen: set[str] = set()
    for index, entry in enumerate(data):
        job = _job(entry, f"{source}: jobs[{index}]")
        if job.name in seen:
            raise JobsError(f"{source}: jobs[{index}]: job name {job.name!r} is used twice (run ids would collide)")
        seen.add(job.name)
        jobs.append(job)
    return tuple(jobs)


def _job(entry: Any, where: str) -> Job:
    if not isinstance(entry, Mapping):
        raise JobsError(f"{where}: a job is a mapping with 'dag_id' and 'every_seconds'")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise JobsError(f"{where}: unknown keys {unknown} (known: {sorted(_KEYS)})")
    dag_id = entry.get("dag_id")
    if not isinstance(dag_id, str) or not _DAG_ID.fullmatch(dag_id):
        raise JobsError(f"{where}: 'dag_id' must be an Airflow dag id (letters, digits, '_', '.', '-'); got {dag_id!r}")
    where = f"{where} ({dag_id})"
    name = entry.get("name", dag_id)
    if not isinstance(name, str) or not _JOB_NAME.fullmatch(name):
        raise JobsError(f"{where}: 'name' may only use ASCII letters, digits, '_', '.', '-' (1-150); got {name!r}")
    every = entry.get("every_seconds")
    if not isinstance(every, int) or isinstance(every, bool) or every < 1:
        raise JobsError(f"{where}: 'every_seconds' must be a whole number of seconds >= 1; got {every!r}")
    conf = entry.get("conf")
    if conf is not None and not isinstance(conf, Mapping):
        raise JobsError(f"{where}: 'conf' must be a mapping; got {type(conf).__name__}")
    start = entry.get("start", EPOCH)
    if isinstance(start, str):
        try:
            start = datetime.fromisoformat(start)
        except ValueError:
            raise JobsError(f"{where}: 'start' is not an RFC 3339 date-time: {start!r}") from None
    if not isinstance(start, datetime) or start.tzinfo is None:
        raise JobsError(f"{where}: 'start' must be a date-time with a UTC offset; got {start!r}")
    catchup = entry.get("catchup", False)
    if not isinstance(catchup, bool):
        raise JobsError(f"{where}: 'catchup' must be true or false; got {catchup!r}")
    return Job(name=name, dag_id=dag_id, every_seconds=every, conf=dict(conf) if conf is not None else None,
               start=start.astimezone(UTC), catchup=catchup)
