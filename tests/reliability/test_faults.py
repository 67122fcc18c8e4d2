"""Faults at each adapter: each ends in retry-then-recover or a clean compensation, never a half-done cutover.

The waves here are real end to end: the real Temporal dev server, the product's worker
(``worker.build_worker`` with the real ``Adapters``), the real Google client libraries against the
in-repo emulators that speak their wire protocols, the session's real local Airflow 2 (webserver +
scheduler) behind the Composer API emulator, the Airflow 1.10 API emulator as the source, and the
reference scheduler's real routing consumer. The faults are injected by TEST-ONLY hooks of the
emulators (``emulators/grpc_faults.py``, ``emulators/composer/faults.py``, ``emulators/pubsub/faults.py``,
``emulators/faultproxy.py`` in front of the GCS emulator), armed in-process; the product code is unchanged
and does not know. What each fault must end in, and why: docs/reliability.md, "Faults".

Every wave is sampled while it runs: the DAG must never be unpaused in the source and in Airflow 2 at
the same moment.
"""

# Fixtures imported from the emulator and workflow test modules are test parameters below (F811 is expected).
# ruff: noqa: F811
from __future__ import annotations

import asyncio
import base64
import json
import shutil
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import grpc
import pytest
from google.api_core import exceptions as gexc
from temporalio.client import Client

from activities.adapters import Adapters
from emulators.airflow1.server import Airflow1EmulatorHandle
from emulators.airflow1.server import start_emulator as start_airflow1
from emulators.composer.server import ComposerEmulatorHandle
from emulators.composer.server import start_emulator as start_composer
from emulators.composer.testing import TEST_PROJECT, composer_emulators, gcs_client, gcs_emulator  # noqa: F401
from emulators.faultproxy import FaultProxyHandle, start_fault_proxy
from emulators.gcs import GcsEmulatorHandle, start_gcs_emulator
from emulators.pubsub.server import EmulatorHandle
from emulators.pubsub.testing import publisher_client, pubsub_emulator, subscriber_client  # noqa: F401
from environments.base import EnvironmentUnreachable
from environments.composer.client import environments_client, storage_client
from environments.composer.target import get_composer_environment
from environments.registry import SOURCE_IMAGE
from refscheduler.consumer import RoutingConsumer
from refscheduler.routing_table import RoutingTable
from routing.publisher import RoutingPublisher, make_publisher_client
from stack.config import StackConfig
from tests.conftest import LocalAirflow2
from tests.runtime import require_runtime_python
from tests.workflows.conftest import temporal_server  # noqa: F401 - the session's real Temporal dev server
from waves.model import (
    DEFAULT_ACK_TIMEOUT_S,
    DEFAULT_PARSE_TIMEOUT_S,
    Approval,
    DagView,
    WaveResult,
    WaveStatus,
)
from waves.spec import SpecError, load_spec
from worker import build_worker
from workflows import search

PROJECT = "faults-project"
LOCATION = "us-central1"
TARGET_ID = "composer2-faults"
SOURCE_ID = "composer1-faults"
MISSING_TARGET_ID = "composer2-never-created"
TARGET_IMAGE = "composer-2.10.0-airflow-2.10.5"
PROMOTER, CUTTER = "lead@example.com", "ops@example.com"
# One DAG per scenario, each with a dag id of its own (the session's Airflow 2 is shared with other tests).
SCENARIOS = ("composerapi", "notfound", "gcsupload", "publish", "neverparses", "neverack", "lateack")

AIRFLOW1_DAG = '''from datetime import datetime

from airflow import DAG
from airflow.operators.dummy_operator import DummyOperator

dag = DAG("{dag_id}", start_date=datetime(2024, 1, 1), schedule_interval=None, catchup=False)
DummyOperator(task_id="noop", dag=dag)
'''


# ==================================================================== the fault hooks themselves (fast)


