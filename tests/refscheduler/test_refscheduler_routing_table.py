"""The reference scheduler's routing table: exactly-once apply, newest-wins per DAG, durability."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest

from refscheduler.consumer import process_message
from refscheduler.routing_table import RoutingTable, RoutingTableError
from routing.contract import RoutingChange, new_change_id

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def change(dag_id="sales", environment="composer2", attempt=1, issued_at=T0, wave="wave-1") -> RoutingChange:
    return RoutingChange(
        change_id=new_change_id(wave, dag_id, environment, attempt),
        dag_id=dag_id,
        environment=environment,
        airflow_uri=f"https://{environment}.example.com",
        wave=wave,
        issued_at=issued_at,
    )


class Ticks:
    """A clock that advances one second per reading, so applied_at values are distinct."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def table(tmp_path):
    with RoutingTable(tmp_path / "routing.db", clock=Ticks()) as table:
        yield table


def test_apply_once_then_duplicate_is_a_no_op(table):
    to_2 = change()
    assert table.apply(to_2) is True
    first = table.change(to_2.change_id)
    assert table.apply(to_2) is False
    assert table.change(to_2.change_id) == first  # same applied_at: re-acks carry the same content
    assert [r.change for r in table.history("sales")] == [to_2]
    route = table.route_of("sales")
    assert (route.environment, route.airflow_uri, route.change_id) == (
        "composer2",
        "https://composer2.example.com",
        to_2.change_id,
    )


def test_unknown_dag_has_no_route(table):
    assert table.route_of("nobody") is None
    assert table.history("nobody") == []
    assert table.change(new_change_id("w", "nobody", "composer1", 1)) is None


def test_newer_change_moves_the_route(table):
    table.apply(change())
    back = change(environment="composer1", issued_at=T0 + timedelta(minutes=5))
    assert table.apply(back) is True
    assert table.route_of("sales").environment == "composer1"
    assert [r.outcome for r in table.history("sales")] == ["applied", "applied"]


def test_older_change_arriving_late_is_recorded_but_does_not_override(table):
    newer = change(environment="composer1", issued_at=T0 + timedelta(minutes=5))
    older = change(issued_at=T0)
    table.apply(newer)
    assert table.apply(older) is True
    assert table.route_of("sales").change_id == newer.change_id
    assert [(r.change.change_id, r.outcome) for r in table.history("sales")] == [
        (newer.change_id, "applied"),
        (older.change_id, "superseded"),
    ]


def test_equal_issued_at_later_arrival_wins(table):
    table.apply(change(environment="composer2"))
    table.apply(change(environment="composer1"))
    assert table.route_of("sales").environment == "composer1"


def test_dags_are_independent(table):
    table.apply(change("a", issued_at=T0 + timedelta(hours=1)))
    table.apply(change("b", environment="composer1", issued_at=T0))
    assert (table.route_of("a").environment, table.route_of("b").environment) == ("composer2", "composer1")


def test_concurrent_duplicates_apply_exactly_once(table):
    to_2 = change()
    results: list[bool] = []
    lock = threading.Lock()

    def worker():
        outcome = table.apply(to_2)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False] * 7 + [True]


def test_state_survives_reopening_and_uses_wal(tmp_path):
    path = tmp_path / "routing.db"
    with RoutingTable(path) as table:
        table.apply(change())
        table.dead_letter("m-1", "bad json", b"{")
    with RoutingTable(path) as table:
        assert table.route_of("sales").environment == "composer2"
        assert table.apply(change()) is False
        assert [d.message_id for d in table.dead_letters()] == ["m-1"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_dead_letters_are_kept_once_per_message(table):
    assert (
        table.dead_letter("m-1", "missing field", b'{"schema":1}', attributes={"a": "b"}, ordering_key="k")
        is True
    )
    assert table.dead_letter("m-1", "missing field", b'{"schema":1}') is False
    [letter] = table.dead_letters()
    assert (letter.reason, letter.data, letter.attributes, letter.ordering_key) == (
        "missing field",
        b'{"schema":1}',
        {"a": "b"},
        "k",
    )


def test_a_newer_table_file_is_refused(tmp_path):
    path = tmp_path / "routing.db"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(RoutingTableError, match="newer routing table"):
        RoutingTable(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "routing.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(RoutingTableError, match="cannot be used as a routing table"):
        RoutingTable(path)


# ---- the consumer's decision, without Pub/Sub -----------------------------------------------------


def test_process_message_acks_with_the_first_applied_at(table):
    to_2 = change()
    first = process_message(table, to_2.encode(), message_id="1")
    again = process_message(table, to_2.encode(), message_id="2")
    assert (first.newly_applied, again.newly_applied) == (True, False)
    assert first.ack == again.ack
    assert (first.ack.change_id, first.ack.outcome) == (to_2.change_id, "applied")


def test_process_message_acks_a_stale_change_as_superseded(table):
    process_message(
        table, change(environment="composer1", issued_at=T0 + timedelta(minutes=1)).encode(), message_id="1"
    )
    outcome = process_message(table, change().encode(), message_id="2")
    assert (outcome.ack.outcome, outcome.ack.environment) == ("superseded", "composer2")
    assert table.route_of("sales").environment == "composer1"


def test_process_message_dead_letters_malformed_bodies(table):
    outcome = process_message(table, b'{"schema": 7}', message_id="9", attributes={"x": "y"})
    assert outcome.ack is None
    assert "unsupported schema version 7" in outcome.dead_letter_reason
    assert [d.message_id for d in table.dead_letters()] == ["9"]
