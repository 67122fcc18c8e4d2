"""Derive, from the apache-airflow 1.10.15 wheel, which keyword arguments ``default_args`` gave each operator,
and which keyword arguments each operator accepted at all.

Run by a developer (not at conversion time, not in CI):

    pip download apache-airflow==1.10.15 --no-deps -d /tmp/af110whl
    python tools/derive_airflow_1_10_signatures.py /tmp/af110whl/apache_airflow-1.10.15-py2.py3-none-any.whl

(the argument may also be a folder holding the unpacked wheel's ``airflow`` package). Reads the sources with
``ast`` only (Airflow 1.10 is not imported), for the classes ``dagconvert/tables/import_moves.json`` maps (a
converted file can instantiate only those), and writes ``dagconvert/tables/airflow_1_10_default_args_params.json``:

    {"source": ..., "base_operator": [...], "classes": {"<1.10 path>": [...]},
     "accepted_not_filled": {"<1.10 path>": [...]}, "any_keyword": {"<1.10 path>": "<why>"}}

Airflow 1.10.15's ``apply_defaults`` (airflow/utils/decorators.py) wraps an ``__init__`` and fills each
parameter of *that* function's signature that the call does not pass from ``default_args``. An operator's
``__init__`` chain is walked along its MRO (the bases are followed inside the wheel through each module's
imports): each ``__init__`` decorated with ``apply_defaults`` contributes its named parameters (not ``self``,
``*args``, ``**kwargs``); one without ``**kwargs`` ends the chain (what it passes on is its own business), and
so does BaseOperator's. ``base_operator`` holds BaseOperator's parameters; each class lists only the other
ones, and every listed class reaches BaseOperator's ``__init__`` (a class that does not, or whose chain cannot
be followed, is left out: the engine then knows nothing about it, which is safe). Legacy package-level imports
(``airflow.operators.BashOperator``) are resolved through the package's ``_operators``/``_sensors`` tables.

What a class *accepted* (a keyword 1.10 did not warn about and drop) is a superset: the same chain, every
``__init__`` counting (decorated or not), plus the string keys an ``__init__`` reads out of its ``**kwargs``
(``kwargs.pop('x')``, ``kwargs.get('x')``, ``kwargs['x']``, ``'x' in kwargs``). Whatever no ``__init__`` names
reaches BaseOperator's ``**kwargs``, which in 1.10.15 only warned ("Invalid arguments were passed to ...
Support for passing such arguments will be dropped in Airflow 2.0", a PendingDeprecationWarning) and ignored
it. ``accepted_not_filled`` lists, per class, the accepted names ``classes`` does not (non-empty rows only), so
accepted = ``base_operator`` + ``classes`` + ``accepted_not_filled``. A class one of whose ``__init__``s hands
its ``**kwargs`` to anything but the next ``__init__`` (QuboleOperator keeps them as the Qubole command's
arguments) may use any keyword: it is in ``any_keyword``, with what the ``__init__`` does, and nothing is
claimed about what it ignored.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
TABLES = HERE.parent / "dagconvert" / "tables"
OUTPUT = TABLES / "airflow_1_10_default_args_params.json"
BASE_OPERATOR = "airflow.models.baseoperator.BaseOperator"
# Legacy package-level imports: package -> the name of its {module: [names]} table (airflow/operators/__init__.py)
LEGACY_TABLES = {"airflow.operators": "_operators", "airflow.sensors": "_sensors",
                 "airflow.contrib.operators": "_operators", "airflow.contrib.sensors": "_sensors"}


class Unknown(Exception):
    """A class whose chain cannot be followed statically inside the wheel."""


@dataclass(frozen=True)
class Init:
    params: tuple[str, ...]   # named parameters, self excluded
    var_keyword: bool         # takes **kwargs (passes the rest on)
    applies_defaults: bool    # decorated with apply_defaults (default_args reach its parameters)
    reads: tuple[str, ...] = ()  # string keys it reads out of its **kwargs (kwargs.pop('x'), 'x' in kwargs, ...)
    hands_on: str | None = None  # how it uses its **kwargs other than passing them to the next __init__


@dataclass(frozen=True)
class Chain:
    """What instantiating a class did with keyword arguments in 1.10."""

    reached: frozenset[str]   # filled from default_args (parameters of apply_defaults-decorated __init__s)
    accepted: frozenset[str]  # named by some __init__ of the chain (the rest reached BaseOperator's **kwargs)
    any_keyword: str | None   # set: an __init__ hands **kwargs elsewhere (what it does), so any keyword may count


_KWARGS_READS = frozenset({"pop", "get", "setdefault", "__contains__", "__getitem__"})


def kwargs_uses(function: ast.FunctionDef) -> tuple[tuple[str, ...], str | None]:
    """The string keys ``function`` reads out of its ``**kwargs``, and the statement (its first line) of the
    first other use of it than passing it on to an ``__init__`` call (``super().__init__(*args, **kwargs)``)."""
    name = function.args.kwarg.arg
    parents = {id(child): node for node in ast.walk(function) for child in ast.iter_child_nodes(node)}

    def key(node: ast.AST) -> str | None:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    reads: list[str] = []
    other: str | None = None
    for node in ast.walk(function):
        if not (isinstance(node, ast.Name) and node.id == name):
            continue
        parent = parents[id(node)]
        found = None
        if isinstance(parent, ast.keyword) and parent.arg is None:
            call = parents[id(parent)]
            if isinstance(call.func, ast.Attribute) and call.func.attr == "__init__":
                continue  # passed on to the next __init__
        elif isinstance(parent, ast.Attribute) and parent.attr in _KWARGS_READS:
            call = parents[id(parent)]
            if isinstance(call, ast.Call) and call.func is parent and call.args:
                found = key(call.args[0])
        elif isinstance(parent, ast.Subscript) and parent.value is node:
            found = key(parent.slice)
        elif isinstance(parent, ast.Compare) and len(parent.ops) == 1 and \
                isinstance(parent.ops[0], (ast.In, ast.NotIn)) and parent.comparators[0] is node:
            found = key(parent.left)
        if found is not None:
            reads.append(found)
        elif other is None:
            statement = parent
            while not isinstance(statement, ast.stmt):
                statement = parents[id(statement)]
            other = ast.unparse(statement).splitlines()[0]
    return tuple(sorted(set(reads))), other


class Wheel:
    """The ``airflow`` package of an unpacked 1.10 wheel, read with ``ast``."""

    def __init__(self, root: Path):
        self.root = root

    @cache  # noqa: B019 - one Wheel per run
    def module(self, name: str) -> ast.Module | None:
        path = self.root / name.replace(".", "/")
        for candidate in (path / "__init__.py", path.with_suffix(".py")):
            if candidate.is_file():
                return ast.parse(candidate.read_text(encoding="utf-8"), str(candidate))
        return None

    def is_package(self, name: str) -> bool:
        return (self.root / name.replace(".", "/") / "__init__.py").is_file()

    def imports(self, module: str) -> dict[str, str]:
        """Local name -> qualified name of the module-level imports of ``module`` (relative ones resolved)."""
        tree = self.module(module)
        out: dict[str, str] = {}
        package = module if self.is_package(module) else module.rpartition(".")[0]
        for node in tree.body if tree else ():
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
                for alias in node.names:
                    out[alias.asname or alias.name] = f"{base}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    out[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else \
                        alias.name.split(".")[0]
        return out

    def find_class(self, qname: str, depth: int = 0) -> tuple[str, ast.ClassDef]:
        """The defining module and ``ClassDef`` of ``qname``, through re-exports and legacy imports."""
        if depth > 8:
            raise Unknown(f"{qname}: too many re-exports")
        module, _, name = qname.rpartition(".")
        tree = self.module(module)
        if tree is None:
            raise Unknown(f"{qname}: no module {module}")
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                return module, node
        imported = self.imports(module).get(name)
        if imported is not None:
            return self.find_class(imported, depth + 1)
        legacy = self._legacy(module, name)
        if legacy is not None:
            return self.find_class(legacy, depth + 1)
        raise Unknown(f"{qname}: not defined in the wheel")

    def _legacy(self, package: str, name: str) -> str | None:
        table = LEGACY_TABLES.get(package)
        tree = self.module(package) if table else None
        for node in tree.body if tree else ():
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == table for t in node.targets) \
                    and isinstance(node.value, ast.Dict):
                for key, value in zip(node.value.keys, node.value.values):
                    names = ast.literal_eval(value)
                    if name in names:
                        return f"{package}.{ast.literal_eval(key)}.{name}"
        return None

    def bases(self, module: str, node: ast.ClassDef) -> list[str]:
        imports = self.imports(module)
        out = []
        for base in node.bases:
            parts: list[str] = []
            while isinstance(base, ast.Attribute):
                parts.append(base.attr)
                base = base.value
            if not isinstance(base, ast.Name):
                raise Unknown(f"{module}.{node.name}: a base that is not a name")
            if base.id == "object" and not parts:
                continue
            head = imports.get(base.id)
            if head is None:
                if parts or not any(isinstance(n, ast.ClassDef) and n.name == base.id
                                    for n in self.module(module).body):
                    raise Unknown(f"{module}.{node.name}: base {base.id} is not imported")
                head = f"{module}.{base.id}"
            out.append(".".join([head, *reversed(parts)]))
        return out

    @cache  # noqa: B019
    def mro(self, qname: str) -> tuple[str, ...]:
        """C3 linearisation of the class (its defining path first), every class resolved in the wheel."""
        module, node = self.find_class(qname)
        me = f"{module}.{node.name}"
        if not qname.startswith("airflow."):
            raise Unknown(f"{qname}: outside the airflow package")
        parents = [self.mro(b) for b in self.bases(module, node)]
        sequences = [list(p) for p in parents] + [[p[0] for p in parents]]
        out = [me]
        while any(sequences):
            for seq in sequences:
                if seq and not any(seq[0] in s[1:] for s in sequences):
                    head = seq[0]
                    break
            else:
                raise Unknown(f"{qname}: inconsistent MRO")
            out.append(head)
            sequences = [s[1:] if s and s[0] == head else s for s in sequences]
        return tuple(out)

    def init(self, qname: str) -> Init | None:
        _, node = self.find_class(qname)
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                args = item.args
                params = [a.arg for a in (*args.posonlyargs, *args.args)][1:] + [a.arg for a in args.kwonlyargs]
                decorated = any((isinstance(d, ast.Name) and d.id == "apply_defaults") or
                                (isinstance(d, ast.Attribute) and d.attr == "apply_defaults")
                                for d in item.decorator_list)
                reads, hands_on = kwargs_uses(item) if args.kwarg is not None else ((), None)
                return Init(tuple(params), args.kwarg is not None, decorated, reads, hands_on)
        return None


def chain(wheel: Wheel, qname: str) -> Chain:
    """What the ``__init__`` chain of ``qname`` did with keyword arguments, walked along its MRO.

    Raises ``Unknown`` when the chain cannot be followed or does not reach BaseOperator's ``__init__``."""
    mro = wheel.mro(qname)
    if BASE_OPERATOR not in mro:
        raise Unknown(f"{qname}: not an operator")
    reached: set[str] = set()
    accepted: set[str] = set()
    any_keyword: str | None = None
    for klass in mro:
        init = wheel.init(klass)
        if init is None:
            continue
        accepted |= set(init.params)
        if init.applies_defaults:
            reached |= set(init.params)
        if klass == BASE_OPERATOR:
            return Chain(frozenset(reached), frozenset(accepted), any_keyword)
        if not init.var_keyword:
            raise Unknown(f"{qname}: {klass}.__init__ takes no **kwargs, so BaseOperator's is not reached")
        accepted |= set(init.reads)
        if init.hands_on is not None and any_keyword is None:
            any_keyword = f"{klass.rpartition('.')[2]}.__init__: {init.hands_on}"
    raise Unknown(f"{qname}: no BaseOperator.__init__ in the chain")


