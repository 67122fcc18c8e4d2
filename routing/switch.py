"""One routing switch, start to finish: subscribe for the ack, publish the change, wait, clean up.

The ack subscription is created *before* publishing, so the scheduler's ack cannot be missed however
fast it answers; the change id is deterministic, so a retry republishes the same change, which the
scheduler applies once. Used by the route activity and by ``cli.py dag route``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.cloud import pubsub_v1

from routing.ack_subscription import delete_ack_subscription, ensure_ack_subscription
from routing.ack_waiter import wait_for_ack
from routing.contract import RoutingAck, RoutingChange
from routing.publisher import RoutingPublisher


def switch_route(publisher: RoutingPublisher, subscriber: pubsub_v1.SubscriberClient, change: RoutingChange,
                 timeout_s: float, on_tick: Callable[[], Any] | None = None) -> RoutingAck:
    """Publish ``change`` and return the scheduler's ack; AckTimeout when none comes in ``timeout_s``."""
    subscription = ensure_ack_subscription(subscriber, publisher.project, change.change_id)
    publisher.publish(change)
    ack = wait_for_ack(subscriber, subscription, change.change_id, timeout_s, on_tick=on_tick)
    delete_ack_subscription(subscriber, subscription)
    return ack