def test_composer_api_faults_fail_the_next_calls_of_one_environment_then_answer(composer_emulators):
    emulator = composer_emulators({"environments": [
        {"environment_id": "env-a", "image_version": TARGET_IMAGE, "airflow_uri": "http://127.0.0.1:1",
         "bucket": "env-a-bucket"},
        {"environment_id": "env-b", "image_version": TARGET_IMAGE, "airflow_uri": "http://127.0.0.1:2",
         "bucket": "env-b-bucket"}]})
    emulator.faults.fail_next(1, grpc.StatusCode.UNAVAILABLE, environment_id="env-a")
    emulator.faults.fail_next(1, grpc.StatusCode.DEADLINE_EXCEEDED, environment_id="env-a")
    with environments_client(emulator.address) as client:
        def get(environment_id: str):
            return get_composer_environment(client, emulator.resource_name(environment_id),
                                            endpoint=emulator.address, timeout_s=5)

        assert get("env-b").bucket == "env-b-bucket"  # another environment is not affected
        for _ in range(2):
            with pytest.raises(EnvironmentUnreachable, match=f"{emulator.address}.*env-a"):
                get("env-a")
        assert get("env-a").bucket == "env-a-bucket"
    assert [c.outcome for c in emulator.faults.calls(environment_id="env-a")] == [
        "UNAVAILABLE", "DEADLINE_EXCEEDED", "served"]
    assert [c.outcome for c in emulator.faults.calls(environment_id="env-b")] == ["served"]
    assert emulator.faults.grpc.pending() == 0


def test_composer_sync_fault_keeps_the_bucket_out_of_the_dag_folder(composer_emulators, gcs_emulator, gcs_client,
                                                                    tmp_path):
    folder = tmp_path / "dags"
    emulator = composer_emulators({"environments": [
        {"environment_id": "env-a", "image_version": TARGET_IMAGE, "airflow_uri": "http://127.0.0.1:1",
         "bucket": "env-a-bucket", "dags_folder": str(folder)}], "sync_interval_s": 60})
    emulator.sync_now()  # creates the bucket
    emulator.faults.pause_sync("env-a")
    gcs_client.bucket("env-a-bucket").blob("dags/a.py").upload_from_string(b"x = 1\n")
    emulator.sync_now()
    assert not (folder / "a.py").exists()
    emulator.faults.resume_sync("env-a")
    emulator.sync_now()
    assert (folder / "a.py").read_bytes() == b"x = 1\n"


def test_fault_proxy_passes_gcs_through_and_fails_uploads_on_demand(gcs_emulator, tmp_path):
    from google.cloud.storage.retry import DEFAULT_RETRY

    gcs_emulator.create_bucket("proxied")
    with start_fault_proxy(gcs_emulator.url) as proxy:
        client = storage_client(TEST_PROJECT, proxy.url)
        bucket = client.bucket("proxied")
        retry = DEFAULT_RETRY.with_timeout(30)
        # refused before the upstream: the library retries; one upload reaches the emulator
        proxy.faults.fail_next(2, 503, method="POST", path_prefix="/upload/")
        bucket.blob("dags/a.py").upload_from_string(b"a = 1\n", if_generation_match=0, timeout=10, retry=retry)
        uploads = proxy.faults.requests("POST", "/upload/")
        assert [r.outcome for r in uploads] == ["refused 503", "refused 503", "forwarded 200"]
        # the answer lost after the upstream stored it: the client sees a dropped connection and retries
        proxy.faults.fail_next(1, method="POST", path_prefix="/upload/", after_forward=True)
        bucket.blob("dags/b.py").upload_from_string(b"b = 1\n", if_generation_match=0, timeout=10, retry=retry)
        assert [r.outcome for r in proxy.faults.requests("POST", "/upload/")[3:]] == ["answer lost", "forwarded 200"]
        # reads pass through unchanged, and the objects are the uploaded bytes
        assert bucket.blob("dags/a.py").download_as_bytes() == b"a = 1\n"
        assert sorted(b.name for b in client.list_blobs("proxied")) == ["dags/a.py", "dags/b.py"]
        assert proxy.faults.pending() == 0
        client.close()
    with pytest.raises(ValueError, match="http://HOST:PORT"):
        start_fault_proxy("127.0.0.1:1")


