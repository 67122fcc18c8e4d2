"""The local stack: which services run, in which order, and how to start, stop and find them.

Everything is derived from one ``StackConfig``: ports, state and log paths, and the environment each
service gets (every ``COMPOSER_MIGRATE_*`` field, so a service reading ``StackConfig.from_env()`` sees
the same stack, plus the variables that point the Google clients at the emulators).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from stack import temporal
from stack.config import ENV_PREFIX, REPO_ROOT, StackConfig
from stack.supervisor import (
    HttpReady,
    ServiceSpec,
    ServiceStatus,
    State,
    StaysAlive,
    Supervisor,
    SupervisorError,
    TcpReady,
    process_age,
)

# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class StackService:
    """One service of the stack: how to run it, what it needs first, and what to show people."""

    spec: ServiceSpec
    depends_on: tuple[str, ...] = ()
    prepare: Callable[[], None] | None = None  # writes config files the command reads; run before start
    ui: str = ""  # a URL for people (Web UI), if any
    about: str = ""

    @property
    def name(self) -> str:
        return self.spec.name


class StackStartError(RuntimeError):
    """A service of the stack could not start; ``started`` lists what did start before it."""

    def __init__(self, service: str, cause: Exception, started: list[ServiceStatus]):
        super().__init__(str(cause))
        self.service, self.cause, self.started = service, cause, started


class UnknownService(ValueError):
    pass


# ---------------------------------------------------------------- environment and files


def config_environ(config: StackConfig) -> dict[str, str]:
    """``COMPOSER_MIGRATE_<FIELD>`` for every field: ``StackConfig.from_env`` then rebuilds ``config``."""
    return {ENV_PREFIX + f.name.upper(): str(getattr(config, f.name)) for f in dataclasses.fields(config)}


def service_environ(config: StackConfig) -> dict[str, str]:
    """Environment added for every service we launch."""
    return {**config_environ(config), **config.client_environ(), "PYTHONUNBUFFERED": "1"}


def shell_environ(config: StackConfig) -> dict[str, str]:
    """What a person exports to use the stack from a shell: the Google clients and the `temporal` CLI."""
    return {**config.client_environ(), "TEMPORAL_ADDRESS": config.temporal_address,
            "TEMPORAL_NAMESPACE": config.temporal_namespace}


def composer_config_file(config: StackConfig) -> Path:
    return config.state_dir / "composer-api" / "config.json"


def refscheduler_config_file(config: StackConfig) -> Path:
    return config.state_dir / "refscheduler" / "config.json"


def stack_file(config: StackConfig) -> Path:
    return config.state_dir / "stack.json"


def env_file(config: StackConfig) -> Path:
    return config.state_dir / "stack.env"


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_composer_config(config: StackConfig) -> Path:
    """The Composer API emulator's environments, from ``environments.registry.stack_composer_config``."""
    from environments.registry import stack_composer_config

    path = composer_config_file(config)
    write_atomically(path, json.dumps(stack_composer_config(config), indent=2, default=str))
    return path


def write_refscheduler_config(config: StackConfig) -> Path:
    """The reference scheduler's config file, from ``refscheduler.service.stack_refscheduler_config``."""
    from refscheduler.service import stack_refscheduler_config

    path = refscheduler_config_file(config)
    write_atomically(path, json.dumps(stack_refscheduler_config(config), indent=2, default=str))
    return path


# ---------------------------------------------------------------- readiness checks needing the config


def _airflow2_healthy(body: object) -> bool:
    """Airflow's /health: both the metadata database and the scheduler report "healthy"."""
    if not isinstance(body, dict):
        return False
    return all(isinstance(body.get(part), dict) and body[part].get("status") == "healthy"
               for part in ("metadatabase", "scheduler"))


@dataclass(frozen=True)
class TemporalReady:
    """The dev server answers and has every search attribute of stack.temporal.SEARCH_ATTRIBUTES."""

    config: StackConfig

    def __call__(self, pid: int) -> bool:
        return temporal.search_attributes_ready(self.config)

    def __str__(self) -> str:
        return f"Temporal at {self.config.temporal_address} lists the search attributes"


@dataclass(frozen=True)
class WorkerPolling:
    """A worker polled the task queue after this worker process started."""

    config: StackConfig

    def __call__(self, pid: int) -> bool:
        age = process_age(pid)
        return age is not None and temporal.worker_polling_since(self.config, time.time() - age)

    def __str__(self) -> str:
        return f"a worker polls task queue {self.config.task_queue!r} at {self.config.temporal_address}"


