"""A Cloud Composer 2.1+/3 environment as a ``TargetEnvironment``: its bucket for files, its Airflow for the rest.

The environment is looked up once through the Composer API (``get_environment``): the DAG bucket and
prefix (``config.dag_gcs_prefix``), the web server (``config.airflow_uri``) and the image version. An
image running Airflow 1 (Composer 1) or a Composer 2.0.x image is refused as a target: both reached end
of life on 2026-09-15, and Airflow 1 cannot run the converted DAGs.

Deploying uploads each file to ``gs://BUCKET/dags/<relative_path>`` unless the object already holds the
same bytes (its MD5), so a retried deploy changes nothing. Each upload is one request (multipart, not
resumable), so an object is either the old or the new file, never half of one, and carries
``if_generation_match`` (the generation we compared against, 0 for "must not exist"): a concurrent
change makes the upload fail (retryable) instead of being overwritten blindly.

Parsing, pausing, triggering and runs go to Airflow's stable REST API at ``airflow_uri`` through the
client ``rest_factory(airflow_uri)`` builds.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from environments.airflow2.delegating import RestOperations
from environments.base import (
    AuthError,
    DeployError,
    DeployFile,
    DeployResult,
    EnvironmentError_,
    EnvironmentNotFound,
    EnvironmentUnreachable,
)
from environments.composer.client import describe_endpoint

# Above this many files one listing of the prefix is cheaper than one metadata read per file.
LIST_THRESHOLD = 8

_IMAGE = re.compile(
    r"^composer-(?P<composer>\d+(?:\.\d+)*|latest)-airflow-(?P<airflow>\d+(?:\.\d+)*)(?:-build\.\d+)?$"
)


class UnsupportedTarget(EnvironmentError_):
    """The environment exists but cannot be a migration target (Composer 1, Composer 2.0.x). Not retryable."""

    retryable = False


# ---------------------------------------------------------------- pure helpers


@dataclass(frozen=True)
class ImageVersion:
    """A Composer image version split into its parts: ``composer-2.10.0-airflow-2.10.5``."""

    text: str
    composer: tuple[int, ...] | None  # None for the "latest" alias
    airflow: tuple[int, ...]


def parse_image_version(text: str) -> ImageVersion:
    match = _IMAGE.match(text or "")
    if not match:
        raise ValueError(f"not a Composer image version: {text!r} (expected composer-X.Y.Z-airflow-A.B.C)")
    composer = None if match["composer"] == "latest" else tuple(int(p) for p in match["composer"].split("."))
    return ImageVersion(text, composer, tuple(int(p) for p in match["airflow"].split(".")))


def target_refusal(image_version: str) -> str | None:
    """Why an environment with this image cannot be a target, or None when it can."""
    try:
        image = parse_image_version(image_version)
    except ValueError as error:
        return f"cannot tell its Composer and Airflow versions: {error}"
    if image.airflow[0] < 2 or (image.composer is not None and image.composer[0] < 2):
        return (f"image {image_version} runs Airflow {'.'.join(map(str, image.airflow))} (Composer 1): "
                "it is a migration source, not a target")
    if image.composer is not None and image.composer[:2] == (2, 0):
        return (f"image {image_version} is Composer 2.0.x, which reached end of life on 2026-09-15: "
                "the target must be Composer 2.1+ or Composer 3")
    return None


def split_gcs_prefix(dag_gcs_prefix: str) -> tuple[str, str]:
    """``gs://bucket/dags`` -> (``bucket``, ``dags/``): the bucket and the object-name prefix of the DAG folder."""
    if not dag_gcs_prefix.startswith("gs://"):
        raise ValueError(f"not a gs:// URL: {dag_gcs_prefix!r}")
    bucket, _, path = dag_gcs_prefix[len("gs://"):].partition("/")
    if not bucket:
        raise ValueError(f"no bucket in {dag_gcs_prefix!r}")
    path = path.strip("/")
    return bucket, (path + "/" if path else "")


def checked_relative_path(relative_path: str) -> str:
    """``relative_path`` as a clean POSIX path inside the DAG folder (DeployError otherwise)."""
    rel = PurePosixPath(relative_path)
    if ("\\" in relative_path or "\x00" in relative_path or rel.is_absolute() or not rel.parts
            or any(part in ("..", ".", "") for part in relative_path.split("/"))):
        raise DeployError(f"refusing to deploy {relative_path!r}: the path must stay inside the DAG folder")
    return str(rel)


def md5_base64(data: bytes) -> str:
    """The MD5 as GCS reports it (``Blob.md5_hash``)."""
    return base64.b64encode(hashlib.md5(data).digest()).decode("ascii")


