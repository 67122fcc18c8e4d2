"""The test stage: prove each converted DAG file in the target's real Airflow 2 runtime.

``run_test_stage(out_dir, source_dir, profile)`` pairs every converted ``.py`` file with its Airflow 1.10
source by relative path, loads the converted files in one long-lived runtime session
(``airflow_runtime.client.RuntimeSession``: Airflow imported once, one forked child per file with a time
limit, a memory limit and crash isolation, files in parallel up to ``jobs``), runs ruff's AIR rules over
them meanwhile, and runs the checks of ``dagcheck.checks`` on each file as its result arrives. One result
per converted file, whatever happens to the others; source files without a converted file are listed as
not tested. The structure of the sources comes from static analysis (``STRUCTURE_METHOD``). A DAG id
defined in more than one file fails the import check of every one of them (``dagcheck.duplicates``).

The orchestrator never imports Airflow: everything Airflow does happens in the runtime's processes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow_runtime.client import RuntimeSession
from airflow_runtime.inside.fileload import PROVIDER_PRELOAD
from airflow_runtime.inside.protocol import DEFAULT_LOGICAL_DATE, DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIMEOUT_S
from airflow_runtime.results import STATUS_OK, FileLoadResult
from dagcheck.checks import CHECKS, CheckInput, CheckResult, StructureCheck, file_passed, run_checks
from dagcheck.checks.model import LintOutcome, skipped
from dagcheck.checks.ruff import ruff_version, start_lint
from dagcheck.checks.structure_check import METHOD as STRUCTURE_METHOD
from dagcheck.duplicates import mark_duplicates
from dagcheck.static_structure import StaticExtraction, extract_static
from dagconvert.runner import iter_tree

__all__ = ["STRUCTURE_METHOD", "FileTestResult", "NotTested", "StageError", "StageResult", "not_a_dag_result",
           "pair_files", "run_test_stage"]

WARMUP_MODULE = "dagcheck.checks.runtime_warmup"  # a shim now: the loader warms itself up (inside.warmup)
NOT_A_DAG = "not_a_dag"  # status of a file Airflow itself would not parse (no "airflow" and "dag" in it)

FileCallback = Callable[["FileTestResult"], None]


class StageError(ValueError):
    """The stage cannot run at all (missing or overlapping trees): a usage error, not a DAG's failure."""


@dataclass(frozen=True)
class FileTestResult:
    """The checks of one converted file. ``path``: relative to the output tree (POSIX separators)."""

    path: str
    source_path: str | None
    status: str  # the runtime's load status (airflow_runtime.inside.protocol), or NOT_A_DAG
    checks: tuple[CheckResult, ...]
    dag_ids: tuple[str, ...] = ()
    elapsed_s: float = 0.0
    detail: str | None = None
    max_rss_mb: float | None = None

    @property
    def passed(self) -> bool:
        return file_passed(self.checks)

    def check(self, name: str) -> CheckResult | None:
        return next((c for c in self.checks if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "source_path": self.source_path, "passed": self.passed, "status": self.status,
                "dag_ids": list(self.dag_ids), "elapsed_s": self.elapsed_s, "detail": self.detail,
                "max_rss_mb": self.max_rss_mb, "checks": [c.to_dict() for c in self.checks]}


@dataclass(frozen=True)
class NotTested:
    """A source file with no converted file: the conversion failed (or skipped it), nothing to test."""

    source_path: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"source_path": self.source_path, "reason": self.reason}


@dataclass(frozen=True)
class StageResult:
    """Everything the stage found, in the order of the output tree."""

    out_dir: str
    source_dir: str
    profile: str
    files: tuple[FileTestResult, ...]
    not_tested: tuple[NotTested, ...] = ()
    airflow_version: str | None = None
    logical_date: str = DEFAULT_LOGICAL_DATE
    structure_method: str = STRUCTURE_METHOD
    lint_tool: str | None = None
    elapsed_s: float = 0.0
    notes: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> tuple[FileTestResult, ...]:
        return tuple(f for f in self.files if f.passed)

    @property
    def failed(self) -> tuple[FileTestResult, ...]:
        return tuple(f for f in self.files if not f.passed)

    @property
    def ok(self) -> bool:
        """Every converted file passed (files that were not converted are the conversion's failures)."""
        return not self.failed


@dataclass(frozen=True)
class _Pair:
    """A converted file, its path relative to the output tree, and its source (absolute) when there is one."""

    converted: Path
    rel: str
    source: Path | None


