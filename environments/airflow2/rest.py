"""A ``TargetEnvironment`` (minus deploy/remove) over Airflow 2's stable REST API, via apache-airflow-client.

The generated client does the transport: endpoint paths, query/body serialization, the connection
pool, timeouts. Responses are read as plain JSON (``_preload_content=False``) and turned into this
project's frozen values by the pure functions at the top of this module, because the generated models
validate strictly against the 2.10 schema and Composer environments run other 2.x versions whose
responses differ in small ways (a field added, a null where the schema says string); a strict model
would turn such a difference into a crash, a tolerant reader just ignores it.

Errors are mapped to ``environments.base`` types (and the two subclasses below), each message naming
the URL and the DAG: 401/403 ``AuthError``, 404 ``DagNotFound``, connection failure/timeout/5xx
``EnvironmentUnreachable``, any other 4xx ``RequestRejected``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, Self

import urllib3
from airflow_client import client as af
from airflow_client.client.api.dag_api import DAGApi
from airflow_client.client.api.dag_run_api import DAGRunApi
from airflow_client.client.api.import_error_api import ImportErrorApi
from airflow_client.client.api.monitoring_api import MonitoringApi
from airflow_client.client.api.task_instance_api import TaskInstanceApi
from airflow_client.client.exceptions import ApiException
from airflow_client.client.model.dag import DAG
from airflow_client.client.model.dag_run import DAGRun
from airflow_client.client.model.update_dag_run_state import UpdateDagRunState

from environments.airflow2.auth import AirflowAuth
from environments.base import (
    AuthError,
    DagInfo,
    DagNotFound,
    EnvironmentError_,
    EnvironmentUnreachable,
    ParseStatus,
    RunState,
    TriggerResult,
)

API_PREFIX = "/api/v1"
PAGE_SIZE = 100
MARKABLE_RUN_STATES = ("success", "failed", "queued")


class RequestRejected(EnvironmentError_):
    """The API understood the request and refused it (400, a 409 conflict, ...); ``status`` is the HTTP one."""

    retryable = False

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RunNotFound(DagNotFound):
    """The DAG is known but has no run with that run_id (a ``DagNotFound``, so callers may treat alike)."""


# ---------------------------------------------------------------- pure mapping


def parse_time(value: object) -> datetime | None:
    """An API timestamp as an aware datetime (Airflow sends ISO 8601 with offset; naive means UTC)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value)
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def schedule_text(value: object) -> str | None:
    """The API's ``schedule_interval`` (null, a cron/preset string, or a typed object) as one string.

    ``{"__type": "CronExpression", "value": "0 3 * * *"}`` -> ``"0 3 * * *"``; a TimeDelta becomes
    ``str(timedelta)`` (``"1 day, 0:00:00"``); a RelativeDelta ``relativedelta(months=+1)``.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping):
        return str(value)
    kind = value.get("__type")
    if kind == "CronExpression":
        return value.get("value")
    if kind == "TimeDelta":
        return str(timedelta(days=value.get("days") or 0, seconds=value.get("seconds") or 0,
                             microseconds=value.get("microseconds") or 0))
    if kind == "RelativeDelta":
        parts = [f"{k}={'+' if v > 0 else ''}{v}" for k, v in value.items()
                 if k != "__type" and isinstance(v, int) and not isinstance(v, bool) and v != 0]
        return f"relativedelta({', '.join(parts)})"
    return json.dumps(dict(value), sort_keys=True)


def run_from_json(payload: Mapping[str, Any], task_states: Mapping[str, str] | None = None) -> RunState:
    """A DAG run of the API (``logical_date``, or ``execution_date`` on servers before 2.2)."""
    return RunState(
        dag_id=payload["dag_id"],
        run_id=payload["dag_run_id"],
        state=payload.get("state") or "none",
        logical_date=parse_time(payload.get("logical_date") or payload.get("execution_date")),
        start_date=parse_time(payload.get("start_date")),
        end_date=parse_time(payload.get("end_date")),
        run_type=payload.get("run_type"),
        task_states=dict(task_states or {}),
    )


def task_states_from_json(task_instances: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """``task_id -> state`` ("none" before the scheduler looked at it); a mapped task's instances are
    keyed ``task_id[map_index]``."""
    states: dict[str, str] = {}
    for ti in task_instances:
        key = ti["task_id"]
        map_index = ti.get("map_index")
        if isinstance(map_index, int) and map_index >= 0:
            key = f"{key}[{map_index}]"
        states[key] = ti.get("state") or "none"
    return states


def dag_info_from_json(payload: Mapping[str, Any]) -> DagInfo:
    return DagInfo(
        dag_id=payload["dag_id"],
        is_paused=bool(payload.get("is_paused")),
        schedule=schedule_text(payload.get("schedule_interval")),
        catchup=bool(payload.get("catchup", True)),
        next_dagrun=parse_time(payload.get("next_dagrun")),
        next_dagrun_create_after=parse_time(payload.get("next_dagrun_create_after")),
        fileloc=payload.get("fileloc"),
    )


def matches_file(filename: str | None, relative_path: str) -> bool:
    """Whether an import error's absolute ``filename`` is the deployed file at ``relative_path``."""
    if not filename:
        return False
    rel = relative_path.lstrip("/")
    return filename == rel or filename.endswith("/" + rel)


