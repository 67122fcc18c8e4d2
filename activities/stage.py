"""Convert and test activities: the engine over the wave's files, heartbeating progress.

Both are idempotent: the output tree of a wave is rewritten from its sources each time (atomic writes),
and files no longer in the wave are removed from it, so a retry after a worker crash redoes the work
and ends in the same state. Reports go to ``<out_dir>/reports``; only per-file summaries (path,
sha256, counts, a short reason) go back into history.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.heartbeat import Progress
from activities.io import ConvertRequest, ReportFiles, ReportRequest, TestRequest, short
from waves.model import ConvertedFile, ConvertSummary, TestedFile, TestSummary

MAX_REDACT_SOURCE_BYTES = 6 * 1024 * 1024


def dags_dir(out_dir: str) -> Path:
    return Path(out_dir) / "dags"


def reports_dir(out_dir: str) -> Path:
    return Path(out_dir) / "reports"


def _remove_stale(root: Path, keep: set[str]) -> None:
    if not root.is_dir():
        return
    for path in root.rglob("*"):
        if path.is_file() and path.relative_to(root).as_posix() not in keep:
            path.unlink()


@activity.defn(name="convert_files")
def convert_files(request: ConvertRequest) -> ConvertSummary:
    """Convert the wave's files into ``<out_dir>/dags`` and write the conversion report."""
    from dagconvert.model import FileStatus
    from dagconvert.report import write_report
    from dagconvert.runner import TreeResult, check_trees, convert_file
    from target_profiles import load_profile

    started = time.perf_counter()
    source, out = Path(request.source_dir), dags_dir(request.out_dir)
    try:
        check_trees(source, out)
        profile = load_profile(request.profile)
    except Exception as exc:  # a bad tree or profile will not get better by retrying
        raise ApplicationError(f"cannot convert wave {request.wave}: {exc}", type="BadWaveInput",
                               non_retryable=True) from exc
    out.mkdir(parents=True, exist_ok=True)
    _remove_stale(out, {f.path for f in request.files})
    results, summaries = [], []
    with Progress("convert", len(request.files)) as progress:
        for wave_file in request.files:
            result = convert_file(source / wave_file.path, wave_file.path, out, profile.name, with_diff=True)
            results.append(result)
            ok = result.status is not FileStatus.ERROR
            digest = hashlib.sha256((out / wave_file.path).read_bytes()).hexdigest() if ok else ""
            error = _without_source(result.error or "", source / wave_file.path)
            summaries.append(ConvertedFile(path=wave_file.path, ok=ok, sha256=digest, changes=len(result.changes),
                                           todos=len(result.todos), error=short(error)))
            progress.step(wave_file.path)
    tree = TreeResult(str(source), str(out), profile.name, tuple(results), time.perf_counter() - started)
    reports = reports_dir(request.out_dir)
    reports.mkdir(parents=True, exist_ok=True)
    write_report(tree, reports / "conversion.md")
    write_report(tree, reports / "conversion.json")
    return ConvertSummary(files=tuple(summaries), report_md=str(reports / "conversion.md"),
                          elapsed_s=round(time.perf_counter() - started, 3))


def _read_text(path: Path) -> str:
    """A DAG file's text for redaction ("" when unreadable; beyond the converter's size limit nothing is quoted)."""
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_REDACT_SOURCE_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _without_source(message: str, *paths: Path, keep: tuple[str, ...] = ()) -> str:
    """The message without the DAG source text or credentials it quotes: reasons go into workflow history,
    the full messages stay in the reports on disk (security/redact.py, docs/security.md)."""
    if not message:
        return message
    from security.redact import redact

    return redact(message, [_read_text(p) for p in paths], keep=keep)


def _reason(result, *paths: Path) -> str:
    from dagcheck.checks.model import Severity

    def clean(text: str) -> str:
        return short(_without_source(text, *paths, keep=tuple(result.dag_ids)))

    if result.detail and not result.checks:
        return clean(result.detail)
    for check in result.checks:
        if check.info_only or check.passed:
            continue
        errors = [f for f in check.findings if f.severity is Severity.ERROR] or list(check.findings)
        if errors:
            first = errors[0]
            where = f"line {first.line}: " if first.line else ""
            return clean(f"{check.name}: {where}{first.message}")
        return clean(f"{check.name}: {check.summary}")
    return clean(result.detail or "")


@activity.defn(name="test_files")
def test_files(request: TestRequest) -> TestSummary:
    """Run the test stage (real Airflow 2 runtime of the profile) over ``<out_dir>/dags``; write its reports."""
    from airflow_runtime.build import RuntimeNotBuiltError
    from dagcheck.report import write_report
    from dagcheck.stage import StageError, run_test_stage

    started = time.perf_counter()
    try:
        with Progress("test") as progress:
            stage = run_test_stage(dags_dir(request.out_dir), Path(request.source_dir), request.profile,
                                   on_start=progress.total, on_result=lambda result: progress.step(result.path))
    except (StageError, RuntimeNotBuiltError) as exc:
        raise ApplicationError(f"cannot test wave {request.wave}: {exc}", type="TestStageUnusable",
                               non_retryable=True) from exc
    reports = reports_dir(request.out_dir)
    reports.mkdir(parents=True, exist_ok=True)
    for name in ("test.html", "test.md", "test.json"):
        write_report(stage, reports / name)
    out, source = dags_dir(request.out_dir), Path(request.source_dir)
    files = tuple(TestedFile(path=f.path, passed=f.passed, dag_ids=tuple(f.dag_ids),
                             reason="" if f.passed else _reason(f, out / f.path, source / (f.source_path or f.path)))
                  for f in stage.files)
    return TestSummary(files=files, report_html=str(reports / "test.html"),
                       elapsed_s=round(time.perf_counter() - started, 3))


@activity.defn(name="write_wave_report")
def write_wave_report(request: ReportRequest) -> ReportFiles:
    """The wave report (Markdown + HTML) from the workflow's final status; atomic writes."""
    from dagconvert.runner import write_atomic
    from waves.report import render_html, render_markdown

    reports = reports_dir(request.status.out_dir)
    md, html = reports / "wave.md", reports / "wave.html"
    write_atomic(md, render_markdown(request.status).encode())
    write_atomic(html, render_html(request.status).encode())
    return ReportFiles(markdown=str(md), html=str(html))
