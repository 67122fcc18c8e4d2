"""The emulator's subscription filter language (pure: no server)."""

from __future__ import annotations

import pytest

from emulators.pubsub.errors import InvalidArgumentError
from emulators.pubsub.filters import compile_filter

CASES = [
    ("", {}, True),
    ('attributes.change_id = "abc"', {"change_id": "abc"}, True),
    ('attributes.change_id = "abc"', {"change_id": "abd"}, False),
    ('attributes.change_id = "abc"', {}, False),
    ('attributes.kind != "x"', {"kind": "y"}, True),
    ('attributes.kind != "x"', {"kind": "x"}, False),
    ('attributes.kind != "x"', {}, False),
    ("attributes:kind", {"kind": ""}, True),
    ("attributes:kind", {"other": "1"}, False),
    ("NOT attributes:kind", {}, True),
    ("-attributes:kind", {"kind": "1"}, False),
    ('hasPrefix(attributes.dag, "sales_")', {"dag": "sales_daily"}, True),
    ('hasPrefix(attributes.dag, "sales_")', {"dag": "hr_daily"}, False),
    ('attributes.a = "1" AND attributes.b = "2"', {"a": "1", "b": "2"}, True),
    ('attributes.a = "1" AND attributes.b = "2"', {"a": "1", "b": "3"}, False),
    ('attributes.a = "1" OR attributes.b = "2"', {"b": "2"}, True),
    ('(attributes.a = "1" OR attributes.b = "2") AND NOT attributes:c', {"a": "1", "c": "x"}, False),
    ('attributes."odd key" = "quoted \\"value\\""', {"odd key": 'quoted "value"'}, True),
    ('attributes.ce-type = "created"', {"ce-type": "created"}, True),
]


@pytest.mark.parametrize(("text", "attributes", "expected"), CASES)
def test_filter_matches(text, attributes, expected):
    assert compile_filter(text)(attributes) is expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('attributes.a = "1" AND attributes.b = "2" OR attributes:c', "AND and OR mixed"),
        ("attributes.a = 1", "expected string"),
        ('data = "x"', "expected attributes"),
        ('attributes.a = "1" extra', "unexpected input"),
        ('attributes.a = "1"' + " " * 300, "longer than 256 bytes"),
        ("attributes.a ~ 'x'", "cannot read"),
    ],
)
def test_invalid_filters_say_why(text, reason):
    with pytest.raises(InvalidArgumentError, match=reason):
        compile_filter(text)
