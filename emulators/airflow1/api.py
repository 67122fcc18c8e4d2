"""The HTTP side: Airflow 1.10.15's experimental REST API (``/api/experimental``) over ``EmulatorState``.

Paths, methods, bodies and status codes follow 1.10.15's ``airflow/www/api/experimental/endpoints.py``
and the helpers it calls:

- ``GET /test`` -> ``{"status": "OK"}``; ``GET /info`` -> ``{"version": ...}``
- ``GET /dags/<id>/paused/<true|false>`` sets (anything but ``true`` unpauses) -> ``{"response": "ok"}``;
  ``GET /dags/<id>/paused`` -> ``{"is_paused": bool}``. Both call ``DagModel.get_dagmodel(id)`` without a
  check, so an unknown DAG is an ``AttributeError`` on None: HTTP 500 with the web server's HTML error page.
- ``POST /dags/<id>/dag_runs`` ``{"run_id", "conf", "execution_date", "replace_microseconds"}`` ->
  ``{"message": "Created <DagRun ...>", "execution_date", "run_id"}``; unknown DAG 404
  ``{"error": "Dag id X not found in DagModel"}``; an existing run_id 400
  ``{"error": "Run id R already exists for dag id X"}`` (DagRunAlreadyExists is an AirflowBadRequest);
  an unparsable execution_date 400; an execution_date already used by another run 500 (the table's unique
  constraint, an IntegrityError).
- ``GET /dags/<id>/dag_runs[?state=]`` -> a JSON list, oldest first, of ``{"id", "run_id", "state",
  "dag_id", "execution_date", "start_date", "dag_run_url"}`` (no end date: 1.10 does not expose it);
  unknown DAG 400 (this endpoint maps every AirflowException to 400).
- ``GET /dags/<id>/dag_runs/<execution_date>`` -> ``{"state": ...}``; unknown DAG or run 404.
- ``GET /latest_runs`` -> ``{"items": [{"dag_id", "execution_date", "start_date", "dag_run_url"}]}``.

Composer 1 serves this behind Identity-Aware Proxy: with a bearer token configured, a request without
``Authorization: Bearer <token>`` gets IAP's 401. With basic credentials configured, Airflow's password
backend answers 401 with ``WWW-Authenticate: Basic``.

``GET /_emulator/state`` is TEST-ONLY (no Airflow has it): every trigger and pause call received, with
timestamps, plus the DAGs and runs, so end-to-end tests can prove what was (never) done.
"""

from __future__ import annotations

import base64
import hmac
import json
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote_plus, unquote, urlsplit

from emulators.airflow1.state import (
    DagNotFoundError,
    DagRunAlreadyExistsError,
    DagRunNotFoundError,
    EmulatorState,
    ExecutionDateTakenError,
    Run,
    parse_datetime,
)
from observability import get_logger

log = get_logger("emulators.airflow1")

API_PREFIX = ("api", "experimental")
TEST_STATE_PATH = "/_emulator/state"
AIRFLOW_VERSION = "1.10.15+composer"

_ERROR_PAGE = """<!DOCTYPE html>
<html><head><title>Airflow 500</title></head>
<body><h1>Ooops!</h1>
<pre>Something bad has happened.
Please consider letting us know by creating a bug report using GitHub.

Python version: 3.6.10
Airflow version: {version}
---------------------------------------------------------------------------------
Traceback (most recent call last):
{error}
</pre></body></html>
"""
_NOT_FOUND_PAGE = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<title>404 Not Found</title>
<h1>Not Found</h1>
<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
"""
_METHOD_NOT_ALLOWED_PAGE = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<title>405 Method Not Allowed</title>
<h1>Method Not Allowed</h1>
<p>The method is not allowed for the requested URL.</p>
"""


def to_boolean(value: Any) -> bool:
    """airflow.utils.strings.to_boolean."""
    return str(value).lower() in ("true", "t", "y", "yes", "1")


def dag_run_url(run: Run) -> str:
    """What ``url_for('Airflow.graph', dag_id=..., execution_date=...)`` gives on the RBAC UI."""
    return f"/graph?dag_id={quote_plus(run.dag_id)}&execution_date={quote_plus(str(run.execution_date))}"


def _run_repr(run: Run) -> str:
    return (
        f"<DagRun {run.dag_id} @ {run.execution_date}: {run.run_id}, externally triggered: "
        f"{run.external_trigger}>"
    )


