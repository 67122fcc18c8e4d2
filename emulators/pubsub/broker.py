"""The in-memory Pub/Sub broker: topics, subscriptions, leases and ordering, with no gRPC in sight.

Semantics (what the real service promises, made deterministic):
- a subscription receives every message published to its topic after the subscription was created
  (and matching its filter);
- each delivery gets a fresh ack id and a lease (the ack deadline); an ack is only honoured for the
  current ack id of a message still under lease; an expired lease makes the message available again,
  and its next delivery counts one more ``delivery_attempt`` (always set here, while the real service
  sets it only with a dead-letter policy);
- ``modify_ack_deadline(..., 0)`` is a nack: the message is available again at once;
- with ``enable_message_ordering``, per ordering key at most one message is outstanding, and the
  next one is delivered only after the previous one is acked, strictly in publish order (a stronger
  form of the service's guarantee); messages without a key are not ordered.

Thread-safe: one lock and one condition guard all state; blocking pulls wait on the condition and
wake on publish, ack, nack, lease expiry, deletion or ``wake()``. Ack deadlines run on ``Clock``
(monotonic, shiftable by the test-only fault hook) and publish times on the wall clock.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from emulators.pubsub.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from emulators.pubsub.filters import Predicate, compile_filter
from emulators.pubsub.names import DELETED_TOPIC, parse_name, parse_project

DEFAULT_ACK_DEADLINE_S = 10
MIN_ACK_DEADLINE_S = 10
MAX_ACK_DEADLINE_S = 600
MAX_ORDERING_KEY_BYTES = 1024
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
_MAX_IDLE_WAIT_S = 1.0


class Clock:
    """Monotonic seconds for ack deadlines; ``advance`` shifts it forward (used only by fault hooks)."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds


@dataclass(frozen=True)
class NewMessage:
    """A message as a publisher sends it."""

    data: bytes = b""
    attributes: Mapping[str, str] = field(default_factory=dict)
    ordering_key: str = ""


@dataclass(frozen=True)
class StoredMessage:
    """A published message: what every subscription delivers."""

    message_id: str
    data: bytes
    attributes: Mapping[str, str]
    ordering_key: str
    publish_time: datetime


@dataclass(frozen=True)
class Delivery:
    """One delivery of a message to a subscriber, identified by its ack id."""

    ack_id: str
    message: StoredMessage
    delivery_attempt: int


@dataclass(frozen=True)
class TopicRecord:
    """A topic and the service layer's opaque description of it (echoed by GetTopic)."""

    name: str
    descriptor: bytes = b""


@dataclass(frozen=True)
class SubscriptionConfig:
    """What the broker needs to know about a subscription; ``descriptor`` is echoed by GetSubscription."""

    name: str
    topic: str
    ack_deadline_seconds: int = DEFAULT_ACK_DEADLINE_S
    enable_message_ordering: bool = False
    filter: str = ""
    descriptor: bytes = b""


# A hook called (under the broker lock) with each batch of regular deliveries; it returns the ids
# of messages to deliver once more, out of band. Only the test-only FaultInjector installs one.
DeliveryHook = Callable[[str, Sequence[Delivery]], Iterable[str]]

_AVAILABLE, _LEASED = "available", "leased"


class _Pending:
    """Mutable per-subscription state of one undelivered or unacked message (or an injected copy)."""

    __slots__ = ("ack_id", "deadline", "injected", "message", "state")

    def __init__(self, message: StoredMessage, injected: bool = False) -> None:
        self.message = message
        self.state = _AVAILABLE
        self.ack_id: str | None = None
        self.deadline = 0.0
        self.injected = injected


@dataclass
class _Subscription:
    config: SubscriptionConfig
    topic: str
    matches: Predicate
    pending: dict[int, _Pending] = field(default_factory=dict)  # insertion order = delivery order
    by_ack_id: dict[str, int] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)  # message_id -> deliveries so far


