"""A codec server: lets the Temporal UI (and ``temporal workflow show --codec-endpoint``) show encrypted
payloads decrypted, in the browser of a person who may read them, while the server stores only ciphertext.

    python -m security.codec_server [--host 127.0.0.1] [--port 8234] [--origin http://127.0.0.1:8233]

It speaks Temporal's codec server protocol: ``POST /decode`` and ``POST /encode`` with a JSON body
``{"payloads": [...]}`` (the proto3 JSON of ``temporal.api.common.v1.Payloads``) and the same shape back.
Keys come from ``COMPOSER_MIGRATE_PAYLOAD_KEY`` / ``_KEY_FILE`` as for the CLI and the worker.

Whoever can reach it can decrypt any payload of the wave workflows, so it listens on loopback by default
and answers CORS requests from one origin (the Temporal UI's). To share it, put it behind your own
authenticating proxy; with ``--token`` (or ``COMPOSER_MIGRATE_CODEC_SERVER_TOKEN``) it also requires
``Authorization: Bearer <token>`` (the UI sends the user's access token when "Pass access token" is on).
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import sys
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from security.codec import EncryptionCodec, PayloadKeyError, keyring_from_env
from stack.config import ENV_PREFIX, StackConfig

TOKEN_ENV = ENV_PREFIX + "CODEC_SERVER_TOKEN"
DEFAULT_PORT = 8234
MAX_BODY_BYTES = 64 * 1024 * 1024


def transcode(codec: EncryptionCodec, operation: str, body: bytes) -> bytes:
    """The JSON answer to ``POST /<operation>`` (encode | decode). Pure apart from the codec's randomness.

    Raises ValueError for a malformed body and PayloadKeyError for a payload no configured key opens.
    """
    try:
        payloads = json_format.Parse(body or b"{}", Payloads())
    except json_format.ParseError as error:
        raise ValueError(f"the body is not a Payloads JSON object: {error}") from None
    convert = codec.encode_one if operation == "encode" else codec.decode_one
    out = Payloads(payloads=[convert(p) for p in payloads.payloads])
    return json_format.MessageToJson(out, indent=None).encode()


def make_handler(codec: EncryptionCodec, origin: str, token: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "composer-migrate-codec"

        def _cors(self) -> None:
            if origin:
                self.send_header("Access-Control-Allow-Origin", origin)
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
                self.send_header("Access-Control-Allow-Credentials", "true")
                self.send_header("Vary", "Origin")

        def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self._cors()
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _error(self, status: int, message: str) -> None:
            self._answer(status, json.dumps({"error": message}).encode())

        def do_OPTIONS(self) -> None:
            self._answer(204, b"", "text/plain")

        def do_POST(self) -> None:
            operation = self.path.rstrip("/").rsplit("/", 1)[-1]
            if operation not in ("encode", "decode"):
                return self._error(404, f"no such endpoint {self.path}: POST /encode or /decode")
            if token and not hmac.compare_digest(self.headers.get("Authorization", ""), f"Bearer {token}"):
                return self._error(401, "missing or wrong bearer token")
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                return self._error(413, f"body over {MAX_BODY_BYTES} bytes")
            try:
                self._answer(200, transcode(codec, operation, self.rfile.read(length)))
            except ValueError as error:
                self._error(400, str(error))
            except PayloadKeyError as error:
                self._error(422, str(error))

        def log_message(self, format: str, *args) -> None:
            return

    return Handler


def serve(host: str, port: int, origin: str, token: str = "") -> ThreadingHTTPServer:
    """The server, bound and serving in a daemon thread (``server_address`` has the real port)."""
    keyring = keyring_from_env()
    if keyring is None:
        raise ValueError("no payload key configured: set COMPOSER_MIGRATE_PAYLOAD_KEY or _PAYLOAD_KEY_FILE")
    server = ThreadingHTTPServer((host, port), make_handler(EncryptionCodec(keyring), origin, token))
    threading.Thread(target=server.serve_forever, name="codec-server", daemon=True).start()
    return server


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m security.codec_server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default loopback only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free)")
    parser.add_argument("--origin", default=StackConfig.from_env().temporal_ui_url,
                        help="the Temporal UI's origin allowed by CORS (default: the local stack's UI)")
    parser.add_argument("--token", default=os.environ.get(TOKEN_ENV, ""),
                        help=f"require this bearer token (default ${TOKEN_ENV}; none: no check)")
    args = parser.parse_args(argv)
    try:
        server = serve(args.host, args.port, args.origin.rstrip("/"), args.token)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    host, port = server.server_address[:2]
    print(f"codec server on http://{host}:{port} (CORS origin {args.origin}); "
          f"set it as the Codec Server endpoint in the Temporal UI", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
