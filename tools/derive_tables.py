"""Derive the conversion engine's data tables from the shared reference catalogue.

Run by a developer when the reference data changes (not at conversion time, not in CI):

    python tools/derive_tables.py [--reference ../shared/reference]

Inputs (all derived from released wheels; see ../shared/reference/airflow-1-to-2/README.md):
- airflow-1-to-2/import_moves.json: 770 Airflow 1.10.15 paths -> 2.x path, status, evidence.
- airflow-1-to-2/provider_path_changes_since_2_0.json: 2.0-era / backport provider paths that moved again.
- airflow-1-to-2/param_changes.json: constructor parameters renamed or removed (sourced rows only).
- airflow_2_10_5_deprecated_classes.json: Airflow 2.10.5's own shim table (1.10 path -> drop-in 2.x path).

Outputs (dagconvert/tables/, checked in; DERIVATION.md explains each column):
- import_moves.json: old path -> {"to": drop-in 2.x path or null, "status", "kind", "provider", "note"}
- replacements.json: drop-in 2.x path -> the non-drop-in class that replaces it where the drop-in is gone
- param_changes.json: drop-in 2.x path -> {param: {"to": new name or null, "source", "for_replacement"?}}
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TABLES = HERE.parent / "dagconvert" / "tables"

# Rows the catalogue describes in prose only (rules.md section 3, "Later removals inside the 2.10-compatible
# provider range"): the drop-in class was removed by a later provider; the named class replaces it.
LATER_REPLACEMENTS = {
    "airflow.providers.google.cloud.operators.bigquery.BigQueryCreateEmptyTableOperator": (
        "airflow.providers.google.cloud.operators.bigquery.BigQueryCreateTableOperator",
        "removed in apache-airflow-providers-google 17.0.0; BigQueryCreateTableOperator exists from 14.0.0",
    ),
    "airflow.providers.google.cloud.operators.bigquery.BigQueryCreateExternalTableOperator": (
        "airflow.providers.google.cloud.operators.bigquery.BigQueryCreateTableOperator",
        "absent from apache-airflow-providers-google 19.0.0; BigQueryCreateTableOperator exists from 14.0.0",
    ),
    "airflow.providers.google.cloud.operators.dataproc.DataprocScaleClusterOperator": (
        "airflow.providers.google.cloud.operators.dataproc.DataprocUpdateClusterOperator",
        "removed in apache-airflow-providers-google 15.0.0 (use_instead=DataprocUpdateClusterOperator)",
    ),
}


def _resolve(path: str | None, later: dict[str, str | None]) -> str | None:
    seen = set()
    while path in later and path not in seen:
        seen.add(path)
        path = later[path]
    return path


def _same_name_move(old: str, new: str | None) -> bool:
    """A plain dotted target with the same final name: a drop-in move, not a rewrite recipe."""
    return bool(new) and re.fullmatch(r"[A-Za-z_][\w.]*", new) is not None and new != old \
        and new.rsplit(".", 1)[-1] == old.rsplit(".", 1)[-1]


def derive(reference: Path) -> dict[str, dict]:
    ref = reference / "airflow-1-to-2"
    moves = json.loads((ref / "import_moves.json").read_text())
    later_rows = json.loads((ref / "provider_path_changes_since_2_0.json").read_text())
    params = json.loads((ref / "param_changes.json").read_text())
    shims = json.loads((reference / "airflow_2_10_5_deprecated_classes.json").read_text())["moves"]

    # Follow only drop-in relocations/renames; a "replacement" row is a different class (replacements table).
    later = {old: row["new"] for old, row in later_rows.items()
             if row.get("status") in ("relocated", "renamed") and row.get("new") and "." in row["new"]}

    import_table: dict[str, dict] = {}
    replacements: dict[str, dict] = {}
    # Drop-in targets of replaced rows that Airflow's shims name, by (class name, replacement): a legacy
    # package-level import (`airflow.operators.PostgresOperator`) has no shim row of its own.
    drop_in_by_name: dict[tuple[str, str], str] = {}
    for old, row in moves.items():
        if row["status"] == "replaced_not_drop_in" and old in shims:
            drop_in_by_name.setdefault((old.rsplit(".", 1)[1], row["new"]), _resolve(shims[old], later))

    for old, row in sorted(moves.items()):
        status = row["status"]
        new = row.get("new")
        if status == "replaced_not_drop_in":
            drop_in = _resolve(shims.get(old), later) or drop_in_by_name.get((old.rsplit(".", 1)[1], new))
            entry = {"to": drop_in, "status": "replaced", "kind": row["kind"], "provider": row.get("provider")}
            if drop_in:
                replacements.setdefault(drop_in, {"replacement": new, "note": row.get("note", "")})
            else:
                entry["replacement"] = new
        elif status in ("moved", "deprecated"):
            entry = {"to": _resolve(new, later), "status": "moved", "kind": row["kind"], "provider": row.get("provider")}
        elif status == "removed":
            entry = {"to": None, "status": "removed", "kind": row["kind"], "provider": None}
        elif status == "deprecated_same_path" and _same_name_move(old, new):
            # still importable but deprecated, and the same name lives on elsewhere (helpers.chain ->
            # models.baseoperator.chain, utils.file.TemporaryDirectory -> tempfile.TemporaryDirectory): a move
            entry = {"to": new, "status": "moved", "kind": row["kind"], "provider": None}
        elif status == "deprecated_same_path":
            entry = {"to": old, "status": "deprecated_same_path", "kind": row["kind"], "provider": None}
        else:  # broken_in_1.10.15: nothing to convert to
            entry = {"to": None, "status": "removed", "kind": row["kind"], "provider": None}
        if row.get("note"):
            entry["note"] = row["note"]
        import_table[old] = entry

    for old, row in sorted(later_rows.items()):
        new = row.get("new")
        if old in import_table:
            continue
        if new and "." in new and row.get("status") in ("relocated", "renamed"):
            import_table[old] = {"to": _resolve(new, later), "status": "moved", "kind": "class",
                                 "provider": row.get("provider"), "note": row.get("note", "")}
        elif new and "." in new:
            import_table[old] = {"to": old, "status": "replaced", "kind": "class", "provider": row.get("provider"),
                                 "note": row.get("note", "")}
            replacements.setdefault(old, {"replacement": new, "note": row.get("note", "")})
        else:
            import_table[old] = {"to": None, "status": "removed", "kind": "class", "provider": None,
                                 "note": row.get("note", "")}

    for drop_in, (replacement, note) in LATER_REPLACEMENTS.items():
        replacements[drop_in] = {"replacement": replacement, "note": note}

    param_table: dict[str, dict] = {}
    for old, row in sorted(params.items()):
        target = import_table.get(old, {}).get("to") or _resolve(row.get("new"), later)
        if not target:
            continue
        for p in row["params"]:
            renamed = p.get("renamed_to")
            if renamed == "UNKNOWN" or p["source"].startswith("signature diff only"):
                continue  # unsourced: left to the profile's signature check
            row_out = {"to": renamed, "source": p["source"]}
            replacement = replacements.get(target, {}).get("replacement", "")
            if replacement and (replacement.rsplit(".", 1)[1] in p["source"] or "common-sql" in p["source"]):
                row_out["for_replacement"] = True  # belongs to the move to the replacement class only
            param_table.setdefault(target, {})[p["param"]] = row_out

    return {
        "import_moves.json": dict(sorted(import_table.items())),
        "replacements.json": dict(sorted(replacements.items())),
        "param_changes.json": dict(sorted(param_table.items())),
    }


def write_atomic(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=HERE.parent.parent / "shared" / "reference")
    args = parser.parse_args()
    for name, data in derive(args.reference).items():
        write_atomic(TABLES / name, data)
        print(f"{name}: {len(data)} rows")


if __name__ == "__main__":
    main()
