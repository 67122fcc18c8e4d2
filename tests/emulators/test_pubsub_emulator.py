"""The in-repo Pub/Sub emulator, exercised only through the real google-cloud-pubsub clients."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import defaultdict
from pathlib import Path

import pytest
from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1

from emulators.pubsub.testing import wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(120),
    # return_immediately is deprecated, but it is what makes "nothing to pull" a deterministic check.
    pytest.mark.filterwarnings("ignore:The return_immediately flag is deprecated:DeprecationWarning"),
]

PROJECT = "emulator-test"
REPO = Path(__file__).resolve().parents[2]


def topic_path(name: str = "orders") -> str:
    return f"projects/{PROJECT}/topics/{name}"


def sub_path(name: str = "orders-sub") -> str:
    return f"projects/{PROJECT}/subscriptions/{name}"


def make_sub(subscriber, name="orders-sub", topic="orders", **fields):
    return subscriber.create_subscription(
        request={"name": sub_path(name), "topic": topic_path(topic), **fields}
    )


def pull(subscriber, name="orders-sub", max_messages=10):
    response = subscriber.pull(
        request={"subscription": sub_path(name), "max_messages": max_messages, "return_immediately": True}
    )
    return list(response.received_messages)


@pytest.fixture
def topic(publisher_client):
    return publisher_client.create_topic(name=topic_path()).name


# ---- topics ---------------------------------------------------------------------------------------


def test_topic_lifecycle(publisher_client):
    created = publisher_client.create_topic(request={"name": topic_path(), "labels": {"team": "data"}})
    assert created.name == topic_path()
    assert publisher_client.get_topic(topic=topic_path()).labels["team"] == "data"
    with pytest.raises(gexc.AlreadyExists):
        publisher_client.create_topic(name=topic_path())
    publisher_client.create_topic(name=topic_path("payments"))
    names = [t.name for t in publisher_client.list_topics(project=f"projects/{PROJECT}")]
    assert names == [topic_path(), topic_path("payments")]
    publisher_client.delete_topic(topic=topic_path())
    with pytest.raises(gexc.NotFound):
        publisher_client.get_topic(topic=topic_path())


def test_list_topics_pages(publisher_client):
    for i in range(5):
        publisher_client.create_topic(name=topic_path(f"topic-{i}"))
    pager = publisher_client.list_topics(request={"project": f"projects/{PROJECT}", "page_size": 2})
    assert [t.name for t in pager] == [topic_path(f"topic-{i}") for i in range(5)]


def test_invalid_names_are_invalid_argument(publisher_client, subscriber_client):
    with pytest.raises(gexc.InvalidArgument, match="invalid topic id 'ab'"):
        publisher_client.create_topic(name=topic_path("ab"))
    with pytest.raises(gexc.InvalidArgument, match="expected 'projects/"):
        publisher_client.create_topic(name="orders")
    with pytest.raises(gexc.InvalidArgument, match="goog"):
        publisher_client.create_topic(name=topic_path("google-things"))


def test_unknown_resources_are_not_found(publisher_client, subscriber_client, topic):
    with pytest.raises(gexc.NotFound, match="missing-topic"):
        publisher_client.publish(topic_path("missing-topic"), b"x").result(timeout=30)
    with pytest.raises(gexc.NotFound, match="missing-topic"):
        make_sub(subscriber_client, topic="missing-topic")
    with pytest.raises(gexc.NotFound):
        subscriber_client.get_subscription(subscription=sub_path("missing-sub"))
    with pytest.raises(gexc.NotFound):
        pull(subscriber_client, "missing-sub")
    with pytest.raises(gexc.NotFound):
        subscriber_client.acknowledge(subscription=sub_path("missing-sub"), ack_ids=["1-1"])
    with pytest.raises(gexc.NotFound):
        subscriber_client.delete_subscription(subscription=sub_path("missing-sub"))


# ---- subscriptions --------------------------------------------------------------------------------


def test_subscription_lifecycle(publisher_client, subscriber_client, topic):
    created = make_sub(subscriber_client, ack_deadline_seconds=30, enable_message_ordering=True)
    assert (created.ack_deadline_seconds, created.enable_message_ordering) == (30, True)
    fetched = subscriber_client.get_subscription(subscription=sub_path())
    assert (fetched.topic, fetched.ack_deadline_seconds, fetched.enable_message_ordering) == (topic, 30, True)
    assert make_sub(subscriber_client, "default-deadline").ack_deadline_seconds == 10
    with pytest.raises(gexc.AlreadyExists):
        make_sub(subscriber_client)
    listed = list(publisher_client.list_topic_subscriptions(topic=topic))
    assert listed == [sub_path("default-deadline"), sub_path()]
    subscriber_client.delete_subscription(subscription=sub_path())
    with pytest.raises(gexc.NotFound):
        subscriber_client.get_subscription(subscription=sub_path())


def test_deleting_a_topic_detaches_its_subscriptions(publisher_client, subscriber_client, topic):
    make_sub(subscriber_client)
    publisher_client.delete_topic(topic=topic)
    assert subscriber_client.get_subscription(subscription=sub_path()).topic == "_deleted-topic_"


def test_invalid_arguments(publisher_client, subscriber_client, topic):
    with pytest.raises(gexc.InvalidArgument, match="ack_deadline_seconds must be between 10 and 600"):
        make_sub(subscriber_client, ack_deadline_seconds=5)
    with pytest.raises(gexc.InvalidArgument, match="invalid filter"):
        make_sub(subscriber_client, filter='attributes.a = "1" AND attributes.b = "2" OR attributes:c')
    make_sub(subscriber_client)
    with pytest.raises(gexc.InvalidArgument, match="max_messages must be positive"):
        subscriber_client.pull(request={"subscription": sub_path(), "max_messages": 0})
    with pytest.raises(gexc.InvalidArgument, match="ack_ids must not be empty"):
        subscriber_client.acknowledge(subscription=sub_path(), ack_ids=[])
    with pytest.raises(gexc.InvalidArgument, match="between 0 and 600"):
        subscriber_client.modify_ack_deadline(
            subscription=sub_path(), ack_ids=["1-1"], ack_deadline_seconds=601
        )
    with pytest.raises(gexc.InvalidArgument, match="empty"):
        publisher_client.publish(topic, b"").result(timeout=30)


def test_unsupported_features_are_refused_not_ignored(subscriber_client, topic):
    with pytest.raises(gexc.MethodNotImplemented, match="exactly-once"):
        make_sub(subscriber_client, enable_exactly_once_delivery=True)
    with pytest.raises(gexc.MethodNotImplemented, match="push"):
        make_sub(subscriber_client, push_config={"push_endpoint": "https://example.com/push"})


# ---- publish, pull, ack ---------------------------------------------------------------------------


def test_publish_pull_ack(publisher_client, subscriber_client, topic):
    make_sub(subscriber_client)
    message_id = publisher_client.publish(topic, b"hello", origin="test").result(timeout=30)
    [received] = pull(subscriber_client)
    assert received.message.message_id == message_id
    assert received.message.data == b"hello"
    assert dict(received.message.attributes) == {"origin": "test"}
    assert received.message.publish_time.year >= 2024
    assert received.delivery_attempt == 1
    assert pull(subscriber_client) == []  # leased: not delivered twice
    subscriber_client.acknowledge(subscription=sub_path(), ack_ids=[received.ack_id])
    assert pull(subscriber_client) == []


def test_each_subscription_gets_messages_published_after_it_exists(
    publisher_client, subscriber_client, topic
):
    make_sub(subscriber_client, "early")
    publisher_client.publish(topic, b"first").result(timeout=30)
    make_sub(subscriber_client, "late")
    publisher_client.publish(topic, b"second").result(timeout=30)
    assert [m.message.data for m in pull(subscriber_client, "early")] == [b"first", b"second"]
    assert [m.message.data for m in pull(subscriber_client, "late")] == [b"second"]


def test_a_blocking_pull_returns_when_a_message_arrives(publisher_client, subscriber_client, topic):
    make_sub(subscriber_client)
    got = []
    puller = threading.Thread(
        target=lambda: got.extend(
            subscriber_client.pull(
                request={"subscription": sub_path(), "max_messages": 1}, timeout=30
            ).received_messages
        )
    )
    puller.start()
    publisher_client.publish(topic, b"wake up").result(timeout=30)
    puller.join(timeout=30)
    assert [m.message.data for m in got] == [b"wake up"]


def test_unacked_message_is_redelivered_after_the_ack_deadline(
    pubsub_emulator, publisher_client, subscriber_client, topic
):
    make_sub(subscriber_client, ack_deadline_seconds=10)
    publisher_client.publish(topic, b"retry me").result(timeout=30)
    [first] = pull(subscriber_client)
    pubsub_emulator.faults.advance_clock(5)
    assert pull(subscriber_client) == []  # still leased
    pubsub_emulator.faults.advance_clock(6)
    [second] = pull(subscriber_client)
    assert second.message.message_id == first.message.message_id
    assert (second.delivery_attempt, second.ack_id != first.ack_id) == (2, True)
    # The expired ack id no longer counts; the current one does.
    subscriber_client.acknowledge(subscription=sub_path(), ack_ids=[first.ack_id])
    assert pubsub_emulator.broker.backlog(sub_path()) == 1
    subscriber_client.acknowledge(subscription=sub_path(), ack_ids=[second.ack_id])
    assert pubsub_emulator.broker.backlog(sub_path()) == 0


def test_modify_ack_deadline_extends_the_lease(pubsub_emulator, publisher_client, subscriber_client, topic):
    make_sub(subscriber_client)
    publisher_client.publish(topic, b"slow work").result(timeout=30)
    [first] = pull(subscriber_client)
    subscriber_client.modify_ack_deadline(
        subscription=sub_path(), ack_ids=[first.ack_id], ack_deadline_seconds=60
    )
    pubsub_emulator.faults.advance_clock(30)
    assert pull(subscriber_client) == []
    pubsub_emulator.faults.advance_clock(31)
    assert [m.delivery_attempt for m in pull(subscriber_client)] == [2]


def test_nack_redelivers_at_once(publisher_client, subscriber_client, topic):
    make_sub(subscriber_client)
    publisher_client.publish(topic, b"nack me").result(timeout=30)
    [first] = pull(subscriber_client)
    subscriber_client.modify_ack_deadline(
        subscription=sub_path(), ack_ids=[first.ack_id], ack_deadline_seconds=0
    )
    [second] = pull(subscriber_client)
    assert (second.message.message_id, second.delivery_attempt) == (first.message.message_id, 2)


def test_filter_delivers_only_matching_messages(publisher_client, subscriber_client, topic):
    make_sub(subscriber_client, "red-only", filter='attributes.colour = "red"')
    make_sub(subscriber_client, "everything")
    publisher_client.publish(topic, b"1", colour="red").result(timeout=30)
    publisher_client.publish(topic, b"2", colour="blue").result(timeout=30)
    publisher_client.publish(topic, b"3").result(timeout=30)
    assert [m.message.data for m in pull(subscriber_client, "red-only")] == [b"1"]
    assert [m.message.data for m in pull(subscriber_client, "everything")] == [b"1", b"2", b"3"]


# ---- ordering -------------------------------------------------------------------------------------


def test_ordering_key_allows_one_outstanding_message_per_key(publisher_client, subscriber_client, topic):
    make_sub(subscriber_client, enable_message_ordering=True)
    plan = [(b"a1", "a"), (b"b1", "b"), (b"a2", "a"), (b"a3", "a"), (b"b2", "b"), (b"free", ""), (b"a4", "a")]
    futures = [publisher_client.publish(topic, data, ordering_key=key) for data, key in plan]
    [future.result(timeout=30) for future in futures]  # one batch per key: wait for all of them

    batch = {m.message.data: m for m in pull(subscriber_client)}
    assert set(batch) == {b"a1", b"b1", b"free"}
    assert pull(subscriber_client) == []

    # A nack gives the same message back, not the next one of its key.
    subscriber_client.modify_ack_deadline(
        subscription=sub_path(), ack_ids=[batch[b"b1"].ack_id], ack_deadline_seconds=0
    )
    [b1_again] = pull(subscriber_client)
    assert b1_again.message.data == b"b1"

    subscriber_client.acknowledge(subscription=sub_path(), ack_ids=[batch[b"a1"].ack_id, b1_again.ack_id])
    assert sorted(m.message.data for m in pull(subscriber_client)) == [b"a2", b"b2"]


def test_without_ordering_all_messages_are_delivered_at_once(publisher_client, subscriber_client, topic):
    make_sub(subscriber_client)
    futures = [publisher_client.publish(topic, f"{i}".encode(), ordering_key="same") for i in range(4)]
    [future.result(timeout=30) for future in futures]
    assert len(pull(subscriber_client)) == 4


def test_streaming_pull_receives_each_ordering_key_in_order(publisher_client, subscriber_client, topic):
    make_sub(subscriber_client, enable_message_ordering=True)
    futures = [
        publisher_client.publish(topic, str(i).encode(), ordering_key=f"key-{i % 2}") for i in range(20)
    ]
    [future.result(timeout=30) for future in futures]
    received: dict[str, list[int]] = defaultdict(list)
    lock = threading.Lock()

    def callback(message):
        with lock:
            received[message.ordering_key].append(int(message.data))
        message.ack()

    future = subscriber_client.subscribe(sub_path(), callback)
    try:
        wait_until(lambda: sum(map(len, received.values())) == 20, what="20 messages")
    finally:
        future.cancel()
        future.result(timeout=30)
    assert received == {"key-0": list(range(0, 20, 2)), "key-1": list(range(1, 20, 2))}


def test_streaming_pull_nack_redelivers_with_attempt_count(publisher_client, subscriber_client, topic):
    make_sub(subscriber_client)
    publisher_client.publish(topic, b"flaky").result(timeout=30)
    attempts: list[int] = []

    def callback(message):
        attempts.append(message.delivery_attempt)
        if len(attempts) == 1:
            message.nack()
        else:
            message.ack()

    future = subscriber_client.subscribe(sub_path(), callback)
    try:
        wait_until(lambda: len(attempts) >= 2, what="a redelivery")
    finally:
        future.cancel()
        future.result(timeout=30)
    assert attempts[:2] == [1, 2]


def test_streaming_pull_on_a_deleted_subscription_ends_with_not_found(subscriber_client, topic):
    make_sub(subscriber_client)
    future = subscriber_client.subscribe(sub_path(), lambda message: message.ack())
    subscriber_client.delete_subscription(subscription=sub_path())
    with pytest.raises(gexc.NotFound):
        future.result(timeout=30)


# ---- test-only fault hooks ------------------------------------------------------------------------


def test_fault_duplicate_delivers_a_message_twice(
    pubsub_emulator, publisher_client, subscriber_client, topic
):
    make_sub(subscriber_client)
    pubsub_emulator.faults.duplicate_next(sub_path())
    message_id = publisher_client.publish(topic, b"twice").result(timeout=30)
    first = pull(subscriber_client)
    second = pull(subscriber_client)
    assert [m.message.message_id for m in first + second] == [message_id, message_id]
    assert first[0].ack_id != second[0].ack_id
    subscriber_client.acknowledge(subscription=sub_path(), ack_ids=[first[0].ack_id, second[0].ack_id])
    assert pubsub_emulator.broker.backlog(sub_path()) == 0
    assert pubsub_emulator.faults.pending_duplicates(sub_path()) == 0


def test_fault_replay_redelivers_an_acked_message_out_of_order(
    pubsub_emulator, publisher_client, subscriber_client, topic
):
    make_sub(subscriber_client, enable_message_ordering=True)
    old_id = publisher_client.publish(topic, b"old", ordering_key="k").result(timeout=30)
    [old] = pull(subscriber_client)
    subscriber_client.acknowledge(subscription=sub_path(), ack_ids=[old.ack_id])
    publisher_client.publish(topic, b"new", ordering_key="k").result(timeout=30)
    [new] = pull(subscriber_client)
    subscriber_client.acknowledge(subscription=sub_path(), ack_ids=[new.ack_id])
    pubsub_emulator.faults.replay(sub_path(), old_id)
    [replayed] = pull(subscriber_client)
    assert (replayed.message.data, replayed.delivery_attempt) == (b"old", 2)


# ---- the command line -----------------------------------------------------------------------------


def test_command_line_serves_until_sigterm(monkeypatch):
    process = subprocess.Popen(
        [sys.executable, "-m", "emulators.pubsub", "--host", "127.0.0.1", "--port", "0"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "COMPOSER_MIGRATE_LOG_JSON": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("export PUBSUB_EMULATOR_HOST=127.0.0.1:")
        monkeypatch.setenv("PUBSUB_EMULATOR_HOST", line.split("=", 1)[1])
        client = pubsub_v1.PublisherClient()
        try:
            assert client.create_topic(name=topic_path()).name == topic_path()
        finally:
            client.transport.close()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
