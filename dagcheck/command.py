"""``cli.py test OUT --source SRC``: run the test stage, show a table of file x checks, write the reports.

Exit codes: 0 every converted DAG file passed; 1 some file failed a check; 2 bad usage or an unusable
environment (missing trees, unknown profile, report name with an unknown suffix, runtime not built or not
starting). The logic is here, importable and testable; ``cli.py`` only declares the options.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from airflow_runtime.inside.protocol import DEFAULT_TIMEOUT_S
from dagcheck.checks import CHECKS
from dagcheck.checks.model import CheckResult, Severity, Status

if TYPE_CHECKING:
    from dagcheck.stage import StageResult

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
MAX_ROWS = 60  # above this many files, the table shows the failing ones only (the reports have all)

_STYLE = {Status.PASSED: "green", Status.FAILED: "bold red", Status.SKIPPED: "dim", Status.INFO: "cyan"}


def test_command(out: Path, source: Path, target: str | None = None, report: Sequence[Path] | None = None,
                 jobs: int | None = None, timeout: float = DEFAULT_TIMEOUT_S, *, console: Console | None = None,
                 err_console: Console | None = None, **stage_options: object) -> int:
    """Test the converted tree ``out`` against its Airflow 1.10 source ``source``; returns the exit code.

    ``report``: files to write, format by suffix (.json, .md, .html). ``stage_options`` go to
    ``run_test_stage`` (``python=``, ``airflow_home_template=`` select a runtime other than the built one).
    """
    from airflow_runtime.build import RuntimeNotBuiltError
    from airflow_runtime.client import LoaderStartError
    from dagcheck.report import report_format, write_report
    from dagcheck.stage import StageError, run_test_stage
    from target_profiles import UnknownProfileError

    console = console or Console()
    err = err_console or Console(stderr=True)
    reports = list(report or ())
    try:
        for path in reports:
            report_format(path)
    except ValueError as exc:
        return _usage(err, str(exc))
    if timeout <= 0:
        return _usage(err, "--timeout must be more than 0 seconds")
    if jobs is not None and jobs < 1:
        return _usage(err, "--jobs must be at least 1")

    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err, transient=True)
    task = progress.add_task("starting the Airflow 2 runtime", total=None)

    def on_start(total: int) -> None:
        progress.update(task, total=total)

    def on_result(_result: object) -> None:
        progress.update(task, description="testing in the Airflow 2 runtime", advance=1)

    try:
        with progress:
            result = run_test_stage(out, source, target, jobs=jobs, timeout_s=timeout, on_result=on_result,
                                    on_start=on_start, **stage_options)  # type: ignore[arg-type]
    except (StageError, UnknownProfileError, RuntimeNotBuiltError, LoaderStartError) as exc:
        return _usage(err, str(exc))
    print_result(result, console)
    for path in reports:
        try:
            write_report(result, path)
        except OSError as exc:
            return _usage(err, f"cannot write the report {path}: {exc}")
        console.print(f"report written to {path}")
    return EXIT_OK if result.ok else EXIT_FAILED


test_command.__test__ = False  # type: ignore[attr-defined]  # not a pytest test, whatever its name


def _usage(err: Console, message: str) -> int:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return EXIT_USAGE


def _cell(check: CheckResult | None) -> str:
    if check is None:
        return ""
    if check.info_only:
        if check.findings:
            return f"[cyan]{len(check.findings)}[/cyan]"
        return "[dim]-[/dim]" if check.status is Status.SKIPPED else "[green]0[/green]"
    label = {Status.PASSED: "pass", Status.FAILED: "FAIL", Status.SKIPPED: "-", Status.INFO: "info"}[check.status]
    warnings = check.count(Severity.WARNING)
    extra = f" [yellow]+{warnings}w[/yellow]" if warnings else ""
    return f"[{_STYLE[check.status]}]{label}[/{_STYLE[check.status]}]{extra}"


_HEADERS = {"import": "import", "warnings": "warnings", "structure": "structure", "templates": "templates",
            "airflow3_lint": "AIR lint"}
MAX_FINDINGS = 5  # errors shown per failed check on the console (the reports have all)


def print_result(result: StageResult, console: Console) -> None:
    """The table of files x checks, then each failure with its lines, then the totals."""
    from dagcheck.report import totals

    rows = result.files if len(result.files) <= MAX_ROWS else result.failed
    title = f"Test stage in {result.profile} (Airflow {result.airflow_version or '?'})"
    if rows is not result.files:
        title += f": the {len(rows)} failing of {len(result.files)} files (the reports have all)"
    table = Table(title=title)
    table.add_column("file", overflow="fold")
    table.add_column("result", no_wrap=True, min_width=6)
    for check in CHECKS:
        header = _HEADERS.get(check.name, check.name)
        table.add_column(header, justify="center", no_wrap=True, min_width=len(header))
    for f in rows:
        verdict = "[green]pass[/green]" if f.passed else "[bold red]FAIL[/bold red]"
        table.add_row(f.path, verdict, *(_cell(f.check(c.name)) for c in CHECKS))
    console.print(table)
    for f in result.failed:
        console.print(f"[bold red]FAIL[/bold red] {f.path}", highlight=False)
        for line in failure_lines(f.checks):
            console.print(f"  {line}", highlight=False, markup=False)
    for n in result.notes:
        console.print(f"[yellow]note:[/yellow] {n}", highlight=False)
    for item in result.not_tested:
        console.print(f"[yellow]not tested:[/yellow] {item.source_path}: {item.reason}", highlight=False)
    t = totals(result)
    console.print(
        f"{t['files']} files in {result.elapsed_s:.1f} s: [green]{t['passed']} passed[/green], "
        + (f"[bold red]{t['failed']} failed[/bold red]" if t["failed"] else "0 failed")
        + (f", {t['not_tested']} source files not tested" if t["not_tested"] else "")
        + (f"; {t['warnings']} warnings need the real environment or a real run" if t["warnings"] else "")
        + f". Structure source: {result.structure_method}.", highlight=False)


def failure_lines(checks: Sequence[CheckResult]) -> list[str]:
    """``<check> line N: <message>`` for the errors of each failed check (at most ``MAX_FINDINGS`` each)."""
    out = []
    for check in checks:
        if check.status is not Status.FAILED or check.info_only:
            continue
        errors = check.errors
        if not errors:
            out.append(f"{check.name}: {check.summary}")
        for finding in errors[:MAX_FINDINGS]:
            where = f"line {finding.line}: " if finding.line is not None else ""
            out.append(f"{check.name}: {where}{' '.join(finding.message.split())}")
        if len(errors) > MAX_FINDINGS:
            out.append(f"{check.name}: ... and {len(errors) - MAX_FINDINGS} more (see the report)")
    return out
