"""DAG ids defined in more than one file of a tree: each such file fails its import check, naming the others.

Why: each file is loaded on its own (a forked child per file), so each loads clean. In one DAG folder,
Airflow 2's DagBag keeps the DAG of whichever file it parses first and records an import error
(``AirflowDagDuplicatedIdException``) for the other: which DAG runs depends on parse order, and the
migration would deploy one file's DAG under the other's name. Every file involved is marked, not only the
second one: the fix (rename one, or delete one) is a person's decision. Pure; standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from dagcheck.checks import import_check
from dagcheck.checks.model import Finding, verdict

if TYPE_CHECKING:
    from dagcheck.stage import FileTestResult


def duplicate_dag_ids(files: Iterable[FileTestResult]) -> dict[str, dict[str, tuple[str, ...]]]:
    """``{path: {dag_id: (other paths defining it, sorted)}}`` for every file sharing a DAG id with another."""
    owners: dict[str, list[str]] = {}
    for result in files:
        for dag_id in dict.fromkeys(result.dag_ids):
            owners.setdefault(dag_id, []).append(result.path)
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for dag_id, paths in owners.items():
        if len(paths) < 2:
            continue
        for path in paths:
            found.setdefault(path, {})[dag_id] = tuple(sorted(p for p in paths if p != path))
    return found


def dag_id_line(text: str | None, dag_id: str) -> int | None:
    """The first line of ``text`` holding ``dag_id`` as a string literal (where the DAG is named), or None."""
    if not text:
        return None
    pattern = re.compile(r"""(['"])""" + re.escape(dag_id) + r"\1")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    return None


def mark_duplicates(files: tuple[FileTestResult, ...],
                    text_of: Callable[[str], str | None]) -> tuple[FileTestResult, ...]:
    """``files`` with the import check of every file sharing a DAG id failed, naming the other file(s) and the
    line naming the DAG. ``text_of(path)``: the converted file's text (for that line)."""
    duplicates = duplicate_dag_ids(files)
    if not duplicates:
        return files
    marked = []
    for result in files:
        shared = duplicates.get(result.path)
        if not shared:
            marked.append(result)
            continue
        text = text_of(result.path)
        findings = []
        for dag_id, others in sorted(shared.items()):
            line = dag_id_line(text, dag_id)
            where = f"{result.path}:{line}" if line else result.path
            findings.append(Finding(line, (
                f"DAG id {dag_id!r} is also defined in {', '.join(others)}: in one DAG folder Airflow 2 keeps the "
                "DAG of the file it parses first and reports the other as an import error "
                f"(AirflowDagDuplicatedIdException); rename one or remove one ({where})")))
        checks = []
        for check in result.checks:
            if check.name == import_check.NAME:
                check = verdict(check.name, list(check.findings) + findings,
                                f"duplicate DAG id(s): {', '.join(sorted(shared))}")
            checks.append(check)
        marked.append(replace(result, checks=tuple(checks)))
    return tuple(marked)
