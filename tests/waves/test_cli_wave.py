"""``cli.py wave ...``: usage errors and exit codes, an unreachable Temporal, and (slow) the approve, reject,
status, watch, list, report, pause, rollback and cancel paths end to end against a real Temporal dev server
with a stand-in wave workflow (the real MigrationWave end to end is the workflow tests' job)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stack.config import REPO_ROOT
from tests.waves.temporal_helpers import dev_server, stand_in_worker
from waves.cli import wave_app

LEAD, OPS, MALLORY = "lead@example.com", "ops@example.com", "mallory@example.com"


def _invoke(args: list[str], env: dict[str, str] | None = None):
    return CliRunner().invoke(wave_app, args, env=env or {})


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _spec(tmp_path: Path, name: str = "cli-wave", body: str | None = None) -> Path:
    source = tmp_path / "dags"
    source.mkdir(exist_ok=True)
    for file in ("a.py", "b.py"):
        (source / file).write_text("from airflow import DAG\n")
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(body if body is not None else textwrap.dedent(f"""\
        wave: {name}
        source_dir: dags
        dags: ["*.py"]
        out_dir: out
        source: composer1-demo
        target: composer2-demo
        approvers:
          promote: [{LEAD}]
          cutover: [{OPS}]
        """))
    return spec


UNREACHABLE = {"COMPOSER_MIGRATE_TEMPORAL_PORT": "1"}


# ------------------------------------------------------------------ usage and unreachable (fast)


def test_every_command_has_help_text():
    names = [command.name or command.callback.__name__ for command in wave_app.registered_commands]
    assert sorted(names) == sorted(["plan", "start", "status", "watch", "approve", "reject", "pause", "resume",
                                    "rollback", "cancel", "report", "list"])
    for name in names:
        result = _invoke([name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        command = next(c for c in wave_app.registered_commands if (c.name or c.callback.__name__) == name)
        assert (command.callback.__doc__ or "").strip(), f"{name} has no help text"


def test_a_bad_spec_exits_2_listing_every_problem_with_file_and_line(tmp_path):
    spec = _spec(tmp_path, body=textwrap.dedent("""\
        wave: Bad Name
        source_dir: dags
        dags: ["nothing-*.py"]
        source: composer1-demo
        target: composer1-demo
        approvers:
          promote: []
        concurrency: 0
        """))
    result = _invoke(["start", str(spec)], UNREACHABLE)
    assert result.exit_code == 2, result.output
    output = result.output
    assert f"invalid wave spec {spec}" in _one_line(output)
    for line, field in ((1, "wave"), (3, "dags[0]"), (5, "target"), (7, "approvers.promote"), (8, "concurrency")):
        assert f"{spec}:{line}: {field}:" in output, (line, field, output)
    assert f"{spec}: approvers.cutover: required" in output  # a missing field has no line of its own
    assert "cannot reach Temporal" not in output  # validated before connecting


def test_a_missing_spec_file_exits_2(tmp_path):
    result = _invoke(["start", str(tmp_path / "nope.yaml")], UNREACHABLE)
    assert result.exit_code == 2 and "file not found" in result.output


def test_an_unreachable_temporal_exits_2_with_one_line_naming_the_address(tmp_path):
    result = _invoke(["start", str(_spec(tmp_path))], UNREACHABLE)
    assert result.exit_code == 2, result.output
    error_lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1
    assert "cannot reach Temporal at 127.0.0.1:1 (connection refused)" in error_lines[0]
    assert "cli.py env start" in error_lines[0]
    for args in (["status", "w"], ["approve", "w", "--gate", "promote", "--as", LEAD], ["list"], ["cancel", "w"],
                 ["report", "w"], ["watch", "w"], ["pause", "w", "--as", LEAD], ["rollback", "w", "d", "--as", OPS]):
        result = _invoke(args, UNREACHABLE)
        assert result.exit_code == 2 and "127.0.0.1:1" in result.output, (args, result.output)


def test_usage_errors_exit_2_before_connecting():
    result = _invoke(["approve", "w", "--gate", "deploy", "--as", LEAD], UNREACHABLE)
    assert result.exit_code == 2 and "unknown gate 'deploy'; gates: promote, cutover" in result.output
    result = _invoke(["list", "--status", "sleeping"], UNREACHABLE)
    assert result.exit_code == 2 and "unknown status 'sleeping'" in result.output
    result = _invoke(["approve", "w", "--gate", "promote"], UNREACHABLE)
    assert result.exit_code == 2 and "--as" in result.output
    result = _invoke(["status", "w"], {"COMPOSER_MIGRATE_TEMPORAL_TLS_CERT": "/c.pem"})
    assert result.exit_code == 2 and "COMPOSER_MIGRATE_TEMPORAL_TLS_KEY" in result.output


# ------------------------------------------------------------------ end to end (slow)


@pytest.fixture(scope="module")
def temporal(tmp_path_factory):
    with dev_server(tmp_path_factory.mktemp("temporal-cli")) as config:
        yield config


def _env(config) -> dict[str, str]:
    return {"COMPOSER_MIGRATE_TEMPORAL_PORT": str(config.temporal_port),
            "COMPOSER_MIGRATE_TEMPORAL_UI_PORT": str(config.temporal_ui_port),
            "COMPOSER_MIGRATE_TASK_QUEUE": config.task_queue, "COLUMNS": "250"}


def _row(output: str, *cells: str) -> bool:
    """Some table row holds these cells, in this order."""
    return any(re.search(r"\s*│\s*".join(map(re.escape, cells)), line) for line in output.splitlines())


@contextmanager
def _spawned(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """The CLI in its own process, for commands that run while the test acts (start --wait, watch);
    killed if the test leaves it running."""
    code = "from waves.cli import wave_app; wave_app()"
    process = subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO_ROOT, env={**os.environ, **env},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def _until(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_start_status_approve_reject_list_report_end_to_end(temporal, tmp_path):
    env = _env(temporal)
    spec = _spec(tmp_path, "cli-e2e")
    with stand_in_worker(temporal):
        result = _invoke(["start", str(spec)], env)
        assert result.exit_code == 0, result.output
        assert "workflow id wave-cli-e2e" in _one_line(result.output)
        url = f"http://127.0.0.1:{temporal.temporal_ui_port}/namespaces/default/workflows/wave-cli-e2e"
        assert url in _one_line(result.output)

        again = _invoke(["start", str(spec)], env)
        assert again.exit_code == 1 and "wave cli-e2e is already running; use `wave status cli-e2e`" in again.output

        status = _until(lambda: (r := _invoke(["status", "cli-e2e"], env)).exit_code == 0
                        and "waiting-approval" in r.output and r)
        assert status, "status never showed the promote gate"
        text = status.output
        assert "Waiting for approval" in text and "promote" in text and LEAD in text
        assert "a.py" in text and "b.py" in text and "awaiting-promote" in text

        refused = _invoke(["approve", "cli-e2e", "--gate", "promote", "--as", MALLORY], env)
        assert refused.exit_code == 1
        assert "may not decide gate 'promote' (allowed: lead@example.com)" in _one_line(refused.output)
        approved = _invoke(["approve", "cli-e2e", "--gate", "promote", "--as", LEAD, "--comment", "tests green"], env)
        assert approved.exit_code == 0, approved.output
        assert "approve of gate promote by lead@example.com recorded" in approved.output

        paused = _invoke(["pause", "cli-e2e", "--as", LEAD], env)
        assert paused.exit_code == 0 and "wave cli-e2e paused" in paused.output
        resumed = _invoke(["resume", "cli-e2e", "--as", LEAD], env)
        assert resumed.exit_code == 0 and "wave cli-e2e resumed" in resumed.output
        rollback = _invoke(["rollback", "cli-e2e", "a", "--as", MALLORY], env)
        assert rollback.exit_code == 1 and "may not roll back" in rollback.output

        status = _invoke(["status", "cli-e2e"], env)
        audit = _one_line(status.output)
        assert "Audit log (last 5 of 5)" in audit
        assert _row(status.output, "approve", "promote", "", MALLORY, "no")
        assert _row(status.output, "approve", "promote", "", LEAD, "yes", "tests green")
        assert _row(status.output, "rollback", "", "a", MALLORY, "no")
        assert "cutover" in audit and OPS in audit  # the next gate and who may open it

        listed = _until(lambda: "cli-e2e" in (r := _invoke(["list", "--status", "waiting-approval"], env)).output and r)
        assert listed and listed.exit_code == 0 and "cutover-gate" in listed.output

        rejected = _invoke(["reject", "cli-e2e", "--gate", "cutover", "--as", OPS, "--comment", "freeze <week>"], env)
        assert rejected.exit_code == 0, rejected.output
        late = _invoke(["approve", "cli-e2e", "--gate", "cutover", "--as", OPS], env)
        assert late.exit_code == 1  # decided (or closed): refused either way

        closed = _until(lambda: "rejected" in (r := _invoke(["list", "--status", "rejected"], env)).output and r)
        assert closed and "completed" in closed.output  # workflow execution status

    # closed: status and report come from the result, with no worker running
    status = _invoke(["status", "cli-e2e"], env)
    assert status.exit_code == 0 and "workflow closed: COMPLETED" in status.output and "rejected" in status.output
    out = tmp_path / "report"
    report = _invoke(["report", "cli-e2e", "--out", str(out)], env)
    assert report.exit_code == 0, report.output
    md, page = (out / "wave.md").read_text(), (out / "wave.html").read_text()
    assert "# Wave `cli-e2e`: rejected" in md and "| mallory@example.com | **no** |" in md
    assert "freeze &lt;week>" in md and "freeze &lt;week&gt;" in page and "<week>" not in page
    assert "](../out/reports/conversion.md)" in md

    cancel = _invoke(["cancel", "cli-e2e"], env)
    assert cancel.exit_code == 1 and "already finished" in cancel.output
    missing = _invoke(["status", "no-such-wave"], env)
    assert missing.exit_code == 2 and "no wave no-such-wave" in missing.output


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_start_wait_watch_rollback_after_close_and_cancel(temporal, tmp_path):
    env = _env(temporal)
    with stand_in_worker(temporal):
        # a wave approved at both gates completes; `start --wait` reports it and exits 0
        spec = _spec(tmp_path, "cli-wait")
        with _spawned(["start", str(spec), "--wait"], env) as waiter:
            assert _until(lambda: _invoke(["approve", "cli-wait", "--gate", "promote", "--as", LEAD], env).exit_code == 0)
            assert _until(lambda: _invoke(["approve", "cli-wait", "--gate", "cutover", "--as", OPS], env).exit_code == 0)
            output, _ = waiter.communicate(timeout=60)
        assert waiter.returncode == 0, output
        assert "completed" in output and "done" in output

        watched = _invoke(["watch", "cli-wait", "--interval", "0.5"], env)  # closed: one frame, then returns
        assert watched.exit_code == 0 and "cli-wait" in watched.output and "completed" in watched.output

        refused = _invoke(["rollback", "cli-wait", "a", "--as", LEAD], env)
        assert refused.exit_code == 1 and "may not roll back" in refused.output
        rolled = _invoke(["rollback", "cli-wait", "a", "--as", OPS, "--reason", "bad data"], env)
        assert rolled.exit_code == 0, rolled.output
        assert "rollback workflow wave-cli-wait--dag-a--rollback-" in _one_line(rolled.output)
        assert "a: rolled-back" in rolled.output

        # cancel a waiting wave: it closes as cancelled
        spec = _spec(tmp_path, "cli-cancel")
        assert _invoke(["start", str(spec)], env).exit_code == 0
        assert _until(lambda: "waiting-approval" in _invoke(["status", "cli-cancel"], env).output)
        with _spawned(["watch", "cli-cancel", "--interval", "0.3"], env) as watcher:  # live view of a running wave
            time.sleep(2)  # let it connect and render the waiting wave (a pipe shows only the last frame)
            cancelled = _invoke(["cancel", "cli-cancel"], env)
            assert cancelled.exit_code == 0 and "cancel requested" in cancelled.output
            output, _ = watcher.communicate(timeout=60)  # returns by itself once the wave closes
        assert watcher.returncode == 0, output
        assert "workflow closed: COMPLETED" in output and "cancelled" in output
        assert _until(lambda: "cancelled" in _invoke(["list", "--status", "cancelled"], env).output)
