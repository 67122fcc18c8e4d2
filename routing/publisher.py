"""Publish routing changes on ``scheduler-routing``, ordered per DAG.

The client must be created with message ordering enabled (``make_publisher_client()`` does it): the
ordering key is the dag_id, so the scheduler sees one DAG's changes in the order they were issued.
Publishing is idempotent at the contract level: a retry republishes the same change_id, which the
scheduler applies once.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1

from observability import get_logger
from routing.contract import ACK_TOPIC, ROUTING_TOPIC, RoutingChange

log = get_logger("routing.publisher")

DEFAULT_PUBLISH_TIMEOUT_S = 60.0


class RoutingPublishError(RuntimeError):
    """Publishing a routing change (or preparing its topics) failed; the message says which and where."""


def make_publisher_client() -> pubsub_v1.PublisherClient:
    """A PublisherClient with message ordering enabled (honours ``PUBSUB_EMULATOR_HOST``)."""
    return pubsub_v1.PublisherClient(
        publisher_options=pubsub_v1.types.PublisherOptions(enable_message_ordering=True)
    )


@dataclass(frozen=True)
class RoutingTopics:
    """Full topic paths of one project."""

    changes: str
    acks: str

    @classmethod
    def of(cls, project: str) -> RoutingTopics:
        return cls(
            changes=f"projects/{project}/topics/{ROUTING_TOPIC}",
            acks=f"projects/{project}/topics/{ACK_TOPIC}",
        )


class RoutingPublisher:
    """Sends ``RoutingChange`` messages for one project."""

    def __init__(
        self,
        project: str,
        publisher_client: pubsub_v1.PublisherClient,
        *,
        publish_timeout_s: float = DEFAULT_PUBLISH_TIMEOUT_S,
    ) -> None:
        if not publisher_client.publisher_options.enable_message_ordering:
            raise ValueError(
                "the PublisherClient must be created with enable_message_ordering=True "
                "(routing changes are ordered per dag_id); use routing.publisher.make_publisher_client()"
            )
        self.project = project
        self.topics = RoutingTopics.of(project)
        self._client = publisher_client
        self._timeout_s = publish_timeout_s

    def ensure_topics(self) -> None:
        """Make sure both routing topics exist (get first, so existing topics need no create permission)."""
        for topic in (self.topics.changes, self.topics.acks):
            try:
                self._client.get_topic(request={"topic": topic})
                continue
            except gexc.NotFound:
                pass
            except gexc.GoogleAPICallError as error:
                raise RoutingPublishError(f"cannot check topic {topic}: {error}") from error
            try:
                self._client.create_topic(request={"name": topic})
                log.info("routing_topic_created", topic=topic)
            except gexc.AlreadyExists:
                pass  # created concurrently: fine
            except gexc.GoogleAPICallError as error:
                raise RoutingPublishError(f"cannot create topic {topic}: {error}") from error

    def publish(self, change: RoutingChange) -> str:
        """Publish one change (ordering key = dag_id) and return the Pub/Sub message id."""
        bound = log.bind(change_id=change.change_id, dag_id=change.dag_id, environment=change.environment)
        try:
            future = self._client.publish(
                self.topics.changes, change.encode(), ordering_key=change.ordering_key, **change.attributes()
            )
            message_id = future.result(timeout=self._timeout_s)
        except Exception as error:
            # After a failure the client pauses the ordering key; resume it so the caller's retry can
            # publish again (the retry carries the same change_id, so nothing is applied twice).
            self._resume(change.ordering_key)
            raise RoutingPublishError(
                f"publishing routing change {change.change_id} (dag {change.dag_id} -> {change.environment}) "
                f"to {self.topics.changes} failed: {type(error).__name__}: {error}"
            ) from error
        bound.info("routing_change_published", message_id=message_id)
        return message_id

    def _resume(self, ordering_key: str) -> None:
        try:
            self._client.resume_publish(self.topics.changes, ordering_key)
        except (ValueError, RuntimeError):
            pass  # key never used by this client, or client stopped: nothing to resume