class Auth:
    """What the emulated front door requires: nothing, a bearer token (IAP), or basic credentials."""

    def __init__(self, bearer_token: str | None = None, basic: tuple[str, str] | None = None) -> None:
        if bearer_token is not None and basic is not None:
            raise ValueError("configure either a bearer token (IAP) or basic credentials, not both")
        self.bearer_token = bearer_token
        self.basic = basic

    def refusal(self, authorization: str | None) -> tuple[int, str, dict[str, str]] | None:
        """None when the request may pass, else (status, text body, headers)."""
        if self.bearer_token is not None:
            scheme, _, token = (authorization or "").partition(" ")
            if not token:
                return 401, "Invalid IAP credentials: empty token", {}
            if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), self.bearer_token):
                return 401, "Invalid IAP credentials: Unable to parse JWT", {}
            return None
        if self.basic is not None:
            scheme, _, encoded = (authorization or "").partition(" ")
            try:
                user, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                user = password = ""
            expected_user, expected_password = self.basic
            if (
                scheme.lower() != "basic"
                or not hmac.compare_digest(user, expected_user)
                or not hmac.compare_digest(password, expected_password)
            ):
                return 401, "Unauthorized", {"WWW-Authenticate": "Basic"}
        return None


def make_handler(state: EmulatorState, auth: Auth) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one emulator's state and auth."""

    class Airflow1ApiHandler(BaseHTTPRequestHandler):
        server_version = "gunicorn/19.10.0"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_PUT(self) -> None:
            self._dispatch("PUT")

        def do_DELETE(self) -> None:
            self._dispatch("DELETE")

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("airflow1_emulator_request", line=format % args)

        # ---- routing ----------------------------------------------------------------------------

        def _dispatch(self, method: str) -> None:
            parts = urlsplit(self.path)
            self._query = parse_qs(parts.query)
            body = self._read_body()
            if parts.path == TEST_STATE_PATH:
                if method != "GET":
                    return self._html(405, _METHOD_NOT_ALLOWED_PAGE)
                return self._json(200, state.snapshot())
            segments = [unquote(s) for s in parts.path.split("/")[1:]]
            if tuple(segments[:2]) != API_PREFIX:
                return self._html(404, _NOT_FOUND_PAGE)
            route = self._route(segments[2:], method)
            if route is None:
                return self._html(404, _NOT_FOUND_PAGE)
            if route == "method":
                return self._html(405, _METHOD_NOT_ALLOWED_PAGE)
            refusal = auth.refusal(self.headers.get("Authorization"))
            if refusal is not None:
                status, text, headers = refusal
                return self._send(status, text.encode("utf-8"), "text/html; charset=utf-8", headers)
            handler, args = route
            try:
                handler(*args, body=body)
            except Exception as error:  # noqa: BLE001 - Flask turns any uncaught error into its 500 page
                log.warning("airflow1_emulator_error", path=self.path, error=f"{type(error).__name__}: {error}")
                self._html(500, _ERROR_PAGE.format(version=AIRFLOW_VERSION, error=f"{type(error).__name__}: {error}"))

        def _route(self, rest: list[str], method: str):
            """(handler, args), "method" for a known path with a wrong method, or None."""
            table: list[tuple[tuple[str, ...], str, Any]] = [
                (("test",), "GET", self._test),
                (("info",), "GET", self._info),
                (("latest_runs",), "GET", self._latest_runs),
                (("dags", "*", "paused", "*"), "GET", self._set_paused),
                (("dags", "*", "paused"), "GET", self._is_paused),
                (("dags", "*", "dag_runs"), "POST", self._trigger),
                (("dags", "*", "dag_runs"), "GET", self._dag_runs),
                (("dags", "*", "dag_runs", "*"), "GET", self._dag_run_state),
            ]
            path_matched = False
            for pattern, allowed, handler in table:
                if len(pattern) != len(rest):
                    continue
                if not all(p == "*" and r != "" or p == r for p, r in zip(pattern, rest, strict=True)):
                    continue
                path_matched = True
                if method == allowed:
                    return handler, [r for p, r in zip(pattern, rest, strict=True) if p == "*"]
            return "method" if path_matched else None

        # ---- endpoints --------------------------------------------------------------------------

        def _test(self, *, body: bytes) -> None:
            self._json(200, {"status": "OK"})

        def _info(self, *, body: bytes) -> None:
            self._json(200, {"version": AIRFLOW_VERSION})

        def _set_paused(self, dag_id: str, paused: str, *, body: bytes) -> None:
            try:
                state.set_paused(dag_id, paused == "true")
            except DagNotFoundError:
                raise AttributeError("'NoneType' object has no attribute 'set_is_paused'") from None
            self._json(200, {"response": "ok"})

        def _is_paused(self, dag_id: str, *, body: bytes) -> None:
            try:
                is_paused = state.is_paused(dag_id)
            except DagNotFoundError:
                raise AttributeError("'NoneType' object has no attribute 'is_paused'") from None
            self._json(200, {"is_paused": is_paused})

        def _trigger(self, dag_id: str, *, body: bytes) -> None:
            try:
                data = json.loads(body or b"null")  # request.get_json(force=True)
            except ValueError:
                state.log_rejected_trigger(dag_id, None, None)
                return self._json(400, {"error": "Failed to decode JSON object"})
            if not isinstance(data, dict):
                state.log_rejected_trigger(dag_id, None, None)
                raise TypeError(f"argument of type '{type(data).__name__}' is not iterable")
            run_id = data.get("run_id")
            conf = data.get("conf")
            if isinstance(conf, str):
                try:
                    conf = json.loads(conf)  # 1.10 json.loads a string conf
                except ValueError as error:
                    state.log_rejected_trigger(dag_id, run_id, None)
                    raise ValueError(f"conf is not JSON: {error}") from None
            if conf is not None and not isinstance(conf, dict):
                state.log_rejected_trigger(dag_id, run_id, None)
                raise TypeError(f"the JSON object must be str, bytes or bytearray, not {type(conf).__name__}")
            execution_date = None
            raw_date = data.get("execution_date")
            if raw_date is not None:
                try:
                    execution_date = parse_datetime(raw_date)
                except ValueError:
                    state.log_rejected_trigger(dag_id, run_id, str(raw_date))
                    return self._json(400, {
                        "error": f"Given execution date, {raw_date}, could not be identified as a date. "
                        "Example date format: 2015-11-16T14:34:15+00:00"
                    })
            replace_microseconds = execution_date is None
            if "replace_microseconds" in data:
                replace_microseconds = to_boolean(data["replace_microseconds"])
            try:
                run = state.trigger(dag_id, run_id, conf or None, execution_date, replace_microseconds)
            except DagNotFoundError as error:
                return self._json(404, {"error": str(error)})
            except DagRunAlreadyExistsError as error:
                return self._json(400, {"error": str(error)})
            except ExecutionDateTakenError as error:
                raise RuntimeError(str(error)) from None
            log.info("airflow1_emulator_triggered", dag_id=dag_id, run_id=run.run_id)
            self._json(200, {
                "message": f"Created {_run_repr(run)}",
                "execution_date": run.execution_date.isoformat(),
                "run_id": run.run_id,
            })

        def _dag_runs(self, dag_id: str, *, body: bytes) -> None:
            wanted = (self._query.get("state") or [None])[0]
            try:
                runs = state.runs(dag_id, wanted.lower() if wanted else None)
            except DagNotFoundError as error:
                return self._json(400, {"error": str(error)})
            self._json(200, [
                {
                    "id": run.id,
                    "run_id": run.run_id,
                    "state": run.state,
                    "dag_id": run.dag_id,
                    "execution_date": run.execution_date.isoformat(),
                    "start_date": run.start_date.isoformat() if run.start_date else "",
                    "dag_run_url": dag_run_url(run),
                }
                for run in runs
            ])

        def _dag_run_state(self, dag_id: str, raw_date: str, *, body: bytes) -> None:
            try:
                execution_date = parse_datetime(raw_date)
            except ValueError:
                return self._json(400, {
                    "error": f"Given execution date, {raw_date}, could not be identified as a date. "
                    "Example date format: 2015-11-16T14:34:15+00:00"
                })
            try:
                run = state.run_at(dag_id, execution_date)
            except (DagNotFoundError, DagRunNotFoundError) as error:
                return self._json(404, {"error": str(error)})
            self._json(200, {"state": run.state})

        def _latest_runs(self, *, body: bytes) -> None:
            self._json(200, {"items": [
                {
                    "dag_id": run.dag_id,
                    "execution_date": run.execution_date.isoformat(),
                    "start_date": run.start_date.isoformat() if run.start_date else "",
                    "dag_run_url": dag_run_url(run),
                }
                for run in state.latest_runs()
            ]})

        # ---- plumbing ---------------------------------------------------------------------------

        def _read_body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def _json(self, status: int, payload: Any) -> None:
            # Flask 1.x jsonify outside debug mode: compact, sorted keys, a trailing newline
            data = (json.dumps(payload, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
            self._send(status, data, "application/json")

        def _html(self, status: int, page: str) -> None:
            self._send(status, page.encode("utf-8"), "text/html; charset=utf-8")

        def _send(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status, HTTPStatus(status).phrase)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Airflow1ApiHandler
