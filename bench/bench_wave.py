"""Benchmark: whole migration waves of 10, 100 and 1,000 generated Airflow 1.10 DAGs on real Temporal.

    .venv/bin/python bench/bench_wave.py --sizes 10,100,1000 [--concurrency 50] [--json results.json]

Each wave is a MigrationWave with one DagCutover child per DAG on a real Temporal dev server (in memory,
free ports), run by the product's worker (worker.build_worker, in its own process so its CPU and memory
are its own), with the real convert activity and the real test activity in the real Airflow 2 runtime,
and the real routing switch: Pub/Sub emulator (real client library, gRPC) and the reference scheduler's
real consumer acking every change into its SQLite routing table. The benchmark approves each gate (a
signal) as soon as the wave shows it open.

Doubles, and why: the Composer 2 target and the Composer 1 source are in-memory environments
(emulators/memory_airflow.py) that deploy, parse, pause and run at once. The local Airflow 2 runs
SequentialExecutor on SQLite (3-4 s per task); deploying, parsing and running 1,000 DAGs in it would
measure that executor, not the migration.

Figures per wave size come from the server's histories (fetched with the client) and from /proc: wall
time per stage, events per workflow, activities per DAG, the worker's CPU time and peak RSS; then how
each grows between the two largest sizes, and the goals of issue #6 as PASS/FAIL.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # after PYTHONPATH, so a worker can be run over another copy of a package

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from bench.generate_corpus import generate
from bench.proc_stats import CpuTimes, SubtreeRssSampler, cpu_times, peak_rss_bytes
from bench.wave_history import activity_runs, child_path, event_type_counts, union_seconds, wave_times
from waves.model import (
    DAG_CONVERT_FAILED,
    DAG_DONE,
    DAG_TEST_FAILED,
    STAGE_CUTOVER_GATE,
    STAGE_PROMOTE_GATE,
    Approval,
    WaveResult,
)

PROJECT = "bench-wave"
SOURCE, TARGET = "composer1-bench", "composer2-bench"
PROMOTE_APPROVER, CUTOVER_APPROVER = "lead@example.com", "ops@example.com"
DOUBLES_NOTE = ("target (Composer 2 / Airflow 2) and source (Composer 1) are IN-MEMORY DOUBLES "
                "(emulators/memory_airflow.py): the local Airflow 2 (SequentialExecutor, 3-4 s per task) cannot deploy, "
                "parse and run 1,000 DAGs in reasonable time. Real: Temporal dev server, worker, convert, "
                "test in the Airflow 2 runtime, Pub/Sub emulator + reference scheduler consumer.")

# Goals (issue #6, Scale)
MAX_HISTORY_EVENTS = 10_000
CONVERT_TEST_1000_LIMIT_S = 300.0
OVERHEAD_PER_DAG_LIMIT_MS = 100.0
LINEAR_SLACK = 1.3  # "close to linear": growth at most 1.3x the growth in DAGs


# ------------------------------------------------------------------ results


@dataclass
class WaveMeasurement:
    size: int
    files: int = 0
    dags: int = 0  # DAGs that reached the cutover (DagCutover children)
    done: int = 0
    convert_failed: int = 0
    test_failed: int = 0
    total_s: float = 0.0
    convert_s: float = 0.0
    test_s: float = 0.0
    deploy_s: float = 0.0
    cutover_s: float = 0.0
    report_s: float = 0.0
    gate_wait_s: float = 0.0
    wave_events: int = 0
    child_events_max: int = 0
    child_events_mean: float = 0.0
    activities: int = 0
    activity_busy_s: float = 0.0  # union of all activity intervals: time at least one activity was working
    overhead_per_dag_ms: float = 0.0  # (total - gate waits - activity busy) / files
    child_path_overhead_ms: float = 0.0  # mean over DAGs of (child wall - its activities - release wait)
    worker_cpu_s: float = 0.0
    worker_children_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    worker_peak_rss_mb: float = 0.0
    subprocess_peak_rss_mb: float = 0.0
    wave_event_types: dict[str, int] = field(default_factory=dict)  # where the wave's history goes
    activity_mean_s: dict[str, float] = field(default_factory=dict)  # per activity type: mean working time
    activity_queue_mean_ms: float = 0.0  # mean scheduled -> started (waiting for a worker slot and dispatch)
    problems: list[str] = field(default_factory=list)

    @property
    def activities_per_dag(self) -> float:
        return self.activities / self.files if self.files else 0.0

    @property
    def convert_test_s(self) -> float:
        return self.convert_s + self.test_s

    @property
    def wave_events_per_dag(self) -> float:
        """The wave's history per DAG that reached the cutover (DAGs stopped at convert/test add ~nothing)."""
        return self.wave_events / self.dags if self.dags else 0.0


