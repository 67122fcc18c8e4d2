"""Find the line of a template variable in a converted DAG file's text (render findings have no line).

The runtime reports a rendering problem by task and field ("task 'load', field 'bash_command': 'tables'
is undefined"); a person fixes it at a line. ``template_line(text, name)`` is the first line whose Jinja
expression or statement (``{{ ... }}``/``{% ... %}``) uses ``name`` as a word; if none does (the template
is built by concatenation or lives in a ``.sql`` file), the first line using the word in a string; else
None, and the finding names the task and field instead.
"""

from __future__ import annotations

import re

_JINJA = re.compile(r"\{[{%](?P<body>.*?)(?:[}%]\}|$)")
_STRING = re.compile(r"""(?P<q>['"]).*?(?P=q)""")


def template_line(text: str | None, name: str, *, attribute: bool = False) -> int | None:
    """Line (1-based) of the first Jinja use of ``name`` in ``text``; see the module docstring.

    ``attribute``: ``name`` is a key or attribute (``params.name``), not a top-level variable.
    """
    if not text or not name:
        return None
    before = r"(?<!\w)" if attribute else r"(?<![\w.])"
    word = re.compile(rf"{before}{re.escape(name)}(?!\w)")
    fallback = None
    for number, line in enumerate(text.splitlines(), start=1):
        if name not in line:
            continue
        if any(word.search(m.group("body")) for m in _JINJA.finditer(line)):
            return number
        if fallback is None and any(word.search(m.group(0)) for m in _STRING.finditer(line)):
            fallback = number
    return fallback


def key_access_line(text: str | None, key: str, owners: tuple[str, ...]) -> int | None:
    """Line of the first ``<owner>.key`` / ``<owner>['key']`` / ``<owner>.get('key'`` in ``text``."""
    if not text or not key:
        return None
    pattern = key_access_pattern(key, owners)
    for number, line in enumerate(text.splitlines(), start=1):
        if key in line and pattern.search(line):
            return number
    return None


def key_access_pattern(key: str, owners: tuple[str, ...]) -> re.Pattern[str]:
    owner = "|".join(re.escape(o) for o in owners)
    k = re.escape(key)
    return re.compile(rf"(?:{owner})\s*(?:\.\s*{k}(?!\w)|\[\s*['\"]{k}['\"]\s*\]|\.get\(\s*['\"]{k}['\"])")
