"""The scheduler service end to end: a routing change through the in-repo Pub/Sub emulator moves the
triggers of the tick loop from one Airflow 1 emulator to the other, acked like the contract says;
config files with errors that name the file and key; the stack's default config; the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emulators.airflow1 import DEMO_SEED_PATH, start_emulator
from emulators.pubsub.testing import wait_until
from refscheduler.service import ConfigError, SchedulerService, config_from_data, default_config, load_config
from routing.ack_subscription import ensure_ack_subscription
from routing.ack_waiter import wait_for_ack
from routing.contract import RoutingChange, new_change_id
from routing.publisher import RoutingPublisher
from stack.config import StackConfig

REPO = Path(__file__).resolve().parents[2]
PROJECT = "refsched-service-test"


def config_data(tmp_path, composer1_url="http://127.0.0.1:1", composer2_url="http://127.0.0.1:2", **overrides) -> dict:
    data = {
        "project": PROJECT,
        "db": str(tmp_path / "routing.sqlite"),
        "tick_seconds": 0.2,
        "jobs": [{"dag_id": "sales", "every_seconds": 1}],
        "environments": {
            "composer1": {"url": composer1_url, "auth": {"type": "bearer", "token": "tok"}},
            # a second Airflow 1.10 emulator stands in for the target here: the trigger path is the point
            "composer2": {"url": composer2_url, "api": "experimental"},
        },
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- config


def test_config_file_yaml_with_a_jobs_file(tmp_path):
    (tmp_path / "jobs.yaml").write_text("- {dag_id: sales, every_seconds: 60}\n")
    (tmp_path / "scheduler.yaml").write_text(
        "project: p\ndb: state/routing.sqlite\njobs_file: jobs.yaml\n"
        "environments:\n"
        "  composer1: {url: 'https://c1.example', auth: {type: iap, client_id: '123.apps.googleusercontent.com'}}\n"
        "  composer2: {url: 'https://c2.example', auth: {type: basic, username: admin, password_env: PW}}\n"
    )
    config = load_config(tmp_path / "scheduler.yaml")
    assert config.db_path == tmp_path / "state" / "routing.sqlite"
    assert [j.dag_id for j in config.jobs] == ["sales"]
    assert config.environments["composer1"].api == "experimental"
    assert config.environments["composer2"].api == "stable"
    assert type(config.environments["composer2"].trigger()).__name__ == "Airflow2StableTrigger"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"project": ""}, "'project' must name"),
        ({"tick_seconds": 0}, "'tick_seconds' must be"),
        ({"jobs_file": "x.yaml"}, "either 'jobs'"),
        ({"jobs": [{"dag_id": "sales"}]}, r"jobs: jobs\[0\] \(sales\): 'every_seconds'"),
        ({"environments": {"composer3": {"url": "http://x"}}}, "environments.composer3: unknown environment"),
        ({"environments": {"composer1": {"url": "http://x", "api": "v3"}}}, "environments.composer1.api"),
        ({"environments": {"composer1": {"url": "http://x", "auth": {"type": "basic", "username": "a"}}}},
         "environments.composer1.auth: basic needs"),
        ({"environments": {"composer1": {"url": "http://x", "auth": {"type": "none", "token": "t"}}}},
         r"keys \['token'\] do not belong"),
        ({"colour": "blue"}, r"unknown keys \['colour'\]"),
    ],
)
def test_config_errors_name_the_file_and_key(tmp_path, change, message):
    path = tmp_path / "scheduler.json"
    path.write_text(json.dumps(config_data(tmp_path, **change)))
    with pytest.raises(ConfigError, match=rf"scheduler\.json: .*{message}"):
        load_config(path)


def test_stack_default_config_schedules_the_demo_dags(tmp_path):
    stack = StackConfig(state_dir=tmp_path, airflow1_port=18081, airflow2_port=18080)
    config = default_config(stack, every_seconds=90)
    demo_dags = [dag["dag_id"] for dag in json.loads(DEMO_SEED_PATH.read_text())["dags"]]
    assert [j.dag_id for j in config.jobs] == demo_dags
    assert {j.every_seconds for j in config.jobs} == {90}
    assert config.db_path == stack.refscheduler_db and config.project == stack.project
    assert config.environments["composer1"].url == "http://127.0.0.1:18081"
    composer2 = config.environments["composer2"]
    assert (composer2.url, composer2.api, composer2.auth["type"]) == ("http://127.0.0.1:18080", "stable", "basic")
    assert composer2.headers_provider()()["Authorization"].startswith("Basic ")


# ---------------------------------------------------------------- end to end


def seed() -> dict:
    return {"dags": [{"dag_id": "sales", "is_paused": False, "run_duration_s": 0.1}]}


@pytest.fixture
def airflows():
    composer1 = start_emulator(seed(), bearer_token="tok")
    composer2 = start_emulator(seed())
    yield composer1, composer2
    composer1.stop()
    composer2.stop()


def run_ids(emulator) -> list[str]:
    return [r.run_id for r in emulator.state.runs("sales")]


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_service_routes_triggers_by_the_changes_it_consumes(tmp_path, pubsub_emulator, publisher_client,
                                                            subscriber_client, airflows):
    composer1, composer2 = airflows
    config = config_from_data(config_data(tmp_path, composer1.url, composer2.url))
    service = SchedulerService(config)
    service.start()
    try:
        wait_until(lambda: run_ids(composer1), what="a run of sales in composer1")
        assert run_ids(composer2) == []
        change = RoutingChange(
            change_id=new_change_id("wave-1", "sales", "composer2", 1), dag_id="sales", environment="composer2",
            airflow_uri=composer2.url, wave="wave-1", issued_at=datetime.now(UTC),
        )
        ack_subscription = ensure_ack_subscription(subscriber_client, PROJECT, change.change_id)
        RoutingPublisher(PROJECT, publisher_client).publish(change)
        ack = wait_for_ack(subscriber_client, ack_subscription, change.change_id, timeout_s=20, tick_s=0.5)
        assert (ack.environment, ack.outcome) == ("composer2", "applied")
        before = len(run_ids(composer1))
        wait_until(lambda: len(run_ids(composer2)) >= 2, what="runs of sales in composer2")
        # at most one tick was in flight when the route moved; after that composer1 gets nothing
        assert len(run_ids(composer1)) <= before + 1
    finally:
        service.stop()
    all_ids = run_ids(composer1) + run_ids(composer2)
    assert len(all_ids) == len(set(all_ids))  # no slot ran twice, in one environment or across both
    assert all(run_id.startswith("sched__sales__") for run_id in all_ids)
    # a restarted service keeps the route (and the slots done) from the same file
    restarted = SchedulerService(config)
    restarted.start()
    try:
        assert restarted.scheduler.environment_of("sales") == "composer2"
    finally:
        restarted.stop()


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_cli_serves_until_sigterm(tmp_path, pubsub_emulator, airflows):
    composer1, composer2 = airflows
    config_file = tmp_path / "scheduler.json"
    config_file.write_text(json.dumps(config_data(tmp_path, composer1.url, composer2.url)))
    env = {**os.environ, "PUBSUB_EMULATOR_HOST": pubsub_emulator.address}
    process = subprocess.Popen([sys.executable, "-m", "refscheduler", "serve", "--config", str(config_file)],
                               cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: run_ids(composer1) or process.poll() is not None, timeout_s=60,
                   what="the CLI's first trigger")
        assert process.poll() is None, process.stderr.read()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert run_ids(composer2) == []


def test_cli_rejects_a_bad_config(tmp_path):
    path = tmp_path / "scheduler.json"
    path.write_text(json.dumps({"project": "p"}))
    result = subprocess.run([sys.executable, "-m", "refscheduler", "tick", "--config", str(path)],
                            check=False, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "scheduler.json" in result.stderr


def test_cli_tick_triggers_once(tmp_path, airflows):
    composer1, composer2 = airflows
    path = tmp_path / "scheduler.json"
    path.write_text(json.dumps(config_data(tmp_path, composer1.url, composer2.url)))
    result = subprocess.run([sys.executable, "-m", "refscheduler", "tick", "--config", str(path)],
                            check=False, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.splitlines()[0])
    assert (line["environment"], line["created"]) == ("composer1", True)
    assert run_ids(composer1) == [line["run_id"]]
