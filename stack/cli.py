"""`composer-migrate env ...`: start, stop and inspect the local stack.

Exit codes: 0 ok; 1 a service failed to start or is not healthy; 2 bad usage (unknown service...).
Ports, paths and names come from ``StackConfig.from_env()`` (``COMPOSER_MIGRATE_<FIELD>`` variables).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from stack.config import StackConfig
from stack.services import (
    StackStartError,
    UnknownService,
    env_file,
    select_services,
    services_by_name,
    stack_file,
    stack_services,
    stack_status,
    start_stack,
    stop_stack,
)
from stack.supervisor import State, tail

env_app = typer.Typer(help="Start, stop and inspect the local stack (Temporal, emulators, Airflow 2, worker).",
                      no_args_is_help=True)

console = Console()
err_console = Console(stderr=True)


def _config() -> StackConfig:
    try:
        return StackConfig.from_env()
    except ValueError as error:
        err_console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None


def _print_endpoints(config: StackConfig, names: set[str]) -> None:
    if "temporal" in names:
        console.print(f"Temporal UI:  [bold]{config.temporal_ui_url}[/bold]   "
                      f"(gRPC {config.temporal_address}, namespace {config.temporal_namespace})")
    if "airflow2" in names:
        console.print(f"Airflow 2 UI: [bold]{config.airflow2_url}[/bold]   "
                      f"(login {config.airflow2_user} / {config.airflow2_password})")
    console.print(f"Addresses:    {stack_file(config)}")
    console.print(f"Shell env:    source {env_file(config)}")


@env_app.command("start")
def start(
    only: Annotated[list[str] | None, typer.Option(
        "--only", help="Start only this service (and what it needs); repeat for several.")] = None,
) -> None:
    """Start the stack in order, each service ready before the next; running services are left alone."""
    config = _config()
    try:
        selected = select_services(config, only)
    except UnknownService as error:
        err_console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None

    def report(name: str, message: str) -> None:
        if message == "starting":
            err_console.print(f"[dim]starting {name} ...[/dim]")
        else:
            console.print(f"[green]✓[/green] {name}: {message}")

    try:
        start_stack(config, only, on_event=report)
    except StackStartError as error:
        err_console.print(f"[red]✗ {error.service}[/red]:", end=" ")
        err_console.print(str(error.cause), markup=False, highlight=False, soft_wrap=True)
        if error.started:
            names = ", ".join(status.name for status in error.started)
            err_console.print(f"Still running: {names} (see `env status`; `env stop` stops them).")
        raise typer.Exit(1) from None
    _print_endpoints(config, {service.name for service in selected})


@env_app.command("stop")
def stop() -> None:
    """Stop every service this stack started (reverse order); other processes are never touched."""
    config = _config()
    stopped = stop_stack(config, on_event=lambda name, message: console.print(f"{name}: {message}"))
    if not stopped:
        console.print("nothing to stop")


@env_app.command("status")
def status() -> None:
    """A table of the services: pid, state (running/stopped/dead), readiness, address and log file."""
    config = _config()
    services = {service.name: service for service in stack_services(config)}
    table = Table(title=f"local stack in {config.state_dir}", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("service", "pid", "state"):
        table.add_column(column, no_wrap=True)
    table.add_column("address / URL", min_width=24, overflow="fold")
    table.add_column("log", overflow="fold")
    unhealthy = False
    statuses = stack_status(config)
    for item in statuses:
        service = services[item.name]
        if item.state is State.RUNNING:
            state = "[green]running[/green]" if item.ready else "[yellow]running, not ready[/yellow]"
            unhealthy |= not item.ready
        elif item.state is State.DEAD:
            state = "[red]dead[/red] (stale pidfile)"
            unhealthy = True
        else:
            state = "[dim]stopped[/dim]"
        where = service.spec.address
        if service.ui and service.ui != where:
            where = f"{where}\nUI {service.ui}" if where else service.ui
        log_file = service.spec.log_file  # shown relative to the state dir named in the title
        shown_log = log_file.relative_to(config.state_dir) if log_file.is_relative_to(config.state_dir) else log_file
        table.add_row(item.name, str(item.pid or ""), state, where, str(shown_log))
    # Piped or captured output gets a fixed, wide page: paths and URLs stay whole on one line.
    (console if console.is_terminal else Console(width=140)).print(table)
    running = {item.name for item in statuses if item.state is State.RUNNING}
    if running:
        _print_endpoints(config, running)
    if unhealthy:
        raise typer.Exit(1)


@env_app.command("logs")
def logs(
    name: Annotated[str, typer.Argument(help="Service name (see `env status`).")],
    lines: Annotated[int, typer.Option("--lines", "-n", min=1, help="How many last lines.")] = 50,
) -> None:
    """Print the last lines of a service's log file."""
    config = _config()
    services = services_by_name(config)
    if name not in services:
        err_console.print(f"[red]error:[/red] unknown service {name!r}; the stack has: {', '.join(services)}")
        raise typer.Exit(2)
    log_file = services[name].spec.log_file
    if not log_file.exists():
        err_console.print(f"no log yet for {name} (expected at {log_file})")
        raise typer.Exit(1)
    err_console.print(f"[dim]{log_file}[/dim]")
    typer.echo(tail(log_file, lines))  # verbatim: no markup, no re-wrapping
