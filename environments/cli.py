"""``cli.py dag ...``: one DAG (or a handful) by hand, through the same adapters the wave uses.

So a person can move a single DAG before trusting a wave: deploy a converted file to the target and
see it parsed, pause/unpause in either environment (many DAGs at once, bounded concurrency), switch
the scheduler's routing and wait for its ack, trigger, and look at runs. Environments are named as in
a wave spec (an id such as ``composer2-demo`` or ``projects/P/locations/L/environments/E``); the
defaults are the local stack's.

Exit codes: 0 done; 1 the operation ran and failed (import error in the target, no ack in time, run
failed); 2 bad usage or an environment that cannot be used (unknown, unreachable, refused credentials).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from environments.base import DeployFile, EnvironmentError_
from stack.config import StackConfig

dag_app = typer.Typer(help="Deploy, pause, route and inspect single DAGs (what a wave does, by hand).",
                      no_args_is_help=True)
console = Console()
err = Console(stderr=True)

T = TypeVar("T")

Side = Annotated[str, typer.Option("--in", help="Which environment: target (Airflow 2) or source (Airflow 1.10).")]
EnvOption = Annotated[str | None, typer.Option("--env", help="Environment id or resource name "
                                               "(default: the local stack's target or source).")]


def _config() -> StackConfig:
    return StackConfig.from_env()


def _call(what: str, fn: Callable[[], T]) -> T:
    """Run an adapter call; its errors become one clear line and exit code 2."""
    try:
        return fn()
    except EnvironmentError_ as error:
        err.print(f"[red]{what} failed:[/] {error}")
        raise typer.Exit(2) from None


def _target(env: str | None):
    from environments.registry import open_target

    config = _config()
    name = env or config.target_environment
    return _call(f"opening target {name}", lambda: open_target(name, config))


def _environment(side: str, env: str | None):
    from environments.registry import open_source

    if side not in ("target", "source"):
        err.print(f"[red]--in must be 'target' or 'source'; got {side!r}")
        raise typer.Exit(2)
    if side == "target":
        return _target(env)
    config = _config()
    name = env or config.source_environment
    return _call(f"opening source {name}", lambda: open_source(name, config))


@dag_app.command()
def deploy(
    file: Annotated[Path, typer.Argument(help="A converted DAG file (Airflow 2 code).", exists=True, dir_okay=False)],
    dag_id: Annotated[str, typer.Option("--dag", help="The DAG id the file defines (to wait for its parse).")],
    env: EnvOption = None,
    as_path: Annotated[str | None, typer.Option("--as", help="Path inside the DAG folder (default: file name).")] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for the target to parse it (0: do not wait).")] = 120.0,
) -> None:
    """Upload a converted DAG file to the target's DAG bucket (same bytes: no upload) and wait until parsed."""
    target = _target(env)
    relative = as_path or file.name
    data = file.read_bytes()
    result = _call("deploy", lambda: target.deploy([DeployFile(relative, file, hashlib.sha256(data).hexdigest())]))
    console.print(f"{relative}: {'uploaded' if result.uploaded else 'unchanged (same bytes already deployed)'} "
                  f"to {target.name}")
    if wait <= 0:
        return
    deadline = time.monotonic() + wait
    with console.status(f"waiting for {target.name} to parse {dag_id}"):
        while True:
            status = _call("parse status", lambda: target.parse_status(dag_id, relative))
            if status.parsed:
                paused = _call("paused state", lambda: target.is_paused(dag_id))
                console.print(f"[green]{dag_id} parsed[/]; {'paused' if paused else '[yellow]UNPAUSED[/]'} in the target")
                return
            if status.import_error:
                console.print(f"[red]import error in the target for {relative}:[/]\n{status.import_error}")
                raise typer.Exit(1)
            if time.monotonic() > deadline:
                console.print(f"[red]{target.name} did not parse {relative} within {wait:g}s (no import error either)")
                raise typer.Exit(1)
            time.sleep(2)


def _set_paused(dag_ids: list[str], side: str, env: str | None, paused: bool) -> None:
    environment = _environment(side, env)
    states = _call("pause" if paused else "unpause", lambda: environment.set_paused(dag_ids, paused))
    for dag_id in dag_ids:
        console.print(f"{dag_id}: {'paused' if states[dag_id] else 'unpaused'} in {environment.name}")


@dag_app.command()
def pause(dag_ids: Annotated[list[str], typer.Argument(help="DAG ids.")], side: Side = "target",
          env: EnvOption = None) -> None:
    """Pause DAGs (sets the state; many at once with bounded concurrency)."""
    _set_paused(dag_ids, side, env, True)


@dag_app.command()
def unpause(dag_ids: Annotated[list[str], typer.Argument(help="DAG ids.")], side: Side = "target",
            env: EnvOption = None) -> None:
    """Unpause DAGs. Careful: never unpause a DAG in both environments (the wave guarantees it; you must too)."""
    _set_paused(dag_ids, side, env, False)


