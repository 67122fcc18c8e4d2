"""``python -m emulators.airflow1 --port 8081 --seed FILE [--state FILE]``: serve until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import os
import sys

from emulators.airflow1 import DEMO_SEED_PATH, SeedError, start_emulator
from emulators.serve import serve_until_signalled
from observability import configure_logging, get_logger


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m emulators.airflow1",
        description="Emulator of Airflow 1.10's experimental REST API (the Composer 1 source).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="port to listen on; 0 picks a free one")
    parser.add_argument("--seed", default=str(DEMO_SEED_PATH), help="seed JSON (default: the demo seed)")
    parser.add_argument("--state", default=None, help="JSON file that keeps the state across restarts")
    parser.add_argument("--run-duration", type=float, default=2.0,
                        help="seconds a triggered run takes when the seed does not say (default 2)")
    parser.add_argument("--bearer-token-env", default=None,
                        help="require 'Authorization: Bearer <value of this env variable>' (like IAP)")
    parser.add_argument("--basic-auth-env", default=None,
                        help="require basic auth 'user:password' read from this env variable")
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING... (default INFO)")
    args = parser.parse_args(argv)
    configure_logging(level=args.log_level)
    log = get_logger("emulators.airflow1")
    token = os.environ.get(args.bearer_token_env) if args.bearer_token_env else None
    basic = None
    if args.basic_auth_env:
        user, sep, password = os.environ.get(args.basic_auth_env, "").partition(":")
        if not sep:
            log.error("airflow1_emulator_failed", error=f"${args.basic_auth_env} must hold 'user:password'")
            return 2
        basic = (user, password)
    try:
        handle = start_emulator(
            args.seed, port=args.port, host=args.host, state_path=args.state,
            run_duration_s=args.run_duration, bearer_token=token, basic_auth=basic,
        )
    except (OSError, SeedError, ValueError) as error:
        log.error("airflow1_emulator_failed", error=str(error))
        return 1
    return serve_until_signalled(handle, f"airflow1 emulator at {handle.url}")


if __name__ == "__main__":
    sys.exit(main())
