"""Check 2, ``warnings``: the DAG file itself raises no Airflow deprecation warning under Airflow 2.

Counted, each with its line: the deprecation warnings (``RemovedInAirflow3Warning``,
``AirflowProviderDeprecationWarning``, ``DeprecationWarning``, ``PendingDeprecationWarning``,
``FutureWarning``) whose location is the converted file (a deprecated import, class or argument it uses;
the loader keeps only warnings located in the DAG file, so Airflow's own internal warnings never count),
and the deprecated context variables its templates read (``AirflowContextDeprecationWarning`` while
rendering, located at the template's line). Other warnings the file raises (``SyntaxWarning``,
``UserWarning``) are listed as information. When the file does not import, the check is skipped and
the warnings raised before the error are listed as information: the import error is the defect to fix.
"""

from __future__ import annotations

import re
from collections import defaultdict

from dagcheck.checks.import_check import import_completed
from dagcheck.checks.locate import template_line
from dagcheck.checks.model import CheckInput, CheckResult, Finding, Severity, skipped, verdict

NAME = "warnings"
TITLE = "Warnings"
_ACCESSING = re.compile(r"Accessing '(?P<name>\w+)' from the template")


def is_deprecation(category: str) -> bool:
    """Whether a warning category (``module.Name`` or a builtin name) is a deprecation."""
    name = category.rsplit(".", 1)[-1]
    return "Deprecat" in name or name.startswith("RemovedIn") or name == "FutureWarning"


def run(data: CheckInput) -> CheckResult:
    """The warnings check of one file (module docstring)."""
    load = data.load
    own = [Finding(w.lineno, f"{_short(w.category)}: {w.message}",
                   Severity.ERROR if is_deprecation(w.category) else Severity.INFO) for w in load.warnings]
    if not import_completed(load):
        info = tuple(Finding(f.line, f"raised before the import error: {f.message}", Severity.INFO) for f in own)
        return skipped(NAME, "not checked: the file does not import", info)
    findings = own + _render_findings(data)
    deprecations = sum(1 for f in findings if f.severity is Severity.ERROR)
    summary = f"{deprecations} deprecation warning{'s' if deprecations != 1 else ''}" if deprecations else \
        "no deprecation warning"
    return verdict(NAME, findings, summary)


def _render_findings(data: CheckInput) -> list[Finding]:
    """Deprecation warnings raised while rendering, one finding per message with the fields that raised it."""
    fields: dict[tuple[str, str], list[str]] = defaultdict(list)
    for w in data.load.render_warnings:
        fields[(w.category, w.message)].append(f"{w.task_id}.{w.field}")
    out = []
    for (category, message), where in fields.items():
        match = _ACCESSING.search(message)
        line = template_line(data.converted_text, match.group("name")) if match else None
        shown = ", ".join(where[:5]) + (f" and {len(where) - 5} more" if len(where) > 5 else "")
        severity = Severity.ERROR if is_deprecation(category) else Severity.INFO
        out.append(Finding(line, f"{_short(category)}: {message} (template of {shown})", severity))
    return out


def _short(category: str) -> str:
    return category.rsplit(".", 1)[-1]
