"""Every import path the engine may emit or match, for a target profile's inventory: the runtime checks
which of them exist (``cli.py runtime inventory``), and the engine reads the answer from inventory.json."""

from __future__ import annotations

from dagconvert import tables


def inventory_candidates() -> list[str]:
    names: set[str] = set()
    for entry in tables.import_moves().values():
        for key in ("to", "replacement"):
            value = entry.get(key)
            if value and "." in value and "(" not in value:
                names.add(value)
    for identity, entry in tables.replacements().items():
        names.add(identity)
        names.add(entry["replacement"])
    names.update(tables.param_changes())
    names.update(tables.core_aliases().values())
    from dagconvert.rules import all_rules

    for rule in all_rules():
        names.update(getattr(rule, "emits", ()))
        names.update(rule.replaces.values())
    return sorted(names)
