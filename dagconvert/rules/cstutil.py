"""Small helpers rules share for reading and editing libcst call arguments and literals."""

from __future__ import annotations

import ast
import re
import warnings
import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Self

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
    """``call`` without the keyword argument ``name``; comments that followed it are kept."""
    arg_node = kwarg(call, name)
    return call if arg_node is None else replace_arg(call, arg_node, [])


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
    """The Python value of a literal expression (strings, numbers, None/True/False, lists, tuples, sets,
    dicts), else ``NotLiteral``. Implicitly concatenated strings work; f-strings do not.

    Evaluated from the CST nodes directly: rendering a node back to text for ``ast.literal_eval`` costs a
    codegen pass per call, and rules ask this question on most arguments they look at."""
    try:
        return _literal(node)
    except (_NotLiteral, ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return NotLiteral


class _NotLiteral(Exception):
    pass


@lru_cache(maxsize=8192)
def _string_value(text: str) -> Any:
    """A string literal's value (the same literal recurs: task ids, connection ids, templates)."""
    return ast.literal_eval(text)


def _literal(node: cst.BaseExpression) -> Any:
    if isinstance(node, cst.SimpleString):
        return _string_value(node.value)
    if isinstance(node, cst.Name):
        if node.value in _NAME_LITERALS:
            return _NAME_LITERALS[node.value]
        raise _NotLiteral
    if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary)):
        return ast.literal_eval(node.value)
    if isinstance(node, cst.ConcatenatedString):
        left, right = _literal(node.left), _literal(node.right)
        if type(left) is not type(right):
            raise _NotLiteral
        return left + right
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        value = _literal(node.expression)
        if not isinstance(value, (int, float, complex)) or isinstance(value, bool):
            raise _NotLiteral
        return -value if isinstance(node.operator, cst.Minus) else value
    if isinstance(node, cst.List):
        return [_element(e) for e in node.elements]
    if isinstance(node, cst.Tuple):
        return tuple(_element(e) for e in node.elements)
    if isinstance(node, cst.Set):
        return {_element(e) for e in node.elements}
    if isinstance(node, cst.Dict):
        out = {}
        for e in node.elements:
            if not isinstance(e, cst.DictElement):
                raise _NotLiteral  # **spread
            out[_literal(e.key)] = _literal(e.value)
        return out
    raise _NotLiteral  # calls, names, attributes, f-strings, operators: not literals


def _element(element) -> Any:
    if isinstance(element, (cst.StarredElement,)):
        raise _NotLiteral
    return _literal(element.value)


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


# -- binding arguments and replacing them (restructuring rules) -------------------------------------------


def bind_arguments(call: cst.Call, params: tuple[str, ...] | list[str], *, strict: bool = True
                   ) -> dict[str, cst.Arg] | None:
    """Parameter name -> argument of ``call`` against a signature whose positional order is ``params``.

    None when the binding is unknown: ``*args``/``**kwargs``, more positional arguments than ``params``, a
    parameter given twice, or (``strict``) a keyword that is not in ``params``."""
    if has_star_args(call):
        return None
    bound: dict[str, cst.Arg] = {}
    positional = positional_args(call)
    if len(positional) > len(params):
        return None
    for name, a in zip(params, positional):
        bound[name] = a
    for a in call.args:
        if a.keyword is None:
            continue
        name = a.keyword.value
        if name in bound or (strict and name not in params):
            return None
        bound[name] = a
    return bound


def keyword_arg(a: cst.Arg, name: str) -> cst.Arg:
    """The same argument passed as ``name=...`` (a positional one gains the keyword), keeping its comma."""
    if a.keyword is not None and a.keyword.value == name:
        return a
    return arg(name, a.value).with_changes(comma=a.comma)


def replace_arg(call: cst.Call, old: cst.Arg, new: list[cst.Arg]) -> cst.Call:
    """``call`` with the argument ``old`` replaced by ``new`` (zero or more), in its place."""
    return replace_args(call, {id(old): new})


def replace_args(call: cst.Call, replacements: dict[int, list[cst.Arg]]) -> cst.Call:
    """``call`` with each argument whose ``id`` is a key replaced by the list of arguments it maps to, in its
    place and all at once (so positional arguments can become keywords): the last new argument takes the old
    one's comma, the others are separated the way the call separates its arguments (``arg_separator``). A
    removed argument's comments (those after its comma) stay, on the comma before it; a removed last argument
    hands its comma (what precedes ")") to the argument before it."""
    old_args = list(call.args)
    separator = arg_separator(call)
    args: list[cst.Arg] = []
    for a in old_args:
        new = replacements.get(id(a))
        if new is None:
            args.append(a)
        elif new:
            args.extend(n.with_changes(comma=separator) for n in new[:-1])
            args.append(new[-1].with_changes(comma=a.comma))
        elif args:
            args[-1] = args[-1].with_changes(comma=_with_comments(args[-1].comma, _comments_after(a.comma)))
    if args and old_args and id(old_args[-1]) in replacements and not replacements[id(old_args[-1])]:
        args[-1] = args[-1].with_changes(comma=old_args[-1].comma)
    return call.with_changes(args=args)


def _comments_after(comma) -> list[cst.EmptyLine]:
    """The comment lines in what follows a comma: its own line's comment, then whole comment lines."""
    ws = comma.whitespace_after if isinstance(comma, cst.Comma) else None
    if not isinstance(ws, cst.ParenthesizedWhitespace):
        return []
    lines = [cst.EmptyLine(indent=ws.indent, whitespace=ws.last_line, comment=ws.first_line.comment)] \
        if ws.first_line.comment is not None else []
    return lines + [line for line in ws.empty_lines if line.comment is not None]


def _with_comments(comma, lines: list[cst.EmptyLine]):
    ws = comma.whitespace_after if isinstance(comma, cst.Comma) else None
    if not lines or not isinstance(ws, cst.ParenthesizedWhitespace):
        return comma
    return comma.with_changes(whitespace_after=ws.with_changes(empty_lines=[*ws.empty_lines, *lines]))


