"""Hostile input: malformed, huge, looping, networking, escaping and clashing DAG files, and broken wave specs.

Each bad file gets a clear error naming the file (and its line where it has one) at the stage that finds
it; the good files migrate regardless; nothing outside the output tree is written. The folder is built in
tmp at test time (tests/reliability/hostile.py): the 50 MB file is never committed.

- convert stage (no runtime): syntax error, non-UTF-8, 50 MB, symlinks out of the tree, a FIFO;
- test stage (real Airflow 2 runtime, sandboxed loader): endless import loop, network at import (raised and
  swallowed), a write outside the folder at import, a DAG id defined in two files;
- the wave (real Temporal dev server and worker, real convert/test stages, in-memory Airflow doubles):
  the good DAGs reach the gates and complete, each bad one ends convert-failed or test-failed with its reason;
- ``cli.py wave start`` on broken specs: exit 2, every problem as ``file:line: field: message``.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emulators.memory_airflow import SourceDouble, TargetDouble, Timeline
from emulators.pubsub.testing import publisher_client, pubsub_emulator, subscriber_client  # noqa: F401
from tests.reliability.hostile import EXPECTED, GOOD, HUGE_BYTES, build_hostile_tree, snapshot
from tests.runtime import require_runtime_python
from tests.workflows.conftest import temporal_server  # noqa: F401
from tests.workflows.test_wave_workflow import gate_open, routing, run_wave, wait_for  # noqa: F401
from waves.cli import wave_app
from waves.model import Approval

REPO = Path(__file__).resolve().parents[2]
CONVERT_BAD = {name: e for name, e in EXPECTED.items() if e.stage == "convert"}
TEST_BAD = {name: e for name, e in EXPECTED.items() if e.stage == "test"}
TEST_TIMEOUT_S = 5.0


def _names_line(reason: str, line: int | None) -> bool:
    """Whether ``reason`` names ``line`` (``line 9``, ``:9``, ``line 9:``, ``at line 9``)."""
    return line is None or re.search(rf"(line {line}\b|:{line}\b)", reason) is not None


# ------------------------------------------------------------------ convert stage

_CONVERT_PROBE = '''
import json, os, resource, sys, time
from pathlib import Path
source, out, outside = sys.argv[1:4]
never = [os.path.realpath(os.path.join(source, "huge.py")), os.path.realpath(outside)]
opened = []

def hook(event, args):  # every file the converter opens that it must never read
    if event == "open" and args and isinstance(args[0], (str, bytes)):
        real = os.path.realpath(os.fsdecode(args[0]))
        if real == never[0] or real.startswith(never[1] + os.sep):
            opened.append(os.fsdecode(args[0]))

sys.addaudithook(hook)
from dagconvert.runner import convert_tree
baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
started = time.perf_counter()
tree = convert_tree(Path(source), Path(out), jobs=1)
print(json.dumps({"files": [{"path": f.path, "status": f.status.value, "error": f.error, "elapsed_s": f.elapsed_s}
                            for f in tree.files],
                  "opened": opened, "elapsed_s": time.perf_counter() - started,
                  "rss_growth_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - baseline_mb}))
'''


def test_convert_stage_refuses_each_hostile_file_by_name_and_line_and_converts_the_rest(tmp_path):
    tree = build_hostile_tree(tmp_path, fifo=True)
    out = tmp_path / "out"
    before = snapshot(tmp_path)
    run = subprocess.run([sys.executable, "-c", _CONVERT_PROBE, str(tree.source), str(out), str(tree.outside)],
                         cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    files = {f["path"]: f for f in found["files"]}

    for name, expected in CONVERT_BAD.items():
        result = files[name]
        assert result["status"] == "error", result
        assert result["error"].startswith(f"{name}: "), result  # names the file
        assert re.search(expected.error, result["error"], re.IGNORECASE), result
        assert _names_line(result["error"], expected.line), result
        assert not (out / name).exists()
    assert "escape_dir" in files and "outside the source tree; not read" in files["escape_dir"]["error"]
    assert "not a regular file" in files["pipe.py"]["error"]  # a FIFO would have blocked the read forever
    # the 50 MB file and the symlinks' targets are never opened; the size error costs a stat, not a read
    assert found["opened"] == []
    assert files["huge.py"]["elapsed_s"] < 0.5
    # reading the file would cost 2x its 50 MB at least (bytes, then text); the peak grows far less
    assert found["rss_growth_mb"] < 60, found["rss_growth_mb"]
    assert HUGE_BYTES == (tree.source / "huge.py").stat().st_size - len(b"from airflow import DAG\n")
    # every other file converted into the output tree, the test-stage ones too (they are valid code)
    for name in [*GOOD, *TEST_BAD]:
        assert files[name]["status"] == "converted", files[name]
        assert (out / name).is_file()
    assert not list(out.rglob("not_yours.py"))
    # the source tree is never written; nothing but the output tree appeared
    after = snapshot(tmp_path, skip=(out,))
    assert after == before
    assert found["elapsed_s"] < 30
    print(f"\nconvert stage over {len(files)} entries in {found['elapsed_s']:.2f} s, peak memory "
          f"+{found['rss_growth_mb']:.0f} MB over the imports "
          f"(the 50 MB file refused in {files['huge.py']['elapsed_s'] * 1000:.1f} ms):")
    for name, result in sorted(files.items()):
        print(f"  {name:30} {result['status']:10} {result['error'] or ''}")


# ------------------------------------------------------------------ test stage (real Airflow 2 runtime)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_test_stage_fails_each_hostile_file_with_its_line_and_passes_the_rest(tmp_path):
    require_runtime_python()
    from dagcheck.stage import run_test_stage
    from dagconvert.runner import convert_tree

    tree = build_hostile_tree(tmp_path)
    out = tmp_path / "out"
    convert_tree(tree.source, out, jobs=1)
    before = snapshot(tmp_path)
    started = time.monotonic()
    stage = run_test_stage(out, tree.source, jobs=2, timeout_s=TEST_TIMEOUT_S)
    elapsed = time.monotonic() - started
    results = {f.path: f for f in stage.files}

    for name in GOOD:
        assert results[name].passed, results[name].to_dict()
    for name, expected in TEST_BAD.items():
        result = results[name]
        assert not result.passed, name
        check = result.check("import")
        assert check is not None and not check.passed, result.to_dict()
        (finding, *_) = check.errors
        assert re.search(expected.error, finding.message), (name, finding.message)
        assert finding.line == expected.line, (name, finding.line, finding.message)
        assert f"{name}:{expected.line}" in finding.message or "interrupted at line" in finding.message, finding
    # the loop was interrupted at its deadline (not killed later), the network calls refused at once
    assert results["import_loop.py"].status == "timeout"
    assert results["import_loop.py"].elapsed_s < TEST_TIMEOUT_S + 2
    assert results["import_network.py"].elapsed_s < 2 and results["import_network_swallowed.py"].elapsed_s < 2
    # a swallowed refusal still fails the file, and Airflow saw the DAG: it is the sandbox's finding
    assert results["import_network_swallowed.py"].dag_ids == ("import_network_swallowed",)
    # the convert-stage failures are listed as not tested, never loaded
    assert {n.source_path for n in stage.not_tested} == set(CONVERT_BAD)
    # nothing was written: not the canary, not the trees
    assert not tree.canary.exists() and not tree.canary.parent.exists()
    assert snapshot(tmp_path) == before
    assert elapsed < 90, elapsed
    print(f"\ntest stage over {len(results)} converted files in {elapsed:.1f} s (per-file limit {TEST_TIMEOUT_S:g} s):")
    for name, result in sorted(results.items()):
        check = result.check("import")
        reason = check.errors[0].message if check is not None and check.errors else ""
        print(f"  {name:30} {'pass' if result.passed else 'FAIL':5} {result.elapsed_s:6.2f} s  {reason[:110]}")


# ------------------------------------------------------------------ the wave (real Temporal, real stages)


def _wave_spec(tmp_path: Path, source: Path) -> Path:
    spec = tmp_path / "hostile-wave.yaml"
    spec.write_text(
        f"wave: hostile-{uuid.uuid4().hex[:8]}\n"
        f"source_dir: {source}\n"
        f"out_dir: {tmp_path / 'wave-out'}\n"
        'dags: ["*.py"]\n'
        "source: composer1-test\n"
        "target: composer2-test\n"
        "approvers:\n  promote: [lead@example.com]\n  cutover: [ops@example.com]\n"
        "gates:\n  cutover: wave\n"
        "verify: {poll: 0.2s, timeout: 60s}\n"
        "concurrency: 2\n")
    return spec


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_a_wave_over_the_hostile_folder_migrates_the_good_dags_and_stops_each_bad_one_with_its_reason(
        temporal_server, routing, tmp_path):  # noqa: F811
    require_runtime_python()
    tree = build_hostile_tree(tmp_path / "hostile")
    spec = _wave_spec(tmp_path, tree.source)
    out_dir = tmp_path / "wave-out"
    skip = (out_dir, *tmp_path.glob("routing.sqlite*"))
    before = snapshot(tmp_path, skip=skip)
    timeline = Timeline()
    target, source = TargetDouble(timeline), SourceDouble(timeline)
    seen_at_promote = {}

    async def script(client, handle):
        status = await wait_for(client, handle.id, gate_open("promote"), timeout_s=240)
        seen_at_promote.update({d.file + "|" + d.dag_id: d.state for d in status.dags})
        assert not target.uploads, "nothing is deployed before the promote gate"
        await handle.signal("approve", Approval("promote", "lead@example.com", "bad ones stay behind"))
        await wait_for(client, handle.id, gate_open("cutover"))
        await handle.signal("approve", Approval("cutover", "ops@example.com", "go"))

    _client, inp, result = asyncio.run(run_wave(temporal_server, routing, spec, target, source, script))
    dags = result.status.dags
    by_file: dict[str, list] = {}
    for view in dags:
        by_file.setdefault(view.file, []).append(view)

    assert {f.path for f in inp.files} == set(GOOD) | set(EXPECTED)  # the escaping symlink is in the wave
    for name, dag_id in GOOD.items():
        (view,) = by_file[name]
        assert (view.dag_id, view.state) == (dag_id, "done"), view
        assert seen_at_promote[f"{name}|{dag_id}"] == "awaiting-promote"
    for name, expected in EXPECTED.items():
        views = by_file[name]
        assert views, name
        for view in views:
            state = "convert-failed" if expected.stage == "convert" else "test-failed"
            assert view.state == state, (name, view)
            assert re.search(expected.history_error, view.reason, re.IGNORECASE), (name, view.reason)
            assert _names_line(view.reason, expected.line), (name, view.reason)
    assert result.status.status == "completed-with-failures"
    assert sorted(target.uploads) == sorted(GOOD)  # only the good files were deployed, once each
    assert routing.route_of("good_orders").environment == "composer2"
    assert routing.route_of("shared_dag_id") is None
    # nothing outside the output tree was written: the canary, the source tree and the rest of tmp untouched
    assert not tree.canary.exists()
    assert snapshot(tmp_path, skip=skip) == before
    assert Path(inp.out_dir, "reports", "wave.md").is_file()
    print(f"\nwave over {len(inp.files)} files: {result.status.status}")
    for view in sorted(dags, key=lambda v: v.file):
        print(f"  {view.file:30} {view.state:15} {view.reason[:110]}")


# ------------------------------------------------------------------ malformed wave specs

_BASE_SPEC = """\
wave: bad-specs
source_dir: dags
dags: ["*.py"]
out_dir: out
source: composer1-demo
target: composer2-demo
approvers:
  promote: [lead@example.com]
  cutover: [ops@example.com]
