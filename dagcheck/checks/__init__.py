"""The checks of the test stage, one module each, run on every converted DAG file.

| name | module | fails a DAG |
| --- | --- | --- |
| ``import`` | ``import_check`` | yes: an import error, time limit, memory limit or crash |
| ``warnings`` | ``warnings_check`` | yes: a deprecation warning raised by the DAG file itself |
| ``structure`` | ``structure_check`` | yes: a difference from the Airflow 1.10 source's structure |
| ``templates`` | ``templates_check`` | yes: a templated field that does not render (undefined variable, ...) |
| ``airflow3_lint`` | ``airflow3_lint`` | never: ruff's AIR rules, information for Airflow 3 readiness |

A file passes when none of the first four failed (``file_passed``). Each check is a pure function of a
``CheckInput``; ``run_checks`` runs them all and turns a bug in one check into that check's failure,
so a file never loses its other results. Standard library only (no Airflow, no subprocess here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dagcheck.checks import airflow3_lint, import_check, structure_check, templates_check, warnings_check
from dagcheck.checks.model import (
    CheckInput,
    CheckResult,
    Finding,
    LintFinding,
    LintOutcome,
    Severity,
    Status,
)

__all__ = [
    "CHECKS",
    "Check",
    "CheckInput",
    "CheckResult",
    "Finding",
    "LintFinding",
    "LintOutcome",
    "Severity",
    "Status",
    "file_passed",
    "run_checks",
]


@dataclass(frozen=True)
class Check:
    """One check: its stable ``name`` (reports, JSON), a ``title`` for people, and its function."""

    name: str
    title: str
    run: Callable[[CheckInput], CheckResult]
    info_only: bool = False


ImportCheck = Check(import_check.NAME, import_check.TITLE, import_check.run)
WarningsCheck = Check(warnings_check.NAME, warnings_check.TITLE, warnings_check.run)
StructureCheck = Check(structure_check.NAME, structure_check.TITLE, structure_check.run)
TemplatesCheck = Check(templates_check.NAME, templates_check.TITLE, templates_check.run)
Airflow3LintCheck = Check(airflow3_lint.NAME, airflow3_lint.TITLE, airflow3_lint.run, info_only=True)

CHECKS: tuple[Check, ...] = (ImportCheck, WarningsCheck, StructureCheck, TemplatesCheck, Airflow3LintCheck)
TITLES = {c.name: c.title for c in CHECKS}


def run_checks(data: CheckInput, checks: Iterable[Check] = CHECKS) -> tuple[CheckResult, ...]:
    """Every check on one file, in order; a check that raises becomes a failed result naming the bug."""
    results = []
    for check in checks:
        try:
            results.append(check.run(data))
        except Exception as exc:  # noqa: BLE001 - isolation boundary: one check's bug must not lose the file
            status = Status.SKIPPED if check.info_only else Status.FAILED
            results.append(CheckResult(check.name, status, f"the check itself failed: {type(exc).__name__}: {exc}",
                                       (Finding(None, f"internal error in check '{check.name}': "
                                                      f"{type(exc).__name__}: {exc}"),),
                                       check.info_only))
    return tuple(results)


def file_passed(results: Iterable[CheckResult]) -> bool:
    """A file passes when no check that counts (all but the information-only ones) failed."""
    return all(r.passed for r in results if not r.info_only)