def set_kwarg_value(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    return call.with_changes(args=[a.with_changes(value=value) if a.keyword is not None and a.keyword.value == name
                                   else a for a in call.args])


@lru_cache(maxsize=4096)
def expression(code: str) -> cst.BaseExpression:
    """``cst.parse_expression``, once per distinct text (libcst nodes are immutable: one parsed node can sit
    in many places; the rules build the same few expressions in file after file)."""
    return cst.parse_expression(code)


def call_node(func: str, args: list[tuple[str, cst.BaseExpression]]) -> cst.Call:
    """``func(k1=v1, k2=v2)`` on one line (``func``: a local name or a dotted one, ``k8s.V1Volume``)."""
    return cst.Call(func=expression(func), args=[arg(k, v) for k, v in args])


def string_value(node: cst.BaseExpression) -> str | None:
    """The value of a plain string literal (no f-string), else None."""
    value = literal(node) if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) else NotLiteral
    return value if isinstance(value, str) else None


# -- per-file state for rules ----------------------------------------------------------------------------

_FILE_STATE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def file_state(ctx, key: str, factory):
    """A value computed once per converted file (``factory(ctx)``), e.g. a plan a rule derives from the
    whole file's ``ast`` before it edits single statements; kept as long as the file's context lives."""
    state = _FILE_STATE.setdefault(ctx, {})
    if key not in state:
        state[key] = factory(ctx)
    return state[key]


# -- restructuring a 1.10 operator call into a non-drop-in Airflow 2 class (AM8xx) ------------------------


class Unconvertible(Exception):
    """Raised while planning a restructured call: the call stays as it is, with this reason as a TODO."""


# BaseOperator's own arguments (1.10.15 and 2.10.5, without 1.10's `schedule_interval`): a restructuring
# rule passes them through untouched; any other argument it does not know is a reason to decline.
BASE_OPERATOR_ARGS = frozenset({
    "allow_nested_operators", "dag", "default_args", "depends_on_past", "do_xcom_push", "doc", "doc_json",
    "doc_md", "doc_rst", "doc_yaml", "email", "email_on_failure", "email_on_retry", "end_date",
    "execution_timeout", "executor", "executor_config", "ignore_first_depends_on_past", "inlets", "logger_name",
    "map_index_template", "max_active_tis_per_dag", "max_active_tis_per_dagrun", "max_retry_delay",
    "multiple_outputs", "on_execute_callback", "on_failure_callback", "on_retry_callback", "on_skipped_callback",
    "on_success_callback", "outlets", "owner", "params", "pool", "pool_slots", "post_execute", "pre_execute",
    "priority_weight", "queue", "resources", "retries", "retry_delay", "retry_exponential_backoff",
    "run_as_user", "sla", "start_date", "task_concurrency", "task_display_name", "task_group", "task_id",
    "trigger_rule", "wait_for_downstream", "wait_for_past_depends_before_skipping", "weight_rule",
})

JINJA_MARKERS = ("{{", "{%", "{#")


def keyword_args(call: cst.Call, known: frozenset[str] | set[str], class_name: str) -> dict[str, cst.Arg]:
    """Keyword -> argument of a call a rule restructures; declines ``*args``/``**kwargs``, positional
    arguments and keywords that are neither ``known`` nor BaseOperator's."""
    if has_star_args(call):
        raise Unconvertible(f"{class_name} gets *args/**kwargs: the arguments to restructure are unknown")
    if positional_args(call):
        raise Unconvertible(f"{class_name} gets positional arguments: pass them by keyword first")
    args = {a.keyword.value: a for a in call.args if a.keyword is not None}
    unknown = sorted(set(args) - set(known) - BASE_OPERATOR_ARGS)
    if unknown:
        raise Unconvertible(f"{class_name} gets argument(s) {', '.join(unknown)} that Airflow 1.10 did not "
                            f"define for it: check them and convert the call by hand")
    return args


def is_none(node: cst.BaseExpression | None) -> bool:
    return node is None or (isinstance(node, cst.Name) and node.value == "None")


def given(args: dict[str, cst.Arg], *names: str) -> cst.BaseExpression | None:
    """The value passed for the first of ``names`` (spellings of one parameter), None when absent or None."""
    for name in names:
        a = args.get(name)
        if a is not None and not is_none(a.value):
            return a.value
    return None


def _dict_keys(ctx, node: ast.AST, names: set[str], depth: int = 0) -> set[str] | None:
    """String keys of a dict expression (literal, ``dict(...)``, ``{**BASE, ...}``, a module-level name,
    ``NAME.copy()``), None when they cannot be known."""
    if depth > 5:
        return None
    if isinstance(node, ast.Dict):
        keys: set[str] = set()
        for k, v in zip(node.keys, node.values):
            if k is None:
                sub = _dict_keys(ctx, v, names, depth + 1)
                if sub is None:
                    return None
                keys |= sub
            elif isinstance(k, ast.Constant) and isinstance(k.value, str):
                keys.add(k.value)
            else:
                return None
        return keys
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        keys = set()
        for a in [*node.args, *(kw.value for kw in node.keywords if kw.arg is None)]:
            sub = _dict_keys(ctx, a, names, depth + 1)
            if sub is None:
                return None
            keys |= sub
        return keys | {kw.arg for kw in node.keywords if kw.arg}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "copy" \
            and not node.args:
        return _dict_keys(ctx, node.func.value, names, depth + 1)
    if isinstance(node, ast.Name):
        names.add(node.id)
        value = module_value(ctx, node.id)
        return None if value is None else _dict_keys(ctx, value, names, depth + 1)
    return None


def _parameter_values(tree: ast.AST, function: ast.AST, name: str) -> list[ast.expr] | None:
    """What the module's calls of ``function`` pass for its parameter ``name`` (a DAG factory's
    ``default_args``); None when a call does not show it or the function is never called by name."""
    params = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    keyword_only = [a.arg for a in function.args.kwonlyargs]
    if name not in params and name not in keyword_only:
        return None
    values: list[ast.expr] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function.name):
            continue
        if any(isinstance(a, ast.Starred) for a in node.args) or any(kw.arg is None for kw in node.keywords):
            return None
        passed = {kw.arg: kw.value for kw in node.keywords}
        if name in params and params.index(name) < len(node.args):
            passed[name] = node.args[params.index(name)]
        if name not in passed:
            return None
        values.append(passed[name])
    return values or None


