"""Publisher, ack subscription, ack waiter and the reference consumer, end to end on the emulator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.cloud import pubsub_v1

from refscheduler.consumer import RoutingConsumer
from refscheduler.routing_table import RoutingTable
from routing.ack_subscription import (
    AckSubscriptionError,
    ack_subscription_path,
    delete_ack_subscription,
    ensure_ack_subscription,
)
from routing.ack_waiter import AckTimeout, AckWaitError, wait_for_ack
from routing.contract import RoutingAck, RoutingChange, new_change_id
from routing.publisher import RoutingPublisher, RoutingPublishError

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

PROJECT = "routing-e2e"
ISSUED = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


def change(dag_id: str = "sales_daily", environment: str = "composer2", attempt: int = 1) -> RoutingChange:
    return RoutingChange(
        change_id=new_change_id("wave-1", dag_id, environment, attempt),
        dag_id=dag_id,
        environment=environment,
        airflow_uri=f"https://{environment}.example.com",
        wave="wave-1",
        issued_at=ISSUED,
    )


class Ticks:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def publisher(publisher_client) -> RoutingPublisher:
    routing_publisher = RoutingPublisher(PROJECT, publisher_client)
    routing_publisher.ensure_topics()
    return routing_publisher


@pytest.fixture
def consumer(publisher, publisher_client, subscriber_client, tmp_path):
    table = RoutingTable(tmp_path / "routing.db")
    routing_consumer = RoutingConsumer(
        project=PROJECT, table=table, subscriber_client=subscriber_client, publisher_client=publisher_client
    )
    routing_consumer.ensure_subscription()
    routing_consumer.start()
    yield routing_consumer
    routing_consumer.stop()
    table.close()


def test_change_is_applied_acked_and_awaited(publisher, consumer, subscriber_client, pubsub_emulator):
    to_2 = change()
    subscription = ensure_ack_subscription(subscriber_client, PROJECT, to_2.change_id)  # before publishing
    publisher.publish(to_2)
    ticks = Ticks()
    ack = wait_for_ack(
        subscriber_client, subscription, to_2.change_id, timeout_s=30, on_tick=ticks, tick_s=0.5
    )
    assert (ack.change_id, ack.dag_id, ack.environment, ack.outcome) == (
        to_2.change_id,
        "sales_daily",
        "composer2",
        "applied",
    )
    assert ticks.count >= 1
    route = consumer.table.route_of("sales_daily")
    assert (route.environment, route.change_id) == ("composer2", to_2.change_id)
    assert pubsub_emulator.broker.backlog(subscription) == 0
    delete_ack_subscription(subscriber_client, subscription)
    delete_ack_subscription(subscriber_client, subscription)  # already gone: fine


def test_a_retried_route_step_gets_the_same_ack_again(publisher, consumer, subscriber_client):
    to_2 = change()
    first_sub = ensure_ack_subscription(subscriber_client, PROJECT, to_2.change_id)
    publisher.publish(to_2)
    first = wait_for_ack(subscriber_client, first_sub, to_2.change_id, timeout_s=30)
    # The activity died after consuming the ack; its retry ensures the subscription and republishes.
    assert ensure_ack_subscription(subscriber_client, PROJECT, to_2.change_id) == first_sub
    publisher.publish(change())
    second = wait_for_ack(subscriber_client, first_sub, to_2.change_id, timeout_s=30)
    assert second == first
    assert len(consumer.table.history("sales_daily")) == 1


def test_a_waiter_with_no_consumer_times_out(publisher, subscriber_client):
    to_2 = change()
    subscription = ensure_ack_subscription(subscriber_client, PROJECT, to_2.change_id)
    publisher.publish(to_2)
    ticks = Ticks()
    with pytest.raises(AckTimeout, match=f"no scheduler ack for routing change {to_2.change_id}") as caught:
        wait_for_ack(
            subscriber_client, subscription, to_2.change_id, timeout_s=1.5, on_tick=ticks, tick_s=0.5
        )
    assert caught.value.change_id == to_2.change_id
    assert ticks.count >= 2


def test_the_ack_subscription_filter_keeps_other_changes_out(
    publisher, publisher_client, subscriber_client, pubsub_emulator
):
    mine, theirs = change("mine"), change("theirs")
    my_sub = ensure_ack_subscription(subscriber_client, PROJECT, mine.change_id)
    their_sub = ensure_ack_subscription(subscriber_client, PROJECT, theirs.change_id)
    their_ack = RoutingAck.for_change(theirs, applied_at=ISSUED)
    publisher_client.publish(publisher.topics.acks, their_ack.encode(), **their_ack.attributes()).result(
        timeout=30
    )
    assert (pubsub_emulator.broker.backlog(my_sub), pubsub_emulator.broker.backlog(their_sub)) == (0, 1)
    assert wait_for_ack(subscriber_client, their_sub, theirs.change_id, timeout_s=30) == their_ack


def test_waiter_drops_foreign_and_malformed_acks_on_its_own_subscription(
    publisher, publisher_client, subscriber_client, pubsub_emulator
):
    # Without a filter (say, an emulator that ignores filters) the waiter still picks its own ack.
    subscription = f"projects/{PROJECT}/subscriptions/unfiltered-acks"
    subscriber_client.create_subscription(request={"name": subscription, "topic": publisher.topics.acks})
    mine, theirs = change("mine"), change("theirs")
    for payload in (RoutingAck.for_change(theirs, applied_at=ISSUED).encode(), b"not json"):
        publisher_client.publish(publisher.topics.acks, payload).result(timeout=30)
    my_ack = RoutingAck.for_change(mine, applied_at=ISSUED)
    publisher_client.publish(publisher.topics.acks, my_ack.encode(), **my_ack.attributes()).result(timeout=30)
    assert wait_for_ack(subscriber_client, subscription, mine.change_id, timeout_s=30) == my_ack
    assert pubsub_emulator.broker.backlog(subscription) == 0


def test_waiting_on_a_missing_subscription_says_what_to_do(subscriber_client, publisher):
    missing = ack_subscription_path(PROJECT, change().change_id)
    with pytest.raises(AckWaitError, match="create it with ensure_ack_subscription"):
        wait_for_ack(subscriber_client, missing, change().change_id, timeout_s=5)


def test_publisher_requires_an_ordering_client(pubsub_emulator):
    client = pubsub_v1.PublisherClient()
    try:
        with pytest.raises(ValueError, match="enable_message_ordering=True"):
            RoutingPublisher(PROJECT, client)
    finally:
        client.transport.close()


def test_ensure_topics_is_idempotent(publisher, publisher_client):
    publisher.ensure_topics()
    assert publisher_client.get_topic(topic=publisher.topics.changes).name.endswith("/scheduler-routing")
    assert publisher_client.get_topic(topic=publisher.topics.acks).name.endswith("/scheduler-routing-acks")


def test_publish_errors_carry_context_and_do_not_block_the_retry(publisher_client):
    routing_publisher = RoutingPublisher(PROJECT, publisher_client, publish_timeout_s=30)
    with pytest.raises(
        RoutingPublishError, match=r"publishing routing change .* \(dag sales_daily -> composer2\).*NotFound"
    ):
        routing_publisher.publish(change())
    routing_publisher.ensure_topics()
    assert routing_publisher.publish(change())  # the ordering key was resumed


def test_ack_subscription_needs_the_ack_topic(subscriber_client):
    with pytest.raises(AckSubscriptionError, match="the topic does not exist"):
        ensure_ack_subscription(subscriber_client, PROJECT, change().change_id)
