"""How a scheduler triggers a DAG run so that a replay never runs it twice (a worked example).

This module is meant to be read by the scheduler team, so it depends on nothing but the standard
library: plain HTTP, one class per Airflow API.

1. **Deterministic run ids.** ``deterministic_run_id(job, slot)`` derives the run id from the
   scheduler's job and the slot (the scheduled time being triggered), never from the wall clock at
   send time: ``sched__<job>__<slot in RFC 3339 UTC>``. A retry, a redelivered message, a restarted
   scheduler or the same slot sent to the new environment after a cutover then carries the same id,
   and Airflow refuses it instead of starting a second run (docs/routing-contract.md). The id uses
   only characters Airflow 2's default ``allowed_run_id_pattern`` accepts, and Airflow 1.10 takes any.
2. **A duplicate is a normal outcome.** Airflow 2's stable API answers 409, Airflow 1.10's
   experimental API 400 "Run id ... already exists": both come back as ``TriggerOutcome(created=False)``.
   Anything else that is not a success raises ``TriggerError`` naming the URL and the answer.
3. **Trigger where the DAG is routed.** Which class to call is the routing table's decision
   (``refscheduler.scheduler``); both classes have the same ``trigger`` and ``is_paused`` methods.

``headers_provider`` is called before every request and returns the headers that authenticate it
(an IAP ID token for Composer 1, basic credentials for a local Airflow 2...).
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote

RUN_ID_PREFIX = "sched__"
MAX_RUN_ID_LENGTH = 250  # Airflow's ID_LEN
# Airflow 2's default [scheduler] allowed_run_id_pattern
AIRFLOW2_RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.~:+-]+$")
_JOB_NAME = re.compile(r"[A-Za-z0-9_.-]+")

HeadersProvider = Callable[[], Mapping[str, str]]


def no_headers() -> Mapping[str, str]:
    return {}


def basic_auth_headers(username: str, password: str) -> HeadersProvider:
    """A headers provider for HTTP basic auth (Airflow 2's ``basic_auth`` API backend)."""
    value = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return lambda: {"Authorization": value}


def format_slot(slot: datetime) -> str:
    """RFC 3339 in UTC with ``Z``; microseconds only when the slot has them."""
    if slot.tzinfo is None:
        raise ValueError(f"slot {slot.isoformat()} must be timezone-aware")
    utc = slot.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"


def deterministic_run_id(job: str, slot: datetime) -> str:
    """``sched__<job>__<slot RFC 3339 UTC>``, e.g. ``sched__sales_daily__2026-05-04T09:00:00Z``.

    The same job and slot always give the same id; a valid run_id in Airflow 1.10 and 2.x.
    """
    if not _JOB_NAME.fullmatch(job):
        raise ValueError(f"job name {job!r} may only use letters, digits, '_', '.' and '-'")
    run_id = f"{RUN_ID_PREFIX}{job}__{format_slot(slot)}"
    if len(run_id) > MAX_RUN_ID_LENGTH:
        raise ValueError(f"run id {run_id!r} is longer than Airflow's {MAX_RUN_ID_LENGTH} characters")
    assert AIRFLOW2_RUN_ID_PATTERN.match(run_id), run_id
    return run_id


@dataclass(frozen=True)
class TriggerOutcome:
    """What a trigger did: ``created`` a run, or found ``run_id`` already there (created=False)."""

    created: bool
    run_id: str
    status: int
    detail: str


class TriggerError(RuntimeError):
    """A trigger failed for another reason than a duplicate; names the URL and Airflow's answer."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class Trigger(Protocol):
    """What the scheduler needs from an environment: trigger a run, and (for a warning) paused or not."""

    environment: str
    base_url: str

    def trigger(self, dag_id: str, run_id: str, logical_date: datetime,
                conf: Mapping[str, Any] | None = None) -> TriggerOutcome: ...

    def is_paused(self, dag_id: str) -> bool: ...


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes
    url: str

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def text(self) -> str:
        data = self.json()
        if isinstance(data, dict):
            for key in ("error", "detail", "message"):
                if isinstance(data.get(key), str):
                    return data[key]
        return self.body[:300].decode("utf-8", "replace").strip()


class _HttpTrigger:
    environment = ""

    def __init__(self, base_url: str, headers_provider: HeadersProvider = no_headers, *, timeout_s: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self._headers = headers_provider
        self._timeout_s = timeout_s

    def _request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> _Reply:
        url = self.base_url + path
        headers = {"Accept": "application/json", **self._headers()}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
                return _Reply(response.status, response.read(), url)
        except urllib.error.HTTPError as error:
            return _Reply(error.code, error.read(), url)
        except (urllib.error.URLError, OSError) as error:
            raise TriggerError(f"{method} {url} failed: {getattr(error, 'reason', error)}", url=url) from error

    @staticmethod
    def _fail(action: str, reply: _Reply) -> TriggerError:
        return TriggerError(f"{action}: HTTP {reply.status} from {reply.url}: {reply.text()}",
                            url=reply.url, status=reply.status)


class Airflow1ExperimentalTrigger(_HttpTrigger):
    """Airflow 1.10 (Composer 1): ``POST /api/experimental/dags/<dag_id>/dag_runs``.

    The body carries ``run_id`` and ``execution_date`` (the slot, microseconds kept). 1.10 answers a
    known run_id with HTTP 400 ``Run id ... already exists for dag id ...``: a duplicate.
    """

    environment = "composer1"

    def trigger(self, dag_id: str, run_id: str, logical_date: datetime,
                conf: Mapping[str, Any] | None = None) -> TriggerOutcome:
        body: dict[str, Any] = {
            "run_id": run_id,
            "execution_date": logical_date.astimezone(UTC).isoformat(),
            "replace_microseconds": "false",
        }
        if conf is not None:
            body["conf"] = dict(conf)
        reply = self._request("POST", f"/api/experimental/dags/{quote(dag_id, safe='')}/dag_runs", body)
        if reply.status == 200:
            return TriggerOutcome(True, run_id, reply.status, reply.text())
        if reply.status == 400 and "already exists" in reply.text():
            return TriggerOutcome(False, run_id, reply.status, reply.text())
        raise self._fail(f"triggering {dag_id!r} run {run_id!r}", reply)

    def is_paused(self, dag_id: str) -> bool:
        reply = self._request("GET", f"/api/experimental/dags/{quote(dag_id, safe='')}/paused")
        data = reply.json()
        if reply.status != 200 or not isinstance(data, dict) or "is_paused" not in data:
            raise self._fail(f"reading whether {dag_id!r} is paused", reply)
        return bool(data["is_paused"])


class Airflow2StableTrigger(_HttpTrigger):
    """Airflow 2 (Composer 2.1+/3): ``POST /api/v1/dags/<dag_id>/dagRuns``.

    The body carries ``dag_run_id``, ``logical_date`` (the slot) and ``conf``. Airflow answers 409
    Conflict when the run id (or that logical date) already exists: a duplicate.
    """

    environment = "composer2"

    def trigger(self, dag_id: str, run_id: str, logical_date: datetime,
                conf: Mapping[str, Any] | None = None) -> TriggerOutcome:
        body = {
            "dag_run_id": run_id,
            "logical_date": logical_date.astimezone(UTC).isoformat(),
            "conf": dict(conf or {}),
        }
        reply = self._request("POST", f"/api/v1/dags/{quote(dag_id, safe='')}/dagRuns", body)
        if reply.status == 200:
            return TriggerOutcome(True, run_id, reply.status, f"created, state {(reply.json() or {}).get('state')}")
        if reply.status == 409:
            return TriggerOutcome(False, run_id, reply.status, reply.text())
        raise self._fail(f"triggering {dag_id!r} run {run_id!r}", reply)

    def is_paused(self, dag_id: str) -> bool:
        reply = self._request("GET", f"/api/v1/dags/{quote(dag_id, safe='')}")
        data = reply.json()
        if reply.status != 200 or not isinstance(data, dict) or "is_paused" not in data:
            raise self._fail(f"reading whether {dag_id!r} is paused", reply)
        return bool(data["is_paused"])
