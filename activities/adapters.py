"""Environment names -> adapter objects, built once per worker from its settings.

Workflow history carries environment *names* only; credentials and endpoints live in the worker's
environment (``StackConfig`` and the Google client variables), never in history.
"""

from __future__ import annotations

import threading

from environments.base import SourceEnvironment, TargetEnvironment
from stack.config import StackConfig


class Adapters:
    def __init__(self, config: StackConfig):
        self.config = config
        self._lock = threading.Lock()
        self._targets: dict[str, TargetEnvironment] = {}
        self._sources: dict[str, SourceEnvironment] = {}
        self._publisher = None
        self._subscriber = None

    def target(self, name: str) -> TargetEnvironment:
        from environments.registry import open_target

        with self._lock:
            if name not in self._targets:
                self._targets[name] = open_target(name, self.config)
            return self._targets[name]

    def source(self, name: str) -> SourceEnvironment:
        from environments.registry import open_source

        with self._lock:
            if name not in self._sources:
                self._sources[name] = open_source(name, self.config)
            return self._sources[name]

    def publisher(self):
        """The routing publisher of the stack's project; topics are ensured once per worker."""
        from routing.publisher import RoutingPublisher, make_publisher_client

        with self._lock:
            if self._publisher is None:
                publisher = RoutingPublisher(self.config.project, make_publisher_client())
                publisher.ensure_topics()
                self._publisher = publisher
            return self._publisher

    def subscriber(self):
        from google.cloud import pubsub_v1

        with self._lock:
            if self._subscriber is None:
                self._subscriber = pubsub_v1.SubscriberClient()
            return self._subscriber
