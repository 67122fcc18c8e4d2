# -*- coding: utf-8 -*-
"""Legacy 1.10 "magic" package-level imports (removed in Airflow 2).

Exercises: `from airflow.operators import X, Y`, `from airflow.hooks import X`,
`from airflow.sensors import X`, `from airflow.contrib.operators import X`,
`from airflow.contrib.hooks import X`, all resolved through 1.10's AirflowImporter.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.hooks import GoogleCloudStorageHook
from airflow.contrib.operators import SSHOperator
from airflow.hooks import PostgresHook
from airflow.operators import BashOperator, DummyOperator, PythonOperator
from airflow.sensors import ExternalTaskSensor


def count_new_files(**kwargs):
    # Hooks imported the legacy way are used inside the callable only.
    gcs = GoogleCloudStorageHook(google_cloud_storage_conn_id="google_cloud_default")
    names = gcs.list("acme-landing", prefix="events/" + kwargs["ds_nodash"])
    pg = PostgresHook(postgres_conn_id="ops_db")
    pg.run(
        "INSERT INTO file_counts (day, n) VALUES (%s, %s)",
        parameters=(kwargs["ds"], len(names or [])),
    )
    return len(names or [])


default_args = {
    "owner": "legacy-team",
    "start_date": datetime(2019, 5, 1),
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}

dag = DAG(
    "corpus_legacy_package_imports",
    default_args=default_args,
    schedule_interval="15 2 * * *",
)

wait = ExternalTaskSensor(
    task_id="wait_for_ingest",
    external_dag_id="corpus_module_alias_imports",
    external_task_id=None,  # wait for the whole DAG run
    execution_delta=timedelta(minutes=15),
    dag=dag,
)

count = PythonOperator(
    task_id="count_new_files",
    python_callable=count_new_files,
    provide_context=True,
    dag=dag,
)

archive = SSHOperator(
    task_id="archive_on_sftp_host",
    ssh_conn_id="sftp_host",
    command="tar czf /archive/events_{{ ds_nodash }}.tgz /incoming/events/{{ ds_nodash }}",
    dag=dag,
)

report = BashOperator(
    task_id="report",
    bash_command="echo counted {{ ti.xcom_pull(task_ids='count_new_files') }} files",
    dag=dag,
)

end = DummyOperator(task_id="end", dag=dag)

wait >> count >> [archive, report] >> end
