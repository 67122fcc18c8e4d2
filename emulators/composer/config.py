"""The Composer emulator's configuration: which environments exist, and where their buckets live.

A JSON file (``python -m emulators.composer --config FILE``) or the same dict in-process::

    {
      "project": "demo-project",
      "location": "us-central1",
      "storage_endpoint": "http://127.0.0.1:9023",   # optional; default: $STORAGE_EMULATOR_HOST
      "sync_interval_s": 1.0,                        # optional
      "create_buckets": true,                        # optional: create missing environment buckets
      "environments": [
        {"environment_id": "composer2-demo", "image_version": "composer-2.10.0-airflow-2.10.5",
         "airflow_uri": "http://127.0.0.1:8080", "bucket": "composer2-demo-bucket",
         "dags_folder": "/path/to/airflow/dags"}      # optional: where the bucket's dags/ is mirrored
      ]
    }
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DAGS_PREFIX = "dags/"

_ENVIRONMENT_ID = re.compile(r"^[a-z](?:[-a-z0-9]{0,62}[a-z0-9])?$")
_BUCKET = re.compile(r"^[a-z0-9][-_.a-z0-9]{1,220}[a-z0-9]$")


class ConfigError(ValueError):
    """The emulator's configuration is invalid (the message names the field and the environment)."""


@dataclass(frozen=True)
class EnvironmentSpec:
    """One emulated Composer environment."""

    environment_id: str
    image_version: str
    airflow_uri: str
    bucket: str
    dags_folder: Path | None = None

    @property
    def dag_gcs_prefix(self) -> str:
        return f"gs://{self.bucket}/dags"


@dataclass(frozen=True)
class EmulatorConfig:
    project: str
    location: str
    environments: tuple[EnvironmentSpec, ...]
    storage_endpoint: str | None = None
    sync_interval_s: float = 1.0
    create_buckets: bool = True

    @property
    def parent(self) -> str:
        return f"projects/{self.project}/locations/{self.location}"

    def resource_name(self, environment_id: str) -> str:
        return f"{self.parent}/environments/{environment_id}"

    def resolved_storage_endpoint(self) -> str | None:
        """The GCS URL the sync loop reads: the configured one, else ``$STORAGE_EMULATOR_HOST``."""
        return self.storage_endpoint or os.environ.get("STORAGE_EMULATOR_HOST") or None


def _required_str(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: {key!r} must be a non-empty string; got {value!r}")
    return value


def parse_environment(raw: Mapping[str, Any], index: int) -> EnvironmentSpec:
    where = f"environments[{index}]"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be an object; got {raw!r}")
    environment_id = _required_str(raw, "environment_id", where)
    where = f"environment {environment_id!r}"
    if not _ENVIRONMENT_ID.match(environment_id):
        raise ConfigError(f"{where}: environment_id must be lower-case letters, digits and hyphens")
    bucket = _required_str(raw, "bucket", where)
    if not _BUCKET.match(bucket):
        raise ConfigError(f"{where}: {bucket!r} is not a valid bucket name")
    dags_folder = raw.get("dags_folder")
    if dags_folder is not None and (not isinstance(dags_folder, str | os.PathLike) or not str(dags_folder)):
        raise ConfigError(f"{where}: dags_folder must be a path; got {dags_folder!r}")
    return EnvironmentSpec(
        environment_id=environment_id,
        image_version=_required_str(raw, "image_version", where),
        airflow_uri=_required_str(raw, "airflow_uri", where).rstrip("/"),
        bucket=bucket,
        dags_folder=Path(dags_folder).resolve() if dags_folder is not None else None,
    )


def parse_config(raw: Mapping[str, Any]) -> EmulatorConfig:
    """Validate a config dict (see the module docstring); clear ``ConfigError`` on any bad field."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"the config must be a JSON object; got {type(raw).__name__}")
    items = raw.get("environments")
    if not isinstance(items, list):
        raise ConfigError("'environments' must be a list")
    environments = tuple(parse_environment(item, i) for i, item in enumerate(items))
    seen: set[str] = set()
    for spec in environments:
        if spec.environment_id in seen:
            raise ConfigError(f"environment {spec.environment_id!r} is configured twice")
        seen.add(spec.environment_id)
    interval = raw.get("sync_interval_s", 1.0)
    if not isinstance(interval, int | float) or interval <= 0:
        raise ConfigError(f"sync_interval_s must be a positive number; got {interval!r}")
    endpoint = raw.get("storage_endpoint")
    if endpoint is not None and not (isinstance(endpoint, str) and endpoint.startswith(("http://", "https://"))):
        raise ConfigError(f"storage_endpoint must be an http(s) URL; got {endpoint!r}")
    return EmulatorConfig(
        project=_required_str(raw, "project", "config"),
        location=_required_str(raw, "location", "config"),
        environments=environments,
        storage_endpoint=endpoint,
        sync_interval_s=float(interval),
        create_buckets=bool(raw.get("create_buckets", True)),
    )


def load_config(path: Path) -> EmulatorConfig:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(f"cannot read the Composer emulator config {path}: {error}") from error
    try:
        return parse_config(raw)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
