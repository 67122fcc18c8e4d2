"""Environment names -> adapters: what a wave's activities and the CLI call to reach an environment.

A name is a Composer resource name (``projects/P/locations/L/environments/E``) or a bare environment
id, expanded in the stack's project and location (``StackConfig.environment_name``). Both sides are
looked up through the Composer API with the real ``EnvironmentsClient``:

- a target (Composer 2.1+/3) becomes a ``ComposerTarget``: bucket from the API, Airflow 2 REST at its
  ``airflow_uri``;
- a source (Composer 1, image ``composer-1.*``/Airflow 1.10) becomes an ``Airflow1Source`` on its
  ``airflow_uri`` (the experimental API).

Where the clients go is decided by the process environment, as for any Google client:
``COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT`` (host:port) and ``STORAGE_EMULATOR_HOST`` point them at the
local stack's emulators. Against the emulator the local Airflow 2 takes basic auth
(``StackConfig.airflow2_user``/``airflow2_password``) and the Airflow 1 emulator none; against Google,
Airflow 2 takes ADC bearer tokens (``GoogleAuth``) and Composer 1's IAP-protected Airflow an ID token
for the IAP client id in ``COMPOSER_MIGRATE_SOURCE_IAP_CLIENT_ID``.

``stack_composer_config`` is the local stack's Composer emulator config, so the stack and this module
agree on environment ids, buckets and URLs.
"""

from __future__ import annotations

import os
import re
from typing import Any

from environments.base import (
    AuthError,
    EnvironmentError_,
    EnvironmentNotFound,
    SourceEnvironment,
    TargetEnvironment,
)
from environments.composer.client import composer_endpoint, environments_client, storage_client
from environments.composer.target import ComposerTarget, get_composer_environment, parse_image_version
from stack.config import StackConfig

RESOURCE_NAME = re.compile(r"^projects/[^/]+/locations/[^/]+/environments/[^/]+$")
ENVIRONMENT_ID = re.compile(r"^[a-z](?:[-a-z0-9]{0,62}[a-z0-9])?$")
SOURCE_IAP_CLIENT_ID_VARIABLE = "COMPOSER_MIGRATE_SOURCE_IAP_CLIENT_ID"

# The image the local stack's Composer emulator reports for each target profile (a Composer 2.1+ image
# with the profile's Airflow), and for the Composer 1 source.
TARGET_IMAGES = {
    "airflow-2.10.5": "composer-2.10.0-airflow-2.10.5",
    "airflow-2.9.3": "composer-2.9.7-airflow-2.9.3",
}
SOURCE_IMAGE = "composer-1.20.12-airflow-1.10.15"


class UnsupportedSource(EnvironmentError_):
    """The environment exists but is not an Airflow 1.10 (Composer 1) environment. Not retryable."""

    retryable = False


def resource_name(name: str, config: StackConfig) -> str:
    """``name`` as a full Composer resource name (EnvironmentNotFound when it is neither form)."""
    if RESOURCE_NAME.match(name):
        return name
    if ENVIRONMENT_ID.match(name):
        return config.environment_name(name)
    raise EnvironmentNotFound(
        f"{name!r} is neither a Composer environment resource name "
        "(projects/P/locations/L/environments/E) nor an environment id (lower-case letters, digits, hyphens)"
    )


def _environments_client(endpoint: str | None):
    from google.auth import exceptions as auth_exceptions

    try:
        return environments_client(endpoint)
    except auth_exceptions.DefaultCredentialsError as error:
        raise AuthError(f"no Google credentials for the Composer API (set up Application Default "
                        f"Credentials, or COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT for the local stack): "
                        f"{error}") from error


def open_target(name: str, config: StackConfig) -> TargetEnvironment:
    """The Composer 2.1+/3 environment ``name`` as a ``ComposerTarget`` (resolved now: errors surface here)."""
    from google.auth import exceptions as auth_exceptions

    from environments.airflow2.auth import BasicAuth, GoogleAuth
    from environments.airflow2.rest import Airflow2RestClient

    full_name = resource_name(name, config)
    endpoint = composer_endpoint()
    auth = BasicAuth(config.airflow2_user, config.airflow2_password) if endpoint else GoogleAuth()
    try:
        storage = storage_client(config.project)
    except auth_exceptions.DefaultCredentialsError as error:
        raise AuthError(f"no Google credentials for Cloud Storage: {error}") from error
    with _environments_client(endpoint) as client:  # only needed to resolve the environment
        return ComposerTarget(full_name, client, storage, lambda uri: Airflow2RestClient(uri, auth),
                              api_endpoint=endpoint)


def open_source(name: str, config: StackConfig) -> SourceEnvironment:
    """The Composer 1 environment ``name`` as an ``Airflow1Source`` on its ``airflow_uri``."""
    from environments.airflow1.source import Airflow1Source

    full_name = resource_name(name, config)
    endpoint = composer_endpoint()
    with _environments_client(endpoint) as client:
        environment = get_composer_environment(client, full_name, endpoint=endpoint)
    try:
        image = parse_image_version(environment.image_version)
    except ValueError as error:
        raise UnsupportedSource(f"Composer environment {full_name} cannot be a source: {error}") from error
    if image.airflow[0] != 1:
        raise UnsupportedSource(f"Composer environment {full_name} cannot be a source: image "
                                f"{environment.image_version} does not run Airflow 1.x")
    if not environment.airflow_uri:
        raise EnvironmentNotFound(f"Composer environment {full_name} reports no Airflow web server URI")
    return Airflow1Source(environment.airflow_uri, _source_auth(endpoint), name=full_name)


def _source_auth(endpoint: str | None) -> Any:
    """None for the local Airflow 1 emulator; an IAP ID token for Composer 1's web server."""
    if endpoint:
        return None
    from environments.airflow1.auth import IapIdTokenAuth

    client_id = os.environ.get(SOURCE_IAP_CLIENT_ID_VARIABLE)
    if not client_id:
        raise AuthError(f"Composer 1's Airflow is behind IAP: set {SOURCE_IAP_CLIENT_ID_VARIABLE} to the IAP "
                        "OAuth client id of its web server")
    return IapIdTokenAuth(client_id)


def target_image(profile: str) -> str:
    """The Composer image the emulator reports for a target profile (``airflow-X.Y.Z``)."""
    if profile in TARGET_IMAGES:
        return TARGET_IMAGES[profile]
    match = re.fullmatch(r"airflow-(2\.\d+\.\d+)", profile)
    if not match:
        raise ValueError(f"cannot derive a Composer image from target profile {profile!r}")
    return f"composer-2.10.0-airflow-{match[1]}"


def source_bucket(config: StackConfig) -> str:
    return f"{config.source_environment}-bucket"


def stack_composer_config(config: StackConfig) -> dict[str, Any]:
    """The local stack's Composer emulator config (JSON-able; format: ``emulators.composer.config``):
    the target in front of the local Airflow 2 (its bucket mirrored into the Airflow's DAG folder) and
    the Composer 1 source in front of the Airflow 1 emulator."""
    return {
        "project": config.project,
        "location": config.location,
        "storage_endpoint": config.gcs_url,
        "sync_interval_s": 1.0,
        "create_buckets": True,
        "environments": [
            {
                "environment_id": config.target_environment,
                "image_version": target_image(config.profile),
                "airflow_uri": config.airflow2_url,
                "bucket": config.target_bucket,
                "dags_folder": str(config.airflow2_dags_dir),
            },
            {
                "environment_id": config.source_environment,
                "image_version": SOURCE_IMAGE,
                "airflow_uri": config.airflow1_url,
                "bucket": source_bucket(config),
            },
        ],
    }
