"""The structure of a DAG as Airflow 2 loaded it: the converted side of the structure check.

``structure_of(dag)`` reads a real, loaded ``airflow.models.DAG`` (duck-typed: only attributes are read)
into the shared ``DagStructure`` model, normalised exactly as the static extractor normalises the Airflow
1.10 source (``dagcheck.structure``'s helpers do both). ``templated_fields(task)`` lists a task's templated
fields for the template check.

Only the standard library is imported at module level: the orchestrator imports ``dagcheck`` and must not
import Airflow. Inside the Airflow 2 runtime venv, ``python -m dagcheck.runtime_structure FILE...`` loads
each file with a ``DagBag`` and prints (or writes, with ``--out``) one JSON document:
``{"files": {path: {"dags": [DagStructure...], "import_errors": {path: message}}}}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from dagcheck.structure import DagStructure, json_safe_default_args, schedule_text, utc_iso

__all__ = ["main", "structure_of", "structures_of", "templated_fields"]


def structure_of(dag: Any) -> DagStructure:
    """The ``DagStructure`` of a loaded Airflow 2 DAG (its SubDAGs included, recursively)."""
    tasks = list(dag.task_dict.values())
    task_ids = sorted(task.task_id for task in tasks)
    edges = sorted((task.task_id, down) for task in tasks for down in task.downstream_task_ids)
    subdags = [structure_of(task.subdag) for task in tasks if _is_dag(getattr(task, "subdag", None))]
    return DagStructure(
        dag_id=dag.dag_id,
        task_ids=tuple(task_ids),
        edges=tuple(edges),
        schedule=_schedule(dag),
        catchup=bool(dag.catchup),
        start_date=_start_date(dag),
        retries={task.task_id: int(task.retries or 0) for task in sorted(tasks, key=lambda t: t.task_id)},
        trigger_rules={task.task_id: _text(task.trigger_rule) for task in sorted(tasks, key=lambda t: t.task_id)},
        default_args=json_safe_default_args(dict(getattr(dag, "default_args", None) or {})),
        subdags=tuple(sorted(subdags, key=lambda s: s.dag_id)),
        source_line=None,
        task_groups=tuple(sorted(_group_ids(dag))),
    )


def structures_of(dags: Iterable[Any]) -> tuple[DagStructure, ...]:
    """Structures of the top-level DAGs among ``dags`` (a DagBag's ``dags.values()`` lists SubDAGs too)."""
    top = [dag for dag in dags if getattr(dag, "parent_dag", None) is None]
    return tuple(sorted((structure_of(dag) for dag in top), key=lambda s: s.dag_id))


def templated_fields(task: Any) -> dict[str, object]:
    """A task's templated fields (``template_fields``) and their current, unrendered values."""
    return {name: getattr(task, name, None) for name in getattr(task, "template_fields", ()) or ()}


def _is_dag(value: Any) -> bool:
    return value is not None and hasattr(value, "task_dict") and hasattr(value, "dag_id")


def _text(value: Any) -> str:
    """A str-valued enum (``TriggerRule.ALL_SUCCESS``) as its plain value."""
    return str(getattr(value, "value", value))


def _schedule(dag: Any) -> str | None:
    """Airflow 2.10 keeps what was passed in ``schedule_interval`` (a timetable's summary for a timetable)."""
    interval = getattr(dag, "schedule_interval", None)
    if interval is None or isinstance(interval, (str, timedelta)):
        return schedule_text(interval)
    return f"{type(interval).__name__}:{interval}"  # relativedelta and the like: compared as written


def _start_date(dag: Any) -> str | None:
    """The DAG's start date, or the one its default_args give (Airflow applies it to every task)."""
    start = getattr(dag, "start_date", None) or (getattr(dag, "default_args", None) or {}).get("start_date")
    return utc_iso(start) if isinstance(start, datetime) else None


def _group_ids(dag: Any) -> list[str]:
    """Ids of every TaskGroup below the DAG's root group."""
    root = getattr(dag, "task_group", None)
    out: list[str] = []
    stack = [root] if root is not None else []
    while stack:
        group = stack.pop()
        for child in getattr(group, "children", {}).values():
            if hasattr(child, "children") and not hasattr(child, "task_id"):
                out.append(child.group_id)
                stack.append(child)
    return out


# ---- entry point inside the Airflow runtime -----------------------------------------------------------


def load_files(paths: Iterable[str]) -> dict[str, Any]:
    """Load each file with its own DagBag; the structures of its DAGs and its import errors, per file."""
    from airflow.models.dagbag import DagBag  # imported here: only ever runs inside the Airflow venv

    files: dict[str, Any] = {}
    for path in paths:
        bag = DagBag(dag_folder=path, include_examples=False, safe_mode=False)
        files[path] = {
            "dags": [s.to_dict() for s in structures_of(bag.dags.values())],
            "import_errors": {str(k): str(v) for k, v in _mapping(bag.import_errors).items()},
        }
    return {"files": files}


def _mapping(value: Any) -> Mapping[Any, Any]:
    return value if isinstance(value, Mapping) else {}


def main(argv: list[str] | None = None) -> int:
    """``python -m dagcheck.runtime_structure [--out FILE] DAG_FILE...`` inside the Airflow 2 runtime."""
    parser = argparse.ArgumentParser(prog="python -m dagcheck.runtime_structure", description=main.__doc__)
    parser.add_argument("paths", nargs="+", help="DAG files to load")
    parser.add_argument("--out", help="write the JSON here instead of stdout (Airflow may log to stdout)")
    args = parser.parse_args(argv)
    text = json.dumps(load_files(args.paths), sort_keys=True)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
