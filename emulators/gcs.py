"""Start and stop a local Cloud Storage emulator (the PyPI package ``gcp-storage-emulator``).

Why a wrapper: the package's server binds a fixed port and logs through the stdlib root logger; tests
need port 0 (a free port read back after binding), a per-test data dir or memory, buckets created up
front and a clean stop, and the stack supervisor needs a foreground process that ends on SIGTERM:

    python -m emulators.gcs --port 9023 --data-dir .state/stack/gcs [--bucket NAME ...]

How the real ``google-cloud-storage`` client (3.x) reaches it: ``STORAGE_EMULATOR_HOST`` must be a URL
*with its scheme*, ``http://127.0.0.1:PORT`` (``handle.url``); the bare ``host:port`` form fails in 3.x
with ``requests.exceptions.InvalidSchema``. With the variable set, ``storage.Client()`` uses anonymous
credentials by itself but has no project, so pass ``project=`` for bucket listing/creation
(``environments.composer.client.storage_client`` does both).

Known limits of the emulator (2026.7.19): it is single-threaded (requests are served one at a time), it
ignores generation preconditions (``if_generation_match``), and an object name containing ``..``
crashes the request (the client sees the connection drop and retries).
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Self

from gcp_storage_emulator.handlers.buckets import create_bucket
from gcp_storage_emulator.server import Server, create_server

from emulators.serve import serve_until_signalled
from observability import configure_logging, get_logger

log = get_logger("emulators.gcs")


class GcsEmulatorHandle:
    """A running GCS emulator: ``url`` (for ``STORAGE_EMULATOR_HOST``), ``create_bucket``, ``stop()``."""

    def __init__(self, server: Server, host: str, port: int, data_dir: Path | None) -> None:
        self._server = server
        self.host = host
        self.port = port
        self.data_dir = data_dir
        self._stopped = False

    @property
    def url(self) -> str:
        """``http://host:port``: the value for ``STORAGE_EMULATOR_HOST`` (the scheme is required)."""
        return f"http://{self.host}:{self.port}"

    def create_bucket(self, name: str) -> None:
        """Create a bucket directly in the emulator's storage (no-op when it exists)."""
        storage = self._server._storage
        if name not in storage.buckets:
            create_bucket(name, storage)
            log.info("gcs_bucket_created", bucket=name, url=self.url)

    def stop(self) -> None:
        """Stop serving (idempotent). Objects stay in ``data_dir`` when one was given."""
        if self._stopped:
            return
        self._stopped = True
        done = threading.Event()
        waker = threading.Thread(target=self._wake_until, args=(done,), daemon=True)
        waker.start()
        try:
            self._server.stop()
        finally:
            done.set()
            waker.join()
        log.info("gcs_emulator_stopped", url=self.url)

    def _wake_until(self, done: threading.Event) -> None:
        """The package's server notices a shutdown only every 0.5 s or on a request: connect (an empty
        request) until it has stopped, so ``stop()`` takes milliseconds, not half a second per test."""
        while not done.wait(0.01):
            try:
                socket.create_connection((self.host, self.port), timeout=0.5).close()
            except OSError:
                return

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _check_free(host: str, port: int) -> None:
    """Fail here, with the address, rather than in the package's server thread."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the HTTPServer will
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(f"the GCS emulator could not listen on {host}:{port}: {error.strerror}") from error


def start_gcs_emulator(
    port: int = 0,
    host: str = "127.0.0.1",
    data_dir: Path | None = None,
    buckets: Iterable[str] = (),
) -> GcsEmulatorHandle:
    """Serve a GCS emulator in this process (a daemon thread) on ``host:port``; port 0 picks a free one.

    ``data_dir`` keeps objects on disk (under ``data_dir/.cloudstorage``) across restarts; None keeps
    them in memory. ``buckets`` are created at start.
    """
    if data_dir is not None:
        data_dir = Path(data_dir).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
    package_log = logging.getLogger("gcp_storage_emulator")
    if package_log.level == logging.NOTSET:
        package_log.setLevel(logging.WARNING)  # it logs every HTTP request at INFO; unless asked otherwise
    if port:
        _check_free(host, port)
    server = create_server(host, port, in_memory=data_dir is None, data_dir=str(data_dir) if data_dir else None)
    api = server._api  # the package's Server.start() waits forever when the bind fails in its thread
    api.daemon = True  # a forgotten stop() must not keep the interpreter alive
    api.start()
    while not api.is_running.wait(0.02):
        if not api.is_alive():
            raise OSError(f"the GCS emulator could not listen on {host}:{port} (port in use?)")
    # The package exposes no bound address; its HTTPServer is the only place that knows it (port 0).
    bound = server._api._httpd.server_address[1]
    handle = GcsEmulatorHandle(server, host, bound, data_dir)
    log.info("gcs_emulator_started", url=handle.url, data_dir=str(data_dir) if data_dir else "memory")
    for name in buckets:
        handle.create_bucket(name)
    return handle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m emulators.gcs",
        description="Local Cloud Storage emulator; point clients at it with STORAGE_EMULATOR_HOST=http://HOST:PORT.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9023, help="port to listen on; 0 picks a free one")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep objects here (default: memory)")
    parser.add_argument("--bucket", action="append", default=[], help="create this bucket at start (repeatable)")
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING... (default INFO)")
    args = parser.parse_args(argv)
    configure_logging(level=args.log_level)
    try:
        handle = start_gcs_emulator(port=args.port, host=args.host, data_dir=args.data_dir, buckets=args.bucket)
    except OSError as error:
        log.error("gcs_emulator_failed", error=str(error))
        return 1
    return serve_until_signalled(handle, f"export STORAGE_EMULATOR_HOST={handle.url}")


if __name__ == "__main__":
    sys.exit(main())