def _default_args_exprs(ctx) -> list[ast.expr]:
    """Every expression the file passes as ``default_args=`` (a DAG factory's parameter followed to what
    the factory's callers pass)."""
    tree = ctx.analysis.tree
    exprs: list[ast.expr] = []
    functions: list[tuple[int, int, ast.AST]] | None = None
    for node in ctx.analysis.nodes:
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:
            if kw.arg != "default_args":
                continue
            values = [kw.value]
            if isinstance(kw.value, ast.Name):
                if functions is None:
                    functions = [(_span_start(f), f.end_lineno or f.lineno, f) for f in ctx.analysis.nodes
                                 if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
                function = _innermost(functions, node.lineno)
                if function is not None:
                    local = _local_value(function, kw.value.id)
                    values = [local] if local is not None else \
                        _parameter_values(tree, function, kw.value.id) or values
            exprs.extend(values)
    return exprs


def _span_start(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return min([function.lineno, *(d.lineno for d in function.decorator_list)])


def _innermost(functions: list[tuple[int, int, ast.AST]], line: int) -> ast.AST | None:
    """The innermost function whose lines (decorators included) hold ``line``."""
    inner = None
    for start, end, function in functions:
        if start <= line <= end and (inner is None or start >= inner[0]):
            inner = (start, function)
    return inner[1] if inner else None


def _local_value(function: ast.AST, name: str) -> ast.expr | None:
    """The value of a function's local ``name`` assigned exactly once (``args = {...}``) and not changed
    in place, else None."""
    values: list[ast.expr | None] = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id == name:
            values.append(node.value)
            stack.append(node.value)
            continue
        rebound = isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store)
        changed = (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
                   and isinstance(node.value, ast.Name) and node.value.id == name) or (
            isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == name
            and node.attr in ("update", "setdefault", "pop", "clear"))
        if rebound or changed:
            values.append(None)
        stack.extend(ast.iter_child_nodes(node))
    return values[0] if len(values) == 1 else None


def _default_args_keys(ctx) -> frozenset[str] | None:
    keys: set[str] = set()
    names: set[str] = set()
    for value in _default_args_exprs(ctx):
        sub = _dict_keys(ctx, value, names)
        if sub is None:
            return None
        keys |= sub
    for node in ctx.analysis.nodes:  # later changes to a default_args dict
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and \
                isinstance(node.value, ast.Name) and node.value.id in names:
            if not (isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
                return None
            keys.add(node.slice.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id in names and \
                node.func.attr in ("update", "setdefault"):
            if node.func.attr == "setdefault":
                if not (node.args and isinstance(node.args[0], ast.Constant)):
                    return None
                keys.add(node.args[0].value)
                continue
            for a in node.args:
                sub = _dict_keys(ctx, a, set())
                if sub is None:
                    return None
                keys |= sub
            keys |= {kw.arg for kw in node.keywords if kw.arg}
    return frozenset(keys)


def default_args_keys(ctx) -> frozenset[str] | None:
    """The keys of every ``default_args`` the file passes (``DAG(default_args=...)``, an operator's
    ``default_args=``), followed through module-level names, ``{**BASE}``, ``dict(...)``, ``.copy()``,
    ``.update()`` and ``NAME['key'] = ...``; None when one cannot be read (imported, computed)."""
    return file_state(ctx, "default_args_keys", _default_args_keys)


def dict_keys(ctx, node: ast.expr) -> frozenset[str] | None:
    """The exact string keys of one dict expression (a literal, ``dict(...)``, ``{**BASE}``, ``NAME.copy()``,
    a module-level name), with what the module does to the dicts it names afterwards (``NAME['k'] = ...``,
    ``.update(...)``, ``.setdefault('k', ...)``); None when they cannot be known, or when a key may be removed
    (``del NAME[...]``, ``.pop()``, ``.popitem()``, ``.clear()``)."""
    names: set[str] = set()
    keys = _dict_keys(ctx, node, names)
    if keys is None:
        return None
    for node_ in ctx.analysis.nodes:
        target = node_.value if isinstance(node_, ast.Subscript) else \
            node_.func.value if isinstance(node_, ast.Call) and isinstance(node_.func, ast.Attribute) else None
        if not (isinstance(target, ast.Name) and target.id in names):
            continue
        if isinstance(node_, ast.Subscript):
            if isinstance(node_.ctx, ast.Del):
                return None
            if isinstance(node_.ctx, ast.Store):
                if not (isinstance(node_.slice, ast.Constant) and isinstance(node_.slice.value, str)):
                    return None
                keys.add(node_.slice.value)
        elif node_.func.attr in ("pop", "popitem", "clear"):
            return None
        elif node_.func.attr == "setdefault":
            if not (node_.args and isinstance(node_.args[0], ast.Constant) and isinstance(node_.args[0].value, str)):
                return None
            keys.add(node_.args[0].value)
        elif node_.func.attr == "update":
            for a in node_.args:
                sub = _dict_keys(ctx, a, set())
                if sub is None:
                    return None
                keys |= sub
            if any(kw.arg is None for kw in node_.keywords):
                return None
            keys |= {kw.arg for kw in node_.keywords}
    return frozenset(keys)


def parameter_values(ctx, function: ast.AST, name: str) -> list[ast.expr] | None:
    """What the module's calls of ``function`` (by name) pass for its parameter ``name``; None when a call does
    not show it or the function is never called by name."""
    return _parameter_values(ctx.analysis.tree, function, name)


def _module_names(ctx) -> frozenset[str]:
    """Names bound by the module's top-level statements (assignments, imports, defs, classes)."""
    names: set[str] = set()
    for stmt in ctx.analysis.tree.body:
        for node in ast.walk(stmt) if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                             ast.ClassDef)) else ():
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update(a.asname or a.name.split(".")[0] for a in node.names)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
    return frozenset(names)


def _portable(ctx, expr: ast.expr) -> str | None:
    """Source of an expression that means the same anywhere in the module (literals and module-level
    names only), else None."""
    if isinstance(expr, (ast.Lambda, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.NamedExpr)):
        return None
    module = file_state(ctx, "module_names", _module_names)
    for node in ast.walk(expr):
        if isinstance(node, (ast.Lambda, ast.comprehension, ast.NamedExpr)):
            return None
        if isinstance(node, ast.Name) and node.id not in module:
            return None
    return ast.unparse(expr)


def _source_in(ctx, expr: ast.expr, key: str, depth: int = 0) -> str | None:
    """Source of the value a default_args expression holds for ``key`` (it is known to hold one)."""
    if depth > 5:
        return None
    if isinstance(expr, ast.Name):  # the dict at run time, whatever built it
        return f"{expr.id}[{key!r}]" if expr.id in file_state(ctx, "module_names", _module_names) and \
            module_value(ctx, expr.id) is not None else None
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "copy":
        return _source_in(ctx, expr.func.value, key, depth + 1)
    if isinstance(expr, ast.Dict):
        for k, v in reversed(list(zip(expr.keys, expr.values))):
            if k is None:
                keys = _dict_keys(ctx, v, set())
                if keys and key in keys:
                    return _source_in(ctx, v, key, depth + 1)
            elif isinstance(k, ast.Constant) and k.value == key:
                return _portable(ctx, v)
        return None
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "dict":
        for kw in reversed(expr.keywords):
            if kw.arg == key:
                return _portable(ctx, kw.value)
            if kw.arg is None and key in (_dict_keys(ctx, kw.value, set()) or ()):
                return _source_in(ctx, kw.value, key, depth + 1)
        return None
    return None


def _mutated_keys(ctx, name: str) -> set[str]:
    """Keys a module-level dict gets after it is built (``NAME['k'] = ...``, ``NAME.update(k=...)``)."""
    keys: set[str] = set()
    for node in ctx.analysis.nodes:
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and \
                isinstance(node.value, ast.Name) and node.value.id == name and \
                isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            keys.add(node.slice.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id == name and node.func.attr == "update":
            for a in node.args:
                keys |= _dict_keys(ctx, a, set()) or set()
            keys |= {kw.arg for kw in node.keywords if kw.arg}
    return keys


def _every_dag_has_default_args(ctx) -> bool:
    for node in ctx.analysis.nodes:
        if isinstance(node, ast.Call):
            qname = ctx.analysis.resolve(node.func)
            if qname and ctx.decider.identity(qname) == "airflow.models.dag.DAG" and \
                    not any(kw.arg == "default_args" for kw in node.keywords):
                return False
    return True


def default_args_source(ctx, key: str) -> str | None:
    """Source of the value the file's default_args give ``key``, written so that it can be passed in a call
    (``default_args['project_id']``, a literal, a module-level name); None unless every DAG of the file takes
    default_args and they all give the same source."""
    if not file_state(ctx, "every_dag_has_default_args", _every_dag_has_default_args):
        return None
    sources = set()
    for expr in _default_args_exprs(ctx):
        keys = _dict_keys(ctx, expr, set())
        if keys is None:
            return None
        if key in keys or (isinstance(expr, ast.Name) and key in _mutated_keys(ctx, expr.id)):
            sources.add(_source_in(ctx, expr, key))
    return sources.pop() if len(sources) == 1 and None not in sources else None


def check_default_args(ctx, args: dict[str, cst.Arg], params, class_name: str, new_class: str) -> list[str]:
    """Airflow fills a missing argument from ``default_args``; ``params`` are the ones ``new_class`` does not
    take, so a value set there would be lost: it is moved into ``args`` (``default_args['x']`` or its
    literal) when its source is known. Returns the names moved; declines when default_args cannot be read
    while some of ``params`` are missing, or when a value they set cannot be moved."""
    missing = [p for p in params if p not in args]
    if not missing:
        return []
    keys = default_args_keys(ctx)
    if keys is None:
        shown = ", ".join(sorted(missing)[:3]) + (", ..." if len(missing) > 3 else "")
        raise Unconvertible(f"this file's default_args cannot be read statically (imported or computed): Airflow "
                            f"1.10 gave {class_name} the arguments they set that {new_class} does not take "
                            f"({shown}); pass those in the call, or convert it by hand")
    moved = []
    for name in sorted(p for p in missing if p in keys):
        source = default_args_source(ctx, name)
        if source is None:
            raise Unconvertible(
                f"default_args sets {name}: Airflow 1.10 passed it to {class_name}, {new_class} does not take it "
                f"and where its value comes from is not clear; move it into the call and re-run")
        args[name] = arg(name, expression(source))
        moved.append(name)
    return moved


def default_args_sets(ctx, name: str) -> bool:
    """Whether a ``default_args`` of the file sets ``name`` (an argument the new class takes too, so a rule
    must not write its 1.10 default over it); declines when they cannot be read."""
    keys = default_args_keys(ctx)
    if keys is None:
        raise Unconvertible(f"this file's default_args cannot be read statically (imported or computed): it may "
                            f"set {name}; pass {name} in the call")
    return name in keys


def module_value(ctx, name: str) -> ast.expr | None:
    """The value of a module-level name bound exactly once, by ``NAME = value`` (``OPTIONS = {...}``)."""
    values = file_state(ctx, "module_values", _module_values).get(name)
    return values[0] if values is not None and len(values) == 1 else None


def _module_values(ctx) -> dict[str, list[ast.expr | None]]:
    """Every binding of every name in module-level code (function and class bodies are their own scopes): the
    value of each ``NAME = value``, None for any other binding (imports, tuple targets, loops, ``with ... as``).

    Bindings are statements (their targets), so only statements are visited; an assignment expression
    (``:=``, which binds from inside any expression) sends the file through a walk of every node instead."""
    values: dict[str, list[ast.expr | None]] = {}
    if any(type(n) is ast.NamedExpr for n in ctx.analysis.nodes):
        return _module_values_everywhere(ctx, values)
    stack: list[ast.stmt] = list(ctx.analysis.tree.body)
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            continue  # their own scopes
        if kind is ast.Assign:
            if len(node.targets) == 1 and type(node.targets[0]) is ast.Name:
                values.setdefault(node.targets[0].id, []).append(node.value)
                continue
            targets = node.targets
        elif kind in (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor):
            targets = [node.target]
        elif kind in (ast.With, ast.AsyncWith):
            targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
        elif kind in (ast.Import, ast.ImportFrom):
            for alias in node.names:
                values.setdefault(alias.asname or alias.name.split(".")[0], []).append(None)
            continue
        else:
            targets = []
        for target in targets:
            for name in ast.walk(target):
                if type(name) is ast.Name and type(name.ctx) is ast.Store:
                    values.setdefault(name.id, []).append(None)
        for field in ("body", "orelse", "finalbody"):
            stack.extend(getattr(node, field, ()) or ())
        for handler in getattr(node, "handlers", ()) or ():
            stack.extend(handler.body)
        for case in getattr(node, "cases", ()) or ():
            stack.extend(case.body)
    return values


def _module_values_everywhere(ctx, values: dict[str, list[ast.expr | None]]) -> dict[str, list[ast.expr | None]]:
    stack: list[ast.AST] = list(ctx.analysis.tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue  # their own scopes
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            values.setdefault(node.id, []).append(None)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values.setdefault(node.targets[0].id, []).append(node.value)
            stack.append(node.value)
            continue
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                values.setdefault(alias.asname or alias.name.split(".")[0], []).append(None)
        stack.extend(ast.iter_child_nodes(node))
    return values


def dict_items(ctx, node: cst.BaseExpression) -> dict[str, tuple[str, Any]] | None:
    """The items of the dict an expression denotes, when the file shows them: a dict literal, a module-level
    name bound to one, or a string-keyed subscript of those (``default_args['options']``). Each key maps to
    (source of an expression for its value at the call site, literal value or ``NotLiteral``); None when
    unknown (computed, ``**`` splats, keys that are not strings)."""
    code = code_of(node)
    try:
        expr = ast.parse(code.strip(), mode="eval").body
    except SyntaxError:
        return None

    def resolve(e: ast.expr, prefix: str | None, depth: int = 0):
        if depth > 5:
            return None
        if isinstance(e, ast.Dict):
            return e, prefix
        if isinstance(e, ast.Name):
            value = module_value(ctx, e.id)
            return None if value is None else resolve(value, e.id, depth + 1)
        if isinstance(e, ast.Subscript) and isinstance(e.slice, ast.Constant) and isinstance(e.slice.value, str):
            base = resolve(e.value, ast.unparse(e.value), depth + 1)
            if base is None or base[1] is None:
                return None
            found = _dict_value(base[0], e.slice.value)
            if found is None:
                return None
            return resolve(found, f"{base[1]}[{e.slice.value!r}]", depth + 1)
        return None

    resolved = resolve(expr, None)
    if resolved is None or any(k is None or not isinstance(k, ast.Constant) or not isinstance(k.value, str)
                               for k in resolved[0].keys):
        return None
    dict_node, prefix = resolved
    items: dict[str, tuple[str, Any]] = {}
    for k, v in zip(dict_node.keys, dict_node.values):
        source = f"{prefix}[{k.value!r}]" if prefix else (ast.get_source_segment(code.strip(), v) or ast.unparse(v))
        try:
            value = ast.literal_eval(v)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            value = NotLiteral
        items[k.value] = (source, value)
    return items


def _dict_value(node: ast.Dict, key: str) -> ast.expr | None:
    for k, v in reversed(list(zip(node.keys, node.values))):
        if k is None:
            return None  # a splat may hold it
        if isinstance(k, ast.Constant) and k.value == key:
            return v
    return None


def template_hazard(value: Any, *, jinja: bool = True, exts: tuple[str, ...] = ()) -> str | None:
    """Why a literal value would render differently once it sits in a templated field: a string with Jinja
    markers (``jinja``) or ending with a template extension (the file would be read), else None."""
    if isinstance(value, str):
        if jinja and any(m in value for m in JINJA_MARKERS):
            return f"{value!r} has Jinja markers"
        if exts and value.endswith(tuple(exts)):
            return f"{value!r} ends with {value[value.rfind('.'):]}, so it would be read as a template file"
        return None
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
    else:
        return None
    for item in items:
        why = template_hazard(item, jinja=jinja, exts=exts)
        if why:
            return why
    return None


def static_prefix(node: cst.BaseExpression) -> str | None:
    """The literal text a string expression starts with (plain, concatenated or f-string), else None."""
    if isinstance(node, cst.SimpleString):
        value = literal(node)
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        return static_prefix(node.left)
    if isinstance(node, cst.FormattedString):
        first = node.parts[0] if node.parts else None
        return first.value if isinstance(first, cst.FormattedStringText) else ""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return static_prefix(node.left)
    return None


def comments_in(node: cst.CSTNode) -> list[str]:
    """The ``#`` comments inside a node's source."""
    import io
    import tokenize

    code = code_of(node)
    if "#" not in code:
        return []  # no comment can be in it (tokenizing is the costly part)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return ["#"]  # unknown: callers keep the source as it is
    return [t.string for t in tokens if t.type == tokenize.COMMENT]


class Code(str):
    """Source text of an expression, placed as is by ``render_value``."""


class Source(Code):
    """The source text of a literal (kept for its quotes and layout: a multi-line SQL string stays one)
    together with its value (what a rule compares)."""

    value: Any

    def __new__(cls, text: str, value: Any) -> Self:
        obj = super().__new__(cls, text)
        obj.value = value
        return obj


def plain(value: Any) -> Any:
    """The value of a ``Source``, else ``value``."""
    return value.value if isinstance(value, Source) else value


def reindent(code: str, indent: str) -> str:
    """A multi-line expression's source moved so that its last line starts at ``indent`` (the lines in
    between keep their offsets); unchanged when a string literal spans lines (its text must not move)."""
    import io
    import tokenize

    lines = code.split("\n")
    if len(lines) == 1:
        return code
    try:  # only a triple-quoted string or a backslash-continued one spans lines: tokenize only then
        if ('"""' in code or "'''" in code or "\\\n" in code) and any(
                t.type == tokenize.STRING and t.start[0] != t.end[0]
                for t in tokenize.generate_tokens(io.StringIO(code).readline)):
            return code
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return code
    base = lines[-1][:len(lines[-1]) - len(lines[-1].lstrip())]
    if not all(line.startswith(base) or not line.strip() for line in lines[1:]):
        return code
    return "\n".join([lines[0], *(indent + line[len(base):] if line.strip() else line for line in lines[1:])])


def render_value(value: Any, *, indent: str | None = None, quote: str = "'", width: int = 100,
                 used: int = 0) -> str:
    """Python source for ``value`` (dict, list, tuple, str, int, float, bool, None, ``Code``).

    ``indent`` is the indentation of the line the value starts on: a dict that does not fit in ``width``
    (``used`` columns are already taken on that line) is written one item per line; None writes it inline.
    """
    if isinstance(value, Code):
        return reindent(str(value), indent) if indent is not None else str(value)
    if isinstance(value, str):
        text = repr(value)
        if quote == '"' and text.startswith("'") and '"' not in value:
            text = '"' + text[1:-1].replace("\\'", "'") + '"'
        return text
    if isinstance(value, dict):
        items = [(render_value(k, quote=quote), v) for k, v in value.items()]
        inline = "{" + ", ".join(f"{k}: {render_value(v, quote=quote)}" for k, v in items) + "}"
        if indent is None or (len(indent) + used + len(inline) <= width and "\n" not in inline) or not items:
            return inline
        inner = indent + "    "
        lines = [f"{inner}{k}: {render_value(v, indent=inner, quote=quote, width=width, used=len(k) + 2)},"
                 for k, v in items]
        return "{\n" + "\n".join(lines) + "\n" + indent + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render_value(v, quote=quote) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(render_value(v, quote=quote) for v in value)
        return "(" + inner + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _has_comment(comma) -> bool:
    if not isinstance(comma, cst.Comma):
        return False
    ws = comma.whitespace_after
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.first_line.comment is not None or any(line.comment for line in ws.empty_lines)
    return False


def arg_separator(call: cst.Call) -> cst.Comma:
    """The comma (with what follows it) that separates the call's arguments, for arguments a rule adds."""
    for a in call.args[:-1]:
        if isinstance(a.comma, cst.Comma) and not _has_comment(a.comma):
            return a.comma
    ws = call.whitespace_before_args
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=ws.with_changes(
            first_line=cst.TrailingWhitespace(), empty_lines=[]))
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def call_indent(call: cst.Call, ctx=None) -> str | None:
    """Indentation of the arguments of a call written one argument per line, relative to the statement's
    block (how libcst prints parsed code back: a line marked ``indent`` gets the block's indentation
    first); None for an inline call."""
    ws = arg_separator(call).whitespace_after
    if not isinstance(ws, cst.ParenthesizedWhitespace):
        return None
    if ws.indent:
        return ws.last_line.value
    block = statement_indent(ctx) if ctx is not None else ""
    return ws.last_line.value[len(block):] if ws.last_line.value.startswith(block) else None


def statement_indent(ctx) -> str:
    """Indentation of the statement being converted."""
    line = ctx.frames[-1].info.line if getattr(ctx, "frames", None) else 1
    for node in ctx.analysis.nodes:
        if isinstance(node, ast.stmt) and node.lineno == line:
            return " " * node.col_offset
    return ""


def render_argument(ctx, call: cst.Call, name: str, value: Any) -> cst.Arg:
    """``name=<value>`` for a call being restructured, laid out like the call: one item per line under the
    argument in a call written one argument per line; in an inline call, inline when short, else opening
    on the call's line and closing on its own line at the statement's indentation."""
    indent = call_indent(call, ctx)
    used = len(name) + 1
    if indent is None:
        indent, used = "", 60
    return kwarg_node(name, render_value(value, indent=indent, quote=call_quote(call), used=used))


def render_call(ctx, call: cst.Call, func: str, args: list[tuple[str, str]]) -> cst.Call:
    """``func(k=v, ...)`` (sources) as an argument value of ``call``: one argument per line under an
    argument of a call written one argument per line, inline otherwise."""
    indent = call_indent(call, ctx)
    if indent is None:
        return expression(f"{func}(" + ", ".join(f"{k}={v}" for k, v in args) + ")")
    inner = indent + "    "
    return expression(f"{func}(\n" + "".join(f"{inner}{k}={v},\n" for k, v in args) + f"{indent})")


def call_quote(call: cst.Call) -> str:
    """The quote character the call's string arguments use (for the strings a rule writes)."""
    for a in call.args:
        if isinstance(a.value, cst.SimpleString):
            prefix_end = len(a.value.value) - len(a.value.value.lstrip("rbuRBUfF"))
            return a.value.value[prefix_end]
    return "'"


def _comment_lines(ws, comments: list[str], indent: str) -> cst.ParenthesizedWhitespace:
    """``ws`` (whitespace after a comma) with ``comments`` as full lines before what follows it."""
    lines = [cst.EmptyLine(indent=True, whitespace=cst.SimpleWhitespace(indent), comment=cst.Comment(c))
             for c in comments]
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.with_changes(empty_lines=[*ws.empty_lines, *lines])
    return cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), empty_lines=lines, indent=True,
                                       last_line=cst.SimpleWhitespace(indent))


