"""Which qualified names import in this runtime. Runs INSIDE the runtime venv.

``python -m airflow_runtime.inside.inventory_probe`` reads ``{"candidates": ["pkg.module.Name", ...]}`` on
stdin and writes one JSON object on stdout:
``{"available": [...], "missing": [...], "errors": {name: reason}, "airflow_version": ..., "python": ...}``.

A name is available when ``importlib.import_module(module)`` and ``getattr(module, Name)`` both succeed;
a name that is itself a module (``airflow.contrib.kubernetes``) is available when it imports. Warnings
are suppressed (the shims of 1.10 paths warn on every use). A module whose import raises anything counts
as missing, with the reason. Anything printed during imports goes to stderr, not into the answer.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
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


def probe(candidates: list[str]) -> dict:
    available: list[str] = []
    errors: dict[str, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in sorted(set(candidates)):
            reason = check(name)
            if reason is None:
                available.append(name)
            else:
                errors[name] = reason
    try:
        import airflow

        airflow_version = airflow.__version__
    except Exception as exc:  # noqa: BLE001
        airflow_version = f"unavailable: {exc}"
    return {"available": available, "missing": sorted(errors), "errors": errors,
            "airflow_version": airflow_version, "python": sys.version.split()[0]}


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