def test_pubsub_publish_faults_before_and_after_the_store(pubsub_emulator: EmulatorHandle, publisher_client,
                                                          subscriber_client):
    topic = "projects/p/topics/faulty"
    publisher_client.create_topic(request={"name": topic})
    subscription = "projects/p/subscriptions/faulty-sub"
    subscriber_client.create_subscription(request={"name": subscription, "topic": topic})
    pubsub_emulator.faults.fail_publish_next(topic, 1, grpc.StatusCode.UNAVAILABLE)
    pubsub_emulator.faults.fail_publish_next(topic, 1, grpc.StatusCode.DEADLINE_EXCEEDED, after_store=True)
    publisher_client.publish(topic, b"one", ordering_key="k").result(timeout=30)
    outcomes = [c.outcome for c in pubsub_emulator.faults.publish_calls(topic)]
    assert outcomes == ["UNAVAILABLE", "DEADLINE_EXCEEDED after the call", "served"]
    pulled = subscriber_client.pull(request={"subscription": subscription, "max_messages": 10}, timeout=10)
    assert [m.message.data for m in pulled.received_messages] == [b"one", b"one"]  # at least once: stored twice
    with pytest.raises(gexc.NotFound):  # unarmed, errors are the broker's own
        publisher_client.publish("projects/p/topics/missing", b"x").result(timeout=30)


def _spec_text(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "a.py").write_text("x = 1\n")
    spec = tmp_path / "wave.yaml"
    spec.write_text(f"wave: w\nsource_dir: src\ndags: [a.py]\nsource: c1\ntarget: c2\n"
                    f"approvers: {{promote: [a], cutover: [b]}}\n{extra}")
    return spec


def test_spec_deploy_parse_timeout_and_routing_ack_timeout(tmp_path):
    plain = load_spec(_spec_text(tmp_path, ""))
    assert (plain.parse_timeout_s, plain.ack_timeout_s) == (DEFAULT_PARSE_TIMEOUT_S, DEFAULT_ACK_TIMEOUT_S)
    tuned = load_spec(_spec_text(tmp_path, "deploy: {parse_timeout: 8s}\nrouting: {ack_timeout: 2m}\n"))
    assert (tuned.parse_timeout_s, tuned.ack_timeout_s) == (8.0, 120.0)
    with pytest.raises(SpecError) as error:
        load_spec(_spec_text(tmp_path, "deploy: {parse_timeout: 2h, wait: 1}\nrouting: {ack_timeout: soon}\n"))
    problems = "\n".join(error.value.problems)
    assert "deploy.parse_timeout: must be from 1s to 15m; got '2h'" in problems
    assert "deploy.wait: unknown field (known: parse_timeout)" in problems
    assert "routing.ack_timeout: not a duration: 'soon'" in problems
    with pytest.raises(SpecError, match="routing: must be a mapping"):
        load_spec(_spec_text(tmp_path, "routing: 5m\n"))


# ==================================================================== waves with faults (real parts)


