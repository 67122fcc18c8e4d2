"""Start and stop the emulator's gRPC server; ``start_emulator`` is what tests and the CLI call."""

from __future__ import annotations

from concurrent import futures
from typing import Self

import grpc

from emulators.pubsub.broker import Broker
from emulators.pubsub.faults import FaultInjector
from emulators.pubsub.service import generic_handlers
from observability import get_logger

log = get_logger("emulators.pubsub")

# Each open StreamingPull holds one worker thread, so leave room for many subscribers.
DEFAULT_MAX_WORKERS = 64


class EmulatorHandle:
    """A running emulator: its address (for ``PUBSUB_EMULATOR_HOST``), its broker, and ``stop()``.

    ``faults`` is the TEST-ONLY fault injector (duplicate and out-of-order deliveries, clock jumps,
    failed publishes);
    ``broker`` allows read-only checks such as ``broker.backlog(subscription)``.
    """

    def __init__(self, server: grpc.Server, host: str, port: int, broker: Broker,
                 faults: FaultInjector | None = None) -> None:
        self._server = server
        self.host = host
        self.port = port
        self.broker = broker
        self.faults = faults or FaultInjector(broker)
        self._stopped = False

    @property
    def address(self) -> str:
        """``host:port``, the value for ``PUBSUB_EMULATOR_HOST``."""
        return f"{self.host}:{self.port}"

    def stop(self, grace_s: float = 1.0) -> None:
        """Stop serving (idempotent): open streams end, blocked pulls return."""
        if self._stopped:
            return
        self._stopped = True
        self.broker.close()
        self._server.stop(grace_s).wait(grace_s + 5)
        log.info("pubsub_emulator_stopped", address=self.address)

    def wait(self) -> None:
        """Block until the server terminates (the CLI's main loop)."""
        self._server.wait_for_termination()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_emulator(
    port: int = 0, host: str = "127.0.0.1", max_workers: int = DEFAULT_MAX_WORKERS
) -> EmulatorHandle:
    """Start a Pub/Sub emulator on ``host:port`` (port 0 picks a free port) and return its handle."""
    broker = Broker()
    faults = FaultInjector(broker)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="pubsub-emulator"),
        handlers=generic_handlers(broker),
        interceptors=[faults.rpc.interceptor],
    )
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise OSError(f"the Pub/Sub emulator could not listen on {host}:{port} (port in use?)")
    server.start()
    log.info("pubsub_emulator_started", address=f"{host}:{bound}")
    return EmulatorHandle(server, host, bound, broker, faults)
