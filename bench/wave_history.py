"""Figures from Temporal workflow histories: stage times of a wave, activity work, per-DAG overhead.

Pure functions over the history events (``temporalio.api.history.v1.HistoryEvent``), so the numbers
the benchmark prints come from what the server recorded, not from the benchmark's own polling: the
convert and test stages are their activities' scheduled->closed times, the deploy stage runs from the
promote approval to the last DAG's "ready" signal, the cutover stage from the cutover approval to the
last child's close.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

ACTIVITY_CLOSED = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity_task_completed_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: "activity_task_failed_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: "activity_task_timed_out_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: "activity_task_canceled_event_attributes",
}
CHILD_CLOSED = {
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
}


def _t(event: HistoryEvent) -> float:
    return event.event_time.seconds + event.event_time.nanos / 1e9


@dataclass(frozen=True)
class ActivityRun:
    """One activity of a history: when it was scheduled, started (last attempt) and closed."""

    name: str
    scheduled: float
    started: float
    closed: float

    @property
    def working_s(self) -> float:
        return self.closed - self.started


def activity_runs(events: Sequence[HistoryEvent]) -> list[ActivityRun]:
    """Every activity that started and closed, in schedule order."""
    scheduled: dict[int, tuple[str, float]] = {}
    started: dict[int, float] = {}
    runs = []
    for event in events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled[event.event_id] = (event.activity_task_scheduled_event_attributes.activity_type.name, _t(event))
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started[event.activity_task_started_event_attributes.scheduled_event_id] = _t(event)
        elif kind in ACTIVITY_CLOSED:
            sid = getattr(event, ACTIVITY_CLOSED[kind]).scheduled_event_id
            if sid in scheduled and sid in started:
                name, at = scheduled[sid]
                runs.append(ActivityRun(name, at, started[sid], _t(event)))
    return runs


def union_seconds(intervals: Iterable[tuple[float, float]]) -> float:
    """Length of the union of [start, end] intervals: the time at least one of them was running."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if stop <= end:
            continue
        total += stop - max(start, end)
        end = stop
    return total


@dataclass(frozen=True)
class WaveTimes:
    """Stage durations of one wave (seconds), from its history."""

    total_s: float
    convert_s: float
    test_s: float
    deploy_s: float  # promote approval -> last DAG deployed, parsed and ready
    cutover_s: float  # cutover approval -> last DagCutover closed (cutover + verification)
    report_s: float
    gate_wait_s: float  # gate open -> approval arrived (the benchmark approves as soon as it sees a gate)


def wave_times(events: Sequence[HistoryEvent]) -> WaveTimes:
    runs = {r.name: r for r in activity_runs(events)}
    started, finished = _t(events[0]), _t(events[-1])
    approvals = [_t(e) for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
                 and e.workflow_execution_signaled_event_attributes.signal_name == "approve"]
    ready = [_t(e) for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
             and e.workflow_execution_signaled_event_attributes.signal_name == "dag_ready"]
    children_closed = [_t(e) for e in events if e.event_type in CHILD_CLOSED]

    def span(name: str) -> float:
        run = runs.get(name)
        return run.closed - run.scheduled if run else 0.0

    deploy = cutover = gate_wait = 0.0
    if len(approvals) >= 1 and "test_files" in runs:
        gate_wait += approvals[0] - runs["test_files"].closed
    if len(approvals) >= 1 and ready:
        deploy = max(ready) - approvals[0]
    if len(approvals) >= 2 and ready:
        gate_wait += approvals[1] - max(ready)
        if children_closed:
            cutover = max(children_closed) - approvals[1]
    return WaveTimes(total_s=finished - started, convert_s=span("convert_files"), test_s=span("test_files"),
                     deploy_s=deploy, cutover_s=cutover, report_s=span("write_wave_report"), gate_wait_s=gate_wait)


@dataclass(frozen=True)
class ChildPath:
    """One DagCutover: its wall time, the time its activities worked, and its wait for the wave's release."""

    events: int
    activities: int
    wall_s: float
    working_s: float
    release_wait_s: float

    @property
    def overhead_s(self) -> float:
        """What orchestration added along this DAG's own path (not waiting for the gate, not working)."""
        return max(0.0, self.wall_s - self.working_s - self.release_wait_s)


def child_path(events: Sequence[HistoryEvent]) -> ChildPath:
    runs = activity_runs(events)
    told_wave = next((_t(e) for e in events
                      if e.event_type == EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED), None)
    released = next((_t(e) for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
                     and e.workflow_execution_signaled_event_attributes.signal_name == "release"), None)
    wait = released - told_wave if told_wave is not None and released is not None else 0.0
    scheduled = sum(1 for e in events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    return ChildPath(events=len(events), activities=scheduled, wall_s=_t(events[-1]) - _t(events[0]),
                     working_s=sum(r.working_s for r in runs), release_wait_s=wait)


def event_type_counts(events: Sequence[HistoryEvent]) -> dict[str, int]:
    """How many events of each type, most frequent first (what a history is made of)."""
    counts: dict[str, int] = {}
    for event in events:
        name = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
