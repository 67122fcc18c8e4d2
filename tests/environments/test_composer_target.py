"""ComposerTarget with the real EnvironmentsClient and storage client against the emulators; at the end a
DAG deployed through the bucket into the session's real local Airflow 2, parsed, triggered and run."""

# Fixtures imported from emulators.composer.testing are test parameters below (F811 is expected).
# ruff: noqa: F811
from __future__ import annotations

import hashlib
import textwrap
import time
from pathlib import Path

import pytest

from emulators.composer.testing import (  # noqa: F401
    TEST_PROJECT,
    composer_emulators,
    gcs_client,
    gcs_emulator,
    wait_until,
)
from environments.airflow2 import Airflow2RestClient, BasicAuth
from environments.base import (
    DeployError,
    DeployFile,
    EnvironmentNotFound,
    EnvironmentUnreachable,
    TargetEnvironment,
)
from environments.composer.client import environments_client
from environments.composer.target import (
    ComposerTarget,
    UnsupportedTarget,
    checked_relative_path,
    parse_image_version,
    split_gcs_prefix,
    target_refusal,
)
from tests.net import free_port

BUCKET = "target-test-bucket"


def env(environment_id, image, bucket=BUCKET, **extra):
    return {"environment_id": environment_id, "image_version": image, "airflow_uri": "http://127.0.0.1:18080",
            "bucket": bucket, **extra}


ENVIRONMENTS = [
    env("composer2", "composer-2.10.0-airflow-2.10.5"),
    env("composer3", "composer-3-airflow-2.10.5-build.7"),
    env("composer1", "composer-1.20.12-airflow-1.10.15", bucket="composer1-test-bucket"),
    env("composer20", "composer-2.0.32-airflow-2.2.5", bucket="composer20-test-bucket"),
    env("no-bucket", "composer-2.10.0-airflow-2.10.5", bucket="bucket-that-was-never-made"),
]


def deploy_file(folder: Path, relative_path: str, text: str) -> DeployFile:
    path = folder / relative_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return DeployFile(relative_path, path, hashlib.sha256(text.encode()).hexdigest())


def rest_factory(uri: str) -> Airflow2RestClient:
    return Airflow2RestClient(uri, BasicAuth("admin", "admin"))


@pytest.fixture
def emulator(composer_emulators, gcs_emulator):
    gcs_emulator.create_bucket(BUCKET)
    return composer_emulators({"create_buckets": False, "environments": ENVIRONMENTS})


@pytest.fixture
def open_target(emulator, gcs_client):
    clients = []

    def open_(environment_id: str) -> ComposerTarget:
        client = environments_client(emulator.address)
        clients.append(client)
        return ComposerTarget(emulator.resource_name(environment_id), client, gcs_client, rest_factory,
                              api_endpoint=emulator.address)

    yield open_
    for client in clients:
        client.transport.close()


# ---------------------------------------------------------------- pure parts


@pytest.mark.parametrize(
    ("image", "refused"),
    [("composer-2.10.0-airflow-2.10.5", None), ("composer-2.1.0-airflow-2.3.4", None),
     ("composer-3-airflow-2.10.5-build.7", None), ("composer-latest-airflow-2.10.5", None),
     ("composer-1.20.12-airflow-1.10.15", "Composer 1"), ("composer-1.20.12-airflow-2.4.3", "Composer 1"),
     ("composer-2.0.32-airflow-2.2.5", "2.0.x"), ("garbage", "cannot tell")],
)
def test_which_images_can_be_targets(image, refused):
    reason = target_refusal(image)
    if refused is None:
        assert reason is None
    else:
        assert refused in reason and image in reason


def test_image_and_prefix_parsing():
    assert parse_image_version("composer-2.10.0-airflow-2.10.5").airflow == (2, 10, 5)
    assert parse_image_version("composer-3-airflow-2.9.3-build.2").composer == (3,)
    assert split_gcs_prefix("gs://b-1/dags") == ("b-1", "dags/")
    assert split_gcs_prefix("gs://b-1/a/dags/") == ("b-1", "a/dags/")
    with pytest.raises(ValueError, match="gs://"):
        split_gcs_prefix("s3://b/dags")
    for bad in ("../x.py", "/abs.py", "a//b.py", "./a.py", "a\\b.py", ""):
        with pytest.raises(DeployError, match="inside the DAG folder"):
            checked_relative_path(bad)


# ---------------------------------------------------------------- against the emulators