def _any_indent(call: cst.Call) -> str:
    for ws in [call.whitespace_before_args, *(getattr(a.comma, "whitespace_after", None) for a in call.args)]:
        if isinstance(ws, cst.ParenthesizedWhitespace) and ws.indent:
            return ws.last_line.value
    return "    "


def rebuild_args(call: cst.Call, *, drop=(), insert: list[cst.Arg] = (), rename: dict[str, str] | None = None,
                 ) -> list[cst.Arg]:
    """The call's arguments without the keywords in ``drop``, with ``rename`` applied, and ``insert`` put
    where the first dropped argument was (at the end when none is dropped). Kept arguments keep their
    commas and comments; the comments around dropped arguments (not inside their values) move to lines
    above the inserted ones; the layout's separator goes between the new ones; the last argument keeps the
    call's trailing-comma style and the whitespace before ``)``."""
    rename = rename or {}
    original = list(call.args)
    if not original:
        return [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) if i == len(insert) - 1 else
                a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                for i, a in enumerate(insert)]
    separator = arg_separator(call)
    old_last = original[-1]
    out: list[cst.Arg] = []
    moved: list[str] = []
    placed = False
    for a in original:
        name = a.keyword.value if a.keyword is not None else None
        if name in drop:
            if not placed:
                out.extend(insert)
                placed = True
            moved += comments_in(a.with_changes(value=cst.Name("_")))
            continue
        if name in rename:
            a = a.with_changes(keyword=cst.Name(rename[name]))
        out.append(a)
    if not placed:
        out.extend(insert)
    new_ids = {id(a) for a in insert}
    fixed = []
    for i, a in enumerate(out):
        was_last = a.comma is old_last.comma and id(a) not in new_ids
        if i == len(out) - 1:
            trailing = old_last.comma
            if isinstance(trailing, cst.Comma) and _has_comment(trailing) and not was_last:
                trailing = trailing.with_changes(whitespace_after=trailing.whitespace_after.with_changes(
                    first_line=cst.TrailingWhitespace(), empty_lines=[]))
            fixed.append(a.with_changes(comma=trailing, whitespace_after_arg=old_last.whitespace_after_arg))
        elif id(a) in new_ids or was_last or isinstance(a.comma, cst.MaybeSentinel):
            comma = separator
            if was_last and _has_comment(a.comma) and isinstance(separator.whitespace_after,
                                                                   cst.ParenthesizedWhitespace):
                comma = a.comma.with_changes(whitespace_after=a.comma.whitespace_after.with_changes(
                    last_line=separator.whitespace_after.last_line))
            fixed.append(a.with_changes(comma=comma, whitespace_after_arg=cst.SimpleWhitespace("")))
        else:
            fixed.append(a)
    if moved and insert:
        first = next(i for i, a in enumerate(out) if id(a) in new_ids)
        host = first - 1 if first > 0 else first  # the comma before the new arguments (else after the first)
        comma = fixed[host].comma
        if not isinstance(comma, cst.Comma):
            comma = cst.Comma()
        ws = comma.whitespace_after
        if isinstance(ws, cst.ParenthesizedWhitespace) and ws.indent:
            indent = ws.last_line.value
        else:
            indent = _any_indent(call)
            if host == len(fixed) - 1:  # the comments go before ")"
                ws = cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), indent=True,
                                                 last_line=cst.SimpleWhitespace(""))
        fixed[host] = fixed[host].with_changes(comma=comma.with_changes(
            whitespace_after=_comment_lines(ws, moved, indent)))
    return fixed


