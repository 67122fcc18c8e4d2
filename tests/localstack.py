"""The whole local stack on free ports with its state in a temporary folder, for end-to-end tests.

Everything real: Temporal dev server + the worker process, Pub/Sub and GCS emulators, the Composer-API
emulator in front of a real Airflow 2, the Airflow 1.10 API emulator, the reference scheduler. The
test process's environment points the Google clients and ``StackConfig.from_env()`` at it while it runs.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from stack.config import StackConfig
from stack.services import start_stack, stop_stack
from tests.runtime import require_runtime_python
from tests.stack.helpers import free_ports

PORT_FIELDS = ("temporal_port", "temporal_ui_port", "pubsub_port", "gcs_port", "composer_api_port",
               "airflow1_port", "airflow2_port")


@contextlib.contextmanager
def local_stack(state_dir: Path, *, task_queue: str = "e2e", only: tuple[str, ...] | None = None,
                **overrides: object) -> Iterator[StackConfig]:
    """Start the stack (or ``only`` some services), yield its config, stop it and restore the environment."""
    require_runtime_python()
    ports = dict(zip(PORT_FIELDS, free_ports(len(PORT_FIELDS)), strict=True))
    config = StackConfig(state_dir=state_dir, task_queue=task_queue, **ports, **overrides)
    saved = dict(os.environ)
    os.environ.update(config.client_environ())
    os.environ.update({f"COMPOSER_MIGRATE_{k.upper()}": str(v) for k, v in ports.items()})
    os.environ["COMPOSER_MIGRATE_TASK_QUEUE"] = task_queue
    os.environ["COMPOSER_MIGRATE_STATE_DIR"] = str(state_dir)
    try:
        start_stack(config, only)
        yield config
    finally:
        stop_stack(config)
        os.environ.clear()
        os.environ.update(saved)
