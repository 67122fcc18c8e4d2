"""Adapters to the environments a wave touches: the Airflow 2 target and the Airflow 1.10 source.

``base`` holds the interfaces and the small frozen values they exchange; each implementation lives
in its own subpackage (``airflow2`` the stable-REST client, ``local_airflow`` the embedded Airflow 2,
``composer`` a Composer 2+ environment, ``airflow1`` the 1.10 experimental API of Composer 1).
The Temporal activities only call these interfaces.
"""
