"""``cli.py wave ...``: plan, start, watch, approve and report migration waves running on Temporal.

Exit codes: 0 ok; 1 refused or failed (an approver not allowed, a gate not open, a wave already
running or already finished, a wave that finished with failures under ``start --wait``); 2 bad usage
or nothing to talk to (an invalid wave spec, an unknown wave, Temporal unreachable).

Temporal's address, namespace and task queue come from ``StackConfig.from_env()``
(``COMPOSER_MIGRATE_TEMPORAL_HOST``/``_PORT``/``_NAMESPACE``/``_TASK_QUEUE``); TLS and API key settings
are described in ``waves.client``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from temporalio.client import Client

from security.codec import PayloadKeyError
from stack.config import REPO_ROOT
from waves import client as wc
from waves.model import (
    GATES,
    STATUS_CANCELLED,
    STATUS_COMPLETED,
    STATUS_COMPLETED_WITH_FAILURES,
    STATUS_PAUSED,
    STATUS_REJECTED,
    STATUS_RUNNING,
    STATUS_WAITING,
    Approval,
    RollbackRequest,
    WaveStatus,
)
from waves.plan_cli import plan_command
from waves.report import STATE_TONE, dag_label, dags_by_stage, render_html, render_markdown, state_counts
from workflows import search

WAVE_STATUSES = (STATUS_RUNNING, STATUS_WAITING, STATUS_PAUSED, STATUS_COMPLETED, STATUS_COMPLETED_WITH_FAILURES,
                 STATUS_REJECTED, STATUS_CANCELLED)
GATE_DETAIL_CHARS = 400  # a 1,000-DAG gate lists every first-run plan; the report has them all
TONE_STYLE = {"ok": "green", "wait": "cyan", "warn": "yellow", "bad": "red"}

wave_app = typer.Typer(
    help="Plan, start, watch, approve and report migration waves (durable Temporal workflows).",
    no_args_is_help=True)
wave_app.command("plan")(plan_command)

console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")

WaveArg = Annotated[str, typer.Argument(help="The wave's name (the `wave:` field of its spec).")]
ActorOption = Annotated[str, typer.Option(
    "--as", help="Your identity as the wave spec lists it (e.g. an e-mail address); recorded in the audit log.")]


# ------------------------------------------------------------------ plumbing


def _fail(message: str, code: int) -> None:
    err_console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def _settings() -> wc.ConnectionSettings:
    try:
        return wc.ConnectionSettings.from_env()
    except ValueError as error:
        _fail(str(error), 2)
        raise  # unreachable: _fail raises


def _run(action: Callable[[Client, wc.ConnectionSettings], Awaitable[T]]) -> T:
    """Connect, run ``action``, and turn the client's errors into one line and an exit code."""
    settings = _settings()

    async def main() -> T:
        return await action(await wc.connect(settings), settings)

    try:
        return asyncio.run(main())
    except (wc.TemporalUnreachable, wc.WaveNotFound) as error:
        _fail(str(error), 2)
    except wc.WaveClientError as error:
        _fail(str(error), 1)
    except PayloadKeyError as error:  # encrypted payloads and no or another key (security/codec.py)
        _fail(str(error), 2)
    raise AssertionError("unreachable")


def _styled_state(state: str) -> Text:
    return Text(state, style=TONE_STYLE.get(STATE_TONE.get(state, "wait"), ""))


def _wave_style(status: str) -> str:
    return {STATUS_COMPLETED: "green", STATUS_COMPLETED_WITH_FAILURES: "yellow", STATUS_REJECTED: "yellow",
            STATUS_CANCELLED: "yellow", STATUS_PAUSED: "yellow", STATUS_WAITING: "bold magenta"}.get(status, "cyan")


