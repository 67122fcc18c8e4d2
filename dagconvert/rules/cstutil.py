"""Small helpers rules share for reading and editing libcst call arguments and literals."""

from __future__ import annotations

import ast
from typing import Any

import libcst as cst

_NO_VALUE = object()


def kwarg(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def has_star_args(call: cst.Call) -> bool:
    """``*args``/``**kwargs`` hide which arguments a call passes: restructuring rules decline them."""
    return any(arg.star for arg in call.args)


def positional_args(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]


def rename_kwarg(call: cst.Call, old: str, new: str) -> cst.Call:
    args = [a.with_changes(keyword=cst.Name(new)) if a.keyword is not None and a.keyword.value == old else a
            for a in call.args]
    return call.with_changes(args=args)


def remove_kwarg(call: cst.Call, name: str) -> cst.Call:
    return call.with_changes(args=remove_items(
        call.args, lambda a: a.keyword is not None and a.keyword.value == name))


def remove_items(items, drop) -> list:
    """Items (call args, dict/list elements) without those ``drop`` selects, keeping the layout: when the
    last item goes, the new last one takes its comma (the whitespace before the closing bracket)."""
    items = list(items)
    kept = [item for item in items if not drop(item)]
    if not kept or len(kept) == len(items):
        return kept
    if drop(items[-1]):
        kept[-1] = kept[-1].with_changes(comma=items[-1].comma)
    return kept


def fix_trailing_comma(original, args: list) -> list:
    """Keep the original trailing-comma style of call arguments / dict or list elements after removals."""
    if not args or not original:
        return list(args)
    had_trailing = not isinstance(original[-1].comma, cst.MaybeSentinel)
    if not had_trailing and not isinstance(args[-1].comma, cst.MaybeSentinel):
        args = [*args[:-1], args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    return list(args)


def literal(node: cst.BaseExpression) -> Any:
    """The Python value of a literal expression (strings, numbers, None/True/False, lists, dicts), else
    ``NotLiteral``. Implicitly concatenated strings work; f-strings do not."""
    if isinstance(node, cst.SimpleString):  # fast paths: most calls are on simple leaves
        try:
            return ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            return NotLiteral
    if isinstance(node, cst.Name):
        return _NAME_LITERALS.get(node.value, NotLiteral)
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0) if not node.value.startswith("0") or node.value == "0" \
            else ast.literal_eval(node.value)
    try:
        code = cst.Module(body=[]).code_for_node(node)
        return ast.literal_eval(code.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return NotLiteral


class NotLiteral:
    """Marker: the expression is not a literal."""


_NAME_LITERALS = {"None": None, "True": True, "False": False}


def is_literal(node: cst.BaseExpression) -> bool:
    return literal(node) is not NotLiteral


def code_of(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def string_node(value: str) -> cst.SimpleString:
    return cst.SimpleString(repr(value))


def arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(keyword=cst.Name(name), value=value,
                   equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                         whitespace_after=cst.SimpleWhitespace("")))


def dict_node(items: list[tuple[str, cst.BaseExpression]]) -> cst.Dict:
    elements = [cst.DictElement(key=string_node(k), value=v) for k, v in items]
    return cst.Dict(elements=elements)


def append_kwarg(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """Add ``name=value`` as the last argument, following the call's layout (one per line or inline)."""
    args = list(call.args)
    new = arg(name, value)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.MaybeSentinel):
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return call.with_changes(args=[*args, new])
    # trailing comma: the new argument takes the last one's comma (what precedes ")"), and the last
    # argument takes the separator used between arguments (newline + indent in a multi-line call)
    separator = args[-2].comma if len(args) >= 2 else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    args[-1] = last.with_changes(comma=separator)
    return call.with_changes(args=[*args, new.with_changes(comma=last.comma)])
