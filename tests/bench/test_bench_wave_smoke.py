"""The wave benchmark's code path, small: a 5-DAG wave end to end (slow, runs in CI so the benchmark
cannot rot), and the pure figures it prints (history arithmetic, goal verdicts)."""

from __future__ import annotations

import json

import pytest

from bench import bench_wave
from bench.bench_wave import WaveMeasurement, evaluate_goals
from bench.wave_history import union_seconds
from tests.runtime import require_runtime_python


def test_union_counts_overlapping_work_once():
    assert union_seconds([]) == 0.0
    assert union_seconds([(0.0, 2.0), (1.0, 3.0), (5.0, 6.0)]) == 4.0
    assert union_seconds([(0.0, 10.0), (2.0, 3.0)]) == 10.0


def _wave(size: int, **figures: float) -> WaveMeasurement:
    return WaveMeasurement(size=size, files=size, **figures)


def test_goals_judge_growth_history_convert_test_and_overhead():
    small = _wave(100, total_s=60, wave_events=900, activities=900, worker_cpu_s=10, convert_s=10, test_s=20,
                  overhead_per_dag_ms=80, child_events_max=80)
    big = _wave(1000, total_s=500, wave_events=11_000, activities=9000, worker_cpu_s=90, convert_s=100, test_s=250,
                overhead_per_dag_ms=20, child_events_max=80)
    verdicts = {g.name.split(" ")[0]: g.verdict for g in evaluate_goals([small, big])}
    assert verdicts == {"growth": "PASS", "no": "FAIL", "convert+test": "FAIL", "orchestration": "PASS"}
    superlinear = _wave(1000, total_s=1500, wave_events=9000, activities=9000, worker_cpu_s=90, convert_s=10,
                        test_s=20, overhead_per_dag_ms=120, child_events_max=80)
    verdicts = {g.name.split(" ")[0]: g.verdict for g in evaluate_goals([small, superlinear])}
    assert verdicts == {"growth": "FAIL", "no": "PASS", "convert+test": "PASS", "orchestration": "FAIL"}
    only_small = {g.name.split(" ")[0]: g.verdict for g in evaluate_goals([small])}
    assert only_small["growth"] == "n/a" and only_small["convert+test"] == "n/a"


@pytest.mark.slow
def test_a_five_dag_wave_runs_through_the_benchmark(tmp_path):
    require_runtime_python()
    out = tmp_path / "bench.json"
    code = bench_wave.main(["--sizes", "5", "--json", str(out), "--keep", str(tmp_path / "work"), "--timeout", "300"])
    data = json.loads(out.read_text())
    (wave,) = data["waves"]
    assert code == 0, wave["problems"]
    assert wave["problems"] == []
    assert wave["files"] == 5 and wave["dags"] >= 1 and wave["done"] == wave["dags"]
    assert wave["done"] + wave["convert_failed"] + wave["test_failed"] == 5
    for stage in ("convert_s", "test_s", "deploy_s", "cutover_s"):
        assert 0 < wave[stage] < wave["total_s"], stage
    # every DAG that went through has its own DagCutover history, with its activities
    assert wave["child_events_max"] >= wave["child_events_mean"] > 10
    assert wave["wave_event_types"]["START_CHILD_WORKFLOW_EXECUTION_INITIATED"] == wave["dags"]
    assert wave["activities_per_dag"] > 1 and wave["activity_busy_s"] > 0
    assert wave["worker_cpu_s"] > 0 and wave["worker_children_cpu_s"] > 0  # the test stage's runtime subprocess
    assert wave["worker_peak_rss_mb"] > 30 and wave["subprocess_peak_rss_mb"] > 30
    goals = {g["name"]: g["verdict"] for g in data["goals"]}
    assert goals["no workflow history above 10,000 events"] == "PASS"
    assert "IN-MEMORY DOUBLES" in data["doubles"]
    # the worker was stopped: no benchmark worker is left running
    assert (tmp_path / "work" / "wave-5" / "doubles.json").is_file()
