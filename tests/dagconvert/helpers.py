"""Conversion helpers shared by the rule tests: convert a dedented snippet, insist on a clean idempotent
conversion, or list the TODOs it leaves."""

from __future__ import annotations

import textwrap

from dagconvert.engine import convert_source


def convert(source: str):
    return convert_source(textwrap.dedent(source))


def converted(source: str) -> str:
    result = convert(source)
    assert not result.todos, [t.message for t in result.todos]
    assert convert_source(result.code).code == result.code, "not idempotent"
    return result.code


def todos(source: str) -> list[str]:
    return [t.message for t in convert(source).todos]