@dag_app.command()
def route(
    dag_id: Annotated[str, typer.Argument(help="The DAG to route.")],
    to: Annotated[str, typer.Option("--to", help="composer1 (the source) or composer2 (the target).")],
    env: EnvOption = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the scheduler's ack.")] = 120.0,
) -> None:
    """Switch the internal scheduler's routing of one DAG over Pub/Sub and wait for its ack."""
    from google.cloud import pubsub_v1

    from routing.ack_waiter import AckTimeout
    from routing.contract import ENVIRONMENTS, RoutingChange, new_change_id
    from routing.publisher import RoutingPublisher, RoutingPublishError, make_publisher_client
    from routing.switch import switch_route

    if to not in ENVIRONMENTS:
        err.print(f"[red]--to must be one of {', '.join(ENVIRONMENTS)}; got {to!r}")
        raise typer.Exit(2)
    environment = _environment("target" if to == "composer2" else "source", env)
    config = _config()
    change = RoutingChange(change_id=new_change_id("manual", dag_id, to, 1, uuid.uuid4().hex),
                           dag_id=dag_id, environment=to, airflow_uri=environment.airflow_uri, wave="manual",
                           issued_at=datetime.now(UTC))
    try:
        publisher = RoutingPublisher(config.project, make_publisher_client())
        publisher.ensure_topics()
        with console.status(f"waiting for the scheduler's ack of change {change.change_id}"):
            ack = switch_route(publisher, pubsub_v1.SubscriberClient(), change, timeout)
    except AckTimeout as error:
        err.print(f"[red]{error}[/]; the scheduler may still apply it: check before routing again")
        raise typer.Exit(1) from None
    except RoutingPublishError as error:
        err.print(f"[red]{error}")
        raise typer.Exit(2) from None
    console.print(f"{dag_id} routed to {to} ({environment.airflow_uri}); ack {ack.outcome} at {ack.applied_at}")


@dag_app.command()
def trigger(
    dag_id: Annotated[str, typer.Argument(help="The DAG to trigger in the target.")],
    run_id: Annotated[str, typer.Option("--run-id", help="Run id (a repeat with the same id is a no-op).")],
    conf: Annotated[str, typer.Option(help="JSON object passed as dag_run.conf.")] = "{}",
    env: EnvOption = None,
) -> None:
    """Trigger a run in the target with an explicit run id (replays answer 409 and change nothing)."""
    try:
        payload = json.loads(conf)
    except json.JSONDecodeError as error:
        err.print(f"[red]--conf is not JSON: {error}")
        raise typer.Exit(2) from None
    if not isinstance(payload, dict):
        err.print("[red]--conf must be a JSON object")
        raise typer.Exit(2)
    target = _target(env)
    result = _call("trigger", lambda: target.trigger(dag_id, run_id, payload))
    console.print(f"{dag_id} run {run_id}: {result.run.state}" + (" (already existed)" if result.already_existed else ""))


@dag_app.command()
def runs(dag_id: Annotated[str, typer.Argument(help="The DAG.")], side: Side = "target", env: EnvOption = None,
         limit: Annotated[int, typer.Option(help="How many runs, newest first.")] = 10) -> None:
    """Recent runs of a DAG in the target or the source, newest first."""
    environment = _environment(side, env)
    found = _call("runs", lambda: (environment.list_runs(dag_id, limit) if side == "target"
                                   else environment.latest_runs(dag_id, limit)))
    table = Table("run id", "state", "logical date", "started", "ended", title=f"{dag_id} in {environment.name}")
    for run in found:
        table.add_row(run.run_id, run.state, _time(run.logical_date), _time(run.start_date), _time(run.end_date))
    console.print(table)


@dag_app.command()
def status(dag_ids: Annotated[list[str], typer.Argument(help="DAG ids.")], source_env: Annotated[
        str | None, typer.Option("--source", help="Source environment (default: the stack's).")] = None,
           target_env: Annotated[str | None, typer.Option("--target", help="Target environment.")] = None) -> None:
    """Paused state of DAGs in both environments, side by side (flags a DAG active in both)."""
    source, target = _environment("source", source_env), _environment("target", target_env)
    table = Table("DAG", f"source ({source.name})", f"target ({target.name})", "")
    for dag_id in dag_ids:
        s = _state(lambda d=dag_id: source.is_paused(d))
        t = _state(lambda d=dag_id: target.is_paused(d))
        flag = "[bold red]ACTIVE IN BOTH" if s == t == "active" else ""
        table.add_row(dag_id, s, t, flag)
    console.print(table)


def _state(fn: Callable[[], bool]) -> str:
    try:
        return "paused" if fn() else "active"
    except EnvironmentError_ as error:
        return f"- ({type(error).__name__})"


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""
