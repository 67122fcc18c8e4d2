"""The wave report: one page per wave, in Markdown (for review in a PR or a ticket) and in HTML.

Pure functions of a ``WaveStatus`` (the workflow's query answer or result): per DAG its state, reason,
conversion changes and TODOs, first-run plan, verify run and steps; the gates still waiting and who may
open them; the audit log of every approval attempt; links to the conversion and test reports. Every
value comes from a workflow and may hold text a DAG author wrote (reasons quote errors), so it is
escaped for the format it goes into. The HTML has no external assets: it can be mailed or archived.
"""

from __future__ import annotations

import html
import os
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from waves.model import (
    DAG_AWAITING_CUTOVER,
    DAG_AWAITING_PROMOTE,
    DAG_BLOCKED,
    DAG_CANCELLED,
    DAG_CONVERT_FAILED,
    DAG_CUTTING_OVER,
    DAG_DEPLOY_FAILED,
    DAG_DEPLOYING,
    DAG_DONE,
    DAG_FAILED,
    DAG_PENDING,
    DAG_REJECTED,
    DAG_ROLLED_BACK,
    DAG_TEST_FAILED,
    DAG_VERIFYING,
    DagView,
    WaveStatus,
)

# The journey of a DAG through a wave, in order: tables list DAGs by how far they got.
STATE_ORDER = (
    DAG_PENDING, DAG_CONVERT_FAILED, DAG_TEST_FAILED, DAG_AWAITING_PROMOTE, DAG_DEPLOYING, DAG_DEPLOY_FAILED,
    DAG_AWAITING_CUTOVER, DAG_REJECTED, DAG_BLOCKED, DAG_CUTTING_OVER, DAG_VERIFYING, DAG_ROLLED_BACK,
    DAG_FAILED, DAG_CANCELLED, DAG_DONE,
)

# How a state reads at a glance: ok (green), wait (blue), warn (amber), bad (red).
STATE_TONE = {
    DAG_DONE: "ok",
    DAG_PENDING: "wait", DAG_AWAITING_PROMOTE: "wait", DAG_DEPLOYING: "wait", DAG_AWAITING_CUTOVER: "wait",
    DAG_CUTTING_OVER: "wait", DAG_VERIFYING: "wait",
    DAG_ROLLED_BACK: "warn", DAG_REJECTED: "warn", DAG_BLOCKED: "warn", DAG_CANCELLED: "warn",
    DAG_CONVERT_FAILED: "bad", DAG_TEST_FAILED: "bad", DAG_DEPLOY_FAILED: "bad", DAG_FAILED: "bad",
}


def state_rank(state: str) -> int:
    return STATE_ORDER.index(state) if state in STATE_ORDER else len(STATE_ORDER)


def dags_by_stage(status: WaveStatus) -> list[DagView]:
    """The DAGs in pipeline order of their state, then by DAG id (or file when the id is not known yet)."""
    return sorted(status.dags, key=lambda d: (state_rank(d.state), d.dag_id or d.file, d.file))


def state_counts(status: WaveStatus) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for view in status.dags:
        counts[view.state] = counts.get(view.state, 0) + 1
    return sorted(counts.items(), key=lambda item: state_rank(item[0]))


def dag_label(view: DagView) -> str:
    return view.dag_id or f"({view.file})"


def report_link(path: str, link_from: str | Path | None) -> str:
    """The link target of a report file: relative to ``link_from`` (the folder the report is written
    to) when both are local paths, else the path as given."""
    if link_from is not None and os.path.isabs(path):
        try:
            return PurePosixPath(Path(os.path.relpath(path, link_from))).as_posix()
        except ValueError:  # another drive on Windows
            return path
    return path


def _default_link_from(status: WaveStatus) -> str | None:
    """Where the worker writes the wave report: next to the conversion and test reports."""
    return str(Path(status.out_dir) / "reports") if status.out_dir else None


# ------------------------------------------------------------------ Markdown


