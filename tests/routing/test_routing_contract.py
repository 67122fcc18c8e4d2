"""The routing wire format: round trips, every validation error, deterministic ids, schema and docs in step."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from routing.contract import (
    ACK_TOPIC,
    ENVIRONMENTS,
    OUTCOME_SUPERSEDED,
    OUTCOMES,
    ROUTING_TOPIC,
    ContractError,
    RoutingAck,
    RoutingChange,
    format_time,
    new_change_id,
    parse_time,
)

REPO = Path(__file__).resolve().parents[2]
ISSUED = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
CHANGE_ID = new_change_id("wave-03", "sales_daily_rollup", "composer2", 1)


def change(**overrides) -> RoutingChange:
    fields = {
        "change_id": CHANGE_ID,
        "dag_id": "sales_daily_rollup",
        "environment": "composer2",
        "airflow_uri": "https://example-dot-us-central1.composer.googleusercontent.com",
        "wave": "wave-03",
        "issued_at": ISSUED,
    }
    return RoutingChange(**{**fields, **overrides})


def body(**overrides) -> dict:
    return {**change().to_dict(), **overrides}


def raw(value: dict) -> bytes:
    return json.dumps(value).encode()


def test_topic_names_and_ordering_key():
    assert (ROUTING_TOPIC, ACK_TOPIC) == ("scheduler-routing", "scheduler-routing-acks")
    assert change().ordering_key == "sales_daily_rollup"
    assert change().attributes() == {"schema": "1", "change_id": CHANGE_ID, "dag_id": "sales_daily_rollup"}


def test_change_round_trip_and_exact_bytes():
    encoded = change().encode()
    assert encoded == (
        b'{"schema":1,"change_id":"' + CHANGE_ID.encode() + b'","dag_id":"sales_daily_rollup",'
        b'"environment":"composer2","airflow_uri":"https://example-dot-us-central1.composer.googleusercontent.com",'
        b'"wave":"wave-03","issued_at":"2026-05-04T09:30:00Z"}'
    )
    assert RoutingChange.decode(encoded) == change()


def test_ack_round_trip_and_outcome_default():
    ack = RoutingAck.for_change(change(), applied_at=ISSUED + timedelta(seconds=1, microseconds=250000))
    assert json.loads(ack.encode())["applied_at"] == "2026-05-04T09:30:01.250000Z"
    assert RoutingAck.decode(ack.encode()) == ack
    without_outcome = {k: v for k, v in json.loads(ack.encode()).items() if k != "outcome"}
    assert RoutingAck.decode(raw(without_outcome)).outcome == "applied"
    superseded = dataclasses.replace(ack, outcome=OUTCOME_SUPERSEDED)
    assert RoutingAck.decode(superseded.encode()).outcome == "superseded"
    assert ack.attributes()["change_id"] == CHANGE_ID


def test_unknown_fields_are_ignored():
    assert RoutingChange.decode(raw(body(priority="high", extra={"a": 1}))) == change()


def test_times_are_normalised_to_utc_and_microseconds():
    plus_two = datetime(2026, 5, 4, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    assert change(issued_at=plus_two).to_dict()["issued_at"] == "2026-05-04T09:30:00Z"
    assert parse_time("2026-05-04T11:30:00.123456789+02:00") == datetime(
        2026, 5, 4, 9, 30, 0, 123456, tzinfo=UTC
    )
    assert parse_time("2026-05-04t09:30:00z") == ISSUED
    assert format_time(parse_time("2026-05-04T09:30:00.5Z")) == "2026-05-04T09:30:00.500000Z"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (raw(body(schema=2)), "unsupported schema version 2"),
        (raw(body(schema="1")), "schema must be an integer"),
        (raw(body(schema=True)), "schema must be an integer"),
        (
            raw({k: v for k, v in body().items() if k not in ("wave", "issued_at")}),
            "missing required field.*wave, issued_at",
        ),
        (raw({k: v for k, v in body().items() if k != "schema"}), "missing required field.*schema"),
        (raw(body(environment="composer3")), "environment must be one of composer1, composer2"),
        (raw(body(environment="Composer2")), "environment must be one of"),
        (raw(body(issued_at="2026-05-04 09:30:00Z")), "issued_at must be an RFC 3339"),
        (raw(body(issued_at="2026-05-04T09:30:00")), "issued_at must be an RFC 3339"),
        (raw(body(issued_at="2026-05-04")), "issued_at must be an RFC 3339"),
        (raw(body(issued_at="1714815000")), "issued_at must be an RFC 3339"),
        (raw(body(issued_at="2026-05-04T09:30:00Z\n")), "issued_at must be an RFC 3339"),
        (raw(body(issued_at="2026-02-30T09:30:00Z")), "issued_at is not a valid date-time"),
        (raw(body(issued_at=1714815000)), "issued_at must be a string"),
        (raw(body(change_id="not-a-uuid")), "change_id must be a lowercase hyphenated UUID"),
        (raw(body(change_id=CHANGE_ID.upper())), "change_id must be a lowercase hyphenated UUID"),
        (raw(body(dag_id="sales daily")), "dag_id must be"),
        (raw(body(dag_id="")), "dag_id must be"),
        (raw(body(dag_id="x" * 251)), "dag_id must be"),
        (raw(body(dag_id="sales\n")), "dag_id must be"),
        (raw(body(airflow_uri="example.com/airflow")), "airflow_uri must be an absolute http"),
        (raw(body(airflow_uri="ftp://example.com")), "airflow_uri must be an absolute http"),
        (raw(body(wave="")), "wave must be"),
        (raw(body(wave="wave\n03")), "wave must be"),
        (b'{"schema": 1, "schema": 1}', "duplicate field 'schema'"),
        (b"[1, 2]", "must be a JSON object; got list"),
        (b"{not json", "must be a JSON object"),
        (b"\xff\xfe", "must be UTF-8"),
        (b" " * (64 * 1024 + 1), "at most 65536 bytes"),
    ],
)
def test_change_validation_errors(data, message):
    with pytest.raises(ContractError, match=message):
        RoutingChange.decode(data)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"applied_at": "2026-05-04T09:30:00"}, "applied_at must be an RFC 3339"),
        ({"outcome": "maybe"}, "outcome must be one of applied, superseded"),
        ({"outcome": None}, "outcome must be a string"),
        ({"environment": "prod"}, "environment must be one of"),
        ({"schema": 0}, "unsupported schema version 0"),
    ],
)
def test_ack_validation_errors(overrides, message):
    ack = json.loads(RoutingAck.for_change(change(), applied_at=ISSUED).encode())
    with pytest.raises(ContractError, match=message):
        RoutingAck.decode(raw({**ack, **overrides}))


def test_construction_validates_too():
    with pytest.raises(ContractError, match="issued_at must be a timezone-aware datetime"):
        change(issued_at=datetime(2026, 5, 4, 9, 30))
    with pytest.raises(ContractError, match="environment"):
        change(environment="staging")
    with pytest.raises(ContractError, match="applied_at must be a timezone-aware"):
        RoutingAck.for_change(change(), applied_at=datetime(2026, 5, 4))


def test_new_change_id_is_deterministic_and_distinct():
    assert new_change_id("wave-03", "sales_daily_rollup", "composer2", 1) == CHANGE_ID
    others = {
        new_change_id("wave-04", "sales_daily_rollup", "composer2", 1),
        new_change_id("wave-03", "sales_daily", "composer2", 1),
        new_change_id("wave-03", "sales_daily_rollup", "composer1", 1),
        new_change_id("wave-03", "sales_daily_rollup", "composer2", 2),
    }
    assert CHANGE_ID not in others and len(others) == 4
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", CHANGE_ID)


@pytest.mark.parametrize("attempt", [0, -1, True, 1.0, "1"])
def test_new_change_id_rejects_bad_attempts(attempt):
    with pytest.raises(ContractError, match="attempt must be an integer >= 1"):
        new_change_id("wave-03", "sales_daily_rollup", "composer2", attempt)


# ---- the JSON Schemas and the scheduler team's doc agree with the code ---------------------------


def load_schema(name: str) -> dict:
    return json.loads((REPO / "routing" / "schema" / name).read_text())


@pytest.mark.parametrize(
    ("name", "cls", "optional"),
    [("routing-change.v1.json", RoutingChange, set()), ("routing-ack.v1.json", RoutingAck, {"outcome"})],
)
def test_json_schema_matches_the_dataclass(name, cls, optional):
    schema = load_schema(name)
    fields = {field.name for field in dataclasses.fields(cls)}
    assert set(schema["properties"]) == fields
    assert set(schema["required"]) == fields - optional
    assert schema["properties"]["schema"]["const"] == 1
    assert tuple(schema["properties"]["environment"]["enum"]) == ENVIRONMENTS
    assert schema["additionalProperties"] is True  # consumers ignore unknown fields
    if "outcome" in schema["properties"]:
        assert tuple(schema["properties"]["outcome"]["enum"]) == OUTCOMES
    for example in schema["examples"]:
        cls.decode(raw(example))


def test_doc_examples_decode():
    doc = (REPO / "docs" / "routing-contract.md").read_text()
    examples = [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", doc, re.DOTALL)]
    kinds = [
        RoutingChange.decode(raw(e)) if "issued_at" in e else RoutingAck.decode(raw(e)) for e in examples
    ]
    assert [type(k) for k in kinds] == [RoutingChange, RoutingAck]
    assert kinds[0].change_id == kinds[1].change_id