# ---------------------------------------------------------------- the stack


SERVICE_ORDER = ("temporal", "pubsub", "gcs", "composer-api", "airflow1", "airflow2", "refscheduler", "worker")


def stack_services(config: StackConfig, python: str | None = None) -> list[StackService]:
    """The services of the local stack in start order (each after what it depends on)."""
    py = python or sys.executable
    env = service_environ(config)
    logs = config.logs_dir
    host = config.host

    def spec(name: str, argv: Iterable[str], ready, **kwargs) -> ServiceSpec:
        return ServiceSpec(name=name, argv=tuple(argv), log_file=logs / f"{name}.log", ready=ready, env=env,
                           cwd=REPO_ROOT, **kwargs)

    return [
        StackService(
            spec(name="temporal", argv=temporal.dev_server_argv(config), ready=TemporalReady(config),
                 ready_timeout=60, ports=((host, config.temporal_port), (host, config.temporal_ui_port)),
                 address=config.temporal_address),
            prepare=lambda: temporal.temporal_db_file(config).parent.mkdir(parents=True, exist_ok=True),
            ui=config.temporal_ui_url, about="Temporal dev server (workflows) and its Web UI",
        ),
        StackService(
            spec(name="pubsub", argv=[py, "-m", "emulators.pubsub", "--host", host, "--port",
                                      str(config.pubsub_port)],
                 ready=TcpReady(host, config.pubsub_port), ports=((host, config.pubsub_port),),
                 address=config.pubsub_address),
            about="Pub/Sub emulator (PUBSUB_EMULATOR_HOST)",
        ),
        StackService(
            spec(name="gcs", argv=[py, "-m", "emulators.gcs", "--host", host, "--port", str(config.gcs_port), "--data-dir",
                                   str(config.state_dir / "gcs")],
                 ready=TcpReady(host, config.gcs_port), ports=((host, config.gcs_port),),
                 address=config.gcs_url),
            about="Cloud Storage emulator (STORAGE_EMULATOR_HOST)",
        ),
        StackService(
            spec(name="composer-api", argv=[py, "-m", "emulators.composer", "--host", host, "--port",
                                            str(config.composer_api_port), "--config",
                                            str(composer_config_file(config))],
                 ready=TcpReady(host, config.composer_api_port), ports=((host, config.composer_api_port),),
                 address=config.composer_api_address),
            depends_on=("gcs",), prepare=lambda: write_composer_config(config),
            about="Composer API emulator (gRPC) in front of the local Airflow 2",
        ),
        StackService(
            spec(name="airflow1", argv=[py, "-m", "emulators.airflow1", "--host", host,
                                        "--port", str(config.airflow1_port),
                                        "--seed", str(REPO_ROOT / "emulators" / "airflow1" / "demo_seed.json"),
                                        "--state", str(config.state_dir / "airflow1" / "state.json")],
                 ready=TcpReady(host, config.airflow1_port), ports=((host, config.airflow1_port),),
                 address=config.airflow1_url),
            prepare=lambda: (config.state_dir / "airflow1").mkdir(parents=True, exist_ok=True),
            about="Airflow 1.10 experimental API emulator (the Composer 1 source)",
        ),
        StackService(
            spec(name="airflow2", argv=[py, "-m", "environments.local_airflow", "serve", "--home",
                                        str(config.airflow2_home), "--host", host,
                                        "--port", str(config.airflow2_port), "--profile", config.profile,
                                        "--username", config.airflow2_user,
                                        "--password", config.airflow2_password],
                 ready=HttpReady(f"{config.airflow2_url}/health", accept=_airflow2_healthy), ready_timeout=240,
                 ports=((host, config.airflow2_port),), address=config.airflow2_url),
            ui=config.airflow2_url,
            about=f"Airflow 2 ({config.profile}) webserver + scheduler; "
                  f"login {config.airflow2_user} / {config.airflow2_password}",
        ),
        StackService(
            spec(name="refscheduler", argv=[py, "-m", "refscheduler", "serve", "--config",
                                            str(refscheduler_config_file(config))],
                 ready=StaysAlive(3.0), ready_timeout=20),
            # Airflow 1 is where every DAG runs until its cutover; Airflow 2 is reached once routed there.
            depends_on=("pubsub", "airflow1"), prepare=lambda: write_refscheduler_config(config),
            about="reference scheduler: applies routing changes from Pub/Sub, acks them",
        ),
        StackService(
            spec(name="worker", argv=[py, str(REPO_ROOT / "worker.py")], ready=WorkerPolling(config),
                 ready_timeout=60),
            depends_on=("temporal",),
            about=f"Temporal worker on task queue {config.task_queue!r}",
        ),
    ]


