"""Where a built runtime lives on disk, in one place, so builder, client and inventory agree.

``<root>/<profile>/`` holds ``venv/`` (the pinned Airflow 2 install), ``airflow_home/`` (a template
Airflow home with a migrated metadata DB: SubDagOperator touches the DB even for a pure parse) and
``stamp.json`` (written last: its presence and content is what makes a runtime "ready").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
RUNTIMES_ENV_VAR = "COMPOSER_MIGRATE_RUNTIMES"


def default_root() -> Path:
    """The runtimes directory: ``$COMPOSER_MIGRATE_RUNTIMES`` if set, else ``<repo>/.runtimes``.

    Anchored at the repository rather than the working directory, so that a worker or a test started
    from another directory finds the same runtime that ``make runtime`` built.
    """
    override = os.environ.get(RUNTIMES_ENV_VAR)
    return Path(override) if override else REPO_ROOT / ".runtimes"


@dataclass(frozen=True)
class RuntimeLayout:
    """The paths of one profile's runtime under a runtimes root."""

    profile: str
    directory: Path

    @classmethod
    def of(cls, profile: str, root: Path | None = None) -> RuntimeLayout:
        base = Path(root) if root is not None else default_root()
        return cls(profile=profile, directory=base.absolute() / profile)

    @property
    def root(self) -> Path:
        return self.directory.parent

    @property
    def venv(self) -> Path:
        return self.directory / "venv"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def airflow_home(self) -> Path:
        return self.directory / "airflow_home"

    @property
    def stamp_file(self) -> Path:
        return self.directory / "stamp.json"

    @property
    def build_log(self) -> Path:
        """Full output of the last build attempt (kept outside the runtime dir: a failed build is removed)."""
        return self.root / f"{self.profile}.build.log"

    @property
    def lock_file(self) -> Path:
        return self.root / f".{self.profile}.lock"
