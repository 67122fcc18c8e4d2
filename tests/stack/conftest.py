"""Fixtures for the stack tests: a StackConfig on tmp state and free ports, a Supervisor that cleans up."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack.config import StackConfig
from stack.supervisor import Supervisor
from tests.stack.helpers import free_ports


@pytest.fixture
def stack_config(tmp_path: Path) -> StackConfig:
    """Every port free and every path under tmp_path: never the default ports or state."""
    names = ["temporal_port", "temporal_ui_port", "pubsub_port", "gcs_port", "composer_api_port",
             "airflow1_port", "airflow2_port"]
    return StackConfig(state_dir=tmp_path / "state", **dict(zip(names, free_ports(len(names)), strict=True)))


@pytest.fixture
def supervisor(tmp_path: Path):
    """A Supervisor on tmp pids; whatever a test left running is stopped afterwards."""
    sup = Supervisor(pids_dir=tmp_path / "pids")
    yield sup
    if sup.pids_dir.exists():
        for pidfile in sup.pids_dir.glob("*.json"):
            sup.stop(pidfile.stem, grace=2)
