"""The main job of the README: a demo wave, end to end, on the local stack.

1. start the local stack (Temporal dev server + worker, Pub/Sub and GCS emulators, the Composer-API
   emulator in front of a real Airflow 2, the Airflow 1.10 API emulator, the reference scheduler);
2. check the wave spec with the planner (cross-DAG dependencies);
3. start the wave and drive it the way people would: approvals are sent by the demo itself, each
   printed as the command a person would type (an unlisted approver is tried first and refused);
4. follow the DAGs through convert, test, deploy, cutover and verification until the wave is done;
5. check each DAG's outcome against what the demo expects and print where to look.

The stack stays up afterwards so the Temporal UI and the Airflow UI can be explored; ``--stop`` (or
``cli.py env stop``) stops it.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from stack.config import REPO_ROOT, StackConfig
from waves.model import WaveInput, WaveStatus

DEMO_SPEC = REPO_ROOT / "examples" / "waves" / "demo-wave.yaml"

# What the demo wave must end with (see the comments in the spec), by dag_id or, for a file whose test failed
# before Airflow read a DAG from it, by file. A DAG not listed is reported only.
EXPECTED = {
    "promotions_branch": "done",
    "regional_rollup": "done",
    "verify_fails_dag": "rolled-back",
    "finance_daily_digest.py": "test-failed",  # SlackAPIPostOperator(token=...): a person must create a connection
}
UNLISTED = "mallory@example.com"
POLL_S = 1.0
DEMO_TIMEOUT_S = 30 * 60


@dataclass(frozen=True)
class DemoOutcome:
    status: WaveStatus
    unexpected: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.unexpected


def run_demo(console: Console, *, spec_path: Path = DEMO_SPEC, config: StackConfig | None = None,
             stop_after: bool = False) -> int:
    """Exit code: 0 the wave ended as expected, 1 it did not, 2 the stack or the spec is unusable."""
    from stack.services import StackStartError, start_stack, stop_stack
    from waves.spec import SpecError, load_spec

    config = config or StackConfig.from_env()
    try:
        spec = load_spec(spec_path)
    except SpecError as error:
        console.print(f"[red]{error}")
        return 2
    console.rule("[bold]1. the local stack")
    started = time.monotonic()
    try:
        start_stack(config, on_event=lambda name, what: console.print(f"  {name:<13} {what}"))
    except StackStartError as error:
        console.print(f"[red]the local stack did not start: {error}")
        console.print("look at `python cli.py env status` and the log named above; `python cli.py env stop` "
                      "stops what started")
        return 2
    console.print(f"  ready in {time.monotonic() - started:.0f}s")
    for name, value in config.client_environ().items():
        os.environ.setdefault(name, value)
    try:
        _plan(console, spec)
        outcome = asyncio.run(_drive(console, spec, config))
    finally:
        if stop_after:
            console.rule("[bold]stopping the local stack")
            stop_stack(config, on_event=lambda name, what: console.print(f"  {name:<13} {what}"))
    if outcome is None:
        return 2
    _where_to_look(console, outcome.status, config, stopped=stop_after)
    if not outcome.ok:
        console.print("[bold red]the demo wave did not end as expected:")
        for line in outcome.unexpected:
            console.print(f"  - {line}")
        return 1
    console.print("[bold green]the demo wave ended as expected.")
    return 0


def _plan(console: Console, spec: WaveInput) -> None:
    from waves.dag_graph import scan_tree
    from waves.plan import check_wave, dags_of_files

    console.rule("[bold]2. plan: cross-DAG dependencies of the wave")
    graph = scan_tree(Path(spec.source_dir))
    dag_ids, _ = dags_of_files(graph, [f.path for f in spec.files])
    warnings = check_wave(graph, dag_ids)
    if not warnings:
        console.print(f"  {len(dag_ids)} DAGs; no dependency crosses the wave's boundary")
    for warning in warnings:
        console.print(f"  [yellow]warning:[/] {warning.message}")


async def _drive(console: Console, spec: WaveInput, config: StackConfig) -> DemoOutcome | None:
    from waves import client as wc
    from waves.model import Approval

    settings = wc.ConnectionSettings.from_env(config)
    try:
        client = await wc.connect(settings)
    except wc.TemporalUnreachable as error:
        console.print(f"[red]{error}")
        return None
    console.rule("[bold]3. the wave")
    try:
        handle = await wc.start_wave(client, spec, task_queue=settings.task_queue)
        console.print(f"  started workflow {handle.id}")
    except wc.WaveAlreadyRunning:
        console.print(f"  wave {spec.wave} is already running: following it")
    console.print(f"  Temporal UI: {settings.workflow_url(f'wave-{spec.wave}')}")
    seen: dict[str, str] = {}
    decided: set[str] = set()
    stage = ""
    deadline = time.monotonic() + DEMO_TIMEOUT_S
    while True:
        run = await wc.describe_wave(client, spec.wave)
        if not run.running:
            status = await wc.wait_for_result(client, spec.wave)
            _print_changes(console, status, seen)
            break
        try:
            status = await wc.wave_status(client, spec.wave)
        except wc.WaveClientError:
            await asyncio.sleep(POLL_S)
            continue
        if status.stage != stage:
            stage = status.stage
            console.print(f"[bold cyan]stage: {stage}")
        _print_changes(console, status, seen)
        for gate in status.pending_gates:
            key = f"{gate.gate}:{gate.dag_id}"
            if key in decided:
                continue
            decided.add(key)
            await _approve(console, client, spec, gate, Approval)
        if time.monotonic() > deadline:
            console.print(f"[red]the wave did not finish within {DEMO_TIMEOUT_S // 60} minutes")
            return DemoOutcome(status, ("timed out",))
        await asyncio.sleep(POLL_S)
    return DemoOutcome(status, _unexpected(status))


async def _approve(console: Console, client, spec: WaveInput, gate, approval_type) -> None:
    from waves import client as wc

    approver = (spec.promote if gate.gate == "promote" else spec.cutover).approvers[0]
    dag = f" --dag {gate.dag_id}" if gate.dag_id else ""
    console.print(f"[bold]gate {gate.gate!r} is waiting for one of: {', '.join(gate.approvers)}")
    if gate.detail:
        console.print(f"  {gate.detail}")
    if gate.gate == "promote":
        console.print(f"  $ python cli.py wave approve {spec.wave} --gate {gate.gate}{dag} --as {UNLISTED}")
        try:
            await wc.approve(client, spec.wave, approval_type(gate.gate, UNLISTED, "let me in", gate.dag_id))
            console.print("[red]  accepted?! (an unlisted approver must be refused)")
        except wc.ActionRefused as refused:
            console.print(f"  [yellow]refused[/] (recorded in the audit log): {refused}")
    comment = "demo: reports reviewed" if gate.gate == "promote" else "demo: first-run plan reviewed"
    console.print(f"  $ python cli.py wave approve {spec.wave} --gate {gate.gate}{dag} --as {approver} "
                  f"--comment '{comment}'")
    message = await wc.approve(client, spec.wave, approval_type(gate.gate, approver, comment, gate.dag_id))
    console.print(f"  [green]{message}")


def _print_changes(console: Console, status: WaveStatus, seen: dict[str, str]) -> None:
    for dag in status.dags:
        name = dag.dag_id or dag.file
        if seen.get(name) != dag.state:
            seen[name] = dag.state
            reason = f": {dag.reason.splitlines()[0][:140]}" if dag.reason else ""
            console.print(f"  {name:<32} {dag.state}{reason}")


def outcomes(status: WaveStatus) -> dict[str, str]:
    """Each DAG's state by dag_id, and by file (a file whose test failed before Airflow read it has no dag_id)."""
    states: dict[str, str] = {}
    for dag in status.dags:
        states.setdefault(dag.file, dag.state)
        if dag.dag_id:
            states[dag.dag_id] = dag.state
    return states


