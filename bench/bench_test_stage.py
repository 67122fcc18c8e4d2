"""Benchmark: the test stage vs Airflow's own DagBag fill of the same converted folder, in the same run.

    python bench/bench_test_stage.py [--count 1000] [--jobs 2] [--repeat 1] [--target PROFILE]

Generates COUNT Airflow 1.10 DAG files (bench.generate_corpus), converts them (dagconvert), then times, in
the target's runtime and alternating: (a) ``DagBag(folder, include_examples=False)`` in a fresh runtime
process with a fresh copy of the template Airflow home, as a test session gets (what Airflow itself does:
import every file once, no checks); (b) ``dagcheck.stage.run_test_stage`` over the same folder: one
long-lived runtime process, forked children loading batches of files (reset between files), templates rendered, structure compared with the
sources, ruff's AIR rules. Wall time from process start to the last result, best of --repeat for each.
Goal (issue #3): stage / DagBag < 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from airflow_runtime.build import runtime_python, template_airflow_home
from airflow_runtime.env import make_pythonpath_dir, runtime_env
from bench.generate_corpus import generate
from dagcheck.stage import StageResult, run_test_stage
from dagconvert.runner import convert_tree

GOAL = 1.5
DAGBAG_CODE = ("import json, sys; from airflow.models import DagBag; b = DagBag(sys.argv[1], include_examples=False); "
               "print(json.dumps({'dags': len(b.dags), 'import_errors': len(b.import_errors)}))")


def dagbag_fill(folder: Path, profile: str | None, work: Path) -> tuple[float, dict]:
    """Wall seconds of a fresh runtime process filling a DagBag from ``folder``, and what it found."""
    python = runtime_python(profile)
    template = template_airflow_home(profile)
    home = work / "airflow_home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    if template is not None:
        shutil.copy2(template / "airflow.db", home / "airflow.db")
    dags = work / "empty_dags"
    dags.mkdir(exist_ok=True)
    env = runtime_env(os.environ, airflow_home=home, dags_folder=dags, pythonpath=make_pythonpath_dir(work / "pp"))
    started = time.perf_counter()
    proc = subprocess.run([str(python), "-c", DAGBAG_CODE, str(folder)], env=env, cwd=work, capture_output=True,
                          text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"DagBag fill failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return elapsed, json.loads(proc.stdout.strip().splitlines()[-1])


def test_stage(out: Path, src: Path, profile: str | None, jobs: int) -> tuple[float, StageResult]:
    started = time.perf_counter()
    result = run_test_stage(out, src, profile, jobs=jobs)
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--target", default=None, help="target profile (default: the default profile)")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory(prefix="bench-test-stage-") as tmp:
        root = Path(tmp)
        src, out = root / "airflow1", root / "airflow2"
        files = generate(src, args.count, seed=1)
        converted = convert_tree(src, out, args.target, jobs=args.jobs, with_diff=False)
        console.print(f"generated {len(files)} Airflow 1.10 DAG files, converted in {converted.elapsed_s:.1f} s "
                      f"({len(converted.errors)} conversion errors)")
        dagbag_runs: list[float] = []
        stage_runs: list[tuple[float, StageResult]] = []
        found: dict = {}
        for i in range(args.repeat):
            elapsed, found = dagbag_fill(out, args.target, root / f"dagbag{i}")
            dagbag_runs.append(elapsed)
            stage_runs.append(test_stage(out, src, args.target, args.jobs))
    dagbag = min(dagbag_runs)
    stage_s, result = min(stage_runs, key=lambda r: r[0])
    n = len(result.files)
    table = Table(title=f"test stage vs DagBag fill: {n} converted DAG files, {args.jobs} workers, "
                        f"{result.profile}")
    for col in ("run", "wall (s)", "ms / file", "what it did"):
        table.add_column(col, justify="right" if col != "what it did" else "left")
    table.add_row("DagBag fill (Airflow itself)", f"{dagbag:.2f}", f"{dagbag / n * 1000:.1f}",
                  f"{found.get('dags')} DAGs, {found.get('import_errors')} import errors; import only")
    table.add_row("test stage", f"{stage_s:.2f}", f"{stage_s / n * 1000:.1f}",
                  f"{len(result.passed)} passed, {len(result.failed)} failed; import, warnings, structure, "
                  "templates, AIR lint")
    table.add_row("  of which runtime start", f"{result.timings.get('runtime_start_s', 0):.2f}", "",
                  "Airflow + providers imported once, warm-up")
    table.add_row("  of which load + checks", f"{result.timings.get('load_and_check_s', 0):.2f}",
                  f"{result.timings.get('load_and_check_s', 0) / max(n, 1) * 1000:.1f}",
                  f"batches of files per forked child; file wall mean {statistics.mean(f.elapsed_s for f in result.files) * 1000:.0f} ms")
    console.print(table)
    ratio = stage_s / dagbag
    console.print(f"ratio test stage / DagBag = {ratio:.2f}x (goal < {GOAL:.1f}x) -> "
                  f"{'met' if ratio < GOAL else 'NOT met'}; runs: DagBag {', '.join(f'{d:.1f}' for d in dagbag_runs)} s, "
                  f"stage {', '.join(f'{s:.1f}' for s, _ in stage_runs)} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
