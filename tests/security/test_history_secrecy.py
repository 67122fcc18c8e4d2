"""What Temporal's history holds, read raw (no codec) after real waves on the real dev server.

The waves run with the real worker (``worker.build_worker``), the real convert and test stages (the
Airflow 2 runtime's subprocess), the real Pub/Sub emulator and the reference scheduler's consumer; only
the Airflow environments are the in-memory doubles of tests/workflows.

1. With a payload key: no DAG source line, approver comment or DAG id in any payload; every payload but
   the search attributes is ``binary/encrypted``; a client with another key or none gets a clear error.
2. Without a key: neither DAG source text nor the connection URIs written in the DAGs appear anywhere in
   history, even for files whose tool messages quote them (redacted reasons), while the reports on disk
   keep the full messages.
3. DAG code runs only in the runtime's subprocess: a DAG records the pid and interpreter that import it.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload, SearchAttributes
from temporalio.client import Client, WorkflowHistory, WorkflowUpdateFailedError
from typer.testing import CliRunner

from emulators.memory_airflow import SourceDouble, TargetDouble, Timeline
from security.codec import ENCODING, KEY_ENV, KEY_FILE_ENV, PayloadKeyError, new_key
from security.codec_server import serve
from stack.config import StackConfig
from stack.temporal import temporal_binary
from tests.runtime import require_runtime_python
from tests.workflows.test_wave_workflow import PROJECT, DoubleAdapters, gate_open, wait_for
from waves import client as wave_client
from waves.cli import wave_app
from waves.model import Approval, WaveResult
from waves.spec import load_spec
from worker import build_worker
from workflows import search

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CODEC_TOKEN = "codec-test-token"

SYNC_SECRET = "Sync-S3cret-7781"
LOAD_SECRET = "Load-S3cret-4410"
TYPO_SECRET = "Typo-S3cret-9034"

WAREHOUSE_SYNC = f'''# -*- coding: utf-8 -*-
"""Nightly copy of the orders into the warehouse (a connection URI in default_args and a template)."""
from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator

WAREHOUSE_URI = "postgresql://etl_sync:{SYNC_SECRET}@warehouse.internal:5432/analytics"

default_args = {{"owner": "data-eng", "start_date": datetime(2021, 1, 1),
                "params": {{"warehouse_uri": WAREHOUSE_URI}}}}

dag = DAG("warehouse_sync", default_args=default_args, schedule_interval="@daily", catchup=False)

copy_rows = BashOperator(
    task_id="copy_rows",
    bash_command="psql '{{{{ params.warehouse_uri }}}}' -c 'select count(*) from staging.orders_sync_marker'",
    dag=dag,
)
'''

# Airflow 2 refuses unknown operator arguments and its error repeats them with their values.
WAREHOUSE_LOAD = f'''from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator

LOAD_URI = "postgresql://etl_load:{LOAD_SECRET}@warehouse.internal:5432/analytics"

dag = DAG("warehouse_load", start_date=datetime(2021, 1, 1), schedule_interval="@daily", catchup=False)

load_rows = BashOperator(task_id="load_rows", bash_command="echo loading", conn_uri=LOAD_URI, dag=dag)
'''

# A syntax error: the converter's parse error repeats the offending line.
WAREHOUSE_TYPO = f'''from airflow import DAG

TYPO_URI = "postgresql://etl_typo:{TYPO_SECRET}@warehouse.internal:5432/analytics" +

dag = DAG("warehouse_typo", schedule_interval=None)
'''

# Says who imports it through a warning (the test sandbox refuses file writes at import); the warnings check
# records it in the test report on disk.
WHERE_DAGS_RUN = '''import os
import sys
import warnings
from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator

warnings.warn("imported-by pid=%d python=%s end" % (os.getpid(), sys.executable))

dag = DAG("where_dags_run", start_date=datetime(2021, 1, 1), schedule_interval="@daily", catchup=False)

BashOperator(task_id="report_where", bash_command="echo where", dag=dag)
'''
IMPORTED_BY = re.compile(r"imported-by pid=(?P<pid>\d+) python=(?P<python>[^ ]+) end")


# ------------------------------------------------------------------ reading history raw


def _texts(message: Message) -> Iterator[str]:
    """Every string and bytes value (bytes as UTF-8) anywhere in a proto message."""
    for descriptor, value in message.ListFields():
        if descriptor.message_type is not None and descriptor.message_type.GetOptions().map_entry:
            for key, item in value.items():
                yield str(key)
                yield from _texts(item) if isinstance(item, Message) else [_text(item)]
        elif descriptor.is_repeated:
            for item in value:
                yield from _texts(item) if isinstance(item, Message) else [_text(item)]
        elif isinstance(value, Message):
            yield from _texts(value)
        else:
            yield _text(value)


def _text(value) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def _payloads(message: Message, in_search_attributes: bool = False) -> Iterator[tuple[Payload, bool]]:
    """Every Payload in a proto message, with whether it is a search attribute's value."""
    if isinstance(message, Payload):
        yield message, in_search_attributes
        return
    inside = in_search_attributes or isinstance(message, SearchAttributes)
    for descriptor, value in message.ListFields():
        if descriptor.message_type is None:
            continue
        if descriptor.message_type.GetOptions().map_entry:
            items = [v for v in value.values() if isinstance(v, Message)]
        elif descriptor.is_repeated:
            items = list(value)
        else:
            items = [value]
        for item in items:
            yield from _payloads(item, inside)


