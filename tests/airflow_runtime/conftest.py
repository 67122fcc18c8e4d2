"""Fixtures for the airflow_runtime tests: the real Airflow 2 runtime, a template home, a loader session.

The runtime Python is decided by ``tests/runtime.py`` (``$COMPOSER_MIGRATE_RUNTIME_PYTHON``, else the built
default runtime); tests that need it skip, saying so, when there is none.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from airflow_runtime.build import init_airflow_home
from airflow_runtime.client import RuntimeSession
from airflow_runtime.layout import RuntimeLayout
from target_profiles import DEFAULT_PROFILE
from tests.runtime import ENV_VAR, find_runtime_python  # noqa: F401 (re-exported to the tests here)


@pytest.fixture(scope="session")
def runtime_python() -> Path:
    python, why = find_runtime_python()
    if python is None:
        pytest.skip(why)
    return python


@pytest.fixture(scope="session")
def airflow_home_template(runtime_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built runtime's template home when testing that runtime, else one made with `airflow db migrate`."""
    layout = RuntimeLayout.of(DEFAULT_PROFILE)
    if runtime_python == layout.python and (layout.airflow_home / "airflow.db").exists():
        return layout.airflow_home
    home = tmp_path_factory.mktemp("airflow_home_template")
    init_airflow_home(runtime_python, home)
    return home


@pytest.fixture(scope="module")
def session(runtime_python: Path, airflow_home_template: Path) -> Iterator[RuntimeSession]:
    """One loader for a test module (Airflow imported once); 1 GiB per-file memory budget."""
    with RuntimeSession(python=runtime_python, airflow_home_template=airflow_home_template, jobs=2,
                        memory_limit_mb=1024) as s:
        yield s


@pytest.fixture
def write_dag(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a DAG file (dedented source) into the test's directory; returns its path."""

    def write(name: str, source: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source).lstrip("\n"))
        return path

    return write
