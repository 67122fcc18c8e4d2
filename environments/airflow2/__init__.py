"""Airflow 2's stable REST API (``/api/v1``) as a ``TargetEnvironment`` minus deploy/remove.

``Airflow2RestClient`` works against any Airflow 2 web server: the embedded local one (``BasicAuth``)
or a Composer 2+ environment's ``airflow_uri`` (``GoogleAuth``). Deploying files is the job of whoever
owns the DAG folder (a local directory, a Composer bucket), which wraps this client.
"""

from environments.airflow2.auth import AirflowAuth, BasicAuth, GoogleAuth
from environments.airflow2.rest import Airflow2RestClient, RequestRejected, RunNotFound

__all__ = ["Airflow2RestClient", "AirflowAuth", "BasicAuth", "GoogleAuth", "RequestRejected", "RunNotFound"]
