"""The real Google clients a Composer target needs, pointed at emulators when the environment says so.

- ``environments_client()``: ``google.cloud.orchestration.airflow.service_v1.EnvironmentsClient``. With
  ``COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT=host:port`` set (the local stack, tests) it speaks plain gRPC
  to that address with anonymous credentials (the Composer emulator); otherwise it is the library's
  default: composer.googleapis.com with Application Default Credentials.
- ``storage_client(project)``: ``google.cloud.storage.Client``. With ``STORAGE_EMULATOR_HOST`` set (a URL
  with its scheme, ``http://127.0.0.1:9023``: google-cloud-storage 3.x refuses the bare host:port form)
  it uses anonymous credentials against that URL; otherwise ADC.

The product code receives these objects and never knows whether an emulator answers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

COMPOSER_ENDPOINT_VARIABLE = "COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT"
STORAGE_EMULATOR_VARIABLE = "STORAGE_EMULATOR_HOST"
DEFAULT_COMPOSER_ENDPOINT = "composer.googleapis.com"


def composer_endpoint(environ: Mapping[str, str] | None = None) -> str | None:
    """The emulator endpoint (host:port) when one is configured, else None (the real API)."""
    environ = os.environ if environ is None else environ
    return environ.get(COMPOSER_ENDPOINT_VARIABLE) or None


def storage_emulator_url(environ: Mapping[str, str] | None = None) -> str | None:
    environ = os.environ if environ is None else environ
    return environ.get(STORAGE_EMULATOR_VARIABLE) or None


def environments_client(endpoint: str | None = None):
    """An ``EnvironmentsClient``: on ``endpoint`` (or ``$COMPOSER_MIGRATE_COMPOSER_API_ENDPOINT``) over an
    insecure channel with anonymous credentials, else the real API with ADC."""
    import grpc
    from google.auth.credentials import AnonymousCredentials
    from google.cloud.orchestration.airflow.service_v1 import EnvironmentsClient
    from google.cloud.orchestration.airflow.service_v1.services.environments.transports import (
        EnvironmentsGrpcTransport,
    )

    endpoint = endpoint or composer_endpoint()
    if not endpoint:
        return EnvironmentsClient()
    channel = grpc.insecure_channel(endpoint)
    transport = EnvironmentsGrpcTransport(channel=channel, credentials=AnonymousCredentials())
    return EnvironmentsClient(transport=transport)


def describe_endpoint(client) -> str:
    """Where a client sends its calls, for error messages ("unreachable Composer API at ...")."""
    endpoint = composer_endpoint()
    if endpoint:
        return endpoint
    return str(getattr(client, "api_endpoint", None) or DEFAULT_COMPOSER_ENDPOINT)


def storage_client(project: str | None = None, emulator_url: str | None = None):
    """A ``google.cloud.storage.Client``: anonymous on the emulator (``emulator_url`` or
    ``$STORAGE_EMULATOR_HOST``), which needs ``project`` for bucket calls; else ADC."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    emulator_url = emulator_url or storage_emulator_url()
    if emulator_url:
        return storage.Client(
            project=project or "emulator-project",
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": emulator_url},
        )
    return storage.Client(project=project)
