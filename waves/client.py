"""The CLI's side of the wave workflows: connect to Temporal, start a wave, signal, update, query, list.

Everything here talks to Temporal by names (workflow type "MigrationWave", signal/update/query names),
not by importing the workflow classes, so the CLI never loads workflow code and a person can do the same
with ``temporal workflow signal``. Temporal's errors become the few error types below, each with a
message that names the wave, the address or the reason, so the CLI can print one line and pick its exit
code without knowing gRPC status codes.

Connection settings (all optional, read by ``ConnectionSettings.from_env``):

- ``COMPOSER_MIGRATE_TEMPORAL_HOST`` / ``_PORT`` / ``_NAMESPACE``: the address and namespace (StackConfig).
- ``COMPOSER_MIGRATE_TEMPORAL_TLS_CERT`` and ``COMPOSER_MIGRATE_TEMPORAL_TLS_KEY``: client certificate and
  private key files (PEM) for mTLS, e.g. Temporal Cloud with certificates. Both or neither.
- ``COMPOSER_MIGRATE_TEMPORAL_TLS_CA``: a CA bundle (PEM) to verify the server; without it the system
  roots are used.
- ``COMPOSER_MIGRATE_TEMPORAL_TLS_SERVER_NAME``: the name to verify on the server certificate when it
  differs from the host (e.g. connecting through an IP or a tunnel).
- ``COMPOSER_MIGRATE_TEMPORAL_TLS``: ``1`` to use TLS with the system roots and no client certificate.
- ``COMPOSER_MIGRATE_TEMPORAL_API_KEY``: an API key (Temporal Cloud API keys); implies TLS.
- ``COMPOSER_MIGRATE_TEMPORAL_UI_URL``: the Temporal UI's base URL when it is not the local dev server's
  (e.g. ``https://cloud.temporal.io``); only used to print links.
- ``COMPOSER_MIGRATE_PAYLOAD_KEY`` / ``_PAYLOAD_KEY_FILE``: payload encryption keys (security/codec.py,
  docs/security.md); the CLI and the worker must have the same keys.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from temporalio.client import (
    Client,
    RPCError,
    RPCTimeoutOrCancelledError,
    TLSConfig,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCStatusCode

from security.codec import Keyring, data_converter, keyring_from_env
from stack.config import ENV_PREFIX, StackConfig
from waves.model import (
    DAG_DONE,
    STAGE_CONVERT,
    STATUS_RUNNING,
    Approval,
    AuditEntry,
    CutoverInput,
    CutoverResult,
    GatePolicy,
    RollbackRequest,
    WaveInput,
    WaveResult,
    WaveStatus,
)
from workflows import search

WAVE_WORKFLOW = "MigrationWave"
CUTOVER_WORKFLOW = "DagCutover"

TLS_CERT_ENV = ENV_PREFIX + "TEMPORAL_TLS_CERT"
TLS_KEY_ENV = ENV_PREFIX + "TEMPORAL_TLS_KEY"
TLS_CA_ENV = ENV_PREFIX + "TEMPORAL_TLS_CA"
TLS_SERVER_NAME_ENV = ENV_PREFIX + "TEMPORAL_TLS_SERVER_NAME"
TLS_ENV = ENV_PREFIX + "TEMPORAL_TLS"
API_KEY_ENV = ENV_PREFIX + "TEMPORAL_API_KEY"
UI_URL_ENV = ENV_PREFIX + "TEMPORAL_UI_URL"

CONNECT_TIMEOUT_S = 5.0
# How long a query or update may wait for a worker: both need a worker to answer, and a stopped worker
# would otherwise make the CLI hang without a word.
WORKER_TIMEOUT_S = 20.0


# ------------------------------------------------------------------ errors


class WaveClientError(RuntimeError):
    """Base of the errors below; ``str()`` is one line a person can act on."""


class TemporalUnreachable(WaveClientError):
    """No Temporal server answers at the address (or TLS/auth failed)."""


class WaveAlreadyRunning(WaveClientError):
    """A wave with this name is running: one wave per name at a time."""


class WaveNotFound(WaveClientError):
    """No workflow of this wave exists in the namespace."""


class WaveNotRunning(WaveClientError):
    """The wave's workflow has closed: it takes no more signals or updates."""


