# -*- coding: utf-8 -*-
"""Nightly CSV exports for partners, as templated bash commands.

Each command is a Jinja template: the run's dates ({{ ds }}, {{ execution_date }},
{{ next_ds }}, {{ yesterday_ds }}, {{ prev_ds }}) pick the slice to export.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.utils.dates import days_ago

EXPORT_BUCKET = "gs://acme-partner-exports"

default_args = {
    "owner": "partner-integrations",
    "depends_on_past": True,  # a day's export builds on the previous day's manifest
    "start_date": days_ago(2),
    "email": ["partner-integrations@acme.example"],
    "email_on_failure": True,
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}

dag = DAG(
    "partner_file_exports",
    default_args=default_args,
    schedule_interval=timedelta(days=1),
    catchup=False,
)

# Export the day's orders: [ds, next_ds) in the warehouse's local time.
export_orders = BashOperator(
    task_id="export_orders",
    bash_command=(
        "bq query --use_legacy_sql=false --format=csv "
        "\"SELECT * FROM acme-data-prod.reporting.orders "
        "WHERE order_date >= '{{ ds }}' AND order_date < '{{ next_ds }}'\" "
        "> /tmp/orders_{{ ds_nodash }}.csv && "
        "gsutil cp /tmp/orders_{{ ds_nodash }}.csv " + EXPORT_BUCKET + "/orders/{{ ds }}/orders.csv"
    ),
    dag=dag,
)

# Returns (late) corrections for the previous day are re-exported too.
export_corrections = BashOperator(
    task_id="export_corrections",
    bash_command=(
        "echo 'corrections for {{ yesterday_ds }} (previous run: {{ prev_ds }})' && "
        "gsutil cp gs://acme-returns/corrections/{{ yesterday_ds }}.csv "
        + EXPORT_BUCKET + "/corrections/{{ ds }}/ || echo 'no corrections'"
    ),
    dag=dag,
)

# The manifest names the exact logical timestamp of the run; the last line of
# stdout (the manifest path) is pushed to XCom for the notify task.
write_manifest = BashOperator(
    task_id="write_manifest",
    bash_command="""
        set -euo pipefail
        MANIFEST=/tmp/manifest_{{ ds_nodash }}.json
        echo '{"run": "{{ run_id }}", "logical_ts": "{{ execution_date }}", "window_end": "{{ next_ds }}"}' > $MANIFEST
        gsutil cp $MANIFEST {{ params.bucket }}/manifests/{{ ds }}.json
        echo {{ params.bucket }}/manifests/{{ ds }}.json
    """,
    params={"bucket": EXPORT_BUCKET},
    xcom_push=True,
    dag=dag,
)

notify = BashOperator(
    task_id="notify_partners",
    bash_command=(
        "curl -sf -X POST \"$NOTIFY_URL\" -d "
        "\"manifest={{ ti.xcom_pull(task_ids='write_manifest') }}\""
    ),
    env={"NOTIFY_URL": "https://hooks.partners.acme.example/exports"},
    dag=dag,
)

[export_orders, export_corrections] >> write_manifest >> notify
