"""Check a wave against the DAG dependency graph, and propose waves that keep dependent DAGs together.

Why: during a migration the DAGs of a wave run on Composer 2 while every other DAG stays on Composer 1.
A hard dependency (sensor, trigger, marker, same file) across that line breaks at cutover; a pool shared
across it silently doubles the pool's concurrency (each environment has its own pool of that name); a
DAG id mentioned in another DAG's strings may be a dependency the analysis cannot see. Everything here is
pure: graph in, warnings or waves out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from waves.dag_graph import DagGraph, Dependency, Location, connected_components

# Warning kinds. Only SPLIT_DEPENDENCY makes a wave invalid; the others need a person's judgement.
SPLIT_DEPENDENCY = "split_dependency"
SPLIT_POOL = "split_pool"
SPLIT_MENTION = "split_mention"
UNDEFINED_DEPENDENCY = "undefined_dependency"
UNKNOWN_DAG = "unknown_dag"
_MAX_NAMED = 5  # DAG ids listed in one message before "and N more"


@dataclass(frozen=True, order=True)
class WaveWarning:
    """One problem of a wave. ``hard``: the wave splits something that must move together."""

    kind: str
    message: str
    dag_ids: tuple[str, ...] = ()
    location: Location | None = None

    @property
    def hard(self) -> bool:
        return self.kind == SPLIT_DEPENDENCY


def _names(ids: Iterable[str]) -> str:
    ids = sorted(ids)
    shown = ", ".join(ids[:_MAX_NAMED])
    return shown + (f" and {len(ids) - _MAX_NAMED} more" if len(ids) > _MAX_NAMED else "")


def _split_message(dep: Dependency, inside: set[str]) -> str:
    moving, staying = (dep.source, dep.target) if dep.source in inside else (dep.target, dep.source)
    return (f"{dep.describe()}: {moving} moves to Composer 2 in this wave, {staying} stays on Composer 1; "
            "move them together")


def check_wave(graph: DagGraph, wave_dag_ids: Iterable[str]) -> list[WaveWarning]:
    """Warnings for a wave: hard dependencies and "mentions" that cross the wave's boundary (both
    directions), pools used inside and outside it, DAGs it depends on that no file defines, and ids the
    graph does not know. Sorted: hard ones first, then by kind, location and message."""
    inside = set(wave_dag_ids)
    defined = set(graph.dag_ids)
    undefined = set(graph.undefined)
    warnings: set[WaveWarning] = set()
    for dag_id in sorted(inside - defined):
        warnings.add(WaveWarning(UNKNOWN_DAG, f"{dag_id} is in the wave but no file of {graph.root or 'the tree'} "
                                              "defines it", (dag_id,)))
    for dep in graph.dependencies:
        if (dep.source in inside) == (dep.target in inside):
            continue
        if dep.target in undefined:
            if dep.source in inside:
                warnings.add(WaveWarning(
                    UNDEFINED_DEPENDENCY,
                    f"{dep.describe()}, which no analysed file defines: check where {dep.target} runs",
                    (dep.source, dep.target), dep.location))
            continue
        kind = SPLIT_DEPENDENCY if dep.hard else SPLIT_MENTION
        message = _split_message(dep, inside)
        if not dep.hard:
            message += " if the string is a real dependency"
        warnings.add(WaveWarning(kind, message, (dep.source, dep.target), dep.location))
    for pool, members in graph.pool_members().items():
        moving = [d for d in members if d in inside]
        staying = [d for d in members if d not in inside]
        if moving and staying:
            first = min(u.location for u in graph.pools if u.pool == pool and u.dag_id in inside)
            warnings.add(WaveWarning(
                SPLIT_POOL,
                f"pool {pool!r} is used by {_names(moving)} (moving) and {_names(staying)} (staying): each "
                "environment enforces its own slots, so together they may run more tasks than the pool allows",
                tuple(sorted(members)), first))
    return sorted(warnings, key=lambda w: (not w.hard, w.kind, w.location or Location("", 0), w.message))


def oversized_groups(graph: DagGraph, max_wave_size: int) -> list[tuple[str, ...]]:
    """Groups of hard-dependent DAGs larger than one wave may be: each gets a wave of its own."""
    return [g for g in _groups(graph) if len(g) > max_wave_size]


def _groups(graph: DagGraph) -> list[tuple[str, ...]]:
    """Hard components restricted to the DAGs some file defines (undefined ones cannot be migrated)."""
    defined = set(graph.dag_ids)
    groups = [tuple(d for d in g if d in defined) for g in graph.components()]
    return [g for g in groups if g]


def propose_waves(graph: DagGraph, max_wave_size: int) -> list[list[str]]:
    """Waves of at most ``max_wave_size`` DAGs that never split a hard-dependency group.

    First-fit decreasing over units: a set of groups linked by shared pools or mentions is one unit when it
    fits in a wave (so soft relations stay together too when they can), else its groups are units of their
    own; a group larger than ``max_wave_size`` is a wave of its own (``oversized_groups`` names them).
    Deterministic: units by (-size, first id), waves in creation order, DAG ids sorted within a wave.
    """
    if max_wave_size < 1:
        raise ValueError(f"max_wave_size must be at least 1, got {max_wave_size}")
    groups = _groups(graph)
    group_of = {dag_id: g for g in groups for dag_id in g}
    soft_links = [(d.source, d.target) for d in graph.soft_dependencies
                  if d.source in group_of and d.target in group_of]
    for members in graph.pool_members().values():
        soft_links += [(members[0], m) for m in members[1:]]
    # Clusters of groups: components over the groups' first ids, linked where any members are.
    clusters = connected_components(
        [g[0] for g in groups],
        [(group_of[a][0], group_of[b][0]) for a, b in soft_links if a in group_of and b in group_of])
    first_to_group = {g[0]: g for g in groups}
    units: list[tuple[str, ...]] = []
    for cluster in clusters:
        members = [first_to_group[first] for first in cluster]
        size = sum(len(g) for g in members)
        if size <= max_wave_size:
            units.append(tuple(sorted(d for g in members for d in g)))
        else:
            units.extend(members)
    units.sort(key=lambda u: (-len(u), u[0]))
    waves: list[list[str]] = []
    for unit in units:
        if len(unit) > max_wave_size:
            waves.append(list(unit))
            continue
        for wave in waves:
            if len(wave) + len(unit) <= max_wave_size:
                wave.extend(unit)
                break
        else:
            waves.append(list(unit))
    return [sorted(w) for w in waves]


def dags_of_files(graph: DagGraph, files: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The DAG ids defined in ``files`` (paths relative to the graph's root), and the files that define
    none (not in the tree, failed to parse, or no DAG found)."""
    dag_ids: set[str] = set()
    empty: list[str] = []
    for file in files:
        found = graph.dags_in_file(file)
        dag_ids.update(found)
        if not found:
            empty.append(file)
    return tuple(sorted(dag_ids)), tuple(empty)