class ActionRefused(WaveClientError):
    """The workflow refused an approval/rejection/rollback (not an allowed approver, gate not open...)."""


class NoWorkerAnswered(WaveClientError):
    """A query or update got no answer in time: the worker is not running or is stuck."""


# ------------------------------------------------------------------ settings and connect


@dataclass(frozen=True)
class TemporalTLS:
    """File paths of the TLS material (read at connect time, never logged)."""

    client_cert: Path | None = None
    client_key: Path | None = None
    server_ca: Path | None = None
    server_name: str = ""

    def to_config(self) -> TLSConfig:
        def read(path: Path | None, what: str) -> bytes | None:
            if path is None:
                return None
            try:
                return path.read_bytes()
            except OSError as error:
                raise TemporalUnreachable(f"cannot read the Temporal TLS {what} {path}: {error.strerror}") from None

        return TLSConfig(client_cert=read(self.client_cert, "client certificate"),
                         client_private_key=read(self.client_key, "client key"),
                         server_root_ca_cert=read(self.server_ca, "CA bundle"),
                         domain=self.server_name or None)


@dataclass(frozen=True)
class ConnectionSettings:
    address: str
    namespace: str
    task_queue: str
    ui_url: str
    tls: TemporalTLS | None = None
    api_key: str = ""
    payload_keys: Keyring | None = None  # None: payloads are not encrypted

    @classmethod
    def from_env(cls, config: StackConfig | None = None,
                 environ: Mapping[str, str] | None = None) -> ConnectionSettings:
        """Address, namespace and task queue from StackConfig; TLS and API key from the variables above.

        Raises ValueError naming the variable when the TLS or payload-key settings are inconsistent.
        """
        env = dict(os.environ if environ is None else environ)
        config = config or StackConfig.from_env(env)
        cert, key, ca = (env.get(name) or None for name in (TLS_CERT_ENV, TLS_KEY_ENV, TLS_CA_ENV))
        if bool(cert) != bool(key):
            raise ValueError(f"{TLS_CERT_ENV} and {TLS_KEY_ENV} go together: set both (mTLS) or neither")
        api_key = env.get(API_KEY_ENV, "")
        server_name = env.get(TLS_SERVER_NAME_ENV, "")
        wants_tls = env.get(TLS_ENV, "").lower() in ("1", "true", "yes")
        tls = None
        if cert or ca or server_name or api_key or wants_tls:
            tls = TemporalTLS(client_cert=Path(cert) if cert else None, client_key=Path(key) if key else None,
                              server_ca=Path(ca) if ca else None, server_name=server_name)
        return cls(address=config.temporal_address, namespace=config.temporal_namespace,
                   task_queue=config.task_queue, ui_url=(env.get(UI_URL_ENV) or config.temporal_ui_url).rstrip("/"),
                   tls=tls, api_key=api_key, payload_keys=keyring_from_env(env))

    def workflow_url(self, workflow_id: str) -> str:
        """The Temporal UI page of a workflow (its latest run)."""
        return f"{self.ui_url}/namespaces/{self.namespace}/workflows/{workflow_id}"


async def connect(settings: ConnectionSettings, *, timeout: float = CONNECT_TIMEOUT_S) -> Client:
    """A client for the settings' namespace, or TemporalUnreachable naming the address."""
    hint = "start the local stack with `cli.py env start`, or point COMPOSER_MIGRATE_TEMPORAL_HOST/_PORT at your server"
    try:
        return await asyncio.wait_for(
            Client.connect(settings.address, namespace=settings.namespace,
                           tls=settings.tls.to_config() if settings.tls else False,
                           api_key=settings.api_key or None, identity=_identity(),
                           data_converter=data_converter(settings.payload_keys)),
            timeout)
    except TimeoutError:
        raise TemporalUnreachable(f"Temporal at {settings.address} did not answer within {timeout:g}s; {hint}") from None
    except RuntimeError as error:
        if isinstance(error, WaveClientError):
            raise
        raise TemporalUnreachable(f"cannot reach Temporal at {settings.address} ({_connect_detail(error)}); {hint}") from None