def import_error_of(errors: Iterable[Mapping[str, Any]], relative_path: str) -> Mapping[str, Any] | None:
    """The newest import error recorded for the file, if any."""
    found = [e for e in errors if matches_file(e.get("filename"), relative_path)]
    if not found:
        return None
    oldest = datetime.min.replace(tzinfo=UTC)
    return max(found, key=lambda e: parse_time(e.get("timestamp")) or oldest)


def problem_detail(body: object) -> str:
    """The ``detail``/``title`` of an RFC 7807 error body, else the body's start."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    text = str(body or "").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:300]
    if isinstance(data, Mapping):
        return str(data.get("detail") or data.get("title") or text)[:300]
    return text[:300]


def error_for_status(status: int, detail: str, where: str, dag_id: str | None = None,
                     run_id: str | None = None) -> EnvironmentError_:
    """The adapter error for an HTTP error status of the call described by ``where`` (names the URL)."""
    tail = f": {detail}" if detail else ""
    if status in (401, 403):
        verb = "rejected our credentials" if status == 401 else "denied permission"
        return AuthError(f"{where} {verb} (HTTP {status}){tail}")
    if status == 404:
        if run_id is not None and dag_id is not None:
            return RunNotFound(f"DAG {dag_id!r} has no run {run_id!r} ({where}: HTTP 404){tail}")
        subject = f"DAG {dag_id!r}" if dag_id else "the resource"
        return DagNotFound(f"{subject} is not known to the environment ({where}: HTTP 404){tail}")
    if status >= 500 or status == 0:
        return EnvironmentUnreachable(f"{where} failed with HTTP {status}{tail}")
    return RequestRejected(f"{where} was rejected with HTTP {status}{tail}", status)


# ---------------------------------------------------------------- the client


class _AuthApiClient(af.ApiClient):
    """The generated ApiClient with our auth's headers added to every request (fresh token each time)."""

    def __init__(self, configuration: af.Configuration, auth: AirflowAuth) -> None:
        super().__init__(configuration)
        self._auth = auth

    def update_params_for_auth(self, headers, queries, auth_settings, resource_path, method, body):
        headers.update(self._auth.headers())


