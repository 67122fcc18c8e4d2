"""The Airflow 1.10 source (Composer 1) through its experimental REST API; see ``source.py``."""

from environments.airflow1.auth import AuthProvider, BasicAuth, IapIdTokenAuth, StaticBearerToken
from environments.airflow1.source import Airflow1Source, RequestRejected

__all__ = [
    "Airflow1Source",
    "AuthProvider",
    "BasicAuth",
    "IapIdTokenAuth",
    "RequestRejected",
    "StaticBearerToken",
]