# ------------------------------------------------------------------ services


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Services:
    temporal_address: str
    temporal_pid: int
    pubsub_address: str
    routing_table: object  # refscheduler.routing_table.RoutingTable


def start_temporal(port: int, log: Path) -> subprocess.Popen:
    """The Temporal dev server, in memory (nothing to clean up), with the product's search attributes."""
    from stack.temporal import SEARCH_ATTRIBUTES, temporal_binary

    argv = [str(temporal_binary()), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port),
            "--ui-port", str(_free_port()), "--log-level", "error", "--ui-disable-news-fetch"]
    for name, kind in SEARCH_ATTRIBUTES.items():
        argv += ["--search-attribute", f"{name}={kind}"]
    with log.open("wb") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


async def _wait_for_temporal(address: str, process: subprocess.Popen, timeout_s: float = 60.0) -> Client:
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the Temporal dev server on {address} exited with {process.returncode} "
                               "(its log is temporal.log in the work tree; keep it with --keep)")
        try:
            return await asyncio.wait_for(Client.connect(address), 3)
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.3)


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@contextlib.asynccontextmanager
async def bench_services(work: Path):
    """Temporal dev server (in memory), Pub/Sub emulator, routing topics and the reference scheduler's consumer."""
    from google.cloud import pubsub_v1

    from emulators.pubsub.server import start_emulator
    from refscheduler.consumer import RoutingConsumer
    from refscheduler.routing_table import RoutingTable
    from routing.publisher import RoutingPublisher, make_publisher_client

    port = _free_port()
    server = start_temporal(port, work / "temporal.log")
    stack = contextlib.ExitStack()
    try:
        client = await _wait_for_temporal(f"127.0.0.1:{port}", server)
        emulator = start_emulator()
        stack.callback(emulator.stop)
        previous = os.environ.get("PUBSUB_EMULATOR_HOST")
        stack.callback(_restore_env, "PUBSUB_EMULATOR_HOST", previous)
        os.environ["PUBSUB_EMULATOR_HOST"] = emulator.address  # the Google clients read it
        publisher_client = make_publisher_client()
        stack.callback(publisher_client.transport.close)
        RoutingPublisher(PROJECT, publisher_client).ensure_topics()
        subscriber_client = pubsub_v1.SubscriberClient()
        stack.callback(subscriber_client.close)
        table = RoutingTable(work / "routing.sqlite")
        stack.callback(table.close)
        consumer = RoutingConsumer(project=PROJECT, table=table, subscriber_client=subscriber_client,
                                   publisher_client=publisher_client)
        consumer.ensure_subscription()
        consumer.start()
        stack.callback(consumer.stop)
        yield client, Services(f"127.0.0.1:{port}", server.pid, emulator.address, table)
    finally:
        stack.close()
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# ------------------------------------------------------------------ the worker, in its own process


