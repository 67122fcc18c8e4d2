"""pytest fixtures around the emulator; import them into a ``conftest.py``:

    from emulators.pubsub.testing import publisher_client, pubsub_emulator, subscriber_client  # noqa: F401

``pubsub_emulator`` starts a fresh emulator per test and sets ``PUBSUB_EMULATOR_HOST`` so that the
real clients (made by the other two fixtures, closed before the emulator stops) talk to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import pytest
from google.cloud import pubsub_v1

from emulators.pubsub.server import EmulatorHandle, start_emulator
from emulators.waiting import wait_until  # noqa: F401 - re-exported for the tests

T = TypeVar("T")


@pytest.fixture
def pubsub_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorHandle]:
    handle = start_emulator()
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", handle.address)
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def publisher_client(pubsub_emulator: EmulatorHandle) -> Iterator[pubsub_v1.PublisherClient]:
    """A PublisherClient with message ordering enabled (as routing.publisher requires)."""
    client = pubsub_v1.PublisherClient(
        publisher_options=pubsub_v1.types.PublisherOptions(enable_message_ordering=True)
    )
    try:
        yield client
    finally:
        try:
            client.stop()
        except RuntimeError:
            pass  # the test stopped it already
        client.transport.close()


@pytest.fixture
def subscriber_client(pubsub_emulator: EmulatorHandle) -> Iterator[pubsub_v1.SubscriberClient]:
    client = pubsub_v1.SubscriberClient()
    try:
        yield client
    finally:
        client.close()
