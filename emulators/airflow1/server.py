"""Start and stop the Airflow 1.10 API emulator; ``start_emulator`` is what tests and the CLI call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from emulators.airflow1.api import Auth, make_handler
from emulators.airflow1.state import DEFAULT_RUN_DURATION_S, EmulatorState, load_seed, utc_now
from emulators.http_serving import ServingHandle
from observability import get_logger

log = get_logger("emulators.airflow1")


class Airflow1EmulatorHandle(ServingHandle):
    """A running emulator: ``url`` (the Airflow web server base URL), ``state`` and ``stop()``."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str, port: int, state: EmulatorState) -> None:
        super().__init__(handler, host, port, "airflow1-emulator")
        self.state = state

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/experimental"

    def stop(self) -> None:
        """Stop serving (idempotent) and close the listening socket."""
        if not self._stopped:
            super().stop()
            log.info("airflow1_emulator_stopped", url=self.url)


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
    handle = Airflow1EmulatorHandle(make_handler(state, Auth(bearer_token=bearer_token, basic=basic_auth)), host,
                                    port, state)
    log.info("airflow1_emulator_started", url=handle.url, state_path=str(state_path) if state_path else None)
    return handle