def kwarg_node(name: str, code: str) -> cst.Arg:
    """``name=<code>`` as an argument (``code`` is any expression's source, multi-line allowed)."""
    return arg(name, expression(code))


def is_replaced(rule, target) -> bool:
    """The call's class has no drop-in Airflow 2 home and this rule restructures it (a REPLACE decision)."""
    from dagconvert.decisions import Action

    return target is not None and target.decision.action is Action.REPLACE and target.identity in rule.replaces


def check_available(ctx, *qnames: str) -> None:
    """Decline when the target profile is known to lack a class the conversion would import (call this
    before any ``ctx.require_import``: an import once required stays)."""
    missing = [q for q in qnames if ctx.profile.has(q) is False]
    if missing:
        raise Unconvertible(f"{', '.join(missing)} does not exist in profile {ctx.profile.name}")


def explode_call(call: cst.Call) -> cst.Call:
    """The call written one argument per line (indented one level, ``)`` on its own line, trailing comma)."""
    if not call.args:
        return call
    inner = cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), indent=True,
                                        last_line=cst.SimpleWhitespace("    "))
    closing = inner.with_changes(last_line=cst.SimpleWhitespace(""))

    def line_break(ws, last: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
        if isinstance(ws, cst.ParenthesizedWhitespace):  # keep its comments
            return ws.with_changes(indent=True, last_line=last.last_line,
                                   empty_lines=[e.with_changes(indent=True, whitespace=last.last_line)
                                                for e in ws.empty_lines])
        return last

    args = []
    for i, a in enumerate(call.args):
        last = closing if i == len(call.args) - 1 else inner
        ws = a.comma.whitespace_after if isinstance(a.comma, cst.Comma) else a.whitespace_after_arg
        args.append(a.with_changes(comma=cst.Comma(whitespace_after=line_break(ws, last)),
                                   whitespace_after_arg=cst.SimpleWhitespace("")))
    return call.with_changes(whitespace_before_args=line_break(call.whitespace_before_args, inner), args=args)


MAX_INLINE = 90  # a restructured call not written one argument per line that gets longer is rewritten so


def restructure(rule, ctx, call: cst.Call, convert, *, replaced: bool = True) -> cst.Call:
    """Shared ``leave_call`` body of restructuring rules: ``convert(ctx, call)`` returns the new call and a
    message, or raises ``Unconvertible`` (then the call stays, with the reason as a TODO). A call not written
    one argument per line whose new form gets long is converted again from that layout."""
    try:
        new_call, message = convert(ctx, call)
        if call_indent(call, ctx) is None and max(len(line) for line in code_of(new_call).splitlines()) > MAX_INLINE:
            new_call, message = convert(ctx, explode_call(call))
    except Unconvertible as why:
        ctx.todo(rule.code, str(why))
        return call
    if new_call is call:  # nothing to do after all
        return call
    if replaced:
        ctx.mark_converted(call.func)
    ctx.change(rule.code, message)
    return new_call


_ESCAPE = re.compile(r"\\(?:N\{[^}]*\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[0-7]{1,3}|\r\n|[\s\S])")


def decode_string_body(node: cst.SimpleString) -> tuple[str, list[int]]:
    """The value of a (non-bytes) string literal, and for each of its characters the offset in
    ``node.raw_value`` it was written at, or -1 when an escape sequence produced it. So a rule can find
    things in the value and edit the source text, keeping the literal's prefix, quotes and escapes."""
    body = node.raw_value
    if "\\" not in body or "r" in node.prefix.lower():
        return body, list(range(len(body)))
    chars: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _ESCAPE.finditer(body):
        chars.extend(body[pos:m.start()])
        offsets.extend(range(pos, m.start()))
        decoded = _decode_escape(m.group())
        chars.extend(decoded)
        offsets.extend([-1] * len(decoded))
        pos = m.end()
    chars.extend(body[pos:])
    offsets.extend(range(pos, len(body)))
    return "".join(chars), offsets


def _decode_escape(escape: str) -> str:
    if escape[1] in "\r\n":
        return ""  # a backslash-newline continues the line
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unknown escape ("\d") stays as written, with a warning
        try:
            return ast.literal_eval(f'"{escape}"')
        except (SyntaxError, ValueError):
            return escape


def quote_of(node: cst.CSTNode, default: str = "'") -> str:
    """The quote character of the first string literal (plain or f-string) in ``node``, for strings a rule
    writes next to it."""
    stack = [node]
    while stack:
        n = stack.pop(0)
        if isinstance(n, cst.SimpleString):
            return n.quote[-1]
        if isinstance(n, cst.FormattedString):
            return n.end[-1]
        stack[:0] = list(n.children)
    return default


def string_literal(value: str, quote: str = "'") -> cst.SimpleString:
    """A string literal for ``value`` written with ``quote`` when it needs no escaping that way, else repr's."""
    code = repr(value)
    if quote == '"' and '"' not in value and "\\'" not in code:
        code = '"' + code[1:-1] + '"'
    return cst.SimpleString(code)


def shadowed(ctx, name: str, line: int | None = None) -> bool:
    """Whether ``name``, read at ``line`` (default: the statement being converted), may be a function's own
    parameter or local rather than the module-level name ``module_value`` reads."""
    line = line if line is not None else ctx.line
    for node in ctx.analysis.nodes:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if not node.lineno <= line <= (node.end_lineno or node.lineno):
            continue
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        if any(p is not None and p.arg == name for p in params):
            return True
        body = node.body if isinstance(node.body, list) else [node.body]
        if any(isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)
               for stmt in body for n in ast.walk(stmt)):
            return True
    return False


