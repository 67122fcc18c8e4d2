"""Start and stop the Composer API emulator: the gRPC service plus the bucket -> DAG folder sync loop."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent import futures
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import grpc

from emulators.composer.config import ConfigError, EmulatorConfig, load_config, parse_config
from emulators.composer.dagsync import DagFolderSync
from emulators.composer.faults import ComposerFaults
from emulators.composer.service import EnvironmentsService, generic_handlers
from observability import get_logger

log = get_logger("emulators.composer")


def emulator_storage_client(endpoint: str, project: str):
    """A real ``google-cloud-storage`` client on ``endpoint`` (an emulator URL), anonymous."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    return storage.Client(
        project=project, credentials=AnonymousCredentials(), client_options={"api_endpoint": endpoint}
    )


class DagSyncLoop:
    """A daemon thread running every environment's ``DagFolderSync`` each ``interval_s``."""

    def __init__(self, syncs: list[DagFolderSync], storage_client, interval_s: float,
                 faults: ComposerFaults | None = None) -> None:
        self._syncs = syncs
        self._faults = faults
        self._client = storage_client
        self._interval = interval_s
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="composer-dag-sync", daemon=True)
        self._failing: set[str] = set()

    def start(self) -> None:
        self._thread.start()

    def sync_now(self) -> None:
        """One pass over every environment, now (tests call it instead of waiting for the next tick)."""
        with self._lock:
            for sync in self._syncs:
                environment = sync.spec.environment_id
                if self._faults is not None and self._faults.sync_paused(environment):
                    continue  # TEST-ONLY fault: this environment's DAG sync is stuck
                try:
                    sync.run_once(self._client)
                except Exception as error:  # noqa: BLE001 - the loop thread must survive; retried next tick
                    if environment not in self._failing:
                        self._failing.add(environment)
                        log.warning("dag_sync_failed", environment=environment, bucket=sync.spec.bucket, error=str(error))
                else:
                    if environment in self._failing:
                        self._failing.discard(environment)
                        log.info("dag_sync_recovered", environment=environment)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sync_now()
            self._stop.wait(self._interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)


class ComposerEmulatorHandle:
    """A running Composer API emulator: ``address`` (host:port for
    ``COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT``), ``config``, ``sync_now()`` and ``stop()``.

    ``faults`` is the TEST-ONLY fault injector (API errors and timeouts, a stuck DAG sync): see faults.py.
    """

    def __init__(self, server: grpc.Server, host: str, port: int, config: EmulatorConfig,
                 sync_loop: DagSyncLoop | None, faults: ComposerFaults | None = None) -> None:
        self._server = server
        self.faults = faults or ComposerFaults()
        self.host = host
        self.port = port
        self.config = config
        self._sync_loop = sync_loop
        self._stopped = False

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def resource_name(self, environment_id: str) -> str:
        return self.config.resource_name(environment_id)

    def sync_now(self) -> None:
        """Run one bucket -> folder pass for every environment with a dags_folder (no-op without one)."""
        if self._sync_loop is not None:
            self._sync_loop.sync_now()

    def stop(self, grace_s: float = 1.0) -> None:
        """Stop serving and syncing (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        if self._sync_loop is not None:
            self._sync_loop.stop()
        self._server.stop(grace_s).wait(grace_s + 5)
        log.info("composer_emulator_stopped", address=self.address)

    def wait(self) -> None:
        self._server.wait_for_termination()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_emulator(
    config: EmulatorConfig | Mapping[str, Any] | Path | str, port: int = 0, host: str = "127.0.0.1"
) -> ComposerEmulatorHandle:
    """Serve the Composer API on ``host:port`` (0 = a free port) and start the DAG sync loop.

    ``config``: an ``EmulatorConfig``, the same as a dict, or the path of its JSON file
    (format: ``emulators.composer.config``). Raises ``ConfigError`` or ``OSError`` (port in use).
    """
    if isinstance(config, str | Path):
        config = load_config(Path(config))
    elif not isinstance(config, EmulatorConfig):
        config = parse_config(config)
    synced = [spec for spec in config.environments if spec.dags_folder is not None]
    faults = ComposerFaults()
    sync_loop = None
    if synced:
        endpoint = config.resolved_storage_endpoint()
        if not endpoint:
            raise ConfigError(
                "environments "
                + ", ".join(repr(s.environment_id) for s in synced)
                + " have a dags_folder but no storage_endpoint is configured and STORAGE_EMULATOR_HOST is unset"
            )
        client = emulator_storage_client(endpoint, config.project)
        sync_loop = DagSyncLoop(
            [DagFolderSync(spec, create_bucket=config.create_buckets) for spec in synced],
            client, config.sync_interval_s, faults,
        )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="composer-emulator"),
                         interceptors=[faults.grpc.interceptor])
    server.add_generic_rpc_handlers(generic_handlers(EnvironmentsService(config, datetime.now(UTC))))
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise OSError(f"the Composer API emulator could not listen on {host}:{port} (port in use?)")
    server.start()
    if sync_loop is not None:
        sync_loop.start()
    log.info(
        "composer_emulator_started", address=f"{host}:{bound}",
        environments=[s.environment_id for s in config.environments],
    )
    return ComposerEmulatorHandle(server, host, bound, config, sync_loop, faults)
