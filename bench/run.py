"""Run every benchmark in bench/ (make bench). Each prints its own table and ratio against a baseline
measured in the same run (the wave benchmark: how each figure grows from 100 to 1,000 DAGs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["bench_convert.py", "bench_test_stage.py"]  # these take the command line's --count/--jobs
WAVE_BENCHMARK = "bench_wave.py"  # whole waves of 10, 100 and 1,000 DAGs; its own --sizes, so no arguments

if __name__ == "__main__":
    failed = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / name), *sys.argv[1:]])
    print(f"== {WAVE_BENCHMARK}", flush=True)
    failed |= subprocess.call([sys.executable, str(HERE / WAVE_BENCHMARK)])
    sys.exit(failed)
