"""The environment of a process started in the runtime venv (loader, inventory probe). Pure, except
``make_pythonpath_dir`` which writes a few symlinks.

Why not ``PYTHONPATH=<repo root>``: the repo root (or, when installed, site-packages) holds other top-level
names (``tests``, ``cli``, the orchestrator's own dependencies) that would shadow the runtime's packages
or a DAG's imports. The runtime gets a directory holding only the stdlib-only packages it needs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from airflow_runtime.layout import REPO_ROOT

RUNTIME_PACKAGES = ("airflow_runtime", "dagcheck")

# Variables of the orchestrator's environment that must not leak into the runtime's Python.
_DROP_EXACT = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH", "AIRFLOW_HOME"}
_DROP_PREFIXES = ("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_")


def make_pythonpath_dir(dest: Path, packages: tuple[str, ...] = RUNTIME_PACKAGES) -> Path:
    """``dest`` holding a symlink (or, where links fail, a copy) to each package of this repository."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in packages:
        target = REPO_ROOT / name
        link = dest / name
        if link.exists() or link.is_symlink():
            continue
        try:
            link.symlink_to(target, target_is_directory=True)
        except OSError:
            shutil.copytree(target, link, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def runtime_env(base: Mapping[str, str], *, airflow_home: Path, dags_folder: Path, pythonpath: Path,
                extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for a runtime process: the base environment cleaned, plus Airflow settings.

    - AIRFLOW_HOME / DAGS_FOLDER / SQLite DB / log folder all inside the session's own directory;
    - no examples; Airflow's own import timeout off (the loader's per-file limit is the one that counts,
      and reports ``timeout``); import-error tracebacks deep enough to show the DAG file's frame;
    - logs at WARNING; no bytecode written next to DAG files (the converted tree stays as produced);
    - one BLAS/OpenMP thread (forked children must not inherit thread pools); no GCE metadata probing;
    - ``extra`` last (e.g. ``AIRFLOW_VAR_*`` the DAGs expect): it wins.
    """
    env = {k: v for k, v in base.items() if k not in _DROP_EXACT and not k.startswith(_DROP_PREFIXES)}
    env.update({
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
        "AIRFLOW__SCHEDULER__CHILD_PROCESS_LOG_DIRECTORY": str(airflow_home / "logs" / "scheduler"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(airflow_home / "plugins"),
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "0",
        "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACKS": "True",
        "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACK_DEPTH": "25",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "PYTHONPATH": str(pythonpath),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONFAULTHANDLER": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NO_GCE_CHECK": "True",
        "JE_ARROW_MALLOC_CONF": "background_thread:false",  # pyarrow's allocator thread: fork-unsafe
    })
    env.update(extra or {})
    return env


def current_env() -> dict[str, str]:
    return dict(os.environ)