def _connect_detail(error: Exception) -> str:
    """The useful part of the SDK's connect error (a Rust transport error string)."""
    text = str(error)
    for needle, meaning in (("Connection refused", "connection refused"), ("ConnectionRefused", "connection refused"),
                            ("dns error", "unknown host"), ("timed out", "timed out"),
                            ("InvalidCertificate", "TLS certificate not accepted"), ("tls", "TLS handshake failed")):
        if needle in text:
            return meaning
    return text[:200]


def _identity() -> str:
    """Shown in the workflow history as who sent a signal or started the wave."""
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"
    return f"composer-migrate-cli:{user}@{os.uname().nodename}"


# ------------------------------------------------------------------ start


def wave_summary(wave: WaveInput) -> str:
    """One line for the Temporal UI's workflow list."""
    return f"Migration wave {wave.wave}: {len(wave.files)} DAG files, {wave.source} -> {wave.target}"


def wave_details(wave: WaveInput) -> str:
    """Markdown the Temporal UI shows on the workflow page: what the wave is and who opens its gates."""
    lines = [
        f"**Wave** `{wave.wave}` ({len(wave.files)} DAG files)",
        f"- source (Composer 1): `{wave.source}`",
        f"- target (Composer 2+): `{wave.target}`, profile `{wave.profile}`",
        f"- promote gate approvers: {', '.join(wave.promote.approvers) or 'none'}",
        (f"- cutover gate ({'one per DAG' if wave.cutover_gate == 'dag' else 'one for the wave'}) approvers: "
         f"{', '.join(wave.cutover.approvers) or 'none'}"),
        f"- first-run guard: {wave.first_run}; concurrency {wave.concurrency}",
    ]
    if wave.promote.timeout_s:
        lines.append(f"- gates time out after {wave.promote.timeout_s:g}s into: {wave.promote.on_timeout}")
    if wave.spec_path:
        lines.append(f"- spec: `{wave.spec_path}`")
    lines.append("\nApprove: signal `approve` with `{\"gate\": \"promote\", \"approver\": \"you@example.com\"}`")
    return "\n".join(lines)


async def start_wave(client: Client, wave: WaveInput, *, task_queue: str) -> WorkflowHandle:
    """Start the wave's workflow; WaveAlreadyRunning when one with this name is running."""
    workflow_id = search.wave_workflow_id(wave.wave)
    try:
        return await client.start_workflow(
            WAVE_WORKFLOW, wave, id=workflow_id, task_queue=task_queue, result_type=WaveResult,
            search_attributes=search.initial(wave.wave, STAGE_CONVERT, STATUS_RUNNING),
            static_summary=wave_summary(wave), static_details=wave_details(wave))
    except WorkflowAlreadyStartedError:
        raise WaveAlreadyRunning(f"wave {wave.wave} is already running; use `wave status {wave.wave}`") from None
    except RPCError as error:
        raise _translate(error, wave.wave) from None


# ------------------------------------------------------------------ describe, query, result


@dataclass(frozen=True)
class WaveRun:
    """What the server knows of the wave's latest run (no worker needed)."""

    workflow_id: str
    run_id: str
    running: bool
    execution_status: str  # RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW
    start_time: datetime | None
    close_time: datetime | None


async def describe_wave(client: Client, wave: str) -> WaveRun:
    handle = client.get_workflow_handle(search.wave_workflow_id(wave))
    try:
        described = await handle.describe()
    except RPCError as error:
        raise _translate(error, wave) from None
    status = described.status
    return WaveRun(workflow_id=described.id, run_id=described.run_id,
                   running=status == WorkflowExecutionStatus.RUNNING,
                   execution_status=status.name if status else "UNKNOWN",
                   start_time=described.start_time, close_time=described.close_time)


async def wave_status(client: Client, wave: str, *, timeout: float = WORKER_TIMEOUT_S) -> WaveStatus:
    """The wave's status: the ``status`` query while it runs, its result once it completed.

    A wave that closed without a result (failed, terminated) is queried too: the worker replays it.
    """
    run = await describe_wave(client, wave)
    handle = client.get_workflow_handle(run.workflow_id, run_id=run.run_id, result_type=WaveResult)
    if run.execution_status == "COMPLETED":
        try:
            result = await handle.result(follow_runs=False)
        except RPCError as error:
            raise _translate(error, wave) from None
        return result.status
    return await _query_status(handle, wave, timeout)


