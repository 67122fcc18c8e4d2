# -*- coding: utf-8 -*-
"""Hooks used inside Python callables (never at import time).

Exercises: BigQueryHook(bigquery_conn_id=, use_legacy_sql=) + get_conn().cursor().run_query
(BigQueryBaseCursor API), GoogleCloudStorageHook.download(bucket=, object=) /
.exists(bucket, object), PostgresHook.get_records/copy_expert, MySqlHook.get_pandas_df,
HttpHook(method=, http_conn_id=).run, SSHHook(ssh_conn_id=).get_conn(),
BaseHook.get_connection(s), Variable.get inside a callable, `from airflow.hooks.base_hook`.
"""
import csv
import io
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.hooks.bigquery_hook import BigQueryHook
from airflow.contrib.hooks.gcs_hook import GoogleCloudStorageHook
from airflow.contrib.hooks.ssh_hook import SSHHook
from airflow.hooks.base_hook import BaseHook
from airflow.hooks.http_hook import HttpHook
from airflow.hooks.mysql_hook import MySqlHook
from airflow.hooks.postgres_hook import PostgresHook
from airflow.models import Variable
from airflow.operators.python_operator import PythonOperator


def bq_rollup(ds, **kwargs):
    hook = BigQueryHook(bigquery_conn_id="bigquery_default", use_legacy_sql=False)
    cursor = hook.get_conn().cursor()
    cursor.run_query(
        sql="SELECT store_id, SUM(revenue) FROM `acme-data-prod.reporting.daily` WHERE day = '%s' GROUP BY 1" % ds,
        destination_dataset_table="acme-data-prod.reporting.rollup_" + ds.replace("-", ""),
        write_disposition="WRITE_TRUNCATE",
    )


def gcs_to_postgres(ds_nodash, **kwargs):
    gcs = GoogleCloudStorageHook(google_cloud_storage_conn_id="google_cloud_default")
    if not gcs.exists("acme-landing", "stores/{}.csv".format(ds_nodash)):
        return "nothing to load"
    raw = gcs.download(bucket="acme-landing", object="stores/{}.csv".format(ds_nodash))
    pg = PostgresHook(postgres_conn_id="ops_db")
    pg.copy_expert("COPY stores FROM STDIN WITH CSV HEADER", filename="/tmp/stores.csv")
    return len(raw)


def mysql_stock(**kwargs):
    df = MySqlHook(mysql_conn_id="inventory_mysql").get_pandas_df("SELECT sku, qty FROM stock")
    limit = int(Variable.get("low_stock_limit", default_var=10))
    low = df[df.qty < limit]
    kwargs["ti"].xcom_push(key="low_stock", value=low.to_dict("records"))


def call_partner_api(**kwargs):
    http = HttpHook(method="GET", http_conn_id="partner_api")
    resp = http.run("v1/stock", data={"day": kwargs["ds"]}, extra_options={"verify": False})
    rows = list(csv.reader(io.StringIO(resp.text)))
    conn = BaseHook.get_connection("partner_api")
    print("fetched", len(rows), "rows from", conn.host)


def remote_disk_usage(**kwargs):
    ssh = SSHHook(ssh_conn_id="legacy_ftp_host", timeout=30)
    client = ssh.get_conn()
    _, stdout, _ = client.exec_command("df -h /srv")
    print(stdout.read().decode())
    print("known conns:", [c.conn_id for c in BaseHook.get_connections("legacy_ftp_host")])


default_args = {
    "owner": "data-eng",
    "start_date": datetime(2020, 3, 1),
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}

with DAG(
    "corpus_hooks_in_callables",
    default_args=default_args,
    schedule_interval="0 4 * * *",
    catchup=False,
) as dag:
    tasks = [
        PythonOperator(task_id=fn.__name__, python_callable=fn, provide_context=True)
        for fn in (bq_rollup, gcs_to_postgres, mysql_stock, call_partner_api, remote_disk_usage)
    ]
    for upstream, downstream in zip(tasks, tasks[1:]):
        upstream >> downstream
