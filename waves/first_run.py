"""The first-run guard: what the target's scheduler will do the moment a DAG is unpaused.

Unpausing a ``catchup=False`` DAG with a schedule still creates a run for its latest complete interval
at once (apache/airflow#38168, #39867), and a ``catchup=True`` DAG back-fills every interval since its
start date (or its last run). Both are surprise runs: the same interval already ran in Composer 1.
The guard reads the scheduler's own plan (``next_dagrun`` of the DAG) and decides, as a pure function:

- no schedule, or the next run lies in the future: nothing to do;
- ``catchup=False``, next run due now: *mark* that interval: create its run while the DAG is still
  paused and set it to success, so the scheduler (which never creates a second run for a logical date
  that already has one) moves on to the next interval;
- ``catchup=True``, next run due now: *block*: marking every interval since the start date is not
  something to do silently; the cutover of that DAG stops with the reason, unless the spec says
  ``first_run: allow``.
"""

from __future__ import annotations

from datetime import datetime

from environments.base import DagInfo
from waves.model import FirstRunPlan

GUARD_RUN_PREFIX = "cutover_guard__"


def guard_run_id(logical_date: datetime) -> str:
    """The run id of a marked interval: deterministic, so a retried guard gets a 409, not a second run."""
    return GUARD_RUN_PREFIX + logical_date.strftime("%Y-%m-%dT%H:%M:%SZ")


def plan_first_run(info: DagInfo, now: datetime, policy: str = "guard") -> FirstRunPlan:
    schedule = info.schedule or ""
    common = {"dag_id": info.dag_id, "schedule": schedule or "None", "catchup": info.catchup}
    if not schedule or info.next_dagrun is None:
        return FirstRunPlan(**common, surprise_runs="none", action="none",
                            detail="not scheduled: only triggered runs")
    due = info.next_dagrun_create_after is not None and info.next_dagrun_create_after <= now
    when = info.next_dagrun.strftime("%Y-%m-%dT%H:%M:%SZ")
    if not due:
        return FirstRunPlan(**common, surprise_runs="none", action="none",
                            detail=f"next scheduled run {when} is not due yet")
    if policy == "allow":
        what = f"back-fill from {when}" if info.catchup else f"1 run (interval {when})"
        return FirstRunPlan(**common, surprise_runs=what, action="allow",
                            detail="first_run: allow: the scheduler will run it on unpause")
    if info.catchup:
        return FirstRunPlan(**common, surprise_runs=f"back-fill of every interval from {when}", action="block",
                            detail="catchup=True would back-fill intervals that already ran in Composer 1; "
                                   "set catchup=False in the DAG or first_run: allow in the spec")
    return FirstRunPlan(**common, surprise_runs=f"1 run (interval {when})", action="mark-interval",
                        logical_date=when,
                        detail=f"interval {when} already ran in Composer 1: it will be marked success "
                               f"(run {guard_run_id(info.next_dagrun)}) before unpausing")
