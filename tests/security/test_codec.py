"""The payload codec on its own: round trips, key rotation, clear errors, how the settings configure it."""

from __future__ import annotations

import asyncio
import base64
import os

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError

from security.codec import (
    ENCODING,
    KEY_ENV,
    KEY_FILE_ENV,
    METADATA_KEY_ID,
    Keyring,
    PayloadKeyError,
    data_converter,
    key_id,
    keyring_from_env,
    main,
    new_key,
    parse_key,
)
from stack.config import StackConfig
from waves.client import ConnectionSettings

SECRET = "postgresql://etl:Codec-Unit-S3cret@db.internal:5432/warehouse"


def run(coro):
    return asyncio.run(coro)


def ring(*keys: str) -> Keyring:
    return Keyring.parse(",".join(keys), "test")


def test_round_trip_hides_value_and_type_and_names_the_key():
    key = new_key()
    converter = data_converter(ring(key))
    (payload,) = run(converter.encode([{"conn": SECRET}]))
    assert payload.metadata["encoding"] == ENCODING
    assert payload.metadata[METADATA_KEY_ID] == key_id(base64.b64decode(key)).encode()
    assert SECRET.encode() not in payload.SerializeToString()
    assert b"json/plain" not in payload.SerializeToString(), "the inner encoding is encrypted too"
    assert run(converter.decode([payload], [dict])) == [{"conn": SECRET}]


def test_each_payload_gets_its_own_nonce():
    converter = data_converter(ring(new_key()))
    first, second = run(converter.encode(["same", "same"]))
    assert first.data != second.data


def test_rotation_new_key_first_old_payloads_still_decode():
    old, new = new_key(), new_key()
    (written,) = run(data_converter(ring(old)).encode(["from before the rotation"]))
    rotated = data_converter(ring(new, old))
    assert run(rotated.decode([written], [str])) == ["from before the rotation"]
    (fresh,) = run(rotated.encode(["after"]))
    assert fresh.metadata[METADATA_KEY_ID] == key_id(base64.b64decode(new)).encode()


def test_unknown_key_id_is_a_clear_error():
    writer, reader = ring(new_key()), ring(new_key())
    (payload,) = run(data_converter(writer).encode(["x"]))
    with pytest.raises(PayloadKeyError) as caught:
        run(data_converter(reader).decode([payload], [str]))
    message = str(caught.value)
    assert writer.encrypting_id in message and reader.encrypting_id in message and "not among" in message


def test_no_key_configured_names_the_variables():
    (payload,) = run(data_converter(ring(new_key())).encode(["x"]))
    with pytest.raises(PayloadKeyError, match=f"no payload key is configured: set {KEY_ENV} or {KEY_FILE_ENV}"):
        run(data_converter(None).decode([payload], [str]))


def test_without_a_key_payloads_pass_through_and_plain_ones_always_decode():
    converter = data_converter(None)
    (plain,) = run(converter.encode(["readable"]))
    assert plain.metadata["encoding"] == b"json/plain"
    assert run(data_converter(ring(new_key())).decode([plain], [str])) == ["readable"]


def test_tampered_payload_is_refused():
    converter = data_converter(ring(new_key()))
    (payload,) = run(converter.encode(["x"]))
    data = bytearray(payload.data)
    data[-1] ^= 1
    tampered = Payload(metadata=dict(payload.metadata), data=bytes(data))
    with pytest.raises(PayloadKeyError, match="does not decrypt with that key"):
        run(converter.decode([tampered], [str]))


def test_failure_messages_are_encrypted_with_a_key():
    converter = data_converter(ring(new_key()))
    failure = Failure()
    converter.failure_converter.to_failure(ApplicationError(f"refused: {SECRET}"), converter.payload_converter,
                                           failure)
    run(converter.payload_codec.encode_failure(failure))
    assert SECRET not in failure.message and SECRET.encode() not in failure.SerializeToString()
    run(converter.payload_codec.decode_failure(failure))
    error = converter.failure_converter.from_failure(failure, converter.payload_converter)
    assert SECRET in str(error)


def test_parse_key_forms_and_errors():
    raw = os.urandom(32)
    assert parse_key(raw.hex(), "x") == raw
    assert parse_key(base64.b64encode(raw).decode(), "x") == raw
    assert parse_key(base64.urlsafe_b64encode(raw).decode().rstrip("="), "x") == raw
    with pytest.raises(ValueError, match="MY_VAR: a payload key is 32 bytes"):
        parse_key(base64.b64encode(os.urandom(16)).decode(), "MY_VAR")
    with pytest.raises(ValueError, match="MY_VAR"):
        parse_key("not a key!", "MY_VAR")


def test_keyring_from_env_variable_file_and_errors(tmp_path):
    first, second = new_key(), new_key()
    assert keyring_from_env({}) is None
    inline = keyring_from_env({KEY_ENV: f"{first}, {second}"})
    assert inline.ids == (key_id(base64.b64decode(first)), key_id(base64.b64decode(second)))
    key_file = tmp_path / "keys"
    key_file.write_text(f"# current key\n{second}\n\n{first}  # before the rotation\n")
    from_file = keyring_from_env({KEY_FILE_ENV: str(key_file)})
    assert from_file.ids == inline.ids[::-1]
    assert str(key_file) in from_file.source
    with pytest.raises(ValueError, match="not both"):
        keyring_from_env({KEY_ENV: first, KEY_FILE_ENV: str(key_file)})
    with pytest.raises(ValueError, match=f"{KEY_FILE_ENV}={tmp_path / 'missing'}: cannot read the key file"):
        keyring_from_env({KEY_FILE_ENV: str(tmp_path / "missing")})
    (tmp_path / "empty").write_text("# nothing yet\n")
    with pytest.raises(ValueError, match="holds no key"):
        keyring_from_env({KEY_FILE_ENV: str(tmp_path / "empty")})
    with pytest.raises(ValueError, match=rf"{KEY_ENV} \(key 2\)"):
        keyring_from_env({KEY_ENV: f"{first},short"})


def test_repr_never_shows_key_material():
    key = new_key()
    settings = ConnectionSettings.from_env(StackConfig(), environ={KEY_ENV: key})
    shown = repr(settings)
    assert settings.payload_keys is not None and settings.payload_keys.encrypting_id in shown
    assert key not in shown and base64.b64decode(key).hex() not in shown
    assert repr(base64.b64decode(key)) not in shown


def test_connection_settings_read_the_keys():
    assert ConnectionSettings.from_env(StackConfig(), environ={}).payload_keys is None
    with pytest.raises(ValueError, match=KEY_ENV):
        ConnectionSettings.from_env(StackConfig(), environ={KEY_ENV: "nope"})


def test_command_new_key_and_key_ids(capsys, monkeypatch):
    assert main(["new-key"]) == 0
    key = capsys.readouterr().out.strip()
    assert len(parse_key(key, "printed")) == 32
    monkeypatch.setenv(KEY_ENV, key)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    assert main(["key-ids"]) == 0
    assert capsys.readouterr().out.strip() == f"{key_id(base64.b64decode(key))}\tencrypts and decrypts"
    monkeypatch.delenv(KEY_ENV)
    assert main(["key-ids"]) == 1
    assert main(["bogus"]) == 2