def module_literal(ctx, name: str, line: int | None = None) -> Any:
    """The value of ``name`` where it is read (``line``, default: the statement being converted) when that is
    the module-level name bound once to a literal (``TABLE = 'events'``), else ``NotLiteral``."""
    bound = module_value(ctx, name)
    if bound is None or shadowed(ctx, name, line):
        return NotLiteral
    try:
        return ast.literal_eval(bound)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return NotLiteral


# -- strings built from constants (a table name, a GCS URI) ---------------------------------------------


@dataclass(frozen=True)
class StrExpr:
    """A piece of a string expression that is not literal text: its source, the values it can take when the
    file shows them (a module-level constant, a loop variable over a constant list), and for a constant the
    pieces it is made of."""

    code: str
    values: frozenset[str] | None = None
    parts: tuple | None = None


def _loop_values(ctx, name: str, line: int) -> frozenset[str] | None:
    """The values of ``name`` when it is the target of a ``for`` loop around ``line`` over constant strings."""
    for node in ctx.analysis.nodes:
        if isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.target, ast.Name) and \
                node.target.id == name and node.lineno <= line <= (node.end_lineno or node.lineno):
            items = node.iter
            if isinstance(items, ast.Name):
                items = module_value(ctx, items.id)
            if isinstance(items, (ast.List, ast.Tuple, ast.Set)) and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in items.elts):
                return frozenset(e.value for e in items.elts)
            return None
    return None


