"""An in-repo Composer API emulator (``google.cloud.orchestration.airflow.service.v1.Environments``).

The real ``EnvironmentsClient`` talks to it over gRPC (see ``environments.composer.client``); each
configured environment is RUNNING with its bucket's ``gs://BUCKET/dags`` prefix, its Airflow URL and
image version, and a sync loop mirrors the bucket's ``dags/`` into a local Airflow's DAG folder.
Run it with ``python -m emulators.composer --port 8990 --config FILE`` or in-process with
``start_emulator(config)``.
"""

from emulators.composer.config import ConfigError, EmulatorConfig, EnvironmentSpec, load_config, parse_config
from emulators.composer.server import ComposerEmulatorHandle, start_emulator

__all__ = [
    "ComposerEmulatorHandle",
    "ConfigError",
    "EmulatorConfig",
    "EnvironmentSpec",
    "load_config",
    "parse_config",
    "start_emulator",
]
