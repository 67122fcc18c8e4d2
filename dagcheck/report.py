"""Test-stage reports: JSON (versioned schema, ``kind: "test-report"``), Markdown and a self-contained HTML page.

Per file: whether it passed, each check's status, summary and findings (line, message, severity); totals
per check; the files that were not tested; how to read the results (what fails a DAG, what is only a
warning, where the source structure came from). Every report is written atomically.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path
from typing import Any

from dagcheck.checks import CHECKS, TITLES
from dagcheck.checks.model import CheckResult, Severity, Status
from dagcheck.stage import FileTestResult, StageResult
from dagconvert.runner import write_atomic

SCHEMA_VERSION = 1
KIND = "test-report"
FORMATS = {".json": "json", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}

POLICY = {
    "passes_when": "a DAG file passes when the import, warnings, structure and templates checks do not fail; "
                   "airflow3_lint is information only",
    "structure": "the Airflow 1.10 source's structure comes from static analysis of its source text (Airflow 1.10 "
                 "cannot run here); a SubDAG turned into a TaskGroup and 1.10 trigger rules under their Airflow 2 "
                 "names are allowed, reported differences; what the analysis could not determine is "
                 "'not compared'",
    "templates": "an undefined template variable fails; an Airflow Variable, Connection or configuration option "
                 "missing from the test runtime, and values only a real run provides (dag_run.conf keys, XCom "
                 "results), are warnings: the real environment has them",
    "warnings": "deprecation warnings located in the DAG file itself fail (imports, classes, arguments, "
                "deprecated template variables); other warnings are information",
    "lint": "ruff's AIR rules, detection only (ruff's fixes write Airflow 3 paths that do not exist on "
            "Airflow 2)",
}

_MARK = {Status.PASSED: "pass", Status.FAILED: "FAIL", Status.SKIPPED: "-", Status.INFO: "info"}


# ---------------------------------------------------------------- JSON


def totals(result: StageResult) -> dict[str, Any]:
    per_check: dict[str, Counter[str]] = {c.name: Counter() for c in CHECKS}
    for f in result.files:
        for c in f.checks:
            per_check.setdefault(c.name, Counter())[c.status.value] += 1
    return {
        "files": len(result.files),
        "passed": len(result.passed),
        "failed": len(result.failed),
        "not_tested": len(result.not_tested),
        "warnings": sum(c.count(Severity.WARNING) for f in result.files for c in f.checks if not c.info_only),
        "checks": {name: {s.value: counts.get(s.value, 0) for s in Status} for name, counts in per_check.items()},
    }


def to_json(result: StageResult) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "kind": KIND,
        "out_root": result.out_dir,
        "source_root": result.source_dir,
        "profile": result.profile,
        "airflow_version": result.airflow_version,
        "logical_date": result.logical_date,
        "structure_source": result.structure_method,
        "lint_tool": result.lint_tool,
        "elapsed_s": result.elapsed_s,
        "timings": dict(result.timings),
        "policy": POLICY,
        "checks": [{"name": c.name, "title": c.title, "info_only": c.info_only} for c in CHECKS],
        "totals": totals(result),
        "notes": list(result.notes),
        "files": [f.to_dict() for f in result.files],
        "not_tested": [n.to_dict() for n in result.not_tested],
    }


# ---------------------------------------------------------------- Markdown


def _cell(text: str) -> str:
    """One Markdown table cell or list item: one line, no pipes, no HTML, no stray emphasis."""
    flat = " ".join(str(text).split())
    return flat.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*")


def _check_cell(check: CheckResult | None) -> str:
    if check is None:
        return ""
    mark = _MARK[check.status]
    errors, warnings = check.count(Severity.ERROR), check.count(Severity.WARNING)
    if check.info_only:
        return str(len(check.findings)) if check.findings else ("-" if check.status is Status.SKIPPED else "0")
    extra = f" ({errors})" if check.status is Status.FAILED and errors else ""
    extra += f" +{warnings} warn" if warnings else ""
    return mark + extra


def _line(line: int | None) -> str:
    return f"line {line}: " if line is not None else ""


def to_markdown(result: StageResult) -> str:
    t = totals(result)
    lines = [
        "# Test report",
        "",
        f"- converted tree: `{result.out_dir}`",
        f"- source tree: `{result.source_dir}`",
        f"- target profile: `{result.profile}` (Airflow {result.airflow_version or 'unknown'})",
        f"- templates rendered for the logical date {result.logical_date}",
        f"- structure of the sources: {result.structure_method}",
        f"- result: **{t['passed']} of {t['files']} files pass**, {t['failed']} fail"
        + (f", {t['not_tested']} source files not tested" if t["not_tested"] else "")
        + f"; {t['warnings']} warnings need the real environment or a real run ({result.elapsed_s:.1f} s)",
        "",
        "How to read it: " + POLICY["passes_when"] + ". Templates: " + POLICY["templates"] + ". Warnings: "
        + POLICY["warnings"] + ". Lint: " + POLICY["lint"] + ".",
        "",
    ]
    lines += [f"> note: {n}" for n in result.notes]
    lines += ["", "## Files", "", "| file | result | " + " | ".join(c.title for c in CHECKS) + " |",
              "| --- | --- | " + " | ".join("---" for _ in CHECKS) + " |"]
    for f in result.files:
        cells = [_check_cell(f.check(c.name)) for c in CHECKS]
        lines.append(f"| `{_cell(f.path)}` | {'pass' if f.passed else '**FAIL**'} | " + " | ".join(cells) + " |")
    lines += ["", "## Checks", "", "| check | passed | failed | skipped |", "| --- | ---: | ---: | ---: |"]
    for c in CHECKS:
        counts = t["checks"][c.name]
        lines.append(f"| {c.title} | {counts['passed'] + counts['info']} | {counts['failed']} | {counts['skipped']} |")
    failed = result.failed
    if failed:
        lines += ["", "## Failures", ""]
        for f in failed:
            lines += _file_details_md(f, failures_only=True)
    warned = [f for f in result.files if any(c.count(Severity.WARNING) for c in f.checks if not c.info_only)]
    if warned:
        lines += ["", "## Warnings (not failures)", ""]
        for f in warned:
            for c in f.checks:
                for x in c.findings:
                    if x.severity is Severity.WARNING:
                        lines.append(f"- `{f.path}` {TITLES.get(c.name, c.name)}: {_line(x.line)}{_cell(x.message)}")
    if result.not_tested:
        lines += ["", "## Not tested", ""]
        lines += [f"- `{n.source_path}`: {n.reason}" for n in result.not_tested]
    lines += ["", "## Details", ""]
    for f in result.files:
        details = _file_details_md(f, failures_only=False)
        if details:
            lines += details
    return "\n".join(lines).rstrip() + "\n"


def _file_details_md(f: FileTestResult, *, failures_only: bool) -> list[str]:
    """The checks of one file with their findings: only failed checks' errors, or every non-lint finding."""
    out: list[str] = []
    for c in f.checks:
        if c.info_only:
            continue
        if failures_only and c.status is not Status.FAILED:
            continue
        shown = c.errors if failures_only else c.findings
        if not shown and not failures_only:
            continue
        out.append(f"- {TITLES.get(c.name, c.name)} ({c.status.value}): {_cell(c.summary)}")
        out += [f"  - {x.severity.value}: {_line(x.line)}{_cell(x.message)}" for x in shown]
    if not out:
        return []
    source = f" (source `{f.source_path}`)" if f.source_path else " (no source file)"
    return [f"### `{f.path}`{source}", "", *out, ""]