class WorkerProcess:
    """``bench_wave.py worker ...``: the product's worker over the in-memory doubles, until SIGTERM."""

    def __init__(self, services: Services, task_queue: str, run_dir: Path):
        self.report_path = run_dir / "doubles.json"
        self.ready_path = run_dir / "worker.ready"
        self.log_path = run_dir / "worker.log"
        env = {**os.environ, "PUBSUB_EMULATOR_HOST": services.pubsub_address, "PYTHONUNBUFFERED": "1"}
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "worker", "--address", services.temporal_address,
             "--task-queue", task_queue, "--report", str(self.report_path), "--ready", str(self.ready_path)],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO, env=env, start_new_session=True)
        self.pid = self.process.pid

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        """Until the worker wrote its ready file (its output goes to a log file, never to a pipe it could fill)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.process.poll() is None:
            if self.ready_path.is_file():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the benchmark worker did not start; see {self.log_path}:\n{self._tail()}")

    def _tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> dict:
        """SIGTERM, wait, and return what the doubles saw (uploads, pause timeline checks)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        if not self.report_path.is_file():
            return {}
        return json.loads(self.report_path.read_text())


def _worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_wave.py worker")
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--ready", type=Path, required=True)
    args = parser.parse_args(argv)
    return asyncio.run(_serve_worker(args))


async def _serve_worker(args: argparse.Namespace) -> int:
    from activities.adapters import Adapters
    from dagconvert.runner import write_atomic
    from emulators.memory_airflow import SourceDouble, TargetDouble, Timeline
    from observability import configure_logging
    from stack.config import StackConfig
    from worker import build_worker

    configure_logging(json=True)  # as the product's worker logs (INFO), into the log file

    timeline = Timeline()
    target, source = TargetDouble(timeline, name=TARGET), SourceDouble(timeline, SOURCE)

    class DoubleAdapters(Adapters):
        def target(self, name: str):
            return target

        def source(self, name: str):
            return source

    config = StackConfig(project=PROJECT)
    client = await Client.connect(args.address)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    worker = build_worker(client, config, task_queue=args.task_queue, adapters=DoubleAdapters(config))
    async with worker:
        write_atomic(args.ready, b"ready\n")
        await stop.wait()
    report = {"uploads": target.uploads, "active_in_both": timeline.active_in_both(),
              "target_paused": target.paused, "source_paused": source.paused}
    write_atomic(args.report, json.dumps(report).encode())
    return 0


# ------------------------------------------------------------------ one wave


def write_spec(run_dir: Path, src: Path, wave: str, concurrency: int) -> Path:
    spec = run_dir / "wave.yaml"
    spec.write_text(
        f"wave: {wave}\n"
        f"source_dir: {src}\n"
        f"out_dir: {run_dir / 'out'}\n"
        "dags: ['**/*.py']\n"
        f"source: {SOURCE}\n"
        f"target: {TARGET}\n"
        f"approvers:\n  promote: [{PROMOTE_APPROVER}]\n  cutover: [{CUTOVER_APPROVER}]\n"
        "gates:\n  cutover: wave\n"
        "verify: {poll: 0.2s, timeout: 120s}\n"
        f"concurrency: {concurrency}\n")
    return spec


async def approve_gates(handle: WorkflowHandle, poll_s: float = 0.1) -> None:
    """Approve each gate as soon as the wave's stage (a search attribute, read with describe) shows it open.

    Describe reads the server's record, not the workflow: polling it costs the worker nothing, so the
    benchmark's own watching does not skew the worker's CPU figures.
    """
    from workflows import search

    sent: set[str] = set()
    while True:
        description = await handle.describe()
        if description.status != WorkflowExecutionStatus.RUNNING:
            return
        stage = description.typed_search_attributes.get(search.STAGE)
        if stage == STAGE_PROMOTE_GATE and "promote" not in sent:
            await handle.signal("approve", Approval("promote", PROMOTE_APPROVER, "benchmark"))
            sent.add("promote")
        elif stage == STAGE_CUTOVER_GATE and "cutover" not in sent:
            await handle.signal("approve", Approval("cutover", CUTOVER_APPROVER, "benchmark"))
            sent.add("cutover")
        await asyncio.sleep(poll_s)


