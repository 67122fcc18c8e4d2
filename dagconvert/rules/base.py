"""What a rule is: a stable code, what it looks at (``Interest``, as data), its own before/after examples,
and one or more hooks the converter calls on the libcst nodes it visits.

Hooks (all optional; return the node unchanged when the rule does not apply). The converter visits only what
some rule's ``Interest`` marked, and what encloses it: "every X" below means every X in the statements and the
call arguments / container elements that hold a marked node. So a rule's interest must mark the node its
hook changes (or one inside it); argument values a hook only reads need no mark (they are there, unvisited).
- ``leave_call(ctx, call, target)``: ``target`` is the resolved callee (``CallTarget``) or None.
- ``leave_string(ctx, node)``: every ``SimpleString`` in a visited statement.
- ``leave_function(ctx, node)``: every ``FunctionDef`` in a visited statement.
- ``leave_dict(ctx, node)``: every ``Dict`` literal in a visited statement.
- ``leave_subscript(ctx, node)``: every ``Subscript`` in a visited statement.
- ``leave_statement(ctx, node)``: every ``SimpleStatementLine`` (and one-line suite, ``if x: a; b``) visited, after
  the hooks on its parts; it returns a node of the same type (``dag >> t`` -> ``t.dag = dag``).

A rule reports what it did with ``ctx.change(code, message)`` and what it would not do with
``ctx.todo(code, message)`` (a ``# TODO(airflow2): ...`` comment is put above the statement). A rule never
guesses: when a rewrite is not provably equivalent, it leaves the code and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from dagconvert.analysis import Interest

if TYPE_CHECKING:
    from dagconvert.decisions import Decision


@dataclass(frozen=True)
class Example:
    """A before/after pair the test suite runs through the whole engine (with every rule active)."""

    before: str
    after: str
    todos: tuple[str, ...] = ()   # substrings each expected TODO message contains (in order)
    profile: str | None = None    # None = the default profile
    title: str = ""


@dataclass(frozen=True)
class CallTarget:
    qname: str            # the callee's path as the source imports it
    identity: str         # the canonical 2.x path rules match on
    decision: Decision  # what the import decision is for it (KEEP/MOVE/REPLACE/TODO)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    interest: ClassVar[Interest] = Interest()
    examples: ClassVar[tuple[Example, ...]] = ()
    # identity -> replacement path this rule restructures calls into (REPLACE decisions)
    replaces: ClassVar[dict[str, str]] = {}
    order: ClassVar[int] = 100  # lower runs first on the same node

    def __repr__(self) -> str:
        return f"<{self.code} {self.name}>"


class RestructuringRule(Rule):
    """A rule that turns calls of a class the profile no longer has into its non-drop-in replacement
    (``replaces``): it implements ``_convert(ctx, call, target) -> (new_call, message)`` and raises
    ``cstutil.Unconvertible`` to decline (the call stays, with the reason as a TODO)."""

    def leave_call(self, ctx, call, target: CallTarget | None):
        from dagconvert.rules import cstutil

        if not cstutil.is_replaced(self, target):
            return call
        return cstutil.restructure(self, ctx, call, lambda c, n: self._convert(c, n, target))