class Airflow2RestClient:
    """Airflow 2 stable REST API at ``base_url`` (the web server root; ``/api/v1`` is appended).

    Thread-safe: the connection pool holds ``max_concurrency`` connections and ``set_paused`` fans out
    over that many threads.
    """

    def __init__(self, base_url: str, auth: AirflowAuth, *, timeout_s: float = 30.0,
                 max_concurrency: int = 16) -> None:
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency}")
        self.base_url = base_url.rstrip("/")
        self.api_url = self.base_url + API_PREFIX
        self.timeout_s = timeout_s
        self.max_concurrency = max_concurrency
        config = af.Configuration(host=self.api_url)
        config.connection_pool_maxsize = max_concurrency
        # Connect failures get one quick retry; a request that reached the server is never resent here
        # (the caller's retry policy decides, and every operation is idempotent).
        config.retries = urllib3.Retry(total=1, connect=1, read=0, status=0, redirect=0, backoff_factor=0.1)
        self._api = _AuthApiClient(config, auth)
        self._dags = DAGApi(self._api)
        self._runs = DAGRunApi(self._api)
        self._tis = TaskInstanceApi(self._api)
        self._import_errors = ImportErrorApi(self._api)
        self._monitoring = MonitoringApi(self._api)

    def __repr__(self) -> str:
        return f"Airflow2RestClient({self.base_url!r})"

    def close(self) -> None:
        self._api.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ transport

    def _call(self, method: str, path: str, fn: Callable[..., Any], *args: Any, dag_id: str | None = None,
              run_id: str | None = None, **kwargs: Any) -> Any:
        """Call a generated endpoint; return the decoded JSON body, or raise the mapped adapter error."""
        where = f"{method} {self.api_url}{path}"
        try:
            response = fn(*args, _preload_content=False, _request_timeout=self.timeout_s, **kwargs)
        except ApiException as exc:
            raise error_for_status(exc.status or 0, problem_detail(exc.body), where, dag_id, run_id) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise EnvironmentUnreachable(f"{where}: no answer ({type(exc).__name__}: {exc})") from exc
        except OSError as exc:
            raise EnvironmentUnreachable(f"{where}: {exc}") from exc
        try:
            data = response.data
        finally:
            response.release_conn()
        if not data:
            return None
        try:
            return json.loads(data)
        except ValueError as exc:
            raise EnvironmentUnreachable(f"{where} answered with something that is not JSON: "
                                         f"{data[:200]!r}") from exc

    # ------------------------------------------------------------ reads

    def health(self) -> dict[str, Any]:
        """``/health``: metadatabase and scheduler status (``{"metadatabase": {"status": "healthy"}, ...}``)."""
        return self._call("GET", "/health", self._monitoring.get_health)

    def version(self) -> str:
        return self._call("GET", "/version", self._monitoring.get_version)["version"]

    def import_errors(self) -> list[dict[str, Any]]:
        """Every import error the environment records (paged through)."""
        errors: list[dict[str, Any]] = []
        while True:
            page = self._call("GET", "/importErrors", self._import_errors.get_import_errors,
                              limit=PAGE_SIZE, offset=len(errors))
            batch = page.get("import_errors") or []
            errors.extend(batch)
            if not batch or len(errors) >= (page.get("total_entries") or 0):
                return errors

    def get_dag(self, dag_id: str) -> dict[str, Any]:
        return self._call("GET", f"/dags/{dag_id}", self._dags.get_dag, dag_id, dag_id=dag_id)

    def parse_status(self, dag_id: str, relative_path: str) -> ParseStatus:
        """Parsed, or the import error of ``relative_path``, or neither yet (``parsed=False``, no error).

        An import error of the file wins over a known DAG: a DAG row from an earlier version of the file
        stays after the new version fails to import, and the failure is what the caller must see.
        """
        try:
            dag = self.get_dag(dag_id)
        except DagNotFound:
            dag = None
        if dag is not None and dag.get("is_active", True) and not dag.get("has_import_errors"):
            return ParseStatus(dag_id=dag_id, parsed=True, file=dag.get("fileloc"))
        error = import_error_of(self.import_errors(), relative_path)
        if error is not None:
            return ParseStatus(dag_id=dag_id, parsed=False, import_error=error.get("stack_trace") or "",
                               file=error.get("filename"))
        if dag is not None and dag.get("is_active", True):
            return ParseStatus(dag_id=dag_id, parsed=True, file=dag.get("fileloc"))
        return ParseStatus(dag_id=dag_id, parsed=False)

    def dag_info(self, dag_id: str) -> DagInfo:
        payload = self._call("GET", f"/dags/{dag_id}/details", self._dags.get_dag_details, dag_id, dag_id=dag_id)
        return dag_info_from_json(payload)

    def is_paused(self, dag_id: str) -> bool:
        return bool(self.get_dag(dag_id)["is_paused"])

    def get_run(self, dag_id: str, run_id: str) -> RunState:
        """One run with the state of each of its task instances."""
        payload = self._call("GET", f"/dags/{dag_id}/dagRuns/{run_id}", self._runs.get_dag_run, dag_id, run_id,
                             dag_id=dag_id, run_id=run_id)
        return run_from_json(payload, task_states_from_json(self._task_instances(dag_id, run_id)))

    def _task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            page = self._call("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances",
                              self._tis.get_task_instances, dag_id, run_id, limit=PAGE_SIZE,
                              offset=len(found), dag_id=dag_id, run_id=run_id)
            batch = page.get("task_instances") or []
            found.extend(batch)
            if not batch or len(found) >= (page.get("total_entries") or 0):
                return found

    def list_runs(self, dag_id: str, limit: int = 25) -> list[RunState]:
        """The newest ``limit`` runs, newest (by logical date) first, without task states.

        The server orders (``order_by``, Airflow 2.2+); sorting again here keeps the promise on a server
        that ignored the parameter.
        """
        page = self._call("GET", f"/dags/{dag_id}/dagRuns", self._runs.get_dag_runs, dag_id, limit=limit,
                          order_by="-execution_date", dag_id=dag_id)
        runs = [run_from_json(r) for r in page.get("dag_runs") or []]
        oldest = datetime.min.replace(tzinfo=UTC)
        return sorted(runs, key=lambda r: r.logical_date or oldest, reverse=True)

    # ------------------------------------------------------------ writes

    def set_paused(self, dag_ids: Sequence[str], paused: bool) -> dict[str, bool]:
        """Set (not toggle) ``is_paused`` of every DAG, ``max_concurrency`` requests at a time.

        Returns the state each response reports. When some DAGs fail the others are still set (the
        call is idempotent, a retry redoes only what is needed) and the first failure is raised, its
        message listing every DAG that failed.
        """
        unique = list(dict.fromkeys(dag_ids))
        if not unique:
            return {}
        workers = min(self.max_concurrency, len(unique))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="airflow2-pause") as pool:
            futures = {d: pool.submit(self._set_one_paused, d, paused) for d in unique}
        results: dict[str, bool] = {}
        failures: dict[str, BaseException] = {}
        for dag_id, future in futures.items():
            exc = future.exception()
            if exc is None:
                results[dag_id] = future.result()
            else:
                failures[dag_id] = exc
        if failures:
            first = next(iter(failures.values()))
            if len(failures) > 1:
                others = ", ".join(sorted(failures)[:20])
                raise type(first)(f"{first} [{len(failures)} of {len(unique)} DAGs failed: {others}]") from first
            raise first
        return results

    def _set_one_paused(self, dag_id: str, paused: bool) -> bool:
        payload = self._call("PATCH", f"/dags/{dag_id}?update_mask=is_paused", self._dags.patch_dag, dag_id,
                             DAG(is_paused=paused), update_mask=["is_paused"], dag_id=dag_id)
        return bool(payload["is_paused"])

    def trigger(self, dag_id: str, run_id: str, conf: Mapping[str, object] | None = None,
                logical_date: datetime | None = None) -> TriggerResult:
        """Create the run ``run_id``; if it exists already (HTTP 409) return it with ``already_existed``.

        A 409 for another reason (a run of another id at the same logical date) is a ``RequestRejected``.
        """
        if logical_date is not None and logical_date.tzinfo is None:
            raise ValueError(f"logical_date must be timezone-aware, got {logical_date!r}")
        body = {"dag_run_id": run_id, "conf": dict(conf or {})}
        if logical_date is not None:
            body["logical_date"] = logical_date
        try:
            payload = self._call("POST", f"/dags/{dag_id}/dagRuns", self._runs.post_dag_run, dag_id,
                                 DAGRun(**body), dag_id=dag_id)
        except RequestRejected as exc:
            if exc.status != 409:
                raise
            try:
                existing = self.get_run(dag_id, run_id)
            except RunNotFound:
                raise RequestRejected(f"triggering DAG {dag_id!r} as run {run_id!r} conflicts with another "
                                      f"run: {exc}", 409) from exc
            return TriggerResult(run=existing, already_existed=True)
        return TriggerResult(run=run_from_json(payload), already_existed=False)

    def mark_run(self, dag_id: str, run_id: str, state: str) -> RunState:
        """Set a run's state as the UI's "mark success/failed" does (queued re-runs it)."""
        if state not in MARKABLE_RUN_STATES:
            raise ValueError(f"a DAG run can be marked {', '.join(MARKABLE_RUN_STATES)}; not {state!r}")
        self._call("PATCH", f"/dags/{dag_id}/dagRuns/{run_id}", self._runs.update_dag_run_state, dag_id, run_id,
                   UpdateDagRunState(state=state), dag_id=dag_id, run_id=run_id)
        return self.get_run(dag_id, run_id)
