"""TEST-ONLY fault injection: make the emulator misbehave the way real Pub/Sub is allowed to.

Pub/Sub delivers at least once: a message can arrive twice, and a redelivery can arrive after newer
messages of its ordering key were processed. Consumers must be idempotent; these hooks let a test
prove it. They are reachable only in-process through ``EmulatorHandle.faults``, never over gRPC, and
product code must never use them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from emulators.pubsub.broker import Broker, Delivery


class FaultInjector:
    """Arms faults on one broker; every method is safe to call from any thread."""

    def __init__(self, broker: Broker) -> None:
        self._broker = broker
        self._lock = threading.Lock()
        self._duplicates: dict[str, int] = {}
        broker.set_delivery_hook(self._on_delivery)

    def duplicate_next(self, subscription: str, count: int = 1) -> None:
        """Deliver each of the next ``count`` messages of ``subscription`` twice (two ack ids)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._duplicates[subscription] = self._duplicates.get(subscription, 0) + count

    def pending_duplicates(self, subscription: str) -> int:
        """How many armed duplications have not fired yet."""
        with self._lock:
            return self._duplicates.get(subscription, 0)

    def replay(self, subscription: str, message_id: str) -> None:
        """Deliver an already published (possibly acked) message once more, out of order."""
        self._broker.inject_delivery(subscription, message_id)

    def advance_clock(self, seconds: float) -> None:
        """Move the ack-deadline clock forward, so leases expire without the test sleeping."""
        self._broker.clock.advance(seconds)
        self._broker.wake()

    def clear(self) -> None:
        """Disarm all pending duplications."""
        with self._lock:
            self._duplicates.clear()

    def _on_delivery(self, subscription: str, deliveries: Sequence[Delivery]) -> list[str]:
        with self._lock:
            budget = self._duplicates.get(subscription, 0)
            if not budget:
                return []
            chosen = [delivery.message.message_id for delivery in deliveries[:budget]]
            left = budget - len(chosen)
            if left:
                self._duplicates[subscription] = left
            else:
                del self._duplicates[subscription]
            return chosen
