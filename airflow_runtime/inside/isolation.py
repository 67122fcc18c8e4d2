"""Between two DAG files loaded by the same child: undo what the first one did to the process.

Runs INSIDE the runtime venv, in a loader child that loads a batch of files one after another (see
``loader``). ``FileSandbox.enter()`` before a file, ``FileSandbox.leave()`` after it. Reset per file:

- ``sys.modules``: every module imported while loading the file is removed again (the DAG module itself,
  its helper modules, a deprecated module that warns when imported...), and so is the attribute its parent
  package got for it, so the next file imports its own ``helpers`` and gets the module-level deprecation
  warnings again, against its own lines, as a fresh child would; except generated protobuf modules
  (``*_pb2`` and proto-plus ``types`` modules of the Google client libraries) and their packages: they
  register their ``.proto`` files in protobuf's process-wide descriptor pool, which refuses a second
  registration ("duplicate file name"), so they stay loaded for the next files, as in a scheduler;
- the module dicts of the runtime's preloaded modules most likely to be monkeypatched (``airflow`` and its
  models/operators/sensors/hooks/utils/macros/timetables/decorators/providers modules, ``builtins``,
  ``os``, ``time``, ``datetime``, ``json``, ``logging``, ``subprocess``, ``socket``, ``random``...):
  any attribute added, replaced or removed is put back as it was when the child was forked;
- ``os.environ`` (so ``AIRFLOW__...`` settings a DAG sets stop applying), the working directory,
  ``sys.path``, ``sys.meta_path``, ``sys.path_hooks``, ``sys.stdout``/``sys.stderr``, the umask, a pending
  ``alarm()``, Airflow's DAG / TaskGroup context stacks, the import system's directory caches.

A file after which the child cannot be reset honestly "taints" it (``leave()`` returns why): it imported
an extension module (C code cannot be unloaded, and a module-level warning it gave would not repeat).
The loader then ends the batch after that file: the rest go to a fresh child.

What still stays shared between the files of one batch (documented limits; a fresh child per file has
none of them): changes to *objects* rather than module dicts (a patched class attribute such as
``BaseOperator.some_method = ...``, ``airflow.configuration.conf.set(...)``, logging handlers/levels,
``functools`` caches, registries inside Airflow or SQLAlchemy), threads a DAG started, signal handlers
other than the alarm, open file descriptors, rlimits a DAG changed itself, and whatever a DAG wrote to the
metadata DB or the disk. Memory a file leaked stays allocated (its per-file budget is measured from where
the previous file left the process). Standard library only.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from types import ModuleType
from typing import Any

GUARDED_MODULES = ("airflow", "airflow.configuration", "airflow.settings", "airflow.macros", "builtins", "os",
                   "os.path", "posixpath", "time", "datetime", "json", "logging", "subprocess", "socket",
                   "random", "shutil", "tempfile", "pendulum")
GUARDED_PREFIXES = ("airflow.models.", "airflow.operators.", "airflow.sensors.", "airflow.hooks.",
                    "airflow.utils.", "airflow.macros.", "airflow.timetables.", "airflow.decorators.",
                    "airflow.providers.")
_EXTENSION_SUFFIXES = (".so", ".pyd")


def _guarded(name: str) -> bool:
    return name in GUARDED_MODULES or name.startswith(GUARDED_PREFIXES)


def _is_extension(module: Any) -> bool:
    origin = getattr(getattr(module, "__spec__", None), "origin", None) or getattr(module, "__file__", None)
    return isinstance(origin, str) and origin.endswith(_EXTENSION_SUFFIXES)


class FileSandbox:
    """Snapshots taken when the child starts (module dicts) and before each file (the rest)."""

    def __init__(self) -> None:
        self.module_dicts: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for name, module in list(sys.modules.items()):
            if isinstance(module, ModuleType) and _guarded(name):
                namespace = getattr(module, "__dict__", None)
                if isinstance(namespace, dict):
                    self.module_dicts.append((namespace, dict(namespace)))
        self._modules: set[str] = set()
        self._environ: dict[str, str] = {}
        self._cwd = ""
        self._lists: list[tuple[list[Any], list[Any]]] = []
        self._streams: tuple[Any, Any] = (None, None)
        self._umask = 0o022

    def enter(self) -> None:
        self._modules = set(sys.modules)
        self._environ = dict(os.environ)
        self._cwd = os.getcwd()
        self._lists = [(lst, list(lst)) for lst in (sys.path, sys.meta_path, sys.path_hooks)]
        self._streams = (sys.stdout, sys.stderr)
        self._umask = os.umask(0o022)
        os.umask(self._umask)

    def leave(self) -> str | None:
        """Undo the file's changes; returns why the child must not load another file, or None."""
        taint = None
        signal.alarm(0)
        added = [name for name in sys.modules if name not in self._modules]
        extensions = sorted(name for name in added if _is_extension(sys.modules.get(name)))
        if extensions:
            taint = f"imported extension module(s) {', '.join(extensions[:5])}"
        kept = _protobuf_modules(added)
        added = [name for name in added if name not in kept]
        for name in added:
            sys.modules.pop(name, None)
        for name in added:  # `from pkg import mod` finds the attribute before sys.modules: drop it too
            parent, _, child = name.rpartition(".")
            owner = sys.modules.get(parent) if parent else None
            if owner is not None:
                namespace = getattr(owner, "__dict__", None)
                if isinstance(namespace, dict) and isinstance(namespace.get(child), ModuleType) \
                        and getattr(namespace[child], "__name__", None) == name:
                    del namespace[child]
        self._restore_module_dicts()
        if os.environ != self._environ:
            os.environ.clear()
            os.environ.update(self._environ)
        try:
            if os.getcwd() != self._cwd:
                os.chdir(self._cwd)
        except OSError:
            os.chdir(self._cwd)
        for lst, saved in self._lists:
            if lst != saved:
                lst[:] = saved
        sys.stdout, sys.stderr = self._streams
        os.umask(self._umask)
        _reset_airflow_contexts()
        importlib.invalidate_caches()
        return taint

    def _restore_module_dicts(self) -> None:
        for namespace, saved in self.module_dicts:
            try:  # C-level compare, identity first: only a replaced value runs its __eq__
                if namespace == saved:
                    continue
            except Exception:  # noqa: BLE001, S110 - a patched-in value with a broken __eq__: restore
                pass
            for key in [k for k in namespace if k not in saved]:
                del namespace[key]
            for key, value in saved.items():
                if namespace.get(key, _MISSING) is not value:
                    namespace[key] = value


_MISSING = object()


def _protobuf_modules(names: list[str]) -> set[str]:
    """The modules among ``names`` that registered protobuf descriptors, and their parent packages."""
    kept: set[str] = set()
    for name in names:
        namespace = getattr(sys.modules.get(name), "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        descriptor = namespace.get("DESCRIPTOR")
        if "__protobuf__" in namespace or type(descriptor).__name__ == "FileDescriptor":
            parts = name.split(".")
            kept.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return kept


def _reset_airflow_contexts() -> None:
    try:
        from airflow.models.dag import DagContext
        from airflow.utils.task_group import TaskGroupContext
    except Exception:  # noqa: BLE001 - not an Airflow process (tests of this module)
        return
    DagContext._context_managed_dags.clear()
    DagContext.autoregistered_dags.clear()
    TaskGroupContext.active = False
    TaskGroupContext._context_managed_task_group = None
    TaskGroupContext._previous_context_managed_task_groups.clear()
