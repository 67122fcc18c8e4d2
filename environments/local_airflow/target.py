"""The local Airflow 2 as a ``TargetEnvironment``: files go into its DAG folder, the rest is REST.

Deploying is writing a file where the scheduler looks, atomically (temp file + ``os.replace`` in the
same directory) so the DAG processor never reads half a file, and only when the bytes differ (a
rewrite with the same bytes would still bump the mtime and make Airflow re-parse for nothing).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from environments.airflow2.delegating import RestOperations
from environments.airflow2.rest import Airflow2RestClient
from environments.base import (
    DeployError,
    DeployFile,
    DeployResult,
)


def safe_relative(relative_path: str) -> PurePosixPath:
    """``relative_path`` checked to stay inside the DAG folder (no absolute path, no ``..``)."""
    rel = PurePosixPath(relative_path)
    if rel.is_absolute() or not rel.parts or any(part in ("..", "") for part in rel.parts) or \
            str(rel) in (".", ""):
        raise DeployError(f"refusing to deploy {relative_path!r}: the path must stay inside the DAG folder")
    return rel


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


class LocalAirflowTarget(RestOperations):
    """``TargetEnvironment`` of the local Airflow 2: a DAG folder on disk plus its REST API."""

    def __init__(self, name: str, dags_dir: Path, rest: Airflow2RestClient) -> None:
        self.name = name
        self.dags_dir = Path(dags_dir)
        self.rest = rest
        self.airflow_uri = rest.base_url

    def __repr__(self) -> str:
        return f"LocalAirflowTarget({self.name!r}, dags_dir={str(self.dags_dir)!r}, {self.airflow_uri!r})"

    # ------------------------------------------------------------ files

    def deploy(self, files: Sequence[DeployFile]) -> DeployResult:
        """Copy each file into the DAG folder unless the same bytes are there; each write is atomic."""
        uploaded: list[str] = []
        unchanged: list[str] = []
        for item in files:
            rel = safe_relative(item.relative_path)
            try:
                data = Path(item.local_path).read_bytes()
            except OSError as exc:
                raise DeployError(f"cannot read {item.local_path} (for {item.relative_path}): {exc}") from exc
            digest = hashlib.sha256(data).hexdigest()
            if item.sha256 and item.sha256 != digest:
                raise DeployError(f"{item.local_path} changed since it was planned: sha256 {digest[:12]} "
                                  f"is not the expected {item.sha256[:12]} ({item.relative_path})")
            dest = self.dags_dir / rel
            if file_sha256(dest) == digest:
                unchanged.append(item.relative_path)
                continue
            try:
                _atomic_write(dest, data)
            except OSError as exc:
                raise DeployError(f"cannot write {dest} ({item.relative_path}) in environment "
                                  f"{self.name!r}: {exc}") from exc
            uploaded.append(item.relative_path)
        return DeployResult(uploaded=tuple(uploaded), unchanged=tuple(unchanged))

    def remove(self, relative_paths: Sequence[str]) -> None:
        for relative_path in relative_paths:
            path = self.dags_dir / safe_relative(relative_path)
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise DeployError(f"cannot remove {path} ({relative_path}) in environment {self.name!r}: "
                                  f"{exc}") from exc


def _atomic_write(dest: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``dest``, then rename. The temp name ends in ``.tmp``, not
    ``.py``, so the DAG processor never lists it."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