async def _histories(client: Client, workflow_ids: list[str], parallel: int = 16) -> list:
    semaphore = asyncio.Semaphore(parallel)

    async def one(workflow_id: str):
        async with semaphore:
            return (await client.get_workflow_handle(workflow_id).fetch_history()).events

    return await asyncio.gather(*(one(w) for w in workflow_ids))


async def measure_wave(client: Client, services: Services, size: int, work: Path, *, concurrency: int,
                       seed: int, timeout_s: float) -> WaveMeasurement:
    from waves.spec import load_spec
    from workflows import search

    run_dir = work / f"wave-{size}"
    run_dir.mkdir(parents=True, exist_ok=True)
    src = run_dir / "src"
    generate(src, size, seed)
    wave = f"bench-{size}-{uuid.uuid4().hex[:6]}"
    inp = load_spec(write_spec(run_dir, src, wave, concurrency))
    m = WaveMeasurement(size=size, files=len(inp.files))

    worker = WorkerProcess(services, f"bench-{wave}", run_dir)
    try:
        worker.wait_ready()
        worker_cpu0, server_cpu0 = cpu_times(worker.pid), cpu_times(services.temporal_pid)
        with SubtreeRssSampler(worker.pid) as sampler:
            handle = await client.start_workflow(
                "MigrationWave", inp, id=search.wave_workflow_id(wave), task_queue=f"bench-{wave}",
                search_attributes=search.initial(wave, "convert", "running"), result_type=WaveResult)
            approver = asyncio.ensure_future(approve_gates(handle))
            try:
                result: WaveResult = await asyncio.wait_for(handle.result(), timeout_s)
            finally:
                approver.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await approver
        worker_cpu: CpuTimes = cpu_times(worker.pid) - worker_cpu0
        m.server_cpu_s = round((cpu_times(services.temporal_pid) - server_cpu0).total_s, 2)
        m.worker_peak_rss_mb = round(peak_rss_bytes(worker.pid) / 2**20, 1)
        m.subprocess_peak_rss_mb = round(sampler.peak_bytes / 2**20, 1)
    finally:
        doubles = worker.stop()
    m.worker_cpu_s = round(worker_cpu.own_s, 2)
    m.worker_children_cpu_s = round(worker_cpu.children_s, 2)

    views = result.status.dags
    m.done = sum(1 for v in views if v.state == DAG_DONE)
    m.convert_failed = sum(1 for v in views if v.state == DAG_CONVERT_FAILED)
    m.test_failed = sum(1 for v in views if v.state == DAG_TEST_FAILED)
    cut = [v.dag_id for v in views if v.dag_id and v.state not in (DAG_CONVERT_FAILED, DAG_TEST_FAILED)]
    m.dags = len(cut)

    wave_events = (await handle.fetch_history()).events
    child_events = await _histories(client, [search.cutover_workflow_id(wave, d) for d in cut])
    times = wave_times(wave_events)
    m.total_s, m.convert_s, m.test_s = round(times.total_s, 2), round(times.convert_s, 2), round(times.test_s, 2)
    m.deploy_s, m.cutover_s = round(times.deploy_s, 2), round(times.cutover_s, 2)
    m.report_s, m.gate_wait_s = round(times.report_s, 2), round(times.gate_wait_s, 2)
    m.wave_events = len(wave_events)
    m.wave_event_types = event_type_counts(wave_events)
    paths = [child_path(events) for events in child_events]
    m.child_events_max = max((p.events for p in paths), default=0)
    m.child_events_mean = round(sum(p.events for p in paths) / len(paths), 1) if paths else 0.0
    runs = activity_runs(wave_events) + [r for events in child_events for r in activity_runs(events)]
    m.activities = len(runs)
    by_name: dict[str, list[float]] = {}
    for r in runs:
        by_name.setdefault(r.name, []).append(r.working_s)
    m.activity_mean_s = {name: round(sum(v) / len(v), 3) for name, v in sorted(by_name.items())}
    m.activity_queue_mean_ms = round(1000 * sum(r.started - r.scheduled for r in runs) / len(runs), 1) if runs else 0.0
    m.activity_busy_s = round(union_seconds((r.started, r.closed) for r in runs), 2)
    overhead = max(0.0, times.total_s - times.gate_wait_s - m.activity_busy_s)
    m.overhead_per_dag_ms = round(1000 * overhead / max(1, m.files), 1)
    m.child_path_overhead_ms = round(1000 * sum(p.overhead_s for p in paths) / len(paths), 1) if paths else 0.0
    m.problems = check_outcome(result, doubles, services, cut)
    return m


