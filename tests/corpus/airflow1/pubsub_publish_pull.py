# -*- coding: utf-8 -*-
"""Pub/Sub fan-out: create topic + subscription, publish, pull, clean up.

Exercises: PubSubTopicCreateOperator(project=, fail_if_exists=),
PubSubSubscriptionCreateOperator(topic_project=, subscription_project=),
PubSubPublishOperator(project=, messages with base64 data), PubSubPullSensor
(project=, max_messages=, ack_messages=), delete operators, `project` in default_args.
"""
import base64
import json
from datetime import datetime, timedelta

from airflow import DAG
from airflow.contrib.operators.pubsub_operator import (
    PubSubPublishOperator,
    PubSubSubscriptionCreateOperator,
    PubSubSubscriptionDeleteOperator,
    PubSubTopicCreateOperator,
    PubSubTopicDeleteOperator,
)
from airflow.contrib.sensors.pubsub_sensor import PubSubPullSensor
from airflow.operators.bash_operator import BashOperator

PROJECT = "acme-events"
TOPIC = "price-changes-{{ ds_nodash }}"


def _encode(payload):
    return base64.b64encode(json.dumps(payload).encode("utf-8")).decode("ascii")


MESSAGES = [
    {"data": _encode({"sku": "A-100", "price": 19.99}), "attributes": {"source": "airflow"}},
    {"data": _encode({"sku": "B-200", "price": 5.49}), "attributes": {"source": "airflow"}},
]

default_args = {
    "owner": "pricing",
    "start_date": datetime(2020, 8, 1),
    "project": PROJECT,
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
}

dag = DAG("corpus_pubsub_publish_pull", default_args=default_args, schedule_interval="@daily")

create_topic = PubSubTopicCreateOperator(
    task_id="create_topic", topic=TOPIC, fail_if_exists=False, dag=dag)
create_sub = PubSubSubscriptionCreateOperator(
    task_id="create_subscription",
    topic_project=PROJECT,
    topic=TOPIC,
    subscription_project=PROJECT,
    subscription="audit-{{ ds_nodash }}",
    ack_deadline_secs=30,
    dag=dag,
)
publish = PubSubPublishOperator(
    task_id="publish_prices", project=PROJECT, topic=TOPIC, messages=MESSAGES, dag=dag)
pull = PubSubPullSensor(
    task_id="pull_prices",
    project=PROJECT,
    subscription="audit-{{ ds_nodash }}",
    max_messages=10,
    ack_messages=True,
    dag=dag,
)
show = BashOperator(
    task_id="show_pulled",
    bash_command="echo '{{ ti.xcom_pull(task_ids=\"pull_prices\") | tojson }}'",
    dag=dag,
)
delete_sub = PubSubSubscriptionDeleteOperator(
    task_id="delete_subscription", subscription="audit-{{ ds_nodash }}", dag=dag)
delete_topic = PubSubTopicDeleteOperator(task_id="delete_topic", topic=TOPIC, dag=dag)

create_topic >> create_sub >> publish >> pull >> show >> delete_sub >> delete_topic
