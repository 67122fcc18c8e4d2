# -*- coding: utf-8 -*-
"""Module-level imports with and without aliases, and fully dotted attribute access.

Exercises: `import airflow`, `airflow.DAG`, `airflow.utils.dates.days_ago`,
`import airflow.contrib.operators.bigquery_operator as bq`,
`from airflow.contrib.operators import gcs_to_bq as g2b` (module, not class),
`import airflow.operators.python_operator` used as a dotted path,
`import airflow.contrib.sensors.gcs_sensor` used as a dotted path.
"""
import datetime

import airflow
import airflow.contrib.operators.bigquery_operator as bq
import airflow.contrib.sensors.gcs_sensor
import airflow.operators.bash_operator as bash
import airflow.operators.python_operator
from airflow.contrib.operators import gcs_to_bq as g2b

BUCKET = "acme-events"
TABLE = "acme-data-prod.events.raw_{{ ds_nodash }}"


def log_run(ds, **kwargs):
    print("loaded events for", ds)


args = {
    "owner": "events",
    "start_date": airflow.utils.dates.days_ago(3),
    "retries": 2,
    "retry_delay": datetime.timedelta(minutes=4),
}

with airflow.DAG(
    "corpus_module_alias_imports",
    default_args=args,
    schedule_interval="0 2 * * *",
) as dag:
    landed = airflow.contrib.sensors.gcs_sensor.GoogleCloudStoragePrefixSensor(
        task_id="events_landed",
        bucket=BUCKET,
        prefix="raw/{{ ds_nodash }}/",
    )
    load = g2b.GoogleCloudStorageToBigQueryOperator(
        task_id="load_events",
        bucket=BUCKET,
        source_objects=["raw/{{ ds_nodash }}/*.json"],
        source_format="NEWLINE_DELIMITED_JSON",
        destination_project_dataset_table=TABLE,
        autodetect=True,
        write_disposition="WRITE_TRUNCATE",
    )
    dedupe = bq.BigQueryOperator(
        task_id="dedupe_events",
        sql="SELECT DISTINCT * FROM `" + TABLE + "`",
        destination_dataset_table="acme-data-prod.events.clean_{{ ds_nodash }}",
        write_disposition="WRITE_TRUNCATE",
        use_legacy_sql=False,
    )
    announce = bash.BashOperator(
        task_id="announce",
        bash_command="echo events for {{ ds }} are clean",
    )
    log = airflow.operators.python_operator.PythonOperator(
        task_id="log_run",
        python_callable=log_run,
        provide_context=True,
    )
    landed >> load >> dedupe >> [announce, log]
