"""Which candidate import targets exist in a profile's runtime, written to the profile's inventory.json.

The conversion engine is target-aware: before it rewrites ``airflow.contrib.x.Y`` to a 2.x path it asks
the profile whether that path exists there (``TargetProfile.has``). The answer comes from here: each
candidate is imported *inside* the built runtime (``inside/inventory_probe.py``) and the result is
written atomically as ``{"profile", "generated_by", "available", "missing", "errors", "accepted_kwargs",
"parameter_defaults"}``. ``accepted_kwargs`` maps each available operator class to the keyword arguments its
constructor accepts (``TargetProfile.accepted_kwargs``); ``parameter_defaults`` maps it to the named
parameters of its ``__init__`` chain (those ``default_args`` fill) and each one's default: the value when it
is a simple literal (None, bool, int, float, str), else ``{"required": true}`` or ``{"not_literal": source}``
(``TargetProfile.parameter_defaults``). One class a line in both, so that a regenerated file diffs readably.
Candidates come from the caller (the engine passes its table's targets).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow_runtime.atomic import atomic_write_text
from airflow_runtime.build import runtime_python
from airflow_runtime.env import make_pythonpath_dir, runtime_env
from target_profiles import TargetProfile, load_profile

GENERATOR = "composer-migrate airflow_runtime.inventory"


class InventoryError(RuntimeError):
    """The probe could not run or answered nonsense; the message has its stderr tail."""


@dataclass(frozen=True)
class Inventory:
    """The answer for one profile: sorted names that import, sorted names that do not, and why not;
    for each available operator class, the sorted keyword arguments its constructor accepts."""

    profile: str
    generated_by: str
    available: tuple[str, ...]
    missing: tuple[str, ...]
    errors: dict[str, str] = field(default_factory=dict)
    accepted_kwargs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    parameter_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"profile": self.profile, "generated_by": self.generated_by, "available": list(self.available),
                "missing": list(self.missing), "errors": dict(sorted(self.errors.items())),
                "accepted_kwargs": {name: list(kwargs) for name, kwargs in sorted(self.accepted_kwargs.items())},
                "parameter_defaults": {name: dict(sorted(params.items()))
                                       for name, params in sorted(self.parameter_defaults.items())}}

    def to_json(self) -> str:
        """inventory.json's text: indented, except each class's row of ``accepted_kwargs`` and
        ``parameter_defaults``, kept on one line."""
        data = self.to_dict()
        per_class = {key: data.pop(key) for key in ("accepted_kwargs", "parameter_defaults")}
        text = json.dumps(data, indent=2)[:-2]
        for key, rows in per_class.items():
            lines = ",\n".join(f"    {json.dumps(name)}: {json.dumps(row)}" for name, row in rows.items())
            text += f',\n  "{key}": ' + ("{\n" + lines + "\n  }" if rows else "{}")
        return text + "\n}\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Inventory:
        return cls(profile=data["profile"], generated_by=data.get("generated_by", ""),
                   available=tuple(sorted(data.get("available", ()))), missing=tuple(sorted(data.get("missing", ()))),
                   errors=dict(data.get("errors", {})),
                   accepted_kwargs=_accepted(data.get("accepted_kwargs", {})),
                   parameter_defaults=_defaults(data.get("parameter_defaults", {})))

    def has(self, name: str) -> bool | None:
        if name in self.available:
            return True
        if name in self.missing:
            return False
        return None


def _accepted(raw: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    return {str(name): tuple(sorted(str(k) for k in kwargs)) for name, kwargs in sorted(raw.items())}


def _defaults(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(name): dict(sorted(params.items())) for name, params in sorted(raw.items())}


def probe_runtime(python: Path, candidates: Iterable[str], *, timeout_s: float = 900.0) -> dict[str, Any]:
    """Run the probe with ``python`` (a runtime's interpreter) over ``candidates``; its raw JSON answer."""
    names = sorted({c.strip() for c in candidates if c and c.strip()})
    with tempfile.TemporaryDirectory(prefix="composer-migrate-inventory-") as tmp:
        work = Path(tmp)
        (work / "dags").mkdir()
        (work / "airflow_home").mkdir()
        env = runtime_env(os.environ, airflow_home=work / "airflow_home", dags_folder=work / "dags",
                          pythonpath=make_pythonpath_dir(work / "pythonpath"))
        try:
            proc = subprocess.run([str(python), "-m", "airflow_runtime.inside.inventory_probe"],
                                  input=json.dumps({"candidates": names}), capture_output=True, text=True,
                                  env=env, cwd=work, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise InventoryError(f"the inventory probe ({python}) took longer than {timeout_s:g} s") from exc
        except OSError as exc:
            raise InventoryError(f"cannot run the inventory probe with {python}: {exc}") from exc
    stderr_tail = "\n".join(proc.stderr.splitlines()[-20:])
    if proc.returncode != 0:
        raise InventoryError(f"the inventory probe ({python}) failed with exit status {proc.returncode}:\n"
                             f"{stderr_tail}")
    try:
        return json.loads(proc.stdout)
    except ValueError as exc:
        raise InventoryError(f"the inventory probe printed something that is not JSON ({exc}):\n"
                             f"{proc.stdout[:500]}\n{stderr_tail}") from exc


def compute_inventory(profile: str | TargetProfile | None, candidates: Iterable[str], *,
                      python: Path | None = None, root: Path | None = None, output: Path | None = None,
                      write: bool = True) -> Inventory:
    """Check every candidate ``pkg.module.Name`` in the runtime of ``profile``; write inventory.json.

    ``python``: the runtime's interpreter (default: the built runtime of ``profile``).
    ``output``: where to write (default: the profile's ``inventory.json``); ``write=False`` only returns.
    Note: ``load_profile`` caches profiles, and a profile caches its inventory on first use; a process
    that regenerates the inventory and then asks ``profile.has`` should use the returned ``Inventory``.
    """
    prof = profile if isinstance(profile, TargetProfile) else load_profile(profile)
    py = python or runtime_python(prof, root)
    answer = probe_runtime(py, candidates)
    generated_by = (f"{GENERATOR} (apache-airflow {answer.get('airflow_version')}, "
                    f"python {answer.get('python')})")
    inventory = Inventory(profile=prof.name, generated_by=generated_by,
                          available=tuple(sorted(answer.get("available", []))),
                          missing=tuple(sorted(answer.get("missing", []))), errors=dict(answer.get("errors", {})),
                          accepted_kwargs=_accepted(answer.get("accepted_kwargs", {})),
                          parameter_defaults=_defaults(answer.get("parameter_defaults", {})))
    if write:
        target = output or prof.inventory_file
        atomic_write_text(target, inventory.to_json())
    return inventory
