"""Credentials for the Airflow 1.10 web server, as request headers.

Composer 1 serves Airflow behind Identity-Aware Proxy: a programmatic caller sends an OIDC ID token
whose audience is the IAP OAuth client id (``IapIdTokenAuth``). A self-hosted 1.10 may use the password
backend instead (``BasicAuth``). ``StaticBearerToken`` is for tests and for tokens obtained elsewhere.

Every provider has ``headers()`` (what to add to a request) and ``invalidate()`` (the server refused
the last credentials: fetch fresh ones next time; a no-op for fixed credentials).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

# Refresh an ID token this long before it expires (Google's ID tokens live one hour).
REFRESH_MARGIN_S = 300.0


@runtime_checkable
class AuthProvider(Protocol):
    def headers(self) -> Mapping[str, str]: ...

    def invalidate(self) -> None: ...


@dataclass(frozen=True)
class StaticBearerToken:
    """A fixed bearer token (tests; a token minted by another tool)."""

    token: str = field(repr=False)

    def headers(self) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def invalidate(self) -> None:
        """A fixed token cannot be refreshed."""


@dataclass(frozen=True)
class BasicAuth:
    """HTTP basic credentials (Airflow's password auth backend)."""

    username: str
    password: str = field(repr=False)

    def headers(self) -> Mapping[str, str]:
        raw = f"{self.username}:{self.password}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}

    def invalidate(self) -> None:
        """Fixed credentials cannot be refreshed."""


def _google_id_token(audience: str) -> str:
    """An OIDC ID token for ``audience`` from Application Default Credentials (service account key,
    metadata server, or gcloud user credentials that can impersonate)."""
    import google.auth.transport.requests
    import google.oauth2.id_token

    return google.oauth2.id_token.fetch_id_token(google.auth.transport.requests.Request(), audience)


def _token_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT (not verified: it only decides when to refresh), or None."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return None


class IapIdTokenAuth:
    """Bearer ID tokens for an IAP-protected web server (Composer 1's Airflow UI and API).

    client_id: the IAP OAuth client id, the token's audience (Composer 1 shows it for the environment's
    web server). The token is cached and refreshed ``REFRESH_MARGIN_S`` before it expires, or after
    ``invalidate()``. ``fetch`` is the token source (default: google.oauth2.id_token.fetch_id_token).
    """

    def __init__(
        self,
        client_id: str,
        *,
        fetch: Callable[[str], str] = _google_id_token,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not client_id:
            raise ValueError("IAP auth needs the IAP OAuth client id (the token audience)")
        self.client_id = client_id
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def headers(self) -> Mapping[str, str]:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at - REFRESH_MARGIN_S:
                token = self._fetch(self.client_id)
                expiry = _token_expiry(token)
                self._token = token
                # unknown expiry: refresh in a few minutes rather than never
                self._expires_at = expiry if expiry is not None else self._clock() + 2 * REFRESH_MARGIN_S
            return {"Authorization": f"Bearer {self._token}"}

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def __repr__(self) -> str:
        return f"IapIdTokenAuth(client_id={self.client_id!r})"
