"""gRPC edge: ``google.cloud.orchestration.airflow.service.v1.Environments`` (GetEnvironment, ListEnvironments).

As for the Pub/Sub emulator, requests and responses are the real client library's proto-plus types
(``service_v1.types``), whose ``serialize``/``deserialize`` are the wire format, registered with
``grpc.method_handlers_generic_handler``: the real ``EnvironmentsClient`` cannot tell the difference.
Every other method of the service answers UNIMPLEMENTED (gRPC's default for unknown methods).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import grpc
from google.cloud.orchestration.airflow.service_v1 import types

from emulators.composer.config import EmulatorConfig, EnvironmentSpec
from observability import get_logger

log = get_logger("emulators.composer")

SERVICE_NAME = "google.cloud.orchestration.airflow.service.v1.Environments"

_ENVIRONMENT_NAME = re.compile(r"^projects/[^/]+/locations/[^/]+/environments/[^/]+$")
_PARENT = re.compile(r"^projects/[^/]+/locations/[^/]+$")
_DEFAULT_PAGE_SIZE = 100


def environment_message(config: EmulatorConfig, spec: EnvironmentSpec, created: datetime) -> types.Environment:
    """What Composer answers for a running environment: the fields the migration reads, filled in."""
    name = config.resource_name(spec.environment_id)
    return types.Environment(
        name=name,
        uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
        state=types.Environment.State.RUNNING,
        create_time=created,
        update_time=created,
        config=types.EnvironmentConfig(
            dag_gcs_prefix=spec.dag_gcs_prefix,
            airflow_uri=spec.airflow_uri,
            software_config=types.SoftwareConfig(image_version=spec.image_version),
        ),
        storage_config=types.StorageConfig(bucket=spec.bucket),
    )


class EnvironmentsService:
    """Answers from the static config: environments are always RUNNING."""

    def __init__(self, config: EmulatorConfig, created: datetime) -> None:
        self.config = config
        self._by_name = {config.resource_name(s.environment_id): s for s in config.environments}
        self._created = created

    def GetEnvironment(self, request: types.GetEnvironmentRequest, context: grpc.ServicerContext) -> types.Environment:
        if not _ENVIRONMENT_NAME.match(request.name):
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"Invalid environment name {request.name!r}: expected "
                "projects/{project}/locations/{location}/environments/{environment}",
            )
        spec = self._by_name.get(request.name)
        if spec is None:
            log.info("composer_environment_not_found", name=request.name)
            context.abort(grpc.StatusCode.NOT_FOUND, f"Environment {request.name} not found.")
        return environment_message(self.config, spec, self._created)

    def ListEnvironments(
        self, request: types.ListEnvironmentsRequest, context: grpc.ServicerContext
    ) -> types.ListEnvironmentsResponse:
        if not _PARENT.match(request.parent):
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"Invalid parent {request.parent!r}: expected projects/{{project}}/locations/{{location}}",
            )
        names = sorted(n for n in self._by_name if n.startswith(request.parent + "/environments/"))
        try:
            start = int(request.page_token) if request.page_token else 0
        except ValueError:
            start = -1
        if start < 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid page_token {request.page_token!r}")
        end = start + (request.page_size if request.page_size > 0 else _DEFAULT_PAGE_SIZE)
        return types.ListEnvironmentsResponse(
            environments=[environment_message(self.config, self._by_name[n], self._created) for n in names[start:end]],
            next_page_token=str(end) if end < len(names) else "",
        )


def generic_handlers(service: EnvironmentsService) -> list[grpc.GenericRpcHandler]:
    unary = grpc.unary_unary_rpc_method_handler
    return [
        grpc.method_handlers_generic_handler(
            SERVICE_NAME,
            {
                "GetEnvironment": unary(
                    service.GetEnvironment,
                    request_deserializer=types.GetEnvironmentRequest.deserialize,
                    response_serializer=types.Environment.serialize,
                ),
                "ListEnvironments": unary(
                    service.ListEnvironments,
                    request_deserializer=types.ListEnvironmentsRequest.deserialize,
                    response_serializer=types.ListEnvironmentsResponse.serialize,
                ),
            },
        )
    ]
