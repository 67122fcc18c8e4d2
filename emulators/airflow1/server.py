"""Start and stop the Airflow 1.10 API emulator; ``start_emulator`` is what tests and the CLI call."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from emulators.airflow1.api import Auth, make_handler
from emulators.airflow1.state import DEFAULT_RUN_DURATION_S, EmulatorState, load_seed, utc_now
from observability import get_logger

log = get_logger("emulators.airflow1")


class Airflow1EmulatorHandle:
    """A running emulator: ``url`` (the Airflow web server base URL), ``state`` and ``stop()``."""

    def __init__(self, server: ThreadingHTTPServer, thread: threading.Thread, state: EmulatorState) -> None:
        self._server = server
        self._thread = thread
        self.state = state
        self.host, self.port = server.server_address[:2]
        self._stopped = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/experimental"

    def stop(self) -> None:
        """Stop serving (idempotent) and close the listening socket."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        log.info("airflow1_emulator_stopped", url=self.url)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_emulator(
    seed: Mapping[str, Any] | str | Path,
    port: int = 0,
    host: str = "127.0.0.1",
    *,
    state_path: str | Path | None = None,
    run_duration_s: float = DEFAULT_RUN_DURATION_S,
    bearer_token: str | None = None,
    basic_auth: tuple[str, str] | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Airflow1EmulatorHandle:
    """Serve the Airflow 1.10 experimental API on ``host:port`` (0 picks a free port).

    seed: a seed mapping or the path of a seed JSON file; ignored when ``state_path`` already exists
    (a restart keeps its state). run_duration_s: how long a triggered run runs when its DAG's seed
    entry does not say. bearer_token / basic_auth: require that credential (401 otherwise).
    """
    if not isinstance(seed, Mapping):
        seed_source = str(seed)
        seed = load_seed(seed)
    else:
        seed_source = "seed"
    state = EmulatorState.from_seed(
        seed,
        source=seed_source,
        default_run_duration_s=run_duration_s,
        state_path=Path(state_path) if state_path is not None else None,
        clock=clock,
    )
    server = _Server((host, port), make_handler(state, Auth(bearer_token=bearer_token, basic=basic_auth)))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="airflow1-emulator", daemon=True
    )
    thread.start()
    handle = Airflow1EmulatorHandle(server, thread, state)
    log.info("airflow1_emulator_started", url=handle.url, state_path=str(state_path) if state_path else None)
    return handle