class Broker:
    """All topics, subscriptions and messages of one emulator instance."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._topics: dict[str, TopicRecord] = {}
        self._topic_subscriptions: dict[str, set[str]] = {}
        self._subscriptions: dict[str, _Subscription] = {}
        self._messages: dict[str, StoredMessage] = {}
        self._message_ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._ack_ids = itertools.count(1)
        self._hook: DeliveryHook | None = None
        self._closed = False

    # ---- topics -------------------------------------------------------------------------------

    def create_topic(self, name: str, descriptor: bytes = b"") -> TopicRecord:
        parse_name(name, "topics")
        with self._lock:
            if name in self._topics:
                raise AlreadyExistsError(f"Topic already exists (resource={name})")
            record = TopicRecord(name=name, descriptor=descriptor)
            self._topics[name] = record
            self._topic_subscriptions[name] = set()
            return record

    def get_topic(self, name: str) -> TopicRecord:
        parse_name(name, "topics")
        with self._lock:
            return self._topic(name)

    def delete_topic(self, name: str) -> None:
        """Delete a topic; its subscriptions stay, detached to ``_deleted-topic_`` as in the service."""
        parse_name(name, "topics")
        with self._changed:
            self._topic(name)
            del self._topics[name]
            for sub_name in self._topic_subscriptions.pop(name):
                self._subscriptions[sub_name].topic = DELETED_TOPIC
            self._changed.notify_all()

    def list_topics(self, project: str) -> list[TopicRecord]:
        project_id = parse_project(project)
        prefix = f"projects/{project_id}/topics/"
        with self._lock:
            return [self._topics[name] for name in sorted(self._topics) if name.startswith(prefix)]

    def list_topic_subscriptions(self, topic: str) -> list[str]:
        parse_name(topic, "topics")
        with self._lock:
            self._topic(topic)
            return sorted(self._topic_subscriptions[topic])

    def publish(self, topic: str, messages: Sequence[NewMessage]) -> list[str]:
        """Store the messages, fan them out to the topic's subscriptions, return their ids in order."""
        parse_name(topic, "topics")
        if not messages:
            raise InvalidArgumentError("the publish request must contain at least one message")
        for index, message in enumerate(messages):
            _validate_message(index, message)
        now = datetime.now(UTC)
        with self._changed:
            self._topic(topic)
            ids: list[str] = []
            for message in messages:
                stored = StoredMessage(
                    message_id=str(next(self._message_ids)),
                    data=bytes(message.data),
                    attributes=dict(message.attributes),
                    ordering_key=message.ordering_key,
                    publish_time=now,
                )
                self._messages[stored.message_id] = stored
                ids.append(stored.message_id)
                for sub_name in self._topic_subscriptions[topic]:
                    sub = self._subscriptions[sub_name]
                    if sub.matches(stored.attributes):
                        sub.pending[next(self._seq)] = _Pending(stored)
            self._changed.notify_all()
            return ids

    # ---- subscriptions ------------------------------------------------------------------------

    def create_subscription(self, config: SubscriptionConfig) -> SubscriptionConfig:
        parse_name(config.name, "subscriptions")
        parse_name(config.topic, "topics")
        deadline = config.ack_deadline_seconds
        if not MIN_ACK_DEADLINE_S <= deadline <= MAX_ACK_DEADLINE_S:
            raise InvalidArgumentError(
                f"ack_deadline_seconds must be between {MIN_ACK_DEADLINE_S} and {MAX_ACK_DEADLINE_S} "
                f"(or 0 for the default {DEFAULT_ACK_DEADLINE_S}); got {deadline}"
            )
        matches = compile_filter(config.filter)
        with self._lock:
            if config.name in self._subscriptions:
                raise AlreadyExistsError(f"Subscription already exists (resource={config.name})")
            self._topic(config.topic)
            self._subscriptions[config.name] = _Subscription(
                config=config, topic=config.topic, matches=matches
            )
            self._topic_subscriptions[config.topic].add(config.name)
            return config

    def get_subscription(self, name: str) -> tuple[SubscriptionConfig, str]:
        """The subscription's config and its current topic (``_deleted-topic_`` once deleted)."""
        parse_name(name, "subscriptions")
        with self._lock:
            sub = self._subscription(name)
            return sub.config, sub.topic

    def delete_subscription(self, name: str) -> None:
        parse_name(name, "subscriptions")
        with self._changed:
            sub = self._subscription(name)
            del self._subscriptions[name]
            if sub.topic in self._topic_subscriptions:
                self._topic_subscriptions[sub.topic].discard(name)
            self._changed.notify_all()

    def list_subscriptions(self, project: str) -> list[tuple[SubscriptionConfig, str]]:
        project_id = parse_project(project)
        prefix = f"projects/{project_id}/subscriptions/"
        with self._lock:
            return [
                (self._subscriptions[name].config, self._subscriptions[name].topic)
                for name in sorted(self._subscriptions)
                if name.startswith(prefix)
            ]

    # ---- delivery -----------------------------------------------------------------------------

    def pull(
        self,
        subscription: str,
        max_messages: int,
        *,
        lease_seconds: int | None = None,
        wait_s: float = 0.0,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[Delivery]:
        """Lease up to ``max_messages`` deliverable messages, waiting up to ``wait_s`` for the first.

        ``lease_seconds`` defaults to the subscription's ack deadline (a streaming pull passes its
        stream ack deadline). Returns an empty list on timeout, on ``should_stop()`` or on close;
        raises NotFoundError if the subscription is (or gets) deleted.
        """
        if max_messages <= 0:
            raise InvalidArgumentError(f"max_messages must be positive; got {max_messages}")
        parse_name(subscription, "subscriptions")
        give_up_at = time.monotonic() + max(wait_s, 0.0)
        with self._changed:
            while True:
                sub = self._subscription(subscription)
                lease = lease_seconds or sub.config.ack_deadline_seconds
                deliveries = self._take(subscription, sub, max_messages, lease)
                if deliveries or self._closed or (should_stop is not None and should_stop()):
                    return deliveries
                remaining = give_up_at - time.monotonic()
                if remaining <= 0:
                    return []
                self._changed.wait(min(remaining, self._until_next_expiry(sub), _MAX_IDLE_WAIT_S))

    def acknowledge(self, subscription: str, ack_ids: Sequence[str]) -> None:
        """Ack the messages whose current ack ids these are; stale or unknown ids are ignored."""
        parse_name(subscription, "subscriptions")
        if not ack_ids:
            raise InvalidArgumentError("ack_ids must not be empty")
        with self._changed:
            sub = self._subscription(subscription)
            self._expire(sub, self.clock.now())
            for ack_id in ack_ids:
                seq = sub.by_ack_id.pop(ack_id, None)
                if seq is not None:
                    del sub.pending[seq]
            self._changed.notify_all()

    def modify_ack_deadline(self, subscription: str, ack_ids: Sequence[str], seconds: int) -> None:
        """Extend (or, with 0, give up: nack) the leases of the given ack ids."""
        parse_name(subscription, "subscriptions")
        if not ack_ids:
            raise InvalidArgumentError("ack_ids must not be empty")
        if not 0 <= seconds <= MAX_ACK_DEADLINE_S:
            raise InvalidArgumentError(
                f"ack_deadline_seconds must be between 0 and {MAX_ACK_DEADLINE_S}; got {seconds}"
            )
        with self._changed:
            sub = self._subscription(subscription)
            now = self.clock.now()
            self._expire(sub, now)
            for ack_id in ack_ids:
                seq = sub.by_ack_id.get(ack_id)
                if seq is None:
                    continue
                if seconds == 0:
                    self._release(sub, seq)
                else:
                    sub.pending[seq].deadline = now + seconds
            self._changed.notify_all()

    def backlog(self, subscription: str) -> int:
        """Messages (and injected copies) of the subscription not acked yet, leased or not."""
        with self._lock:
            return len(self._subscription(subscription).pending)

    # ---- lifecycle and fault support ----------------------------------------------------------

    def wake(self) -> None:
        """Wake every blocked pull so it re-checks its stop conditions (and an advanced clock)."""
        with self._changed:
            self._changed.notify_all()

    def close(self) -> None:
        """Make every blocked and future pull return at once."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def set_delivery_hook(self, hook: DeliveryHook | None) -> None:
        """Install the fault hook (see faults.py); it runs under the broker lock."""
        with self._lock:
            self._hook = hook

    def inject_delivery(self, subscription: str, message_id: str) -> None:
        """Deliver a published message once more on ``subscription``, even if acked, ignoring ordering.

        Fault support: the copy is one-shot (acked, nacked or expired, it is gone) and does not hold
        its ordering key. Real Pub/Sub is at-least-once, so consumers must survive exactly this.
        """
        with self._changed:
            self._inject(self._subscription(subscription), message_id)
            self._changed.notify_all()

    # ---- internals (call with the lock held) --------------------------------------------------

    def _topic(self, name: str) -> TopicRecord:
        try:
            return self._topics[name]
        except KeyError:
            raise NotFoundError(f"Resource not found (resource={name})") from None

    def _subscription(self, name: str) -> _Subscription:
        try:
            return self._subscriptions[name]
        except KeyError:
            raise NotFoundError(f"Resource not found (resource={name})") from None

    def _inject(self, sub: _Subscription, message_id: str) -> None:
        try:
            message = self._messages[message_id]
        except KeyError:
            raise NotFoundError(f"no published message with id {message_id!r}") from None
        sub.pending[next(self._seq)] = _Pending(message, injected=True)

    def _release(self, sub: _Subscription, seq: int) -> None:
        """End the lease of ``pending[seq]``: available again, or gone for an injected copy."""
        pending = sub.pending[seq]
        if pending.ack_id is not None:
            sub.by_ack_id.pop(pending.ack_id, None)
        if pending.injected:
            del sub.pending[seq]
            return
        pending.state, pending.ack_id = _AVAILABLE, None

    def _expire(self, sub: _Subscription, now: float) -> None:
        expired = [seq for seq, p in sub.pending.items() if p.state == _LEASED and p.deadline <= now]
        for seq in expired:
            self._release(sub, seq)

    def _until_next_expiry(self, sub: _Subscription) -> float:
        deadlines = [p.deadline for p in sub.pending.values() if p.state == _LEASED]
        if not deadlines:
            return _MAX_IDLE_WAIT_S
        return max(min(deadlines) - self.clock.now(), 0.01)

    def _take(self, name: str, sub: _Subscription, max_messages: int, lease: int) -> list[Delivery]:
        now = self.clock.now()
        self._expire(sub, now)
        ordered = sub.config.enable_message_ordering
        seen_keys: set[str] = set()
        regular: list[Delivery] = []
        out: list[Delivery] = []
        for seq, pending in sub.pending.items():
            if len(out) >= max_messages:
                break
            key = pending.message.ordering_key if ordered and not pending.injected else ""
            if key:
                # Only the oldest unacked message of a key may be out, and only one at a time.
                if key in seen_keys:
                    continue
                seen_keys.add(key)
            if pending.state != _AVAILABLE:
                continue
            ack_id = f"{next(self._ack_ids)}-{pending.message.message_id}"
            pending.state, pending.ack_id, pending.deadline = _LEASED, ack_id, now + lease
            sub.by_ack_id[ack_id] = seq
            message_id = pending.message.message_id
            sub.attempts[message_id] = sub.attempts.get(message_id, 0) + 1
            delivery = Delivery(
                ack_id=ack_id, message=pending.message, delivery_attempt=sub.attempts[message_id]
            )
            out.append(delivery)
            if not pending.injected:
                regular.append(delivery)
        if regular and self._hook is not None:
            for message_id in self._hook(name, regular):
                self._inject(sub, message_id)
        return out


def _validate_message(index: int, message: NewMessage) -> None:
    if not message.data and not message.attributes:
        raise InvalidArgumentError(
            f"message {index} is empty: each message must contain non-empty data or at least one attribute"
        )
    if len(message.data) > MAX_MESSAGE_BYTES:
        raise InvalidArgumentError(f"message {index} is larger than {MAX_MESSAGE_BYTES} bytes")
    if len(message.ordering_key.encode()) > MAX_ORDERING_KEY_BYTES:
        raise InvalidArgumentError(
            f"message {index}: ordering_key is longer than {MAX_ORDERING_KEY_BYTES} bytes"
        )
    for key, value in message.attributes.items():
        if not key or len(key.encode()) > 256:
            raise InvalidArgumentError(f"message {index}: attribute keys must be 1-256 bytes; got {key!r}")
        if key.startswith("goog"):
            raise InvalidArgumentError(f"message {index}: attribute key {key!r} must not start with 'goog'")
        if len(value.encode()) > 1024:
            raise InvalidArgumentError(f"message {index}: attribute {key!r} is longer than 1024 bytes")
