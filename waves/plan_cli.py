"""``cli.py wave plan``: show which DAGs must move together, check a wave spec, propose waves.

The analysis is static (``waves.dag_graph``) and the decisions are pure (``waves.plan``); this module only
reads the inputs, renders tables and writes the JSON report. Exit codes: 0 the plan (or the given wave)
keeps every hard dependency in one environment; 1 the wave spec splits a hard dependency; 2 bad usage
(missing source, invalid spec, max size below 1).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from waves.dag_graph import DagGraph, scan_tree
from waves.plan import WaveWarning, check_wave, dags_of_files, oversized_groups, propose_waves

JSON_SCHEMA = 1
DEFAULT_MAX_WAVE_SIZE = 50

console = Console()
err_console = Console(stderr=True)


def plan_report(graph: DagGraph, max_wave_size: int, wave: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole plan as a JSON-ready dict (``schema: 1``). ``wave``: ``{"name", "dag_ids", "files_without_dags"}``
    of a spec to check, or None. Pure."""
    groups = graph.components()
    defined = set(graph.dag_ids)
    report: dict[str, Any] = {
        "schema": JSON_SCHEMA,
        "source": graph.root,
        "counts": {
            "files": len(graph.files), "errors": len(graph.errors), "dags": len(defined),
            "hard_dependencies": len(graph.hard_dependencies), "soft_dependencies": len(graph.soft_dependencies),
            "pools": len(graph.pool_members()), "unresolved": len(graph.unresolved),
            "groups": sum(1 for g in groups if len(g) > 1),
        },
        "dags": [{"dag_id": d.dag_id, "location": str(d.location)} for d in graph.definitions],
        "undefined_dag_ids": list(graph.undefined),
        "duplicate_dag_ids": {k: list(v) for k, v in graph.duplicates().items()},
        "groups": [list(g) for g in groups if len(g) > 1],
        "dependencies": [
            {"source": d.source, "target": d.target, "kind": d.kind, "hard": d.hard, "location": str(d.location)}
            for d in graph.dependencies
        ],
        "pools": {pool: list(members) for pool, members in graph.pool_members().items()},
        "unresolved": [{"location": str(u.location), "role": u.role, "expression": u.expression}
                       for u in graph.unresolved],
        "errors": [str(e) for e in graph.errors],
        "max_wave_size": max_wave_size,
        "proposed_waves": propose_waves(graph, max_wave_size),
        "notes": [f"{len(g)} DAGs depend on each other ({', '.join(g[:3])}, ...): more than the maximum wave "
                  f"size {max_wave_size}, so they form a wave of their own" for g in oversized_groups(graph, max_wave_size)],
        "wave": None,
    }
    if wave is not None:
        warnings = check_wave(graph, wave["dag_ids"])
        report["wave"] = {
            **wave,
            "dag_ids": list(wave["dag_ids"]),
            "ok": not any(w.hard for w in warnings),
            "warnings": [_warning_json(w) for w in warnings],
        }
    return report


def _warning_json(warning: WaveWarning) -> dict[str, Any]:
    data = asdict(warning)
    data["location"] = str(warning.location) if warning.location else None
    data["hard"] = warning.hard
    return data


