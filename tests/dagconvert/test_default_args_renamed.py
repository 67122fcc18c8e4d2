"""AM208 (default_args keys Airflow 2 renamed): the cases the rule's own examples do not show."""

from __future__ import annotations

import pytest

from dagconvert.engine import convert_source

HEAD = ("from airflow import DAG\n"
        "from airflow.contrib.operators.pubsub_operator import PubSubTopicCreateOperator\n")


def convert(source: str):
    result = convert_source(source, "dag.py", None)
    again = convert_source(result.code, "dag.py", None)
    assert again.code == result.code, "not idempotent"
    return result


def am208(result) -> list[str]:
    return [t.message for t in result.todos if t.rule == "AM208"]


def dag_file(default_args: str, tasks: str, head: str = HEAD) -> str:
    return (head + f"default_args = {default_args}\n"
            "with DAG('d', default_args=default_args, schedule_interval=None) as dag:\n" + tasks)


CREATE = "    t = PubSubTopicCreateOperator(task_id='t', topic='x')\n"


def test_renamed_key_reaches_only_the_operators_that_took_the_old_one():
    result = convert(dag_file("{'owner': 'a', 'project': 'p'}", CREATE))
    assert "{'owner': 'a', 'project_id': 'p'}" in result.code
    assert not am208(result)


@pytest.mark.parametrize("task,who", [
    # took project_id in 1.10 (its own default then: the connection's project)
    ("    b = GoogleCloudStorageCreateBucketOperator(task_id='b', bucket_name='x')\n",
     "GCSCreateBucketOperator 'b'"),
    # a project's own class: what it takes is not known
    ("    m = MyOperator(task_id='m')\n", "MyOperator 'm' (its arguments are not known)"),
])
def test_a_task_that_would_newly_get_the_value_is_a_todo(task, who):
    head = HEAD + ("from airflow.contrib.operators.gcs_operator import GoogleCloudStorageCreateBucketOperator\n"
                   "from plugins.ops import MyOperator\n")
    result = convert(dag_file("{'owner': 'a', 'project': 'p'}", CREATE + task, head))
    assert "'project': 'p'}" in result.code  # left as it was
    [message] = am208(result)
    assert f"would also reach {who}, which did not get 'project'" in message
    assert "pass project_id='p' to each task that used 'project'" in message


def test_a_class_defined_in_the_file_is_not_known():
    head = HEAD + "from airflow.models import BaseOperator\nclass Mine(BaseOperator):\n    pass\n"
    result = convert(dag_file("{'owner': 'a', 'project': 'p'}", CREATE + "    m = Mine(task_id='m')\n", head))
    assert am208(result) and "Mine 'm' (its arguments are not known)" in am208(result)[0]


def test_a_task_passing_the_new_name_itself_is_not_a_receiver():
    head = HEAD + "from airflow.contrib.operators.gcs_operator import GoogleCloudStorageCreateBucketOperator\n"
    task = "    b = GoogleCloudStorageCreateBucketOperator(task_id='b', bucket_name='x', project_id='q')\n"
    result = convert(dag_file("{'owner': 'a', 'project': 'p'}", CREATE + task, head))
    assert "'project_id': 'p'}" in result.code and not am208(result)


def test_a_computed_value_still_read_is_not_evaluated_twice():
    head = HEAD + "from airflow.models import Variable\n"
    source = dag_file("{'owner': 'a', 'project': Variable.get('gcp_project')}",
                      CREATE + "    print(default_args['project'])\n", head)
    result = convert(source)
    assert "default_args = {'owner': 'a', 'project': Variable.get('gcp_project')}\n" in result.code
    [message] = am208(result)
    assert "add 'project_id' with the same value (Variable.get('gcp_project'))" in message


def test_a_computed_value_nothing_else_reads_is_renamed():
    head = HEAD + "from airflow.models import Variable\n"
    result = convert(dag_file("{'owner': 'a', 'project': Variable.get('gcp_project')}", CREATE, head))
    assert "'project_id': Variable.get('gcp_project')}" in result.code and not am208(result)


def test_both_keys_already_set_differently_is_a_todo():
    result = convert(dag_file("{'owner': 'a', 'project': 'p', 'project_id': 'q'}", CREATE))
    [message] = am208(result)
    assert "also sets 'project_id'" in message


def test_two_old_keys_for_one_new_name_is_a_todo():
    head = "from airflow import DAG\n"
    result = convert(dag_file("{'owner': 'a', 'bigquery_conn_id': 'x', 'google_cloud_storage_conn_id': 'y'}",
                              "    pass\n", head))
    assert any("'google_cloud_storage_conn_id' also becomes 'gcp_conn_id'" in m for m in am208(result))


def test_a_dict_that_is_not_default_args_is_left_alone():
    result = convert(HEAD + "labels = {'project': 'p', 'team': 'x'}\n")
    assert "'project': 'p'" in result.code and not result.todos
    # labels with default_args-like keys, in a file whose default_args are fine: not renamed, and no TODO
    tasks = "    t = PubSubTopicCreateOperator(task_id='t', topic='x', labels={'owner': 'a', 'project': 'p'})\n"
    result = convert(dag_file("{'owner': 'a'}", tasks))
    assert "labels={'owner': 'a', 'project': 'p'}" in result.code and not am208(result)


def test_default_args_inline_or_under_another_name_are_followed():
    inline = HEAD + ("with DAG('d', default_args={'owner': 'a', 'project': 'p'}, schedule_interval=None) as dag:\n"
                     + CREATE)
    assert "default_args={'owner': 'a', 'project_id': 'p'}" in convert(inline).code
    named = HEAD + "ARGS = {'owner': 'a', 'project': 'p'}\nwith DAG('d', default_args=ARGS) as dag:\n" + CREATE
    assert "ARGS = {'owner': 'a', 'project_id': 'p'}" in convert(named).code


def test_a_default_args_like_dict_not_seen_passed_is_a_todo():
    source = HEAD + "def make():\n    return {'owner': 'a', 'project': 'p'}\n"
    result = convert(source)
    assert "{'owner': 'a', 'project': 'p'}" in result.code
    [message] = am208(result)
    assert message.startswith("this dict looks like default_args and sets 'project'")


def test_the_last_element_of_a_multiline_dict_gets_the_new_key_on_its_own_line():
    source = dag_file("{\n    'owner': 'a',\n    'project': 'p'\n}",
                      CREATE + "    print(default_args['project'])\n")
    assert "    'owner': 'a',\n    'project': 'p',\n    'project_id': 'p'\n}" in convert(source).code


def test_a_comment_after_the_last_element_stays_on_its_line():
    source = dag_file("{\n    'owner': 'a',\n    'project': 'p',  # billing\n}",
                      CREATE + "    print(default_args['project'])\n")
    assert "    'project': 'p',  # billing\n    'project_id': 'p',\n}" in convert(source).code


def test_nothing_to_do_when_no_task_took_the_old_key():
    head = "from airflow import DAG\nfrom airflow.contrib.operators.gcs_operator import " \
           "GoogleCloudStorageCreateBucketOperator\n"
    task = "    b = GoogleCloudStorageCreateBucketOperator(task_id='b', bucket_name='x')\n"
    result = convert(dag_file("{'owner': 'a', 'bigquery_conn_id': 'bq'}", task, head))
    assert "{'owner': 'a', 'bigquery_conn_id': 'bq'}" in result.code and not am208(result)