async def _query_status(handle: WorkflowHandle, wave: str, timeout: float) -> WaveStatus:
    try:
        return await asyncio.wait_for(
            handle.query("status", result_type=WaveStatus, rpc_timeout=timedelta(seconds=timeout)), timeout + 1)
    except (TimeoutError, RPCTimeoutOrCancelledError):
        raise _no_worker(wave, "answer the status query", timeout) from None
    except WorkflowQueryFailedError as error:
        raise WaveClientError(f"wave {wave}: the status query failed: {error}") from None
    except RPCError as error:
        if _timed_out(error):
            raise _no_worker(wave, "answer the status query", timeout) from None
        raise _translate(error, wave) from None


async def wait_for_result(client: Client, wave: str) -> WaveStatus:
    """Block until the wave closes; its final status (a wave cancelled without a result: last query)."""
    handle = client.get_workflow_handle(search.wave_workflow_id(wave), result_type=WaveResult)
    try:
        result = await handle.result()
    except RPCError as error:
        raise _translate(error, wave) from None
    except Exception:  # noqa: BLE001 - failed/cancelled/terminated: report what the workflow last said
        return await wave_status(client, wave)
    return result.status


async def wave_input(client: Client, wave: str) -> WaveInput:
    """The WaveInput the wave's latest run was started with (from its first history event)."""
    handle = client.get_workflow_handle(search.wave_workflow_id(wave))
    try:
        history = await handle.fetch_history()
    except RPCError as error:
        raise _translate(error, wave) from None
    started = history.events[0].workflow_execution_started_event_attributes
    (value,) = await client.data_converter.decode(started.input.payloads, [WaveInput])
    return value


# ------------------------------------------------------------------ approvals and operator actions


async def approve(client: Client, wave: str, approval: Approval, *, timeout: float = WORKER_TIMEOUT_S) -> str:
    """Approve through the checked update: ActionRefused (with the workflow's reason) when not allowed."""
    return await _update(client, wave, "approve_checked", approval, timeout)


async def reject(client: Client, wave: str, approval: Approval, *, timeout: float = WORKER_TIMEOUT_S) -> str:
    """Reject through the checked update: ActionRefused (with the workflow's reason) when not allowed."""
    return await _update(client, wave, "reject_checked", approval, timeout)


async def _update(client: Client, wave: str, name: str, approval: Approval, timeout: float) -> str:
    handle = client.get_workflow_handle(search.wave_workflow_id(wave))
    try:
        result = await asyncio.wait_for(
            handle.execute_update(name, approval, result_type=str, rpc_timeout=timedelta(seconds=timeout)),
            timeout + 1)
    except (TimeoutError, RPCTimeoutOrCancelledError):
        raise _no_worker(wave, f"accept the {name} update", timeout, pending=True) from None
    except WorkflowUpdateFailedError as error:
        raise ActionRefused(_failure_message(error)) from None
    except RPCError as error:
        if _timed_out(error):
            raise _no_worker(wave, f"accept the {name} update", timeout, pending=True) from None
        raise _translate(error, wave) from None
    return str(result)


async def signal(client: Client, wave: str, name: str, arg: object) -> None:
    """Send a signal to the wave's running workflow (pause, resume, rollback, approve, reject)."""
    handle = client.get_workflow_handle(search.wave_workflow_id(wave))
    try:
        await handle.signal(name, arg)
    except RPCError as error:
        raise _translate(error, wave) from None


async def pause(client: Client, wave: str, actor: str) -> None:
    await signal(client, wave, "pause", actor)


async def resume(client: Client, wave: str, actor: str) -> None:
    await signal(client, wave, "resume", actor)


async def cancel(client: Client, wave: str) -> None:
    """Ask the wave to cancel: it compensates what it started and closes (Temporal's normal cancel)."""
    handle = client.get_workflow_handle(search.wave_workflow_id(wave))
    try:
        await handle.cancel()
    except RPCError as error:
        raise _translate(error, wave) from None


@dataclass(frozen=True)
class RollbackStarted:
    """How a rollback was carried out: by the running wave, or by a rollback-only DagCutover.

    ``accepted`` is what the wave's audit log says of the request (None: no worker confirmed it yet;
    the signal is durable and will be acted on); ``detail`` is the wave's refusal reason, if any.
    """

    via: str  # "wave" | "cutover"
    workflow_id: str
    accepted: bool | None = True
    detail: str = ""


