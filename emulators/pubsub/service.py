"""gRPC edge of the emulator: ``google.pubsub.v1.Publisher`` and ``google.pubsub.v1.Subscriber``.

Requests and responses are the proto-plus types of ``google.pubsub_v1.types`` (their ``serialize``
and ``deserialize`` are the wire format), registered with ``grpc.method_handlers_generic_handler``,
so no generated stubs are needed. Each handler validates, calls the broker and converts; broker
errors become gRPC status codes here. Methods not listed answer UNIMPLEMENTED (gRPC's default).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from google.protobuf import empty_pb2
from google.pubsub_v1 import types

from emulators.pubsub.broker import (
    DEFAULT_ACK_DEADLINE_S,
    MAX_ACK_DEADLINE_S,
    MIN_ACK_DEADLINE_S,
    Broker,
    Delivery,
    NewMessage,
    SubscriptionConfig,
)
from emulators.pubsub.errors import (
    AlreadyExistsError,
    BrokerError,
    InvalidArgumentError,
    NotFoundError,
    UnimplementedError,
)
from emulators.pubsub.names import DELETED_TOPIC
from observability import get_logger

log = get_logger("emulators.pubsub")

_STATUS = {
    NotFoundError: grpc.StatusCode.NOT_FOUND,
    AlreadyExistsError: grpc.StatusCode.ALREADY_EXISTS,
    InvalidArgumentError: grpc.StatusCode.INVALID_ARGUMENT,
    UnimplementedError: grpc.StatusCode.UNIMPLEMENTED,
}
_MAX_PULL_WAIT_S = 30.0
_STREAM_POLL_S = 1.0
_DEFAULT_PAGE_SIZE = 100
_MAX_PAGE_SIZE = 1000


def _abort(context: grpc.ServicerContext, error: BrokerError) -> None:
    context.abort(_STATUS.get(type(error), grpc.StatusCode.INVALID_ARGUMENT), str(error))


def _unary(fn: Callable[[Any, Any, grpc.ServicerContext], Any]) -> Callable[..., Any]:
    """Turn broker errors into gRPC statuses; log anything unexpected as INTERNAL."""

    @functools.wraps(fn)
    def handler(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return fn(self, request, context)
        except BrokerError as error:
            _abort(context, error)
        except Exception:
            log.exception("pubsub_emulator_internal_error", method=fn.__name__)
            context.abort(grpc.StatusCode.INTERNAL, f"emulator error in {fn.__name__}; see the emulator log")

    return handler


def _page(items: list[Any], page_size: int, page_token: str) -> tuple[list[Any], str]:
    """A slice of ``items`` and the token of the next page ('' at the end)."""
    try:
        start = int(page_token) if page_token else 0
    except ValueError:
        raise InvalidArgumentError(f"invalid page_token {page_token!r}") from None
    if start < 0:
        raise InvalidArgumentError(f"invalid page_token {page_token!r}")
    size = min(page_size or _DEFAULT_PAGE_SIZE, _MAX_PAGE_SIZE)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else "")


def _received(delivery: Delivery) -> types.ReceivedMessage:
    message = delivery.message
    return types.ReceivedMessage(
        ack_id=delivery.ack_id,
        delivery_attempt=delivery.delivery_attempt,
        message=types.PubsubMessage(
            data=message.data,
            attributes=dict(message.attributes),
            message_id=message.message_id,
            publish_time=message.publish_time,
            ordering_key=message.ordering_key,
        ),
    )


def _subscription_view(config: SubscriptionConfig, topic: str) -> types.Subscription:
    view = types.Subscription.deserialize(config.descriptor)
    view.topic = topic
    return view


class PublisherService:
    """``google.pubsub.v1.Publisher``: CreateTopic, GetTopic, Publish, ListTopics,
    ListTopicSubscriptions, DeleteTopic."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    @_unary
    def CreateTopic(self, request: types.Topic, context: grpc.ServicerContext) -> types.Topic:
        if request.schema_settings.schema:
            raise UnimplementedError("schema settings are not supported by this emulator")
        request.state = types.Topic.State.ACTIVE
        self.broker.create_topic(request.name, types.Topic.serialize(request))
        log.info("pubsub_topic_created", topic=request.name)
        return request

    @_unary
    def GetTopic(self, request: types.GetTopicRequest, context: grpc.ServicerContext) -> types.Topic:
        return types.Topic.deserialize(self.broker.get_topic(request.topic).descriptor)

    @_unary
    def Publish(self, request: types.PublishRequest, context: grpc.ServicerContext) -> types.PublishResponse:
        messages = [
            NewMessage(data=m.data, attributes=dict(m.attributes), ordering_key=m.ordering_key)
            for m in request.messages
        ]
        ids = self.broker.publish(request.topic, messages)
        return types.PublishResponse(message_ids=ids)

    @_unary
    def ListTopics(
        self, request: types.ListTopicsRequest, context: grpc.ServicerContext
    ) -> types.ListTopicsResponse:
        topics = self.broker.list_topics(request.project)
        page, token = _page(topics, request.page_size, request.page_token)
        return types.ListTopicsResponse(
            topics=[types.Topic.deserialize(t.descriptor) for t in page], next_page_token=token
        )

    @_unary
    def ListTopicSubscriptions(
        self, request: types.ListTopicSubscriptionsRequest, context: grpc.ServicerContext
    ) -> types.ListTopicSubscriptionsResponse:
        names = self.broker.list_topic_subscriptions(request.topic)
        page, token = _page(names, request.page_size, request.page_token)
        return types.ListTopicSubscriptionsResponse(subscriptions=page, next_page_token=token)

    @_unary
    def DeleteTopic(
        self, request: types.DeleteTopicRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        self.broker.delete_topic(request.topic)
        log.info("pubsub_topic_deleted", topic=request.topic)
        return empty_pb2.Empty()


class SubscriberService:
    """``google.pubsub.v1.Subscriber``: subscriptions, Pull, StreamingPull, Acknowledge, ModifyAckDeadline."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    @_unary
    def CreateSubscription(
        self, request: types.Subscription, context: grpc.ServicerContext
    ) -> types.Subscription:
        _refuse_unsupported(request)
        if request.ack_deadline_seconds == 0:
            request.ack_deadline_seconds = DEFAULT_ACK_DEADLINE_S
        request.state = types.Subscription.State.ACTIVE
        config = SubscriptionConfig(
            name=request.name,
            topic=request.topic,
            ack_deadline_seconds=request.ack_deadline_seconds,
            enable_message_ordering=request.enable_message_ordering,
            filter=request.filter,
            descriptor=types.Subscription.serialize(request),
        )
        self.broker.create_subscription(config)
        log.info(
            "pubsub_subscription_created",
            subscription=request.name,
            topic=request.topic,
            ordering=request.enable_message_ordering,
            filter=request.filter or None,
        )
        return request

    @_unary
    def GetSubscription(
        self, request: types.GetSubscriptionRequest, context: grpc.ServicerContext
    ) -> types.Subscription:
        return _subscription_view(*self.broker.get_subscription(request.subscription))

    @_unary
    def ListSubscriptions(
        self, request: types.ListSubscriptionsRequest, context: grpc.ServicerContext
    ) -> types.ListSubscriptionsResponse:
        subscriptions = self.broker.list_subscriptions(request.project)
        page, token = _page(subscriptions, request.page_size, request.page_token)
        return types.ListSubscriptionsResponse(
            subscriptions=[_subscription_view(config, topic) for config, topic in page], next_page_token=token
        )

    @_unary
    def DeleteSubscription(
        self, request: types.DeleteSubscriptionRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        self.broker.delete_subscription(request.subscription)
        log.info("pubsub_subscription_deleted", subscription=request.subscription)
        return empty_pb2.Empty()

    @_unary
    def Pull(self, request: types.PullRequest, context: grpc.ServicerContext) -> types.PullResponse:
        wait_s = 0.0
        if not request.return_immediately:
            remaining = context.time_remaining()
            wait_s = _MAX_PULL_WAIT_S if remaining is None else min(remaining - 0.2, _MAX_PULL_WAIT_S)
        deliveries = self.broker.pull(
            request.subscription,
            request.max_messages,
            wait_s=wait_s,
            should_stop=lambda: not context.is_active(),
        )
        return types.PullResponse(received_messages=[_received(d) for d in deliveries])

    @_unary
    def Acknowledge(
        self, request: types.AcknowledgeRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        self.broker.acknowledge(request.subscription, list(request.ack_ids))
        return empty_pb2.Empty()

    @_unary
    def ModifyAckDeadline(
        self, request: types.ModifyAckDeadlineRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        self.broker.modify_ack_deadline(
            request.subscription, list(request.ack_ids), request.ack_deadline_seconds
        )
        return empty_pb2.Empty()

    def StreamingPull(
        self, request_iterator: Iterator[types.StreamingPullRequest], context: grpc.ServicerContext
    ) -> Iterator[types.StreamingPullResponse]:
        """Bidirectional stream: messages go out as they become deliverable; acks, modacks and a new
        stream ack deadline come in on a reader thread of this stream."""
        try:
            first = next(request_iterator)
        except StopIteration:
            return
        try:
            stream = _Stream(self.broker, first)
            stream.apply(first)
            config, _ = self.broker.get_subscription(stream.subscription)
        except BrokerError as error:
            _abort(context, error)
            return
        context.add_callback(stream.cancel)
        reader = threading.Thread(
            target=stream.read, args=(request_iterator,), name="pubsub-emulator-stream-reader", daemon=True
        )
        reader.start()
        properties = types.StreamingPullResponse.SubscriptionProperties(
            message_ordering_enabled=config.enable_message_ordering, exactly_once_delivery_enabled=False
        )
        log.debug("pubsub_stream_opened", subscription=stream.subscription, client_id=first.client_id)
        try:
            while context.is_active() and not stream.finished():
                try:
                    deliveries = self.broker.pull(
                        stream.subscription,
                        stream.batch_size,
                        lease_seconds=stream.lease_seconds,
                        wait_s=_STREAM_POLL_S,
                        should_stop=stream.finished,
                    )
                except BrokerError as error:
                    _abort(context, error)
                    return
                if stream.error is not None:
                    _abort(context, stream.error)
                    return
                if deliveries:
                    yield types.StreamingPullResponse(
                        received_messages=[_received(d) for d in deliveries],
                        subscription_properties=properties,
                    )
            if stream.error is not None:
                _abort(context, stream.error)
        finally:
            stream.cancel()
            log.debug("pubsub_stream_closed", subscription=stream.subscription)


class _Stream:
    """State of one StreamingPull: its subscription, lease length, and whether it has ended."""

    def __init__(self, broker: Broker, first: types.StreamingPullRequest) -> None:
        if not first.subscription:
            raise InvalidArgumentError("the first StreamingPullRequest must set subscription")
        self.broker = broker
        self.subscription = first.subscription
        self.lease_seconds = _stream_deadline(first.stream_ack_deadline_seconds)
        self.batch_size = min(first.max_outstanding_messages or 100, 1000)
        self.error: BrokerError | None = None
        self._done = threading.Event()

    def finished(self) -> bool:
        return self._done.is_set()

    def cancel(self) -> None:
        self._done.set()
        self.broker.wake()

    def apply(self, request: types.StreamingPullRequest) -> None:
        """Apply one request's acks, deadline changes and new stream ack deadline."""
        if len(request.modify_deadline_ack_ids) != len(request.modify_deadline_seconds):
            raise InvalidArgumentError(
                "modify_deadline_ack_ids and modify_deadline_seconds must have the same length; got "
                f"{len(request.modify_deadline_ack_ids)} and {len(request.modify_deadline_seconds)}"
            )
        if request.stream_ack_deadline_seconds:
            self.lease_seconds = _stream_deadline(request.stream_ack_deadline_seconds)
        if request.ack_ids:
            self.broker.acknowledge(self.subscription, list(request.ack_ids))
        by_deadline: dict[int, list[str]] = {}
        for ack_id, seconds in zip(request.modify_deadline_ack_ids, request.modify_deadline_seconds):
            by_deadline.setdefault(seconds, []).append(ack_id)
        for seconds, ack_ids in by_deadline.items():
            self.broker.modify_ack_deadline(self.subscription, ack_ids, seconds)

    def read(self, request_iterator: Iterator[types.StreamingPullRequest]) -> None:
        """Consume the client's requests until it half-closes, cancels or sends something invalid."""
        try:
            for request in request_iterator:
                if self.finished():
                    break
                self.apply(request)
        except BrokerError as error:
            self.error = error
        except grpc.RpcError:  # the client cancelled the RPC: nothing left to read
            log.debug("pubsub_stream_cancelled", subscription=self.subscription)
        finally:
            self.cancel()


def _stream_deadline(seconds: int) -> int:
    if not MIN_ACK_DEADLINE_S <= seconds <= MAX_ACK_DEADLINE_S:
        raise InvalidArgumentError(
            f"stream_ack_deadline_seconds must be between {MIN_ACK_DEADLINE_S} and {MAX_ACK_DEADLINE_S}; "
            f"got {seconds}"
        )
    return seconds


def _refuse_unsupported(request: types.Subscription) -> None:
    """Refuse features whose semantics the emulator does not implement, instead of ignoring them."""
    unsupported = {
        "push delivery (push_config)": bool(request.push_config.push_endpoint),
        "BigQuery subscriptions": bool(request.bigquery_config.table),
        "Cloud Storage subscriptions": bool(request.cloud_storage_config.bucket),
        "exactly-once delivery": request.enable_exactly_once_delivery,
        "dead-letter policies": bool(request.dead_letter_policy.dead_letter_topic),
    }
    refused = [name for name, present in unsupported.items() if present]
    if refused:
        raise UnimplementedError(f"not supported by this emulator: {', '.join(refused)}")
    if request.topic == DELETED_TOPIC:
        raise InvalidArgumentError("cannot create a subscription on a deleted topic")


def _handlers(service: object, methods: dict[str, tuple[Any, Any, Any]]) -> dict[str, grpc.RpcMethodHandler]:
    handlers: dict[str, grpc.RpcMethodHandler] = {}
    for name, (kind, request_type, response_serializer) in methods.items():
        handlers[name] = kind(
            getattr(service, name),
            request_deserializer=request_type.deserialize,
            response_serializer=response_serializer,
        )
    return handlers


def generic_handlers(broker: Broker) -> list[grpc.GenericRpcHandler]:
    """The two services as generic handlers, ready for ``grpc.Server.add_generic_rpc_handlers``."""
    unary, stream = grpc.unary_unary_rpc_method_handler, grpc.stream_stream_rpc_method_handler
    empty = empty_pb2.Empty.SerializeToString
    publisher = PublisherService(broker)
    subscriber = SubscriberService(broker)
    return [
        grpc.method_handlers_generic_handler(
            "google.pubsub.v1.Publisher",
            _handlers(
                publisher,
                {
                    "CreateTopic": (unary, types.Topic, types.Topic.serialize),
                    "GetTopic": (unary, types.GetTopicRequest, types.Topic.serialize),
                    "Publish": (unary, types.PublishRequest, types.PublishResponse.serialize),
                    "ListTopics": (unary, types.ListTopicsRequest, types.ListTopicsResponse.serialize),
                    "ListTopicSubscriptions": (
                        unary,
                        types.ListTopicSubscriptionsRequest,
                        types.ListTopicSubscriptionsResponse.serialize,
                    ),
                    "DeleteTopic": (unary, types.DeleteTopicRequest, empty),
                },
            ),
        ),
        grpc.method_handlers_generic_handler(
            "google.pubsub.v1.Subscriber",
            _handlers(
                subscriber,
                {
                    "CreateSubscription": (unary, types.Subscription, types.Subscription.serialize),
                    "GetSubscription": (unary, types.GetSubscriptionRequest, types.Subscription.serialize),
                    "ListSubscriptions": (
                        unary,
                        types.ListSubscriptionsRequest,
                        types.ListSubscriptionsResponse.serialize,
                    ),
                    "DeleteSubscription": (unary, types.DeleteSubscriptionRequest, empty),
                    "Pull": (unary, types.PullRequest, types.PullResponse.serialize),
                    "StreamingPull": (
                        stream,
                        types.StreamingPullRequest,
                        types.StreamingPullResponse.serialize,
                    ),
                    "Acknowledge": (unary, types.AcknowledgeRequest, empty),
                    "ModifyAckDeadline": (unary, types.ModifyAckDeadlineRequest, empty),
                },
            ),
        ),
    ]
