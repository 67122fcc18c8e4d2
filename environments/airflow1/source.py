"""The Composer 1 source: Airflow 1.10's experimental REST API, as a ``SourceEnvironment``.

What 1.10.15 answers, and how it maps to environments/base.py's errors:
- a connection error, a timeout or a 5xx: ``EnvironmentUnreachable`` naming the URL (retryable);
- 401/403 (IAP or the password backend refusing us): ``AuthError`` (after one retry with fresh
  credentials, for an expired ID token);
- an unknown DAG: ``POST dag_runs`` says 404 and ``GET dag_runs`` 400, both with
  ``{"error": "Dag id X not found in DagModel"}``: ``DagNotFound``. The paused endpoints have no check
  and crash with a 500 on an unknown DAG, so a 500 there is told apart by asking ``GET dag_runs``.
- a duplicate run_id: 400 ``Run id R already exists for dag id X``: not an error,
  ``TriggerResult(already_existed=True)`` with the existing run.

1.10's run listing has no end date, so ``latest_runs`` gives state, execution date and start date;
``end_date`` stays None.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from environments.airflow1.auth import AuthProvider
from environments.base import (
    AuthError,
    DagNotFound,
    EnvironmentError_,
    EnvironmentUnreachable,
    RunState,
    TriggerResult,
)
from observability import get_logger

log = get_logger("environments.airflow1")

API_PATH = "/api/experimental"
_RUN_TYPE_PREFIXES = (("scheduled__", "scheduled"), ("manual__", "manual"), ("backfill_", "backfill"))


class RequestRejected(EnvironmentError_):
    """The API refused a well-formed call for a reason retrying cannot fix (a bad date, an execution
    date another run already has). Not retryable."""

    retryable = False


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

    def error_text(self) -> str:
        data = self.json()
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            return data["error"]
        return self.body[:300].decode("utf-8", "replace").strip()


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _run_type(run_id: str) -> str | None:
    for prefix, run_type in _RUN_TYPE_PREFIXES:
        if run_id.startswith(prefix):
            return run_type
    return None


def _run_state(dag_id: str, item: Mapping[str, Any]) -> RunState:
    run_id = str(item.get("run_id"))
    return RunState(
        dag_id=dag_id,
        run_id=run_id,
        state=str(item.get("state")),
        logical_date=_parse_time(item.get("execution_date")),
        start_date=_parse_time(item.get("start_date")),
        end_date=None,
        run_type=_run_type(run_id),
    )


class Airflow1Source:
    """A Composer 1 (Airflow 1.10) environment reached through its experimental REST API.

    base_url: the Airflow web server (Composer's ``airflow_uri``), without ``/api/experimental``.
    auth: an ``AuthProvider`` (IAP ID tokens on Composer 1) or None.
    """

    def __init__(
        self,
        base_url: str,
        auth: AuthProvider | None = None,
        *,
        timeout_s: float = 30.0,
        max_concurrency: int = 16,
        name: str = "composer1",
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.airflow_uri = self.base_url
        self.name = name
        self._auth = auth
        self._timeout_s = timeout_s
        self._max_concurrency = max_concurrency

    # ---- SourceEnvironment ----------------------------------------------------------------------

    def set_paused(self, dag_ids: Sequence[str], paused: bool) -> Mapping[str, bool]:
        """Set every DAG's paused flag (a set, so a retry is harmless), at most ``max_concurrency`` calls
        at a time; returns the states read back afterwards. Raises after all were tried, naming each
        DAG that failed (the most severe error type wins: not retryable before retryable)."""
        unique = list(dict.fromkeys(dag_ids))
        if not unique:
            return {}

        def one(dag_id: str) -> bool:
            self._paused_call(dag_id, f"/dags/{quote(dag_id, safe='')}/paused/{'true' if paused else 'false'}")
            return self.is_paused(dag_id)

        results: dict[str, bool] = {}
        errors: dict[str, EnvironmentError_] = {}
        with ThreadPoolExecutor(max_workers=min(self._max_concurrency, len(unique)),
                                thread_name_prefix=f"{self.name}-pause") as pool:
            futures = {dag_id: pool.submit(one, dag_id) for dag_id in unique}
            for dag_id, future in futures.items():
                try:
                    results[dag_id] = future.result()
                except EnvironmentError_ as error:
                    errors[dag_id] = error
        if errors:
            worst = next((e for e in errors.values() if not e.retryable), next(iter(errors.values())))
            detail = "; ".join(f"{dag_id}: {error}" for dag_id, error in errors.items())
            raise type(worst)(
                f"{self.name}: setting paused={paused} failed for {len(errors)} of {len(unique)} DAGs: {detail}"
            ) from worst
        log.info("source_paused_set", environment=self.name, paused=paused, count=len(results))
        return {dag_id: results[dag_id] for dag_id in unique}

    def is_paused(self, dag_id: str) -> bool:
        reply = self._paused_call(dag_id, f"/dags/{quote(dag_id, safe='')}/paused")
        data = reply.json()
        if not isinstance(data, dict) or not isinstance(data.get("is_paused"), bool):
            raise EnvironmentUnreachable(f"{self.name}: unexpected answer from {reply.url}: {reply.error_text()}")
        return data["is_paused"]

    def latest_runs(self, dag_id: str, limit: int = 25) -> Sequence[RunState]:
        """The DAG's runs, newest execution date first, at most ``limit``."""
        runs = self._list_runs(dag_id)
        runs.sort(key=lambda r: r.logical_date or datetime.min.replace(tzinfo=UTC), reverse=True)
        return runs[:limit]

    def trigger(
        self,
        dag_id: str,
        run_id: str,
        conf: Mapping[str, object] | None = None,
        logical_date: datetime | None = None,
    ) -> TriggerResult:
        """Create run ``run_id``; an existing run_id is ``already_existed=True`` with that run."""
        body: dict[str, Any] = {"run_id": run_id}
        if conf is not None:
            body["conf"] = dict(conf)
        if logical_date is not None:
            if logical_date.tzinfo is None:
                raise ValueError("logical_date must be timezone-aware")
            body["execution_date"] = logical_date.astimezone(UTC).isoformat()
            body["replace_microseconds"] = "false"
        path = f"/dags/{quote(dag_id, safe='')}/dag_runs"
        reply = self._call("POST", path, body)
        if reply.status == 200:
            data = reply.json() or {}
            run = RunState(
                dag_id=dag_id,
                run_id=str(data.get("run_id") or run_id),
                state="running",  # 1.10 creates triggered runs in state running
                logical_date=_parse_time(data.get("execution_date")) or logical_date,
                run_type=_run_type(run_id) or "manual",
            )
            log.info("source_run_triggered", environment=self.name, dag_id=dag_id, run_id=run_id)
            return TriggerResult(run=run, already_existed=False)
        text = reply.error_text()
        if reply.status == 404:
            raise DagNotFound(f"{self.name}: DAG {dag_id!r} not found at {self.base_url} ({text})")
        if reply.status == 400 and "already exists" in text:
            existing = next((r for r in self._list_runs(dag_id) if r.run_id == run_id), None)
            if existing is None:
                raise EnvironmentUnreachable(
                    f"{self.name}: {reply.url} says run {run_id!r} of {dag_id!r} exists, but it is not listed"
                )
            log.info("source_run_already_existed", environment=self.name, dag_id=dag_id, run_id=run_id)
            return TriggerResult(run=existing, already_existed=True)
        if reply.status >= 500 and logical_date is not None:
            taken = next((r for r in self._list_runs(dag_id) if r.logical_date == logical_date), None)
            if taken is not None and taken.run_id != run_id:
                raise RequestRejected(
                    f"{self.name}: cannot trigger {dag_id!r} run {run_id!r}: run {taken.run_id!r} already "
                    f"has execution date {logical_date.isoformat()} (Airflow 1.10 allows one run per date)"
                )
        raise self._unexpected(reply)

    # ---- helpers --------------------------------------------------------------------------------

    def _list_runs(self, dag_id: str) -> list[RunState]:
        reply = self._call("GET", f"/dags/{quote(dag_id, safe='')}/dag_runs")
        if reply.status == 400 and "not found" in reply.error_text():
            raise DagNotFound(f"{self.name}: DAG {dag_id!r} not found at {self.base_url} ({reply.error_text()})")
        if reply.status != 200 or not isinstance(reply.json(), list):
            raise self._unexpected(reply)
        return [_run_state(dag_id, item) for item in reply.json() if isinstance(item, dict)]

    def _paused_call(self, dag_id: str, path: str) -> _Reply:
        """A paused endpoint; its 500 on an unknown DAG becomes DagNotFound (checked via dag_runs)."""
        reply = self._call("GET", path)
        if reply.status == 200:
            return reply
        if reply.status == 500:
            self._list_runs(dag_id)  # raises DagNotFound when the DAG is unknown
        raise self._unexpected(reply)

    def _unexpected(self, reply: _Reply) -> EnvironmentError_:
        message = f"{self.name}: HTTP {reply.status} from {reply.url}: {reply.error_text()}"
        if reply.status >= 500:
            return EnvironmentUnreachable(message)
        return RequestRejected(message)

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None,
              query: Mapping[str, str] | None = None) -> _Reply:
        """One request; 401/403 retried once with fresh credentials, then AuthError."""
        reply = self._send(method, path, body, query)
        if reply.status in (401, 403) and self._auth is not None:
            self._auth.invalidate()
            reply = self._send(method, path, body, query)
        if reply.status in (401, 403):
            raise AuthError(f"{self.name}: HTTP {reply.status} from {reply.url}: {reply.error_text()}")
        if reply.status == 200 and reply.json() is None:
            # e.g. an IAP sign-in page served instead of the API
            raise AuthError(f"{self.name}: {reply.url} answered with a page, not JSON: {reply.error_text()[:120]}")
        return reply

    def _send(self, method: str, path: str, body: Mapping[str, Any] | None,
              query: Mapping[str, str] | None) -> _Reply:
        url = f"{self.base_url}{API_PATH}{path}"
        if query:
            url += "?" + urlencode(query)
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self._auth is not None:
            try:
                headers.update(self._auth.headers())
            except Exception as error:
                raise AuthError(f"{self.name}: cannot get credentials for {self.base_url}: {error}") from error
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
                return _Reply(response.status, response.read(), url)
        except urllib.error.HTTPError as error:
            return _Reply(error.code, error.read(), url)
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise EnvironmentUnreachable(f"{self.name}: {method} {url} failed: {reason}") from error
