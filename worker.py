"""The Temporal worker: runs the MigrationWave and DagCutover workflows and every activity.

    python worker.py [--address HOST:PORT] [--namespace NS] [--task-queue Q] [--max-activities N]

Settings come from ``StackConfig.from_env()`` (``COMPOSER_MIGRATE_*`` variables) and flags; TLS and an
API key for a Temporal cluster or Temporal Cloud as ``waves.client.ConnectionSettings`` reads them (the
same settings the CLI uses; docs/local-stack.md lists the variables), and payload encryption keys
likewise (``COMPOSER_MIGRATE_PAYLOAD_KEY`` / ``_KEY_FILE``, docs/security.md). The Google clients find their endpoints as usual
(ADC in production; ``PUBSUB_EMULATOR_HOST``, ``STORAGE_EMULATOR_HOST`` and
``COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT`` on the local stack). DAG code never runs in this process:
the test activity loads it in the sandboxed runtime subprocess.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from activities.adapters import Adapters
from activities.environment import EnvironmentActivities
from activities.stage import convert_files, test_files, write_wave_report
from observability import configure_logging, get_logger
from stack.config import StackConfig
from waves.client import ConnectionSettings, TemporalUnreachable, connect
from workflows.cutover import DagCutover
from workflows.wave import MigrationWave

log = get_logger("worker")

DEFAULT_MAX_ACTIVITIES = 32
DEFAULT_MAX_CACHED_WORKFLOWS = 2500


def build_worker(client: Client, config: StackConfig, *, task_queue: str | None = None,
                 max_activities: int = DEFAULT_MAX_ACTIVITIES, adapters: Adapters | None = None,
                 executor: ThreadPoolExecutor | None = None) -> Worker:
    """The worker with every workflow and activity of the product (tests build it the same way)."""
    env_activities = EnvironmentActivities(adapters or Adapters(config))
    return Worker(
        client,
        task_queue=task_queue or config.task_queue,
        workflows=[MigrationWave, DagCutover],
        activities=[
            convert_files, test_files, write_wave_report,
            env_activities.deploy_dag, env_activities.wait_parsed, env_activities.set_target_paused,
            env_activities.set_source_paused, env_activities.plan_first_run, env_activities.apply_first_run_guard,
            env_activities.route_dag, env_activities.verify_run, env_activities.source_baseline,
        ],
        activity_executor=executor or ThreadPoolExecutor(max_workers=max_activities),
        max_concurrent_activities=max_activities,
        # A wave keeps one DagCutover open per deployed DAG until its cutover gate: cache them all, so a
        # 1,000-DAG wave does not replay histories (the SDK's default cache holds 1,000 workflows).
        max_cached_workflows=DEFAULT_MAX_CACHED_WORKFLOWS,
    )


async def run(args: argparse.Namespace) -> int:
    config = StackConfig.from_env()
    for name, value in config.client_environ().items():
        os.environ.setdefault(name, value)
    try:
        settings = ConnectionSettings.from_env(config)
    except ValueError as exc:  # inconsistent TLS settings, an unreadable or malformed payload key
        log.error("bad_settings", error=str(exc))
        return 2
    settings = dataclasses.replace(settings, address=args.address or settings.address,
                                   namespace=args.namespace or settings.namespace)
    try:
        client = await connect(settings)
    except TemporalUnreachable as exc:
        log.error("temporal_unreachable", address=settings.address, error=str(exc))
        return 2
    worker = build_worker(client, config, task_queue=args.task_queue, max_activities=args.max_activities)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log.info("worker_started", address=args.address or config.temporal_address,
             task_queue=args.task_queue or config.task_queue, max_activities=args.max_activities,
             payload_key=settings.payload_keys.encrypting_id if settings.payload_keys else "none")
    async with worker:
        await stop.wait()
    log.info("worker_stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python worker.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", help="Temporal frontend host:port (default: the stack's, 127.0.0.1:7233)")
    parser.add_argument("--namespace", help="Temporal namespace (default: default)")
    parser.add_argument("--task-queue", help="task queue (default: composer-migrate)")
    parser.add_argument("--max-activities", type=int, default=DEFAULT_MAX_ACTIVITIES,
                        help=f"activities run at once by this worker (default {DEFAULT_MAX_ACTIVITIES})")
    parser.add_argument("--json-logs", action="store_true", help="log JSON lines instead of text")
    args = parser.parse_args(argv)
    configure_logging(json=True if args.json_logs else None)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
