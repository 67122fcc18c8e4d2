"""The codec server over real HTTP: what the Temporal UI sends (``POST /decode`` with Payloads JSON)."""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.error
import urllib.request

import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from security.codec import KEY_ENV, KEY_FILE_ENV, Keyring, data_converter, new_key
from security.codec_server import serve

ORIGIN = "http://127.0.0.1:8233"
SECRET = "postgresql://etl:Codec-Server-S3cret@db.internal/warehouse"


@pytest.fixture
def server(monkeypatch):
    key = new_key()
    monkeypatch.setenv(KEY_ENV, key)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    running = serve("127.0.0.1", 0, ORIGIN, token="t0ken")
    yield f"http://127.0.0.1:{running.server_address[1]}", key
    running.shutdown()
    running.server_close()


def post(url: str, body: dict | bytes, token: str | None = "t0ken", method: str = "POST"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "X-Namespace": "default"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data if method == "POST" else None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def plain_payload(value) -> dict:
    return {"metadata": {"encoding": base64.b64encode(b"json/plain").decode()},
            "data": base64.b64encode(json.dumps(value).encode()).decode()}


def test_encode_then_decode_round_trip_with_cors(server):
    url, _ = server
    status, headers, body = post(f"{url}/encode", {"payloads": [plain_payload({"conn": SECRET})]})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == ORIGIN
    encrypted = json.loads(body)
    assert SECRET not in body.decode() and SECRET not in base64.b64decode(encrypted["payloads"][0]["data"]).decode(
        errors="replace")
    status, _, body = post(f"{url}/decode", encrypted)
    (decoded,) = json.loads(body)["payloads"]
    assert json.loads(base64.b64decode(decoded["data"])) == {"conn": SECRET}


def encrypted_json(key: str, values: list) -> bytes:
    """Payloads as the worker writes them with ``key``, in the JSON the Temporal UI posts."""
    written = asyncio.run(data_converter(Keyring.parse(key, "test")).encode(values))
    return json_format.MessageToJson(Payloads(payloads=written)).encode()


def test_decodes_what_the_worker_wrote(server):
    url, key = server
    status, _, answer = post(f"{url}/decode", encrypted_json(key, [SECRET]))
    assert status == 200
    assert json.loads(base64.b64decode(json.loads(answer)["payloads"][0]["data"])) == SECRET


def test_refusals(server):
    url, _ = server
    assert post(f"{url}/decode", {"payloads": []}, token=None)[0] == 401
    assert post(f"{url}/decode", {"payloads": []}, token="wrong")[0] == 401
    assert post(f"{url}/nope", {"payloads": []})[0] == 404
    assert post(f"{url}/decode", b"not json")[0] == 400
    status, _, body = post(f"{url}/decode", encrypted_json(new_key(), ["x"]))
    assert status == 422 and "not among the configured keys" in json.loads(body)["error"]
    status, headers, _ = post(f"{url}/decode", b"", token=None, method="OPTIONS")
    assert status == 204 and "Authorization" in headers["Access-Control-Allow-Headers"]


def test_refuses_to_start_without_a_key(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    with pytest.raises(ValueError, match="no payload key configured"):
        serve("127.0.0.1", 0, ORIGIN)
