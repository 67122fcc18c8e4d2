"""What the loader's child process does with one DAG file: fill a DagBag, then render templates.

Runs INSIDE the runtime venv, in a forked child (see ``loader``). Two sections, each a plain JSON dict,
so that a child killed while rendering still leaves its import findings behind:

- ``import_section``: status, import errors (message + line in the DAG file), the warnings the DAG
  file's own code raised, the DAG ids and their structures (``dagcheck.runtime_structure``);
- ``render_section``: every templated field of every task rendered for a fixed logical date under the
  DAG's Jinja environment (StrictUndefined unless the DAG says otherwise, as in Airflow), each failure
  as {dag_id, task_id, field, error, kind}, and the warnings raised while rendering (deprecated context
  variables such as ``execution_date``) against their task and field.

Module level is standard library only: the pure helpers are unit-tested without Airflow.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
import warnings
from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any, Self

from airflow_runtime.inside import guard
from airflow_runtime.inside.protocol import STATUS_IMPORT_ERROR, STATUS_MEMORY, STATUS_OK, STATUS_TIMEOUT

# Modules imported once by the long-lived loader parent, so each child starts with them loaded.
# Forking a process that has threads is unsafe: these must not start any. (pyarrow, under the google
# provider, starts a jemalloc background thread unless JE_ARROW_MALLOC_CONF=background_thread:false,
# which ``airflow_runtime.env.runtime_env`` sets; the loader reports its thread count when ready.)
CORE_PRELOAD = (
    "airflow",
    "airflow.models.dagbag",
    "airflow.models.dag",
    "airflow.models.baseoperator",
    "airflow.models.taskinstance",
    "airflow.models.dagrun",
    "airflow.operators.bash",
    "airflow.operators.python",
    "airflow.operators.empty",
    "airflow.sensors.base",
    "airflow.utils.context",
    "airflow.macros",
    "jinja2",
)

# Modern provider modules that Composer DAGs use most. Preloading them saves each child the provider
# import (measured: a BigQuery DAG 1.04 s -> 0.14 s per file) for about 1-2 s once at loader start.
# Only non-deprecated modules: a deprecated module warns once, at its first import, and that warning
# must happen in the child, against the DAG file that imports it. Absent modules are skipped.
PROVIDER_PRELOAD = (
    "airflow.providers.google.cloud.operators.bigquery",
    "airflow.providers.google.cloud.operators.gcs",
    "airflow.providers.google.cloud.operators.dataproc",
    "airflow.providers.google.cloud.operators.dataflow",
    "airflow.providers.google.cloud.operators.pubsub",
    "airflow.providers.google.cloud.operators.kubernetes_engine",
    "airflow.providers.google.cloud.transfers.gcs_to_bigquery",
    "airflow.providers.google.cloud.transfers.bigquery_to_gcs",
    "airflow.providers.google.cloud.sensors.gcs",
    "airflow.providers.cncf.kubernetes.operators.pod",
    "airflow.providers.http.operators.http",
    "airflow.providers.common.sql.operators.sql",
)

_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')
_CAPTURED = re.compile(r"^(?P<lineno>\d+): (?P<category>[^:]+): (?P<message>.*)$", re.DOTALL)


# ---------------------------------------------------------------- pure helpers (no Airflow)


def _same_file(a: str, b: str) -> bool:
    return a == b or os.path.realpath(a) == os.path.realpath(b)


def error_line(traceback_text: str, dag_file: str) -> int | None:
    """Line in ``dag_file`` of the innermost traceback frame in that file (for a SyntaxError: its line)."""
    line = None
    for match in _FRAME.finditer(traceback_text):
        if _same_file(match.group("file"), dag_file):
            line = int(match.group("line"))
    return line


def error_summary(traceback_text: str) -> str:
    """The exception part of a formatted traceback (``ModuleNotFoundError: No module named 'x'``).

    Everything after the last frame (``  File "...", line N`` and its indented source/caret lines), so a
    message spanning lines (Airflow's "Invalid arguments were passed ... **kwargs: {...}") stays whole.
    """
    lines = traceback_text.rstrip().splitlines()
    if "Traceback (most recent call last)" not in traceback_text:
        return traceback_text.strip()
    last_frame = max((i for i, ln in enumerate(lines) if _FRAME.search(ln) and ln.startswith("  File ")),
                     default=-1)
    start = last_frame + 1
    while start < len(lines) and (lines[start].startswith(" ") or not lines[start].strip()):
        start += 1
    return "\n".join(lines[start:]).strip() or lines[-1].strip()


def qualified_category(category: type) -> str:
    """Warning category as Airflow's DagBag spells it: builtins bare, others ``module.Name``."""
    module = getattr(category, "__module__", "builtins")
    return category.__name__ if module == "builtins" else f"{module}.{category.__name__}"


def parse_captured_warning(text: str, dag_file: str) -> dict[str, Any] | None:
    """Parse one ``DagBag.captured_warnings`` entry (``file:line: category: message``) for ``dag_file``."""
    prefix = f"{dag_file}:"
    if not text.startswith(prefix):
        return None
    match = _CAPTURED.match(text[len(prefix):])
    if not match:
        return None
    return {"category": match.group("category"), "message": match.group("message"),
            "filename": dag_file, "lineno": int(match.group("lineno")), "source": "dagbag"}


def own_warnings(recorded: Iterable[warnings.WarningMessage], captured: Iterable[str],
                 dag_file: str) -> list[dict[str, Any]]:
    """Warnings whose location is the DAG file itself (its own deprecated usages), deduplicated, in order."""
    seen: set[tuple[str, str, int | None]] = set()
    out: list[dict[str, Any]] = []
    for msg in recorded:
        if not _same_file(str(msg.filename), dag_file):
            continue
        item = {"category": qualified_category(msg.category), "message": str(msg.message),
                "filename": dag_file, "lineno": msg.lineno, "source": "import"}
        key = (item["category"], item["message"], item["lineno"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    for text in captured:
        item = parse_captured_warning(text, dag_file)
        if item is None:
            continue
        key = (item["category"], item["message"], item["lineno"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def classify_render_error(exc: BaseException) -> str:
    """A stable kind for a rendering failure, so reports can separate DAG bugs from missing environment."""
    name = type(exc).__name__
    text = str(exc)
    if name == "UndefinedError":
        return "undefined"
    if name in {"TemplateNotFound", "TemplatesNotFound"}:
        return "template_not_found"
    if name == "TemplateSyntaxError":
        return "syntax"
    if name == "KeyError" and "Variable" in text:
        return "missing_variable"
    if name == "AirflowNotFoundException" and "conn" in text.lower():
        return "missing_connection"
    return "error"


# ---------------------------------------------------------------- Airflow side (imported lazily)


def preload(modules: Iterable[str] = CORE_PRELOAD) -> dict[str, str]:
    """Import ``modules`` (the loader parent calls this once). Returns {module: error} for failures."""
    import importlib

    failed: dict[str, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception as exc:  # noqa: BLE001 - a bad preload entry must not stop the loader
                failed[name] = f"{type(exc).__name__}: {exc}"
    return failed


def structure_function() -> tuple[Any, str | None]:
    """``dagcheck.runtime_structure.structure_of`` or (None, why not)."""
    try:
        from dagcheck.runtime_structure import structure_of
    except Exception as exc:  # noqa: BLE001 - missing while it is being written, or broken
        return None, f"dagcheck.runtime_structure unavailable ({type(exc).__name__}: {exc}); DAG structures omitted"
    return structure_of, None


def fill_dagbag(dag_file: str) -> tuple[Any, list[warnings.WarningMessage]]:
    """A DagBag of exactly ``dag_file``, plus every warning raised while filling it."""
    from airflow.models.dagbag import DagBag

    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always")
        dagbag = DagBag(dag_folder=dag_file, include_examples=False, safe_mode=False, load_op_links=False)
    return dagbag, list(recorded)


def import_section(dag_file: str, dagbag: Any, recorded: list[warnings.WarningMessage]) -> dict[str, Any]:
    """Import errors, own warnings, DAG ids and structures of one filled DagBag."""
    import_errors = []
    for path, text in dagbag.import_errors.items():
        text = str(text)
        import_errors.append({"file": path, "line": error_line(text, dag_file), "message": error_summary(text),
                              "traceback": text})
    captured = [c for texts in getattr(dagbag, "captured_warnings", {}).values() for c in texts]
    top_level = [d for d in dagbag.dags.values() if getattr(d, "parent_dag", None) is None]
    notes: list[str] = []
    dags: list[dict[str, Any]] = []
    structure_of, unavailable = structure_function()
    if unavailable:
        notes.append(unavailable)
    else:
        for dag in top_level:
            try:
                dags.append(structure_of(dag).to_dict())
            except Exception as exc:  # noqa: BLE001 - isolation boundary: report and go on
                notes.append(f"structure_of({dag.dag_id!r}) failed: {type(exc).__name__}: {exc}")
    if not import_errors and not top_level:
        notes.append("no DAG object found in the file")
    status = STATUS_OK
    if import_errors:
        status = STATUS_IMPORT_ERROR
        if any(e["message"].startswith("MemoryError") for e in import_errors):
            status = STATUS_MEMORY
    return {
        "status": status,
        "import_errors": import_errors,
        "warnings": own_warnings(recorded, captured, dag_file),
        "dag_ids": sorted(d.dag_id for d in top_level),
        "dags": dags,
        "notes": notes,
    }


def _dag_run_for(dag: Any, logical_date: Any) -> Any:
    """An in-memory scheduled DagRun (never added to a session) for ``logical_date``."""
    from airflow.models.dagrun import DagRun
    from airflow.timetables.base import DataInterval
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunType

    try:
        interval = dag.infer_automated_data_interval(logical_date)
    except Exception:  # noqa: BLE001 - isolation boundary: report and go on
        interval = DataInterval.exact(logical_date)
    run_id = DagRun.generate_run_id(DagRunType.SCHEDULED, logical_date)
    run = DagRun(dag_id=dag.dag_id, run_id=run_id, execution_date=logical_date, data_interval=interval,
                 run_type=DagRunType.SCHEDULED, external_trigger=False, state=DagRunState.RUNNING, conf={})
    run.dag = dag
    return run


def _fallback_context(task: Any, dag: Any, run: Any, logical_date: Any) -> Any:
    """A template context built by hand, for when ``TaskInstance.get_template_context`` fails."""
    from airflow import macros
    from airflow.configuration import conf
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.context import ConnectionAccessor, Context, VariableAccessor

    ti = TaskInstance(task, run_id=run.run_id, map_index=-1)
    ds = logical_date.strftime("%Y-%m-%d")
    ts = logical_date.isoformat()
    params = dict(getattr(dag, "params", {}) or {})
    params.update(getattr(task, "params", {}) or {})
    return Context({
        "dag": dag, "task": task, "ti": ti, "task_instance": ti, "dag_run": run, "run_id": run.run_id,
        "ds": ds, "ds_nodash": ds.replace("-", ""), "ts": ts, "ts_nodash": logical_date.strftime("%Y%m%dT%H%M%S"),
        "logical_date": logical_date, "execution_date": logical_date,
        "data_interval_start": run.data_interval_start, "data_interval_end": run.data_interval_end,
        "params": params, "macros": macros, "conf": conf,
        "var": {"json": VariableAccessor(deserialize_json=True), "value": VariableAccessor(deserialize_json=False)},
        "conn": ConnectionAccessor(),
    })


def _no_previous_run(*_args: Any, **_kwargs: Any) -> None:
    return None


def _context_for(task: Any, dag: Any, run: Any, logical_date: Any) -> tuple[Any, str | None]:
    """Airflow's own template context for ``task`` in ``run``, built without any DB query.

    It is Airflow's ``_get_template_context`` itself (same keys, same values, same deprecation-warning
    wrappers), with the only two lookups it makes eagerly in the DB, the previous *successful* DagRun
    (``prev_*_success``) and its execution date, answered ``None`` on this one TaskInstance. That is what
    the DB answers: the run is in memory and never added to a session, and the test runtime's metadata DB
    (a fresh copy of the migrated template) holds no DAG runs. Everything else it reads lazily
    (``triggering_dataset_events``, ``inlet_events``, ``var``, ``conn``) still reaches the DB on use, as
    before. On failure, a hand-built context (``_fallback_context``) and a note.
    """
    from airflow.models.taskinstance import TaskInstance

    try:
        ti = TaskInstance(task, run_id=run.run_id, map_index=-1)
        ti.dag_run = run
        ti.get_previous_dagrun = _no_previous_run  # instance attributes: this TaskInstance only
        ti.get_previous_execution_date = _no_previous_run
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ti.get_template_context(), None
    except Exception as exc:  # noqa: BLE001 - isolation boundary: report and go on
        note = f"{dag.dag_id}.{task.task_id}: get_template_context failed ({type(exc).__name__}: {exc}); " \
               "rendered with a hand-built context"
        return _fallback_context(task, dag, run, logical_date), note


# Keys of Airflow's template context that depend on the task (``_get_template_context``); every other key
# depends only on the DAG and its run, so one context per DAG run serves every task (``_TaskContexts``).
_PER_TASK_KEYS = ("expanded_ti_count", "inlets", "inlet_events", "map_index_template", "outlets",
                  "outlet_events", "params", "task", "task_instance", "task_instance_key_str", "test_mode", "ti",
                  "var", "conn")  # (the accessors remember their last lookup: fresh ones per task, as Airflow's)


class _TaskContexts:
    """The template contexts of the tasks of one DAG run, Airflow's own computed once per run.

    The first task's context is Airflow's (``_context_for``); a later task of the same DAG gets a copy of it
    with the task-dependent keys (``_PER_TASK_KEYS``) recomputed exactly as ``_get_template_context``
    computes them: its own TaskInstance, ``process_params(dag, task, dag_run)``, its inlets/outlets and their
    accessors, its ``map_index_template``, its mapped-TI count, ``task_instance_key_str``. Same keys, same
    values, the same ``Context`` class (its deprecated-key warnings included). Whenever that cannot be done
    (the first context was hand-built, the task is another DAG's, deriving raises), the task gets its own
    full context as before.
    """

    def __init__(self, dag: Any, run: Any, logical_date: Any) -> None:
        self.dag, self.run, self.logical_date = dag, run, logical_date
        self.base: dict[str, Any] | None = None

    def context_for(self, task: Any) -> tuple[Any, str | None]:
        if self.base is not None and getattr(task, "dag", None) is self.dag:
            try:
                return self._derive(task), None
            except Exception:  # noqa: BLE001, S110 - fall back to Airflow's full context for this task
                pass
        context, note = _context_for(task, self.dag, self.run, self.logical_date)
        if note is None and self.base is None and getattr(task, "dag", None) is self.dag \
                and isinstance(getattr(context, "_context", None), dict) \
                and set(_PER_TASK_KEYS) <= set(context._context):
            self.base = dict(context._context)
        return context, note

    def _derive(self, task: Any) -> Any:
        from airflow import settings
        from airflow.models.abstractoperator import NotMapped
        from airflow.models.param import process_params
        from airflow.models.taskinstance import TaskInstance
        from airflow.utils.context import (
            ConnectionAccessor,
            Context,
            InletEventsAccessors,
            OutletEventAccessors,
            VariableAccessor,
        )

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            session = settings.Session()
            ti = TaskInstance(task, run_id=self.run.run_id, map_index=-1)
            ti.dag_run = self.run
            ti.get_previous_dagrun = _no_previous_run
            ti.get_previous_execution_date = _no_previous_run
            try:
                expanded_ti_count = task.get_mapped_ti_count(ti.run_id, session=session)
            except NotMapped:
                expanded_ti_count = None
            context = dict(self.base)  # type: ignore[arg-type]
            context.update({
                "expanded_ti_count": expanded_ti_count,
                "inlets": task.inlets,
                "inlet_events": InletEventsAccessors(task.inlets, session=session),
                "map_index_template": task.map_index_template,
                "outlets": task.outlets,
                "outlet_events": OutletEventAccessors(),
                "params": process_params(self.dag, task, self.run, suppress_exception=True),
                "task": task,
                "task_instance": ti,
                "task_instance_key_str": f"{task.dag_id}__{task.task_id}__{context['ds_nodash']}",
                "test_mode": ti.test_mode,
                "ti": ti,
                "var": {"json": VariableAccessor(deserialize_json=True),
                        "value": VariableAccessor(deserialize_json=False)},
                "conn": ConnectionAccessor(),
            })
        return Context(context)


class _TemplateCache:
    """Within one DAG: one Jinja environment for the tasks that use the DAG's, each source compiled once.

    ``task.get_template_env()`` builds a new environment from the DAG's settings on every call, and
    ``env.from_string`` compiles the source again every time (Airflow's environments have no cache). A task
    whose ``get_template_env`` is Airflow's own (``AbstractOperator.get_template_env``: the DAG's
    environment) shares one environment per DAG, whose ``from_string`` keeps each compiled ``Template`` per
    identical source string (an instance attribute, on this environment only). Rendering a Template does
    not change it; a source that fails to compile is not cached, so it fails again, the same way. A task
    with its own ``get_template_env`` keeps its own environment, uncached.
    """

    def __init__(self, dag: Any) -> None:
        self.dag = dag
        self.env: Any = None
        try:
            from airflow.models.abstractoperator import AbstractOperator

            self.default_method = AbstractOperator.get_template_env
        except Exception:  # noqa: BLE001 - no sharing, same result
            self.default_method = None

    def env_for(self, task: Any) -> Any:
        shared = (self.default_method is not None and getattr(task, "dag", None) is self.dag
                  and getattr(type(task), "get_template_env", None) is self.default_method)
        if not shared:
            return task.get_template_env()
        if self.env is None:
            env = task.get_template_env()
            _cache_from_string(env)
            self.env = env
        return self.env


# Compiled template code (a Python code object) per (environment settings, source), shared by the files of a
# child's batch: what Jinja's ``compile`` produces depends only on those. Bounded; cleared when full.
_CODE_CACHE: dict[tuple[Any, str], Any] = {}
_CODE_CACHE_MAX = 20_000


def _compile_key(env: Any) -> Any:
    """Everything of ``env`` that Jinja's compiler reads, or None when it is not plain enough to share code.

    Plain: Airflow's own environment classes, a bool ``autoescape``, no ``finalize``, not async. Then the
    compiled code is determined by the class (its code generator), the lexer settings, the extensions, the
    ``optimized`` flag, and which filter and test names exist (an unknown one is a compile-time error).
    """
    try:
        from airflow import templates

        if type(env) not in (templates.SandboxedEnvironment, templates.NativeEnvironment):
            return None
        if not isinstance(env.autoescape, bool) or env.finalize is not None or env.is_async:
            return None
        lexer = (env.block_start_string, env.block_end_string, env.variable_start_string,
                 env.variable_end_string, env.comment_start_string, env.comment_end_string,
                 env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
                 env.newline_sequence, env.keep_trailing_newline)
        return (type(env), env.code_generator_class, lexer, tuple(sorted(env.extensions)), env.optimized,
                env.autoescape, frozenset(env.filters), frozenset(env.tests),
                frozenset(getattr(env, "intercepted_binops", ())), frozenset(getattr(env, "intercepted_unops", ())))
    except Exception:  # noqa: BLE001 - anything unusual: no sharing, same result
        return None


def _cache_from_string(env: Any) -> None:
    original = env.from_string
    compiled: dict[str, Any] = {}
    key = _compile_key(env)

    def from_string(source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or type(source) is not str:
            return original(source, globals, template_class)
        template = compiled.get(source)
        if template is None:
            if key is None:
                template = original(source)
            else:  # what Environment.from_string does, with the compiled code looked up first
                code = _CODE_CACHE.get((key, source))
                if code is None:
                    code = env.compile(source)
                    if len(_CODE_CACHE) >= _CODE_CACHE_MAX:
                        _CODE_CACHE.clear()
                    _CODE_CACHE[(key, source)] = code
                template = env.template_class.from_code(env, code, env.make_globals(None), None)
            compiled[source] = template
        return template

    env.from_string = from_string


def _render_field(task: Any, field: str, context: Any, env: Any) -> None:
    if hasattr(task, "_do_render_template_fields"):
        task._do_render_template_fields(task, [field], context, env, set())
    else:  # pragma: no cover - older Airflow 2
        setattr(task, field, task.render_template(getattr(task, field), context, env, set()))


class _PerDagMemo:
    """While rendering one DAG: remember ``dag.next_dagrun_info`` / ``dag.previous_schedule`` per argument.

    Airflow's template context computes them (cron arithmetic, the most expensive part of the context) for
    every task again, with the same DAG, run and arguments; they are pure functions of those. Instance
    attributes shadowing the methods, removed again on exit, so the DAG is left as it was.
    """

    NAMES = ("next_dagrun_info", "previous_schedule")

    def __init__(self, dag: Any) -> None:
        self.dag = dag
        self.installed: list[str] = []

    def __enter__(self) -> Self:
        for name in self.NAMES:
            if name in getattr(self.dag, "__dict__", {}):
                continue  # already an instance attribute (the DAG's own): leave it alone
            try:
                setattr(self.dag, name, _memoize(getattr(self.dag, name)))
                self.installed.append(name)
            except Exception:  # noqa: BLE001, S110 - e.g. a DAG class that forbids it: no memo, same result
                pass
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.installed:
            try:
                delattr(self.dag, name)
            except Exception:  # noqa: BLE001, S110
                pass


def _memoize(method: Any) -> Any:
    cache: dict[Any, Any] = {}

    def memoized(*args: Any, **kwargs: Any) -> Any:
        try:
            key = (args, tuple(sorted(kwargs.items())))
            hash(key)
        except TypeError:
            return method(*args, **kwargs)
        if key not in cache:
            cache[key] = method(*args, **kwargs)
        return cache[key]

    return memoized


def render_section(dagbag: Any, logical_date_iso: str) -> dict[str, Any]:
    """Render every templated field of every task of every DAG in ``dagbag`` (SubDAGs included)."""
    from airflow.utils import timezone

    logical_date = timezone.parse(logical_date_iso)
    failures: list[dict[str, Any]] = []
    render_warnings: list[dict[str, Any]] = []
    notes: list[str] = []
    for dag in dagbag.dags.values():
        try:
            run = _dag_run_for(dag, logical_date)
        except Exception as exc:  # noqa: BLE001 - isolation boundary: report and go on
            notes.append(f"{dag.dag_id}: cannot build a DagRun for rendering ({type(exc).__name__}: {exc})")
            continue
        with _PerDagMemo(dag):
            _render_dag(dag, run, logical_date, failures, render_warnings, notes)
    return {"render_failures": failures, "render_warnings": render_warnings, "notes": notes}


def _render_dag(dag: Any, run: Any, logical_date: Any, failures: list[dict[str, Any]],
                render_warnings: list[dict[str, Any]], notes: list[str]) -> None:
    """Render every templated field of every task of one DAG (``render_section``'s inner loop)."""
    from airflow.models.mappedoperator import MappedOperator

    contexts = _TaskContexts(dag, run, logical_date)
    templates = _TemplateCache(dag)
    for task in dag.tasks:
        if isinstance(task, MappedOperator):
            notes.append(f"{dag.dag_id}.{task.task_id}: mapped task, templates not rendered")
            continue
        try:
            context, note = contexts.context_for(task)
            env = templates.env_for(task)
        except Exception as exc:  # noqa: BLE001 - e.g. a broken template_searchpath: report, keep going
            notes.append(f"{dag.dag_id}.{task.task_id}: templates not rendered ({type(exc).__name__}: {exc})")
            continue
        if note:
            notes.append(note)
        for field in task.template_fields:
            seen: set[tuple[str, str]] = set()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    _render_field(task, field, context, env)
                except Exception as exc:  # noqa: BLE001 - isolation boundary: report and go on
                    failures.append({"dag_id": dag.dag_id, "task_id": task.task_id, "field": field,
                                     "error": f"{type(exc).__name__}: {exc}", "kind": classify_render_error(exc)})
            for msg in caught:
                key = (qualified_category(msg.category), str(msg.message))
                if key not in seen:
                    seen.add(key)
                    render_warnings.append({"dag_id": dag.dag_id, "task_id": task.task_id, "field": field,
                                            "category": key[0], "message": key[1]})


def load_file(dag_file: str, dags_root: str | None, render: bool, logical_date_iso: str,
              emit: Any, deadline_s: float | None = None) -> None:
    """Do one file's work, handing each finished section to ``emit(dict)`` as soon as it is ready.

    While the file is imported and rendered, ``guard.watching`` refuses and records network access, writes
    outside the scratch folder and programs started (when the loader installed the guard); a violation
    fails the file with its line even if the DAG caught the error. ``deadline_s``: the import is
    interrupted after that long (``guard.ImportDeadline``) and the file reported ``timeout`` with the
    line it was stuck at.
    """
    root = dags_root or os.path.dirname(dag_file)
    if root and root not in sys.path:
        sys.path.insert(0, root)
    with guard.watching(dag_file):
        try:
            with guard.Deadline(deadline_s) if deadline_s else nullcontext():
                dagbag, recorded = fill_dagbag(dag_file)
        except guard.ImportDeadline as exc:
            emit(deadline_section(exc, dag_file, deadline_s or 0.0, guard.take_violations()))
            return
        section = with_violations(import_section(dag_file, dagbag, recorded), guard.take_violations(), dag_file)
        emit(section)
        if render and section["status"] == STATUS_OK:
            try:
                rendered = render_section(dagbag, logical_date_iso)
            except Exception as exc:  # noqa: BLE001 - a failure of the rendering machinery, not of one field
                rendered = {"render_failures": [], "render_warnings": [],
                            "notes": [f"template rendering aborted: {type(exc).__name__}: {exc}"]}
            emit(with_render_violations(rendered, guard.take_violations()))


def deadline_section(exc: BaseException, dag_file: str, deadline_s: float,
                     violations: list[dict[str, Any]]) -> dict[str, Any]:
    """The import section of a file whose import was interrupted by its deadline. Pure."""
    _, line = format_exception_line(exc, dag_file)
    where = f"; interrupted at line {line}" if line else "; interrupted"
    section = {"status": STATUS_TIMEOUT, "crash_line": line, "import_errors": [],
               "detail": f"no result within {deadline_s:g} s while importing the file (the per-file deadline){where}"}
    if violations:  # both, the deadline first: the import check lists import errors instead of the detail
        stuck = {"file": dag_file, "line": line, "message": f"{STATUS_TIMEOUT}: {section['detail']}", "traceback": ""}
        section["import_errors"] = [stuck, *_violation_errors(violations, [], dag_file)]
    return section


def _violation_errors(violations: list[dict[str, Any]], known: list[dict[str, Any]],
                      dag_file: str) -> list[dict[str, Any]]:
    """Import errors for the violations Airflow did not record itself (the DAG caught them), deduplicated."""
    errors: list[dict[str, Any]] = []
    seen = {e.get("message", "") for e in known}
    for violation in violations:
        message = violation["message"]
        if any(message in text for text in seen):
            continue
        seen.add(message)
        errors.append({"file": dag_file, "line": violation.get("line"), "message": message, "traceback": ""})
    return errors


def with_violations(section: dict[str, Any], violations: list[dict[str, Any]], dag_file: str) -> dict[str, Any]:
    """The import section with the guard's violations as import errors (the file fails). Pure."""
    if not violations:
        return section
    known = list(section.get("import_errors", []))
    errors = known + _violation_errors(violations, known, dag_file)
    status = STATUS_IMPORT_ERROR if section.get("status") == STATUS_OK else section.get("status")
    return {**section, "status": status, "import_errors": errors}


def with_render_violations(section: dict[str, Any], violations: list[dict[str, Any]]) -> dict[str, Any]:
    """The render section with the guard's violations while rendering as render failures. Pure."""
    if not violations:
        return section
    failures = list(section.get("render_failures", []))
    for violation in violations:
        line = f" (line {violation['line']})" if violation.get("line") else ""
        failures.append({"dag_id": "", "task_id": "", "field": "", "kind": "sandbox",
                         "error": f"{violation['message']} while rendering templates{line}"})
    return {**section, "render_failures": failures}


def format_exception_line(exc: BaseException, dag_file: str) -> tuple[str, int | None]:
    """``Type: message`` and the DAG-file line of an exception that escaped the DagBag (SystemExit...)."""
    text = "".join(traceback.format_exception(exc))
    return f"{type(exc).__name__}: {exc}", error_line(text, dag_file)
