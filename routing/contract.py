"""The routing wire format shared with the internal scheduler team (schema 1; stdlib only).

A ``RoutingChange`` on topic ``scheduler-routing`` (ordering key = dag_id) tells the scheduler where
to trigger a DAG from now on; the scheduler answers each change with a ``RoutingAck`` on
``scheduler-routing-acks``. Both are compact JSON objects carrying ``"schema": 1``. Decoding is
strict about what schema 1 defines (types, formats, required fields, duplicate keys) and ignores
unknown fields, so additive fields keep schema 1 (see docs/routing-contract.md). The JSON Schemas in
``routing/schema/`` describe the same rules for other languages.

Construction validates too, so nothing invalid can be encoded. Timestamps are aware datetimes and go
on the wire as RFC 3339 in UTC (``2026-05-01T12:00:00Z``).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

SCHEMA_VERSION = 1
ROUTING_TOPIC = "scheduler-routing"
ACK_TOPIC = "scheduler-routing-acks"

ENVIRONMENTS = ("composer1", "composer2")
"""Routing destinations: ``composer1`` is the Airflow 1.10 source, ``composer2`` the Airflow 2 target
(Composer 2.1+ or 3; the concrete web server is ``airflow_uri``). A new value needs schema 2."""

OUTCOME_APPLIED = "applied"
OUTCOME_SUPERSEDED = "superseded"
OUTCOMES = (OUTCOME_APPLIED, OUTCOME_SUPERSEDED)
"""``applied``: the route now points where the change says (or did, until a newer change came).
``superseded``: a newer change (later issued_at) for the DAG was already applied; this older one
was recorded and acknowledged, but it did not move the route."""

# Message attributes (Pub/Sub metadata next to the JSON body). The body is authoritative; the
# attributes let subscriptions filter (an ack waiter only receives the acks of its change).
ATTR_SCHEMA = "schema"
ATTR_CHANGE_ID = "change_id"
ATTR_DAG_ID = "dag_id"

MAX_MESSAGE_BYTES = 64 * 1024
MAX_DAG_ID_LENGTH = 250  # Airflow's ID_LEN
MAX_WAVE_LENGTH = 200
MAX_URI_LENGTH = 2048

_CHANGE_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:composer-migrate:routing-change")
# All patterns are used with fullmatch (``$`` would accept a trailing newline).
_DAG_ID = re.compile(r"[\w.-]+")  # Airflow's KEY_REGEX (Unicode letters allowed, as in Airflow)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}:\d{2})(?P<fraction>\.\d+)?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})",
    re.ASCII,
)


class ContractError(ValueError):
    """A routing message or value that does not follow the contract; the message says which field and why."""


@dataclass(frozen=True)
class RoutingChange:
    """Route ``dag_id``'s triggers to ``environment`` (whose Airflow web server is ``airflow_uri``)."""

    change_id: str
    dag_id: str
    environment: str
    airflow_uri: str
    wave: str
    issued_at: datetime
    schema: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        _check_schema(self.schema)
        _check_change_id(self.change_id)
        _check_dag_id(self.dag_id)
        _check_environment(self.environment)
        _check_airflow_uri(self.airflow_uri)
        _check_wave(self.wave)
        _check_aware("issued_at", self.issued_at)

    @property
    def ordering_key(self) -> str:
        """Changes of one DAG are delivered in publish order: the ordering key is the dag_id."""
        return self.dag_id

    def attributes(self) -> dict[str, str]:
        """Pub/Sub attributes to publish with the body."""
        return {ATTR_SCHEMA: str(self.schema), ATTR_CHANGE_ID: self.change_id, ATTR_DAG_ID: self.dag_id}

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "change_id": self.change_id,
            "dag_id": self.dag_id,
            "environment": self.environment,
            "airflow_uri": self.airflow_uri,
            "wave": self.wave,
            "issued_at": format_time(self.issued_at),
        }

    def encode(self) -> bytes:
        """Compact UTF-8 JSON, fields in schema order: the same change always gives the same bytes."""
        return _dump(self.to_dict())

    @classmethod
    def decode(cls, data: bytes) -> RoutingChange:
        """Parse and validate a message body; raises ContractError saying what is wrong."""
        body = _load(data, "routing change")
        _check_schema_first(body)
        _require(body, ("change_id", "dag_id", "environment", "airflow_uri", "wave", "issued_at"))
        return cls(
            schema=body["schema"],
            change_id=_string(body, "change_id"),
            dag_id=_string(body, "dag_id"),
            environment=_string(body, "environment"),
            airflow_uri=_string(body, "airflow_uri"),
            wave=_string(body, "wave"),
            issued_at=parse_time(_string(body, "issued_at"), "issued_at"),
        )


