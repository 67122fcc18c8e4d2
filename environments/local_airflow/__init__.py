"""The embedded local Airflow 2: a real web server + scheduler from a profile's runtime venv
(``server``), and the ``TargetEnvironment`` that deploys into its DAG folder (``target``).

Run it in the foreground with ``python -m environments.local_airflow serve --home DIR --port P``.
"""

from environments.local_airflow.server import LocalAirflowError, LocalAirflowServer
from environments.local_airflow.target import LocalAirflowTarget

__all__ = ["LocalAirflowError", "LocalAirflowServer", "LocalAirflowTarget"]
