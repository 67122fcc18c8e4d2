"""``python -m emulators.composer --port 8990 --config FILE``: serve until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emulators.composer.config import ConfigError
from emulators.composer.server import start_emulator
from emulators.serve import serve_until_signalled
from observability import configure_logging, get_logger


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m emulators.composer",
        description="Composer API emulator (gRPC); point composer-migrate at it with "
        "COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT=HOST:PORT.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8990, help="port to listen on; 0 picks a free one")
    parser.add_argument("--config", type=Path, required=True, help="JSON file of environments (see emulators.composer.config)")
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING... (default INFO)")
    args = parser.parse_args(argv)
    configure_logging(level=args.log_level)
    log = get_logger("emulators.composer")
    try:
        handle = start_emulator(args.config, port=args.port, host=args.host)
    except (OSError, ConfigError) as error:
        log.error("composer_emulator_failed", error=str(error))
        return 1
    return serve_until_signalled(handle, f"export COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT={handle.address}")


if __name__ == "__main__":
    sys.exit(main())