def status_view(status: WaveStatus, *, ui_url: str = "", audit_tail: int = 10, note: str = "") -> Group:
    """The wave as rich tables: header, DAGs by stage, pending gates with who may open them, last audit
    entries. Pure: ``status`` and ``watch`` print the same thing."""
    counts = ", ".join(f"{n} {state}" for state, n in state_counts(status)) or "no DAGs yet"
    header = Text.assemble(
        ("Wave ", "bold"), (status.wave, "bold"), "  ", (status.status, _wave_style(status.status)),
        f"  stage {status.stage}\n",
        f"{status.source} -> {status.target} ({status.profile})   {len(status.dags)} DAG(s): {counts}",
    )
    if ui_url:
        header.append(f"\nTemporal UI: {ui_url}", style="dim")
    if note:
        header.append(f"\n{note}", style="yellow")
    parts: list = [header]

    dags = Table(title="DAGs by stage", title_justify="left", expand=False)
    for column in ("DAG", "file", "state", "TODOs", "reason"):
        dags.add_column(column, overflow="fold", justify="right" if column == "TODOs" else "left")
    for view in dags_by_stage(status):
        todos = Text(str(view.todos), style="yellow") if view.todos else ""
        dags.add_row(dag_label(view), view.file, _styled_state(view.state), todos, view.reason)
    parts.append(dags)

    if status.pending_gates:
        gates = Table(title="Waiting for approval", title_justify="left")
        for column in ("gate", "DAG", "since", "who may decide", "detail"):
            gates.add_column(column, overflow="fold")
        for gate in status.pending_gates:
            detail = gate.detail if len(gate.detail) <= GATE_DETAIL_CHARS else gate.detail[:GATE_DETAIL_CHARS] + "..."
            gates.add_row(Text(gate.gate, style="bold magenta"), gate.dag_id or "whole wave", gate.since,
                          ", ".join(gate.approvers), detail)
        parts.append(gates)
        first = status.pending_gates[0]
        dag = f" --dag {first.dag_id}" if first.dag_id else ""
        parts.append(Text(f"approve: cli.py wave approve {status.wave} --gate {first.gate}{dag} --as <you>",
                          style="dim"))

    if status.audit:
        audit = Table(title=f"Audit log (last {min(audit_tail, len(status.audit))} of {len(status.audit)})",
                      title_justify="left")
        for column in ("at", "action", "gate", "DAG", "actor", "counted", "detail"):
            audit.add_column(column, overflow="fold")
        for entry in status.audit[-audit_tail:]:
            audit.add_row(entry.at, entry.action, entry.gate, entry.dag_id, entry.actor,
                          Text("yes", style="green") if entry.accepted else Text("no", style="red"), entry.detail)
        parts.append(audit)
    return Group(*parts)


# ------------------------------------------------------------------ start


