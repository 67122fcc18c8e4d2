"""Compare the structure of an Airflow 1.10 DAG (from its source) with its Airflow 2 conversion (as loaded).

``compare(source, converted)`` names every difference precisely ("task 'load' lost upstream 'extract'",
"schedule '@daily' -> '0 0 * * *'") and says whether it is allowed:

- ``kind="mismatch"`` (``allowed=False``): the conversion changed the DAG's structure.
- ``kind="allowed"``: an intended change of the conversion (a SubDAG turned into a TaskGroup, a
  1.10 trigger rule renamed by Airflow 2, a preset written as its cron equivalent is not even reported).
- ``kind="not_compared"``: the source value is ``"unknown"``/``"relative"`` (or the source collection is
  incomplete), so nothing can be claimed either way; reported so a reader sees what was not checked.

``compare_files(source_dags, converted_dags)`` pairs the DAGs of one file by dag id (missing/extra DAGs).
Pure functions over ``DagStructure``; no Airflow import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dagcheck.structure import RELATIVE, UNKNOWN, DagStructure

__all__ = ["Difference", "compare", "compare_files", "failures", "inline_subdag"]

MISMATCH = "mismatch"
ALLOWED = "allowed"
NOT_COMPARED = "not_compared"

# croniter / Airflow presets and the cron expression each one means
_PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
# 1.10 trigger rules that Airflow 2 replaces at construction (BaseOperator.__init__ warns and rewrites)
_RENAMED_TRIGGER_RULES = {"dummy": "always", "none_failed_or_skipped": "none_failed_min_one_success"}
# default_args keys the conversion removes on purpose: Airflow 2 has no such argument and does what it asked
_RETIRED_DEFAULT_ARGS = {
    "provide_context": "Airflow 2 passes the context to every python_callable that takes it (AM202)",
}


@dataclass(frozen=True)
class Difference:
    """One difference between the source and the converted structure of a DAG."""

    dag_id: str
    field: str
    expected: Any
    actual: Any
    allowed: bool
    message: str
    kind: str = MISMATCH  # MISMATCH, ALLOWED or NOT_COMPARED (module docstring)


def failures(differences: Iterable[Difference]) -> tuple[Difference, ...]:
    """The differences that fail the check."""
    return tuple(d for d in differences if not d.allowed)


def compare_files(source_dags: Sequence[DagStructure], converted_dags: Sequence[DagStructure]
                  ) -> tuple[Difference, ...]:
    """Compare the DAGs of one file: DAGs missing or added by the conversion, then each pair."""
    known = {s.dag_id: s for s in source_dags if s.dag_id != UNKNOWN}
    unknown = [s for s in source_dags if s.dag_id == UNKNOWN]
    converted = {c.dag_id: c for c in converted_dags}
    out: list[Difference] = []
    for placeholder in unknown:
        where = f" (line {placeholder.source_line})" if placeholder.source_line else ""
        out.append(_not_compared(UNKNOWN, "dag_id", UNKNOWN, None,
                                 f"a DAG whose id or existence is not known statically{where} was not compared"))
    for dag_id, source in known.items():
        if dag_id in converted:
            out.extend(compare(source, converted[dag_id]))
        else:
            out.append(_mismatch(dag_id, "dag_id", dag_id, None, f"DAG '{dag_id}' is missing after conversion"))
    for dag_id in sorted(set(converted) - set(known)):
        if unknown:
            out.append(_not_compared(dag_id, "dag_id", None, dag_id,
                                     f"DAG '{dag_id}' is not among the statically known DAGs of the source"))
        else:
            out.append(_mismatch(dag_id, "dag_id", None, dag_id, f"DAG '{dag_id}' is new after conversion"))
    return tuple(out)


def compare(source: DagStructure, converted: DagStructure) -> tuple[Difference, ...]:
    """Every difference between one source DAG and its conversion (module docstring for the kinds)."""
    dag_id = source.dag_id
    out: list[Difference] = []
    if source.dag_id != converted.dag_id:
        out.append(_mismatch(dag_id, "dag_id", source.dag_id, converted.dag_id,
                             f"dag id '{source.dag_id}' -> '{converted.dag_id}'"))
    source, inlined = _inline_converted_subdags(source, converted)
    out.extend(inlined)
    out.extend(_compare_schedule(dag_id, source.schedule, converted.schedule))
    out.extend(_compare_value(dag_id, "catchup", source.catchup, converted.catchup))
    out.extend(_compare_value(dag_id, "start_date", source.start_date, converted.start_date))
    out.extend(_compare_tasks(source, converted))
    out.extend(_compare_edges(source, converted))
    out.extend(_compare_per_task(source, converted, "retries"))
    out.extend(_compare_per_task(source, converted, "trigger_rules"))
    out.extend(_compare_default_args(source, converted))
    out.extend(_compare_subdags(source, converted))
    return tuple(out)


# ---- scalar fields ------------------------------------------------------------------------------------


def canonical_schedule(value: str | None) -> str | None:
    """A preset as its cron expression, cron fields single-spaced; other values unchanged."""
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    return _PRESETS.get(text, text)


def _compare_schedule(dag_id: str, expected: Any, actual: Any) -> list[Difference]:
    if expected in (UNKNOWN, RELATIVE):
        return [_not_compared(dag_id, "schedule", expected, actual,
                              f"schedule not known statically; converted is {_show(actual)}")]
    if canonical_schedule(expected) == canonical_schedule(actual):
        return []
    return [_mismatch(dag_id, "schedule", expected, actual, f"schedule {_show(expected)} -> {_show(actual)}")]


def _compare_value(dag_id: str, name: str, expected: Any, actual: Any) -> list[Difference]:
    if expected in (UNKNOWN, RELATIVE):
        why = "depends on the parse time" if expected == RELATIVE else "not known statically"
        return [_not_compared(dag_id, name, expected, actual, f"{name} {why}; converted is {_show(actual)}")]
    if expected == actual and type(expected) is type(actual):
        return []
    return [_mismatch(dag_id, name, expected, actual, f"{name} {_show(expected)} -> {_show(actual)}")]


# ---- tasks and edges -----------------------------------------------------------------------------------


def _compare_tasks(source: DagStructure, converted: DagStructure) -> list[Difference]:
    dag_id = source.dag_id
    missing = sorted(set(source.task_ids) - set(converted.task_ids))
    extra = sorted(set(converted.task_ids) - set(source.task_ids))
    out: list[Difference] = []
    renamed = _renames(source, converted, missing, extra)
    for old, new in renamed.items():
        out.append(_mismatch(dag_id, "task_ids", old, new, f"task '{old}' appears renamed to '{new}'"))
    for task in missing:
        if task not in renamed:
            out.append(_mismatch(dag_id, "task_ids", task, None, f"task '{task}' is missing after conversion"))
    for task in extra:
        if task in renamed.values():
            continue
        if "task_ids" in source.incomplete:
            out.append(_not_compared(dag_id, "task_ids", None, task,
                                     f"task '{task}' is not among the statically known tasks of the source"))
        else:
            out.append(_mismatch(dag_id, "task_ids", None, task, f"task '{task}' is new after conversion"))
    return out


def _neighbours(structure: DagStructure, task: str) -> tuple[frozenset[str], frozenset[str]]:
    ups = frozenset(u for u, d in structure.edges if d == task)
    downs = frozenset(d for u, d in structure.edges if u == task)
    return ups, downs


def _renames(source: DagStructure, converted: DagStructure, missing: list[str], extra: list[str]
             ) -> dict[str, str]:
    """Missing tasks that match exactly one new task by their neighbours (and vice versa)."""
    candidates: dict[str, list[str]] = {}
    for old in missing:
        shape = _neighbours(source, old)
        candidates[old] = [new for new in extra if _neighbours(converted, new) == shape]
    renamed: dict[str, str] = {}
    for old, news in candidates.items():
        if len(news) == 1 and sum(news[0] in other for other in candidates.values()) == 1:
            renamed[old] = news[0]
    return renamed


def _compare_edges(source: DagStructure, converted: DagStructure) -> list[Difference]:
    """Edges between tasks present on both sides (a missing task is reported once, as a task)."""
    dag_id = source.dag_id
    common = set(source.task_ids) & set(converted.task_ids)
    expected = {e for e in source.edges if e[0] in common and e[1] in common}
    actual = {e for e in converted.edges if e[0] in common and e[1] in common}
    out: list[Difference] = []
    for up, down in sorted(expected - actual):
        out.append(_mismatch(dag_id, "edges", [up, down], None, f"task '{down}' lost upstream '{up}'"))
    for up, down in sorted(actual - expected):
        message = f"task '{down}' gained upstream '{up}'"
        if "edges" in source.incomplete:
            out.append(_not_compared(dag_id, "edges", None, [up, down],
                                     f"{message}, but the source's dependencies are not all known statically"))
        else:
            out.append(_mismatch(dag_id, "edges", None, [up, down], message))
    return out


def _compare_per_task(source: DagStructure, converted: DagStructure, name: str) -> list[Difference]:
    dag_id = source.dag_id
    expected_map: dict[str, Any] = getattr(source, name)
    actual_map: dict[str, Any] = getattr(converted, name)
    label = "retries" if name == "retries" else "trigger rule"
    out: list[Difference] = []
    for task in sorted(set(expected_map) & set(actual_map)):
        expected, actual = expected_map[task], actual_map[task]
        if expected == UNKNOWN:
            out.append(_not_compared(dag_id, name, expected, actual,
                                     f"task '{task}' {label} not known statically; converted is {_show(actual)}"))
        elif name == "trigger_rules" and _RENAMED_TRIGGER_RULES.get(expected) == actual:
            out.append(_allowed(dag_id, name, expected, actual,
                                f"task '{task}' trigger rule '{expected}' is '{actual}' in Airflow 2"))
        elif expected != actual:
            out.append(_mismatch(dag_id, name, expected, actual,
                                 f"task '{task}' {label} {_show(expected)} -> {_show(actual)}"))
    return out


def _renamed_keys() -> dict[str, frozenset[str]]:
    from dagconvert.rules.default_args_renamed import RENAMED_KEYS  # the conversion's own table (AM208)

    return RENAMED_KEYS


def _renamed_to(old: str, value: Any, actual: dict[str, Any]) -> str | None:
    """The new name a dropped default_args key lives on under, with the same value (AM208), else None."""
    return next((new for new in sorted(_renamed_keys().get(old, ())) if actual.get(new, UNKNOWN) == value), None)


def _renamed_from(new: str, value: Any, expected: dict[str, Any]) -> str | None:
    """The 1.10 key whose value an added default_args key carries under its Airflow 2 name (AM208), else None."""
    return next((old for old, news in sorted(_renamed_keys().items())
                 if new in news and old in expected and expected[old] == value), None)


def _compare_default_args(source: DagStructure, converted: DagStructure) -> list[Difference]:
    dag_id = source.dag_id
    expected, actual = source.default_args, converted.default_args
    out: list[Difference] = []
    for key in sorted(set(expected) | set(actual)):
        field = f"default_args.{key}"
        if key in expected and expected[key] == UNKNOWN:
            out.append(_not_compared(dag_id, field, UNKNOWN, actual.get(key),
                                     f"default_args '{key}' not known statically"))
        elif key not in actual and key in _RETIRED_DEFAULT_ARGS:
            out.append(_allowed(dag_id, field, expected[key], None,
                                f"default_args '{key}' removed: {_RETIRED_DEFAULT_ARGS[key]}"))
        elif key not in actual and (new := _renamed_to(key, expected[key], actual)):
            out.append(_allowed(dag_id, field, expected[key], None,
                                f"default_args '{key}' renamed to '{new}', the name Airflow 2 takes (AM208)"))
        elif key not in actual:
            out.append(_mismatch(dag_id, field, expected[key], None, f"default_args '{key}' was dropped"))
        elif key not in expected and (old := _renamed_from(key, actual[key], expected)):
            out.append(_allowed(dag_id, field, None, actual[key],
                                f"default_args '{key}' added with the value of '{old}', the name Airflow 2 takes "
                                f"for it (AM208)"))
        elif key not in expected:
            if "default_args" in source.incomplete:
                out.append(_not_compared(dag_id, field, None, actual[key],
                                         f"default_args '{key}' is not among the statically known default_args"))
            else:
                out.append(_mismatch(dag_id, field, None, actual[key],
                                     f"default_args '{key}' = {_show(actual[key])} was added"))
        elif expected[key] != actual[key]:
            out.append(_mismatch(dag_id, field, expected[key], actual[key],
                                 f"default_args '{key}' {_show(expected[key])} -> {_show(actual[key])}"))
    return out


def _compare_subdags(source: DagStructure, converted: DagStructure) -> list[Difference]:
    dag_id = source.dag_id
    expected = {s.dag_id: s for s in source.subdags}
    actual = {s.dag_id: s for s in converted.subdags}
    out: list[Difference] = []
    for sub_id in sorted(set(expected) | set(actual)):
        if sub_id in expected and sub_id in actual:
            out.extend(compare(expected[sub_id], actual[sub_id]))
        elif sub_id in expected:
            out.append(_mismatch(dag_id, "subdags", sub_id, None, f"SubDAG '{sub_id}' is missing after conversion"))
        elif "subdags" in source.incomplete:
            out.append(_not_compared(dag_id, "subdags", None, sub_id,
                                     f"SubDAG '{sub_id}' is not among the statically known SubDAGs"))
        else:
            out.append(_mismatch(dag_id, "subdags", None, sub_id, f"SubDAG '{sub_id}' is new after conversion"))
    return out


# ---- SubDAG -> TaskGroup ------------------------------------------------------------------------------


def _inline_converted_subdags(source: DagStructure, converted: DagStructure
                              ) -> tuple[DagStructure, list[Difference]]:
    """Inline, into the source, each SubDAG that the conversion turned into a TaskGroup of the same name."""
    converted_subdags = {s.dag_id for s in converted.subdags}
    return _inline_where_grouped(source, set(converted.task_ids), converted_subdags, "", source.dag_id)


def _inline_where_grouped(source: DagStructure, converted_ids: set[str], converted_subdags: set[str],
                          prefix: str, report_as: str) -> tuple[DagStructure, list[Difference]]:
    out: list[Difference] = []
    for sub in source.subdags:
        child = _child_name(source.dag_id, sub.dag_id)
        if child is None:
            continue
        full = prefix + child
        grouped = full not in converted_ids and sub.dag_id not in converted_subdags and any(
            t.startswith(full + ".") for t in converted_ids)
        if not grouped:
            continue
        inner, nested = _inline_where_grouped(sub, converted_ids, converted_subdags, full + ".", report_as)
        source = inline_subdag(source, child, inner)
        out.extend(nested)
        out.append(_allowed(report_as, "subdags", sub.dag_id, full,
                            f"SubDAG '{sub.dag_id}' became TaskGroup '{full}' ({len(inner.task_ids)} tasks)"))
    return source, out


def _child_name(parent_id: str, sub_id: str) -> str | None:
    prefix = parent_id + "."
    return sub_id[len(prefix):] if sub_id.startswith(prefix) else None


def inline_subdag(parent: DagStructure, child: str, sub: DagStructure) -> DagStructure:
    """``parent`` with its SubDagOperator task ``child`` replaced by ``sub``'s tasks as ``child.<task>``.

    Edges into ``child`` go to the SubDAG's roots, edges out of it leave from its leaves, as a TaskGroup's
    do in Airflow 2; the SubDAG's own retries and trigger rules become those of the inlined tasks.
    """
    def name(task: str) -> str:
        return f"{child}.{task}"

    roots = [t for t in sub.task_ids if not any(d == t for _, d in sub.edges)]
    leaves = [t for t in sub.task_ids if not any(u == t for u, _ in sub.edges)]
    edges: set[tuple[str, str]] = {(name(u), name(d)) for u, d in sub.edges}
    for up, down in parent.edges:
        if down == child:
            edges.update((up, name(r)) for r in roots)
        elif up == child:
            edges.update((name(leaf), down) for leaf in leaves)
        else:
            edges.add((up, down))
    incomplete = set(parent.incomplete) | {p for p in sub.incomplete if p in ("task_ids", "edges", "subdags")}
    return replace(
        parent,
        task_ids=tuple(sorted([t for t in parent.task_ids if t != child] + [name(t) for t in sub.task_ids])),
        edges=tuple(sorted(edges)),
        retries={**{k: v for k, v in parent.retries.items() if k != child},
                 **{name(k): v for k, v in sub.retries.items()}},
        trigger_rules={**{k: v for k, v in parent.trigger_rules.items() if k != child},
                       **{name(k): v for k, v in sub.trigger_rules.items()}},
        # a nested SubDAG keeps its id: parent.child.grandchild is also parent + "." + its new task id
        subdags=tuple(sorted([s for s in parent.subdags if s.dag_id != f"{parent.dag_id}.{child}"]
                             + list(sub.subdags), key=lambda s: s.dag_id)),
        incomplete=tuple(p for p in ("task_ids", "edges", "default_args", "subdags") if p in incomplete),
        task_groups=tuple(sorted({*parent.task_groups, child, *(name(g) for g in sub.task_groups)})),
    )


# ---- helpers -------------------------------------------------------------------------------------------


def _show(value: Any) -> str:
    return "None" if value is None else repr(value)


def _mismatch(dag_id: str, field: str, expected: Any, actual: Any, message: str) -> Difference:
    return Difference(dag_id, field, expected, actual, False, message, MISMATCH)


def _allowed(dag_id: str, field: str, expected: Any, actual: Any, message: str) -> Difference:
    return Difference(dag_id, field, expected, actual, True, message, ALLOWED)


def _not_compared(dag_id: str, field: str, expected: Any, actual: Any, message: str) -> Difference:
    return Difference(dag_id, field, expected, actual, True, f"not compared: {message}", NOT_COMPARED)