@dataclass
class Rig:
    """Everything a wave touches, in this process so the test can reach the fault hooks."""

    config: StackConfig
    airflow2: LocalAirflow2
    gcs: GcsEmulatorHandle
    proxy: FaultProxyHandle
    composer: ComposerEmulatorHandle
    airflow1: Airflow1EmulatorHandle
    pubsub: EmulatorHandle
    table: RoutingTable
    scheduler: RoutingConsumer
    src: Path
    out: Path
    dag_ids: dict[str, str]  # scenario -> dag id (file <dag id>.py in src, unpaused in the source)
    scheduler_running: bool = False

    def start_scheduler(self) -> None:
        """Start the reference scheduler's consumer (until then, routing changes wait unacknowledged)."""
        if not self.scheduler_running:
            self.scheduler.start()
            self.scheduler_running = True

    def target_paused(self, dag_id: str) -> bool | None:
        """Paused flag in the real Airflow 2; None while Airflow does not know the DAG."""
        request = urllib.request.Request(f"{self.airflow2.url}/api/v1/dags/{dag_id}")
        token = base64.b64encode(f"{self.airflow2.username}:{self.airflow2.password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return bool(json.loads(response.read())["is_paused"])
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def source_paused(self, dag_id: str) -> bool:
        return self.airflow1.state.is_paused(dag_id)

    def source_pause_changes(self, dag_id: str) -> list[bool]:
        return [c["is_paused"] for c in self.airflow1.state.snapshot()["pause_changes"]
                if c["dag_id"] == dag_id and c["was_paused"] != c["is_paused"]]

    def spec(self, dag_id: str, *, target: str = TARGET_ID, extra: str = "") -> Path:
        wave = f"faults-{dag_id.split('_')[1]}-{uuid.uuid4().hex[:6]}"
        path = self.src.parent / f"{wave}.yaml"
        path.write_text(
            f"wave: {wave}\nsource_dir: {self.src}\nout_dir: {self.out / wave}\ndags: [{dag_id}.py]\n"
            f"source: {SOURCE_ID}\ntarget: {target}\n"
            f"approvers:\n  promote: [{PROMOTER}]\n  cutover: [{CUTTER}]\n"
            "verify: {poll: 0.5s, timeout: 90s}\nconcurrency: 1\n" + extra)
        return path


@pytest.fixture
def rig(local_airflow2: LocalAirflow2, pubsub_emulator, publisher_client, subscriber_client, tmp_path,
        monkeypatch) -> Iterator[Rig]:
    require_runtime_python()
    src = tmp_path / "src"
    src.mkdir()
    dag_ids = {name: f"fault_{name}_{uuid.uuid4().hex[:6]}" for name in SCENARIOS}
    for dag_id in dag_ids.values():
        (src / f"{dag_id}.py").write_text(AIRFLOW1_DAG.format(dag_id=dag_id))
    gcs = start_gcs_emulator()
    proxy = start_fault_proxy(gcs.url)
    airflow1 = start_airflow1({"dags": [{"dag_id": d, "is_paused": False} for d in dag_ids.values()]})
    folder = local_airflow2.dags_dir / f"faults_{uuid.uuid4().hex[:8]}"
    composer = start_composer({
        "project": PROJECT, "location": LOCATION, "storage_endpoint": gcs.url, "sync_interval_s": 0.5,
        "environments": [
            {"environment_id": TARGET_ID, "image_version": TARGET_IMAGE, "airflow_uri": local_airflow2.url,
             "bucket": f"{TARGET_ID}-bucket", "dags_folder": str(folder)},
            {"environment_id": SOURCE_ID, "image_version": SOURCE_IMAGE, "airflow_uri": airflow1.url,
             "bucket": f"{SOURCE_ID}-bucket"}]})
    # The worker's clients: GCS through the fault proxy, the Composer API and Pub/Sub emulators.
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", proxy.url)
    monkeypatch.setenv("COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT", composer.address)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    config = StackConfig(state_dir=tmp_path / "state", project=PROJECT, location=LOCATION,
                         airflow2_user=local_airflow2.username, airflow2_password=local_airflow2.password,
                         target_environment=TARGET_ID, source_environment=SOURCE_ID,
                         target_bucket=f"{TARGET_ID}-bucket")
    RoutingPublisher(PROJECT, make_publisher_client()).ensure_topics()
    table = RoutingTable(tmp_path / "routing.sqlite")
    scheduler = RoutingConsumer(project=PROJECT, table=table, subscriber_client=subscriber_client,
                                publisher_client=publisher_client)
    scheduler.ensure_subscription()  # changes queue up for the scheduler even while it is not running
    rig = Rig(config, local_airflow2, gcs, proxy, composer, airflow1, pubsub_emulator, table, scheduler,
              src, tmp_path / "out", dag_ids)
    try:
        yield rig
    finally:
        if rig.scheduler_running:
            scheduler.stop()
        table.close()
        composer.stop()
        shutil.rmtree(folder, ignore_errors=True)  # Airflow deactivates the test's DAGs
        airflow1.stop()
        proxy.stop()
        gcs.stop()


class NeverActiveInBoth:
    """Samples both paused flags of a DAG every 0.25 s in a thread; ``violations`` must stay empty."""

    def __init__(self, rig: Rig, dag_id: str) -> None:
        self.rig, self.dag_id = rig, dag_id
        self.samples = 0
        self.violations: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="active-in-both-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            source = self.rig.source_paused(self.dag_id)
            target = self.rig.target_paused(self.dag_id)
            self.samples += 1
            if not source and target is False:
                self.violations.append(time.monotonic())

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=15)