def run_test_stage(out_dir: Path, source_dir: Path, profile: str | None = None, *, jobs: int | None = None,
                   timeout_s: float = DEFAULT_TIMEOUT_S, memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB,
                   on_result: FileCallback | None = None, on_start: Callable[[int], None] | None = None,
                   python: Path | None = None, airflow_home_template: Path | None = None,
                   runtimes_root: Path | None = None) -> StageResult:
    """Test every converted file under ``out_dir`` against its source under ``source_dir`` (module docstring).

    ``on_start(n)`` is called with the number of files before loading starts, ``on_result`` with each file's
    result as it is done (in completion order; the returned ``files`` are in tree order, and only they carry
    the cross-file finding of duplicate DAG ids, which needs every file's result). ``python`` /
    ``airflow_home_template`` / ``runtimes_root`` pick a runtime other than the profile's built one.
    Raises ``StageError`` for unusable trees, and the session's errors (``RuntimeNotBuiltError``,
    ``UnknownProfileError``, ``LoaderStartError``) when the runtime cannot be used.
    """
    started = time.perf_counter()
    out_root, source_root = _check_trees(Path(out_dir), Path(source_dir))
    profile_name = _profile_name(profile, python)  # an unknown profile is a usage error, found before any work
    pairs, not_tested = pair_files(out_root, source_root)
    to_load = [p for p in pairs if might_contain_dag(p.converted)]
    lint = start_lint([p.converted for p in pairs], cwd=out_root if out_root.is_dir() else out_root.parent)
    if on_start is not None:
        on_start(len(pairs))
    results: dict[str, FileTestResult] = {}

    def deliver(result: FileTestResult) -> None:
        results[result.path] = result
        if on_result is not None:
            on_result(result)

    ready: dict[str, Any] = {}
    timings: dict[str, float] = {}
    restarts = 0
    session = RuntimeSession(profile, python=python, root=runtimes_root, airflow_home_template=airflow_home_template,
                             jobs=jobs, memory_limit_mb=memory_limit_mb, default_timeout_s=timeout_s,
                             preload=PROVIDER_PRELOAD)
    statics = _StaticsAhead([p.source for p in to_load])
    if to_load:
        statics.start()  # on the core the runtime's start leaves idle, instead of beside the loader's children
        try:
            session.start()
        except BaseException:
            lint.cancel()
            statics.stop()
            raise
        timings["runtime_start_s"] = round(time.perf_counter() - started, 3)
    lint_results = lint.results()
    loaded = set(to_load)
    for pair in pairs:
        if pair not in loaded:
            deliver(not_a_dag_result(pair, lint_results.get(pair.converted)))
    if to_load:
        with session:
            loading = time.perf_counter()
            _load_and_check(session, to_load, out_root, lint_results, results, deliver, statics)
            timings["load_and_check_s"] = round(time.perf_counter() - loading, 3)
            ready, restarts = dict(session.ready_info), session.restarts
    by_rel = {p.rel: p.converted for p in pairs}
    files = mark_duplicates(tuple(results[p.rel] for p in pairs), lambda rel: _read_text(by_rel.get(rel)))
    return StageResult(
        out_dir=str(out_root), source_dir=str(source_root), profile=profile_name,
        files=files, not_tested=tuple(not_tested),
        airflow_version=ready.get("airflow_version"), lint_tool=ruff_version(),
        elapsed_s=round(time.perf_counter() - started, 3), notes=_session_notes(ready, restarts), timings=timings)


def _load_and_check(session: RuntimeSession, to_load: list[_Pair], out_root: Path,
                    lint_results: dict[Path, LintOutcome], results: dict[str, FileTestResult],
                    deliver: FileCallback, statics: _StaticsAhead | None = None) -> None:
    """Load ``to_load`` in the session and check each file as its result arrives (while others load)."""
    by_path = {p.converted: p for p in to_load}
    ahead = statics if statics is not None else _StaticsAhead([])

    def on_load(load: FileLoadResult) -> None:
        pair = by_path.get(Path(load.file))
        if pair is not None and pair.rel not in results:
            deliver(_check_file(pair, load, lint_results.get(pair.converted), ahead.get(pair.source)))

    dags_root = out_root if out_root.is_dir() else out_root.parent  # on sys.path, as Composer's dags/ folder
    try:
        loads = session.load_files([p.converted for p in to_load], dags_root=dags_root, on_result=on_load)
        for pair, load in zip(to_load, loads, strict=True):  # any result the callback could not place
            if pair.rel not in results:
                deliver(_check_file(pair, load, lint_results.get(pair.converted), ahead.get(pair.source)))
    finally:
        ahead.stop()


