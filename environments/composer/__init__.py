"""Cloud Composer 2.1+/3 as a migration target: the Composer API finds the environment, its bucket takes
the DAG files, its Airflow's REST API does the rest (``ComposerTarget``); ``client`` builds the real
Google clients, on emulators when the local stack's variables say so."""

from environments.composer.client import environments_client, storage_client
from environments.composer.target import (
    ComposerEnvironment,
    ComposerTarget,
    UnsupportedTarget,
    get_composer_environment,
    parse_image_version,
    target_refusal,
)

__all__ = [
    "ComposerEnvironment",
    "ComposerTarget",
    "UnsupportedTarget",
    "environments_client",
    "get_composer_environment",
    "parse_image_version",
    "storage_client",
    "target_refusal",
]
