"""Chaos: a wave of 50 DAGs on the real local stack while the worker is SIGKILLed at seeded random times
(at least 10 times, each followed by a 1-3 s outage) and the Temporal dev server is restarted once.

Everything is real (tests/localstack.py): Temporal dev server persisting to SQLite, the worker process,
Pub/Sub and GCS emulators, the Composer-API emulator in front of a real Airflow 2, the Airflow 1.10 API
emulator, the reference scheduler. The wave must complete with every DAG done, and:

- every DAG deployed once: the GCS emulator records each object write (tests/reliability/chaos.py,
  ``gcs_with_write_ledger``); the Composer target skips identical bytes, so a retried deploy after a
  kill must not write again, and the bytes written are the bytes tested;
- routed once: one change per DAG in the reference scheduler's routing table, with the deterministic
  change id of (wave, DAG, composer2, attempt 1, the wave's run id); every DAG ends routed to composer2;
- paused once in the source; one verification run (and one first-run guard mark for daily DAGs) in
  the target;
- never unpaused in both environments at any sampled moment (a sample every ~1 s, three reads each).

``CHAOS_SEED`` picks another plan (the seed is printed); the figures are printed at the end (``-s``).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from pathlib import Path

import pytest

from refscheduler.routing_table import RoutingTable
from routing.contract import new_change_id
from stack.config import StackConfig
from tests.localstack import local_stack
from tests.reliability import chaos
from waves import client as wc
from waves.model import DAG_DONE, ROUTE_TARGET, STATUS_COMPLETED
from waves.spec import load_spec

pytestmark = pytest.mark.slow

DAG_COUNT = 50
CONCURRENCY = 10
MIN_KILLS = 10
WAVE = "chaos"
SEED = int(os.environ.get("CHAOS_SEED", "6"))
WAVE_TIMEOUT_S = 25 * 60


async def _chaos_wave(config: StackConfig, spec, plan: chaos.ChaosPlan, log: chaos.ChaosLog):
    client = await wc.connect(wc.ConnectionSettings.from_env(config))
    done = asyncio.Event()
    sampler = asyncio.create_task(chaos.sample_environments(config, log, done))
    faults = asyncio.create_task(chaos.inflict_chaos(config, plan, log, done))
    try:
        status = await chaos.drive_wave(client, spec, log, task_queue=config.task_queue)
    finally:
        done.set()
        await asyncio.gather(sampler, faults, return_exceptions=False)
    return status


def test_wave_survives_worker_kills_and_a_server_restart_with_every_side_effect_once(tmp_path: Path):
    state_dir, source_dir, out_dir = tmp_path / "stack", tmp_path / "airflow1", tmp_path / "out"
    schedules = chaos.write_dags(source_dir, DAG_COUNT)
    dag_ids = sorted(schedules)
    chaos.seed_source(state_dir, dag_ids)
    spec = load_spec(chaos.wave_spec(tmp_path / "wave.yaml", wave=WAVE, source_dir=source_dir, out_dir=out_dir,
                                     concurrency=CONCURRENCY))
    plan = chaos.plan_chaos(SEED, kills=MIN_KILLS)
    print(f"\n{plan.describe()}")

    with local_stack(state_dir, task_queue="chaos") as config:
        ledger = state_dir / "gcs-writes.jsonl"
        chaos.gcs_with_write_ledger(config, ledger)
        log = chaos.ChaosLog()
        try:
            status = asyncio.run(asyncio.wait_for(_chaos_wave(config, spec, plan, log), WAVE_TIMEOUT_S))
        except Exception as error:  # noqa: BLE001 - any way it fails, show the figures and the worker's errors
            pytest.fail(f"the chaos wave did not complete: {type(error).__name__}: {error}\n{log.figures()}\n"
                        f"worker log, last problems:\n{chaos.worker_problems(config)}")
        print(log.figures())
        checks = _check_everything_once(config, status, log, dag_ids, schedules, ledger, out_dir)
        print("checks passed: " + "; ".join(checks))


def _check_everything_once(config: StackConfig, status, log: chaos.ChaosLog, dag_ids: list[str],
                           schedules: dict[str, str], ledger: Path, out_dir: Path) -> list[str]:
    checks = []
    # the chaos really happened, during the wave
    assert len(log.kills) >= MIN_KILLS, f"only {len(log.kills)} worker kills before the wave ended\n{log.figures()}"
    assert len(log.temporal_restarts) == 1, f"the Temporal server was not restarted\n{log.figures()}"
    checks.append(f"{len(log.kills)} kills and 1 server restart during the wave")

    # the wave completed, every DAG done
    states = {d.dag_id: d.state for d in status.dags}
    not_done = {dag: (d.state, d.reason) for d in status.dags if (dag := d.dag_id or d.file) and d.state != DAG_DONE}
    assert status.status == STATUS_COMPLETED and sorted(states) == dag_ids and not not_done, (status.status, not_done)
    checks.append(f"wave {status.status}, {len(dag_ids)}/{len(dag_ids)} DAGs done")

    # deployed once: one object write per DAG file, of the bytes that were tested
    writes = chaos.object_writes(ledger)
    written_md5 = {entry["name"]: entry["md5"] for entry in chaos.read_ledger(ledger)}
    for dag_id in dag_ids:
        names = [name for name in writes if name.endswith(f"/{dag_id}.py")]
        assert len(names) == 1 and writes[names[0]] == 1, f"{dag_id}: object writes {[(n, writes[n]) for n in names]}"
        tested = hashlib.md5((out_dir / "dags" / f"{dag_id}.py").read_bytes()).hexdigest()
        assert written_md5[names[0]] == tested, f"{dag_id}: the bytes deployed are not the converted file's"
    assert sum(writes.values()) == len(dag_ids), f"unexpected object writes: {writes}"
    checks.append(f"{sum(writes.values())} object writes for {len(dag_ids)} DAGs (one each, the tested bytes)")

    # routed once, by change id; the routing table ends right
    with RoutingTable(config.refscheduler_db) as table:
        for dag_id in dag_ids:
            history = table.history(dag_id)
            expected = new_change_id(WAVE, dag_id, ROUTE_TARGET, 1, log.run_id)
            assert [(c.change.change_id, c.change.environment, c.change.wave) for c in history] == [
                (expected, ROUTE_TARGET, WAVE)], f"{dag_id}: routing history {history}"
            route = table.route_of(dag_id)
            assert route is not None and route.environment == ROUTE_TARGET and route.change_id == expected, route
        dead = table.dead_letters()
    assert not dead, f"dead letters in the routing table: {dead}"
    checks.append(f"{len(dag_ids)} routing changes, one per DAG with its deterministic change id; "
                  "every DAG routed to composer2; no dead letters")

    # paused once in the source (the emulator logs every change)
    changes = chaos.source_state(config)["pause_changes"]
    for dag_id in dag_ids:
        mine = [c["is_paused"] for c in changes if c["dag_id"] == dag_id and c["was_paused"] != c["is_paused"]]
        assert mine == [True], f"{dag_id}: pause changes in the source {mine}"
    checks.append("each DAG paused once in the source")

    # one verification run per DAG (and one first-run guard mark per daily DAG) in the target
    views = {d.dag_id: d for d in status.dags}
    for dag_id in dag_ids:
        runs = chaos.airflow2_runs(config, dag_id)
        verify = [r for r in runs if r["dag_run_id"].startswith("verify__")]
        guard = [r for r in runs if r["dag_run_id"].startswith("cutover_guard__")]
        assert [(r["dag_run_id"], r["state"]) for r in verify] == [(views[dag_id].verify_run_id, "success")], runs
        assert len(guard) == (1 if schedules[dag_id] == "@daily" else 0), (dag_id, runs)
        others = [r for r in runs if r not in verify and r not in guard]
        # a daily DAG may legitimately get the next interval's scheduled run (the wave crossed midnight UTC)
        later = [r for r in others if guard and r["dag_run_id"].startswith("scheduled__")
                 and r["logical_date"] > guard[0]["logical_date"]]
        assert others == later, f"{dag_id}: unexpected runs in the target {others}"
    checks.append("one successful verification run per DAG, one guard mark per daily DAG, no surprise runs")

    # never unpaused in both environments at a sampled moment
    duration = (log.finished or time.monotonic()) - log.started
    assert log.samples >= duration / 3, f"too few samples: {log.samples} in {duration:.0f}s"
    assert not log.violations, f"unpaused in both environments: {log.violations}"
    checks.append(f"never unpaused in both environments in {log.samples} samples")
    return checks
