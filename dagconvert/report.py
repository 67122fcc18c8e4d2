"""Conversion reports: JSON (versioned schema, for machines) and Markdown (for people).

Per file: status, the rules applied with line numbers, the TODOs, the unified diff; totals per rule.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from dagconvert.model import FileStatus
from dagconvert.runner import TreeResult, write_atomic

SCHEMA_VERSION = 1


def rule_totals(result: TreeResult) -> dict[str, dict[str, int]]:
    changes: Counter = Counter()
    todos: Counter = Counter()
    for f in result.files:
        changes.update(c.rule for c in f.changes)
        todos.update(t.rule for t in f.todos)
    return {rule: {"changes": changes.get(rule, 0), "todos": todos.get(rule, 0)}
            for rule in sorted(set(changes) | set(todos))}


def to_json(result: TreeResult) -> dict:
    return {
        "schema": SCHEMA_VERSION,
        "kind": "conversion-report",
        "source_root": result.source_root,
        "output_root": result.output_root,
        "profile": result.profile,
        "elapsed_s": round(result.elapsed_s, 3),
        "totals": {
            "files": len(result.files),
            **{status.value: result.count(status) for status in FileStatus},
            "changes": sum(len(f.changes) for f in result.files),
            "todos": sum(len(f.todos) for f in result.files),
        },
        "rules": rule_totals(result),
        "files": [f.to_dict() for f in result.files],
    }


def to_markdown(result: TreeResult, *, include_diffs: bool = True) -> str:
    from dagconvert.rules import all_rules

    names = {r.code: r.name for r in all_rules()}
    data = to_json(result)
    t = data["totals"]
    lines = [
        "# Conversion report",
        "",
        f"- source: `{result.source_root}`",
        f"- output: `{result.output_root or '(dry run)'}`",
        f"- target profile: `{result.profile}`",
        (f"- files: {t['files']} ({t['converted']} converted, {t['unchanged']} unchanged, "
         f"{t['not_a_dag']} not DAG files, {t['error']} errors) in {result.elapsed_s:.2f} s"),
        f"- changes applied: {t['changes']}; TODOs left for a person: {t['todos']}",
        "",
        "## Rules",
        "",
        "| rule | name | changes | TODOs |",
        "| --- | --- | ---: | ---: |",
    ]
    for code, counts in data["rules"].items():
        lines.append(f"| {code} | {names.get(code, '')} | {counts['changes']} | {counts['todos']} |")
    errors = result.errors
    if errors:
        lines += ["", "## Errors", ""]
        lines += [f"- `{f.path}`: {f.error}" for f in errors]
    lines += ["", "## Files", ""]
    for f in result.files:
        if f.status is FileStatus.UNCHANGED and not f.todos:
            continue
        lines += [f"### `{f.path}` ({f.status.value})", ""]
        if f.error:
            lines += [f"Error: {f.error}", ""]
        for c in f.changes:
            lines.append(f"- line {c.line}: {c.rule} {c.message}")
        for todo in f.todos:
            lines.append(f"- **TODO** line {todo.line}: {todo.rule} {todo.message}")
        if include_diffs and f.diff:
            lines += ["", "```diff", f.diff.rstrip("\n"), "```"]
        lines.append("")
    return "\n".join(lines) + "\n"


def write_report(result: TreeResult, path: Path) -> None:
    """Write the report; the format follows the suffix (.json, else Markdown)."""
    if path.suffix == ".json":
        text = json.dumps(to_json(result), indent=1) + "\n"
    else:
        text = to_markdown(result)
    write_atomic(path, text.encode())
