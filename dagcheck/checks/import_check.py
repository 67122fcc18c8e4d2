"""Check 1, ``import``: the converted file loads under Airflow 2's DagBag with no import error.

Fails with each import error Airflow recorded (its exception text, the file and the line in the DAG file),
or with what stopped the file from being read: a time limit (an endless loop or a network call at import
time), the memory limit, a crash of the child process. A file that imports but defines no DAG passes
(helpers live in DAG folders too) with a note: a DAG the conversion lost is the structure check's finding.
"""

from __future__ import annotations

from airflow_runtime.results import STATUS_IMPORT_ERROR, STATUS_OK, FileLoadResult
from dagcheck.checks.model import CheckInput, CheckResult, Finding, Severity, verdict

NAME = "import"
TITLE = "Import"
_RENDER_PHASE = "while rendering templates"


def import_completed(load: FileLoadResult) -> bool:
    """Whether the file's import finished (a time limit or crash may still have hit the rendering after it)."""
    if load.status in (STATUS_OK, STATUS_IMPORT_ERROR):
        return load.status == STATUS_OK
    if load.import_errors:
        return False
    return _RENDER_PHASE in (load.detail or "") or bool(load.dags) or bool(load.dag_ids)


def run(data: CheckInput) -> CheckResult:
    """The import check of one file (module docstring)."""
    load = data.load
    if import_completed(load):
        ids = ", ".join(load.dag_ids)
        findings = [] if load.dag_ids else [Finding(None, "no DAG object found in the file", Severity.INFO)]
        summary = f"{len(load.dag_ids)} DAG{'s' if len(load.dag_ids) != 1 else ''}" + (f": {ids}" if ids else "")
        return verdict(NAME, findings, summary)
    findings = [_error_finding(data.path, e.message, e.line) for e in load.import_errors]
    if not findings:
        findings.append(Finding(load.crash_line, f"{load.status}: {load.detail or 'no result'}"))
    return verdict(NAME, findings, f"{load.status}: the file does not load in Airflow 2")


def _error_finding(path: str, message: str, line: int | None) -> Finding:
    where = f"{path}:{line}" if line else path
    return Finding(line, f"{message.strip()} ({where})")
