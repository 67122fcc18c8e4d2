# -*- coding: utf-8 -*-
"""Nightly maintenance of the operational databases (Postgres + MySQL) and the legacy FTP host.

Kept deliberately gentle: at most two tasks at once, one vacuum at a time.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.operators.ssh_operator import SSHOperator
from airflow.operators.mysql_operator import MySqlOperator
from airflow.operators.postgres_operator import PostgresOperator

default_args = {
    "owner": "dba",
    "start_date": datetime(2019, 12, 1),
    "email": ["dba@acme.example", "data-alerts@acme.example"],
    "email_on_failure": True,
    "email_on_retry": True,
    "retries": 3,
    "retry_delay": timedelta(minutes=5),
    "execution_timeout": timedelta(hours=1),
}

dag = DAG(
    "warehouse_db_maintenance",
    default_args=default_args,
    schedule_interval="@daily",
    catchup=False,
    concurrency=2,  # never more than two maintenance tasks at once
)

# Drop the staging partitions older than 30 days.
purge_pg_staging = PostgresOperator(
    task_id="purge_pg_staging",
    postgres_conn_id="shop_db",
    sql="DELETE FROM staging.events WHERE event_date < DATE '{{ ds }}' - INTERVAL '30 days';",
    autocommit=True,
    dag=dag,
)

vacuum_pg = PostgresOperator(
    task_id="vacuum_pg",
    postgres_conn_id="shop_db",
    sql="VACUUM ANALYZE staging.events;",
    autocommit=True,  # VACUUM cannot run inside a transaction
    task_concurrency=1,
    dag=dag,
)

# The inventory service still runs on MySQL.
archive_mysql = MySqlOperator(
    task_id="archive_mysql_movements",
    mysql_conn_id="inventory_mysql",
    sql=[
        "INSERT INTO movements_archive SELECT * FROM movements WHERE moved_at < '{{ macros.ds_add(ds, -90) }}'",
        "DELETE FROM movements WHERE moved_at < '{{ macros.ds_add(ds, -90) }}'",
    ],
    autocommit=True,
    task_concurrency=1,
    dag=dag,
)

# The partner FTP host keeps 14 days of uploads.
rotate_ftp = SSHOperator(
    task_id="rotate_ftp_uploads",
    ssh_conn_id="legacy_ftp_host",
    command="find /srv/ftp/uploads -type f -mtime +14 -print -delete",
    timeout=600,
    dag=dag,
)

purge_pg_staging >> vacuum_pg