def services_by_name(config: StackConfig) -> dict[str, StackService]:
    return {service.name: service for service in stack_services(config)}


def select_services(config: StackConfig, only: Iterable[str] | None = None) -> list[StackService]:
    """The services to start for ``only`` (all when None), with what they depend on, in start order."""
    services = services_by_name(config)
    if only is None:
        return list(services.values())
    wanted: set[str] = set()
    pending = list(only)
    while pending:
        name = pending.pop()
        if name not in services:
            raise UnknownService(f"unknown service {name!r}; the stack has: {', '.join(services)}")
        if name not in wanted:
            wanted.add(name)
            pending.extend(services[name].depends_on)
    return [service for service in services.values() if service.name in wanted]


def supervisor_for(config: StackConfig) -> Supervisor:
    return Supervisor(pids_dir=config.pids_dir)


# ---------------------------------------------------------------- operations


def start_stack(config: StackConfig, only: Iterable[str] | None = None,
                on_event: Callable[[str, str], None] | None = None) -> list[ServiceStatus]:
    """Start the stack (or ``only`` some services and what they need), in order, each ready before the next.

    Idempotent: running services are left alone. Stops at the first failure and raises
    StackStartError (what started before stays up, for inspection). Writes stack.json and stack.env.
    ``on_event(service, message)`` reports progress ("starting", "started", "already running").
    """
    supervisor = supervisor_for(config)
    started: list[ServiceStatus] = []
    try:
        for service in select_services(config, only):
            if on_event:
                on_event(service.name, "starting")
            try:
                if service.prepare is not None and supervisor.status(service.name).state is not State.RUNNING:
                    service.prepare()
                status = supervisor.start(service.spec)
            except (SupervisorError, OSError, ImportError, ValueError, KeyError) as error:
                if isinstance(error, ImportError):
                    error = SupervisorError(f"{service.name} cannot be configured: {error}")
                raise StackStartError(service.name, error, started) from error
            started.append(status)
            if on_event:
                on_event(service.name, status.note)
    finally:
        write_stack_files(config)
    return started


def stop_stack(config: StackConfig, on_event: Callable[[str, str], None] | None = None) -> list[ServiceStatus]:
    """Stop, in reverse start order, every service that has a pidfile (only what we started)."""
    supervisor = supervisor_for(config)
    stopped = []
    for service in reversed(stack_services(config)):
        if supervisor.read_record(service.name) is None:
            continue
        status = supervisor.stop(service.name)
        stopped.append(status)
        if on_event:
            on_event(service.name, status.note)
    write_stack_files(config)
    return stopped


def stack_status(config: StackConfig, check_ready: bool = True) -> list[ServiceStatus]:
    """Status of every service of the stack, in start order (readiness checked for running ones)."""
    supervisor = supervisor_for(config)
    return [supervisor.status(s.name, ready=s.spec.ready if check_ready else None)
            for s in stack_services(config)]


def write_stack_files(config: StackConfig) -> None:
    """``stack.json`` (addresses, pids, logs: how other processes and people find the stack) and
    ``stack.env`` (``source`` it to point the Google clients and the temporal CLI at the stack)."""
    supervisor = supervisor_for(config)
    services = {}
    for service in stack_services(config):
        status = supervisor.status(service.name)
        services[service.name] = {
            "state": status.state.value, "pid": status.pid, "address": service.spec.address,
            "ui": service.ui or None, "log": str(service.spec.log_file), "about": service.about,
        }
    document = {
        "schema": 1,
        "state_dir": str(config.state_dir),
        "temporal": {"address": config.temporal_address, "namespace": config.temporal_namespace,
                     "task_queue": config.task_queue, "ui": config.temporal_ui_url},
        "airflow2": {"url": config.airflow2_url, "user": config.airflow2_user,
                     "password": config.airflow2_password, "dags_dir": str(config.airflow2_dags_dir)},
        "environ": shell_environ(config),
        "services": services,
    }
    write_atomically(stack_file(config), json.dumps(document, indent=2) + "\n")
    lines = ["# Generated by `composer-migrate env start`: source it to use the local stack from a shell."]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in shell_environ(config).items()]
    write_atomically(env_file(config), "\n".join(lines) + "\n")
