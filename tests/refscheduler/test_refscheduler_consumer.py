"""The reference consumer over a real streaming pull: idempotent under duplicate and out-of-order
delivery (forced with the emulator's fault hooks), dead-letters bad messages, acks only after commit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emulators.pubsub.testing import wait_until
from refscheduler.consumer import RoutingConsumer
from refscheduler.routing_table import RoutingTable
from routing.contract import ACK_TOPIC, ROUTING_TOPIC, RoutingAck, RoutingChange, new_change_id

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

PROJECT = "refscheduler-test"
CHANGES = f"projects/{PROJECT}/topics/{ROUTING_TOPIC}"
ACKS = f"projects/{PROJECT}/topics/{ACK_TOPIC}"
ACK_TAP = f"projects/{PROJECT}/subscriptions/ack-tap"
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def change(dag_id="sales", environment="composer2", attempt=1, issued_at=T0) -> RoutingChange:
    return RoutingChange(
        change_id=new_change_id("wave-1", dag_id, environment, attempt),
        dag_id=dag_id,
        environment=environment,
        airflow_uri=f"https://{environment}.example.com",
        wave="wave-1",
        issued_at=issued_at,
    )


class AckTap:
    """Collects every ack the consumer publishes (a subscription of the test's own on the ack topic)."""

    def __init__(self, subscriber_client) -> None:
        self.client = subscriber_client
        self.acks: list[RoutingAck] = []
        self.attributes: list[dict[str, str]] = []

    def drain(self) -> list[RoutingAck]:
        response = self.client.pull(
            request={"subscription": ACK_TAP, "max_messages": 100}, timeout=0.5, retry=None
        )
        received = list(response.received_messages)
        if received:
            self.client.acknowledge(subscription=ACK_TAP, ack_ids=[m.ack_id for m in received])
        for item in received:
            self.acks.append(RoutingAck.decode(item.message.data))
            self.attributes.append(dict(item.message.attributes))
        return self.acks

    def wait_for(self, count: int) -> list[RoutingAck]:
        return wait_until(lambda: len(self.drain()) >= count and self.acks, what=f"{count} acks")


@pytest.fixture
def topics(publisher_client):
    publisher_client.create_topic(name=CHANGES)
    publisher_client.create_topic(name=ACKS)


@pytest.fixture
def tap(topics, subscriber_client) -> AckTap:
    subscriber_client.create_subscription(request={"name": ACK_TAP, "topic": ACKS})
    return AckTap(subscriber_client)


@pytest.fixture
def table(tmp_path):
    with RoutingTable(tmp_path / "routing.db") as routing_table:
        yield routing_table


@pytest.fixture
def consumer(topics, table, publisher_client, subscriber_client):
    routing_consumer = RoutingConsumer(
        project=PROJECT, table=table, subscriber_client=subscriber_client, publisher_client=publisher_client
    )
    routing_consumer.ensure_subscription()
    yield routing_consumer
    routing_consumer.stop()


def publish(publisher_client, body: bytes, ordering_key: str = "sales", **attributes) -> str:
    return publisher_client.publish(CHANGES, body, ordering_key=ordering_key, **attributes).result(timeout=30)


def publish_change(publisher_client, routing_change: RoutingChange) -> str:
    return publish(
        publisher_client, routing_change.encode(), routing_change.ordering_key, **routing_change.attributes()
    )


def test_applies_publishes_the_ack_and_only_then_acks(
    consumer, tap, table, publisher_client, pubsub_emulator
):
    to_2 = change()
    consumer.start()
    publish_change(publisher_client, to_2)
    [ack] = tap.wait_for(1)
    assert (ack.change_id, ack.environment, ack.outcome) == (to_2.change_id, "composer2", "applied")
    assert tap.attributes[0]["change_id"] == to_2.change_id  # waiters filter on it
    assert ack.applied_at == table.change(to_2.change_id).applied_at
    assert table.route_of("sales").environment == "composer2"
    wait_until(lambda: pubsub_emulator.broker.backlog(consumer.subscription) == 0, what="the message acked")


def test_duplicate_delivery_applies_once_and_acks_twice(
    consumer, tap, table, publisher_client, pubsub_emulator
):
    pubsub_emulator.faults.duplicate_next(consumer.subscription)
    to_2 = change()
    consumer.start()
    publish_change(publisher_client, to_2)
    acks = tap.wait_for(2)
    assert acks[0] == acks[1]  # the same ack content, applied_at included
    assert [record.change.change_id for record in table.history("sales")] == [to_2.change_id]
    wait_until(lambda: pubsub_emulator.broker.backlog(consumer.subscription) == 0, what="both copies acked")


def test_out_of_order_redelivery_does_not_move_the_route_back(
    consumer, tap, table, publisher_client, pubsub_emulator
):
    to_2 = change(issued_at=T0)
    back_to_1 = change(environment="composer1", issued_at=T0 + timedelta(minutes=5))
    consumer.start()
    first_id = publish_change(publisher_client, to_2)
    publish_change(publisher_client, back_to_1)
    tap.wait_for(2)
    assert table.route_of("sales").change_id == back_to_1.change_id
    # Pub/Sub redelivers the older change after the newer one was processed.
    pubsub_emulator.faults.replay(consumer.subscription, first_id)
    acks = tap.wait_for(3)
    assert acks[2] == acks[0]  # re-acked as it was first acked
    assert table.route_of("sales").change_id == back_to_1.change_id
    assert [(r.change.change_id, r.outcome) for r in table.history("sales")] == [
        (to_2.change_id, "applied"),
        (back_to_1.change_id, "applied"),
    ]


def test_an_older_change_published_late_is_acked_as_superseded(consumer, tap, table, publisher_client):
    newer = change(environment="composer1", issued_at=T0 + timedelta(minutes=5))
    older = change(issued_at=T0)
    consumer.start()
    publish_change(publisher_client, newer)
    publish_change(publisher_client, older)
    acks = tap.wait_for(2)
    assert [(a.change_id, a.outcome) for a in acks] == [
        (newer.change_id, "applied"),
        (older.change_id, "superseded"),
    ]
    assert table.route_of("sales").environment == "composer1"


def test_malformed_messages_are_dead_lettered_and_the_consumer_goes_on(
    consumer, tap, table, publisher_client, pubsub_emulator
):
    consumer.start()
    bad_json = publish(publisher_client, b"{not json")
    bad_schema = publish(publisher_client, b'{"schema": 2, "change_id": "x"}', reason="future")
    good = change()
    publish_change(publisher_client, good)
    [ack] = tap.wait_for(1)
    assert ack.change_id == good.change_id
    letters = wait_until(
        lambda: len(table.dead_letters()) == 2 and table.dead_letters(), what="2 dead letters"
    )
    assert [(d.message_id, d.data) for d in letters] == [
        (bad_json, b"{not json"),
        (bad_schema, letters[1].data),
    ]
    assert "must be a JSON object" in letters[0].reason
    assert "unsupported schema version 2" in letters[1].reason
    assert letters[1].attributes == {"reason": "future"}
    wait_until(lambda: pubsub_emulator.broker.backlog(consumer.subscription) == 0, what="all three acked")


def test_a_crash_between_commit_and_ack_means_a_re_ack(consumer, tap, table, publisher_client):
    to_2 = change()
    table.apply(to_2)  # committed by a consumer that then died before acking the message
    applied_at = table.change(to_2.change_id).applied_at
    consumer.start()
    publish_change(publisher_client, to_2)  # its redelivery
    [ack] = tap.wait_for(1)
    assert (ack.change_id, ack.applied_at) == (to_2.change_id, applied_at)
    assert len(table.history("sales")) == 1


def test_when_the_ack_cannot_be_published_the_message_is_retried(
    publisher_client, subscriber_client, table, pubsub_emulator
):
    publisher_client.create_topic(name=CHANGES)  # the ack topic is missing: publishing acks fails
    consumer = RoutingConsumer(
        project=PROJECT, table=table, subscriber_client=subscriber_client, publisher_client=publisher_client
    )
    consumer.ensure_subscription()
    consumer.start()
    try:
        to_2 = change()
        publish_change(publisher_client, to_2)
        wait_until(lambda: table.change(to_2.change_id), what="the change committed")
        assert pubsub_emulator.broker.backlog(consumer.subscription) == 1  # not acked without an ack sent
        publisher_client.create_topic(name=ACKS)
        subscriber_client.create_subscription(request={"name": ACK_TAP, "topic": ACKS})
        [ack] = AckTap(subscriber_client).wait_for(1)
        assert ack.change_id == to_2.change_id
        wait_until(
            lambda: pubsub_emulator.broker.backlog(consumer.subscription) == 0, what="the message acked"
        )
        assert len(table.history("sales")) == 1
    finally:
        consumer.stop()
