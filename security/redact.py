"""Keep DAG source text and credentials out of the reasons that travel through workflow history.

History holds paths, hashes, states and a short reason per failed file. A reason is built from a tool's
message (the converter's parse error, an Airflow import error, a check's finding), and such messages can
quote the DAG: libcst's parse error repeats the offending source line, Airflow's "Invalid arguments were
passed" repeats every keyword argument with its value, an exception may print a connection URI. Full
messages stay in the reports on disk (``<out_dir>/reports``); what goes into history is the message with:

1. every line of the DAG file (stripped, at least ``MIN_LINE_CHARS`` long) that it quotes replaced with
   ``<source line>``;
2. every quoted value (``'...'`` or ``"..."``) that occurs in the DAG file replaced with ``'<redacted>'``,
   unless it is name-like (a dag id, task id, conn id, module or field name: letters, digits, ``_ . -``)
   and not the value of a credential-named key (``password=``, ``"secret": ...``, ``token``...);
3. the password of any ``scheme://user:password@host`` URI replaced with ``<redacted>`` (quoted or not,
   from the file or computed at import time).

Pure functions over strings: the caller reads the files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MIN_LINE_CHARS = 8
SOURCE_LINE = "<source line>"
REDACTED = "<redacted>"
# The most of a message that is redacted and kept: reasons are cut to a few hundred characters anyway.
MAX_MESSAGE_CHARS = 8000

_QUOTED = re.compile(r"""(?P<q>['"])(?P<value>(?:\\.|(?!(?P=q)).)*?)(?P=q)""")
_NAME_LIKE = re.compile(r"[A-Za-z_][\w.\-]{0,99}")
_URI_PASSWORD = re.compile(r"(?P<head>[A-Za-z][\w+.\-]*://[^\s:/@'\"]*:)(?P<password>[^\s@/'\"]+)(?=@)")
_CREDENTIAL_VALUE = re.compile(
    r"""(?ix)(?:password|passwd|pwd|secret|token|api_?key|private_?key|credentials?|access_?key)\w*
        ['"]?\s*[:=]\s*[rbuf]{0,2}(?P<q>['"])(?P<value>[^'"\n]+)(?P=q)""")


def credential_values(source: str) -> set[str]:
    """String values the file assigns to credential-named keys or arguments (``password="..."``)."""
    return {m.group("value") for m in _CREDENTIAL_VALUE.finditer(source)}


def _unescape(value: str) -> str:
    """A quoted value as repr() shows it, back to its text (best effort: ``\\'`` and ``\\\\``)."""
    return value.replace("\\\\", "\x00").replace("\\'", "'").replace('\\"', '"').replace("\x00", "\\")


def redact(message: str, sources: Iterable[str], keep: Iterable[str] = ()) -> str:
    """``message`` without the text of ``sources`` (DAG files) it quotes; ``keep``: values always shown."""
    message = message[:MAX_MESSAGE_CHARS]
    texts = [s for s in sources if s]
    kept = set(keep)
    secrets = set().union(*(credential_values(t) for t in texts)) if texts else set()
    lines = sorted({ln.strip() for t in texts for ln in t.splitlines() if len(ln.strip()) >= MIN_LINE_CHARS},
                   key=len, reverse=True)
    for line in lines:
        if line in message:
            message = message.replace(line, SOURCE_LINE)

    def quoted(match: re.Match[str]) -> str:
        value = match.group("value")
        plain = _unescape(value)
        if not plain or plain in kept:
            return match.group(0)
        in_source = any(plain in t or value in t for t in texts)
        if plain in secrets or value in secrets or (
                in_source and not _NAME_LIKE.fullmatch(plain)) or _URI_PASSWORD.search(plain):
            return f"{match.group('q')}{REDACTED}{match.group('q')}"
        return match.group(0)

    message = _QUOTED.sub(quoted, message)
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 4 and secret not in kept:
            message = message.replace(secret, REDACTED)
    return _URI_PASSWORD.sub(lambda m: m.group("head") + REDACTED, message)