async def _approve_open_gates(client: Client, workflow_id: str) -> None:
    """The approvers: each gate is approved once, as soon as it opens."""
    handle = client.get_workflow_handle(workflow_id)
    approved: set[str] = set()
    while True:
        status = await handle.query("status", result_type=WaveStatus)
        for gate in status.pending_gates:
            if gate.gate not in approved:
                approved.add(gate.gate)
                approver = PROMOTER if gate.gate == "promote" else CUTTER
                await handle.signal("approve", Approval(gate.gate, approver, "fault test"))
        await asyncio.sleep(0.3)


async def dag_view(client: Client, wave: str, dag_id: str) -> DagView:
    """The DagCutover child's own live status (state and reason as the Temporal UI shows them)."""
    return await client.get_workflow_handle(search.cutover_workflow_id(wave, dag_id)).query(
        "status", result_type=DagView)


def run_wave(rig: Rig, temporal_server, spec: Path,
             during: Callable[[Client, str], Awaitable[None]] | None = None) -> WaveResult:
    """Run the wave on a fresh worker (real adapters) with every gate approved; ``during`` runs alongside."""
    inp = load_spec(spec)

    async def main() -> WaveResult:
        client = await Client.connect(temporal_server.address)
        queue = f"faults-{uuid.uuid4().hex[:8]}"
        worker = build_worker(client, rig.config, task_queue=queue, adapters=Adapters(rig.config))
        workflow_id = search.wave_workflow_id(inp.wave)
        async with worker:
            handle = await client.start_workflow(
                "MigrationWave", inp, id=workflow_id, task_queue=queue, result_type=WaveResult,
                search_attributes=search.initial(inp.wave, "convert", "running"))
            helpers = [asyncio.ensure_future(_approve_open_gates(client, workflow_id))]
            if during is not None:
                helpers.append(asyncio.ensure_future(during(client, inp.wave)))
            try:
                result = await asyncio.wait_for(handle.result(), 240)
            finally:
                for task in helpers:
                    if task.done() and not task.cancelled() and task.exception():
                        raise task.exception()
                    task.cancel()
        return result

    started = time.monotonic()
    result = asyncio.run(main())
    for view in result.status.dags:  # the figures of the run (pytest -s shows them)
        print(f"\n[faults] {inp.wave}: {view.dag_id} {view.state} after {time.monotonic() - started:.1f}s "
              f"({len(view.steps)} steps): {view.reason[:160]}")
    return result


def only_dag(result: WaveResult) -> DagView:
    (view,) = result.status.dags
    return view


def routed(rig: Rig, dag_id: str) -> list[tuple[str, str]]:
    """The scheduler's routing history of the DAG: (environment, change_id), oldest first."""
    return [(c.change.environment, c.change.change_id) for c in rig.table.history(dag_id)]


def step_change_ids(view: DagView, prefix: str) -> list[str]:
    return [s.split("change ")[1].split(",")[0] for s in view.steps if s.startswith(prefix)]


@pytest.mark.slow
def test_composer_api_unavailable_and_deadline_are_retried_then_the_dag_cuts_over(rig, temporal_server):
    dag_id = rig.dag_ids["composerapi"]
    rig.composer.faults.fail_next(2, grpc.StatusCode.UNAVAILABLE, environment_id=TARGET_ID)
    rig.composer.faults.fail_next(1, grpc.StatusCode.DEADLINE_EXCEEDED, environment_id=TARGET_ID)
    rig.composer.faults.fail_next(2, grpc.StatusCode.UNAVAILABLE, environment_id=SOURCE_ID)
    rig.start_scheduler()
    with NeverActiveInBoth(rig, dag_id) as sampler:
        result = run_wave(rig, temporal_server, rig.spec(dag_id))
    view = only_dag(result)
    assert view.state == "done", view
    # the activities retried through every injected failure (the worker's adapter is resolved once)
    target_calls = [c.outcome for c in rig.composer.faults.calls(environment_id=TARGET_ID)]
    assert target_calls == ["UNAVAILABLE", "UNAVAILABLE", "DEADLINE_EXCEEDED", "served"]
    assert [c.outcome for c in rig.composer.faults.calls(environment_id=SOURCE_ID)] == [
        "UNAVAILABLE", "UNAVAILABLE", "served"]
    # the cutover happened once, completely
    assert routed(rig, dag_id) == [("composer2", step_change_ids(view, "routed to composer2")[0])]
    assert rig.source_pause_changes(dag_id) == [True]
    assert rig.target_paused(dag_id) is False
    assert sampler.samples > 10 and sampler.violations == []


