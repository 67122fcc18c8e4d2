"""The schedule loop: pure due slots; ticks trigger where the routing table says, with deterministic
run ids, so a repeated tick (a restart, a second scheduler) is a duplicate, never a second run; jobs
as data with errors that name the file and entry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from emulators.airflow1 import start_emulator
from refscheduler.jobs import Job, JobsError, jobs_from_data, load_jobs
from refscheduler.routing_table import RoutingTable
from refscheduler.scheduler import ReferenceScheduler, SlotLedger, due_slots
from refscheduler.triggers import Airflow1ExperimentalTrigger
from routing.contract import RoutingChange, new_change_id

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


# ---------------------------------------------------------------- jobs as data


def test_jobs_load_from_yaml_and_json(tmp_path):
    (tmp_path / "jobs.yaml").write_text(
        "jobs:\n"
        "  - dag_id: sales\n    every_seconds: 60\n    conf: {region: eu}\n"
        "  - dag_id: sales\n    name: sales_hourly\n    every_seconds: 3600\n    start: '2026-01-01T00:30:00Z'\n"
        "    catchup: true\n"
    )
    jobs = load_jobs(tmp_path / "jobs.yaml")
    assert [j.name for j in jobs] == ["sales", "sales_hourly"]
    assert jobs[0].conf == {"region": "eu"} and jobs[1].catchup is True
    assert jobs[1].start == datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    (tmp_path / "jobs.json").write_text(json.dumps([j.to_data() for j in jobs]))
    assert load_jobs(tmp_path / "jobs.json") == jobs


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"dag_id": "a", "every_seconds": 0}], r"jobs\[0\] \(a\): 'every_seconds' must be"),
        ([{"dag_id": "a", "every_seconds": 60, "every": 5}], r"jobs\[0\]: unknown keys \['every'\]"),
        ([{"every_seconds": 60}], r"jobs\[0\]: 'dag_id' must be"),
        ([{"dag_id": "a", "every_seconds": 60}, {"dag_id": "a", "every_seconds": 5}], r"jobs\[1\]: job name 'a' is used twice"),
        ([{"dag_id": "a", "every_seconds": 60, "start": "2026-01-01T00:00:00"}], r"'start' must be a date-time with a UTC offset"),
        ([{"dag_id": "a", "every_seconds": 60, "name": "a b"}], r"'name' may only use"),
        ({"dag_id": "a"}, r"expected a list of jobs"),
    ],
)
def test_job_errors_name_the_file_and_entry(tmp_path, entries, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(entries))
    with pytest.raises(JobsError, match=rf"bad\.json: .*{message}"):
        load_jobs(path)


def test_unreadable_jobs_file_is_named(tmp_path):
    (tmp_path / "broken.yaml").write_text("jobs: [\n")
    with pytest.raises(JobsError, match=r"broken\.yaml: not valid YAML"):
        load_jobs(tmp_path / "broken.yaml")


# ---------------------------------------------------------------- due slots (pure)


def job(name="sales", every=60, **kw) -> Job:
    return jobs_from_data([{"dag_id": kw.pop("dag_id", name), "name": name, "every_seconds": every, **kw}])[0]


def test_first_sight_triggers_only_the_newest_slot():
    due = due_slots([job(every=60)], {}, T0 + timedelta(seconds=59))
    assert [(d.slot, d.run_id) for d in due] == [(T0, "sched__sales__2026-05-04T09:00:00Z")]


def test_nothing_due_until_the_next_slot_then_one_slot():
    jobs = [job(every=60)]
    assert due_slots(jobs, {"sales": T0}, T0 + timedelta(seconds=59)) == []
    assert [d.slot for d in due_slots(jobs, {"sales": T0}, T0 + timedelta(seconds=60))] == [T0 + timedelta(seconds=60)]


def test_after_downtime_newest_only_or_every_missed_slot_with_catchup():
    later = T0 + timedelta(minutes=5, seconds=10)
    assert [d.slot for d in due_slots([job()], {"sales": T0}, later)] == [T0 + timedelta(minutes=5)]
    catchup = due_slots([job(catchup=True)], {"sales": T0}, later)
    assert [d.slot for d in catchup] == [T0 + timedelta(minutes=k) for k in range(1, 6)]
    bounded = due_slots([job(catchup=True)], {"sales": T0}, later, max_catchup=2)
    assert [d.slot for d in bounded] == [T0 + timedelta(minutes=4), T0 + timedelta(minutes=5)]


def test_slots_follow_the_start_anchor_and_nothing_before_it():
    anchored = job(every=3600, start="2026-05-04T08:30:00Z")
    assert due_slots([anchored], {}, T0 + timedelta(minutes=10))[0].slot == T0 - timedelta(minutes=30)
    assert due_slots([anchored], {}, T0 - timedelta(hours=2)) == []


def test_due_slots_does_not_change_its_inputs():
    last = {"sales": T0}
    due_slots([job(catchup=True)], last, T0 + timedelta(hours=1))
    assert last == {"sales": T0}


# ---------------------------------------------------------------- ticks against two real environments


class Clock:
    def __init__(self) -> None:
        self.now = T0 + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now


def seed(*dag_ids: str) -> dict:
    return {"dags": [{"dag_id": d, "is_paused": False, "run_duration_s": 0.1} for d in dag_ids]}


@pytest.fixture
def envs():
    """Two Airflow 1.10 emulators stand in for the two environments: the scheduler only sees trigger
    paths (the Airflow 2 path is tested against the real Airflow 2 in test_triggers.py)."""
    composer1 = start_emulator(seed("sales", "orders"))
    composer2 = start_emulator(seed("sales", "orders"))
    yield composer1, composer2
    composer1.stop()
    composer2.stop()


@pytest.fixture
def table(tmp_path):
    with RoutingTable(tmp_path / "routing.sqlite") as routing_table:
        yield routing_table


def make_scheduler(table, envs, clock, jobs=None) -> ReferenceScheduler:
    composer1, composer2 = envs
    return ReferenceScheduler(
        jobs or [job("sales"), job("orders", every=120)],
        table,
        {"composer1": Airflow1ExperimentalTrigger(composer1.url), "composer2": Airflow1ExperimentalTrigger(composer2.url)},
        clock,
    )


def route(table, dag_id, environment, issued_at, attempt=1):
    table.apply(RoutingChange(
        change_id=new_change_id("wave-1", dag_id, environment, attempt), dag_id=dag_id, environment=environment,
        airflow_uri=f"https://{environment}.example.com", wave="wave-1", issued_at=issued_at,
    ))


def runs_of(emulator, dag_id) -> list[str]:
    return [r.run_id for r in emulator.state.runs(dag_id)]


def test_tick_triggers_in_composer1_by_default(table, envs):
    composer1, composer2 = envs
    clock = Clock()
    scheduler = make_scheduler(table, envs, clock)
    results = scheduler.tick()
    assert [(r.job, r.environment, r.outcome.created) for r in results] == [
        ("sales", "composer1", True), ("orders", "composer1", True)]
    assert runs_of(composer1, "sales") == ["sched__sales__2026-05-04T09:00:00Z"]
    assert runs_of(composer2, "sales") == []
    assert scheduler.tick() == []  # nothing new is due
    scheduler.close()


def test_a_repeated_tick_is_a_duplicate_never_a_second_run(table, envs, tmp_path):
    composer1, _ = envs
    clock = Clock()
    scheduler = make_scheduler(table, envs, clock)
    scheduler.tick()
    # a second scheduler with an empty ledger (a lost state, a restart before the record) ticks the same slot
    other = ReferenceScheduler(
        scheduler.jobs, table, scheduler.triggers, clock, ledger=SlotLedger(tmp_path / "other-ledger.sqlite"))
    results = other.tick()
    assert [(r.outcome.created, r.outcome.status) for r in results] == [(False, 400), (False, 400)]
    assert runs_of(composer1, "sales") == ["sched__sales__2026-05-04T09:00:00Z"]
    triggers = [t["result"] for t in _state(composer1)["triggers"]]
    assert triggers == ["created", "created", "duplicate", "duplicate"]
    other.ledger.close()
    scheduler.close()


def test_the_ledger_survives_a_restart(table, envs):
    composer1, _ = envs
    clock = Clock()
    first = make_scheduler(table, envs, clock)
    first.tick()
    first.close()
    restarted = make_scheduler(table, envs, clock)
    assert restarted.due_slots() == []
    assert restarted.tick() == []
    clock.now += timedelta(seconds=60)
    assert [r.job for r in restarted.tick()] == ["sales"]
    assert len(restarted.ledger.triggers("sales")) == 2
    assert len(runs_of(composer1, "sales")) == 2
    restarted.close()


def test_a_route_switch_moves_the_next_triggers_to_the_other_environment(table, envs):
    composer1, composer2 = envs
    clock = Clock()
    scheduler = make_scheduler(table, envs, clock)
    scheduler.tick()
    route(table, "sales", "composer2", issued_at=clock.now)
    clock.now += timedelta(seconds=120)
    results = {r.job: r for r in scheduler.tick()}
    assert results["sales"].environment == "composer2" and results["sales"].outcome.created
    assert results["orders"].environment == "composer1"
    assert runs_of(composer2, "sales") == ["sched__sales__2026-05-04T09:02:00Z"]
    assert runs_of(composer1, "sales") == ["sched__sales__2026-05-04T09:00:00Z"]
    # and back (a rollback): the next slot goes to composer1 again
    route(table, "sales", "composer1", issued_at=clock.now + timedelta(seconds=1), attempt=2)
    clock.now += timedelta(seconds=60)
    assert scheduler.tick()[0].environment == "composer1"
    assert runs_of(composer1, "sales")[-1] == "sched__sales__2026-05-04T09:03:00Z"
    assert [t.environment for t in scheduler.ledger.triggers("sales")] == ["composer1", "composer2", "composer1"]
    scheduler.close()


def test_a_failed_trigger_is_retried_next_tick_and_a_paused_target_only_warns(table, envs, capsys):
    composer1, _ = envs
    clock = Clock()
    jobs = [job("sales"), job("ghost")]
    scheduler = make_scheduler(table, envs, clock, jobs)
    composer1.state.set_paused("sales", True)
    results = {r.job: r for r in scheduler.tick()}
    assert results["sales"].outcome.created  # triggered anyway: the environment keeps it waiting
    assert "HTTP 404" in results["ghost"].error
    assert "scheduler_triggering_paused_dag" in capsys.readouterr().err
    assert "ghost" not in scheduler.ledger.last_slots()
    assert [r.job for r in scheduler.tick()] == ["ghost"]  # the same slot again, not skipped
    scheduler.close()


def test_a_route_to_an_environment_without_a_trigger_is_an_error_not_a_skip(table, envs):
    clock = Clock()
    composer1, _ = envs
    scheduler = ReferenceScheduler([job("sales")], table, {"composer1": Airflow1ExperimentalTrigger(composer1.url)}, clock)
    route(table, "sales", "composer2", issued_at=T0)
    (result,) = scheduler.tick()
    assert "no trigger configured for environment 'composer2'" in result.error
    assert scheduler.due_slots() != []  # still due
    scheduler.close()


def _state(emulator) -> dict:
    return emulator.state.snapshot()
