"""Benchmark: the conversion engine vs libcst's bare parse+render of the same files, in the same run.

    python bench/bench_convert.py [--count 1000] [--jobs 2] [--repeat 3]

Both sides read each file, do their work and write the result to an output tree, with the same number of
worker processes; the runs alternate (bare, engine, engine + diffs) --repeat times and the best of each is
kept. Goal (issue #2): engine / bare < 2.0 on 2 cores, i.e. with --jobs workers (default: 2, or the
machine's cores if fewer); the one-worker row is printed beside it.
"engine" is what ``cli.py convert SRC OUT`` does; "+ diffs" also builds every file's unified diff, as
``--diff`` and ``--report`` do (reporting, not conversion: shown, not part of the goal).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import libcst as cst
from rich.console import Console
from rich.table import Table

from bench.generate_corpus import generate
from dagconvert.runner import convert_tree, write_atomic


def _bare_one(args: tuple[str, str]) -> int:
    src, dst = args
    code = cst.parse_module(Path(src).read_text()).code
    write_atomic(Path(dst), code.encode())
    return len(code)


def bare_libcst(files: list[Path], src_root: Path, out: Path, jobs: int) -> float:
    tasks = [(str(f), str(out / f.relative_to(src_root))) for f in files]
    started = time.perf_counter()
    if jobs == 1:
        for t in tasks:
            _bare_one(t)
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=cst.parse_module, initargs=("x = 1\n",)) as pool:
            list(pool.map(_bare_one, tasks, chunksize=max(1, len(tasks) // (jobs * 4))))
    return time.perf_counter() - started


def engine(src_root: Path, out: Path, jobs: int, with_diff: bool = False) -> float:
    started = time.perf_counter()
    result = convert_tree(src_root, out, jobs=jobs, with_diff=with_diff)
    elapsed = time.perf_counter() - started
    assert not result.errors, result.errors[:3]
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory(prefix="bench-convert-") as tmp:
        src = Path(tmp) / "src"
        files = generate(src, args.count, seed=1)
        n_bytes = sum(f.stat().st_size for f in files)
        rows = []
        for jobs in sorted({1, args.jobs}):
            times: dict[str, list[float]] = {"bare": [], "engine": [], "diffs": []}
            for i in range(args.repeat):  # interleaved, so a drift of the machine's speed hits all three alike
                times["bare"].append(bare_libcst(files, src, Path(tmp) / f"bare{jobs}_{i}", jobs))
                times["engine"].append(engine(src, Path(tmp) / f"engine{jobs}_{i}", jobs))
                times["diffs"].append(engine(src, Path(tmp) / f"diffs{jobs}_{i}", jobs, with_diff=True))
            rows.append((jobs, min(times["bare"]), min(times["engine"]), min(times["diffs"])))
    table = Table(title=f"convert {len(files)} generated Airflow 1.10 DAG files ({n_bytes / 1e6:.1f} MB)")
    for col in ("workers", "bare libcst parse+render (s)", "engine (s)", "engine files/s", "engine / bare",
                "+ diffs (s)", "+ diffs / bare"):
        table.add_column(col, justify="right")
    for jobs, bare, eng, diffs in rows:
        table.add_row(str(jobs), f"{bare:.2f}", f"{eng:.2f}", f"{len(files) / eng:.0f}", f"{eng / bare:.2f}x",
                      f"{diffs:.2f}", f"{diffs / bare:.2f}x")
    console.print(table)
    # the goal is for the engine as it runs: on all the cores it is given (--jobs); one worker is shown beside
    jobs, bare, eng, _ = rows[-1]
    ratio = eng / bare
    console.print(f"goal: engine / bare < 2.00x with {jobs} worker(s) -> {'met' if ratio < 2 else 'NOT met'} "
                  f"({ratio:.2f}x; one worker: {rows[0][2] / rows[0][1]:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