@wave_app.command("start")
def start(
    spec: Annotated[Path, typer.Argument(help="The wave spec (YAML); docs/wave-spec.md lists its fields.")],
    wait: Annotated[bool, typer.Option(
        "--wait", help="Wait until the wave closes, then print its final status (exit 1 unless every DAG is done).")]
        = False,
) -> None:
    """Validate a wave spec and start its MigrationWave workflow; prints the workflow id and its Temporal UI page."""
    from waves.spec import SpecError, load_spec

    try:
        wave = load_spec(spec, repo_root=REPO_ROOT)
    except SpecError as error:
        err_console.print(f"[red]error:[/red] invalid wave spec {escape(str(error.path))}:", soft_wrap=True)
        for problem in error.problems:  # one unbroken line each: editors jump to file:line
            err_console.print(f"  {escape(problem)}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from None

    async def action(client: Client, settings: wc.ConnectionSettings) -> WaveStatus | None:
        handle = await wc.start_wave(client, wave, task_queue=settings.task_queue)
        console.print(f"started wave [bold]{escape(wave.wave)}[/bold] ({len(wave.files)} DAG files): "
                      f"workflow id [bold]{handle.id}[/bold]")
        console.print(f"Temporal UI: {settings.workflow_url(handle.id)}")
        console.print(f"follow it with: cli.py wave watch {wave.wave}")
        if not wait:
            return None
        return await wc.wait_for_result(client, wave.wave)

    final = _run(action)
    if final is not None:
        console.print(status_view(final))
        if final.status != STATUS_COMPLETED:
            raise typer.Exit(1)


# ------------------------------------------------------------------ status, watch


@wave_app.command("status")
def status(wave: WaveArg,
           audit: Annotated[int, typer.Option("--audit", help="How many of the last audit entries to show.")] = 10,
           ) -> None:
    """The wave's DAGs by stage (state and reason), the gates waiting and who may open them, the last audit entries."""

    async def action(client: Client, settings: wc.ConnectionSettings) -> Group:
        run = await wc.describe_wave(client, wave)
        note = "" if run.running else f"workflow closed: {run.execution_status}"
        return status_view(await wc.wave_status(client, wave), ui_url=settings.workflow_url(run.workflow_id),
                           audit_tail=audit, note=note)

    console.print(_run(action))


@wave_app.command("watch")
def watch(wave: WaveArg,
          interval: Annotated[float, typer.Option("--interval", min=0.2, help="Seconds between refreshes.")] = 2.0,
          ) -> None:
    """Live status of the wave, refreshed until the wave closes (Ctrl-C stops watching; the wave goes on)."""

    async def action(client: Client, settings: wc.ConnectionSettings) -> WaveStatus:
        run = await wc.describe_wave(client, wave)
        url = settings.workflow_url(run.workflow_id)
        current = await wc.wave_status(client, wave)
        note = "" if run.running else f"workflow closed: {run.execution_status}"
        with Live(status_view(current, ui_url=url, note=note), console=console, refresh_per_second=4,
                  transient=False) as live:
            while run.running:
                await asyncio.sleep(interval)
                run = await wc.describe_wave(client, wave)
                note = "" if run.running else f"workflow closed: {run.execution_status}"
                try:
                    current = await wc.wave_status(client, wave, timeout=max(5.0, interval * 2))
                except wc.NoWorkerAnswered as error:
                    note = f"{error} (showing the last answer)"
                live.update(status_view(current, ui_url=url, note=note))
        return current

    try:
        _run(action)
    except KeyboardInterrupt:
        console.print("stopped watching; the wave goes on")


# ------------------------------------------------------------------ approvals


GateOption = Annotated[str, typer.Option("--gate", help=f"The gate to decide: {' or '.join(GATES)}.")]
DagOption = Annotated[str, typer.Option("--dag", help="The DAG id, for per-DAG cutover gates (spec gates.cutover: dag).")]
CommentOption = Annotated[str, typer.Option("--comment", help="Why; recorded in the audit log and the report.")]


def _decide(decision: str, wave: str, gate: str, actor: str, dag: str, comment: str) -> None:
    if gate not in GATES:
        _fail(f"unknown gate {gate!r}; gates: {', '.join(GATES)}", 2)
    approval = Approval(gate=gate, approver=actor, comment=comment, dag_id=dag)
    send = wc.approve if decision == "approve" else wc.reject

    async def action(client: Client, settings: wc.ConnectionSettings) -> str:
        return await send(client, wave, approval)

    answer = _run(action)
    console.print(f"[green]{escape(answer)}[/green]")


@wave_app.command("approve")
def approve(wave: WaveArg, gate: GateOption, actor: ActorOption, dag: DagOption = "", comment: CommentOption = "") -> None:
    """Open a gate. Refused at once (exit 1, with the reason) when you are not an approver of that gate or the
    gate is not open; the attempt is recorded in the audit log either way."""
    _decide("approve", wave, gate, actor, dag, comment)


@wave_app.command("reject")
def reject(wave: WaveArg, gate: GateOption, actor: ActorOption, dag: DagOption = "", comment: CommentOption = "") -> None:
    """Reject a gate: the DAGs waiting on it stop (cutover: they stay in the source). Refused like approve."""
    _decide("reject", wave, gate, actor, dag, comment)


# ------------------------------------------------------------------ operator actions


def _operator_signal(wave: str, name: str, actor: str, done: str) -> None:
    async def action(client: Client, settings: wc.ConnectionSettings) -> bool:
        run = await wc.describe_wave(client, wave)
        if not run.running:
            raise wc.WaveNotRunning(f"wave {wave} has already finished ({run.execution_status}); nothing to {name}")
        before = await wc.audit_length(client, wave)
        await wc.signal(client, wave, name, actor)
        return await wc.recorded_action(client, wave, before, name, actor) is not None

    if _run(action):
        console.print(done)
    else:
        console.print(f"{name} sent; no worker confirmed it yet: the wave acts on it when its worker runs")


@wave_app.command("pause")
def pause(wave: WaveArg, actor: ActorOption) -> None:
    """Pause the wave: it starts no new DAG (deploy or cutover); DAGs already moving finish their step."""
    _operator_signal(wave, "pause", actor, f"wave {wave} paused; `cli.py wave resume {wave} --as ...` goes on")


@wave_app.command("resume")
def resume(wave: WaveArg, actor: ActorOption) -> None:
    """Resume a paused wave."""
    _operator_signal(wave, "resume", actor, f"wave {wave} resumed")


@wave_app.command("rollback")
def rollback(
    wave: WaveArg,
    dag: Annotated[str, typer.Argument(help="The DAG id to move back to the source environment.")],
    actor: ActorOption,
    reason: Annotated[str, typer.Option("--reason", help="Why; recorded in the audit log and the report.")] = "",
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help=(
        "For a finished wave: wait for the rollback workflow's result."))] = True,
) -> None:
    """Roll one DAG back: pause it in the target, route it back, unpause it in the source. Only a cutover
    approver may; while the wave runs it does the rollback, after it finished a rollback workflow does."""
    request = RollbackRequest(dag_id=dag, requester=actor, reason=reason)

    async def action(client: Client, settings: wc.ConnectionSettings):
        started = await wc.rollback(client, wave, request, task_queue=settings.task_queue)
        if started.via == "wave":
            if started.accepted is None:
                console.print(f"rollback of {dag} sent to wave {wave}; no worker confirmed it yet")
            else:
                console.print(f"wave {wave} accepted the rollback of {dag}; follow it with `cli.py wave watch {wave}`")
            return None
        console.print(f"wave {wave} has finished: rollback workflow [bold]{started.workflow_id}[/bold] started")
        console.print(f"Temporal UI: {settings.workflow_url(started.workflow_id)}")
        return await wc.rollback_result(client, started.workflow_id) if wait else None

    result = _run(action)
    if result is not None:
        console.print(f"{result.dag_id}: {result.state}: {result.reason}")
        for step in result.steps:
            console.print(f"  - {step}")
        if result.state != "rolled-back":
            raise typer.Exit(1)