def _unexpected(status: WaveStatus) -> tuple[str, ...]:
    states = outcomes(status)
    problems = [f"{dag}: expected {want}, got {states.get(dag, 'missing')}"
                for dag, want in EXPECTED.items() if states.get(dag) != want]
    return tuple(problems)


def _where_to_look(console: Console, status: WaveStatus, config: StackConfig, *, stopped: bool) -> None:
    console.rule("[bold]4. outcome")
    table = Table("DAG", "file", "state", "reason", show_lines=False)
    for dag in status.dags:
        table.add_row(dag.dag_id or "-", dag.file, dag.state, (dag.reason or "").splitlines()[0][:90] if dag.reason else "")
    console.print(table)
    console.rule("[bold]where to look")
    ns = config.temporal_namespace
    query = f'MigrationWave="{status.wave}"'
    console.print(f"Temporal UI (wave):   {config.temporal_ui_url}/namespaces/{ns}/workflows/wave-{status.wave}")
    console.print(f"Temporal UI (list):   {config.temporal_ui_url}/namespaces/{ns}/workflows?query="
                  + query.replace('"', "%22").replace(" ", "%20"))
    console.print(f"Airflow 2 UI:         {config.airflow2_url}  (user {config.airflow2_user}, password "
                  f"{config.airflow2_password})")
    for report in status.reports:
        console.print(f"report:               {report}")
    if stopped:
        console.print("the local stack was stopped (--stop).")
    else:
        console.print("the local stack is still running: `python cli.py env status`, `python cli.py env stop`.")
