"""What a check is given and what it answers: frozen, JSON-friendly, standard library only.

A check is a pure function of one ``CheckInput`` (what the runtime found about one converted file, the
static structure of its Airflow 1.10 source, its text, its lint findings) to one ``CheckResult``.

- ``Finding``: one thing a check found, with the converted file's line when known. ``severity``:
  ``error`` (fails the check), ``warning`` (shown, does not fail: e.g. a Variable missing from the test
  runtime), ``info`` (context: an allowed difference, a note of the analysis, a lint hint).
- ``CheckResult.status``: ``passed``, ``failed``, ``skipped`` (could not run or does not apply, with the
  reason as ``summary``) or ``info`` (an information-only check that found something).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from airflow_runtime.results import FileLoadResult
from dagcheck.static_structure import StaticExtraction


class Status(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    INFO = "info"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One finding of a check; ``line`` is a line of the converted file (None when it has none)."""

    line: int | None
    message: str
    severity: Severity = Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message, "severity": self.severity.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(line=data.get("line"), message=data.get("message", ""),
                   severity=Severity(data.get("severity", Severity.ERROR.value)))


@dataclass(frozen=True)
class CheckResult:
    """The answer of one check for one file."""

    name: str
    status: Status
    summary: str = ""
    findings: tuple[Finding, ...] = ()
    info_only: bool = False

    @property
    def passed(self) -> bool:
        """True unless the check failed (a skipped or information-only check does not fail a file)."""
        return self.status is not Status.FAILED

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status.value, "passed": self.passed, "summary": self.summary,
                "info_only": self.info_only, "findings": [f.to_dict() for f in self.findings]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(name=data["name"], status=Status(data["status"]), summary=data.get("summary", ""),
                   findings=tuple(Finding.from_dict(f) for f in data.get("findings", ())),
                   info_only=bool(data.get("info_only", False)))


def verdict(name: str, findings: list[Finding] | tuple[Finding, ...], summary: str) -> CheckResult:
    """``failed`` when any finding is an error, else ``passed``; findings sorted by line, errors first."""
    ordered = tuple(sorted(findings, key=_finding_order))
    failed = any(f.severity is Severity.ERROR for f in ordered)
    return CheckResult(name, Status.FAILED if failed else Status.PASSED, summary, ordered)


def skipped(name: str, why: str, findings: tuple[Finding, ...] = (), *, info_only: bool = False) -> CheckResult:
    return CheckResult(name, Status.SKIPPED, why, tuple(sorted(findings, key=_finding_order)), info_only)


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _finding_order(f: Finding) -> tuple[int, int, str]:
    return _SEVERITY_ORDER[f.severity], f.line if f.line is not None else 1 << 30, f.message


@dataclass(frozen=True)
class LintFinding:
    """One ruff diagnostic on a converted file (see ``dagcheck.checks.ruff``)."""

    code: str
    message: str
    line: int | None = None
    fix_message: str | None = None  # what ruff's --fix would write (Airflow 3 paths): shown, never applied


@dataclass(frozen=True)
class LintOutcome:
    """Ruff's findings for one file, or why lint did not run (``error``)."""

    findings: tuple[LintFinding, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class CheckInput:
    """Everything the checks of one converted file may read.

    ``path``: the converted file, relative to the output tree. ``load``: what the Airflow 2 runtime found.
    ``converted_text``: the converted file's text (for locating a template's line), None if unreadable.
    ``source_path``/``source``: the Airflow 1.10 source file (relative to the source tree) and its static
    extraction; both None when the converted file has no source. ``lint``: ruff's outcome, None if not run.
    """

    path: str
    load: FileLoadResult
    converted_text: str | None = None
    source_path: str | None = None
    source: StaticExtraction | None = None
    lint: LintOutcome | None = None
