"""TEST-ONLY: an HTTP proxy that passes the real protocol through to an upstream server (the GCS emulator)
and makes chosen requests fail, because ``gcp-storage-emulator`` cannot inject faults itself.

Point the client at the proxy (``STORAGE_EMULATOR_HOST=handle.url``) and arm faults in-process through
``handle.faults``; unarmed, every request is forwarded unchanged (method, path, query, headers, body) and
the upstream's answer comes back unchanged. Two kinds of failure, as a real HTTP service fails:

- *refused*: the request never reaches the upstream; the client gets ``status`` (503 by default) with a
  JSON error body in the Google API error format;
- *answer lost* (``after_forward=True``): the request reaches the upstream and takes effect, then the
  proxy closes the connection without answering: the client sees a dropped connection and retries.

Every request is logged (method, path, outcome) so a test can count what reached the upstream.
Not for production, not reachable for configuration over the network, and product code never knows
it is there.

    proxy = start_fault_proxy(gcs.url)
    proxy.faults.fail_next(3, 503, method="POST", path_prefix="/upload/")
"""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from emulators.http_serving import ServingHandle
from observability import get_logger

log = get_logger("emulators.faultproxy")

# Headers that belong to one connection, not to the request or response (RFC 9110 7.6.1).
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "proxy-connection"})
UPSTREAM_TIMEOUT_S = 60.0


@dataclass
class _Armed:
    remaining: int
    status: int
    method: str | None
    path_prefix: str | None
    after_forward: bool


@dataclass(frozen=True)
class RequestRecord:
    """One request through the proxy and what happened to it."""

    method: str
    path: str  # path and query, as the client sent them
    outcome: str  # "forwarded <status>" | "refused <status>" | "answer lost" | "upstream failed"

    @property
    def reached_upstream(self) -> bool:
        return self.outcome.startswith("forwarded") or self.outcome == "answer lost"


class HttpFaults:
    """Armed failures, matched by method and path prefix; thread-safe; unarmed it only logs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []
        self._log: list[RequestRecord] = []

    def fail_next(self, count: int = 1, status: int = 503, *, method: str | None = None,
                  path_prefix: str | None = None, after_forward: bool = False) -> None:
        """Fail the next ``count`` requests matching ``method`` and ``path_prefix`` (None: any)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        if not after_forward and not 400 <= status <= 599:
            raise ValueError(f"a refused request needs an HTTP error status (4xx/5xx); got {status}")
        with self._lock:
            self._armed.append(_Armed(count, status, method.upper() if method else None, path_prefix, after_forward))

    def pending(self) -> int:
        with self._lock:
            return sum(a.remaining for a in self._armed)

    def requests(self, method: str | None = None, path_prefix: str | None = None) -> list[RequestRecord]:
        """The requests seen so far (matching ``method`` and ``path_prefix``), in order."""
        with self._lock:
            return [r for r in self._log if (method is None or r.method == method.upper())
                    and (path_prefix is None or r.path.startswith(path_prefix))]

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def _take(self, method: str, path: str) -> _Armed | None:
        with self._lock:
            for armed in self._armed:
                if ((armed.method is None or armed.method == method)
                        and (armed.path_prefix is None or path.startswith(armed.path_prefix))):
                    armed.remaining -= 1
                    if not armed.remaining:
                        self._armed.remove(armed)
                    return armed
            return None

    def _record(self, method: str, path: str, outcome: str) -> None:
        with self._lock:
            self._log.append(RequestRecord(method, path, outcome))


def _error_body(status: int) -> bytes:
    reason = http.client.responses.get(status, "Error")
    return json.dumps({"error": {"code": status, "message": f"injected fault: {reason}",
                                 "errors": [{"reason": "backendError", "message": "injected fault"}]}}).encode()


def _make_handler(upstream: urllib.parse.SplitResult, faults: HttpFaults) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as clients expect

        def do_GET(self) -> None:
            self._proxy()

        def do_POST(self) -> None:
            self._proxy()

        def do_PUT(self) -> None:
            self._proxy()

        def do_PATCH(self) -> None:
            self._proxy()

        def do_DELETE(self) -> None:
            self._proxy()

        def do_HEAD(self) -> None:
            self._proxy()

        def log_message(self, format: str, *args: object) -> None:
            pass  # the request log is faults.requests(); structlog for problems only

        def _read_body(self) -> bytes:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()  # the blank line after the last chunk (no trailers expected)
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _proxy(self) -> None:
            method, path = self.command, self.path
            body = self._read_body()
            armed = faults._take(method, path)
            if armed is not None and not armed.after_forward:
                faults._record(method, path, f"refused {armed.status}")
                self._answer(armed.status, [("Content-Type", "application/json; charset=UTF-8")],
                             _error_body(armed.status))
                return
            try:
                status, headers, data = self._forward(method, path, body)
            except OSError as error:
                faults._record(method, path, "upstream failed")
                log.warning("fault_proxy_upstream_failed", upstream=upstream.geturl(), method=method, path=path,
                            error=str(error))
                self._answer(502, [("Content-Type", "application/json; charset=UTF-8")], _error_body(502))
                return
            if armed is not None:
                faults._record(method, path, "answer lost")
                self.close_connection = True  # the request took effect; the client never hears of it
                return
            faults._record(method, path, f"forwarded {status}")
            self._answer(status, headers, data)

        def _forward(self, method: str, path: str, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=UPSTREAM_TIMEOUT_S)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host",
                                                                                                   "content-length"}}
                headers["Host"] = upstream.netloc
                headers["Content-Length"] = str(len(body))
                connection.request(method, path, body=body if body or method not in ("GET", "HEAD") else None,
                                   headers=headers)
                response = connection.getresponse()
                data = response.read()
                kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}]
                return response.status, kept, data
            finally:
                connection.close()

        def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return Handler


class FaultProxyHandle(ServingHandle):
    """A running proxy: ``url`` (give it to the client instead of the upstream's), ``faults``, ``stop()``."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str, port: int, upstream: str,
                 faults: HttpFaults) -> None:
        super().__init__(handler, host, port, "fault-proxy")
        self.upstream = upstream
        self.faults = faults


def start_fault_proxy(upstream: str, port: int = 0, host: str = "127.0.0.1") -> FaultProxyHandle:
    """Proxy ``host:port`` (0 = a free port) to ``upstream`` (``http://host:port``), in a daemon thread."""
    parts = urllib.parse.urlsplit(upstream)
    if parts.scheme != "http" or not parts.hostname or not parts.port:
        raise ValueError(f"the upstream must be http://HOST:PORT; got {upstream!r}")
    faults = HttpFaults()
    handle = FaultProxyHandle(_make_handler(parts, faults), host, port, upstream, faults)
    log.info("fault_proxy_started", url=handle.url, upstream=upstream)
    return handle