def haystack(histories: list[WorkflowHistory]) -> str:
    """All text of the histories: every field of every event (payload bytes decoded) and their JSON."""
    parts = []
    for history in histories:
        for event in history.events:
            parts.extend(_texts(event))
        parts.append(history.to_json())
    return "\n".join(parts)


def found(needle: str, text: str) -> bool:
    """The needle as written, or as a JSON string would carry it (quotes and backslashes escaped)."""
    return needle in text or json.dumps(needle)[1:-1] in text


async def raw_histories(address: str, wave: str) -> list[WorkflowHistory]:
    """The wave's history and its children's, fetched by a client WITHOUT any codec."""
    raw = await Client.connect(address)
    histories = []
    async for execution in raw.list_workflows(f"{search.WAVE.name} = '{wave}'"):
        histories.append(await raw.get_workflow_handle(execution.id, run_id=execution.run_id).fetch_history())
    assert any(h.workflow_id == search.wave_workflow_id(wave) for h in histories)
    return histories


async def visible(address: str, wave: str, count: int, timeout_s: float = 30.0) -> None:
    """Visibility is eventually consistent: wait until all the wave's workflows are listed."""
    raw = await Client.connect(address)
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        listed = [e async for e in raw.list_workflows(f"{search.WAVE.name} = '{wave}'")]
        if len(listed) >= count or asyncio.get_running_loop().time() > deadline:
            return
        await asyncio.sleep(0.3)


def distinctive_lines(path: Path) -> list[str]:
    """Lines of a DAG file worth searching for: code, not blank lines or bare brackets."""
    return [ln.strip() for ln in path.read_text().splitlines()
            if len(ln.strip()) >= 20 and not ln.strip().startswith("#")]