@dataclass(frozen=True)
class RoutingAck:
    """The scheduler's answer: change ``change_id`` has been processed (see ``outcome``)."""

    change_id: str
    dag_id: str
    environment: str
    applied_at: datetime
    outcome: str = OUTCOME_APPLIED  # added within schema 1: absent on the wire means "applied"
    schema: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        _check_schema(self.schema)
        _check_change_id(self.change_id)
        _check_dag_id(self.dag_id)
        _check_environment(self.environment)
        _check_aware("applied_at", self.applied_at)
        if self.outcome not in OUTCOMES:
            raise ContractError(f"outcome must be one of {', '.join(OUTCOMES)}; got {self.outcome!r}")

    @classmethod
    def for_change(
        cls, change: RoutingChange, applied_at: datetime, outcome: str = OUTCOME_APPLIED
    ) -> RoutingAck:
        return cls(
            change_id=change.change_id,
            dag_id=change.dag_id,
            environment=change.environment,
            applied_at=applied_at,
            outcome=outcome,
        )

    def attributes(self) -> dict[str, str]:
        """Pub/Sub attributes to publish with the body; ``change_id`` is REQUIRED (waiters filter on it)."""
        return {ATTR_SCHEMA: str(self.schema), ATTR_CHANGE_ID: self.change_id, ATTR_DAG_ID: self.dag_id}

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "change_id": self.change_id,
            "dag_id": self.dag_id,
            "environment": self.environment,
            "applied_at": format_time(self.applied_at),
            "outcome": self.outcome,
        }

    def encode(self) -> bytes:
        return _dump(self.to_dict())

    @classmethod
    def decode(cls, data: bytes) -> RoutingAck:
        body = _load(data, "routing ack")
        _check_schema_first(body)
        _require(body, ("change_id", "dag_id", "environment", "applied_at"))
        return cls(
            schema=body["schema"],
            change_id=_string(body, "change_id"),
            dag_id=_string(body, "dag_id"),
            environment=_string(body, "environment"),
            applied_at=parse_time(_string(body, "applied_at"), "applied_at"),
            outcome=_string(body, "outcome") if "outcome" in body else OUTCOME_APPLIED,
        )


def new_change_id(wave: str, dag_id: str, environment: str, attempt: int, scope: str = "") -> str:
    """The change id of routing ``dag_id`` to ``environment`` for the ``attempt``-th time in ``wave``.

    Deterministic (uuid5): an activity that is retried republishes the SAME change id, which the
    scheduler applies once. A new attempt (say, cutting over again after a rollback) gets a new id.
    ``scope`` separates runs of a wave with the same name (the workflow passes its run id): a wave run
    again must not reuse the ids the scheduler already applied, or its changes would be no-ops.
    """
    _check_wave(wave)
    _check_dag_id(dag_id)
    _check_environment(environment)
    if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1:
        raise ContractError(f"attempt must be an integer >= 1; got {attempt!r}")
    # Newlines cannot occur in any part (validated above), so the name is unambiguous.
    name = f"{wave}\n{dag_id}\n{environment}\n{attempt}" + (f"\n{scope}" if scope else "")
    return str(uuid.uuid5(_CHANGE_ID_NAMESPACE, name))


