"""Session fixtures shared by every test package: one real local Airflow 2 for the whole session.

Starting Airflow costs seconds, so the slow tests that need it share one server (its own home in a
temporary directory, a free port, a random admin password) and each test uses its own DAG ids.
"""

from __future__ import annotations

import secrets
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.net import free_port
from tests.runtime import find_runtime_python


def _terminate_like_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    """A SIGTERM (CI timeout, `timeout`, a killed job) ends the run like Ctrl-C, so session fixtures
    still tear down what they started (servers run in their own process groups and would outlive us)."""
    signal.signal(signal.SIGTERM, _terminate_like_interrupt)


@dataclass(frozen=True)
class LocalAirflow2:
    """What a test needs to talk to the session's local Airflow 2."""

    url: str
    dags_dir: Path
    username: str
    password: str
    server: object  # environments.local_airflow.LocalAirflowServer
    startup_seconds: float


@pytest.fixture(scope="session")
def local_airflow2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAirflow2]:
    """A started local Airflow 2 (web server + scheduler), stopped at the end of the session."""
    python, why = find_runtime_python()
    if python is None:
        pytest.skip(why)
    import time

    from environments.local_airflow import LocalAirflowServer

    password = secrets.token_hex(8)
    server = LocalAirflowServer(tmp_path_factory.mktemp("local_airflow2"), free_port(), python=python,
                                username="admin", password=password, workers=2)
    started = time.monotonic()
    try:
        server.prepare()
        server.start()
        server.wait_ready(timeout=180)
        yield LocalAirflow2(url=server.url, dags_dir=server.dags_dir, username="admin", password=password,
                            server=server, startup_seconds=time.monotonic() - started)
    finally:
        server.stop()
