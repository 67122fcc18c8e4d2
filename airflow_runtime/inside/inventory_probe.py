"""Which qualified names import in this runtime. Runs INSIDE the runtime venv.

``python -m airflow_runtime.inside.inventory_probe`` reads ``{"candidates": ["pkg.module.Name", ...]}`` on
stdin and writes one JSON object on stdout:
``{"available": [...], "missing": [...], "errors": {name: reason}, "accepted_kwargs": {name: [...]},
"parameter_defaults": {name: {parameter: default}}, "airflow_version": ..., "python": ...}``.

A name is available when ``importlib.import_module(module)`` and ``getattr(module, Name)`` both succeed;
a name that is itself a module (``airflow.contrib.kubernetes``) is available when it imports. Warnings
are suppressed (the shims of 1.10 paths warn on every use). A module whose import raises anything counts
as missing, with the reason. Anything printed during imports goes to stderr, not into the answer.

``accepted_kwargs``: for every available name that is an operator (a ``BaseOperator`` subclass, sensors
included), the keyword arguments its constructor accepts (``accepted_kwargs``, below). Hooks are not listed:
an unknown argument to a hook fails only when the hook is created, and a hook's ``**kwargs`` is often
swallowed rather than passed on, which a signature cannot tell.

``parameter_defaults``: for the same classes, every named parameter of that ``__init__`` chain (the ones
``default_args`` fill: Airflow 2 wraps each ``__init__`` and fills its own signature's parameters), with
its default as seen by a call that does not pass it (``parameter_defaults``, below).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import math
import os
import sys
import textwrap
import warnings


def _is_own_absence(exc: ModuleNotFoundError, module_name: str) -> bool:
    """True when ``module_name`` itself (or a parent package) is what is missing, not a dependency of it."""
    missing = exc.name or ""
    return bool(missing) and (module_name == missing or module_name.startswith(missing + "."))


def check(name: str) -> str | None:
    """None when ``name`` resolves, else the reason it does not.

    Tries the longest importable module prefix, then ``getattr`` along the rest, so ``pkg.mod.Name``,
    ``pkg.mod.Class.method`` and a module name alone all work. A module that exists but fails to import
    (a missing dependency, an exception at import) makes the name missing with that reason.
    """
    parts = name.split(".")
    primary: str | None = None  # the reason at the usual split (module . Name): the most telling one
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            obj = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if not _is_own_absence(exc, module_name):
                return f"{type(exc).__name__}: {exc}"
            if cut == len(parts) - 1 or (primary is None and cut < len(parts)):
                primary = f"{type(exc).__name__}: {exc}"
            continue
        except BaseException as exc:  # noqa: BLE001 - the module exists but its import fails
            return f"{type(exc).__name__}: {exc}"
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
            return None
        except AttributeError as exc:
            return primary if cut < len(parts) - 1 and primary else f"AttributeError: {exc}"
        except BaseException as exc:  # noqa: BLE001 - a lazy __getattr__ whose target fails to import
            return f"{type(exc).__name__}: {exc}"
    return primary or f"ModuleNotFoundError: No module named {parts[0]!r}"


def _resolve(name: str) -> object:
    """The object a name ``check`` found available (longest importable module, then attributes)."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(name)


_KWARGS_METHODS = frozenset({"pop", "get", "setdefault", "__contains__", "__getitem__"})


def _read_from_kwargs(function, var_kw: str) -> set[str]:
    """String keys ``function`` reads out of its ``**var_kw`` (``kwargs.pop("x")``, ``kwargs.get("x")``,
    ``kwargs["x"]``, ``"x" in kwargs``, ``del kwargs["x"]``): a deprecated name an operator still takes and
    pops before passing the rest on. Generous on purpose: a name read here counts as accepted."""
    try:
        source = textwrap.dedent(inspect.getsource(function))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return set()

    def is_kwargs(node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id == var_kw

    def key(node: ast.AST) -> str | None:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    names: set[str] = set()
    for node in ast.walk(tree):
        found = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and is_kwargs(node.func.value) \
                and node.func.attr in _KWARGS_METHODS and node.args:
            found = key(node.args[0])
        elif isinstance(node, ast.Subscript) and is_kwargs(node.value):
            found = key(node.slice)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)) \
                and is_kwargs(node.comparators[0]):
            found = key(node.left)
        if found:
            names.add(found)
    return names


def accepted_kwargs(cls: type, base: type) -> list[str] | None:
    """The keyword arguments ``cls(...)`` accepts, for a subclass of ``base`` (BaseOperator); else None.

    Walks the MRO's ``__init__`` signatures (through ``functools.wraps``): each one's named parameters are
    accepted; one that takes ``**kwargs`` passes the rest on to the next ``__init__`` (plus the names it
    reads out of ``kwargs`` itself); one without ``**kwargs``, or ``base``'s own (which rejects whatever
    is left: "Invalid arguments were passed"), ends the chain. Keyword-only and positional-or-keyword
    parameters count; positional-only ones do not.
    """
    if not (isinstance(cls, type) and issubclass(cls, base)):
        return None
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        function = inspect.unwrap(init)
        if getattr(function, "__qualname__", None) != f"{klass.__qualname__}.__init__":
            return None  # a wrapper that hides what it wraps, or a borrowed __init__: better unknown than wrong
        try:
            params = list(inspect.signature(init).parameters.values())
        except (TypeError, ValueError):
            return None
        var_kw = None
        for i, p in enumerate(params):
            if i == 0 and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                continue  # self
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                names.add(p.name)
            elif p.kind is p.VAR_KEYWORD:
                var_kw = p.name
        if var_kw is not None:
            names |= _read_from_kwargs(function, var_kw)
        if var_kw is None or klass is base:
            break
    return sorted(names)


