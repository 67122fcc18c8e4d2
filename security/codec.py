"""Optional encryption of workflow payloads (AES-256-GCM), so Temporal's history holds ciphertext only.

Temporal stores every workflow input, activity argument and result, signal, update, query answer,
heartbeat, memo, summary and (with the failure converter below) failure message as a *payload*. With a
key configured, the CLI and the worker both pass payloads through :class:`EncryptionCodec` before they
leave the process: the server, the Temporal UI and ``temporal workflow show`` see ``binary/encrypted``
payloads. Workflow ids, workflow/activity type names, task queues and search attributes are not
payloads and stay readable by design (they carry wave names, DAG ids, stages: no secrets; docs/security.md).

Keys (both optional; set one of them):

- ``COMPOSER_MIGRATE_PAYLOAD_KEY``: one or more keys, separated by commas or whitespace;
- ``COMPOSER_MIGRATE_PAYLOAD_KEY_FILE``: a file with one key per line (``#`` starts a comment).

A key is 32 random bytes written as base64 (standard or URL-safe) or 64 hex digits
(``python -m security.codec new-key`` prints one). The **first** key encrypts; every listed key decrypts.
Each encrypted payload names its key by id in its metadata (``encryption-key-id``: a fingerprint of the
key, never the key), so keys rotate by putting a new key first and keeping the old ones after it until
no open workflow needs them.

Without a key nothing is encrypted, but a payload that *is* encrypted fails to decode with
:class:`PayloadKeyError` naming its key id and the variables above, instead of Temporal's bare
"unknown payload encoding".
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

from stack.config import ENV_PREFIX

KEY_ENV = ENV_PREFIX + "PAYLOAD_KEY"
KEY_FILE_ENV = ENV_PREFIX + "PAYLOAD_KEY_FILE"

ENCODING = b"binary/encrypted"
CIPHER = b"AES-256-GCM"
METADATA_ENCODING = "encoding"
METADATA_KEY_ID = "encryption-key-id"
METADATA_CIPHER = "encryption-cipher"
KEY_BYTES = 32
NONCE_BYTES = 12

_SEPARATORS = re.compile(r"[\s,]+")


class PayloadKeyError(RuntimeError):
    """A payload key is missing, malformed or wrong; ``str()`` names the key id and the variables to set."""


def key_id(key: bytes) -> str:
    """A short public name of a key: a fingerprint that identifies it without revealing it."""
    return "k-" + hashlib.sha256(b"composer-migrate payload key\x00" + key).hexdigest()[:16]


def parse_key(text: str, where: str) -> bytes:
    """32 bytes from 64 hex digits or base64 (standard/URL-safe, padding optional); ValueError naming ``where``."""
    text = text.strip()
    if re.fullmatch(r"[0-9a-fA-F]{64}", text):
        return bytes.fromhex(text)
    try:
        key = base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise ValueError(f"{where}: a payload key is {KEY_BYTES} bytes as base64 or 64 hex digits "
                         "(`python -m security.codec new-key` prints one); got something else")
    return key


@dataclass(frozen=True)
class Keyring:
    """The keys of this process: ``keys[0]`` encrypts, all decrypt. ``repr`` shows key ids only."""

    keys: tuple[bytes, ...] = field(repr=False)
    source: str = ""  # where the keys came from (a variable or a file), for messages

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a keyring needs at least one key")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key_id(k) for k in self.keys)

    @property
    def encrypting_id(self) -> str:
        return key_id(self.keys[0])

    def __repr__(self) -> str:
        return f"Keyring(ids={self.ids!r}, source={self.source!r})"

    @classmethod
    def parse(cls, text: str, where: str) -> Keyring:
        lines = (line.split("#", 1)[0] for line in text.splitlines())
        tokens = [t for line in lines for t in _SEPARATORS.split(line) if t]
        if not tokens:
            raise ValueError(f"{where} holds no key")
        return cls(tuple(parse_key(t, f"{where} (key {n})") for n, t in enumerate(tokens, 1)), where)


def keyring_from_env(environ: Mapping[str, str] | None = None) -> Keyring | None:
    """The keyring the variables configure, None when neither is set; ValueError naming the variable/file."""
    env = os.environ if environ is None else environ
    inline, path = env.get(KEY_ENV, "").strip(), env.get(KEY_FILE_ENV, "").strip()
    if inline and path:
        raise ValueError(f"set {KEY_ENV} or {KEY_FILE_ENV}, not both")
    if inline:
        return Keyring.parse(inline, KEY_ENV)
    if path:
        try:
            text = Path(path).read_text()
        except (OSError, UnicodeDecodeError) as error:
            detail = getattr(error, "strerror", None) or str(error)
            raise ValueError(f"{KEY_FILE_ENV}={path}: cannot read the key file: {detail}") from None
        return Keyring.parse(text, f"{KEY_FILE_ENV}={path}")
    return None


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over each whole serialized payload (its metadata too: the type hints stay private).

    With no keyring, encode passes payloads through and decode refuses encrypted ones with a clear error.
    The key id is authenticated with the ciphertext (associated data): its metadata cannot be altered.
    """

    def __init__(self, keyring: Keyring | None) -> None:
        self._keyring = keyring
        self._ciphers = {}
        if keyring is not None:
            try:
                from cryptography.hazmat.primitives.ciphers.aead import AESGCM
            except ImportError:
                raise PayloadKeyError("payload encryption needs the `cryptography` package "
                                      "(pip install cryptography) or no payload key") from None
            self._ciphers = {key_id(k): AESGCM(k) for k in keyring.keys}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encode_one(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decode_one(p) for p in payloads]

    def encode_one(self, payload: Payload) -> Payload:
        if self._keyring is None:
            return payload
        kid = self._keyring.encrypting_id
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[kid].encrypt(nonce, payload.SerializeToString(), kid.encode())
        return Payload(metadata={METADATA_ENCODING: ENCODING, METADATA_KEY_ID: kid.encode(), METADATA_CIPHER: CIPHER},
                       data=nonce + sealed)

    def decode_one(self, payload: Payload) -> Payload:
        if payload.metadata.get(METADATA_ENCODING) != ENCODING:
            return payload  # written without a key (before encryption was turned on): readable as it is
        kid = payload.metadata.get(METADATA_KEY_ID, b"").decode(errors="replace")
        cipher_name = payload.metadata.get(METADATA_CIPHER, CIPHER)
        if cipher_name != CIPHER:
            raise PayloadKeyError(f"payload encrypted with {cipher_name.decode(errors='replace')}, "
                                  f"this version reads {CIPHER.decode()} only")
        if self._keyring is None:
            raise PayloadKeyError(f"this workflow's payloads are encrypted (key id {kid}) and no payload key is "
                                  f"configured: set {KEY_ENV} or {KEY_FILE_ENV} to the key with that id")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise PayloadKeyError(f"payload encrypted with key id {kid}, which is not among the configured keys "
                                  f"({', '.join(self._keyring.ids)} from {self._keyring.source}): add that key "
                                  "(keep old keys after the new one while workflows that used them are open)")
        from cryptography.exceptions import InvalidTag

        data = bytes(payload.data)
        try:
            plain = cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], kid.encode())
        except InvalidTag:
            raise PayloadKeyError(f"payload with key id {kid} does not decrypt with that key: "
                                  "the payload or its metadata was altered") from None
        return Payload.FromString(plain)


def data_converter(keyring: Keyring | None) -> DataConverter:
    """The data converter of every client of the product (CLI and worker must use the same keys).

    With a key, failure messages and stack traces are encrypted too (they can name approvers, paths,
    reasons); without one the default failure converter keeps them readable, as before.
    """
    base = DataConverter.default
    if keyring is None:
        return dataclasses.replace(base, payload_codec=EncryptionCodec(None))
    return dataclasses.replace(base, payload_codec=EncryptionCodec(keyring),
                               failure_converter_class=DefaultFailureConverterWithEncodedAttributes)


def new_key() -> str:
    """A fresh random key, base64 (what the variables and the key file take)."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m security.codec new-key`` | ``key-ids``: print a new key, or the ids of the configured keys."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["new-key"]:
        print(new_key())
        return 0
    if args == ["key-ids"]:
        try:
            keyring = keyring_from_env()
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        if keyring is None:
            print(f"no payload key configured ({KEY_ENV} / {KEY_FILE_ENV})", file=sys.stderr)
            return 1
        for n, kid in enumerate(keyring.ids):
            print(f"{kid}\t{'encrypts and decrypts' if n == 0 else 'decrypts'}")
        return 0
    print("usage: python -m security.codec new-key | key-ids", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
