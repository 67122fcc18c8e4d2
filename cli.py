"""composer-migrate: move Airflow 1.10 DAGs from Cloud Composer 1 to Airflow 2 on Composer 2.

Every command has --help. Exit codes: 0 success; 1 the command found problems (files that failed to convert,
--check found changes, DAGs that failed tests); 2 bad usage or unusable input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from observability import configure_logging, get_logger

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
runtime_app = typer.Typer(help="Build and inspect the pinned Airflow 2 runtime of a target profile.",
                          no_args_is_help=True)
app.add_typer(runtime_app, name="runtime")


def _sub_apps() -> None:
    """The environment and wave command groups (their modules import Temporal and Google clients)."""
    from environments.cli import dag_app
    from stack.cli import env_app
    from waves.cli import wave_app

    app.add_typer(env_app, name="env", help="Start, stop and inspect the local stack (emulators, Airflow 2, Temporal).")
    app.add_typer(wave_app, name="wave", help="Plan, start, approve, watch and report migration waves.")
    app.add_typer(dag_app, name="dag", help="Deploy, pause, route and inspect single DAGs by hand.")


_sub_apps()

console = Console(stderr=False)
err_console = Console(stderr=True)

REPO_ROOT = Path(__file__).resolve().parent
EXAMPLES = REPO_ROOT / "examples" / "airflow1"

TargetOption = Annotated[
    str | None,
    typer.Option("--target", "-t", help="Target profile (see `profiles`); default: airflow-2.10.5.",
                 envvar="COMPOSER_MIGRATE_TARGET"),
]
JsonLogs = Annotated[bool, typer.Option("--json-logs", help="Log JSON lines instead of console text.",
                                        envvar="COMPOSER_MIGRATE_LOG_JSON")]


@app.callback()
def main(json_logs: JsonLogs = False) -> None:
    configure_logging(json=True if json_logs else None)


def _fail(message: str, code: int = 2) -> None:
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err_console, transient=True)


def run_convert(src: Path, out: Path | None, target: str | None, *, check: bool, show_diff: bool,
                report: Path | None, jobs: int | None):
    """Convert a tree, print the summary, write the report; returns the TreeResult."""
    from dagconvert.report import write_report
    from dagconvert.runner import TreeError, convert_tree, iter_tree
    from target_profiles import UnknownProfileError, load_profile

    log = get_logger("convert", source=str(src))
    try:
        profile = load_profile(target)
    except UnknownProfileError as exc:
        _fail(str(exc))
    try:
        total = 1 if src.is_file() else sum(1 for _ in iter_tree(src)) if src.exists() else 0
        with _progress() as progress:
            task = progress.add_task(f"converting for {profile.name}", total=total)
            result = convert_tree(src, None if check else out, profile.name, jobs=jobs,
                                  with_diff=bool(show_diff or report),  # diffs only for what shows them
                                  on_result=lambda r: progress.advance(task))
    except TreeError as exc:
        _fail(str(exc))
    for f in result.errors:
        log.error("file not converted", file=f.path, error=f.error)
    _print_summary(result)
    if show_diff:
        for f in result.files:
            if f.diff:
                console.print(f.diff, markup=False, highlight=False, end="")
    if report:
        write_report(result, report)
        console.print(f"report written to {report}")
    return result


def _print_summary(result) -> None:
    from dagconvert.model import FileStatus
    from dagconvert.report import rule_totals
    from dagconvert.rules import all_rules

    names = {r.code: r.name for r in all_rules()}
    table = Table(title=f"Conversion for {result.profile}", show_lines=False)
    table.add_column("file")
    table.add_column("status")
    table.add_column("changes", justify="right")
    table.add_column("TODOs", justify="right")
    styles = {FileStatus.CONVERTED: "green", FileStatus.ERROR: "red", FileStatus.NOT_A_DAG: "dim"}
    for f in result.files:
        if not f.path.endswith(".py"):
            continue
        style = styles.get(f.status, "")
        status = f.status.value if not f.error else f"error: {f.error.split(': ', 1)[-1][:70]}"
        table.add_row(f.path, f"[{style}]{status}[/{style}]" if style else status, str(len(f.changes)),
                      str(len(f.todos)) if f.todos else "")
    console.print(table)
    rules = Table(title="Rules applied")
    rules.add_column("rule")
    rules.add_column("name")
    rules.add_column("changes", justify="right")
    rules.add_column("TODOs", justify="right")
    for code, counts in rule_totals(result).items():
        rules.add_row(code, names.get(code, ""), str(counts["changes"]), str(counts["todos"] or ""))
    console.print(rules)
    console.print(
        f"{len(result.files)} files in {result.elapsed_s:.2f} s: {result.count(FileStatus.CONVERTED)} converted, "
        f"{result.count(FileStatus.UNCHANGED)} unchanged, {result.count(FileStatus.NOT_A_DAG)} not DAG files, "
        f"{len(result.errors)} errors; {sum(len(f.todos) for f in result.files)} TODOs for a person")


@app.command()
def convert(
    src: Annotated[Path, typer.Argument(help="Airflow 1.10 DAG folder (or one file). Never modified.")],
    out: Annotated[Path | None, typer.Argument(help="Output folder for the Airflow 2 files.")] = None,
    target: TargetOption = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if any file would change.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print the unified diff of every converted file.")] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Write a report: .json (versioned schema) or .md (Markdown).")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes (default: cores).")] = None,
) -> None:
    """Convert a tree of Airflow 1.10 DAG files into Airflow 2 code for a target profile."""
    if out is None and not check:
        _fail("give an OUT folder, or --check for a dry run")
    result = run_convert(src, out, target, check=check, show_diff=diff, report=report, jobs=jobs)
    from dagconvert.model import FileStatus

    if result.errors:
        raise typer.Exit(1)
    if check and result.count(FileStatus.CONVERTED):
        raise typer.Exit(1)


@app.command("test")
def test_dags(
    out: Annotated[Path, typer.Argument(help="The converted Airflow 2 DAG folder (the OUT of `convert`).")],
    source: Annotated[Path, typer.Option(
        "--source", "-s", help="The Airflow 1.10 folder it was converted from: the structure is compared with it.")],
    target: TargetOption = None,
    report: Annotated[list[Path] | None, typer.Option(
        "--report", help="Write a report: .json (versioned schema), .md or .html; repeat for several.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Files loaded at once (default: cores).")] = None,
    timeout: Annotated[float, typer.Option(
        "--timeout", help="Seconds one file may take to import and render before it is killed.")] = 30.0,
) -> None:
    """Prove converted DAGs in the target's real Airflow 2 runtime: import, warnings, structure, templates.

    Exit 0 when every DAG file passes, 1 when any fails, 2 on bad usage or an unusable runtime.
    """
    from dagcheck.command import test_command

    raise typer.Exit(test_command(out, source, target, report, jobs, timeout, console=console,
                                  err_console=err_console))


@app.command("rules")
def list_rules() -> None:
    """List the conversion rules (codes appear in reports and TODO comments)."""
    from dagconvert.rules import all_rules

    table = Table(title="Conversion rules")
    table.add_column("code")
    table.add_column("name")
    table.add_column("what it does")
    table.add_column("examples", justify="right")
    for rule in sorted(all_rules(), key=lambda r: r.code):
        table.add_row(rule.code, rule.name, rule.summary, str(len(rule.examples)))
    console.print(table)


@app.command("profiles")
def list_profiles() -> None:
    """List target profiles (pinned Airflow 2 + provider versions of a Composer image)."""
    from target_profiles import DEFAULT_PROFILE, available_profiles, load_profile

    table = Table(title="Target profiles")
    table.add_column("name")
    table.add_column("airflow")
    table.add_column("providers")
    table.add_column("description")
    for name in available_profiles():
        p = load_profile(name)
        providers = ", ".join(f"{k.removeprefix('apache-airflow-providers-')} {v}" for k, v in p.pins.items()
                              if k.startswith("apache-airflow-providers-"))
        table.add_row(name + (" (default)" if name == DEFAULT_PROFILE else ""), p.airflow_version, providers,
                      p.description)
    console.print(table)


@runtime_app.command("build")
def runtime_build(
    target: TargetOption = None,
    refreeze: Annotated[bool, typer.Option(
        "--refreeze", help="Install from requirements.txt alone and rewrite constraints.txt from pip freeze.")] = False,
) -> None:
    """Build (or check) the profile's Airflow 2 runtime venv under .runtimes/ (idempotent)."""
    from airflow_runtime.build import RuntimeBuildError, build_runtime
    from target_profiles import UnknownProfileError

    try:
        info = build_runtime(target, refreeze=refreeze, progress=lambda line: err_console.print(line, markup=False))
    except UnknownProfileError as exc:
        _fail(str(exc))
    except RuntimeBuildError as exc:
        _fail(str(exc), code=1)
    console.print(f"runtime {info.profile}: {info.python} ({'built' if info.built else 'up to date'}, "
                  f"{info.elapsed_s:.0f} s)")