def test_resolves_bucket_prefix_uri_and_image(open_target):
    target = open_target("composer2")
    assert isinstance(target, TargetEnvironment)
    assert target.name == f"projects/{TEST_PROJECT}/locations/us-central1/environments/composer2"
    assert (target.bucket, target.dags_prefix) == (BUCKET, "dags/")
    assert target.airflow_uri == "http://127.0.0.1:18080" == target.rest.base_url
    assert target.image_version == "composer-2.10.0-airflow-2.10.5"
    assert open_target("composer3").image_version == "composer-3-airflow-2.10.5-build.7"


def test_deploy_twice_then_changed_bytes(open_target, gcs_client, tmp_path):
    target = open_target("composer2")
    files = [deploy_file(tmp_path, "a.py", "a = 1\n"), deploy_file(tmp_path, "team/b.py", "b = 1\n")]
    first = target.deploy(files)
    assert first.uploaded == ("a.py", "team/b.py") and first.unchanged == ()
    generation = gcs_client.bucket(BUCKET).get_blob("dags/a.py").generation

    second = target.deploy(files)
    assert second.uploaded == () and second.unchanged == ("a.py", "team/b.py")
    assert gcs_client.bucket(BUCKET).get_blob("dags/a.py").generation == generation  # not rewritten

    changed = target.deploy([deploy_file(tmp_path / "v2", "a.py", "a = 2\n"), files[1]])
    assert changed.uploaded == ("a.py",) and changed.unchanged == ("team/b.py",)
    assert gcs_client.bucket(BUCKET).blob("dags/a.py").download_as_bytes() == b"a = 2\n"


def test_many_files_compare_against_one_listing(open_target, gcs_client, tmp_path):
    target = open_target("composer2")
    files = [deploy_file(tmp_path, f"many/dag_{i}.py", f"x = {i}\n") for i in range(20)]
    assert len(target.deploy(files[:10]).uploaded) == 10
    again = target.deploy(files)
    assert len(again.unchanged) == 10 and len(again.uploaded) == 10
    assert len(list(gcs_client.list_blobs(BUCKET, prefix="dags/many/"))) == 20


def test_remove_deletes_and_tolerates_missing_objects(open_target, gcs_client, tmp_path):
    target = open_target("composer2")
    target.deploy([deploy_file(tmp_path, "gone.py", "x = 1\n")])
    target.remove(["gone.py", "never_there.py"])
    assert gcs_client.bucket(BUCKET).get_blob("dags/gone.py") is None


def test_a_file_changed_since_planning_is_refused(open_target, tmp_path):
    target = open_target("composer2")
    item = deploy_file(tmp_path, "a.py", "a = 1\n")
    item.local_path.write_text("a = 'edited'\n")
    with pytest.raises(DeployError, match="changed since it was planned"):
        target.deploy([item])
    with pytest.raises(DeployError, match="inside the DAG folder"):
        target.deploy([DeployFile("../escape.py", item.local_path, "")])


def test_missing_bucket_is_environment_not_found_naming_it(open_target, tmp_path):
    target = open_target("no-bucket")
    with pytest.raises(EnvironmentNotFound, match="bucket gs://bucket-that-was-never-made .*no-bucket"):
        target.deploy([deploy_file(tmp_path, "a.py", "a = 1\n")])
    with pytest.raises(EnvironmentNotFound, match="gs://bucket-that-was-never-made"):
        target.remove(["a.py"])


def test_unknown_environment_is_not_found_naming_it(open_target):
    with pytest.raises(EnvironmentNotFound, match=r"projects/test-project/.*/environments/nowhere does not exist"):
        open_target("nowhere")


@pytest.mark.parametrize(("environment_id", "reason"), [("composer1", "Airflow 1.10.15 \\(Composer 1\\)"),
                                                        ("composer20", "Composer 2.0.x")])
def test_composer_1_and_2_0_are_refused_as_targets(open_target, environment_id, reason):
    with pytest.raises(UnsupportedTarget, match=reason) as caught:
        open_target(environment_id)
    assert environment_id in str(caught.value) and not caught.value.retryable


def test_unreachable_composer_api_names_the_endpoint(gcs_client):
    address = f"127.0.0.1:{free_port()}"
    with environments_client(address) as client:
        started = time.monotonic()
        with pytest.raises(EnvironmentUnreachable, match=f"Composer API at {address}") as caught:
            ComposerTarget("projects/p/locations/l/environments/e", client, gcs_client, rest_factory,
                           api_endpoint=address, timeout_s=5)
    assert caught.value.retryable and time.monotonic() - started < 5


