# -*- coding: utf-8 -*-
"""Classes imported under aliases (`as`), including the DAG class and a utils module.

Exercises: `from ... import BashOperator as Bash`, `BigQueryOperator as BQ`,
`DAG as AirflowDAG`, `from airflow.utils import dates as airflow_dates`,
`TriggerRule as TR`, and a 1.10 name imported twice under two aliases.
"""
from datetime import timedelta

from airflow.contrib.operators.bigquery_operator import BigQueryOperator as BQ
from airflow.contrib.operators.bigquery_to_gcs import BigQueryToCloudStorageOperator as BQToGCS
from airflow.models import DAG as AirflowDAG
from airflow.operators.bash_operator import BashOperator as Bash
from airflow.operators.bash_operator import BashOperator as Shell
from airflow.operators.dummy_operator import DummyOperator as Noop
from airflow.utils import dates as airflow_dates
from airflow.utils.trigger_rule import TriggerRule as TR

dag = AirflowDAG(
    dag_id="corpus_class_aliases",
    start_date=airflow_dates.days_ago(1),
    schedule_interval="@daily",
    default_args={"owner": "bi", "retries": 1, "retry_delay": timedelta(minutes=2)},
)

begin = Noop(task_id="begin", dag=dag)

summary = BQ(
    task_id="summary",
    sql="SELECT country, COUNT(*) n FROM `acme-data-prod.crm.customers` GROUP BY country",
    destination_dataset_table="acme-data-prod.bi.customers_by_country",
    write_disposition="WRITE_TRUNCATE",
    use_legacy_sql=False,
    dag=dag,
)

extract = BQToGCS(
    task_id="extract",
    source_project_dataset_table="acme-data-prod.bi.customers_by_country",
    destination_cloud_storage_uris=["gs://acme-bi-extracts/customers_by_country/{{ ds }}.csv"],
    dag=dag,
)

touch = Bash(task_id="touch_marker", bash_command="gsutil cp /dev/null gs://acme-bi-extracts/_DONE_{{ ds }}", dag=dag)
cleanup = Shell(task_id="cleanup", bash_command="echo cleanup", trigger_rule=TR.ALL_DONE, dag=dag)

begin >> summary >> extract >> touch >> cleanup