@pytest.mark.slow
def test_unknown_target_environment_stops_the_dag_at_deploy_and_leaves_the_source_alone(rig, temporal_server):
    dag_id = rig.dag_ids["notfound"]
    rig.start_scheduler()
    result = run_wave(rig, temporal_server, rig.spec(dag_id, target=MISSING_TARGET_ID))
    view = only_dag(result)
    assert view.state == "deploy-failed", view
    assert f"environments/{MISSING_TARGET_ID} does not exist" in view.reason
    assert result.status.status == "completed-with-failures"
    # NOT_FOUND is final: asked once, not retried
    assert [c.outcome for c in rig.composer.faults.calls(environment_id=MISSING_TARGET_ID)] == ["served"]
    # nothing changed anywhere: source untouched, nothing routed, nothing uploaded
    assert rig.source_pause_changes(dag_id) == [] and not rig.source_paused(dag_id)
    assert routed(rig, dag_id) == []
    assert rig.proxy.faults.requests("POST", "/upload/") == []
    assert rig.target_paused(dag_id) is None


@pytest.mark.slow
def test_gcs_upload_failures_are_retried_and_the_file_is_uploaded_once(rig, temporal_server):
    dag_id = rig.dag_ids["gcsupload"]
    uploads_path = f"/upload/storage/v1/b/{TARGET_ID}-bucket/o"
    # three 503s (the storage library retries them), then a 412 "changed meanwhile" (the adapter's
    # DeployError: the deploy activity retries it, compares again and uploads)
    rig.proxy.faults.fail_next(3, 503, method="POST", path_prefix=uploads_path)
    rig.proxy.faults.fail_next(1, 412, method="POST", path_prefix=uploads_path)
    rig.start_scheduler()
    with NeverActiveInBoth(rig, dag_id) as sampler:
        result = run_wave(rig, temporal_server, rig.spec(dag_id))
    view = only_dag(result)
    assert view.state == "done", view
    outcomes = [r.outcome for r in rig.proxy.faults.requests("POST", uploads_path)]
    assert outcomes == ["refused 503"] * 3 + ["refused 412", "forwarded 200"]
    assert "deployed" in view.steps  # uploaded by this wave (not "same bytes were already there")
    converted = (rig.out / result.status.wave / "dags" / f"{dag_id}.py").read_bytes()
    assert (Path(rig.composer.config.environments[0].dags_folder) / f"{dag_id}.py").read_bytes() == converted
    assert routed(rig, dag_id) == [("composer2", step_change_ids(view, "routed to composer2")[0])]
    assert sampler.violations == []


@pytest.mark.slow
def test_pubsub_publish_failures_are_retried_and_the_dag_is_routed_once(rig, temporal_server):
    dag_id = rig.dag_ids["publish"]
    topic = f"projects/{PROJECT}/topics/scheduler-routing"
    rig.pubsub.faults.fail_publish_next(topic, 2, grpc.StatusCode.UNAVAILABLE)
    # stored, but the answer is lost: the retry stores the same change a second time
    rig.pubsub.faults.fail_publish_next(topic, 1, grpc.StatusCode.DEADLINE_EXCEEDED, after_store=True)
    rig.start_scheduler()
    with NeverActiveInBoth(rig, dag_id) as sampler:
        result = run_wave(rig, temporal_server, rig.spec(dag_id))
    view = only_dag(result)
    assert view.state == "done", view
    assert [c.outcome for c in rig.pubsub.faults.publish_calls(topic)] == [
        "UNAVAILABLE", "UNAVAILABLE", "DEADLINE_EXCEEDED after the call", "served"]
    # two copies of the change reached the scheduler; it applied the change_id once
    (change_id,) = step_change_ids(view, "routed to composer2")
    assert routed(rig, dag_id) == [("composer2", change_id)]
    assert rig.table.route_of(dag_id).environment == "composer2"
    assert rig.source_pause_changes(dag_id) == [True]
    assert sampler.violations == []