def unpacked(source: Path, work: Path) -> Path:
    """The folder holding the ``airflow`` package: ``source`` itself, or the wheel unpacked into ``work``."""
    if source.is_dir():
        return source
    with zipfile.ZipFile(source) as wheel:
        wheel.extractall(work, [n for n in wheel.namelist() if n.startswith("airflow/") and n.endswith(".py")])
    return work


def derive(root: Path, moves: dict[str, dict], source_name: str) -> dict:
    wheel = Wheel(root)
    base = wheel.init(BASE_OPERATOR)
    assert base is not None and base.applies_defaults, "BaseOperator.__init__ not found or not apply_defaults"
    base_params = frozenset(base.params)
    classes: dict[str, list[str]] = {}
    accepted_not_filled: dict[str, list[str]] = {}
    any_keyword: dict[str, str] = {}
    skipped: dict[str, str] = {}
    differs: list[str] = []
    for qname, row in sorted(moves.items()):
        if row.get("kind") not in ("class", "legacy-import", "reexport") or qname.startswith("airflow.providers."):
            continue  # not a class, or a 2.0-era provider path (not in 1.10)
        try:
            found = chain(wheel, qname)
        except Unknown as why:
            if qname.endswith(("Operator", "Sensor")) and "not an operator" not in str(why):
                skipped[qname] = str(why)
            continue
        if not base_params <= found.reached:
            skipped[qname] = "BaseOperator's parameters are not all reached"
            continue
        classes[qname] = sorted(found.reached - base_params)
        if found.accepted - found.reached:
            accepted_not_filled[qname] = sorted(found.accepted - found.reached)
            differs.append(f"{qname}: {accepted_not_filled[qname]} accepted, not filled from default_args")
        if found.any_keyword is not None:
            any_keyword[qname] = found.any_keyword
            differs.append(f"{qname}: may use any keyword ({found.any_keyword})")
    for line in [*(f"skipped {k}: {v}" for k, v in sorted(skipped.items())), *differs]:
        print(line, file=sys.stderr)
    return {"source": source_name, "base_operator": sorted(base_params), "classes": classes,
            "accepted_not_filled": accepted_not_filled, "any_keyword": any_keyword}


