"""``python -m emulators.pubsub --host 127.0.0.1 --port 8085``: serve until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import sys

from emulators.pubsub.server import start_emulator
from emulators.serve import serve_until_signalled
from observability import configure_logging, get_logger


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m emulators.pubsub",
        description="In-repo Pub/Sub emulator; point clients at it with PUBSUB_EMULATOR_HOST=HOST:PORT.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8085, help="port to listen on; 0 picks a free one")
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING... (default INFO)")
    args = parser.parse_args(argv)
    configure_logging(level=args.log_level)
    try:
        handle = start_emulator(port=args.port, host=args.host)
    except OSError as error:
        get_logger("emulators.pubsub").error("pubsub_emulator_failed", error=str(error))
        return 1
    return serve_until_signalled(handle, f"export PUBSUB_EMULATOR_HOST={handle.address}")


if __name__ == "__main__":
    sys.exit(main())
