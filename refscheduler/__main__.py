"""``python -m refscheduler``: the reference scheduler's command line.

- ``serve --config FILE``: consume routing changes and trigger due slots until SIGTERM/SIGINT;
- ``tick --config FILE``: trigger what is due now, once, and print what happened (JSON lines);
- ``default-config [--out FILE] [--every-seconds N]``: the local stack's config (from StackConfig's
  ``COMPOSER_MIGRATE_*`` environment), as JSON.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from observability import configure_logging, get_logger
from refscheduler.service import ConfigError, SchedulerService, load_config, stack_refscheduler_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m refscheduler", description="The reference scheduler.")
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING... (default INFO)")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="consume routing changes and trigger due slots until SIGTERM")
    serve.add_argument("--config", required=True, help="the scheduler's config file (JSON or YAML)")
    tick = commands.add_parser("tick", help="trigger what is due now, once")
    tick.add_argument("--config", required=True)
    default = commands.add_parser("default-config", help="print (or write) the local stack's config")
    default.add_argument("--out", default=None, help="write it here instead of printing it")
    default.add_argument("--every-seconds", type=int, default=60, help="interval of the demo jobs (default 60)")
    args = parser.parse_args(argv)
    configure_logging(level=args.log_level)
    log = get_logger("refscheduler")

    if args.command == "default-config":
        from stack.config import StackConfig

        text = json.dumps(stack_refscheduler_config(StackConfig.from_env(), every_seconds=args.every_seconds),
                          indent=2)
        if args.out:
            from pathlib import Path

            Path(args.out).write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        return 0

    try:
        config = load_config(args.config)
    except ConfigError as error:
        log.error("scheduler_config_invalid", error=str(error))
        return 2

    if args.command == "tick":
        from refscheduler.routing_table import RoutingTable
        from refscheduler.scheduler import ReferenceScheduler

        config.db_path.parent.mkdir(parents=True, exist_ok=True)
        with RoutingTable(config.db_path) as table:
            triggers = {name: env.trigger() for name, env in config.environments.items()}
            scheduler = ReferenceScheduler(config.jobs, table, triggers)
            try:
                results = scheduler.tick()
            finally:
                scheduler.close()
        for result in results:
            print(json.dumps({
                "job": result.job, "dag_id": result.dag_id, "slot": result.slot.isoformat(),
                "run_id": result.run_id, "environment": result.environment,
                "created": result.outcome.created if result.outcome else None, "error": result.error,
            }))
        return 1 if any(r.error for r in results) else 0

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        SchedulerService(config).serve(stop)
    except Exception as error:  # noqa: BLE001 - say why the service could not run, exit non-zero
        log.error("scheduler_failed", error=f"{type(error).__name__}: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