def _string_parts(ctx, e: ast.expr, line: int, depth: int = 0) -> list | None:
    if depth > 8:
        return None
    if isinstance(e, ast.Constant):
        return [e.value] if isinstance(e.value, str) else None
    if isinstance(e, ast.JoinedStr):
        parts: list = []
        for v in e.values:
            if isinstance(v, ast.Constant):
                parts.append(v.value)
            elif isinstance(v, ast.FormattedValue) and v.conversion == -1 and v.format_spec is None:
                sub = _string_parts(ctx, v.value, line, depth + 1)
                if sub is None:
                    return None
                parts += sub
            else:
                return None
        return parts
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):
        left, right = _string_parts(ctx, e.left, line, depth + 1), _string_parts(ctx, e.right, line, depth + 1)
        return None if left is None or right is None else left + right
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and e.func.attr == "format" and \
            isinstance(e.func.value, ast.Constant) and isinstance(e.func.value.value, str) and \
            not any(isinstance(a, ast.Starred) for a in e.args) and all(kw.arg for kw in e.keywords):
        import string

        parts, auto = [], 0
        try:
            fields = list(string.Formatter().parse(e.func.value.value))
        except ValueError:
            return None
        for text, field, spec, conversion in fields:
            parts.append(text)
            if field is None:
                continue
            if spec or conversion or any(c in field for c in ".["):
                return None
            if field == "":
                field, auto = str(auto), auto + 1
            arg = e.args[int(field)] if field.isdigit() and int(field) < len(e.args) else \
                next((kw.value for kw in e.keywords if kw.arg == field), None)
            sub = None if arg is None else _string_parts(ctx, arg, line, depth + 1)
            if sub is None:
                return None
            parts += sub
        return parts
    if isinstance(e, ast.Name):
        value = module_value(ctx, e.id)
        if value is not None:
            sub = _string_parts(ctx, value, line, depth + 1)
            if sub is None:
                return None
            known = "".join(sub) if all(isinstance(p, str) for p in sub) else None
            return [StrExpr(e.id, None if known is None else frozenset({known}), tuple(sub))]
        values = _loop_values(ctx, e.id, line)
        return None if values is None else [StrExpr(e.id, values)]
    return None