def to_json(data: dict) -> str:
    """Indented, each class's row on one line (a regenerated file diffs readably)."""

    def table(name: str) -> str:
        rows = ",\n".join(f"    {json.dumps(k)}: {json.dumps(v)}" for k, v in data[name].items())
        return f'  "{name}": {{\n{rows}\n  }}' if rows else f'  "{name}": {{}}'

    return ("{\n" f'  "source": {json.dumps(data["source"])},\n'
            f'  "base_operator": {json.dumps(data["base_operator"])},\n'
            + ",\n".join(table(name) for name in ("classes", "accepted_not_filled", "any_keyword")) + "\n}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="apache_airflow-1.10.15-*.whl, or a folder holding its airflow/")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    options = parser.parse_args()
    moves = json.loads((TABLES / "import_moves.json").read_text())
    with tempfile.TemporaryDirectory() as work:
        root = unpacked(options.wheel, Path(work))
        data = derive(root, moves, "apache-airflow 1.10.15 (" + options.wheel.name + ")")
    fd, tmp = tempfile.mkstemp(dir=options.output.parent, prefix=f".{options.output.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(to_json(data))
    os.replace(tmp, options.output)
    print(f"{options.output}: {len(data['classes'])} classes, {len(data['accepted_not_filled'])} accepting more "
          f"than default_args filled, {len(data['any_keyword'])} taking any keyword", file=sys.stderr)


if __name__ == "__main__":
    main()
