"""Check 5, ``airflow3_lint``: ruff's Airflow rules (``AIR``) on the converted file, as information only.

These are readiness hints for a later move to Airflow 3 (names that Airflow 3 moved or removed), not
defects on Airflow 2: the check never fails a file. What ruff's fix would write is shown, never applied
(its Airflow 3 paths do not exist on Airflow 2). Ruff is run by ``dagcheck.checks.ruff``.
"""

from __future__ import annotations

from dagcheck.checks.model import CheckInput, CheckResult, Finding, Severity, Status, skipped

NAME = "airflow3_lint"
TITLE = "Airflow 3 lint"


def run(data: CheckInput) -> CheckResult:
    """The lint check of one file (module docstring)."""
    lint = data.lint
    if lint is None:
        return skipped(NAME, "not run", info_only=True)
    if lint.error:
        return skipped(NAME, f"not run: {lint.error}", info_only=True)
    findings = tuple(
        Finding(f.line, f"{f.code} {f.message}" + (f" (Airflow 3: {f.fix_message})" if f.fix_message else ""),
                Severity.INFO)
        for f in lint.findings)
    if not findings:
        return CheckResult(NAME, Status.PASSED, "no AIR finding", (), info_only=True)
    codes = sorted({f.code for f in lint.findings})
    n = len(findings)
    return CheckResult(NAME, Status.INFO, f"{n} AIR finding{'s' if n != 1 else ''} ({', '.join(codes)})",
                       findings, info_only=True)
