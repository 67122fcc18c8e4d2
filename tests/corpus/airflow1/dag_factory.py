# -*- coding: utf-8 -*-
"""DAGs built by a factory function and registered in globals().

Exercises: a create_dag(...) factory, DAG objects stored in globals() under computed
names (the only way Airflow discovers them), per-DAG schedule/default_args, and a DAG
that is built but intentionally not exposed at module level (so not discovered).
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.operators.gcs_to_bq import GoogleCloudStorageToBigQueryOperator
from airflow.operators.bash_operator import BashOperator

TABLES = {
    "orders": {"schedule": "0 1 * * *", "owner": "shop"},
    "customers": {"schedule": "@daily", "owner": "crm"},
    "products": {"schedule": timedelta(hours=4), "owner": "catalog"},
}


def create_dag(dag_id, table, schedule, owner):
    """Build the load DAG of one table."""
    default_args = {
        "owner": owner,
        "start_date": datetime(2020, 5, 1),
        "retries": 1,
        "retry_delay": timedelta(minutes=5),
        "email": ["{}-oncall@acme.example".format(owner)],
    }
    dag = DAG(dag_id, default_args=default_args, schedule_interval=schedule, catchup=False)
    with dag:
        load = GoogleCloudStorageToBigQueryOperator(
            task_id="load_" + table,
            bucket="acme-exports",
            source_objects=[table + "/{{ ds_nodash }}/*.csv"],
            destination_project_dataset_table="acme-data-prod.raw." + table,
            write_disposition="WRITE_APPEND",
            autodetect=True,
        )
        mark = BashOperator(task_id="mark_loaded", bash_command="echo loaded " + table + " {{ ds }}")
        load >> mark
    return dag


for name, cfg in TABLES.items():
    dag_id = "corpus_factory_" + name
    globals()[dag_id] = create_dag(dag_id, name, cfg["schedule"], cfg["owner"])

# Built but not bound at module level: Airflow does not discover it.
_unregistered = create_dag("corpus_factory_unregistered", "scratch", None, "nobody")
del _unregistered