def check_outcome(result: WaveResult, doubles: dict, services: Services, cut: list[str]) -> list[str]:
    """What would make the figures meaningless: DAGs not done, side effects not once, a bad routing table."""
    problems = []
    views = result.status.dags
    not_done = [f"{v.dag_id}: {v.state} ({v.reason})" for v in views if v.dag_id in cut and v.state != DAG_DONE]
    if not_done:
        problems.append(f"{len(not_done)} DAG(s) past the test stage did not finish done: {not_done[:3]}")
    if not cut:
        problems.append("no DAG passed convert and test: nothing was cut over")
    uploads = doubles.get("uploads", [])
    if len(uploads) != len(set(uploads)) or len(set(uploads)) != len(cut):
        problems.append(f"{len(uploads)} uploads ({len(set(uploads))} distinct) for {len(cut)} DAGs: not once each")
    if doubles.get("active_in_both"):
        problems.append(f"active in both environments at once: {doubles['active_in_both'][:5]}")
    table = services.routing_table
    wrong = [d for d in cut if (route := table.route_of(d)) is None or route.environment != "composer2"]
    if wrong:
        problems.append(f"{len(wrong)} DAG(s) not routed to composer2 in the reference scheduler: {wrong[:3]}")
    return problems


# ------------------------------------------------------------------ report


ROWS: tuple[tuple[str, str, str], ...] = (
    # (label, attribute, format)
    ("DAG files in the wave", "files", "d"),
    ("DAGs cut over (done)", "done", "d"),
    ("stopped at convert / test", "stopped", "s"),
    ("convert (s)", "convert_s", ".1f"),
    ("test in Airflow 2 runtime (s)", "test_s", ".1f"),
    ("promote -> deployed, parsed (s)", "deploy_s", ".1f"),
    ("cutover -> verified (s)", "cutover_s", ".1f"),
    ("report (s)", "report_s", ".1f"),
    ("gate waits (benchmark approving) (s)", "gate_wait_s", ".1f"),
    ("total wave wall time (s)", "total_s", ".1f"),
    ("convert + test (s)", "convert_test_s", ".1f"),
    ("wave history events", "wave_events", "d"),
    ("wave history events per DAG cut over", "wave_events_per_dag", ".1f"),
    ("DagCutover history events max", "child_events_max", "d"),
    ("DagCutover history events mean", "child_events_mean", ".1f"),
    ("activities", "activities", "d"),
    ("activities per DAG", "activities_per_dag", ".2f"),
    ("time >=1 activity working (s)", "activity_busy_s", ".1f"),
    ("activity queue wait, mean (ms)", "activity_queue_mean_ms", ".0f"),
    ("orchestration overhead per DAG (ms)", "overhead_per_dag_ms", ".1f"),
    ("per-DAG path overhead, mean (ms)", "child_path_overhead_ms", ".0f"),
    ("worker CPU, own (s)", "worker_cpu_s", ".1f"),
    ("worker CPU, its subprocesses (s)", "worker_children_cpu_s", ".1f"),
    ("Temporal server CPU (s)", "server_cpu_s", ".1f"),
    ("worker peak RSS (MB)", "worker_peak_rss_mb", ".0f"),
    ("worker subprocesses peak RSS (MB)", "subprocess_peak_rss_mb", ".0f"),
)
GROWTH_ATTRS = ("total_s", "convert_test_s", "deploy_s", "cutover_s", "wave_events", "activities", "worker_cpu_s",
                "worker_children_cpu_s")


