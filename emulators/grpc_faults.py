"""TEST-ONLY fault injection for the in-repo gRPC emulators (Composer API, Pub/Sub): the next N calls of
a method fail with a gRPC status, the way a real Google API is allowed to fail.

A ``GrpcFaults`` is installed as a server interceptor when the emulator starts and does nothing until a
test arms it, in-process, through the emulator's handle (``handle.faults``); it is not reachable over
the network, and product code never knows it exists. The emulator's services stay unaware of it too:
the interceptor wraps their unary handlers.

Two kinds of failure, both seen by the real client libraries exactly as a real outage:

- *before the call* (default): the request is refused with ``code`` (UNAVAILABLE, DEADLINE_EXCEEDED,
  NOT_FOUND...), optionally after ``delay_s`` (a slow answer);
- *after the call* (``after_call=True``): the request takes effect (a message is stored), then the answer
  is replaced by ``code``: the client cannot tell it apart from a lost response and retries, which is how
  at-least-once duplicates happen.

Every call is logged (method, outcome), so a test can assert how often a client tried.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc

SERVED = "served"


@dataclass
class _Armed:
    method: str
    remaining: int
    code: grpc.StatusCode
    message: str
    when: Callable[[Any], bool] | None
    after_call: bool
    delay_s: float


@dataclass(frozen=True)
class CallRecord:
    """One call seen by the interceptor: the full method name, what it was about, what happened."""

    method: str
    subject: str  # the resource named by the request (a topic, an environment), "" when none
    outcome: str  # "served" (no fault: the service answered) | "<CODE>" (refused) | "<CODE> after the call"


def request_subject(request: Any) -> str:
    """The resource a request is about: its ``topic``, ``name``, ``subscription`` or ``parent`` field."""
    for field in ("topic", "name", "subscription", "parent"):
        value = getattr(request, field, None)
        if isinstance(value, str) and value:
            return value
    return ""


def _matches(method: str, full_name: str) -> bool:
    """``Publish`` matches ``/google.pubsub.v1.Publisher/Publish``; a full name matches itself."""
    return full_name == method or full_name.endswith("/" + method)


class GrpcFaults:
    """Armed failures per method; thread-safe; unarmed it only logs calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []
        self._log: list[CallRecord] = []
        self.interceptor: grpc.ServerInterceptor = _Interceptor(self)

    def fail_next(self, method: str, count: int = 1, code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE, *,
                  when: Callable[[Any], bool] | None = None, after_call: bool = False, delay_s: float = 0.0,
                  message: str = "") -> None:
        """Fail the next ``count`` calls of ``method`` (short or full name) whose request satisfies ``when``."""
        if count < 1:
            raise ValueError("count must be at least 1")
        if code == grpc.StatusCode.OK:
            raise ValueError("a fault needs an error status, not OK")
        text = message or f"injected fault: {code.name}"
        with self._lock:
            self._armed.append(_Armed(method, count, code, text, when, after_call, delay_s))

    def pending(self, method: str | None = None) -> int:
        """How many armed failures (of ``method``, or of all methods) have not fired yet."""
        with self._lock:
            return sum(a.remaining for a in self._armed if method is None or a.method == method)

    def calls(self, method: str | None = None, subject: str | None = None) -> list[CallRecord]:
        """The calls seen so far (of ``method``, short or full name; about ``subject``), in order."""
        with self._lock:
            return [c for c in self._log if (method is None or _matches(method, c.method))
                    and (subject is None or c.subject == subject)]

    def clear(self) -> None:
        """Disarm everything (the call log stays)."""
        with self._lock:
            self._armed.clear()

    def _take(self, full_name: str, request: Any) -> _Armed | None:
        with self._lock:
            for armed in self._armed:
                if armed.remaining and _matches(armed.method, full_name) and (armed.when is None or armed.when(request)):
                    armed.remaining -= 1
                    if not armed.remaining:
                        self._armed.remove(armed)
                    return armed
            return None

    def _record(self, full_name: str, request: Any, outcome: str) -> None:
        with self._lock:
            self._log.append(CallRecord(full_name, request_subject(request), outcome))

    def _wrap(self, full_name: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        real = handler.unary_unary

        def behaviour(request: Any, context: grpc.ServicerContext) -> Any:
            armed = self._take(full_name, request)
            if armed is None:
                self._record(full_name, request, SERVED)
                return real(request, context)
            if armed.delay_s:
                time.sleep(armed.delay_s)
            if armed.after_call:
                real(request, context)
                self._record(full_name, request, f"{armed.code.name} after the call")
            else:
                self._record(full_name, request, armed.code.name)
            context.abort(armed.code, armed.message)

        return grpc.unary_unary_rpc_method_handler(
            behaviour, request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer)


class _Interceptor(grpc.ServerInterceptor):
    """Wraps every unary-unary handler with the fault check; streaming methods pass through untouched."""

    def __init__(self, faults: GrpcFaults) -> None:
        self._faults = faults

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        return self._faults._wrap(handler_call_details.method, handler)
