"""The reference scheduler's routing consumer: changes in, routing table updated, acks out.

For each message of ``scheduler-routing`` (streaming pull, ordered per dag_id):
1. decode it; if it breaks the contract, keep it as a dead letter (reason + bytes) and ack it, so
   a bad message is looked at by a person instead of crashing the consumer or looping forever;
2. apply it to the routing table (one committed transaction; a known change_id is a no-op);
3. publish the ``RoutingAck`` on ``scheduler-routing-acks`` (attributes carry change_id for the
   waiters' filters) and wait until Pub/Sub has it;
4. only then ack the Pub/Sub message.
A crash anywhere before 4 means a redelivery, which re-applies (no-op) and re-acks with the same
content (``applied_at`` is the first application's), so waiters get their ack whatever happened.
If the table or the ack publish fails, the message is nacked after a short pause and retried.

``process_message`` is the decision (no Pub/Sub), ``RoutingConsumer`` the I/O around it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1
from google.cloud.pubsub_v1.subscriber.futures import StreamingPullFuture
from google.cloud.pubsub_v1.subscriber.message import Message

from observability import get_logger
from refscheduler.routing_table import RoutingTable
from routing.contract import ACK_TOPIC, ROUTING_TOPIC, ContractError, RoutingAck, RoutingChange

log = get_logger("refscheduler.consumer")

DEFAULT_SUBSCRIPTION_ID = "refscheduler-routing"
DEFAULT_ACK_DEADLINE_S = 60
DEFAULT_PUBLISH_TIMEOUT_S = 30.0
RETRY_PAUSE_S = 1.0


@dataclass(frozen=True)
class Outcome:
    """What to do with one message: publish ``ack`` (if any), then acknowledge the message."""

    ack: RoutingAck | None = None
    newly_applied: bool = False
    dead_letter_reason: str | None = None


def process_message(
    table: RoutingTable,
    data: bytes,
    *,
    message_id: str,
    attributes: Mapping[str, str] | None = None,
    ordering_key: str = "",
) -> Outcome:
    """Apply one message body to ``table`` (committed when this returns) and say which ack to send."""
    try:
        change = RoutingChange.decode(data)
    except ContractError as error:
        table.dead_letter(message_id, str(error), data, attributes=attributes, ordering_key=ordering_key)
        return Outcome(dead_letter_reason=str(error))
    newly_applied = table.apply(change)
    record = table.change(change.change_id)
    if record is None:  # cannot happen after apply; a clear error rather than a silent wrong ack
        raise RuntimeError(f"change {change.change_id} vanished from {table.path} right after apply")
    return Outcome(
        ack=RoutingAck.for_change(change, applied_at=record.applied_at, outcome=record.outcome),
        newly_applied=newly_applied,
    )


class RoutingConsumer:
    """Consume routing changes of one project into a routing table, through a streaming pull."""

    def __init__(
        self,
        *,
        project: str,
        table: RoutingTable,
        subscriber_client: pubsub_v1.SubscriberClient,
        publisher_client: pubsub_v1.PublisherClient,
        subscription_id: str = DEFAULT_SUBSCRIPTION_ID,
        publish_timeout_s: float = DEFAULT_PUBLISH_TIMEOUT_S,
    ) -> None:
        self.project = project
        self.table = table
        self.subscription = f"projects/{project}/subscriptions/{subscription_id}"
        self.changes_topic = f"projects/{project}/topics/{ROUTING_TOPIC}"
        self.acks_topic = f"projects/{project}/topics/{ACK_TOPIC}"
        self._subscriber = subscriber_client
        self._publisher = publisher_client
        self._publish_timeout_s = publish_timeout_s
        self._future: StreamingPullFuture | None = None
        self._lock = threading.Lock()

    def ensure_subscription(self) -> str:
        """Create the ordered subscription on ``scheduler-routing`` if missing; return its path.

        The topics themselves belong to the publishing side (RoutingPublisher.ensure_topics).
        """
        try:
            self._subscriber.create_subscription(
                request={
                    "name": self.subscription,
                    "topic": self.changes_topic,
                    "enable_message_ordering": True,
                    "ack_deadline_seconds": DEFAULT_ACK_DEADLINE_S,
                }
            )
            log.info("routing_subscription_created", subscription=self.subscription)
        except gexc.AlreadyExists:
            pass
        except gexc.NotFound as error:
            raise RuntimeError(
                f"cannot subscribe to {self.changes_topic}: the topic does not exist"
            ) from error
        return self.subscription

    def start(self) -> StreamingPullFuture:
        """Start consuming in background threads; returns the streaming pull future."""
        with self._lock:
            if self._future is not None:
                raise RuntimeError("the consumer is already running")
            self._future = self._subscriber.subscribe(self.subscription, callback=self.handle)
            log.info("routing_consumer_started", subscription=self.subscription)
            return self._future

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop the streaming pull and wait for in-flight callbacks to finish."""
        with self._lock:
            future, self._future = self._future, None
        if future is None:
            return
        future.cancel()
        try:
            future.result(timeout=timeout_s)
        except Exception as error:  # noqa: BLE001 - stopping must not fail; say why the stream ended
            log.warning("routing_consumer_stream_error", subscription=self.subscription, error=str(error))
        log.info("routing_consumer_stopped", subscription=self.subscription)

    def handle(self, message: Message) -> None:
        """The streaming pull callback: never raises; acks only after commit and ack publish."""
        bound = log.bind(message_id=message.message_id, ordering_key=message.ordering_key or None)
        try:
            outcome = process_message(
                self.table,
                message.data,
                message_id=message.message_id,
                attributes=dict(message.attributes),
                ordering_key=message.ordering_key,
            )
        except Exception as error:  # noqa: BLE001 - a callback must not raise: log, retry later
            bound.error("routing_change_store_failed", error=f"{type(error).__name__}: {error}")
            self._retry_later(message)
            return
        if outcome.dead_letter_reason is not None:
            bound.warning("routing_change_dead_lettered", reason=outcome.dead_letter_reason)
            message.ack()
            return
        ack = outcome.ack
        assert ack is not None
        bound = bound.bind(change_id=ack.change_id, dag_id=ack.dag_id, environment=ack.environment)
        try:
            self._publisher.publish(self.acks_topic, ack.encode(), **ack.attributes()).result(
                timeout=self._publish_timeout_s
            )
        except Exception as error:  # noqa: BLE001 - same: any publish failure means retry later
            bound.error("routing_ack_publish_failed", error=f"{type(error).__name__}: {error}")
            self._retry_later(message)
            return
        message.ack()
        bound.info(
            "routing_change_applied" if outcome.newly_applied else "routing_change_reacked",
            outcome=ack.outcome,
            delivery_attempt=message.delivery_attempt,
        )

    @staticmethod
    def _retry_later(message: Message) -> None:
        """Nack after a pause, so a persistent failure does not spin at full speed."""
        time.sleep(RETRY_PAUSE_S)
        message.nack()
