"""Fixtures: a fresh in-repo Pub/Sub emulator per test and real clients pointed at it."""

from emulators.pubsub.testing import publisher_client, pubsub_emulator, subscriber_client  # noqa: F401