def test_deployed_files_reach_the_synced_dag_folder(composer_emulators, gcs_emulator, gcs_client, tmp_path):
    folder = tmp_path / "airflow" / "dags"
    gcs_emulator.create_bucket(BUCKET)
    emulator = composer_emulators({"sync_interval_s": 0.1, "environments": [
        env("synced", "composer-2.10.0-airflow-2.10.5", dags_folder=str(folder))]})
    with environments_client(emulator.address) as client:
        target = ComposerTarget(emulator.resource_name("synced"), client, gcs_client, rest_factory)
    target.deploy([deploy_file(tmp_path / "src", "team/dag.py", "x = 1\n")])
    wait_until(lambda: (folder / "team" / "dag.py").is_file(), what="the synced file")
    assert (folder / "team" / "dag.py").read_text() == "x = 1\n"
    target.remove(["team/dag.py"])
    wait_until(lambda: not (folder / "team" / "dag.py").exists(), what="the synced deletion")


# ---------------------------------------------------------------- end to end with the real local Airflow 2

E2E_DAG = textwrap.dedent('''
    import pendulum
    from airflow import DAG
    from airflow.operators.bash import BashOperator

    with DAG("composer_e2e_hello", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
             catchup=False):
        BashOperator(task_id="say_hello", bash_command="echo hello through the bucket")
''')
E2E_BROKEN = E2E_DAG.replace('"composer_e2e_hello"', '"composer_e2e_broken"').replace(
    "from airflow import DAG", "from airflow import DAG\nimport module_missing_on_composer")


def poll(what, check, timeout_s=90.0, every_s=0.5):
    started = time.monotonic()
    while True:
        value = check()
        if value:
            return value, time.monotonic() - started
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"{what}: not after {timeout_s} s (last: {value!r})")
        time.sleep(every_s)


@pytest.mark.slow
def test_a_dag_deployed_to_the_bucket_is_parsed_and_runs_in_airflow(local_airflow2, composer_emulators,
                                                                     gcs_emulator, gcs_client, tmp_path):
    gcs_emulator.create_bucket("composer-e2e-bucket")
    emulator = composer_emulators({"sync_interval_s": 1.0, "environments": [
        env("composer2-e2e", "composer-2.10.0-airflow-2.10.5", bucket="composer-e2e-bucket",
            airflow_uri=local_airflow2.url, dags_folder=str(local_airflow2.dags_dir))]})
    auth = BasicAuth(local_airflow2.username, local_airflow2.password)
    with environments_client(emulator.address) as client:
        target = ComposerTarget(emulator.resource_name("composer2-e2e"), client, gcs_client,
                                lambda uri: Airflow2RestClient(uri, auth))
    assert target.airflow_uri == local_airflow2.url.rstrip("/")
    files = [deploy_file(tmp_path, "composer_e2e/hello.py", E2E_DAG),
             deploy_file(tmp_path, "composer_e2e/broken.py", E2E_BROKEN)]
    try:
        started = time.monotonic()
        assert target.deploy(files).uploaded == ("composer_e2e/hello.py", "composer_e2e/broken.py")
        deploy_s = time.monotonic() - started
        _, parse_s = poll("composer_e2e_hello parsed",
                          lambda: target.parse_status("composer_e2e_hello", "composer_e2e/hello.py").parsed)
        assert (local_airflow2.dags_dir / "composer_e2e" / "hello.py").read_text() == E2E_DAG
        broken, _ = poll("composer_e2e_broken import error",
                         lambda: target.parse_status("composer_e2e_broken", "composer_e2e/broken.py").import_error)
        assert "module_missing_on_composer" in broken
        assert target.deploy(files).unchanged == ("composer_e2e/hello.py", "composer_e2e/broken.py")

        assert target.dag_info("composer_e2e_hello").is_paused  # paused at creation
        assert target.set_paused(["composer_e2e_hello"], False) == {"composer_e2e_hello": False}
        started = time.monotonic()
        first = target.trigger("composer_e2e_hello", "composer-e2e-1")
        assert not first.already_existed
        assert target.trigger("composer_e2e_hello", "composer-e2e-1").already_existed
        run, _ = poll("run finished",
                      lambda: (r := target.get_run("composer_e2e_hello", "composer-e2e-1")).finished and r)
        run_s = time.monotonic() - started
        assert run.state == "success", run
        assert dict(run.task_states) == {"say_hello": "success"}
        print(f"\ncomposer e2e: deploy {deploy_s:.2f} s, bucket->parsed {parse_s:.1f} s, "
              f"trigger->success {run_s:.1f} s")
    finally:
        target.set_paused(["composer_e2e_hello"], True)
        target.remove([f.relative_path for f in files])
        emulator.sync_now()
    assert not (local_airflow2.dags_dir / "composer_e2e" / "hello.py").exists()