def _wave_from_spec(spec_path: Path, graph: DagGraph) -> dict[str, Any]:
    """The wave's name, DAG ids and files without DAGs, read with the wave spec loader (waves.spec)."""
    from waves.spec import load_spec

    spec = load_spec(spec_path)
    root = Path(graph.root)
    files, outside = [], []
    for wave_file in spec.files:
        path = (Path(spec.source_dir) / wave_file.path).resolve()
        if path.is_relative_to(root):
            files.append(path.relative_to(root).as_posix())
        else:
            outside.append(str(path))
    dag_ids, empty = dags_of_files(graph, files)
    return {"name": spec.wave, "spec": str(spec_path), "dag_ids": dag_ids,
            "files_without_dags": [*empty, *outside]}


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def render(report: dict[str, Any], out: Console) -> None:
    """Print the plan as rich tables (groups, dependencies, pools, unresolved, errors, waves, warnings)."""
    counts = report["counts"]
    if report["errors"]:
        table = _table("Files that could not be analysed", "file:line: error")
        for error in report["errors"]:
            table.add_row(f"[red]{error}[/red]")
        out.print(table)
    if report["groups"]:
        table = _table("DAGs that must move together (hard dependencies)", "group", "size", "DAG ids")
        undefined = set(report["undefined_dag_ids"])
        for i, group in enumerate(report["groups"], 1):
            names = ", ".join(f"[yellow]{d}[/yellow] (not defined here)" if d in undefined else d for d in group)
            table.add_row(str(i), str(len(group)), names)
        out.print(table)
    if report["dependencies"]:
        table = _table("Cross-DAG dependencies", "DAG", "kind", "other DAG", "where")
        for d in report["dependencies"]:
            kind = d["kind"] if d["hard"] else f"[dim]{d['kind']} (soft)[/dim]"
            table.add_row(d["source"], kind, d["target"], d["location"])
        out.print(table)
    shared = {pool: m for pool, m in report["pools"].items() if len(m) > 1}
    if shared:
        table = _table("Pools shared by several DAGs (keep together when possible)", "pool", "DAGs")
        for pool, members in shared.items():
            table.add_row(pool, ", ".join(members))
        out.print(table)
    if report["unresolved"]:
        table = _table("Values the analysis could not determine", "where", "what", "expression")
        for u in report["unresolved"]:
            table.add_row(u["location"], u["role"], u["expression"])
        out.print(table)
    for dag_id, files in report["duplicate_dag_ids"].items():
        out.print(f"[yellow]warning:[/yellow] dag id {dag_id} is defined in several files: {', '.join(files)}")
    table = _table(f"Proposed waves (at most {report['max_wave_size']} DAGs each)", "wave", "size", "DAG ids")
    for i, wave in enumerate(report["proposed_waves"], 1):
        table.add_row(str(i), str(len(wave)), ", ".join(wave))
    out.print(table)
    for note in report["notes"]:
        out.print(f"[yellow]note:[/yellow] {note}")
    wave = report["wave"]
    if wave is not None:
        if wave["warnings"]:
            table = _table(f"Wave {wave['name']}: {len(wave['dag_ids'])} DAGs", "", "kind", "warning")
            for w in wave["warnings"]:
                table.add_row("[red]split[/red]" if w["hard"] else "[yellow]check[/yellow]", w["kind"], w["message"])
            out.print(table)
        for file in wave["files_without_dags"]:
            out.print(f"[yellow]warning:[/yellow] wave file {file} defines no DAG the analysis found")
        verdict = ("[green]keeps every hard dependency together[/green]" if wave["ok"]
                   else "[red]splits hard dependencies: move the named DAGs together[/red]")
        out.print(f"wave {wave['name']}: {verdict}")
    out.print(
        f"{counts['files']} files, {counts['dags']} DAGs, {counts['hard_dependencies']} hard and "
        f"{counts['soft_dependencies']} soft dependencies, {counts['groups']} groups, {counts['pools']} pools, "
        f"{counts['unresolved']} unresolved values, {counts['errors']} files not analysed")


def _write_json(report: dict[str, Any], path: Path) -> None:
    text = json.dumps(report, indent=2, sort_keys=False) + "\n"
    if str(path) == "-":
        typer.echo(text, nl=False)
        return
    from dagconvert.runner import write_atomic

    write_atomic(path, text.encode("utf-8"))


def plan_command(
    src: Annotated[Path, typer.Argument(help="Airflow 1.10 DAG folder (or one file) to analyse; never imported.")],
    wave_spec: Annotated[Path | None, typer.Option(
        "--wave", "--spec", help="A wave spec (YAML) to check: exit 1 when it splits hard dependencies.")] = None,
    max_wave_size: Annotated[int, typer.Option(
        "--max-wave-size", help="Largest wave to propose (a bigger dependent group gets its own wave).")]
        = DEFAULT_MAX_WAVE_SIZE,
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Write the plan as JSON (schema 1) to this file; '-' prints it instead of the tables.")]
        = None,
) -> None:
    """Find cross-DAG dependencies (sensors, triggers, markers, shared pools, DAG ids in strings), group the
    DAGs that must move together and propose waves; with --wave, check that wave."""
    if max_wave_size < 1:
        err_console.print(f"[red]error:[/red] --max-wave-size must be at least 1, got {max_wave_size}")
        raise typer.Exit(2)
    if not src.exists():
        err_console.print(f"[red]error:[/red] DAG source {src} does not exist")
        raise typer.Exit(2)
    graph = scan_tree(src)
    wave = None
    if wave_spec is not None:
        from waves.spec import SpecError

        try:
            wave = _wave_from_spec(wave_spec, graph)
        except SpecError as exc:
            err_console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
    report = plan_report(graph, max_wave_size, wave)
    if json_out is not None:
        _write_json(report, json_out)
    if json_out is None or str(json_out) != "-":
        render(report, console)
    if wave is not None and not report["wave"]["ok"]:
        raise typer.Exit(1)