def _value(m: WaveMeasurement, attr: str):
    if attr == "stopped":
        return f"{m.convert_failed} / {m.test_failed}"
    return getattr(m, attr)


def growth_pair(measurements: list[WaveMeasurement]) -> tuple[WaveMeasurement, WaveMeasurement] | None:
    """100 -> 1,000 when both ran, else the two largest sizes."""
    by_size = {m.size: m for m in measurements}
    if 100 in by_size and 1000 in by_size:
        return by_size[100], by_size[1000]
    ordered = sorted(by_size)
    return (by_size[ordered[-2]], by_size[ordered[-1]]) if len(ordered) >= 2 else None


def _ratio(a: float, b: float) -> float | None:
    return b / a if a else None


@dataclass(frozen=True)
class Goal:
    name: str
    verdict: str  # PASS | FAIL | n/a
    detail: str


def evaluate_goals(measurements: list[WaveMeasurement]) -> list[Goal]:
    goals = []
    pair = growth_pair(measurements)
    if pair:
        small, big = pair
        dags_growth = big.files / small.files
        worst_attr, worst = max(((a, _ratio(getattr(small, a), getattr(big, a)) or 0.0) for a in
                                 ("total_s", "wave_events", "activities", "worker_cpu_s")), key=lambda x: x[1])
        verdict = "PASS" if worst <= LINEAR_SLACK * dags_growth else "FAIL"
        goals.append(Goal("growth close to linear", verdict,
                          f"{small.size}->{big.size} DAGs ({dags_growth:.0f}x): worst {worst_attr} grew {worst:.1f}x "
                          f"(limit {LINEAR_SLACK * dags_growth:.0f}x)"))
    else:
        goals.append(Goal("growth close to linear", "n/a", "needs two sizes"))
    most = max(measurements, key=lambda m: max(m.wave_events, m.child_events_max))
    biggest = max(most.wave_events, most.child_events_max)
    largest = max(measurements, key=lambda m: m.files)
    goals.append(Goal(f"no workflow history above {MAX_HISTORY_EVENTS:,} events",
                      "PASS" if biggest <= MAX_HISTORY_EVENTS else "FAIL",
                      f"largest: {biggest:,} events ({most.size}-DAG wave; wave {most.wave_events:,}, "
                      f"child max {most.child_events_max:,}); if all {largest.files:,} DAGs of the largest wave "
                      f"passed the test stage: about {largest.wave_events_per_dag * largest.files:,.0f}"))
    big_waves = [m for m in measurements if m.size >= 1000]
    if big_waves:
        m = big_waves[0]
        goals.append(Goal(f"convert+test of 1,000 DAGs under {CONVERT_TEST_1000_LIMIT_S:.0f} s "
                          f"({os.cpu_count()} cores)",
                          "PASS" if m.convert_test_s < CONVERT_TEST_1000_LIMIT_S else "FAIL",
                          f"{m.convert_test_s:.1f} s (convert {m.convert_s:.1f} + test {m.test_s:.1f})"))
    else:
        goals.append(Goal("convert+test of 1,000 DAGs under 300 s", "n/a", "no 1,000-DAG wave in this run"))
    # Per DAG, a wave's fixed costs (worker and runtime start-up, a few workflow tasks) divide by few DAGs in
    # a small wave; the goal is about what each DAG adds, so the largest wave of the run is judged.
    goals.append(Goal(f"orchestration overhead per DAG under {OVERHEAD_PER_DAG_LIMIT_MS:.0f} ms",
                      "PASS" if largest.overhead_per_dag_ms < OVERHEAD_PER_DAG_LIMIT_MS else "FAIL",
                      f"{largest.overhead_per_dag_ms:.1f} ms in the largest wave ({largest.size} DAGs)"))
    return goals


