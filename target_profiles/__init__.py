"""Target profiles: the pinned Airflow 2 + provider versions of a Composer 2/3 image.

A profile is a folder beside this file holding
- ``profile.json``: name, Airflow version, description, where the versions come from;
- ``requirements.txt``: the top-level pins (Airflow and each provider, exactly);
- ``constraints.txt``: the full pin set of a resolved install (reproducible runtime builds);
- ``inventory.json``: which candidate import targets exist in that install, and which keyword arguments
  each operator class among them accepts (generated inside the built runtime by ``cli.py runtime
  inventory``; the test suite re-checks it against the real runtime).

Standard library only: the conversion engine reads profiles, and so does the runtime builder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

PROFILES_DIR = Path(__file__).resolve().parent
DEFAULT_PROFILE = "airflow-2.10.5"
_PIN = re.compile(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*==\s*([^\s;#]+)")


class UnknownProfileError(ValueError):
    pass


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


@dataclass(frozen=True)
class TargetProfile:
    name: str
    directory: Path
    airflow_version: str
    description: str
    python_version: str

    @property
    def requirements_file(self) -> Path:
        return self.directory / "requirements.txt"

    @property
    def constraints_file(self) -> Path:
        return self.directory / "constraints.txt"

    @property
    def inventory_file(self) -> Path:
        return self.directory / "inventory.json"

    @cached_property
    def pins(self) -> dict[str, str]:
        """Top-level package pins, e.g. {'apache-airflow': '2.10.5', 'apache-airflow-providers-google': '19.0.0'}."""
        pins: dict[str, str] = {}
        for line in self.requirements_file.read_text().splitlines():
            m = _PIN.match(line)
            if m:
                pins[m.group(1).lower()] = m.group(2)
        return pins

    @cached_property
    def installed_distributions(self) -> frozenset[str] | None:
        """Every distribution the resolved install pins (``constraints.txt``), names normalised (PEP 503:
        lower case, runs of ``-_.`` as ``-``); None when the profile has no constraints file."""
        if not self.constraints_file.is_file():
            return None
        found = (_PIN.match(line) for line in self.constraints_file.read_text().splitlines())
        return frozenset(re.sub(r"[-_.]+", "-", m.group(1)).lower() for m in found if m)

    def provider_version(self, short_name: str) -> str | None:
        """Version of a provider by short name ('google', 'cncf-kubernetes'), None when not pinned."""
        return self.pins.get(f"apache-airflow-providers-{short_name}")

    def airflow_at_least(self, version: str) -> bool:
        return _version_tuple(self.airflow_version) >= _version_tuple(version)

    @cached_property
    def _inventory_data(self) -> dict:
        if not self.inventory_file.exists():
            return {}
        return json.loads(self.inventory_file.read_text())

    @cached_property
    def _inventory(self) -> dict[str, bool]:
        data = self._inventory_data
        inv = {name: True for name in data.get("available", [])}
        inv.update({name: False for name in data.get("missing", [])})
        return inv

    @cached_property
    def _accepted_kwargs(self) -> dict[str, frozenset[str]]:
        return {name: frozenset(kwargs) for name, kwargs in self._inventory_data.get("accepted_kwargs", {}).items()}

    @cached_property
    def _parameter_defaults(self) -> dict[str, dict]:
        return self._inventory_data.get("parameter_defaults", {})

    def parameter_defaults(self, qualified_name: str) -> dict | None:
        """The named parameters of the operator class's ``__init__`` chain (the ones ``default_args`` fill) ->
        each one's default: the value when it is a simple literal (None, bool, int, float, str), else
        ``{"required": True}`` or ``{"not_literal": <its source>}``; None when the inventory does not describe
        the class."""
        return self._parameter_defaults.get(qualified_name)

    def has(self, qualified_name: str) -> bool | None:
        """Whether ``module.Name`` imports in this profile: True/False from the inventory, None if unchecked."""
        return self._inventory.get(qualified_name)

    def import_error(self, qualified_name: str) -> str | None:
        """Why ``module.Name`` does not import in this profile, as the inventory recorded it (None: no error
        recorded), e.g. ``ModuleNotFoundError: No module named 'airflow.providers.openlineage'``."""
        return self._inventory_data.get("errors", {}).get(qualified_name)

    def accepted_kwargs(self, qualified_name: str) -> frozenset[str] | None:
        """The keyword arguments the operator class ``module.Name`` accepts in this profile (its ``__init__``
        chain up to BaseOperator, from the inventory); None when the inventory does not describe it (not an
        operator, not available, or not a candidate)."""
        return self._accepted_kwargs.get(qualified_name)


@cache
def load_profile(name: str | None = None) -> TargetProfile:
    name = name or DEFAULT_PROFILE
    directory = PROFILES_DIR / name
    meta_file = directory / "profile.json"
    if not meta_file.is_file():
        known = ", ".join(available_profiles()) or "none"
        raise UnknownProfileError(f"unknown target profile {name!r} (known: {known})")
    meta = json.loads(meta_file.read_text())
    return TargetProfile(
        name=meta["name"],
        directory=directory,
        airflow_version=meta["airflow_version"],
        description=meta.get("description", ""),
        python_version=meta.get("python_version", "3.11"),
    )


def available_profiles() -> list[str]:
    return sorted(p.parent.name for p in PROFILES_DIR.glob("*/profile.json"))