def temporal_show(address: str, workflow_id: str, codec_endpoint: str = "") -> str:
    """``temporal workflow show -o json``, through a codec server when given (as the UI would)."""
    argv = [str(temporal_binary()), "workflow", "show", "-w", workflow_id, "--address", address, "-o", "json"]
    if codec_endpoint:
        argv += ["--codec-endpoint", codec_endpoint, "--codec-auth", f"Bearer {CODEC_TOKEN}"]
    done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def shown_payloads(history_json: str) -> str:
    """The payload data (base64 in the CLI's JSON) of a ``temporal workflow show -o json``, decoded."""
    texts = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("data"), str) and "metadata" in node:
                texts.append(base64.b64decode(node["data"]).decode("utf-8", errors="replace"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(history_json))
    assert texts, "the history has payloads"
    return "\n".join(texts)


@contextmanager
def codec_server_url(monkeypatch, key: str) -> Iterator[str]:
    monkeypatch.setenv(KEY_ENV, key)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    server = serve("127.0.0.1", 0, "", token=CODEC_TOKEN)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------ running a wave


def write_wave(tmp_path: Path, files: dict[str, str], copies: list[str]) -> Path:
    source = tmp_path / "src"
    source.mkdir()
    for name in copies:
        shutil.copy(REPO / "examples" / "airflow1" / name, source / name)
    for name, text in files.items():
        (source / name).write_text(text)
    spec = tmp_path / "wave.yaml"
    spec.write_text(
        f"wave: sec-{uuid.uuid4().hex[:8]}\n"
        f"source_dir: {source}\n"
        f"out_dir: {tmp_path / 'out'}\n"
        f"dags: {[*copies, *files]}\n"
        "source: composer1-test\n"
        "target: composer2-test\n"
        "approvers:\n  promote: [lead@example.com]\n  cutover: [ops@example.com]\n"
        "gates:\n  cutover: wave\n"
        "verify: {poll: 0.2s, timeout: 60s}\n"
        "concurrency: 4\n")
    return spec


async def run_wave(address: str, spec: Path, environ: dict[str, str], script) -> tuple[WaveResult, Client]:
    """Start the wave through the CLI's client functions, the worker connected with the same settings."""
    config = StackConfig(project=PROJECT)
    settings = dataclasses.replace(wave_client.ConnectionSettings.from_env(config, environ=environ),
                                   address=address, task_queue=f"q-{uuid.uuid4().hex[:8]}")
    client = await wave_client.connect(settings)
    timeline = Timeline()
    adapters = DoubleAdapters(config, TargetDouble(timeline), SourceDouble(timeline))
    inp = load_spec(spec)
    async with build_worker(client, config, task_queue=settings.task_queue, adapters=adapters):
        handle = await wave_client.start_wave(client, inp, task_queue=settings.task_queue)
        await script(client, handle)
        result = await asyncio.wait_for(handle.result(), 240)
    return result, client


async def approve_both_gates(client, handle, comments: dict[str, str]) -> None:
    await wait_for(client, handle.id, gate_open("promote"))
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update("approve_checked", Approval("promote", "mallory@example.com", comments["refused"]))
    await handle.execute_update("approve_checked", Approval("promote", "lead@example.com", comments["promote"]))
    await wait_for(client, handle.id, gate_open("cutover"))
    await handle.signal("approve", Approval("cutover", "ops@example.com", comments["cutover"]))


# ------------------------------------------------------------------ the tests


def test_with_a_key_history_shows_only_ciphertext_and_dag_code_stays_in_the_runtime(temporal_server, routing,
                                                                                    tmp_path, monkeypatch):
    runtime_python = require_runtime_python()
    spec = write_wave(tmp_path, {"where_dags_run.py": WHERE_DAGS_RUN},
                      ["partner_file_exports.py", "reporting_refresh.py"])
    comments = {"refused": "mallory insists: CHG-77120 is urgent", "promote": "tests green, ticket CHG-48213",
                "cutover": "go for cutover, pager rota confirmed CHG-48214"}
    key = new_key()
    modules_before = set(sys.modules)

    async def scenario():
        result, _client = await run_wave(temporal_server.address, spec, {KEY_ENV: key},
                                        lambda c, h: approve_both_gates(c, h, comments))
        wave = result.status.wave
        await visible(temporal_server.address, wave, 1 + len(result.status.dags))
        histories = await raw_histories(temporal_server.address, wave)
        # (3) another key, or none: a clear error naming the key id, not garbage or a bare encoding error
        errors = []
        for environ in ({KEY_ENV: new_key()}, {}):
            settings = dataclasses.replace(wave_client.ConnectionSettings.from_env(StackConfig(), environ=environ),
                                           address=temporal_server.address)
            other = await wave_client.connect(settings)
            with pytest.raises(PayloadKeyError) as caught:
                await wave_client.wave_status(other, wave)
            errors.append(str(caught.value))
        return result, histories, errors

    result, histories, errors = asyncio.run(scenario())
    states = {d.dag_id: d.state for d in result.status.dags}
    assert states == {"partner_file_exports": "done", "reporting_refresh": "done", "where_dags_run": "done"}
    assert len(histories) == 4, "the wave and one cutover per DAG"

    # (1) no payload in plaintext: every one is encrypted, except the search attributes (by design)
    payloads = [(p, sa) for h in histories for e in h.events for p, sa in _payloads(e)]
    assert payloads, "the histories have payloads"
    plain = [p for p, in_search_attributes in payloads
             if not in_search_attributes and p.metadata.get("encoding") != ENCODING]
    assert plain == []
    in_payloads = "\n".join(_text(p.SerializeToString()) for p, sa in payloads if not sa)
    for dag_id in states:
        assert dag_id not in in_payloads
    text = haystack(histories)
    for name in ("partner_file_exports.py", "reporting_refresh.py", "where_dags_run.py"):
        for line in distinctive_lines(Path(load_spec(spec).source_dir) / name):
            assert not found(line, text), f"source line of {name} in history: {line}"
    for comment in comments.values():
        assert not found(comment, text), f"approver comment in history: {comment}"
    assert "mallory@example.com" not in text, "the refused approver's failure message is encrypted too"

    # the audit log (decoded with the key) has every attempt, the refused one too
    audit = {(a.action, a.gate, a.actor, a.accepted): a.detail for a in result.status.audit}
    assert "may not" in audit[("approve", "promote", "mallory@example.com", False)]
    assert audit[("approve", "cutover", "ops@example.com", True)] == comments["cutover"]

    wrong_key, no_key = errors
    assert "not among the configured keys" in wrong_key and "k-" in wrong_key
    assert "no payload key is configured" in no_key and KEY_ENV in no_key
    # the CLI says the same in one line (exit 2), and reads the wave with the right key
    port = temporal_server.address.rsplit(":", 1)[1]
    for environ, code in (({KEY_ENV: new_key()}, 2), ({}, 2), ({KEY_ENV: key}, 0)):
        shown = CliRunner().invoke(wave_app, ["status", result.status.wave],
                                   env={"COMPOSER_MIGRATE_TEMPORAL_PORT": port, KEY_ENV: None, KEY_FILE_ENV: None,
                                        **environ})
        assert shown.exit_code == code, (shown.output, shown.exception)
        assert code == 0 or "payload" in shown.output
    # the temporal CLI (like the UI) shows the payloads only through the codec server
    workflow_id = search.wave_workflow_id(result.status.wave)
    plain_view = temporal_show(temporal_server.address, workflow_id)
    with codec_server_url(monkeypatch, key) as endpoint:
        decoded_view = temporal_show(temporal_server.address, workflow_id, endpoint)
    assert not found(comments["promote"], plain_view)
    assert not found(comments["promote"], shown_payloads(plain_view))
    assert found(comments["promote"], shown_payloads(decoded_view))

    # (4) the DAG files were imported, and only by the runtime's interpreter in other processes
    report = (Path(load_spec(spec).out_dir) / "reports" / "test.json").read_text()
    imports = [(int(m.group("pid")), m.group("python")) for m in IMPORTED_BY.finditer(report)]
    assert imports, "the test stage imported where_dags_run.py"
    assert all(pid != os.getpid() for pid, _ in imports)
    assert {python for _, python in imports} == {str(runtime_python)}
    assert "airflow" not in sys.modules
    wave_dirs = (str(Path(load_spec(spec).source_dir)), str(Path(load_spec(spec).out_dir)))
    for name in set(sys.modules) - modules_before:
        origin = getattr(sys.modules[name], "__file__", None) or ""
        assert not origin.startswith(wave_dirs), f"the worker process imported DAG code: {name} from {origin}"
        assert name.rsplit(".", 1)[-1] not in states, f"a module named like a DAG was imported: {name}"


def test_without_a_key_history_has_no_dag_source_or_connection_values(temporal_server, routing, tmp_path):
    require_runtime_python()
    files = {"warehouse_sync.py": WAREHOUSE_SYNC, "warehouse_load.py": WAREHOUSE_LOAD,
             "warehouse_typo.py": WAREHOUSE_TYPO}
    spec = write_wave(tmp_path, files, [])
    comments = {"refused": "not me", "promote": "ok", "cutover": "go"}

    async def scenario():
        result, _ = await run_wave(temporal_server.address, spec, {}, lambda c, h: approve_both_gates(c, h, comments))
        await visible(temporal_server.address, result.status.wave, 2)
        return result, await raw_histories(temporal_server.address, result.status.wave)

    result, histories = asyncio.run(scenario())
    views = {d.file: d for d in result.status.dags}
    assert views["warehouse_sync.py"].state == "done"
    assert views["warehouse_load.py"].state == "test-failed"
    assert views["warehouse_typo.py"].state == "convert-failed"

    # payloads are readable JSON here: the check below would see any value that went into history
    payloads = [p for h in histories for e in h.events for p, _ in _payloads(e)]
    assert any(p.metadata.get("encoding") == b"json/plain" for p in payloads)
    text = haystack(histories)
    assert found("warehouse_sync.py", text) and found("ops@example.com", text), "the search sees payloads"
    for secret in (SYNC_SECRET, LOAD_SECRET, TYPO_SECRET, "warehouse.internal"):
        assert not found(secret, text), f"a connection value is in history: {secret}"
    for name in files:
        for line in distinctive_lines(Path(load_spec(spec).source_dir) / name):
            assert not found(line, text), f"source line of {name} in history: {line}"

    # the reasons still say what is wrong, without the values
    assert "Invalid arguments" in views["warehouse_load.py"].reason and "<redacted>" in views["warehouse_load.py"].reason
    assert "invalid syntax" in views["warehouse_typo.py"].reason
    # the tools did quote the values: the full messages are in the reports on disk, not in history
    reports = Path(load_spec(spec).out_dir) / "reports"
    assert LOAD_SECRET in (reports / "test.json").read_text()
    assert TYPO_SECRET in (reports / "conversion.json").read_text()


def test_a_worker_with_another_key_runs_nothing_and_says_why(temporal_server, tmp_path):
    """The CLI started the wave with one key, the worker has another: its workflow task fails with the
    key error (in history, encrypted with the worker's key), and no activity is ever scheduled."""
    spec = write_wave(tmp_path, {"warehouse_sync.py": WAREHOUSE_SYNC}, [])
    config = StackConfig(project=PROJECT)
    queue = f"q-{uuid.uuid4().hex[:8]}"

    def settings(key: str) -> wave_client.ConnectionSettings:
        return dataclasses.replace(wave_client.ConnectionSettings.from_env(config, environ={KEY_ENV: key}),
                                   address=temporal_server.address, task_queue=queue)

    async def scenario():
        cli, worker_client = await wave_client.connect(settings(new_key())), await wave_client.connect(settings(new_key()))
        timeline = Timeline()
        adapters = DoubleAdapters(config, TargetDouble(timeline), SourceDouble(timeline))
        handle = await wave_client.start_wave(cli, load_spec(spec), task_queue=queue)
        try:
            async with build_worker(worker_client, config, task_queue=queue, adapters=adapters):
                deadline = asyncio.get_running_loop().time() + 60
                while True:
                    history = await worker_client.get_workflow_handle(handle.id).fetch_history()
                    failed = [e for e in history.events if e.HasField("workflow_task_failed_event_attributes")]
                    if failed or asyncio.get_running_loop().time() > deadline:
                        break
                    await asyncio.sleep(0.3)
        finally:
            await handle.terminate("test done")
        converter = worker_client.data_converter
        failure = failed[0].workflow_task_failed_event_attributes.failure
        raw_message = failure.message
        await converter.payload_codec.decode_failure(failure)
        error = converter.failure_converter.from_failure(failure, converter.payload_converter)
        return history, raw_message, str(error)

    history, raw_message, message = asyncio.run(scenario())
    assert "not among the configured keys" in message and "k-" in message
    assert "not among" not in raw_message, "the failure message in history is encrypted as well"
    assert not any(e.HasField("activity_task_scheduled_event_attributes") for e in history.events)
