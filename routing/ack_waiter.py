"""Wait for the scheduler's ack of one routing change, heartbeating while it waits.

The waiter reads from the change's OWN subscription (see ``ack_subscription``): every message there
is a copy meant for this waiter, so it acknowledges everything it reads. The ack of its change ends
the wait; duplicates of it are acked too; acks of other changes (possible only if the subscription
has no filter) and malformed messages are acked and dropped with a log line, since nobody else
reads this subscription and leaving them would only bring them back. Do NOT point it at a
subscription that others read: it would consume their acks.

It uses unary Pull with short timeouts, so ``on_tick`` (say, ``activity.heartbeat``) runs at least
every ``tick_s`` seconds; an exception from ``on_tick`` (a cancelled activity) ends the wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1

from observability import get_logger
from routing.contract import ContractError, RoutingAck

log = get_logger("routing.ack_waiter")

DEFAULT_TICK_S = 2.0
_MAX_MESSAGES = 10
_TRANSIENT = (
    gexc.DeadlineExceeded,
    gexc.ServiceUnavailable,
    gexc.InternalServerError,
    gexc.Aborted,
    gexc.Unknown,
    gexc.ResourceExhausted,
)


class AckTimeout(TimeoutError):
    """No ack for ``change_id`` arrived within ``timeout_s``: the route step's cue to roll back."""

    def __init__(self, change_id: str, subscription: str, timeout_s: float) -> None:
        super().__init__(
            f"no scheduler ack for routing change {change_id} on {subscription} within {timeout_s:g}s"
        )
        self.change_id = change_id
        self.subscription = subscription
        self.timeout_s = timeout_s


class AckWaitError(RuntimeError):
    """Waiting is impossible (the subscription does not exist, permission denied...)."""


def wait_for_ack(
    subscriber_client: pubsub_v1.SubscriberClient,
    subscription: str,
    change_id: str,
    timeout_s: float,
    on_tick: Callable[[], Any] | None = None,
    *,
    tick_s: float = DEFAULT_TICK_S,
) -> RoutingAck:
    """Return the ack of ``change_id`` from ``subscription``; raise AckTimeout after ``timeout_s``."""
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be positive; got {timeout_s}")
    bound = log.bind(change_id=change_id, subscription=subscription)
    give_up_at = time.monotonic() + timeout_s
    while True:
        if on_tick is not None:
            on_tick()
        remaining = give_up_at - time.monotonic()
        if remaining <= 0:
            bound.warning("routing_ack_timeout", timeout_s=timeout_s)
            raise AckTimeout(change_id, subscription, timeout_s)
        received = _pull(subscriber_client, subscription, min(tick_s, remaining), bound)
        if not received:
            continue
        found = _pick(received, change_id, bound)
        _acknowledge(subscriber_client, subscription, [item.ack_id for item in received], bound)
        if found is not None:
            bound.info("routing_ack_received", outcome=found.outcome, environment=found.environment)
            return found


def _pull(client: pubsub_v1.SubscriberClient, subscription: str, wait_s: float, bound: Any) -> list[Any]:
    try:
        response = client.pull(
            request={"subscription": subscription, "max_messages": _MAX_MESSAGES}, timeout=wait_s, retry=None
        )
    except _TRANSIENT as error:  # no message this tick, or a blip: try again until the deadline
        if not isinstance(error, gexc.DeadlineExceeded):
            bound.warning("routing_ack_pull_failed", error=str(error))
        return []
    except gexc.NotFound as error:
        raise AckWaitError(
            f"ack subscription {subscription} does not exist; create it with ensure_ack_subscription "
            "before publishing the change"
        ) from error
    except gexc.GoogleAPICallError as error:
        raise AckWaitError(f"cannot pull acks from {subscription}: {error}") from error
    return list(response.received_messages)


def _acknowledge(
    client: pubsub_v1.SubscriberClient, subscription: str, ack_ids: list[str], bound: Any
) -> None:
    """Best effort: an ack that does not arrive only means a redelivery to this same waiter."""
    try:
        client.acknowledge(request={"subscription": subscription, "ack_ids": ack_ids})
    except gexc.GoogleAPICallError as error:
        bound.warning("routing_ack_acknowledge_failed", error=str(error))


def _pick(received: list[Any], change_id: str, bound: Any) -> RoutingAck | None:
    found: RoutingAck | None = None
    for item in received:
        try:
            ack = RoutingAck.decode(item.message.data)
        except ContractError as error:
            bound.warning(
                "routing_ack_malformed_dropped", message_id=item.message.message_id, reason=str(error)
            )
            continue
        if ack.change_id != change_id:
            bound.debug("routing_ack_other_change_dropped", other_change_id=ack.change_id)
        elif found is None:
            found = ack
    return found
