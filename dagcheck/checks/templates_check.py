"""Check 4, ``templates``: every templated field of every task renders under Airflow 2.

The runtime renders each field for a fixed logical date with the DAG's own Jinja environment
(``StrictUndefined``, as Airflow does) in a scheduled run with an empty ``dag_run.conf`` and no XCom.
What fails the check:

- a name the Airflow 2 context does not define (``'tables' is undefined``): the context variables
  Airflow 2 removed (``tables``, ``end_date``, ``latest_date``, ...) and misspelt ones;
- a missing attribute or key of a value the DAG defines (``params.region_filter`` when the DAG has no
  such param: rendered as "" by 1.10, an error in Airflow 2), a template syntax error, a template file
  that is not found, any other exception.

What is a **warning**, not a failure, because the test runtime cannot know it and the real environment has
it: an Airflow Variable or Connection that does not exist in the test runtime, an ``[section] key`` of
Airflow's configuration it lacks, and values that only a real run provides: a key of ``dag_run.conf``
(given by whoever triggers the run) and anything derived from an XCom (``None`` in a test render).
"""

from __future__ import annotations

import re

from airflow_runtime.results import RenderFailure
from dagcheck.checks.import_check import import_completed
from dagcheck.checks.locate import key_access_line, key_access_pattern, template_line
from dagcheck.checks.model import CheckInput, CheckResult, Finding, Severity, skipped, verdict

NAME = "templates"
TITLE = "Templates"

# Context variables of Airflow 1.10 that Airflow 2 no longer provides, and what to use instead.
REMOVED_CONTEXT = {
    "tables": "removed in Airflow 2 (it was params['tables'] in 1.10): use params or dag_run.conf",
    "end_date": "removed in Airflow 2 (it was ds): use ds or data_interval_end",
    "END_DATE": "removed in Airflow 2 (it was ds): use ds or data_interval_end",
    "latest_date": "removed in Airflow 2 (it was ds): use ds",
}

_UNDEFINED_NAME = re.compile(r"UndefinedError: '(?P<name>\w+)' is undefined")
_NO_ATTRIBUTE = re.compile(r"UndefinedError: '(?P<owner>[^']*)' has no attribute '(?P<key>[^']+)'")
_VARIABLE = re.compile(r"Variable (?P<name>\S+) does not exist")
_CONFIG = re.compile(r"section/key \[(?P<key>[^\]]+)\] not found")
_CONF_OWNERS = ("dag_run.conf", "conf", "dag_run_conf")
_NONE_OWNERS = ("None", "NoneType")


def run(data: CheckInput) -> CheckResult:
    """The templates check of one file (module docstring)."""
    load = data.load
    if not import_completed(load):
        return skipped(NAME, "not rendered: the file does not import")
    findings = [classify(f, data.converted_text) for f in load.render_failures]
    if load.status != "ok":
        findings.append(Finding(None, f"rendering did not finish: {load.status}: {load.detail or ''}".strip()))
    findings.extend(_note_findings(load.notes))
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    summary = f"{errors} field{'s' if errors != 1 else ''} failed to render" if errors else "every field rendered"
    if warnings:
        summary += f"; {warnings} need{'s' if warnings == 1 else ''} the real environment or a real run"
    return verdict(NAME, findings, summary)


def classify(failure: RenderFailure, text: str | None) -> Finding:
    """A render failure as a finding: an error in the DAG, or a warning about the test environment."""
    where = f"task '{failure.task_id}' field '{failure.field}'"
    if failure.dag_id:
        where = f"DAG '{failure.dag_id}' {where}"
    error = failure.error
    if failure.kind in ("missing_variable", "missing_connection"):
        what = "Variable" if failure.kind == "missing_variable" else "Connection"
        match = _VARIABLE.search(error)
        line = template_line(text, match.group("name"), attribute=True) if match else None
        return Finding(line, f"{where}: Airflow {what} missing in the test runtime (expected in the real "
                             f"environment): {error}", Severity.WARNING)
    if failure.kind == "undefined":
        return _undefined(failure, where, text)
    if failure.kind == "error":
        if "NoneType" in error:
            return Finding(None, f"{where}: needs run-time data (an XCom or dag_run.conf value is None in a test "
                                 f"render): {error}", Severity.WARNING)
        config = _CONFIG.search(error)
        if config:
            return Finding(None, f"{where}: Airflow configuration [{config.group('key')}] is not set in the test "
                                 f"runtime (expected in the real environment): {error}", Severity.WARNING)
    kind = {"syntax": "template syntax error", "template_not_found": "template file not found"}.get(
        failure.kind, "does not render")
    return Finding(None, f"{where}: {kind}: {error}")


def _undefined(failure: RenderFailure, where: str, text: str | None) -> Finding:
    error = failure.error
    name = _UNDEFINED_NAME.search(error)
    if name:
        variable = name.group("name")
        hint = REMOVED_CONTEXT.get(variable, "not defined in the Airflow 2 template context")
        return Finding(template_line(text, variable), f"{where}: undefined template variable '{variable}': {hint}")
    attribute = _NO_ATTRIBUTE.search(error)
    if attribute:
        owner, key = attribute.group("owner"), attribute.group("key")
        if owner in _NONE_OWNERS:
            return Finding(None, f"{where}: needs run-time data (an XCom or dag_run.conf value is None in a test "
                                 f"render): {error}", Severity.WARNING)
        if owner == "dict object" and text and key_access_pattern(key, _CONF_OWNERS).search(text):
            return Finding(key_access_line(text, key, _CONF_OWNERS),
                           f"{where}: needs run-time data (dag_run.conf['{key}'] is given by whoever triggers the "
                           f"run; empty in a test render): {error}", Severity.WARNING)
        return Finding(template_line(text, key, attribute=True), f"{where}: undefined '{key}' of a {owner}: {error}")
    return Finding(None, f"{where}: undefined: {error}")


def _note_findings(notes: tuple[str, ...]) -> list[Finding]:
    """The loader's notes about rendering: a task whose templates were not rendered is an error."""
    out = []
    for note in notes:
        if "mapped task, templates not rendered" in note or "rendered with a hand-built context" in note:
            out.append(Finding(None, note, Severity.INFO))
        elif "templates not rendered" in note or "template rendering aborted" in note \
                or "cannot build a DagRun for rendering" in note:
            out.append(Finding(None, note))
    return out