class _StaticsAhead:
    """The static structures of the source files, computed in a background thread while the runtime starts.

    Starting the runtime keeps one core busy for about two seconds and the other one idle; the orchestrator's
    heaviest per-file work (parsing each Airflow 1.10 source) is done there instead of beside the loader's
    children. ``get(source)`` returns the precomputed result, else computes it (same function: ``_static``).
    """

    def __init__(self, sources: list[Path | None]) -> None:
        self.sources = [s for s in sources if s is not None]
        self.done: dict[Path, StaticExtraction | None] = {}
        self.stopped = False
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.sources:
            self.thread = threading.Thread(target=self._run, name="static-structures", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        for source in self.sources:
            if self.stopped:
                return
            if source not in self.done:
                self.done[source] = _static(source)

    def stop(self) -> None:
        self.stopped = True

    def get(self, source: Path | None) -> StaticExtraction | None:
        if source is not None and source in self.done:
            return self.done[source]
        return _static(source)


# ---------------------------------------------------------------- trees


def _check_trees(out_dir: Path, source_dir: Path) -> tuple[Path, Path]:
    if not out_dir.exists():
        raise StageError(f"converted tree {out_dir} does not exist (run `convert` first)")
    if not source_dir.exists():
        raise StageError(f"source tree {source_dir} does not exist")
    out_root, source_root = out_dir.resolve(), source_dir.resolve()
    if out_root == source_root:
        raise StageError("the converted tree and the source tree are the same: give the Airflow 1.10 tree as --source")
    if out_root.is_relative_to(source_root) or source_root.is_relative_to(out_root):
        raise StageError(f"the converted tree {out_root} and the source tree {source_root} must not contain each other")
    if out_root.is_file() != source_root.is_file():
        raise StageError("give two folders (converted, source) or two files, not one of each")
    return out_root, source_root


def _python_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for path in iter_tree(root):
        if path.suffix == ".py" and path.is_file():
            yield path


def pair_files(out_root: Path, source_root: Path) -> tuple[list[_Pair], list[NotTested]]:
    """Each converted ``.py`` file with its source (same relative path); sources with no converted file."""
    if out_root.is_file():
        return [_Pair(out_root, out_root.name, source_root)], []
    converted = {p.relative_to(out_root).as_posix(): p for p in _python_files(out_root)}
    sources = {p.relative_to(source_root).as_posix(): p for p in _python_files(source_root)}
    pairs = [_Pair(path, rel, sources.get(rel)) for rel, path in converted.items()]
    missing = [NotTested(rel, "no converted file: the conversion failed for it (see the conversion report) "
                              "or was not run") for rel in sorted(set(sources) - set(converted))]
    return pairs, missing


def might_contain_dag(path: Path) -> bool:
    """Airflow's own heuristic (DagBag safe mode, as Composer parses): the bytes hold "airflow" and "dag"."""
    try:
        data = path.read_bytes().lower()
    except OSError:
        return True  # let the loader report why it cannot be read
    return b"airflow" in data and b"dag" in data


# ---------------------------------------------------------------- one file


def _read_text(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def _static(source: Path | None) -> StaticExtraction | None:
    """The static structure of a source file; an analysis that breaks is reported, never raised."""
    text = _read_text(source)
    if source is None or text is None:
        return None
    try:
        return extract_static(text, str(source))
    except Exception as exc:  # noqa: BLE001 - isolation boundary: the file's other checks must still run
        return StaticExtraction(path=str(source), dags=(), error=f"static analysis failed: {type(exc).__name__}: {exc}")


_NOT_GIVEN: Any = object()


def _check_file(pair: _Pair, load: FileLoadResult, lint: LintOutcome | None,
                static: StaticExtraction | None = _NOT_GIVEN) -> FileTestResult:
    if static is _NOT_GIVEN:
        static = _static(pair.source)
    source_rel = pair.rel if pair.source is not None else None
    data = CheckInput(path=pair.rel, load=load, converted_text=_read_text(pair.converted), source_path=source_rel,
                      source=static, lint=lint)
    return FileTestResult(path=pair.rel, source_path=source_rel, status=load.status, checks=run_checks(data),
                          dag_ids=load.dag_ids, elapsed_s=load.elapsed_s, detail=load.detail,
                          max_rss_mb=load.max_rss_mb)


def not_a_dag_result(pair: _Pair, lint: LintOutcome | None) -> FileTestResult:
    """A file Airflow would not parse: its checks are skipped, not failed, unless its source defined DAGs
    (then the structure check names each DAG the conversion lost)."""
    why = "not a DAG file: it mentions neither \"airflow\" nor \"dag\", so Airflow does not parse it"
    static = _static(pair.source)
    lost_dags = static is not None and bool(static.dags)
    load = FileLoadResult(file=str(pair.converted), status=STATUS_OK if lost_dags else NOT_A_DAG)
    data = CheckInput(path=pair.rel, load=load, converted_text=_read_text(pair.converted),
                      source_path=pair.rel if pair.source else None, source=static, lint=lint)
    checks = tuple(c.run(data) if c.info_only or (lost_dags and c is StructureCheck) else skipped(c.name, why)
                   for c in CHECKS)
    return FileTestResult(path=pair.rel, source_path=pair.rel if pair.source else None, status=NOT_A_DAG,
                          checks=checks, detail=why)


def _session_notes(ready: dict[str, Any], restarts: int) -> tuple[str, ...]:
    notes = []
    failed = ready.get("preload_failed") or {}
    for module, why in sorted(failed.items()):
        notes.append(f"runtime preload of {module} failed ({why}); files still load, more slowly")
    if restarts:
        notes.append(f"the runtime's loader died and was restarted {restarts} time(s); its files are reported")
    return tuple(notes)


def _profile_name(profile: str | None, python: Path | None) -> str:
    from target_profiles import load_profile

    if python is not None and profile is None:
        return f"{load_profile(None).name} (runtime {python})"
    return load_profile(profile).name