"""

BROKEN_SPECS: dict[str, tuple[str | bytes, list[tuple[int | None, str]]]] = {
    "bad_yaml": (_BASE_SPEC.replace("source: composer1-demo", "source: composer1-demo: oops"), [(5, "yaml")]),
    "unclosed_list": (_BASE_SPEC.replace('dags: ["*.py"]', 'dags: ["*.py"'), [(4, "yaml")]),
    "unknown_fields": (_BASE_SPEC + "wav: typo\ngates: {cutover: wave, timout: 5m}\nverify:\n  poll: 1s\n"
                       "  trigerrun: true\napprovers_extra: 1\n",
                       [(10, "wav"), (11, "gates.timout"), (14, "verify.trigerrun"), (15, "approvers_extra")]),
    "missing_fields": ("wave: bad-specs\n", [(None, "source_dir"), (None, "dags"), (None, "source"),
                                             (None, "target"), (None, "approvers")]),
    "wrong_types": (("wave: 5\nsource_dir: dags\ndags: a.py\nout_dir: 7\nsource: 12\ntarget: [x]\n"
                    "approvers:\n  promote: lead@example.com\n  cutover: [ops@example.com]\n"
                    "concurrency: ten\nverify: [1]\nfirst_run: 3\ngates: {timeout: forever}\n"),
                    [(1, "wave"), (3, "dags"), (4, "out_dir"), (5, "source"), (6, "target"),
                     (8, "approvers.promote"), (10, "concurrency"), (11, "verify"), (12, "first_run"),
                     (13, "gates.timeout")]),
    "unknown_profile": (_BASE_SPEC + "profile: airflow-9-on-mars\n", [(10, "profile")]),
    "globs_matching_nothing": (_BASE_SPEC.replace('dags: ["*.py"]', 'dags: ["nothing_*.py", "a.py", "sub/*.py"]'),
                               [(3, "dags[0]"), (3, "dags[2]")]),
    "paths_escaping_source_dir": (_BASE_SPEC.replace('dags: ["*.py"]', 'dags:\n  - ../outside/*.py\n'
                                                     '  - /etc/passwd\n  - sub/../../x.py'),
                                  [(4, "dags[0]"), (5, "dags[1]"), (6, "dags[2]")]),
    "duplicate_keys": (_BASE_SPEC + "target: composer2-other\napprovers:\n  promote: [a@example.com]\n"
                       "  promote: [b@example.com]\n", [(10, "target"), (11, "approvers"), (13, "approvers.promote")]),
    "out_dir_inside_source_dir": (_BASE_SPEC.replace("out_dir: out", "out_dir: dags/out"), [(4, "out_dir")]),
    "not_utf8": (_BASE_SPEC.encode().replace(b"source_dir: dags", b"source_dir: dags  # r\xe9pertoire"),
                 [(2, "encoding")]),
    "not_a_mapping": ("- wave: bad-specs\n- dags: [a.py]\n", [(1, "spec")]),
    "empty": ("", [(1, "spec")]),
}
_PROBLEM = re.compile(r"^  (?P<file>/\S+?\.yaml)(:(?P<line>\d+))?: (?P<field>[\w.\[\]]+): \S.*$")


@pytest.mark.parametrize("case", sorted(BROKEN_SPECS))
def test_a_malformed_wave_spec_exits_2_with_every_problem_as_file_line_field_message(tmp_path, case):
    body, expected = BROKEN_SPECS[case]
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "a.py").write_text("from airflow import DAG\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.py").write_text("from airflow import DAG\n")
    spec = tmp_path / f"{case}.yaml"
    spec.write_bytes(body if isinstance(body, bytes) else body.encode())
    result = CliRunner().invoke(wave_app, ["start", str(spec)], env={"COMPOSER_MIGRATE_TEMPORAL_PORT": "1"})
    output = result.output
    assert result.exit_code == 2, output
    assert "cannot reach Temporal" not in output  # validated before connecting
    for line, field in expected:
        where = f"{spec}:{line}" if line else str(spec)
        assert f"{where}: {field}: " in output, (case, line, field, output)
    problems = [ln for ln in output.splitlines() if ln.startswith("  ")]
    assert problems, output
    for problem in problems:  # every problem on one line, in the file:line: field: message form
        match = _PROBLEM.match(problem)
        assert match and match["file"] == str(spec), (case, problem)
        assert match["line"] or match["field"] in {f for _, f in expected} | {"approvers.promote",
                                                                               "approvers.cutover"}, problem


def test_a_spec_escaping_symlink_stays_in_the_wave_for_the_convert_stage_to_refuse(tmp_path):
    """A glob that matches a symlink out of source_dir does not sink the whole spec: the file is in the wave
    and the convert stage refuses it by name (never reading it), so the other DAGs still migrate."""
    from waves.spec import load_spec

    tree = build_hostile_tree(tmp_path)
    (tree.source / "huge.py").unlink()
    spec = tmp_path / "s.yaml"
    spec.write_text(_BASE_SPEC.replace("source_dir: dags", f"source_dir: {tree.source}")
                    .replace("out_dir: out", f"out_dir: {tmp_path / 'o'}"))
    wave = load_spec(spec)
    assert "escape_link.py" in {f.path for f in wave.files}

