"""waves.client: connection settings (TLS, API key, UI links), pure helpers, and, against a real Temporal
dev server, start/conflict, checked approvals, status from query and from result, rollback of a finished
wave, and the errors a person sees when the wave, the worker or the server is missing."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from temporalio.client import TLSConfig

from stack.config import StackConfig
from tests.waves.temporal_helpers import dev_server, stand_in_worker
from waves import client as wc
from waves.model import (
    DAG_DONE,
    DAG_TEST_FAILED,
    STATUS_COMPLETED,
    STATUS_REJECTED,
    STATUS_WAITING,
    Approval,
    DagView,
    GatePolicy,
    RollbackRequest,
    VerifyPolicy,
    WaveFile,
    WaveInput,
    WaveStatus,
)

LEAD, OPS, MALLORY = "lead@example.com", "ops@example.com", "mallory@example.com"


def _wave(name: str = "client-wave", **overrides) -> WaveInput:
    wave = WaveInput(
        wave=name, source_dir="/src/dags", out_dir=f"/out/{name}", files=(WaveFile("a.py"), WaveFile("team/b.py")),
        source="composer1-demo", target="composer2-demo", profile="airflow-2.10.5",
        promote=GatePolicy(approvers=(LEAD,)), cutover=GatePolicy(approvers=(OPS,), escalate_to=("oncall@x",)),
        verify=VerifyPolicy(), spec_path="/specs/wave.yaml")
    return replace(wave, **overrides)


# ------------------------------------------------------------------ settings


def test_settings_come_from_the_stack_config_and_need_no_tls_by_default():
    config = StackConfig(temporal_port=17233, temporal_ui_port=18233, temporal_namespace="migrations",
                         task_queue="q1")
    settings = wc.ConnectionSettings.from_env(config, environ={})
    assert (settings.address, settings.namespace, settings.task_queue) == ("127.0.0.1:17233", "migrations", "q1")
    assert settings.tls is None and settings.api_key == ""
    assert settings.workflow_url("wave-x") == "http://127.0.0.1:18233/namespaces/migrations/workflows/wave-x"


def test_settings_read_the_stack_variables_when_no_config_is_given():
    settings = wc.ConnectionSettings.from_env(environ={"COMPOSER_MIGRATE_TEMPORAL_PORT": "7999",
                                                      "COMPOSER_MIGRATE_TEMPORAL_HOST": "temporal"})
    assert settings.address == "temporal:7999"


def test_mtls_settings_read_the_files_at_connect_time(tmp_path: Path):
    cert, key, ca = (tmp_path / n for n in ("c.pem", "k.pem", "ca.pem"))
    cert.write_bytes(b"CERT")
    key.write_bytes(b"KEY")
    ca.write_bytes(b"CA")
    settings = wc.ConnectionSettings.from_env(StackConfig(), environ={
        wc.TLS_CERT_ENV: str(cert), wc.TLS_KEY_ENV: str(key), wc.TLS_CA_ENV: str(ca),
        wc.TLS_SERVER_NAME_ENV: "temporal.internal", wc.UI_URL_ENV: "https://ui.example.com/"})
    assert settings.tls is not None
    config = settings.tls.to_config()
    assert isinstance(config, TLSConfig)
    assert (config.client_cert, config.client_private_key, config.server_root_ca_cert, config.domain) == (
        b"CERT", b"KEY", b"CA", "temporal.internal")
    assert settings.workflow_url("wave-y") == "https://ui.example.com/namespaces/default/workflows/wave-y"


def test_a_cert_without_its_key_is_refused_naming_both_variables():
    with pytest.raises(ValueError, match=f"{wc.TLS_CERT_ENV} and {wc.TLS_KEY_ENV}"):
        wc.ConnectionSettings.from_env(StackConfig(), environ={wc.TLS_CERT_ENV: "/x.pem"})


def test_an_api_key_implies_tls_with_system_roots():
    settings = wc.ConnectionSettings.from_env(StackConfig(), environ={wc.API_KEY_ENV: "secret-key"})
    assert settings.api_key == "secret-key"
    assert settings.tls == wc.TemporalTLS()
    assert settings.tls.to_config().client_cert is None
    assert "secret-key" not in repr(settings.tls)


def test_a_missing_tls_file_names_the_file(tmp_path: Path):
    tls = wc.TemporalTLS(server_ca=tmp_path / "missing-ca.pem")
    with pytest.raises(wc.TemporalUnreachable, match="CA bundle .*missing-ca.pem"):
        tls.to_config()


def test_unreachable_server_names_the_address_and_the_stack_command():
    settings = wc.ConnectionSettings.from_env(StackConfig(temporal_port=1), environ={})
    with pytest.raises(wc.TemporalUnreachable) as raised:
        asyncio.run(wc.connect(settings, timeout=5))
    assert "127.0.0.1:1" in str(raised.value) and "cli.py env start" in str(raised.value)
    assert "\n" not in str(raised.value)


# ------------------------------------------------------------------ pure helpers


def test_list_query_selects_waves_by_type_and_status_and_quotes_values():
    assert wc.list_query() == "WorkflowType = 'MigrationWave'"
    assert wc.list_query("waiting-approval") == "WorkflowType = 'MigrationWave' AND MigrationStatus = 'waiting-approval'"
    assert wc.list_query("x' OR '1'='1").endswith("MigrationStatus = 'x\\' OR \\'1\\'=\\'1'")


def test_summary_and_details_name_the_wave_its_environments_and_approvers_only():
    wave = _wave()
    assert wc.wave_summary(wave) == "Migration wave client-wave: 2 DAG files, composer1-demo -> composer2-demo"
    details = wc.wave_details(wave)
    assert LEAD in details and OPS in details and "/specs/wave.yaml" in details
    assert "one for the wave" in details


def _closed(dags: tuple[DagView, ...]) -> WaveStatus:
    return WaveStatus(wave="client-wave", stage="done", status=STATUS_COMPLETED, source="composer1-demo",
                      target="composer2-demo", profile="airflow-2.10.5", dags=dags)


def test_rollback_of_a_finished_wave_needs_a_cutover_approver_and_a_done_dag():
    status = _closed((DagView("a", "a.py", DAG_DONE), DagView("b", "team/b.py", DAG_TEST_FAILED)))
    wave = _wave()
    assert wc.rollback_refusal(wave, status, RollbackRequest("a", OPS)) == ""
    assert wc.rollback_refusal(wave, status, RollbackRequest("a", "oncall@x")) == ""  # escalation approver
    assert "may not roll back" in wc.rollback_refusal(wave, status, RollbackRequest("a", MALLORY))
    assert "has no DAG zzz (DAGs: a, b)" in wc.rollback_refusal(wave, status, RollbackRequest("zzz", OPS))
    assert "is test-failed, not done" in wc.rollback_refusal(wave, status, RollbackRequest("b", OPS))


# ------------------------------------------------------------------ against a real Temporal dev server


@pytest.fixture(scope="module")
def temporal(tmp_path_factory):
    with dev_server(tmp_path_factory.mktemp("temporal")) as config:
        yield config


def _settings(config: StackConfig) -> wc.ConnectionSettings:
    return wc.ConnectionSettings.from_env(config, environ={})


async def _wait_for(predicate, timeout: float = 15.0, poll: float = 0.2):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(poll)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_start_approve_refuse_and_status_from_query_then_from_result(temporal):
    settings = _settings(temporal)
    wave = _wave("client-flow")

    async def scenario() -> None:
        client = await wc.connect(settings)
        handle = await wc.start_wave(client, wave, task_queue=settings.task_queue)
        assert handle.id == "wave-client-flow"
        description = await handle.describe()
        assert await description.static_summary() == wc.wave_summary(wave)
        assert LEAD in (await description.static_details() or "")
        with pytest.raises(wc.WaveAlreadyRunning, match="wave client-flow is already running; use `wave status"):
            await wc.start_wave(client, wave, task_queue=settings.task_queue)

        status = await _wait_for(lambda: wc.wave_status(client, wave.wave))
        assert status.status == STATUS_WAITING and status.pending_gates[0].approvers == (LEAD,)

        with pytest.raises(wc.ActionRefused, match="may not decide gate 'promote'"):
            await wc.approve(client, wave.wave, Approval("promote", MALLORY))
        with pytest.raises(wc.ActionRefused, match="gate 'cutover' is not open"):
            await wc.approve(client, wave.wave, Approval("cutover", OPS))
        answer = await wc.approve(client, wave.wave, Approval("promote", LEAD, comment="ok"))
        assert answer == f"approve of gate promote by {LEAD} recorded"

        status = await wc.wave_status(client, wave.wave)
        assert [(e.actor, e.accepted) for e in status.audit] == [(MALLORY, False), (OPS, False), (LEAD, True)]
        assert status.pending_gates[0].gate == "cutover"

        listed = await _wait_for(lambda: wc.list_waves(client, STATUS_WAITING))
        assert [(w.wave, w.stage, w.status, w.execution_status) for w in listed if w.wave == wave.wave] == [
            ("client-flow", "cutover-gate", STATUS_WAITING, "RUNNING")]

        await wc.reject(client, wave.wave, Approval("cutover", OPS, comment="not today"))
        final = await wc.wait_for_result(client, wave.wave)
        assert final.status == STATUS_REJECTED

        with pytest.raises(wc.WaveNotRunning, match="already finished"):
            await wc.pause(client, wave.wave, LEAD)

    with stand_in_worker(temporal):
        asyncio.run(scenario())

    async def after_the_worker_stopped() -> None:
        client = await wc.connect(settings)
        status = await wc.wave_status(client, wave.wave, timeout=3)  # from the result: no worker needed
        assert status.status == STATUS_REJECTED and status.audit[-1].detail == "not today"
        run = await wc.describe_wave(client, wave.wave)
        assert not run.running and run.execution_status == "COMPLETED"

    asyncio.run(after_the_worker_stopped())


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_rollback_while_running_is_audited_and_after_close_starts_a_rollback_only_cutover(temporal):
    settings = _settings(temporal)
    wave = _wave("client-rollback")

    async def scenario() -> None:
        client = await wc.connect(settings)
        await wc.start_wave(client, wave, task_queue=settings.task_queue)
        await _wait_for(lambda: wc.wave_status(client, wave.wave))
        with pytest.raises(wc.ActionRefused, match="may not roll back"):
            await wc.rollback(client, wave.wave, RollbackRequest("a", MALLORY), task_queue=settings.task_queue)
        started = await wc.rollback(client, wave.wave, RollbackRequest("a", OPS, "why not"),
                                    task_queue=settings.task_queue)
        assert (started.via, started.accepted) == ("wave", True)

        await wc.approve(client, wave.wave, Approval("promote", LEAD))
        await wc.approve(client, wave.wave, Approval("cutover", OPS))
        final = await wc.wait_for_result(client, wave.wave)
        assert final.status == STATUS_COMPLETED and {d.state for d in final.dags} == {DAG_DONE}

        with pytest.raises(wc.ActionRefused, match="may not roll back"):
            await wc.rollback(client, wave.wave, RollbackRequest("a", MALLORY), task_queue=settings.task_queue)
        started = await wc.rollback(client, wave.wave, RollbackRequest("b", OPS, "bad data"),
                                    task_queue=settings.task_queue)
        assert started.via == "cutover" and started.workflow_id.startswith("wave-client-rollback--dag-b--rollback-")
        result = await wc.rollback_result(client, started.workflow_id)
        assert result.state == "rolled-back"
        assert result.steps == ("paused in composer2-demo", "unpaused in composer1-demo")

    with stand_in_worker(temporal):
        asyncio.run(scenario())


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_missing_wave_and_missing_worker_are_clear_errors(temporal):
    settings = _settings(temporal)
    wave = _wave("client-noworker")

    async def scenario() -> None:
        client = await wc.connect(settings)
        with pytest.raises(wc.WaveNotFound, match="no wave nope-wave .*wave-nope-wave"):
            await wc.wave_status(client, "nope-wave")
        await wc.start_wave(client, wave, task_queue=settings.task_queue)  # nobody serves this queue now
        with pytest.raises(wc.NoWorkerAnswered, match="no worker would answer the status query of wave client-noworker"):
            await wc.wave_status(client, wave.wave, timeout=2)
        with pytest.raises(wc.NoWorkerAnswered, match="accept the approve_checked update"):
            await wc.approve(client, wave.wave, Approval("promote", LEAD), timeout=2)
        await wc.cancel(client, wave.wave)

    asyncio.run(scenario())
    with stand_in_worker(temporal):  # the worker picks up the cancel and the wave closes as cancelled

        async def closes() -> None:
            client = await wc.connect(settings)
            final = await asyncio.wait_for(wc.wait_for_result(client, wave.wave), 30)
            assert final.status == "cancelled"

        asyncio.run(closes())
