"""The stack's service list, its files, and `env start/stop/status/logs` against the real Pub/Sub emulator."""

from __future__ import annotations

import json
import socket
import subprocess
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from stack.cli import env_app
from stack.config import StackConfig
from stack.services import (
    SERVICE_ORDER,
    StackStartError,
    UnknownService,
    config_environ,
    env_file,
    select_services,
    shell_environ,
    stack_file,
    stack_services,
    start_stack,
    stop_stack,
    write_stack_files,
)
from stack.supervisor import State, process_start_time


def _names(services) -> list[str]:
    return [service.name for service in services]


def test_services_come_in_dependency_order(stack_config):
    services = stack_services(stack_config)
    assert tuple(_names(services)) == SERVICE_ORDER
    position = {name: index for index, name in enumerate(SERVICE_ORDER)}
    for service in services:
        for dependency in service.depends_on:
            assert position[dependency] < position[service.name], f"{service.name} starts before {dependency}"


def test_only_adds_what_a_service_needs_and_keeps_the_order(stack_config):
    assert _names(select_services(stack_config, ["worker"])) == ["temporal", "worker"]
    assert _names(select_services(stack_config, ["composer-api"])) == ["gcs", "composer-api"]
    assert _names(select_services(stack_config, ["refscheduler", "temporal"])) == ["temporal", "pubsub", "airflow1",
                                                                                   "refscheduler"]
    assert _names(select_services(stack_config, None)) == list(SERVICE_ORDER)
    with pytest.raises(UnknownService, match="'nope'.*temporal, pubsub"):
        select_services(stack_config, ["nope"])


def test_services_get_an_environment_that_rebuilds_the_same_config(stack_config):
    assert StackConfig.from_env(config_environ(stack_config)) == stack_config
    for service in stack_services(stack_config):
        env = service.spec.env
        assert env["PUBSUB_EMULATOR_HOST"] == stack_config.pubsub_address
        assert env["STORAGE_EMULATOR_HOST"] == stack_config.gcs_url
        assert env["COMPOSER_MIGRATE_STATE_DIR"] == str(stack_config.state_dir)
        assert service.spec.log_file.parent == stack_config.logs_dir


def test_every_port_a_service_binds_is_a_configured_one_and_none_collide(stack_config):
    bound = [port for service in stack_services(stack_config) for _, port in service.spec.ports]
    assert len(bound) == len(set(bound))
    assert sorted(bound) == sorted([stack_config.temporal_port, stack_config.temporal_ui_port,
                                    stack_config.pubsub_port, stack_config.gcs_port,
                                    stack_config.composer_api_port, stack_config.airflow1_port,
                                    stack_config.airflow2_port])


def test_stack_files_name_the_addresses_and_the_env_snippet_sources_in_bash(stack_config):
    write_stack_files(stack_config)
    document = json.loads(stack_file(stack_config).read_text())
    assert document["temporal"]["ui"] == stack_config.temporal_ui_url
    assert document["airflow2"]["url"] == stack_config.airflow2_url
    assert document["services"]["pubsub"] == {
        "state": "stopped", "pid": None, "address": stack_config.pubsub_address, "ui": None,
        "log": str(stack_config.logs_dir / "pubsub.log"), "about": "Pub/Sub emulator (PUBSUB_EMULATOR_HOST)"}
    names = list(shell_environ(stack_config))
    script = f"source {env_file(stack_config)}; " + "; ".join(f'echo "${name}"' for name in names)
    printed = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout.split("\n")
    assert printed[:-1] == [shell_environ(stack_config)[name] for name in names]
    assert "TEMPORAL_ADDRESS" in names and "PUBSUB_EMULATOR_HOST" in names


def test_start_stack_stops_at_the_first_failure_and_names_it(stack_config):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", stack_config.pubsub_port))
        squatter.listen()
        with pytest.raises(StackStartError) as caught:
            start_stack(stack_config, only=["refscheduler"])
    assert caught.value.service == "pubsub" and caught.value.started == []
    assert f"port {stack_config.pubsub_port}" in str(caught.value)
    assert json.loads(stack_file(stack_config).read_text())["services"]["refscheduler"]["state"] == "stopped"


