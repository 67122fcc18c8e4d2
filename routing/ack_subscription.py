"""One short-lived subscription per routing change, on which its waiter receives the scheduler's ack.

Why one per change: Pub/Sub gives every subscription its own copy of every message, while the
messages of ONE subscription are shared out between whoever pulls from it. If waiters shared one
subscription, a waiter that pulled another change's ack would have to ack it (and the other waiter
never sees it) or nack it (and it bounces between waiters). With a subscription per change, a waiter
owns everything it reads and may ack it all. The filter ``attributes.change_id = "<id>"`` makes
Pub/Sub drop the other changes' acks for us; it is an optimisation only, the waiter checks the body
too (so an emulator that ignores filters is still correct, just busier).

Order matters: a subscription only receives messages published after it exists, so create it
BEFORE publishing the change. A retried activity calls ``ensure_ack_subscription`` again (it
exists: fine) and republishes the same change_id; the scheduler re-acks duplicates, so an ack
consumed by a crashed attempt is sent again. ``delete_ack_subscription`` cleans up when the wait is
over; ``expiration_policy`` (1 day of inactivity) reaps those a dead worker left behind.
"""

from __future__ import annotations

from datetime import timedelta

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1

from observability import get_logger
from routing.contract import ACK_TOPIC, ATTR_CHANGE_ID, ContractError, validate_change_id

log = get_logger("routing.ack_subscription")

ACK_SUBSCRIPTION_PREFIX = "routing-ack-"
DEFAULT_ACK_DEADLINE_S = 10
DEFAULT_TTL = timedelta(days=1)  # the service's minimum expiration TTL


class AckSubscriptionError(RuntimeError):
    """The ack subscription could not be created, found or deleted; the message says why."""


def ack_subscription_path(project: str, change_id: str) -> str:
    """``projects/<project>/subscriptions/routing-ack-<change_id>``."""
    validate_change_id(change_id)
    return f"projects/{project}/subscriptions/{ACK_SUBSCRIPTION_PREFIX}{change_id}"


def ack_filter(change_id: str) -> str:
    """The subscription filter that keeps only the acks of ``change_id``."""
    validate_change_id(change_id)
    return f'attributes.{ATTR_CHANGE_ID} = "{change_id}"'


def ensure_ack_subscription(
    subscriber_client: pubsub_v1.SubscriberClient,
    project: str,
    change_id: str,
    *,
    ttl: timedelta = DEFAULT_TTL,
) -> str:
    """Create the change's ack subscription if it does not exist yet; return its path."""
    try:
        path = ack_subscription_path(project, change_id)
    except ContractError as error:
        raise AckSubscriptionError(str(error)) from error
    topic = f"projects/{project}/topics/{ACK_TOPIC}"
    request = {
        "name": path,
        "topic": topic,
        "filter": ack_filter(change_id),
        "ack_deadline_seconds": DEFAULT_ACK_DEADLINE_S,
        "expiration_policy": {"ttl": ttl},
        "labels": {"app": "composer-migrate", "purpose": "routing-ack"},
    }
    try:
        subscriber_client.create_subscription(request=request)
        log.info("ack_subscription_created", subscription=path, change_id=change_id)
    except gexc.AlreadyExists:
        log.debug("ack_subscription_exists", subscription=path, change_id=change_id)
    except gexc.NotFound as error:
        raise AckSubscriptionError(
            f"cannot subscribe to {topic} for change {change_id}: the topic does not exist "
            "(RoutingPublisher.ensure_topics creates it)"
        ) from error
    except gexc.GoogleAPICallError as error:
        raise AckSubscriptionError(f"cannot create ack subscription {path}: {error}") from error
    return path


def delete_ack_subscription(subscriber_client: pubsub_v1.SubscriberClient, subscription: str) -> None:
    """Delete an ack subscription; one that is already gone is fine."""
    try:
        subscriber_client.delete_subscription(request={"subscription": subscription})
        log.info("ack_subscription_deleted", subscription=subscription)
    except gexc.NotFound:
        pass
    except gexc.GoogleAPICallError as error:
        raise AckSubscriptionError(f"cannot delete ack subscription {subscription}: {error}") from error
