"""AM209 (deprecated parameters whose replacement differs) and AM203's known replacements (Slack)."""

from __future__ import annotations

from dagconvert.engine import convert_source

LIST = "from airflow.contrib.operators.gcs_list_operator import GoogleCloudStorageListOperator\n"
WEBHOOK = "from airflow.contrib.operators.slack_webhook_operator import SlackWebhookOperator\n"


def todos(source: str, rule: str) -> list[str]:
    result = convert_source(source, "dag.py", None)
    assert convert_source(result.code, "dag.py", None).code == result.code, "not idempotent"
    return [t.message for t in result.todos if t.rule == rule]


def test_a_computed_delimiter_is_a_todo_without_a_guessed_glob():
    [message] = todos(LIST + "t = GoogleCloudStorageListOperator(task_id='t', bucket='b', delimiter=EXT)\n", "AM209")
    assert "with delimiter=D the listing" in message and "match_glob='**/*' + D" in message


def test_an_empty_delimiter_does_not_warn_and_is_left_alone():
    assert todos(LIST + "t = GoogleCloudStorageListOperator(task_id='t', bucket='b', delimiter='')\n", "AM209") == []


def test_a_webhook_token_alone_names_the_default_host():
    [message] = todos(WEBHOOK + "n = SlackWebhookOperator(task_id='n', webhook_token='T/B/X', message='m')\n",
                      "AM203")
    assert message.startswith("parameter webhook_token is not accepted by SlackWebhookOperator")
    assert "password is 'T/B/X' and whose host is empty (meaning https://hooks.slack.com/services)" in message


def test_a_webhook_connection_alone_points_at_its_extra():
    [message] = todos(WEBHOOK + "n = SlackWebhookOperator(task_id='n', http_conn_id='hook', message='m')\n",
                      "AM203")
    assert "password is the 'webhook_token' extra of the HTTP connection 'hook'" in message
    assert "host is that of the HTTP connection 'hook', scheme included" in message


def test_other_rejected_keywords_of_a_hinted_class_keep_their_own_todo():
    messages = todos(WEBHOOK + "n = SlackWebhookOperator(task_id='n', http_conn_id='hook', webhook_token='T',\n"
                               "    link_names=True, message='m')\n", "AM203")
    assert [m.split(" not accepted")[0] for m in messages] == [
        "parameter link_names is", "parameters http_conn_id and webhook_token are"]


def test_a_templated_webhook_token_asks_for_its_rendered_value():
    [message] = todos(WEBHOOK + "n = SlackWebhookOperator(task_id='n', http_conn_id='hook', message='m',\n"
                                "    webhook_token='{{ var.value.hook_token }}')\n", "AM203")
    assert "password is what '{{ var.value.hook_token }}' renders to and whose host" in message
