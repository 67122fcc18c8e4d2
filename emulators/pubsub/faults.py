"""TEST-ONLY fault injection: make the emulator misbehave the way real Pub/Sub is allowed to.

Pub/Sub delivers at least once: a message can arrive twice, and a redelivery can arrive after newer
messages of its ordering key were processed. Consumers must be idempotent; these hooks let a test
prove it. Publishing can fail too (UNAVAILABLE, DEADLINE_EXCEEDED), before the message is stored or
after (the answer is lost, the client retries, the message is stored twice): publishers must retry and
stay idempotent. The hooks are reachable only in-process through ``EmulatorHandle.faults``, never over
gRPC, and product code must never use them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import grpc

from emulators.grpc_faults import CallRecord, GrpcFaults
from emulators.pubsub.broker import Broker, Delivery


class FaultInjector:
    """Arms faults on one broker; every method is safe to call from any thread."""

    def __init__(self, broker: Broker) -> None:
        self._broker = broker
        self._lock = threading.Lock()
        self._duplicates: dict[str, int] = {}
        broker.set_delivery_hook(self._on_delivery)
        self.rpc = GrpcFaults()  # installed as the server's interceptor by start_emulator

    def fail_publish_next(self, topic: str, count: int = 1, code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE,
                          *, after_store: bool = False) -> None:
        """The next ``count`` Publish calls to ``topic`` (full path) answer ``code``; with ``after_store``
        the messages are stored first (the answer is lost: a client retry stores them again)."""
        self.rpc.fail_next("Publish", count, code, when=lambda request: request.topic == topic,
                           after_call=after_store, message=f"injected fault: publish to {topic} answered {code.name}")

    def publish_calls(self, topic: str | None = None) -> list[CallRecord]:
        """The Publish calls so far (to ``topic``, or all), with their outcome (``served`` or the injected status)."""
        return self.rpc.calls("Publish", topic)

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
        """Disarm all pending duplications and publish failures."""
        with self._lock:
            self._duplicates.clear()
        self.rpc.clear()

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