@pytest.mark.slow
def test_target_that_never_parses_ends_deploy_failed_after_the_parse_timeout(rig, temporal_server):
    dag_id = rig.dag_ids["neverparses"]
    rig.composer.faults.pause_sync(TARGET_ID)  # the bucket is never mirrored into Airflow's DAG folder
    rig.start_scheduler()
    started = time.monotonic()
    result = run_wave(rig, temporal_server, rig.spec(dag_id, extra="deploy: {parse_timeout: 6s}\n"))
    view = only_dag(result)
    assert view.state == "deploy-failed", view
    assert view.reason == (f"the target did not parse {dag_id}.py (dag {dag_id}) within 6s and reported no "
                           "import error")
    assert time.monotonic() - started < 120
    # uploaded to the bucket (deploy is idempotent: a re-run finds the same bytes), never active anywhere new
    assert [r.outcome for r in rig.proxy.faults.requests("POST", "/upload/")] == ["forwarded 200"]
    assert rig.target_paused(dag_id) is None
    assert rig.source_pause_changes(dag_id) == [] and not rig.source_paused(dag_id)
    assert routed(rig, dag_id) == []


@pytest.mark.slow
def test_scheduler_that_never_acks_rolls_back_and_stops_safely_when_the_route_back_is_not_acked(
        rig, temporal_server):
    dag_id = rig.dag_ids["neverack"]
    # the scheduler is down for the whole wave: its subscription exists, nothing consumes it
    with NeverActiveInBoth(rig, dag_id) as sampler:
        result = run_wave(rig, temporal_server, rig.spec(dag_id, extra="routing: {ack_timeout: 3s}\n"))
    view = only_dag(result)
    assert view.state == "failed", view
    assert view.reason.startswith("cutover step failed: AckTimeout: no scheduler ack for routing change ")
    assert ("ROLLBACK INCOMPLETE, a person must finish it (left to do: route back to composer1 "
            "(the scheduler's ack), unpause in the source)") in view.reason
    assert "paused in the target" in view.steps and "unpaused in the target" not in view.steps
    # safe: paused on both sides (never active in both), nothing acknowledged
    assert rig.target_paused(dag_id) is True and rig.source_paused(dag_id) is True
    assert rig.source_pause_changes(dag_id) == [True]
    assert routed(rig, dag_id) == []
    assert sampler.samples > 10 and sampler.violations == []
    # when the scheduler comes back, it applies both queued changes in order: the DAG ends routed to
    # composer1, so the person finishing the rollback only unpauses the source
    rig.start_scheduler()
    deadline = time.monotonic() + 30
    while len(routed(rig, dag_id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [env for env, _ in routed(rig, dag_id)] == ["composer2", "composer1"]
    assert rig.table.route_of(dag_id).environment == "composer1"


@pytest.mark.slow
def test_scheduler_that_acks_only_after_the_route_timed_out_gets_a_clean_rollback(rig, temporal_server):
    dag_id = rig.dag_ids["lateack"]

    async def scheduler_back_during_the_rollback(client: Client, wave: str) -> None:
        while True:
            try:
                view = await dag_view(client, wave, dag_id)
            except Exception:  # noqa: BLE001 - the child workflow does not exist yet
                view = None
            if view is not None and view.reason.startswith("rolling back"):
                await asyncio.to_thread(rig.start_scheduler)
                return
            await asyncio.sleep(0.2)

    with NeverActiveInBoth(rig, dag_id) as sampler:
        result = run_wave(rig, temporal_server, rig.spec(dag_id, extra="routing: {ack_timeout: 8s}\n"),
                          during=scheduler_back_during_the_rollback)
    view = only_dag(result)
    assert view.state == "rolled-back", view
    assert view.reason.startswith("cutover step failed: AckTimeout: no scheduler ack for routing change ")
    assert [s for s in view.steps if s in ("paused in the source", "paused in the target",
                                           "unpaused in the source")] == [
        "paused in the source", "paused in the target", "unpaused in the source"]
    (back,) = step_change_ids(view, "routed back to composer1")
    assert [env for env, _ in routed(rig, dag_id)] == ["composer2", "composer1"]
    assert routed(rig, dag_id)[1][1] == back
    assert rig.table.route_of(dag_id).environment == "composer1"
    assert rig.target_paused(dag_id) is True and rig.source_paused(dag_id) is False
    assert rig.source_pause_changes(dag_id) == [True, False]
    assert sampler.samples > 10 and sampler.violations == []
