"""Which Airflow 2 runtime the slow tests run against, decided in one place.

``$COMPOSER_MIGRATE_RUNTIME_PYTHON`` when set (it must exist), else the default profile's runtime that
``make runtime`` builds under ``.runtimes/``. Nothing machine-specific: a test that needs a runtime and finds
none skips with the command that builds it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from airflow_runtime.layout import RuntimeLayout
from target_profiles import DEFAULT_PROFILE

ENV_VAR = "COMPOSER_MIGRATE_RUNTIME_PYTHON"


def find_runtime_python() -> tuple[Path | None, str]:
    """The runtime interpreter to test against, or None and why not."""
    override = os.environ.get(ENV_VAR)
    if override:
        path = Path(override)
        return (path, "") if path.exists() else (None, f"{ENV_VAR}={override} does not exist")
    built = RuntimeLayout.of(DEFAULT_PROFILE).python
    if built.exists():
        return built, ""
    return None, f"no Airflow 2 runtime at {built}: build it with `make runtime` (or set {ENV_VAR})"


def require_runtime_python() -> Path:
    """The runtime interpreter, or skip the calling test with the reason."""
    python, why = find_runtime_python()
    if python is None:
        pytest.skip(why)
    return python
