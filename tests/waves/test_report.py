"""The wave report: every DAG state, gates, audit log and report links; escaping in Markdown and HTML."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from waves.model import (
    STATUS_COMPLETED,
    STATUS_COMPLETED_WITH_FAILURES,
    STATUS_WAITING,
    AuditEntry,
    DagView,
    PendingGate,
    WaveStatus,
)
from waves.report import STATE_ORDER, STATE_TONE, dags_by_stage, render_html, render_markdown, report_link

HOSTILE = '<script>alert("x")</script> | a&b `tick` <img src=x onerror=alert(1)>'


def _status(**overrides) -> WaveStatus:
    dags = tuple(
        DagView(dag_id=f"dag_{i:02d}_{state.replace('-', '_')}", file=f"team/{state}.py", state=state,
                reason=f"reason of {state}", changes=i, todos=i % 3, verify_run_id=f"verify__{i}" if i % 2 else "",
                first_run="1 (interval 2026-11-24) -> mark-interval" if i % 2 else "",
                steps=(f"step one of {state}", "step two") if i % 2 else ())
        for i, state in enumerate(reversed(STATE_ORDER)))
    status = WaveStatus(
        wave="demo-wave", stage="cutover-gate", status=STATUS_WAITING, source="composer1-demo",
        target="composer2-demo", profile="airflow-2.10.5", dags=dags,
        pending_gates=(PendingGate(gate="cutover", approvers=("ops@example.com", "lead@example.com"),
                                   since="2026-11-25T10:00:00Z", detail="3 DAG(s) deployed paused", dag_id=""),),
        audit=(AuditEntry(at="2026-11-25T09:00:00Z", action="approve", gate="promote", actor="mallory@example.com",
                          accepted=False, detail="'mallory@example.com' may not decide gate 'promote'"),
               AuditEntry(at="2026-11-25T09:01:00Z", action="approve", gate="promote", actor="lead@example.com",
                          accepted=True, detail="looks good")),
        started_at="2026-11-25T08:59:00Z", updated_at="2026-11-25T10:00:01Z", out_dir="/srv/waves/demo-wave",
        reports=("/srv/waves/demo-wave/reports/conversion.md", "/srv/waves/demo-wave/reports/test.html"),
    )
    return replace(status, **overrides)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.hrefs: list[str] = []
        self.attrs_seen: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs_seen += [name for name, _ in attrs]
        self.hrefs += [value for name, value in attrs if name in ("href", "src")]

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector


def test_every_state_has_a_tone_and_a_place_in_the_order():
    from waves import model

    states = {value for name, value in vars(model).items() if name.startswith("DAG_") and isinstance(value, str)}
    assert states == set(STATE_ORDER) == set(STATE_TONE)


def test_dags_are_listed_in_pipeline_order_of_their_state():
    ordered = [d.state for d in dags_by_stage(_status())]
    assert ordered == list(STATE_ORDER)


def test_markdown_lists_every_dag_with_state_reason_counts_plan_verify_and_steps():
    md = render_markdown(_status())
    rows = {line.split("|")[1].strip(): line for line in md.splitlines() if line.startswith("| dag_")}
    assert len(rows) == len(STATE_ORDER)
    for i, state in enumerate(reversed(STATE_ORDER)):
        row = rows[f"dag_{i:02d}_{state.replace('-', '_')}"]
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        assert cells[1:6] == [f"team/{state}.py", state, f"reason of {state}", str(i), str(i % 3)]
        assert cells[6] == ("1 (interval 2026-11-24) -> mark-interval" if i % 2 else "-")
        assert cells[7] == (f"verify__{i}" if i % 2 else "-")
        if i % 2:
            assert f"1. step one of {state}" in md
    assert "**15 DAG(s):**" in md and "1 done" in md and "1 rolled-back" in md


def test_markdown_shows_gates_with_approvers_and_the_audit_log_with_refusals():
    md = render_markdown(_status())
    assert "| cutover | whole wave | 2026-11-25T10:00:00Z | ops@example.com, lead@example.com |" in md
    assert "| mallory@example.com | **no** |" in md
    assert "| lead@example.com | yes | looks good |" in md


def test_markdown_links_reports_relative_to_the_report_folder():
    md = render_markdown(_status())
    assert "- [conversion.md](conversion.md)" in md and "- [test.html](test.html)" in md
    elsewhere = render_markdown(_status(), link_from="/srv/waves/demo-wave/copy")
    assert "](../reports/conversion.md)" in elsewhere


def test_markdown_escapes_pipes_html_and_line_breaks():
    hostile = _status(dags=(DagView(dag_id="d", file="a|b.py", state="failed", reason=HOSTILE + "\nsecond line"),),
                      audit=(), pending_gates=())
    md = render_markdown(hostile)
    row = next(line for line in md.splitlines() if line.startswith("| d |"))
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script>" in row and "a&b" in row and "second line" in row
    # unescaped pipes delimit exactly the 8 columns
    assert len(re.findall(r"(?<!\\)\|", row)) == 9


def test_markdown_of_an_empty_wave_says_so():
    md = render_markdown(_status(dags=(), pending_gates=(), audit=(), reports=(), out_dir=""))
    assert "None yet (the wave has not listed its files)." in md
    assert "No approval attempts" in md and "## Gates waiting for approval\n\nNone." in md


def test_html_is_self_contained_and_escapes_every_value():
    status = _status(
        wave="demo-wave",
        dags=(DagView(dag_id="evil", file=HOSTILE, state="test-failed", reason=HOSTILE, steps=(HOSTILE,)),),
        pending_gates=(PendingGate(gate="promote", approvers=(HOSTILE,), since="t", detail=HOSTILE),),
        audit=(AuditEntry(at="t", action="approve", gate="promote", actor=HOSTILE, accepted=False, detail=HOSTILE),),
        reports=("javascript:alert(1)", "/srv/waves/demo-wave/reports/<b>.html"),
    )
    page = render_html(status)
    parsed = _parse(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not any(name.startswith("on") for name in parsed.attrs_seen)
    text = "".join(parsed.text)
    # file, reason, step, approvers, gate detail, audit actor, audit detail: all as text, none as markup
    assert text.count(HOSTILE) == 7
    assert all(not href.lower().startswith(("javascript:", "http:", "https:", "//")) for href in parsed.hrefs)
    assert "<link" not in page and "src=" not in page.replace("src=x", "")  # no external assets
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page


def test_html_shows_states_gates_audit_and_links():
    page = render_html(_status())
    parsed = _parse(page)
    text = " ".join(parsed.text)
    for state in STATE_ORDER:
        assert f'class="badge {STATE_TONE[state]}">{state}</span>' in page
    assert "ops@example.com, lead@example.com" in text
    assert '<span class="no">no</span>' in page and "mallory@example.com" in text
    assert parsed.hrefs == ["conversion.md", "test.html"]
    assert "2 step(s)" in text and "step one of cancelled" in text


def test_report_link_relative_only_for_absolute_paths():
    assert report_link("/a/b/reports/x.md", "/a/b/reports") == "x.md"
    assert report_link("relative/x.md", "/a") == "relative/x.md"
    assert report_link("/a/x.md", None) == "/a/x.md"


def test_wave_status_colours_follow_the_outcome():
    assert 'class="badge ok">completed<' in render_html(_status(status=STATUS_COMPLETED))
    assert 'class="badge warn">completed-with-failures<' in render_html(_status(status=STATUS_COMPLETED_WITH_FAILURES))


def test_status_view_shows_each_dags_todo_count():
    from rich.console import Console

    from waves.cli import status_view

    console = Console(width=200, record=True)
    status = _status()
    console.print(status_view(status))
    text = console.export_text()
    assert "TODOs" in text
    with_todos = next(d for d in status.dags if d.todos == 2)
    row = next(line for line in text.splitlines() if with_todos.dag_id in line)
    assert " 2 " in row
