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
    """{"base_operator": [...], "classes": {1.10 path: [...]}, "accepted_not_filled": {1.10 path: [...]},
    "any_keyword": {1.10 path: why}}: the ``__init__`` parameters Airflow 1.10.15's ``apply_defaults`` filled
    from ``default_args`` for each operator class (BaseOperator's, plus the class's own), the other keywords its
    ``__init__`` chain accepted, and the classes that may use any keyword; derived from the 1.10.15 wheel by
    tools/derive_airflow_1_10_signatures.py."""
    return load("airflow_1_10_default_args_params.json")


@cache
def airflow_1_10_accepted_kwargs(qname: str) -> frozenset[str] | None:
    """The keyword arguments Airflow 1.10.15's operator class ``qname`` (its 1.10 import path) accepted: named
    by an ``__init__`` of its chain up to BaseOperator's, or read out of ``**kwargs`` by one. 1.10's
    BaseOperator warned about any other keyword and ignored it. None when the table does not describe the class,
    or when the class may use any keyword (an ``__init__`` hands its ``**kwargs`` elsewhere)."""
    table = airflow_1_10_default_args_params()
    own = table["classes"].get(qname)
    if own is None or qname in table["any_keyword"]:
        return None
    return frozenset(table["base_operator"]) | frozenset(own) | frozenset(table["accepted_not_filled"].get(qname, ()))


def python2_compat() -> dict:
    """{"distributions": {dist: [top-level modules]}, "modules": {path: row}, "names": {path: row}}: what the
    python-future names an Airflow 1.10 file imports are on Python 3 (hand-written from python-future 0.18.2's
    sources; rule family AM110-AM113)."""
    return load("python2_compat.json")