def string_parts(ctx, node: cst.BaseExpression) -> list | None:
    """A string expression as a list of literal text and ``StrExpr`` pieces, when it is built from string
    literals, f-strings, ``+``, ``str.format`` and names the file gives values (module constants, a loop
    over a constant list); None otherwise."""
    try:
        expr = ast.parse(code_of(node).strip(), mode="eval").body
    except SyntaxError:
        return None
    parts = _string_parts(ctx, expr, getattr(ctx, "line", 1))
    if parts is None:
        return None
    merged: list = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return merged


def known_prefix(parts: list) -> str:
    """The text every value of a ``string_parts`` result starts with."""
    prefix = ""
    for part in parts:
        if isinstance(part, str):
            prefix += part
        elif part.values is not None and len(part.values) == 1:
            prefix += next(iter(part.values))
        else:
            break
    return prefix


def parts_code(parts: list, quote: str = "'") -> Any:
    """A ``string_parts`` result back as a value for ``render_value``: the text, the one piece's source, or
    the pieces joined with ``+``."""
    if all(isinstance(p, str) for p in parts):
        return "".join(parts)
    if len(parts) == 1:
        return Code(parts[0].code)
    return Code(" + ".join(render_value(p, quote=quote) if isinstance(p, str) else p.code for p in parts))