async def recorded_action(client: Client, wave: str, before: int, action: str, actor: str, dag_id: str = "",
                          *, timeout: float = 10.0, poll: float = 0.3) -> AuditEntry | None:
    """The wave's audit entry of a signal just sent (the first matching one after the first ``before``
    entries), or None when no worker recorded it within ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            status = await wave_status(client, wave, timeout=max(1.0, min(5.0, timeout)))
        except NoWorkerAnswered:
            status = None
        if status is not None:
            for entry in status.audit[before:]:
                if entry.action == action and entry.actor == actor and entry.dag_id == dag_id:
                    return entry
        if asyncio.get_running_loop().time() >= deadline:
            return None
        await asyncio.sleep(poll)


async def audit_length(client: Client, wave: str) -> int:
    """How many audit entries the wave has now (0 when no worker answers: a later match still counts)."""
    try:
        return len((await wave_status(client, wave, timeout=5.0)).audit)
    except NoWorkerAnswered:
        return 0


async def rollback(client: Client, wave: str, request: RollbackRequest, *, task_queue: str,
                   confirm_timeout: float = 10.0) -> RollbackStarted:
    """Roll one DAG back to the source.

    While the wave runs, the ``rollback`` signal goes to it: the wave checks the requester (cutover
    approvers) and records the attempt either way; this waits for that audit entry to say whether it
    counted. Once the wave has closed, a rollback-only DagCutover compensates the DAG: allowed only for
    a DAG that finished its cutover (state done) and for a requester the wave's spec lists as a cutover
    (or escalation) approver; ActionRefused otherwise.
    """
    run = await describe_wave(client, wave)
    if run.running:
        before = await audit_length(client, wave)
        await signal(client, wave, "rollback", request)
        entry = await recorded_action(client, wave, before, "rollback", request.requester, request.dag_id,
                                      timeout=confirm_timeout)
        if entry is None:
            return RollbackStarted("wave", run.workflow_id, accepted=None)
        if not entry.accepted:
            raise ActionRefused(f"rollback refused by wave {wave}: {entry.detail}")
        return RollbackStarted("wave", run.workflow_id, accepted=True)
    status = await wave_status(client, wave)
    spec = await wave_input(client, wave)
    return await start_rollback_only(client, spec, status, request, task_queue=task_queue)


def rollback_refusal(spec: WaveInput, status: WaveStatus, request: RollbackRequest) -> str:
    """Why a rollback of a closed wave's DAG is refused, or "" when it may go ahead. Pure."""
    allowed = (*spec.cutover.approvers, *spec.cutover.escalate_to)
    if request.requester not in allowed:
        return (f"{request.requester} may not roll back DAGs of wave {spec.wave}; "
                f"cutover approvers: {', '.join(allowed) or 'none'}")
    view = next((d for d in status.dags if d.dag_id == request.dag_id), None)
    if view is None:
        known = ", ".join(d.dag_id for d in status.dags) or "none"
        return f"wave {spec.wave} has no DAG {request.dag_id} (DAGs: {known})"
    if view.state != DAG_DONE:
        return (f"DAG {request.dag_id} is {view.state}, not done: only a DAG that finished its cutover "
                "runs in the target and can be rolled back")
    return ""


async def start_rollback_only(client: Client, spec: WaveInput, status: WaveStatus, request: RollbackRequest,
                              *, task_queue: str) -> RollbackStarted:
    refusal = rollback_refusal(spec, status, request)
    if refusal:
        raise ActionRefused(refusal)
    view = next(d for d in status.dags if d.dag_id == request.dag_id)
    scope = uuid.uuid4().hex
    inp = CutoverInput(
        wave=spec.wave, dag_id=view.dag_id, file=view.file, out_dir=spec.out_dir, sha256="", source=spec.source,
        target=spec.target, cutover=GatePolicy(approvers=spec.cutover.approvers), per_dag_gate=False,
        verify=spec.verify, first_run=spec.first_run, parent_id="", scope=scope, rollback_only=True,
        parse_timeout_s=spec.parse_timeout_s, ack_timeout_s=spec.ack_timeout_s)
    workflow_id = search.cutover_workflow_id(spec.wave, view.dag_id, f"--rollback-{scope[:8]}")
    reason = f": {request.reason}" if request.reason else ""
    try:
        await client.start_workflow(
            CUTOVER_WORKFLOW, inp, id=workflow_id, task_queue=task_queue, result_type=CutoverResult,
            search_attributes=search.initial(spec.wave, "rollback", STATUS_RUNNING, dag=view.dag_id),
            static_summary=f"Rollback of {view.dag_id} (wave {spec.wave}) requested by {request.requester}",
            static_details=f"Requested by {request.requester}{reason}\n\n{spec.target} -> {spec.source}")
    except RPCError as error:
        raise _translate(error, spec.wave) from None
    return RollbackStarted("cutover", workflow_id)


