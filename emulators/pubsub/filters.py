"""Subscription filters: the attribute subset of Pub/Sub's filter language, parsed into a predicate.

Supported, as documented for Pub/Sub: ``attributes.KEY = "v"``, ``attributes.KEY != "v"``,
``attributes:KEY`` (has key), ``hasPrefix(attributes.KEY, "p")``, negation with ``NOT`` or ``-``,
``AND``/``OR`` (not mixed without parentheses, like the real service), parentheses; keys may be
quoted. A message that does not match is acknowledged for that subscription at publish time, so it
is never delivered there. Anything else is INVALID_ARGUMENT with the position that failed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from emulators.pubsub.errors import InvalidArgumentError

Predicate = Callable[[Mapping[str, str]], bool]

MAX_FILTER_BYTES = 256
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<op>!=|[=():,.\-])
      | (?P<word>[A-Za-z0-9_][A-Za-z0-9_\-]*)
    )""",
    re.VERBOSE,
)


def compile_filter(text: str) -> Predicate:
    """Parse a filter expression; an empty filter matches every message."""
    if not text.strip():
        return lambda attributes: True
    if len(text.encode()) > MAX_FILTER_BYTES:
        raise InvalidArgumentError(f"filter is longer than {MAX_FILTER_BYTES} bytes")
    parser = _Parser(text)
    predicate = parser.expression()
    if parser.peek() is not None:
        parser.fail("unexpected input")
    return predicate


def _unquote(token: str) -> str:
    return re.sub(r"\\(.)", r"\1", token[1:-1])


class _Parser:
    """Recursive descent over the token list; keeps the text for error messages."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                raise InvalidArgumentError(f"invalid filter {text!r}: cannot read at position {pos}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind), match.start(kind)))
            pos = match.end()
        self.index = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def fail(self, what: str) -> None:
        token = self.peek()
        where = f"position {token[2]}" if token else "end of input"
        raise InvalidArgumentError(f"invalid filter {self.text!r}: {what} at {where}")

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        token = self.peek()
        if token is None or (value is not None and token[1] != value) or (kind and token[0] != kind):
            self.fail(f"expected {value or kind}")
        self.index += 1
        return token[1]  # type: ignore[index]

    def is_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1] == word

    def expression(self) -> Predicate:
        terms = [self.term()]
        joiner = None
        while self.is_word("AND") or self.is_word("OR"):
            word = self.take()
            if joiner is not None and word != joiner:
                self.index -= 1
                self.fail("AND and OR mixed without parentheses")
            joiner = word
            terms.append(self.term())
        if len(terms) == 1:
            return terms[0]
        if joiner == "AND":
            return lambda attributes: all(term(attributes) for term in terms)
        return lambda attributes: any(term(attributes) for term in terms)

    def term(self) -> Predicate:
        if self.is_word("NOT") or (self.peek() or ("", "", 0))[1] == "-":
            self.take()
            inner = self.factor()
            return lambda attributes: not inner(attributes)
        return self.factor()

    def key(self) -> str:
        token = self.peek()
        if token is not None and token[0] == "string":
            self.index += 1
            return _unquote(token[1])
        return self.take(kind="word")

    def factor(self) -> Predicate:
        token = self.peek()
        if token is None:
            self.fail("expected a condition")
        if token[1] == "(":  # type: ignore[index]
            self.take("(")
            inner = self.expression()
            self.take(")")
            return inner
        if self.is_word("hasPrefix"):
            self.take()
            self.take("(")
            self.take("attributes")
            self.take(".")
            key = self.key()
            self.take(",")
            prefix = _unquote(self.take(kind="string"))
            self.take(")")
            return lambda attributes: key in attributes and attributes[key].startswith(prefix)
        self.take("attributes")
        following = self.peek()
        if following is not None and following[1] == ":":
            self.take(":")
            key = self.key()
            return lambda attributes: key in attributes
        self.take(".")
        key = self.key()
        operator = self.peek()
        if operator is None or operator[1] not in ("=", "!="):
            self.fail("expected = or !=")
        self.take()
        value = _unquote(self.take(kind="string"))
        if operator[1] == "=":  # type: ignore[index]
            return lambda attributes: attributes.get(key) == value
        # Like the service, != matches messages that have the key with another value.
        return lambda attributes: key in attributes and attributes[key] != value
