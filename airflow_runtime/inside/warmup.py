"""The loader's own warm-up: do once, in the loader parent, what every child would otherwise redo.

Runs INSIDE the runtime venv; ``loader.main`` calls ``prepare()`` after its preload, before the first fork.
Measured on 1,000 generated DAG files (bench/bench_test_stage.py), without it each child pays again for what
Airflow does lazily on first use, and throws it away on exit:

- SQLAlchemy's mapper configuration (about 0.2 s, on the first ORM object: the first ``DagRun``);
- ``airflow.serialization.serialized_objects`` and its pydantic models (about 0.08 s, on the first
  operator, through the priority-weight strategy check);
- a ``DagBag``'s and the template context's own first-use costs (Jinja environment, timetable, context,
  macro plugins);
- a full garbage collection that touches every object of the loaded runtime, so every page is copied
  (``gc.freeze()`` moves what is loaded now out of the collector's reach: children no longer copy it).

What it runs is a DAG defined here, never user code. It renders with the DB-free template context
(``fileload.render_section``), then closes every DB connection anyway (a forked child must not share a
parent's SQLite connection). No module it imports is deprecated, so no DAG file's deprecation warning is
swallowed by importing it in the parent instead of the child. It starts no thread. Idempotent.
Standard library only at module level.
"""

from __future__ import annotations

import gc
import os
import warnings
from types import SimpleNamespace

LOGICAL_DATE = "2024-01-01T00:00:00+00:00"
_state = {"warmed": False, "frozen": False}


def warm_up() -> None:
    """Pay Airflow's first-use costs (once; later calls do nothing)."""
    if _state["warmed"]:
        return
    _state["warmed"] = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from airflow.models import import_all_models
        from sqlalchemy.orm import configure_mappers

        import_all_models()
        configure_mappers()
        import airflow.serialization.serialized_objects  # noqa: F401 - the import is the point

        _render_one_dag()


def _render_one_dag() -> None:
    from datetime import datetime

    from airflow.models.dag import DAG
    from airflow.models.dagbag import DagBag
    from airflow.operators.bash import BashOperator

    from airflow_runtime.inside import fileload

    DagBag(dag_folder=os.devnull, include_examples=False, safe_mode=False, load_op_links=False)
    with DAG("composer_migrate_warm_up", start_date=datetime(2021, 1, 1), schedule="@daily", catchup=False,
             default_args={"retries": 1}) as dag:
        first = BashOperator(task_id="first", bash_command="echo {{ ds }} {{ data_interval_end | ds }}")
        first >> BashOperator(task_id="second", bash_command="echo {{ params.get('x', '') }}")

    fileload.render_section(SimpleNamespace(dags={dag.dag_id: dag}), LOGICAL_DATE)
    try:
        from airflow.models.dag import DagContext

        DagContext.autoregistered_dags.clear()
    except Exception:  # noqa: BLE001, S110 - best effort
        pass


def close_db() -> None:
    """Close the parent's DB connections, whatever happened before: children open their own."""
    try:
        from airflow import settings

        if getattr(settings, "Session", None) is not None:
            settings.Session.remove()
        if getattr(settings, "engine", None) is not None:
            settings.engine.dispose()
    except Exception:  # noqa: BLE001, S110 - best effort: a failed warm-up must not stop the loader
        pass


def freeze() -> None:
    gc.collect()
    gc.freeze()


def prepare() -> str | None:
    """Warm up, close the DB, freeze the heap: the loader's last step before it forks. Returns a note
    when the warm-up failed (files still load, more slowly)."""
    note = None
    try:
        warm_up()
    except Exception as exc:  # noqa: BLE001 - a failed warm-up must not stop the loader
        note = f"warm-up failed ({type(exc).__name__}: {exc}); files still load, more slowly"
    finally:
        close_db()
        freeze()
    return note