# ---------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.passed,.pass{background:#e6f4ea}.failed,.FAIL{background:#fce8e6}.skipped{color:#888}.info{background:#eef3fb}
.error{color:#a50e0e}.warning{color:#8a5a00}.muted{color:#666}
code{background:#f6f6f6;padding:0 .2em}
details{margin:.4em 0}summary{cursor:pointer}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def to_html(result: StageResult) -> str:
    t = totals(result)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Test report: {_e(result.out_dir)}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Test report</h1>",
        "<ul>",
        f"<li>converted tree: <code>{_e(result.out_dir)}</code></li>",
        f"<li>source tree: <code>{_e(result.source_dir)}</code></li>",
        f"<li>target profile: <code>{_e(result.profile)}</code> (Airflow {_e(result.airflow_version or 'unknown')})</li>",
        f"<li>templates rendered for the logical date {_e(result.logical_date)}</li>",
        f"<li>structure of the sources: {_e(result.structure_method)}</li>",
        (f"<li>result: <strong>{t['passed']} of {t['files']} files pass</strong>, {t['failed']} fail, "
         f"{t['not_tested']} source files not tested; {t['warnings']} warnings need the real environment or a real "
         f"run ({result.elapsed_s:.1f} s)</li>"),
        "</ul>",
        "<p>" + _e(". ".join(f"{k}: {v}" for k, v in POLICY.items())) + ".</p>",
    ]
    parts += [f'<p class="warning">note: {_e(n)}</p>' for n in result.notes]
    parts.append("<table><thead><tr><th>file</th><th>result</th>"
                 + "".join(f"<th>{_e(c.title)}</th>" for c in CHECKS) + "</tr></thead><tbody>")
    for i, f in enumerate(result.files):
        row = [f'<td><a href="#f{i}">{_e(f.path)}</a></td>']
        row.append(f'<td class="{"pass" if f.passed else "FAIL"}">{"pass" if f.passed else "FAIL"}</td>')
        for c in CHECKS:
            check = f.check(c.name)
            css = check.status.value if check else ""
            row.append(f'<td class="{css}">{_e(_check_cell(check))}</td>')
        parts.append("<tr>" + "".join(row) + "</tr>")
    parts.append("</tbody></table>")
    if result.not_tested:
        parts.append("<h2>Not tested</h2><ul>")
        parts += [f"<li><code>{_e(n.source_path)}</code>: {_e(n.reason)}</li>" for n in result.not_tested]
        parts.append("</ul>")
    parts.append("<h2>Files</h2>")
    for i, f in enumerate(result.files):
        source = f"source <code>{_e(f.source_path)}</code>" if f.source_path else "no source file"
        parts.append(f'<details id="f{i}"{" open" if not f.passed else ""}><summary><code>{_e(f.path)}</code> '
                     f'<span class="{"pass" if f.passed else "FAIL"}">{"pass" if f.passed else "FAIL"}</span> '
                     f'<span class="muted">({source}; {f.status}, {f.elapsed_s:.2f} s)</span></summary><ul>')
        for c in f.checks:
            parts.append(f'<li><span class="{c.status.value}">{_e(c.name)}: {_e(c.status.value)}</span> '
                         f"{_e(c.summary)}")
            if c.findings:
                parts.append("<ul>" + "".join(
                    f'<li class="{x.severity.value}">{_e(x.severity.value)}: {_e(_line(x.line))}{_e(x.message)}</li>'
                    for x in c.findings) + "</ul>")
            parts.append("</li>")
        parts.append("</ul></details>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- writing


def report_format(path: Path) -> str:
    """``json``, ``markdown`` or ``html`` from the file name; ValueError for anything else."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: a report is .json, .md or .html")
    return fmt


def render(result: StageResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_json(result), indent=2, sort_keys=False) + "\n"
    if fmt == "markdown":
        return to_markdown(result)
    if fmt == "html":
        return to_html(result)
    raise ValueError(f"unknown report format {fmt!r}")


def write_report(result: StageResult, path: Path) -> None:
    """Write one report, its format chosen by the suffix (atomic: a reader never sees half a file)."""
    write_atomic(Path(path), render(result, report_format(path)).encode("utf-8"))
