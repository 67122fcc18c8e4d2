"""The reference scheduler as one process: the routing consumer (Pub/Sub) plus the tick loop.

Config file (JSON or YAML)::

    project: demo-project             # the Pub/Sub project (PUBSUB_EMULATOR_HOST points at an emulator)
    db: .state/stack/refscheduler/routing.sqlite   # routing table + slot ledger
    tick_seconds: 5                   # how often due slots are looked for
    subscription: refscheduler-routing
    jobs: [{dag_id: sales, every_seconds: 60}]     # or jobs_file: jobs.yaml (relative to this file)
    environments:
      composer1: {url: "http://127.0.0.1:8081", api: experimental,
                  auth: {type: iap, client_id: "123.apps.googleusercontent.com"}}
      composer2: {url: "http://127.0.0.1:8080", api: stable,
                  auth: {type: basic, username: admin, password_env: AIRFLOW2_PASSWORD}}

``api`` defaults to ``experimental`` (Airflow 1.10) for composer1 and ``stable`` (Airflow 2) for
composer2. ``auth.type`` is ``none``, ``bearer`` (``token`` or ``token_env``), ``iap`` (``client_id``:
an ID token from Application Default Credentials) or ``basic`` (``username`` and ``password`` or
``password_env``). Errors name the file and the key.

``stack_refscheduler_config(StackConfig)`` is the local stack's config: the demo DAGs, composer1 = the
Airflow 1 emulator, composer2 = the local Airflow 2.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1

from environments.airflow1.auth import BasicAuth, IapIdTokenAuth, StaticBearerToken
from observability import get_logger
from refscheduler.consumer import DEFAULT_SUBSCRIPTION_ID, RoutingConsumer
from refscheduler.jobs import Job, JobsError, jobs_from_data, load_jobs
from refscheduler.routing_table import RoutingTable
from refscheduler.scheduler import ReferenceScheduler
from refscheduler.triggers import (
    Airflow1ExperimentalTrigger,
    Airflow2StableTrigger,
    HeadersProvider,
    Trigger,
    no_headers,
)
from routing.contract import ACK_TOPIC, ENVIRONMENTS, ROUTING_TOPIC

log = get_logger("refscheduler.service")

DEFAULT_TICK_SECONDS = 5.0
DEFAULT_APIS = {"composer1": "experimental", "composer2": "stable"}
_TRIGGER_CLASSES = {"experimental": Airflow1ExperimentalTrigger, "stable": Airflow2StableTrigger}
_AUTH_KEYS = {
    "none": set(),
    "bearer": {"token", "token_env"},
    "iap": {"client_id"},
    "basic": {"username", "password", "password_env"},
}


class ConfigError(ValueError):
    """The scheduler's config is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class EnvironmentConfig:
    """Where one environment's Airflow is and how to call it."""

    url: str
    api: str
    auth: Mapping[str, Any] = field(default_factory=lambda: {"type": "none"}, hash=False)

    def headers_provider(self) -> HeadersProvider:
        kind = self.auth.get("type", "none")
        if kind == "none":
            return no_headers
        if kind == "bearer":
            token = self.auth.get("token") or os.environ.get(str(self.auth.get("token_env")), "")
            return StaticBearerToken(token).headers
        if kind == "iap":
            return IapIdTokenAuth(str(self.auth["client_id"])).headers
        password = self.auth.get("password")
        if password is None:
            password = os.environ.get(str(self.auth.get("password_env")), "")
        return BasicAuth(str(self.auth["username"]), str(password)).headers

    def trigger(self) -> Trigger:
        return _TRIGGER_CLASSES[self.api](self.url, self.headers_provider())


@dataclass(frozen=True)
class ServiceConfig:
    project: str
    db_path: Path
    jobs: tuple[Job, ...]
    environments: Mapping[str, EnvironmentConfig] = field(hash=False)
    tick_seconds: float = DEFAULT_TICK_SECONDS
    subscription_id: str = DEFAULT_SUBSCRIPTION_ID


