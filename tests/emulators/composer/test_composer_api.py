"""The Composer API emulator answers the real EnvironmentsClient as Composer does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from google.api_core import exceptions
from google.cloud.orchestration.airflow.service_v1 import types

from emulators.composer import ConfigError, parse_config, start_emulator
from environments.composer.client import environments_client

REPO = Path(__file__).resolve().parents[3]

TARGET = {"environment_id": "composer2-test", "image_version": "composer-2.10.0-airflow-2.10.5",
          "airflow_uri": "http://127.0.0.1:18080/", "bucket": "composer2-test-bucket"}
SOURCE = {"environment_id": "composer1-test", "image_version": "composer-1.20.12-airflow-1.10.15",
          "airflow_uri": "http://127.0.0.1:18081", "bucket": "composer1-test-bucket"}


@pytest.fixture
def emulator(composer_emulators):
    return composer_emulators({"environments": [TARGET, SOURCE]})


@pytest.fixture
def client(emulator):
    with environments_client(emulator.address) as client:
        yield client


def test_get_environment_is_running_with_bucket_uri_and_image(emulator, client):
    name = emulator.resource_name("composer2-test")
    environment = client.get_environment(name=name)
    assert environment.name == "projects/test-project/locations/us-central1/environments/composer2-test"
    assert environment.state == types.Environment.State.RUNNING
    assert environment.config.dag_gcs_prefix == "gs://composer2-test-bucket/dags"
    assert environment.config.airflow_uri == "http://127.0.0.1:18080"
    assert environment.config.software_config.image_version == "composer-2.10.0-airflow-2.10.5"
    assert environment.storage_config.bucket == "composer2-test-bucket"
    assert environment.uuid and environment.create_time


def test_list_environments_pages_through_the_location(emulator, client):
    parent = "projects/test-project/locations/us-central1"
    pager = client.list_environments(request={"parent": parent, "page_size": 1})
    names = [environment.name for environment in pager]
    assert names == [emulator.resource_name("composer1-test"), emulator.resource_name("composer2-test")]
    images = {e.name.rsplit("/", 1)[1]: e.config.software_config.image_version
              for e in client.list_environments(parent=parent)}
    assert images == {"composer1-test": "composer-1.20.12-airflow-1.10.15",
                      "composer2-test": "composer-2.10.0-airflow-2.10.5"}
    assert list(client.list_environments(parent="projects/test-project/locations/europe-west1")) == []


def test_unknown_environment_is_not_found_with_its_resource_name(emulator, client):
    name = "projects/test-project/locations/us-central1/environments/nope"
    with pytest.raises(exceptions.NotFound) as caught:
        client.get_environment(name=name)
    assert name in caught.value.message


def test_malformed_name_is_invalid_argument(client):
    with pytest.raises(exceptions.InvalidArgument, match="environments/nope"):
        client.get_environment(name="environments/nope")


def test_methods_not_emulated_answer_unimplemented(emulator, client):
    with pytest.raises(exceptions.MethodNotImplemented):
        client.delete_environment(name=emulator.resource_name("composer2-test")).result(timeout=5)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"environments": [TARGET, TARGET]}, "'composer2-test' is configured twice"),
        ({"environments": [{**TARGET, "bucket": "No_Such Bucket"}]}, "not a valid bucket name"),
        ({"environments": [{**TARGET, "image_version": ""}]}, "environment 'composer2-test': 'image_version'"),
        ({"environments": [{**TARGET, "environment_id": "Bad_Id"}]}, "lower-case"),
        ({"environments": {}}, "'environments' must be a list"),
        ({"environments": [], "sync_interval_s": 0}, "sync_interval_s"),
        ({"environments": [], "storage_endpoint": "127.0.0.1:9023"}, "http"),
    ],
)
def test_config_errors_name_the_field(config, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        parse_config({"project": "p", "location": "l", **config})


def test_a_dags_folder_needs_a_storage_endpoint(tmp_path, monkeypatch):
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    config = {"project": "p", "location": "l",
              "environments": [{**TARGET, "dags_folder": str(tmp_path / "dags")}]}
    with pytest.raises(ConfigError, match="'composer2-test' have a dags_folder but no storage_endpoint"):
        start_emulator(config)


@pytest.mark.slow
def test_cli_serves_the_config_file_until_sigterm(tmp_path, gcs_emulator):
    config_file = tmp_path / "composer.json"
    config_file.write_text(json.dumps({"project": "test-project", "location": "us-central1",
                                       "storage_endpoint": gcs_emulator.url,
                                       "environments": [TARGET, SOURCE]}))
    process = subprocess.Popen(
        [sys.executable, "-m", "emulators.composer", "--port", "0", "--config", str(config_file)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("export COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT=127.0.0.1:"), line
        address = line.split("=", 1)[1]
        with environments_client(address) as client:
            environment = client.get_environment(
                name="projects/test-project/locations/us-central1/environments/composer1-test")
        assert environment.config.airflow_uri == "http://127.0.0.1:18081"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_reports_a_bad_config_file(tmp_path):
    from emulators.composer.__main__ import main

    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["--port", "0", "--config", str(bad)]) == 1