@runtime_app.command("inventory")
def runtime_inventory(target: TargetOption = None) -> None:
    """Check, in the built runtime, which import paths the engine may emit exist; write inventory.json."""
    from airflow_runtime.build import RuntimeNotBuiltError
    from airflow_runtime.inventory import InventoryError, compute_inventory
    from dagconvert.candidates import inventory_candidates
    from target_profiles import UnknownProfileError

    try:
        inventory = compute_inventory(target, inventory_candidates())
    except (RuntimeNotBuiltError, UnknownProfileError, InventoryError) as exc:
        _fail(str(exc))
    console.print(f"{inventory.profile}: {len(inventory.available)} available, {len(inventory.missing)} missing")


@runtime_app.command("path")
def runtime_path(target: TargetOption = None) -> None:
    """Print the runtime's python (fails with the build command when it is not built)."""
    from airflow_runtime.build import RuntimeNotBuiltError, runtime_python
    from target_profiles import UnknownProfileError

    try:
        console.print(str(runtime_python(target)))
    except (RuntimeNotBuiltError, UnknownProfileError) as exc:
        _fail(str(exc))


@runtime_app.command("load")
def runtime_load(
    files: Annotated[list[Path], typer.Argument(help="DAG files, or folders (every *.py below them).")],
    target: TargetOption = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds one file may take before it is killed.")] = 30.0,
    memory_mb: Annotated[int, typer.Option("--memory-mb", help="Memory one file may add to the runtime (MiB).")] = 2048,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Files loaded at once (default: cores).")] = None,
    no_render: Annotated[bool, typer.Option("--no-render", help="Skip rendering the templated fields.")] = False,
    dags_root: Annotated[Path | None, typer.Option(
        "--dags-root", help="Folder put on sys.path, like Composer's dags/ (default: each file's folder).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON result per line instead of a table.")] = False,
) -> None:
    """Load DAG files in the target's Airflow 2 runtime: import errors, own warnings, template failures.

    Exit 0 when every file imports and renders, 1 when any does not.
    """
    import json

    from airflow_runtime.build import RuntimeNotBuiltError
    from airflow_runtime.client import LoaderStartError, RuntimeSession
    from target_profiles import UnknownProfileError

    paths = [p for f in files for p in (sorted(f.rglob("*.py")) if f.is_dir() else [f])]
    if not paths:
        _fail("no .py files to load")
    try:
        with RuntimeSession(target, jobs=jobs, memory_limit_mb=memory_mb, default_timeout_s=timeout) as session, \
                _progress() as progress:
            task = progress.add_task("loading", total=len(paths))
            results = session.load_files(paths, render_templates=not no_render, dags_root=dags_root,
                                         on_result=lambda _: progress.advance(task))
    except (UnknownProfileError, RuntimeNotBuiltError, LoaderStartError) as exc:
        _fail(str(exc))
    if as_json:
        for r in results:
            console.print(json.dumps(r.to_dict()), markup=False, highlight=False, soft_wrap=True)
    else:
        table = Table(title=f"{len(results)} files in the Airflow 2 runtime")
        for column in ("file", "status", "line", "problem", "DAGs", "warnings", "template failures"):
            table.add_column(column)
        for r in results:
            problem = r.import_errors[0].message if r.import_errors else (r.detail or "")
            if not problem and r.render_failures:
                f = r.render_failures[0]
                problem = f"{f.task_id}.{f.field}: {f.error}"
            table.add_row(r.file, r.status, str(r.line or ""), problem.splitlines()[0] if problem else "",
                          ", ".join(r.dag_ids), str(len(r.warnings) + len(r.render_warnings)),
                          str(len(r.render_failures)))
        console.print(table)
    if any(not r.ok or r.render_failures for r in results):
        raise typer.Exit(1)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Where --convert-only writes its output.")] = REPO_ROOT / "out" / "demo",
    target: TargetOption = None,
    convert_only: Annotated[bool, typer.Option(
        "--convert-only", help="Only convert the example DAGs and test them in the runtime (no stack, no wave).")] = False,
    stop: Annotated[bool, typer.Option("--stop", help="Stop the local stack when the wave is done.")] = False,
) -> None:
    """The main job: the demo wave, end to end, on the local stack.

    Starts the local stack (Temporal dev server + worker, emulators, a real Airflow 2), then runs the
    wave of examples/waves/demo-wave.yaml: convert, test, approvals (sent by the demo, printed as the
    commands a person would type), deploy, routing switch through the reference scheduler, verification
    by real runs, and the automatic rollback of the DAG built to fail. Exits 0 when every DAG ended as
    expected, 1 when not, 2 when the stack could not start. The stack stays up unless --stop.
    """
    if not convert_only:
        from waves.demo import run_demo

        raise typer.Exit(run_demo(console, stop_after=stop))
    from dagcheck.command import test_command
    from dagconvert.report import write_report

    out.mkdir(parents=True, exist_ok=True)
    converted = out / "dags"
    console.rule("[bold]1. convert the bundled Airflow 1.10 DAGs (examples/airflow1)")
    result = run_convert(EXAMPLES, converted, target, check=False, show_diff=False,
                         report=out / "conversion.md", jobs=None)
    write_report(result, out / "conversion.json")
    console.rule("[bold]2. test the converted DAGs in the real Airflow 2 runtime of the target profile")
    reports = [out / "test.md", out / "test.html", out / "test.json"]
    code = test_command(converted, EXAMPLES, target, reports, None, 30.0, console=console, err_console=err_console)
    if code == 2:
        raise typer.Exit(2)
    console.rule("[bold]where to look")
    console.print(f"converted DAGs:     {converted}")
    console.print(f"conversion report:  {out / 'conversion.md'} (+ .json)")
    console.print(f"test report:        {out / 'test.html'} (+ .md, .json)")
    console.print("Files marked FAIL carry `# TODO(airflow2): ...` comments naming what a person must decide.")


if __name__ == "__main__":
    sys.exit(app())
