# -*- coding: utf-8 -*-
"""Not a DAG: a helper module that sits in the dags folder next to DAG files.

Airflow 1.10 imports every .py file of the dags folder (with the default "safe mode",
only files that mention both "airflow" and "dag" are parsed); this one defines no DAG.
A converter should report "no DAG found" (or convert its imports) without failing.
"""
from datetime import timedelta

DEFAULT_RETRIES = 2
DEFAULT_RETRY_DELAY = timedelta(minutes=5)
ALERT_EMAILS = ["data-alerts@acme.example"]


def table_name(source, ds_nodash):
    """Name of the daily staging table of a source."""
    return "staging.{}_{}".format(source, ds_nodash)


def default_args(owner):
    return {
        "owner": owner,
        "retries": DEFAULT_RETRIES,
        "retry_delay": DEFAULT_RETRY_DELAY,
        "email": ALERT_EMAILS,
    }