@wave_app.command("cancel")
def cancel(wave: WaveArg) -> None:
    """Cancel the wave cleanly: DAGs in the middle of a cutover are moved back to the source, then it closes."""

    async def action(client: Client, settings: wc.ConnectionSettings) -> None:
        run = await wc.describe_wave(client, wave)
        if not run.running:
            raise wc.WaveNotRunning(f"wave {wave} has already finished ({run.execution_status}); nothing to cancel")
        await wc.cancel(client, wave)

    _run(action)
    console.print(f"cancel requested: wave {wave} compensates what is moving and closes as cancelled; "
                  f"follow it with `cli.py wave watch {wave}`")


# ------------------------------------------------------------------ report, list


def default_report_dir(status: WaveStatus) -> Path:
    """``<out_dir>/reports`` of the wave when that folder is on this machine, else ``./wave-<name>-report``."""
    if status.out_dir and (Path(status.out_dir) / "reports").is_dir():
        return Path(status.out_dir) / "reports"
    return Path.cwd() / f"wave-{status.wave}-report"


@wave_app.command("report")
def report(
    wave: WaveArg,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for wave.md and wave.html (default: the wave's <out_dir>/reports when it is on "
                      "this machine, else ./wave-<name>-report).")] = None,
) -> None:
    """Write the wave report (Markdown + self-contained HTML) from the wave's status, or its result once closed."""
    from dagconvert.runner import write_atomic

    async def action(client: Client, settings: wc.ConnectionSettings) -> WaveStatus:
        return await wc.wave_status(client, wave)

    current = _run(action)
    folder = (out or default_report_dir(current)).resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        md, page = folder / "wave.md", folder / "wave.html"
        write_atomic(md, render_markdown(current, link_from=folder).encode("utf-8"))
        write_atomic(page, render_html(current, link_from=folder).encode("utf-8"))
    except OSError as error:
        _fail(f"cannot write the report to {folder}: {error.strerror or error}", 1)
    console.print(f"wrote {md}")
    console.print(f"wrote {page}")


def _time(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else ""


@wave_app.command("list")
def list_(
    status_filter: Annotated[str | None, typer.Option(
        "--status", help=f"Only waves with this status: {', '.join(WAVE_STATUSES)}.")] = None,
) -> None:
    """Waves found by their search attributes (MigrationWave, MigrationStage, MigrationStatus), newest first."""
    if status_filter is not None and status_filter not in WAVE_STATUSES:
        _fail(f"unknown status {status_filter!r}; statuses: {', '.join(WAVE_STATUSES)}", 2)

    async def action(client: Client, settings: wc.ConnectionSettings) -> list[wc.WaveListing]:
        return await wc.list_waves(client, status_filter)

    waves = _run(action)
    if not waves:
        console.print("no waves" + (f" with status {status_filter}" if status_filter else ""))
        return
    table = Table(title=f"Waves ({search.WAVE.name})", title_justify="left")
    for column in ("wave", "stage", "status", "workflow", "started", "closed"):
        table.add_column(column, overflow="fold")
    for item in waves:
        table.add_row(item.wave, item.stage, Text(item.status, style=_wave_style(item.status)),
                      item.execution_status.lower(), _time(item.start_time), _time(item.close_time))
    console.print(table)