@dataclass(frozen=True)
class ComposerEnvironment:
    """What the migration needs of a Composer environment, as the API reported it."""

    name: str
    state: str
    bucket: str
    dags_prefix: str  # object-name prefix inside the bucket, e.g. "dags/"
    dag_gcs_prefix: str
    airflow_uri: str
    image_version: str


def environment_from_message(message: Any) -> ComposerEnvironment:
    """The values of an ``Environment`` message (ValueError when its DAG prefix is unusable)."""
    config = message.config
    bucket, prefix = split_gcs_prefix(config.dag_gcs_prefix)
    return ComposerEnvironment(
        name=message.name,
        state=message.state.name if hasattr(message.state, "name") else str(message.state),
        bucket=bucket,
        dags_prefix=prefix,
        dag_gcs_prefix=config.dag_gcs_prefix,
        airflow_uri=config.airflow_uri.rstrip("/"),
        image_version=config.software_config.image_version,
    )


# ---------------------------------------------------------------- the Composer API edge


def get_composer_environment(client: Any, name: str, *, endpoint: str | None = None,
                             timeout_s: float = 30.0) -> ComposerEnvironment:
    """``get_environment`` with the library's errors turned into ``environments.base`` ones, each naming
    the environment (and, when unreachable, the endpoint)."""
    from google.api_core import exceptions
    from google.auth import exceptions as auth_exceptions

    where = endpoint or describe_endpoint(client)
    try:
        message = client.get_environment(name=name, timeout=timeout_s, retry=None)
    except exceptions.NotFound as error:
        raise EnvironmentNotFound(f"Composer environment {name} does not exist (Composer API at {where}): "
                                  f"{error.message}") from error
    except exceptions.InvalidArgument as error:
        raise EnvironmentNotFound(f"{name!r} is not a valid Composer environment name "
                                  f"(projects/P/locations/L/environments/E): {error.message}") from error
    except (exceptions.PermissionDenied, exceptions.Unauthenticated,
            auth_exceptions.DefaultCredentialsError) as error:
        raise AuthError(f"the Composer API at {where} refused access to {name}: {error}") from error
    except (exceptions.ServiceUnavailable, exceptions.DeadlineExceeded, exceptions.InternalServerError,
            exceptions.RetryError, auth_exceptions.TransportError) as error:
        raise EnvironmentUnreachable(f"the Composer API at {where} did not answer for {name}: "
                                     f"{getattr(error, 'message', error)}") from error
    try:
        return environment_from_message(message)
    except ValueError as error:
        raise EnvironmentNotFound(f"Composer environment {name} has no usable DAG folder: {error}") from error


# ---------------------------------------------------------------- the target


