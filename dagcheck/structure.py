"""The structure of a DAG, as compared between an Airflow 1 source and its Airflow 2 conversion.

Standard library only: this module is imported both by the orchestrator (static extraction from source
text) and inside the Airflow 2 runtime venv (extraction from a loaded ``DAG`` object). Every value is
plain JSON (str/int/float/bool/None/list/dict) so a structure round-trips through ``to_dict``/``from_dict``.

Normalisation rules, so that the two sides compare equal when they mean the same thing:
- ``schedule``: a cron string or preset as written (``"@daily"``, ``"0 * * * *"``), ``None`` for no
  schedule, or ``"timedelta:<seconds>"`` for a timedelta (``timedelta(days=1)`` -> ``"timedelta:86400"``).
  A 1.10 DAG without a schedule argument has the 1.10 default, ``"timedelta:86400"``.
  ``"@once"`` etc. stay as written. ``"unknown"`` when it cannot be determined statically.
- ``start_date``: ISO 8601 date-time in UTC without offset (``"2021-01-01T00:00:00"``), or ``None``;
  ``"relative"`` when it depends on the parse time (``days_ago(n)``, ``datetime.now()``), ``"unknown"``
  when it cannot be determined statically.
- ``edges``: sorted list of ``[upstream_task_id, downstream_task_id]`` pairs.
- ``task_ids``: sorted; tasks of a SubDAG appear in the SubDAG's own ``DagStructure`` (``subdags``), and
  a TaskGroup's tasks appear with their group prefix (``group.task``), as Airflow 2 names them.
- ``retries``/``trigger_rules``: per task id, the effective value (default_args applied); trigger rules
  as strings (``"all_success"``).
- ``catchup``, a ``retries``/``trigger_rules`` value, a ``default_args`` value: ``"unknown"`` when it
  cannot be determined statically (the static extractor also leaves a note saying why).
- ``default_args``: the JSON-safe subset of the DAG's default_args (see ``json_safe_default_args``):
  str/int/float/bool/None, ``timedelta`` as ``"timedelta:<seconds>"``, lists/dicts of those; other
  values (callables, datetimes: the start date has its own field) are left out, and ``params`` is
  left out because Airflow 2 moves it out of ``default_args`` into ``DAG.params``.
- ``incomplete``: names of fields whose static extraction is partial (``"task_ids"``, ``"edges"``,
  ``"default_args"``, ``"subdags"``): what is listed is real, but there may be more (for example tasks
  created in a loop over a value only known at run time). Always empty on the runtime side.
- ``task_groups``: the ids of the DAG's TaskGroups (not the root group), as Airflow names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

UNKNOWN = "unknown"
RELATIVE = "relative"


@dataclass(frozen=True)
class DagStructure:
    dag_id: str
    task_ids: tuple[str, ...] = ()
    edges: tuple[tuple[str, str], ...] = ()
    schedule: str | None = "timedelta:86400"
    catchup: bool | str | None = True
    start_date: str | None = None
    retries: dict[str, int | str] = field(default_factory=dict)
    trigger_rules: dict[str, str] = field(default_factory=dict)
    default_args: dict[str, Any] = field(default_factory=dict)
    subdags: tuple[DagStructure, ...] = ()
    source_line: int | None = None  # line of the DAG(...) call in its file, when known
    incomplete: tuple[str, ...] = ()  # fields whose static extraction is partial (see module docstring)
    task_groups: tuple[str, ...] = ()  # sorted TaskGroup ids as Airflow names them (``outer.inner``)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["task_ids"] = list(self.task_ids)
        data["edges"] = [list(e) for e in self.edges]
        data["subdags"] = [s.to_dict() for s in self.subdags]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DagStructure:
        return cls(
            dag_id=data["dag_id"],
            task_ids=tuple(sorted(data.get("task_ids", ()))),
            edges=tuple(sorted(tuple(e) for e in data.get("edges", ()))),
            schedule=data.get("schedule"),
            catchup=data.get("catchup"),
            start_date=data.get("start_date"),
            retries=dict(data.get("retries", {})),
            trigger_rules=dict(data.get("trigger_rules", {})),
            default_args=dict(data.get("default_args", {})),
            subdags=tuple(cls.from_dict(s) for s in data.get("subdags", ())),
            source_line=data.get("source_line"),
            incomplete=tuple(data.get("incomplete", ())),
            task_groups=tuple(sorted(data.get("task_groups", ()))),
        )


# Shared normalisation, used by the static extractor and by the runtime reader alike, so that both sides
# turn the same Python value into the same JSON value.

DEFAULT_SCHEDULE = "timedelta:86400"


def timedelta_text(value: timedelta) -> str:
    """``timedelta(days=1)`` -> ``"timedelta:86400"`` (whole seconds as an int, else a float)."""
    seconds = value.total_seconds()
    return f"timedelta:{int(seconds) if seconds == int(seconds) else seconds}"


def schedule_text(value: object) -> str | None:
    """Normalise a schedule value (cron/preset string, ``None``, ``timedelta``); anything else is unknown."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, timedelta):
        return timedelta_text(value)
    return UNKNOWN


def utc_iso(value: datetime) -> str:
    """An aware (or naive, taken as UTC: Airflow's default timezone) date-time as ISO 8601 UTC, no offset."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(UTC)
    plain = datetime(
        value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond
    )
    return plain.isoformat()


OMIT = object()  # json_safe's answer for a value outside the compared subset


def json_safe(value: object) -> object:
    """The JSON form of a default_args value, or ``OMIT`` when the value is outside the compared subset."""
    if value is None:
        return None
    if isinstance(value, str):  # str-valued enums (TriggerRule.ALL_DONE) become their value
        return str(getattr(value, "value", value))
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)):
        return type(value)(value) if type(value) in (int, float) else getattr(value, "value", value)
    if isinstance(value, timedelta):
        return timedelta_text(value)
    if isinstance(value, (list, tuple)):
        items = [json_safe(v) for v in value]
        return OMIT if any(i is OMIT for i in items) else items
    if isinstance(value, Mapping):
        pairs = {k: json_safe(v) for k, v in value.items()}
        if any(not isinstance(k, str) or v is OMIT for k, v in pairs.items()):
            return OMIT
        return pairs
    return OMIT


def json_safe_default_args(args: Mapping[str, Any]) -> dict[str, Any]:
    """The compared subset of a DAG's default_args (module docstring), keys in sorted order."""
    out: dict[str, Any] = {}
    for key in sorted(k for k in args if isinstance(k, str)):
        if key == "params":
            continue
        value = json_safe(args[key])
        if value is not OMIT:
            out[key] = value
    return out
