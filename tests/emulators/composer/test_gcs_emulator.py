"""The GCS emulator wrapper: the real google-cloud-storage 3.x client reaches it via STORAGE_EMULATOR_HOST."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from emulators.gcs import start_gcs_emulator
from tests.net import free_port

REPO = Path(__file__).resolve().parents[3]


def test_the_client_reaches_it_through_storage_emulator_host(gcs_emulator):
    assert os.environ["STORAGE_EMULATOR_HOST"] == gcs_emulator.url
    assert gcs_emulator.url.startswith("http://127.0.0.1:")
    gcs_emulator.create_bucket("some-bucket")
    client = storage.Client(project="test-project")  # anonymous by itself on the emulator
    client.bucket("some-bucket").blob("dags/a.py").upload_from_string(b"print('a')\n")
    blob = client.bucket("some-bucket").get_blob("dags/a.py")
    assert blob.md5_hash and blob.generation
    assert blob.download_as_bytes() == b"print('a')\n"
    assert [b.name for b in client.list_blobs("some-bucket", prefix="dags/")] == ["dags/a.py"]


def test_host_and_port_without_a_scheme_is_refused_by_the_3x_client(gcs_emulator, monkeypatch):
    """Why handle.url carries 'http://': google-cloud-storage 3.x needs the scheme."""
    gcs_emulator.create_bucket("some-bucket")
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"127.0.0.1:{gcs_emulator.port}")
    client = storage.Client(project="test-project", credentials=AnonymousCredentials())
    with pytest.raises(requests.exceptions.InvalidSchema):
        client.get_bucket("some-bucket", retry=None)


def test_objects_survive_a_restart_with_a_data_dir(tmp_path, monkeypatch):
    first = start_gcs_emulator(data_dir=tmp_path / "gcs", buckets=["kept-bucket"])
    try:
        client = storage.Client(project="p", credentials=AnonymousCredentials(),
                                client_options={"api_endpoint": first.url})
        client.bucket("kept-bucket").blob("dags/x.py").upload_from_string(b"x = 1\n")
    finally:
        first.stop()
    second = start_gcs_emulator(data_dir=tmp_path / "gcs", buckets=["kept-bucket"])
    try:
        client = storage.Client(project="p", credentials=AnonymousCredentials(),
                                client_options={"api_endpoint": second.url})
        assert client.bucket("kept-bucket").blob("dags/x.py").download_as_bytes() == b"x = 1\n"
    finally:
        second.stop()
        second.stop()  # idempotent


def test_a_taken_port_is_a_clear_error():
    with start_gcs_emulator() as running, pytest.raises(OSError, match=f"127.0.0.1:{running.port}"):
        start_gcs_emulator(port=running.port)


@pytest.mark.slow
def test_cli_serves_with_buckets_until_sigterm(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "emulators.gcs", "--port", str(port), "--data-dir", str(tmp_path / "gcs"),
         "--bucket", "cli-bucket"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert process.stdout.readline().strip() == f"export STORAGE_EMULATOR_HOST=http://127.0.0.1:{port}"
        client = storage.Client(project="p", credentials=AnonymousCredentials(),
                                client_options={"api_endpoint": f"http://127.0.0.1:{port}"})
        assert client.get_bucket("cli-bucket", retry=None).name == "cli-bucket"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (tmp_path / "gcs" / ".cloudstorage" / "cli-bucket").is_dir()
