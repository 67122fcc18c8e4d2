"""pytest fixtures for the GCS and Composer emulators; import them into a test module or ``conftest.py``:

    from emulators.composer.testing import composer_emulators, gcs_client, gcs_emulator  # noqa: F401

``gcs_emulator`` is an in-memory GCS emulator with ``STORAGE_EMULATOR_HOST`` set to it; ``gcs_client`` a
real storage client on it; ``composer_emulators`` a factory ``(config dict) -> ComposerEmulatorHandle``
(storage endpoint defaulted to the GCS emulator) whose emulators stop at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import pytest

from emulators.composer.server import ComposerEmulatorHandle, emulator_storage_client, start_emulator
from emulators.gcs import GcsEmulatorHandle, start_gcs_emulator
from emulators.waiting import wait_until  # noqa: F401 - re-exported for the tests

T = TypeVar("T")
TEST_PROJECT = "test-project"


@pytest.fixture
def gcs_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[GcsEmulatorHandle]:
    handle = start_gcs_emulator()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", handle.url)
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def gcs_client(gcs_emulator: GcsEmulatorHandle):
    client = emulator_storage_client(gcs_emulator.url, TEST_PROJECT)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def composer_emulators(gcs_emulator: GcsEmulatorHandle) -> Iterator[Callable[..., ComposerEmulatorHandle]]:
    started: list[ComposerEmulatorHandle] = []

    def start(config: Mapping[str, Any], port: int = 0) -> ComposerEmulatorHandle:
        config = {"project": TEST_PROJECT, "location": "us-central1", "storage_endpoint": gcs_emulator.url,
                  **config}
        handle = start_emulator(config, port=port)
        started.append(handle)
        return handle

    try:
        yield start
    finally:
        for handle in started:
            handle.stop()