def print_report(measurements: list[WaveMeasurement], goals: list[Goal], concurrency: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(120, shutil.get_terminal_size().columns))
    pair = growth_pair(measurements)
    table = Table(title=f"whole migration waves (concurrency {concurrency}, {os.cpu_count()} cores)")
    table.add_column("per wave")
    for m in measurements:
        table.add_column(f"{m.size} DAGs", justify="right")
    if pair:
        table.add_column(f"growth {pair[0].size}->{pair[1].size} (linear {pair[1].files / pair[0].files:.0f}x)",
                         justify="right")
    for label, attr, fmt in ROWS:
        cells = [format(_value(m, attr), fmt) for m in measurements]
        if pair:
            ratio = _ratio(getattr(pair[0], attr), getattr(pair[1], attr)) if attr != "stopped" else None
            cells.append(f"{ratio:.1f}x" if ratio is not None else "")
        table.add_row(label, *cells)
    console.print(table)
    names = sorted({name for m in measurements for name in m.activity_mean_s})
    activities = Table(title="mean working time per activity (s): where a DAG's time goes")
    activities.add_column("activity")
    for m in measurements:
        activities.add_column(f"{m.size} DAGs", justify="right")
    for name in names:
        activities.add_row(name, *(f"{m.activity_mean_s[name]:.3f}" if name in m.activity_mean_s else "" for m in measurements))
    console.print(activities)
    console.print(f"note: {DOUBLES_NOTE}")
    console.print("overhead per DAG = (wave wall time - gate waits - time at least one activity was working) / DAGs; "
                  "path overhead = a DagCutover's wall time - its activities - its wait for the cutover gate.")
    for goal in goals:
        console.print(f"goal: {goal.name}: {goal.verdict} ({goal.detail})")
    for m in measurements:
        for problem in m.problems:
            console.print(f"[red]CHECK FAILED ({m.size}-DAG wave): {problem}[/red]")


# ------------------------------------------------------------------ main


async def run_benchmark(sizes: list[int], work: Path, *, concurrency: int, seed: int,
                        timeout_s: float) -> list[WaveMeasurement]:
    from observability import configure_logging

    configure_logging(json=False, level="WARNING")  # the emulator and consumer log every message at INFO
    results = []
    async with bench_services(work) as (client, services):
        for size in sizes:
            started = time.perf_counter()
            print(f"-- wave of {size} DAGs ...", file=sys.stderr, flush=True)
            results.append(await measure_wave(client, services, size, work, concurrency=concurrency, seed=seed,
                                              timeout_s=timeout_s))
            print(f"-- wave of {size} DAGs measured in {time.perf_counter() - started:.0f}s", file=sys.stderr,
                  flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["worker"]:
        return _worker_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="wave sizes in DAG files (default 10,100,1000)")
    parser.add_argument("--concurrency", type=int, default=50, help="DAGs deploying or cutting over at once")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (bench/generate_corpus.py)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per wave before giving up")
    parser.add_argument("--json", type=Path, help="also write the figures and goals to this JSON file")
    parser.add_argument("--keep", type=Path, help="keep the work tree (corpora, outputs, worker logs) here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not sizes or any(s < 1 for s in sizes):
        parser.error(f"--sizes must be positive integers, got {args.sizes!r}")
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-wave-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        measurements = asyncio.run(run_benchmark(sizes, work, concurrency=args.concurrency, seed=args.seed,
                                                 timeout_s=args.timeout))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    goals = evaluate_goals(measurements)
    print_report(measurements, goals, args.concurrency)
    if args.json:
        payload = {"concurrency": args.concurrency, "cores": os.cpu_count(), "doubles": DOUBLES_NOTE,
                   "waves": [{**asdict(m), "activities_per_dag": m.activities_per_dag,
                              "convert_test_s": m.convert_test_s, "wave_events_per_dag": m.wave_events_per_dag}
                             for m in measurements],
                   "goals": [asdict(g) for g in goals]}
        args.json.write_text(json.dumps(payload, indent=2))
    return 1 if any(m.problems for m in measurements) else 0


if __name__ == "__main__":
    raise SystemExit(main())
