"""Check 3, ``structure``: the converted DAGs have the structure their Airflow 1.10 source declared.

Compared (``dagcheck.compare``): dag ids, task ids, dependencies, schedule, catchup, start date, retries,
default_args and trigger rules, SubDAGs. The source side comes from **static analysis of the Airflow 1.10
source** (``dagcheck.static_structure``): Airflow 1.10 cannot run here. Each difference is a finding:
a mismatch fails the check; an allowed change of the conversion (a SubDAG turned into a TaskGroup, a
1.10 trigger rule under its Airflow 2 name) and anything the static analysis could not determine
("not compared") are listed as information, with the analysis' own notes.

Skipped, saying why, when the file does not import, when it has no source file (a file the conversion
added: nothing to compare with), or when the source does not parse.
"""

from __future__ import annotations

from dagcheck.checks.import_check import import_completed
from dagcheck.checks.model import CheckInput, CheckResult, Finding, Severity, skipped, verdict
from dagcheck.compare import ALLOWED, NOT_COMPARED, compare_files

NAME = "structure"
TITLE = "Structure"
METHOD = "static analysis of the Airflow 1.10 source"


def run(data: CheckInput) -> CheckResult:
    """The structure check of one file (module docstring)."""
    if not import_completed(data.load):
        return skipped(NAME, "not compared: the file does not import")
    if data.source is None or data.source_path is None:
        return skipped(NAME, f"not compared: no Airflow 1.10 source file at {data.path} in the source tree")
    if data.source.error:
        return skipped(NAME, f"not compared: the source could not be analysed ({data.source.error})")
    lines = {d.dag_id: d.source_line for d in data.source.dags}
    findings: list[Finding] = []
    for diff in compare_files(data.source.dags, data.load.dags):
        where = f" (source line {lines[diff.dag_id]})" if lines.get(diff.dag_id) else ""
        if diff.kind == ALLOWED:
            findings.append(Finding(None, f"DAG '{diff.dag_id}': allowed: {diff.message}", Severity.INFO))
        elif diff.kind == NOT_COMPARED:
            findings.append(Finding(None, f"DAG '{diff.dag_id}': {diff.message}", Severity.INFO))
        else:
            findings.append(Finding(None, f"DAG '{diff.dag_id}'{where}: {diff.message}", Severity.ERROR))
    findings.extend(Finding(None, f"source analysis: {note}", Severity.INFO) for note in data.source.notes)
    tasks = sum(len(d.task_ids) for d in data.source.dags)
    dags = len(data.source.dags)
    summary = (f"compared with {METHOD} {data.source_path}: {dags} DAG{'s' if dags != 1 else ''}, "
               f"{tasks} task{'s' if tasks != 1 else ''}")
    return verdict(NAME, findings, summary)