def validate_change_id(change_id: str) -> str:
    """Return ``change_id`` if it is a lowercase hyphenated UUID; raise ContractError otherwise."""
    _check_change_id(change_id)
    return change_id


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``; microseconds only when non-zero."""
    _check_aware("timestamp", value)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_time(text: str, field: str = "timestamp") -> datetime:
    """Parse an RFC 3339 date-time (offset required, fraction truncated to microseconds) into UTC."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ContractError(
            f"{field} must be an RFC 3339 date-time with an offset, like 2026-05-01T12:00:00Z; got {text!r}"
        )
    fraction = (match.group("fraction") or ".0")[1:7].ljust(6, "0")
    offset = match.group("offset")
    try:
        naive = datetime.fromisoformat(f"{match.group('date')}T{match.group('time')}.{fraction}")
        if offset in ("Z", "z"):
            zone = UTC
        else:
            sign = 1 if offset[0] == "+" else -1
            hours, minutes = int(offset[1:3]), int(offset[4:6])
            zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        return naive.replace(tzinfo=zone).astimezone(UTC)
    except ValueError as error:
        raise ContractError(f"{field} is not a valid date-time: {text!r} ({error})") from None


# ---- validation helpers -------------------------------------------------------------------------


def _dump(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key, value in pairs:
        if key in body:
            raise ContractError(f"duplicate field {key!r}")
        body[key] = value
    return body


def _load(data: bytes, what: str) -> dict[str, Any]:
    if not isinstance(data, (bytes, bytearray)):
        raise ContractError(f"a {what} must be bytes; got {type(data).__name__}")
    if len(data) > MAX_MESSAGE_BYTES:
        raise ContractError(f"a {what} must be at most {MAX_MESSAGE_BYTES} bytes; got {len(data)}")
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ContractError(f"a {what} must be UTF-8 JSON: {error}") from None
    try:
        body = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as error:
        raise ContractError(f"a {what} must be a JSON object: {error}") from None
    if not isinstance(body, dict):
        raise ContractError(f"a {what} must be a JSON object; got {type(body).__name__}")
    return body


def _require(body: dict[str, Any], fields: tuple[str, ...]) -> None:
    missing = [name for name in fields if name not in body]
    if missing:
        raise ContractError(f"missing required field(s): {', '.join(missing)}")


def _check_schema_first(body: dict[str, Any]) -> None:
    """The version decides what else is required, so it is checked before anything else."""
    if "schema" not in body:
        raise ContractError("missing required field(s): schema")
    _check_schema(body["schema"])


def _string(body: dict[str, Any], name: str) -> str:
    value = body[name]
    if not isinstance(value, str):
        raise ContractError(f"{name} must be a string; got {type(value).__name__}")
    return value


def _check_schema(schema: Any) -> None:
    if isinstance(schema, bool) or not isinstance(schema, int):
        raise ContractError(f"schema must be an integer; got {schema!r}")
    if schema != SCHEMA_VERSION:
        raise ContractError(
            f"unsupported schema version {schema}; this consumer understands schema {SCHEMA_VERSION}"
        )


def _check_change_id(change_id: Any) -> None:
    if not isinstance(change_id, str) or not _UUID.fullmatch(change_id):
        raise ContractError(f"change_id must be a lowercase hyphenated UUID; got {change_id!r}")


def _check_dag_id(dag_id: Any) -> None:
    if (
        not isinstance(dag_id, str)
        or not dag_id
        or len(dag_id) > MAX_DAG_ID_LENGTH
        or not _DAG_ID.fullmatch(dag_id)
    ):
        raise ContractError(
            f"dag_id must be 1-{MAX_DAG_ID_LENGTH} letters, digits, '_', '.' or '-' (Airflow's rule); got {dag_id!r}"
        )


def _check_environment(environment: Any) -> None:
    if environment not in ENVIRONMENTS:
        raise ContractError(f"environment must be one of {', '.join(ENVIRONMENTS)}; got {environment!r}")


def _check_airflow_uri(uri: Any) -> None:
    if not isinstance(uri, str) or len(uri) > MAX_URI_LENGTH:
        raise ContractError(f"airflow_uri must be a string of at most {MAX_URI_LENGTH} characters")
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ContractError(f"airflow_uri must be an absolute http(s) URL; got {uri!r}")


def _check_wave(wave: Any) -> None:
    if (
        not isinstance(wave, str)
        or not wave.strip()
        or len(wave) > MAX_WAVE_LENGTH
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in wave)
    ):
        raise ContractError(f"wave must be 1-{MAX_WAVE_LENGTH} printable characters; got {wave!r}")


def _check_aware(name: str, value: Any) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ContractError(f"{name} must be a timezone-aware datetime; got {value!r}")
