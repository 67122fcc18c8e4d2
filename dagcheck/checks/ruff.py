"""Run ruff's Airflow rules (``AIR``) over converted files, once for a whole batch: detection only.

``ruff check --select AIR --output-format json --isolated --no-cache --exit-zero FILE...``: isolated, so a
config file in the DAG tree cannot change the rules; no cache, so nothing is written into the tree; never
``--fix``, because ruff's fixes write Airflow 3 paths (``airflow.sdk``, ``airflow.providers.standard``)
that do not exist on Airflow 2. ``start_lint`` starts ruff in the background (it runs while the Airflow
runtime starts); ``LintRun.results()`` waits and returns one ``LintOutcome`` per file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dagcheck.checks.model import LintFinding, LintOutcome

_CHUNK = 400  # files per ruff command line
TIMEOUT_S = 300.0


def ruff_executable() -> str | None:
    """The ruff next to this Python (the project venv), else one on PATH."""
    sibling = Path(sys.executable).parent / "ruff"
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return str(sibling)
    return shutil.which("ruff")


def ruff_version(executable: str | None = None) -> str | None:
    exe = executable or ruff_executable()
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    return out.stdout.strip() or None


@dataclass
class LintRun:
    """Ruff processes started over chunks of files; ``results`` collects them."""

    files: tuple[Path, ...]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    error: str | None = None

    def cancel(self) -> None:
        """Stop every ruff process (the stage could not run)."""
        for proc in self.processes:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()

    def results(self) -> dict[Path, LintOutcome]:
        """One outcome per file (absolute path); a failed ruff gives each file an outcome with ``error``."""
        findings: dict[Path, list[LintFinding]] = {f: [] for f in self.files}
        error = self.error
        for proc in self.processes:
            try:
                out, err = proc.communicate(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                error = error or f"ruff did not finish within {TIMEOUT_S:g} s"
                continue
            if proc.returncode != 0:
                error = error or f"ruff exited with {proc.returncode}: {err.decode(errors='replace').strip()[:500]}"
                continue
            try:
                for item in json.loads(out or b"[]"):
                    _add(findings, item)
            except (ValueError, TypeError, KeyError) as exc:
                error = error or f"unreadable ruff output: {exc}"
        if error:
            return {f: LintOutcome(error=error) for f in self.files}
        return {f: LintOutcome(tuple(sorted(items, key=lambda i: (i.line or 0, i.code))))
                for f, items in findings.items()}


def start_lint(files: Sequence[Path], *, cwd: Path | None = None) -> LintRun:
    """Start ruff over ``files`` (absolute paths) in the background."""
    run = LintRun(tuple(files))
    exe = ruff_executable()
    if exe is None:
        run.error = "ruff is not installed (pip install ruff)"
        return run
    base = [exe, "check", "--select", "AIR", "--output-format", "json", "--isolated", "--no-cache", "--exit-zero",
            "--quiet"]
    try:
        for start in range(0, len(files), _CHUNK):
            chunk = [str(f) for f in files[start:start + _CHUNK]]
            run.processes.append(subprocess.Popen([*base, *chunk], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                  stdin=subprocess.DEVNULL, cwd=cwd))
    except OSError as exc:
        run.error = f"ruff could not be started: {exc}"
    return run


def _add(findings: dict[Path, list[LintFinding]], item: dict) -> None:
    path = Path(item["filename"])
    if path not in findings:
        return
    fix = item.get("fix") or {}
    location = item.get("location") or {}
    findings[path].append(LintFinding(code=item.get("code") or "", message=item.get("message") or "",
                                      line=location.get("row"), fix_message=fix.get("message")))
