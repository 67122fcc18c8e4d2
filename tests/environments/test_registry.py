"""open_target/open_source resolve names through the Composer emulator the local stack runs, with the
clients and auth the stack's variables select; stack_composer_config is what that emulator serves."""

# Fixtures imported from emulators.composer.testing are test parameters below (F811 is expected).
# ruff: noqa: F811
from __future__ import annotations

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from emulators.airflow1 import start_emulator as start_airflow1_emulator
from emulators.composer import parse_config, start_emulator
from emulators.composer.testing import gcs_client, gcs_emulator  # noqa: F401
from environments.airflow1 import Airflow1Source
from environments.base import (
    DeployFile,
    EnvironmentNotFound,
    EnvironmentUnreachable,
    SourceEnvironment,
    TargetEnvironment,
)
from environments.composer import ComposerTarget, UnsupportedTarget
from environments.registry import (
    SOURCE_IMAGE,
    UnsupportedSource,
    open_source,
    open_target,
    resource_name,
    stack_composer_config,
    target_image,
)
from stack.config import StackConfig
from tests.net import free_port


class FakeAirflow2(BaseHTTPRequestHandler):
    """Stands in for the Airflow 2 web server just enough to show which credentials the target sends."""

    seen_auth: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).seen_auth.append(self.headers.get("Authorization", ""))
        dag_id = self.path.split("?")[0].rsplit("/", 1)[-1]
        body = json.dumps({"dag_id": dag_id, "is_paused": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def airflow2():
    FakeAirflow2.seen_auth = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAirflow2)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def airflow1():
    handle = start_airflow1_emulator({"dags": [{"dag_id": "legacy_dag", "is_paused": False}]})
    yield handle
    handle.stop()


@pytest.fixture
def stack(tmp_path, gcs_emulator, airflow1, airflow2, monkeypatch):
    """A StackConfig on free ports whose Composer emulator serves ``stack_composer_config``."""
    config = StackConfig(state_dir=tmp_path / "stack", gcs_port=gcs_emulator.port, composer_api_port=free_port(),
                         airflow1_port=airflow1.port, airflow2_port=airflow2, airflow2_password="s3cret",
                         project="registry-project", location="europe-west1")
    emulator = start_emulator(stack_composer_config(config), port=config.composer_api_port)
    for name, value in config.client_environ().items():
        monkeypatch.setenv(name, value)
    yield config
    emulator.stop()


def test_names_are_resource_names_or_ids():
    config = StackConfig(project="p1", location="l1")
    assert resource_name("composer2-demo", config) == "projects/p1/locations/l1/environments/composer2-demo"
    full = "projects/other/locations/l2/environments/e"
    assert resource_name(full, config) == full
    for bad in ("Bad_Name", "projects/p/environments/e", ""):
        with pytest.raises(EnvironmentNotFound, match="neither a Composer environment resource name"):
            resource_name(bad, config)


def test_stack_composer_config_is_a_valid_emulator_config(tmp_path):
    config = StackConfig(state_dir=tmp_path)
    raw = stack_composer_config(config)
    json.dumps(raw)  # what stack.services writes
    parsed = parse_config(raw)
    target, source = parsed.environments
    assert (target.environment_id, target.image_version) == (config.target_environment, target_image(config.profile))
    assert target.image_version == "composer-2.10.0-airflow-2.10.5"
    assert (target.airflow_uri, target.bucket) == (config.airflow2_url, config.target_bucket)
    assert target.dags_folder == config.airflow2_dags_dir.resolve()
    assert (source.environment_id, source.image_version, source.airflow_uri) == (
        config.source_environment, SOURCE_IMAGE, config.airflow1_url)
    assert source.dags_folder is None and source.bucket != target.bucket
    assert parsed.storage_endpoint == config.gcs_url
    assert (parsed.project, parsed.location) == (config.project, config.location)
    assert target_image("airflow-2.9.3") == "composer-2.9.7-airflow-2.9.3"
    with pytest.raises(ValueError, match="no-such-profile"):
        target_image("no-such-profile")


def test_open_target_is_a_composer_target_with_basic_auth_on_the_emulator(stack, gcs_client, tmp_path):
    target = open_target(stack.target_environment, stack)
    assert isinstance(target, ComposerTarget) and isinstance(target, TargetEnvironment)
    assert target.name == stack.environment_name(stack.target_environment)
    assert target.airflow_uri == stack.airflow2_url and target.bucket == stack.target_bucket
    assert target.is_paused("some_dag") is True
    expected = "Basic " + base64.b64encode(b"admin:s3cret").decode()
    assert FakeAirflow2.seen_auth == [expected]

    source = tmp_path / "dag.py"
    source.write_text("x = 1\n")
    result = target.deploy([DeployFile("registry/dag.py", source, hashlib.sha256(b"x = 1\n").hexdigest())])
    assert result.uploaded == ("registry/dag.py",)
    assert gcs_client.bucket(stack.target_bucket).blob("dags/registry/dag.py").download_as_bytes() == b"x = 1\n"
    same = open_target(stack.environment_name(stack.target_environment), stack)
    assert same.name == target.name


def test_open_source_is_the_airflow1_api_without_auth_on_the_emulator(stack, airflow1):
    source = open_source(stack.source_environment, stack)
    assert isinstance(source, Airflow1Source) and isinstance(source, SourceEnvironment)
    assert source.airflow_uri == stack.airflow1_url == airflow1.url
    assert source.name == stack.environment_name(stack.source_environment)
    assert source.is_paused("legacy_dag") is False


def test_each_side_refuses_the_other(stack):
    with pytest.raises(UnsupportedTarget, match="Airflow 1.10.15"):
        open_target(stack.source_environment, stack)
    with pytest.raises(UnsupportedSource, match="does not run Airflow 1.x"):
        open_source(stack.target_environment, stack)


def test_unknown_environment_and_unreachable_api(stack, monkeypatch):
    with pytest.raises(EnvironmentNotFound, match="environments/nowhere does not exist"):
        open_target("nowhere", stack)
    dead = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT", dead)
    with pytest.raises(EnvironmentUnreachable, match=f"Composer API at {dead}"):
        open_source(stack.source_environment, stack)
