"""Every rule's own before/after examples, run through the whole engine (all rules active)."""

from __future__ import annotations

import ast

import pytest

from dagconvert.engine import convert_source
from dagconvert.rules import all_rules

CASES = [
    pytest.param(rule, i, example, id=f"{rule.code}-{rule.name}-{i}")
    for rule in all_rules()
    for i, example in enumerate(rule.examples)
]


def test_every_rule_has_examples():
    missing = [r.code for r in all_rules() if not r.examples]
    assert not missing, f"rules without before/after examples: {missing}"


@pytest.mark.parametrize("rule,index,example", CASES)
def test_example(rule, index, example):
    result = convert_source(example.before, f"{rule.code}_example_{index}.py", example.profile)
    assert result.code == example.after
    messages = [t.message for t in result.todos]
    for expected in example.todos:
        assert any(expected in m for m in messages), f"no TODO containing {expected!r} in {messages}"
    if not example.todos:
        assert not messages, f"unexpected TODOs: {messages}"
    ast.parse(result.code)


@pytest.mark.parametrize("rule,index,example", CASES)
def test_example_is_idempotent(rule, index, example):
    again = convert_source(example.after, f"{rule.code}_example_{index}.py", example.profile)
    assert again.code == example.after