_LITERAL_TYPES = (type(None), bool, int, float, str)


def _is_simple(value: object) -> bool:
    """None, a bool, an int, a finite float or a str (a value JSON keeps and a call can spell)."""
    return type(value) in _LITERAL_TYPES and not (isinstance(value, float) and not math.isfinite(value))


def _module_tree(module) -> ast.Module | None:
    try:
        return ast.parse(inspect.getsource(module))
    except (OSError, TypeError, SyntaxError):
        return None


def _constant_name(module, name: str, depth: int = 0) -> bool:
    """Whether module-level ``name`` of ``module`` is bound once to a literal (``X = "a"``), or to
    ``cast(T, None)`` (the google provider's ``PROVIDE_PROJECT_ID``), following ``from m import name``;
    a value read from the configuration (``conf.get(...)``) is not constant across environments."""
    tree = _module_tree(module) if depth < 4 else None
    values = []
    for node in tree.body if tree else ():
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            values.append(node.value)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    try:
                        source = importlib.import_module(node.module)
                    except Exception:  # noqa: BLE001
                        return False
                    return _constant_name(source, alias.name, depth + 1)
    if len(values) != 1 or values[0] is None:
        return False
    value = values[0]
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "cast" and \
            len(value.args) == 2 and isinstance(value.args[1], ast.Constant) and value.args[1].value is None:
        return True
    try:
        ast.literal_eval(value)
    except (ValueError, SyntaxError, TypeError):
        return False
    return True


def _default_sources(function) -> dict[str, ast.expr]:
    """Parameter name -> the expression its default is written as in ``function``'s source."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return {}
    defs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.name == function.__name__]
    if not defs:
        return {}
    args = defs[0].args
    positional = [*args.posonlyargs, *args.args]
    out = {a.arg: d for a, d in zip(positional[len(positional) - len(args.defaults):], args.defaults)}
    out.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    return out


def describe_default(function, parameter: inspect.Parameter):
    """What ``parameter`` of ``function`` (an ``__init__``) gets when nothing passes it: its value when it is a
    simple literal written as a literal or as a constant name (``PROVIDE_PROJECT_ID``); else
    ``{"required": True}`` or ``{"not_literal": <its source>}`` (a computed or configured default:
    passing its current value would pin what the environment decides)."""
    if parameter.default is inspect.Parameter.empty:
        return {"required": True}
    expr = _default_sources(function).get(parameter.name)
    source = ast.unparse(expr) if expr is not None else type(parameter.default).__qualname__
    if not _is_simple(parameter.default) or expr is None:
        return {"not_literal": source}
    try:
        ast.literal_eval(expr)
        return parameter.default
    except (ValueError, SyntaxError, TypeError):
        pass
    if isinstance(expr, ast.Name) and _constant_name(inspect.getmodule(function), expr.id):
        return parameter.default
    return {"not_literal": source}


def parameter_defaults(cls: type, base: type) -> dict[str, object] | None:
    """Every named parameter of the ``__init__`` chain ``accepted_kwargs`` walks, with ``describe_default``
    of the outermost ``__init__`` that declares it (what a call that does not pass it, and whose
    ``default_args`` do not set it, ends up with); None when ``accepted_kwargs`` is None."""
    if accepted_kwargs(cls, base) is None:
        return None
    out: dict[str, object] = {}
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        function = inspect.unwrap(init)
        var_kw = False
        for i, p in enumerate(inspect.signature(init).parameters.values()):
            if i == 0 and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                continue  # self
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in out:
                out[p.name] = describe_default(function, p)
            var_kw = var_kw or p.kind is p.VAR_KEYWORD
        if not var_kw or klass is base:
            break
    return dict(sorted(out.items()))


def _operator_base() -> type | None:
    try:
        from airflow.models.baseoperator import BaseOperator
    except Exception:  # noqa: BLE001 - not an Airflow runtime: no operators to describe
        return None
    return BaseOperator


def probe(candidates: list[str]) -> dict:
    available: list[str] = []
    errors: dict[str, str] = {}
    accepted: dict[str, list[str]] = {}
    defaults: dict[str, dict[str, object]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in sorted(set(candidates)):
            reason = check(name)
            if reason is None:
                available.append(name)
            else:
                errors[name] = reason
        base = _operator_base()
        for name in available if base is not None else ():
            try:
                kwargs = accepted_kwargs(_resolve(name), base)
            except Exception:  # noqa: BLE001 - a class that cannot be inspected stays unknown
                kwargs = None
            if kwargs is not None:
                accepted[name] = kwargs
                try:
                    described = parameter_defaults(_resolve(name), base)
                except Exception:  # noqa: BLE001 - a class whose signature cannot be read stays undescribed
                    described = None
                if described is not None:
                    defaults[name] = described
    try:
        import airflow

        airflow_version = airflow.__version__
    except Exception as exc:  # noqa: BLE001
        airflow_version = f"unavailable: {exc}"
    return {"available": available, "missing": sorted(errors), "errors": errors, "accepted_kwargs": accepted,
            "parameter_defaults": defaults, "airflow_version": airflow_version, "python": sys.version.split()[0]}


def main() -> int:
    out_fd = os.dup(1)
    os.dup2(2, 1)
    request = json.loads(sys.stdin.read() or "{}")
    answer = probe([str(c) for c in request.get("candidates", [])])
    with os.fdopen(out_fd, "w", encoding="utf-8") as out:
        json.dump(answer, out)
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
