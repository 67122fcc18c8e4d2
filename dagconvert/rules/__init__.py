"""The registry of conversion rules: one rule per module, each with a stable code (AMxxx, chosen not to
collide with ruff's AIRxxx), its interest, its own before/after examples and its hooks.

Codes by family: 1xx imports, 2xx call arguments, 3xx DAG/task settings, 4xx helpers and decorators,
5xx template context, 6xx TriggerDagRunOperator, 7xx Kubernetes, 8xx operators replaced by non-drop-in ones.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from dagconvert.rules.base import CallTarget, Example, Rule

_NOT_RULES = {"base", "cstutil"}


def rule_modules() -> list[str]:
    """Every module in this package that defines rules (a ``RULES`` tuple): one rule family per file."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in _NOT_RULES
                  and not m.name.startswith("_"))


@cache
def all_rules() -> list[Rule]:
    rules: list[Rule] = []
    for name in rule_modules():
        module = importlib.import_module(f"dagconvert.rules.{name}")
        rules.extend(cls() for cls in getattr(module, "RULES", ()))
    codes = [r.code for r in rules]
    duplicates = {c for c in codes if codes.count(c) > 1}
    if duplicates:
        raise RuntimeError(f"duplicate rule codes: {sorted(duplicates)}")
    return sorted(rules, key=lambda r: (r.order, r.code))


def rule_by_code(code: str) -> Rule:
    for rule in all_rules():
        if rule.code == code:
            return rule
    raise KeyError(code)


__all__ = ["CallTarget", "Example", "Rule", "all_rules", "rule_by_code"]