# ---------------------------------------------------------------- the CLI, with the real Pub/Sub emulator


@pytest.fixture
def cli_env(stack_config):
    """Environment pointing `env ...` at the test's config; stops whatever the test started."""
    yield {key: value for key, value in config_environ(stack_config).items()}
    stop_stack(stack_config)


def _invoke(args, env):
    return CliRunner().invoke(env_app, args, env=env)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_cli_start_status_logs_stop_with_the_real_pubsub_emulator(stack_config, cli_env, monkeypatch):
    result = _invoke(["start", "--only", "pubsub"], cli_env)
    assert result.exit_code == 0, result.output
    assert "pubsub: started" in result.output
    assert str(stack_file(stack_config)) in result.output

    pid = json.loads(stack_file(stack_config).read_text())["services"]["pubsub"]["pid"]
    assert process_start_time(pid) is not None

    # The real client, pointed at the stack by the variables stack.env exports, reaches the emulator.
    from google.cloud import pubsub_v1

    for name, value in shell_environ(stack_config).items():
        monkeypatch.setenv(name, value)
    publisher = pubsub_v1.PublisherClient()
    topic = publisher.create_topic(name=f"projects/{stack_config.project}/topics/stack-test")
    assert topic.name.endswith("/topics/stack-test")

    again = _invoke(["start", "--only", "pubsub"], cli_env)
    assert again.exit_code == 0 and "pubsub: already running" in again.output

    status = _invoke(["status"], cli_env)
    assert status.exit_code == 0, status.output
    pubsub_row = next(line for line in status.output.splitlines() if "pubsub" in line)
    assert str(pid) in pubsub_row and "running" in pubsub_row and stack_config.pubsub_address in pubsub_row
    assert f"source {env_file(stack_config)}" in status.output.replace("\n", "")

    logs = _invoke(["logs", "pubsub", "--lines", "200"], cli_env)
    assert logs.exit_code == 0 and "starting pubsub" in logs.output

    stopped = _invoke(["stop"], cli_env)
    assert stopped.exit_code == 0 and "pubsub: stopped" in stopped.output
    assert process_start_time(pid) is None
    assert _invoke(["stop"], cli_env).output.strip() == "nothing to stop"


def test_cli_start_fails_with_exit_1_naming_the_busy_port(stack_config, cli_env):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", stack_config.pubsub_port))
        squatter.listen()
        result = _invoke(["start", "--only", "pubsub"], cli_env)
    assert result.exit_code == 1
    assert f"port {stack_config.pubsub_port}" in result.output and "pubsub" in result.output


def test_cli_bad_usage_exits_2(cli_env):
    assert _invoke(["start", "--only", "nope"], cli_env).exit_code == 2
    assert _invoke(["logs", "nope"], cli_env).exit_code == 2
    assert _invoke(["status"], {**cli_env, "COMPOSER_MIGRATE_PUBSUB_PORT": "eighty"}).exit_code == 2


def test_cli_status_exits_1_on_a_dead_service(stack_config, cli_env):
    stack_config.pids_dir.mkdir(parents=True)
    (stack_config.pids_dir / "gcs.json").write_text(json.dumps(
        {"name": "gcs", "pid": 999_999_999, "start_time": 1, "argv": [], "log_file": ""}))
    result = _invoke(["status"], cli_env)
    assert result.exit_code == 1
    assert "dead" in next(line for line in result.output.splitlines() if "gcs" in line)


def test_config_overrides_for_compose_hosts_change_only_addresses(stack_config):
    compose = replace(stack_config, temporal_host="temporal", pubsub_host="pubsub", airflow2_host="airflow-webserver")
    assert compose.temporal_address == f"temporal:{stack_config.temporal_port}"
    assert compose.pubsub_address == f"pubsub:{stack_config.pubsub_port}"
    assert compose.airflow2_url == f"http://airflow-webserver:{stack_config.airflow2_port}"
    assert compose.gcs_url == stack_config.gcs_url


def test_status_of_a_fresh_stack_is_all_stopped(stack_config):
    from stack.services import stack_status

    assert {s.state for s in stack_status(stack_config)} == {State.STOPPED}