class ComposerTarget(RestOperations):
    """``TargetEnvironment`` of a Composer 2.1+/3 environment (bucket + Airflow REST).

    environment_name: ``projects/P/locations/L/environments/E``. environments_client: an
    ``EnvironmentsClient`` (``environments.composer.client.environments_client()``). storage_client: a
    ``google.cloud.storage.Client``. rest_factory: ``airflow_uri -> Airflow2RestClient``.
    The environment is resolved at construction: an unknown, unreachable or unsupported environment
    fails here, before anything is uploaded.
    """

    def __init__(
        self,
        environment_name: str,
        environments_client: Any,
        storage_client: Any,
        rest_factory: Callable[[str], Any],
        *,
        api_endpoint: str | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.name = environment_name
        self.timeout_s = timeout_s
        self._storage = storage_client
        self.environment = get_composer_environment(environments_client, environment_name,
                                                    endpoint=api_endpoint, timeout_s=timeout_s)
        refusal = target_refusal(self.environment.image_version)
        if refusal:
            raise UnsupportedTarget(f"Composer environment {environment_name} cannot be a target: {refusal}")
        if not self.environment.airflow_uri:
            raise EnvironmentUnreachable(f"Composer environment {environment_name} has no Airflow web server "
                                         f"URI yet (state {self.environment.state})")
        self.airflow_uri = self.environment.airflow_uri
        self.rest = rest_factory(self.airflow_uri)

    # exposed values of the resolved environment
    @property
    def bucket(self) -> str:
        return self.environment.bucket

    @property
    def dags_prefix(self) -> str:
        return self.environment.dags_prefix

    @property
    def image_version(self) -> str:
        return self.environment.image_version

    def __repr__(self) -> str:
        return f"ComposerTarget({self.name!r}, {self.environment.dag_gcs_prefix!r}, {self.airflow_uri!r})"

    def object_name(self, relative_path: str) -> str:
        return self.dags_prefix + checked_relative_path(relative_path)

    # ------------------------------------------------------------ files

    def _gcs_error(self, error: Exception, what: str) -> EnvironmentError_:
        """A storage library error as an adapter error naming the object or bucket."""
        import requests
        from google.api_core import exceptions
        from google.auth import exceptions as auth_exceptions

        if isinstance(error, exceptions.NotFound):
            return EnvironmentNotFound(f"bucket gs://{self.bucket} of Composer environment {self.name} does not "
                                       f"exist ({what})")
        if isinstance(error, exceptions.PreconditionFailed):
            return DeployError(f"{what}: the object changed while we deployed it (generation mismatch); "
                               "deploying again compares with the new version")
        if isinstance(error, exceptions.Forbidden | exceptions.Unauthorized
                      | auth_exceptions.DefaultCredentialsError | auth_exceptions.RefreshError):
            return AuthError(f"{what}: Cloud Storage refused access: {error}")
        if isinstance(error, exceptions.RetryError | exceptions.ServerError | requests.RequestException
                      | auth_exceptions.TransportError | OSError):
            return EnvironmentUnreachable(f"{what}: Cloud Storage did not answer: {error}")
        return DeployError(f"{what}: {error}")

    def _current_objects(self, names: Sequence[str]) -> dict[str, tuple[str | None, int]]:
        """name -> (md5, generation) of the objects that exist among ``names``."""
        from google.cloud.storage.retry import DEFAULT_RETRY

        retry = DEFAULT_RETRY.with_timeout(self.timeout_s)
        bucket = self._storage.bucket(self.bucket)
        found: dict[str, tuple[str | None, int]] = {}
        if len(names) > LIST_THRESHOLD:
            wanted = set(names)
            for blob in self._storage.list_blobs(self.bucket, prefix=self.dags_prefix, timeout=self.timeout_s,
                                                 retry=retry):
                if blob.name in wanted:
                    found[blob.name] = (blob.md5_hash, int(blob.generation))
            return found
        for name in names:
            blob = bucket.get_blob(name, timeout=self.timeout_s, retry=retry)
            if blob is not None:
                found[name] = (blob.md5_hash, int(blob.generation))
        return found

    def deploy(self, files: Sequence[DeployFile]) -> DeployResult:
        """Upload each file to ``gs://BUCKET/<dags prefix><relative_path>`` unless the same bytes are there."""
        from google.cloud.storage.retry import DEFAULT_RETRY

        retry = DEFAULT_RETRY.with_timeout(self.timeout_s)
        payloads: list[tuple[DeployFile, str, bytes]] = []
        for item in files:
            name = self.object_name(item.relative_path)
            try:
                data = Path(item.local_path).read_bytes()
            except OSError as error:
                raise DeployError(f"cannot read {item.local_path} (for {item.relative_path}): {error}") from error
            digest = hashlib.sha256(data).hexdigest()
            if item.sha256 and item.sha256 != digest:
                raise DeployError(f"{item.local_path} changed since it was planned: sha256 {digest[:12]} is not "
                                  f"the expected {item.sha256[:12]} ({item.relative_path})")
            payloads.append((item, name, data))
        where = f"deploying {len(payloads)} file(s) to gs://{self.bucket}/{self.dags_prefix}"
        try:
            current = self._current_objects([name for _, name, _ in payloads])
        except Exception as error:
            raise self._gcs_error(error, where) from error
        uploaded: list[str] = []
        unchanged: list[str] = []
        bucket = self._storage.bucket(self.bucket)
        for item, name, data in payloads:
            md5, generation = current.get(name, (None, 0))
            if md5 == md5_base64(data):
                unchanged.append(item.relative_path)
                continue
            blob = bucket.blob(name)
            try:
                blob.upload_from_string(data, content_type="text/x-python" if name.endswith(".py") else None,
                                        if_generation_match=generation, timeout=self.timeout_s, retry=retry)
            except Exception as error:
                raise self._gcs_error(error, f"uploading {item.relative_path} to gs://{self.bucket}/{name}") from error
            uploaded.append(item.relative_path)
        return DeployResult(uploaded=tuple(uploaded), unchanged=tuple(unchanged))

    def remove(self, relative_paths: Sequence[str]) -> None:
        """Delete the objects; missing ones are fine, a missing bucket is EnvironmentNotFound."""
        from google.api_core import exceptions
        from google.cloud.storage.retry import DEFAULT_RETRY

        retry = DEFAULT_RETRY.with_timeout(self.timeout_s)
        bucket = self._storage.bucket(self.bucket)
        for relative_path in relative_paths:
            name = self.object_name(relative_path)
            what = f"removing {relative_path} (gs://{self.bucket}/{name})"
            try:
                bucket.delete_blob(name, timeout=self.timeout_s, retry=retry)
            except exceptions.NotFound:
                try:
                    exists = bucket.exists(timeout=self.timeout_s, retry=retry)
                except Exception as error:
                    raise self._gcs_error(error, what) from error
                if not exists:
                    raise self._gcs_error(exceptions.NotFound("bucket"), what) from None
            except Exception as error:
                raise self._gcs_error(error, what) from error
