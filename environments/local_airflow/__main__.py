"""``python -m environments.local_airflow serve --home DIR --port P [--profile NAME]``

Prepares and starts the local Airflow 2, prints one line with its URL when it is ready, and keeps it
running in the foreground until SIGTERM/SIGINT, when it stops both children (the stack supervisor
runs exactly this). Exits 1 when startup fails or a child dies on its own, with that child's log tail.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path

from airflow_runtime.build import RuntimeNotBuiltError
from environments.local_airflow.server import LocalAirflowError, LocalAirflowServer
from stack.config import StackConfig


def build_parser() -> argparse.ArgumentParser:
    defaults = StackConfig()
    parser = argparse.ArgumentParser(prog="python -m environments.local_airflow",
                                     description="Run the local Airflow 2 (web server + scheduler).")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="prepare, start and keep running until SIGTERM/SIGINT")
    serve.add_argument("--home", type=Path, default=defaults.airflow2_home,
                       help=f"state folder: airflow.db, dags/, logs/ (default {defaults.airflow2_home})")
    serve.add_argument("--port", type=int, default=defaults.airflow2_port)
    serve.add_argument("--host", default=defaults.host)
    serve.add_argument("--profile", default=defaults.profile, help="target profile whose runtime to run")
    serve.add_argument("--username", default=defaults.airflow2_user)
    serve.add_argument("--password", default=defaults.airflow2_password)
    serve.add_argument("--ready-timeout", type=float, default=180.0, help="seconds to wait for /health")
    return parser


def serve(args: argparse.Namespace) -> int:
    stop_requested = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop_requested.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        server = LocalAirflowServer(args.home, args.port, profile=args.profile, host=args.host,
                                    username=args.username, password=args.password)
    except RuntimeNotBuiltError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    started = time.monotonic()
    try:
        server.prepare()
        if stop_requested.is_set():
            return 0
        server.start()
        server.wait_ready(timeout=args.ready_timeout, interrupt=stop_requested)
        print(f"local Airflow 2 ready at {server.url} (home {server.home}, "
              f"{time.monotonic() - started:.1f} s)", flush=True)
        while not stop_requested.wait(1.0):
            server.check_alive()
        return 0
    except LocalAirflowError as exc:
        if stop_requested.is_set():
            return 0
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
