"""What happens to each imported name under a target profile: keep, move, replace, or leave a TODO.

Pure: a function of the tables, the profile and which replacements have a restructuring rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from dagconvert import tables
from target_profiles import TargetProfile


class Action(str, Enum):
    KEEP = "keep"          # the path is fine on the target: nothing to do
    MOVE = "move"          # drop-in: import from `new_qname` instead (the class may be renamed)
    REPLACE = "replace"    # not drop-in: a rule restructures each call into `new_qname`
    TODO = "todo"          # nothing safe to do automatically: leave it, say why


@dataclass(frozen=True)
class Decision:
    action: Action
    qname: str                    # the path as the source spells it
    identity: str                 # the canonical 2.x path that call rules match on
    new_qname: str | None = None  # for MOVE/REPLACE
    reason: str = ""              # for TODO (and a note for REPLACE)
    rule: str = "AM101"


class Decider:
    """Decisions for one profile; ``restructurable`` maps identity -> rule code of a restructuring rule."""

    def __init__(self, profile: TargetProfile, restructurable: dict[str, str]):
        self.profile = profile
        self.restructurable = restructurable
        self._moves = tables.import_moves()
        self._replacements = tables.replacements()
        self._aliases = tables.core_aliases()
        self.decide = lru_cache(maxsize=None)(self._decide)

    def identity(self, qname: str) -> str:
        alias = self._aliases.get(qname)
        if alias:
            return alias
        entry = self._moves.get(qname)
        if entry is None:
            return qname
        return entry.get("to") or entry.get("replacement") or qname

    def changes(self, qname: str) -> bool:
        return self.decide(qname).action is not Action.KEEP

    def _available(self, qname: str) -> bool:
        has = self.profile.has(qname)
        return has is not False  # unchecked names are trusted to the table (the inventory test checks them)

    def _replace_or_todo(self, qname: str, identity: str, missing_note: str) -> Decision:
        replacement = (self._replacements.get(identity) or {}).get("replacement")
        if replacement is None:
            replacement = (self._moves.get(qname) or {}).get("replacement")
        rule = self.restructurable.get(identity) or self.restructurable.get(qname)
        if replacement and rule and self._available(replacement):
            return Decision(Action.REPLACE, qname, identity, replacement, missing_note, rule)
        if replacement:
            why = f"{missing_note}; its replacement {replacement} is not drop-in"
            why += " and no rule converts it automatically" if not rule else f" and is not in profile {self.profile.name}"
            return Decision(Action.TODO, qname, identity, None, why, rule or "AM102")
        return Decision(Action.TODO, qname, identity, None, missing_note, "AM102")

    def _why_missing(self, target: str) -> str:
        """The inventory's import error for a class whose module exists but imports a package the profile
        lacks (its provider needs another provider), as a note; "" otherwise."""
        error = self.profile.import_error(target) or ""
        found = re.search(r"No module named '([^']+)'", error)
        module = target.rpartition(".")[0]
        if found and not (module == found.group(1) or module.startswith(found.group(1) + ".")):
            return f" (importing it fails there: {error}: the profile lacks that package)"
        return ""

    def _decide(self, qname: str) -> Decision:
        entry = self._moves.get(qname)
        identity = self.identity(qname)
        if entry is None:
            # Already a 2.x path: is it still on the target?
            if identity in self._replacements and self.profile.has(identity) is False:
                return self._replace_or_todo(qname, identity, f"{qname} does not exist in profile {self.profile.name}")
            return Decision(Action.KEEP, qname, identity)
        status = entry["status"]
        note = entry.get("note", "")
        if status == "deprecated_same_path":
            return Decision(Action.KEEP, qname, identity, reason=note)
        if status == "removed":
            return Decision(Action.TODO, qname, identity, None,
                            f"{qname} was removed in Airflow 2" + (f": {note}" if note else ""), "AM102")
        target = entry.get("to")
        if target and _is_class_attribute(target):
            # e.g. `get_default_executor` -> `ExecutorLoader.get_default_executor`: not importable by name
            owner, _, attr = target.rpartition(".")
            return Decision(Action.TODO, qname, identity, None,
                            f"{qname} is now {target}: import {owner.rpartition('.')[2]} from "
                            f"{owner.rpartition('.')[0]} and use {owner.rpartition('.')[2]}.{attr}", "AM102")
        if target and self._available(target):
            if target == qname:
                return Decision(Action.KEEP, qname, identity)
            return Decision(Action.MOVE, qname, identity, target)
        if target:
            missing = f"{target} (the Airflow 2 home of {qname}) does not exist in profile {self.profile.name}"
            missing += self._why_missing(target)
        else:
            missing = f"{qname} has no drop-in Airflow 2 equivalent"
        return self._replace_or_todo(qname, identity, missing)


def _is_class_attribute(qname: str) -> bool:
    """``pkg.module.Class.attr``: the part before the last dot names a class (CamelCase), not a module."""
    owner = qname.rpartition(".")[0]
    return bool(owner) and owner.rpartition(".")[2][:1].isupper()