def _md(value: object) -> str:
    """A value safe in a Markdown table cell: no pipes, no line breaks, no raw HTML (``<`` starts a tag)."""
    text = str(value).replace("<", "&lt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    return " ".join(text.split())


def _md_code(value: str) -> str:
    """Inline code that survives backticks in the value."""
    value = " ".join(str(value).split())
    fence = "``" if "`" in value else "`"
    return f"{fence} {value} {fence}" if fence == "``" else f"`{value}`"


def render_markdown(status: WaveStatus, *, link_from: str | Path | None = None) -> str:
    """The wave report as Markdown. ``link_from``: folder the file is written to (relative links);
    default ``<out_dir>/reports``, where the worker writes it."""
    link_from = link_from if link_from is not None else _default_link_from(status)
    out: list[str] = [
        f"# Wave {_md_code(status.wave)}: {_md(status.status)}",
        "",
        "| | |",
        "|---|---|",
        f"| status | {_md(status.status)} |",
        f"| stage | {_md(status.stage)} |",
        f"| source (Composer 1) | {_md(status.source)} |",
        f"| target (Composer 2+) | {_md(status.target)} |",
        f"| target profile | {_md(status.profile)} |",
        f"| started | {_md(status.started_at or '-')} |",
        f"| updated | {_md(status.updated_at or '-')} |",
        "",
        f"**{len(status.dags)} DAG(s):** " + (", ".join(f"{n} {_md(state)}" for state, n in state_counts(status))
                                              or "none"),
        "",
        "## Gates waiting for approval",
        "",
    ]
    if status.pending_gates:
        out += ["| gate | DAG | waiting since | who may decide | detail |", "|---|---|---|---|---|"]
        for gate in status.pending_gates:
            out.append(f"| {_md(gate.gate)} | {_md(gate.dag_id or 'whole wave')} | {_md(gate.since)} | "
                       f"{_md(', '.join(gate.approvers))} | {_md(gate.detail)} |")
    else:
        out.append("None.")
    out += ["", "## DAGs", ""]
    if status.dags:
        out += ["| DAG | file | state | reason | changes | TODOs | first run | verify run |",
                "|---|---|---|---|---:|---:|---|---|"]
        for view in dags_by_stage(status):
            out.append(f"| {_md(dag_label(view))} | {_md(view.file)} | {_md(view.state)} | {_md(view.reason or '-')} | "
                       f"{view.changes} | {view.todos} | {_md(view.first_run or '-')} | "
                       f"{_md(view.verify_run_id or '-')} |")
        with_steps = [v for v in dags_by_stage(status) if v.steps]
        if with_steps:
            out += ["", "### Steps per DAG"]
            for view in with_steps:
                out += ["", f"**{_md(dag_label(view))}** ({_md(view.state)})", ""]
                out += [f"{i}. {_md(step)}" for i, step in enumerate(view.steps, 1)]
    else:
        out.append("None yet (the wave has not listed its files).")
    out += ["", "## Audit log", ""]
    if status.audit:
        out += ["| at | action | gate | DAG | actor | counted | detail |", "|---|---|---|---|---|---|---|"]
        for entry in status.audit:
            out.append(f"| {_md(entry.at)} | {_md(entry.action)} | {_md(entry.gate or '-')} | "
                       f"{_md(entry.dag_id or '-')} | {_md(entry.actor)} | {'yes' if entry.accepted else '**no**'} | "
                       f"{_md(entry.detail or '-')} |")
    else:
        out.append("No approval attempts or operator actions yet.")
    out += ["", "## Reports", ""]
    if status.reports:
        for path in status.reports:
            target = report_link(path, link_from)
            out.append(f"- [{_md(Path(path).name)}]({quote(target, safe='/._-~')}): {_md(path)}")
    else:
        out.append("None yet.")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ HTML

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1f2328;max-width:80rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0;width:100%}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#f6f8fa}td.n{text-align:right}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:1rem;font-size:.8rem;white-space:nowrap}
.ok{background:#dafbe1;color:#116329}.wait{background:#ddf4ff;color:#0550ae}
.warn{background:#fff8c5;color:#7d4e00}.bad{background:#ffebe9;color:#a40e26}
.no{color:#a40e26;font-weight:600}.muted{color:#656d76}
details{margin:.2rem 0}ol{margin:.2rem 0 .2rem 1.2rem;padding:0}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
"""


def _h(value: object) -> str:
    return html.escape(str(value), quote=True)


def _badge(state: str) -> str:
    tone = STATE_TONE.get(state, "wait")
    return f'<span class="badge {tone}">{_h(state)}</span>'


def _wave_tone(status: str) -> str:
    return {"completed": "ok", "completed-with-failures": "warn", "rejected": "warn", "cancelled": "warn",
            "paused": "warn"}.get(status, "wait")


def render_html(status: WaveStatus, *, link_from: str | Path | None = None) -> str:
    """The wave report as one self-contained HTML page (inline CSS, no scripts, every value escaped)."""
    link_from = link_from if link_from is not None else _default_link_from(status)
    counts = ", ".join(f"{n} {_badge(state)}" for state, n in state_counts(status)) or "none"
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Wave {_h(status.wave)}: {_h(status.status)}</title>",
        f"<style>{_CSS}</style></head><body>",
        (f'<h1>Wave <code>{_h(status.wave)}</code> <span class="badge {_wave_tone(status.status)}">'
        f"{_h(status.status)}</span></h1>"),
        "<dl>",
        f"<dt>stage</dt><dd>{_h(status.stage)}</dd>",
        f"<dt>source (Composer 1)</dt><dd>{_h(status.source)}</dd>",
        f"<dt>target (Composer 2+)</dt><dd>{_h(status.target)}</dd>",
        f"<dt>target profile</dt><dd>{_h(status.profile)}</dd>",
        f"<dt>started</dt><dd>{_h(status.started_at or '-')}</dd>",
        f"<dt>updated</dt><dd>{_h(status.updated_at or '-')}</dd>",
        f"<dt>DAGs</dt><dd>{len(status.dags)}: {counts}</dd>",
        "</dl>",
        "<h2>Gates waiting for approval</h2>",
    ]
    if status.pending_gates:
        parts.append("<table><tr><th>gate</th><th>DAG</th><th>waiting since</th><th>who may decide</th>"
                     "<th>detail</th></tr>")
        for gate in status.pending_gates:
            parts.append(f"<tr><td>{_h(gate.gate)}</td><td>{_h(gate.dag_id or 'whole wave')}</td>"
                         f"<td>{_h(gate.since)}</td><td>{_h(', '.join(gate.approvers))}</td>"
                         f"<td>{_h(gate.detail)}</td></tr>")
        parts.append("</table>")
    else:
        parts.append('<p class="muted">None.</p>')

    parts.append("<h2>DAGs</h2>")
    if status.dags:
        parts.append("<table><tr><th>DAG</th><th>file</th><th>state</th><th>reason</th><th>changes</th>"
                     "<th>TODOs</th><th>first run</th><th>verify run</th><th>steps</th></tr>")
        for view in dags_by_stage(status):
            steps = ""
            if view.steps:
                items = "".join(f"<li>{_h(step)}</li>" for step in view.steps)
                steps = f"<details><summary>{len(view.steps)} step(s)</summary><ol>{items}</ol></details>"
            parts.append(
                f"<tr><td>{_h(dag_label(view))}</td><td>{_h(view.file)}</td><td>{_badge(view.state)}</td>"
                f"<td>{_h(view.reason or '-')}</td><td class=\"n\">{view.changes}</td><td class=\"n\">{view.todos}</td>"
                f"<td>{_h(view.first_run or '-')}</td><td>{_h(view.verify_run_id or '-')}</td><td>{steps}</td></tr>")
        parts.append("</table>")
    else:
        parts.append('<p class="muted">None yet (the wave has not listed its files).</p>')

    parts.append("<h2>Audit log</h2>")
    if status.audit:
        parts.append("<table><tr><th>at</th><th>action</th><th>gate</th><th>DAG</th><th>actor</th><th>counted</th>"
                     "<th>detail</th></tr>")
        for entry in status.audit:
            counted = "yes" if entry.accepted else '<span class="no">no</span>'
            parts.append(f"<tr><td>{_h(entry.at)}</td><td>{_h(entry.action)}</td><td>{_h(entry.gate or '-')}</td>"
                         f"<td>{_h(entry.dag_id or '-')}</td><td>{_h(entry.actor)}</td><td>{counted}</td>"
                         f"<td>{_h(entry.detail or '-')}</td></tr>")
        parts.append("</table>")
    else:
        parts.append('<p class="muted">No approval attempts or operator actions yet.</p>')

    parts.append("<h2>Reports</h2>")
    if status.reports:
        links = "".join(f'<li><a href="{_h(quote(report_link(path, link_from), safe="/._-~"))}">'
                        f"{_h(Path(path).name)}</a> <span class=\"muted\">{_h(path)}</span></li>"
                        for path in status.reports)
        parts.append(f"<ul>{links}</ul>")
    else:
        parts.append('<p class="muted">None yet.</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