def load_config(path: str | Path) -> ServiceConfig:
    """Read and check a config file (JSON or YAML)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: cannot read the scheduler config: {error}") from error
    return config_from_data(data, source=str(path), base_dir=path.parent)


def config_from_data(data: Any, *, source: str = "config", base_dir: Path = Path()) -> ServiceConfig:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: the config is a mapping")
    known = {"project", "db", "tick_seconds", "subscription", "jobs", "jobs_file", "environments"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown keys {unknown} (known: {sorted(known)})")
    project = data.get("project")
    if not isinstance(project, str) or not project:
        raise ConfigError(f"{source}: 'project' must name the Pub/Sub project")
    db = data.get("db")
    if not isinstance(db, str) or not db:
        raise ConfigError(f"{source}: 'db' must be the path of the routing table's SQLite file")
    tick = data.get("tick_seconds", DEFAULT_TICK_SECONDS)
    if not isinstance(tick, int | float) or isinstance(tick, bool) or tick <= 0:
        raise ConfigError(f"{source}: 'tick_seconds' must be a number > 0; got {tick!r}")
    if ("jobs" in data) == ("jobs_file" in data):
        raise ConfigError(f"{source}: give either 'jobs' (a list) or 'jobs_file' (a path)")
    try:
        if "jobs_file" in data:
            jobs = load_jobs(base_dir / str(data["jobs_file"]))
        else:
            jobs = jobs_from_data(data["jobs"], source=f"{source}: jobs")
    except JobsError as error:
        raise ConfigError(str(error)) from error
    environments = _environments(data.get("environments"), source)
    return ServiceConfig(
        project=project,
        db_path=base_dir / db,
        jobs=jobs,
        environments=environments,
        tick_seconds=float(tick),
        subscription_id=str(data.get("subscription", DEFAULT_SUBSCRIPTION_ID)),
    )


def _environments(raw: Any, source: str) -> dict[str, EnvironmentConfig]:
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(f"{source}: 'environments' must map {list(ENVIRONMENTS)} to their url and auth")
    result: dict[str, EnvironmentConfig] = {}
    for name, entry in raw.items():
        where = f"{source}: environments.{name}"
        if name not in ENVIRONMENTS:
            raise ConfigError(f"{where}: unknown environment (the routing contract knows {list(ENVIRONMENTS)})")
        if not isinstance(entry, Mapping) or not isinstance(entry.get("url"), str) or not entry["url"]:
            raise ConfigError(f"{where}: needs 'url' (the Airflow web server)")
        unknown = sorted(set(entry) - {"url", "api", "auth"})
        if unknown:
            raise ConfigError(f"{where}: unknown keys {unknown}")
        api = entry.get("api", DEFAULT_APIS[name])
        if api not in _TRIGGER_CLASSES:
            raise ConfigError(f"{where}.api: {api!r} is not one of {sorted(_TRIGGER_CLASSES)}")
        auth = dict(entry.get("auth") or {"type": "none"})
        kind = auth.get("type", "none")
        if kind not in _AUTH_KEYS:
            raise ConfigError(f"{where}.auth.type: {kind!r} is not one of {sorted(_AUTH_KEYS)}")
        extra = sorted(set(auth) - {"type"} - _AUTH_KEYS[kind])
        if extra:
            raise ConfigError(f"{where}.auth: keys {extra} do not belong to type {kind!r}")
        if kind == "bearer" and not (auth.get("token") or auth.get("token_env")):
            raise ConfigError(f"{where}.auth: bearer needs 'token' or 'token_env'")
        if kind == "iap" and not auth.get("client_id"):
            raise ConfigError(f"{where}.auth: iap needs 'client_id' (the IAP OAuth client id)")
        if kind == "basic" and (not auth.get("username") or not ("password" in auth or "password_env" in auth)):
            raise ConfigError(f"{where}.auth: basic needs 'username' and 'password' or 'password_env'")
        result[name] = EnvironmentConfig(url=entry["url"], api=api, auth=auth)
    return result


def stack_refscheduler_config(stack, *, every_seconds: int = 60, dag_ids: list[str] | None = None) -> dict[str, Any]:
    """The local stack's scheduler config (JSON-able): a job per demo DAG every ``every_seconds``.

    stack: a ``stack.config.StackConfig``. dag_ids: default the demo seed's DAGs (the Airflow 1
    emulator's). composer1 is the emulator (no auth), composer2 the local Airflow 2 (basic auth).
    """
    if dag_ids is None:
        from emulators.airflow1 import DEMO_SEED_PATH

        dag_ids = [dag["dag_id"] for dag in json.loads(DEMO_SEED_PATH.read_text(encoding="utf-8"))["dags"]]
    return {
        "project": stack.project,
        "db": str(stack.refscheduler_db),
        "tick_seconds": DEFAULT_TICK_SECONDS,
        "jobs": [{"dag_id": dag_id, "every_seconds": every_seconds} for dag_id in dag_ids],
        "environments": {
            "composer1": {"url": stack.airflow1_url, "api": "experimental", "auth": {"type": "none"}},
            "composer2": {
                "url": stack.airflow2_url,
                "api": "stable",
                "auth": {"type": "basic", "username": stack.airflow2_user, "password": stack.airflow2_password},
            },
        },
    }


def default_config(stack, *, every_seconds: int = 60) -> ServiceConfig:
    """``stack_refscheduler_config`` as a checked ``ServiceConfig``."""
    return config_from_data(stack_refscheduler_config(stack, every_seconds=every_seconds), source="stack config")


def _ensure_topic(publisher: pubsub_v1.PublisherClient, topic: str) -> None:
    try:
        publisher.create_topic(name=topic)
        log.info("scheduler_topic_created", topic=topic)
    except gexc.AlreadyExists:
        pass


class SchedulerService:
    """The routing consumer and the tick loop, started and stopped together."""

    def __init__(self, config: ServiceConfig, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.config = config
        self.clock = clock
        self.table: RoutingTable | None = None
        self.scheduler: ReferenceScheduler | None = None
        self._consumer: RoutingConsumer | None = None
        self._subscriber: pubsub_v1.SubscriberClient | None = None
        self._publisher: pubsub_v1.PublisherClient | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def start(self) -> None:
        """Open the table, make sure topics and the subscription exist, start consuming and ticking."""
        config = self.config
        config.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.table = RoutingTable(config.db_path, clock=self.clock)
        self._subscriber = pubsub_v1.SubscriberClient()
        self._publisher = pubsub_v1.PublisherClient()
        for topic in (ROUTING_TOPIC, ACK_TOPIC):
            _ensure_topic(self._publisher, f"projects/{config.project}/topics/{topic}")
        self._consumer = RoutingConsumer(
            project=config.project, table=self.table, subscriber_client=self._subscriber,
            publisher_client=self._publisher, subscription_id=config.subscription_id,
        )
        self._consumer.ensure_subscription()
        self._consumer.start()
        triggers = {name: env.trigger() for name, env in config.environments.items()}
        self.scheduler = ReferenceScheduler(config.jobs, self.table, triggers, self.clock)
        self._ticker = threading.Thread(target=self._tick_loop, name="refscheduler-ticks", daemon=True)
        self._ticker.start()
        log.info("scheduler_started", project=config.project, jobs=len(config.jobs), db=str(config.db_path),
                 environments={name: env.url for name, env in config.environments.items()})

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop ticking and consuming, close clients and files (idempotent)."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=timeout_s)
            self._ticker = None
        if self._consumer is not None:
            self._consumer.stop(timeout_s)
            self._consumer = None
        if self._subscriber is not None:
            self._subscriber.close()
            self._subscriber = None
        if self._publisher is not None:
            self._publisher.stop()
            self._publisher.transport.close()
            self._publisher = None
        if self.scheduler is not None:
            self.scheduler.close()
        if self.table is not None:
            self.table.close()
            self.table = None
        log.info("scheduler_stopped")

    def serve(self, stop: threading.Event) -> None:
        """Run until ``stop`` is set (the CLI sets it on SIGTERM/SIGINT)."""
        self.start()
        try:
            stop.wait()
        finally:
            self.stop()

    def _tick_loop(self) -> None:
        assert self.scheduler is not None
        while not self._stop.is_set():
            try:
                self.scheduler.tick()
            except Exception as error:  # noqa: BLE001 - one bad tick must not end the loop
                log.error("scheduler_tick_failed", error=f"{type(error).__name__}: {error}")
            self._stop.wait(self.config.tick_seconds)
