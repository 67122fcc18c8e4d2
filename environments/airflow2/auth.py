"""How a request to Airflow 2's stable REST API proves who it is, as a pluggable header source.

The REST client asks its auth for headers on every request (not once at construction) because a
Google access token expires after an hour and a long wave outlives it. Two kinds exist:

- ``BasicAuth``: user and password, what the embedded local Airflow 2 (basic_auth backend) accepts;
- ``GoogleAuth``: an OAuth2 bearer token of the Application Default Credentials with the
  cloud-platform scope, what Composer 2's web server (behind Google's proxy) accepts.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from environments.base import AuthError, EnvironmentUnreachable

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


@runtime_checkable
class AirflowAuth(Protocol):
    """Something that yields the HTTP headers authenticating one request."""

    def headers(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class BasicAuth:
    """HTTP basic auth. The password is kept out of ``repr`` (it ends up in logs and tracebacks)."""

    username: str
    password: str = field(repr=False)

    def headers(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}


class GoogleAuth:
    """Bearer token of Google credentials (ADC by default), refreshed when expired; thread-safe.

    ``credentials`` may be given (a service account's, or impersonated ones); otherwise
    ``google.auth.default`` finds them the way every Google client library does.
    """

    def __init__(self, credentials: Any | None = None, scopes: tuple[str, ...] = (CLOUD_PLATFORM_SCOPE,)) -> None:
        self._credentials = credentials
        self._scopes = scopes
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GoogleAuth(scopes={self._scopes!r})"

    def headers(self) -> dict[str, str]:
        """The bearer header; AuthError when there are no usable credentials, EnvironmentUnreachable
        when the token endpoint did not answer (that one is worth retrying)."""
        import google.auth
        import google.auth.exceptions
        import google.auth.transport.requests

        with self._lock:
            try:
                if self._credentials is None:
                    self._credentials, _ = google.auth.default(scopes=list(self._scopes))
                if not self._credentials.valid:
                    self._credentials.refresh(google.auth.transport.requests.Request())
            except google.auth.exceptions.TransportError as exc:
                raise EnvironmentUnreachable(f"refreshing the Google access token failed: {exc}") from exc
            except google.auth.exceptions.GoogleAuthError as exc:
                raise AuthError(f"no usable Google credentials for the Airflow REST API: {exc}") from exc
            return {"Authorization": f"Bearer {self._credentials.token}"}
