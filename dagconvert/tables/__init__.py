"""The engine's data tables (derived by tools/derive_tables.py; see DERIVATION.md). Loaded once."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

TABLES_DIR = Path(__file__).resolve().parent


@cache
def load(name: str) -> dict:
    return json.loads((TABLES_DIR / name).read_text())


def import_moves() -> dict[str, dict]:
    """Airflow 1.10 (and 2.0-era provider) path -> {"to", "status", "kind", "provider", "note"}."""
    return load("import_moves.json")


def replacements() -> dict[str, dict]:
    """Drop-in 2.x path -> {"replacement", "note"} for classes later removed in favour of a non-drop-in one."""
    return load("replacements.json")


def param_changes() -> dict[str, dict[str, dict]]:
    """Drop-in 2.x path -> {param: {"to": new name or None (removed), "source"}} (sourced rows only)."""
    return load("param_changes.json")


def core_aliases() -> dict[str, str]:
    """Equivalent import paths of core names that are not moves (``airflow.DAG`` is ``airflow.models.dag.DAG``)."""
    return load("core_aliases.json")


def airflow_1_10_default_args_params() -> dict:
    """{"base_operator": [...], "classes": {1.10 path: [...]}}: the ``__init__`` parameters Airflow 1.10.15's
    ``apply_defaults`` filled from ``default_args`` for each operator class (BaseOperator's, plus the class's
    own), derived from the 1.10.15 wheel by tools/derive_airflow_1_10_signatures.py."""
    return load("airflow_1_10_default_args_params.json")