async def rollback_result(client: Client, workflow_id: str) -> CutoverResult:
    """Wait for a rollback-only DagCutover to finish."""
    try:
        return await client.get_workflow_handle(workflow_id, result_type=CutoverResult).result()
    except RPCError as error:
        raise _translate(error, workflow_id) from None


# ------------------------------------------------------------------ list


@dataclass(frozen=True)
class WaveListing:
    wave: str
    workflow_id: str
    run_id: str
    stage: str
    status: str  # MigrationStatus
    execution_status: str
    start_time: datetime | None
    close_time: datetime | None


def list_query(status: str | None = None) -> str:
    """The visibility query of ``wave list``: every MigrationWave, optionally one MigrationStatus. Pure."""
    query = f"WorkflowType = '{WAVE_WORKFLOW}'"
    if status:
        query += f" AND {search.STATUS.name} = '{_quote(status)}'"
    return query


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


async def list_waves(client: Client, status: str | None = None, *, limit: int = 200) -> list[WaveListing]:
    """Waves found by their search attributes, newest first."""
    found = []
    try:
        async for execution in client.list_workflows(list_query(status), limit=limit):
            attributes = execution.typed_search_attributes
            found.append(WaveListing(
                wave=attributes.get(search.WAVE) or execution.id.removeprefix("wave-"),
                workflow_id=execution.id, run_id=execution.run_id,
                stage=attributes.get(search.STAGE) or "", status=attributes.get(search.STATUS) or "",
                execution_status=execution.status.name if execution.status else "UNKNOWN",
                start_time=execution.start_time, close_time=execution.close_time))
    except RPCError as error:
        raise _translate(error, "*") from None
    return sorted(found, key=lambda w: w.start_time or datetime.min, reverse=True)


# ------------------------------------------------------------------ error translation


def _translate(error: RPCError, wave: str) -> WaveClientError:
    message = error.message or str(error)
    if error.status == RPCStatusCode.NOT_FOUND:
        if "completed" in message or "closed" in message:
            return WaveNotRunning(f"wave {wave} has already finished; see `wave status {wave}` or `wave report {wave}`")
        return WaveNotFound(f"no wave {wave} in this namespace (workflow id {search.wave_workflow_id(wave)}); "
                            "see `wave list`")
    if error.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.UNAUTHENTICATED, RPCStatusCode.PERMISSION_DENIED):
        return TemporalUnreachable(f"Temporal refused or dropped the call ({error.status.name}: {message})")
    return WaveClientError(f"wave {wave}: Temporal error {error.status.name}: {message}")


def _timed_out(error: RPCError) -> bool:
    """The call's own deadline passed (the SDK reports it as DEADLINE_EXCEEDED or CANCELLED)."""
    return error.status == RPCStatusCode.DEADLINE_EXCEEDED or (
        error.status == RPCStatusCode.CANCELLED and "timeout" in (error.message or "").lower())


def _no_worker(wave: str, what: str, timeout: float, pending: bool = False) -> NoWorkerAnswered:
    later = "; the request may still be applied when a worker comes up: check `wave status`" if pending else ""
    return NoWorkerAnswered(f"no worker would {what} of wave {wave} within {timeout:g}s: is the worker running "
                            f"(`cli.py env status`)?{later}")


def _failure_message(error: WorkflowUpdateFailedError) -> str:
    cause = error.cause
    while getattr(cause, "cause", None) is not None and not str(cause):
        cause = cause.cause
    return str(cause or error)
