"""AM203: keyword arguments the target operator class does not accept in the profile (rules.md section 2,
section 6 rule 1).

Airflow 1.10 logged "Invalid arguments were passed" and went on; Airflow 2's ``BaseOperator`` raises it, so
one unknown keyword makes the whole DAG file fail to load. The parameter table (AM201) has only the changes a
source names; the rest of what the 2.x classes dropped (323 parameters in the reference, signature diff only)
has no known replacement. This rule finds them all, for the profile at hand, from what the profile's
inventory says each operator class accepts (its ``__init__`` chain up to ``BaseOperator``, computed inside
the runtime: ``TargetProfile.accepted_kwargs``), and leaves a TODO for each: what the value meant is for a
person to decide.

It runs last and looks at the call as the other rules left it, so a keyword they renamed or removed is not
reported. A keyword another rule leaves in place with a TODO of its own (AM201's sourced rows, a computed
``provide_context``) is not reported twice. Calls that a rule restructured into another class (REPLACE) and
classes the inventory does not describe (not an operator, a project's own class) are left alone, and so is
what ``**kwargs`` may hold.

Interest: a call to a class with a known accepted set is of interest only when it passes a keyword outside
that set, which the ``ast`` pre-pass can tell (``Interest.node_filter``), so statements whose operator calls
are fine are not visited at all. The pre-pass does not know the profile: it asks whether any profile rejects
the keyword (over-approximating), and the rule decides for the profile.
"""

from __future__ import annotations

import ast
from functools import cache

import libcst as cst

from dagconvert import tables
from dagconvert.analysis import Analysis, Interest
from dagconvert.decisions import Action
from dagconvert.rules.base import CallTarget, Example, Rule
from target_profiles import available_profiles, load_profile

# Keywords other rules leave in the call with a TODO of their own (beside the parameter table's rows).
OWNED_ELSEWHERE = frozenset({"provide_context"})  # AM202: a computed value


def _given(call: cst.Call, name: str) -> str | None:
    arg = next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)
    return None if arg is None else cst.Module(body=[]).code_for_node(arg.value)


def _slack_api_token(call: cst.Call) -> str:
    """1.10.15 SlackAPIOperator: SlackHook(token=...) used the token as given (not a template field); provider
    slack 9.5.0 SlackHook reads the token from the password of a 'slack' connection."""
    token = _given(call, "token")
    note = "; 1.10 did not template token: it sent this text as written" if token and "{{" in token else ""
    return (f"Airflow 2 takes the Slack API token only from a connection: create a connection of type Slack API "
            f"(conn_type 'slack') whose password is the token this task used (token={token}{note}), pass its id as "
            "slack_conn_id=..., and remove token")


def _slack_webhook(call: cst.Call) -> str:
    """1.10.15 SlackWebhookHook: an HttpHook on http_conn_id (base URL: that connection's host) posting to
    endpoint webhook_token, else to the connection's extra 'webhook_token'; provider slack 9.5.0
    SlackWebhookHook: a 'slackwebhook' connection, URL = host (default https://hooks.slack.com/services) +
    password, or the password itself when it is a whole URL; slack_webhook_conn_id is required."""
    conn, token = _given(call, "http_conn_id"), _given(call, "webhook_token")
    password = token or (f"the 'webhook_token' extra of the HTTP connection {conn}" if conn else "the webhook token")
    if token and "{{" in token:  # a template field in 1.10; a connection field is not rendered
        password = f"what {token} renders to"
    host = f"that of the HTTP connection {conn}, scheme included" if conn else \
        "empty (meaning https://hooks.slack.com/services)"
    return ("Airflow 2 posts to a webhook only through a connection: create a connection of type Slack Incoming "
            f"Webhook (conn_type 'slackwebhook') whose password is {password} and whose host is {host}, or whose "
            "password is the whole webhook URL; pass its id as slack_webhook_conn_id=... (Airflow 2 requires it) "
            "and remove http_conn_id and webhook_token")


# 2.x class -> {keyword it does not accept: what a person must do instead} (for the keywords where that is known;
# one TODO per distinct text and call).
ARGUMENT_HINTS = {
    "airflow.providers.slack.operators.slack.SlackAPIPostOperator": {"token": _slack_api_token},
    "airflow.providers.slack.operators.slack_webhook.SlackWebhookOperator": {"http_conn_id": _slack_webhook,
                                                                             "webhook_token": _slack_webhook},
}


@cache
def _accepted_everywhere(identity: str) -> frozenset[str] | None:
    """The keywords every profile that describes ``identity`` accepts; None when no profile describes it."""
    known = [s for s in (load_profile(p).accepted_kwargs(identity) for p in available_profiles()) if s is not None]
    if not known:
        return None
    return frozenset.intersection(*known)


def _may_reject(analysis: Analysis, node: ast.AST) -> bool:
    """Pre-pass filter: a call passing a keyword that some profile's class does not accept."""
    if not node.keywords:
        return False
    qname = analysis.resolve(node.func)
    if qname is None:
        return False
    accepted = _accepted_everywhere(analysis.identity_of(qname))
    return accepted is not None and any(k.arg is not None and k.arg not in accepted for k in node.keywords)


@cache
def _owned(identity: str) -> frozenset[str]:
    """Keywords of calls to ``identity`` that another rule is responsible for."""
    from dagconvert.rules.param_changes import CONNECTION_MERGES

    rows = tables.param_changes().get(identity) or {}
    merged = CONNECTION_MERGES.get(identity)
    merged_params = {merged[0], *merged[1]} if merged else set()
    return OWNED_ELSEWHERE | merged_params | {param for param, row in rows.items() if not row.get("for_replacement")}


def _final_class(target: CallTarget) -> str | None:
    """The 2.x class the converted call constructs: the new path of a move, the identity of a kept name."""
    decision = target.decision
    if decision.action is Action.MOVE:
        return decision.new_qname
    if decision.action is Action.KEEP:
        return decision.identity
    return None  # REPLACE: restructured by its own rule; TODO: not converted at all


def _still_calls(ctx, call: cst.Call, target: CallTarget, final: str) -> bool:
    """The (converted) call still constructs the target class, not something a rule restructured it into."""
    if ctx.resolve(call.func) in (target.qname, final):
        return True
    return isinstance(call.func, cst.Name) and ctx.bound.get(final) == call.func.value


class ArgumentNotAccepted(Rule):
    code = "AM203"
    name = "argument-not-accepted"
    summary = ("A keyword argument the 2.x operator class does not accept in the target profile (its __init__ "
               "chain up to BaseOperator, from the profile's inventory) gets a TODO: Airflow 2 rejects unknown "
               "arguments when the DAG file is parsed.")
    interest = Interest(node_types=(ast.Call,), node_filter=_may_reject)
    order = 1000  # last: it sees the call with every other rule's renames and removals done
    examples = (
        Example(
            title="parameters the provider dropped with no named replacement",
            before=(
                "from airflow.contrib.operators.slack_webhook_operator import SlackWebhookOperator\n"
                "notify = SlackWebhookOperator(task_id='notify', http_conn_id='slack', message='done',\n"
                "    webhook_token='T0/B0/X')\n"
            ),
            after=(
                "from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator\n"
                "# TODO(airflow2): AM203 parameters http_conn_id and webhook_token are not accepted by "
                "SlackWebhookOperator in airflow-2.10.5: Airflow 2 rejects unknown arguments at parse time; Airflow "
                "2 posts to a webhook only through a connection: create a connection of type Slack Incoming Webhook "
                "(conn_type 'slackwebhook') whose password is 'T0/B0/X' and whose host is that of the HTTP "
                "connection 'slack', scheme included, or whose password is the whole webhook URL; pass its id as "
                "slack_webhook_conn_id=... (Airflow 2 requires it) and remove http_conn_id and webhook_token\n"
                "notify = SlackWebhookOperator(task_id='notify', http_conn_id='slack', message='done',\n"
                "    webhook_token='T0/B0/X')\n"
            ),
            todos=("parameters http_conn_id and webhook_token are not accepted by SlackWebhookOperator",),
        ),
        Example(
            title="a Slack API token: only a connection holds it now",
            before=(
                "from airflow.operators.slack_operator import SlackAPIPostOperator\n"
                "post = SlackAPIPostOperator(task_id='post', token='{{ var.value.slack_token }}', text='done')\n"
            ),
            after=(
                "from airflow.providers.slack.operators.slack import SlackAPIPostOperator\n"
                "# TODO(airflow2): AM203 parameter token is not accepted by SlackAPIPostOperator in airflow-2.10.5: "
                "Airflow 2 rejects unknown arguments at parse time; Airflow 2 takes the Slack API token only from a "
                "connection: create a connection of type Slack API (conn_type 'slack') whose password is the token "
                "this task used (token='{{ var.value.slack_token }}'; 1.10 did not template token: it sent this "
                "text as written), pass its id as slack_conn_id=..., and remove token\n"
                "post = SlackAPIPostOperator(task_id='post', token='{{ var.value.slack_token }}', text='done')\n"
            ),
            todos=("parameter token is not accepted by SlackAPIPostOperator",),
        ),
        Example(
            title="an argument the class never took (1.10 only warned)",
            before=(
                "from airflow.operators.bash_operator import BashOperator\n"
                "t = BashOperator(task_id='t', bash_command='make', xcom_push=True, labels={'team': 'data'})\n"
            ),
            after=(
                "from airflow.operators.bash import BashOperator\n"
                "# TODO(airflow2): AM203 parameter labels is not accepted by BashOperator in airflow-2.10.5: "
                "Airflow 2 rejects unknown arguments at parse time; remove it, or pass what it meant the way "
                "BashOperator takes it\n"
                "t = BashOperator(task_id='t', bash_command='make', do_xcom_push=True, labels={'team': 'data'})\n"
            ),
            todos=("parameter labels is not accepted by BashOperator in airflow-2.10.5",),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None) -> cst.BaseExpression:
        if target is None:
            return call
        final = _final_class(target)
        accepted = ctx.profile.accepted_kwargs(final) if final else None
        if accepted is None or not _still_calls(ctx, call, target, final):
            return call
        owned = _owned(target.identity)
        class_name = final.rpartition(".")[2]
        hints = ARGUMENT_HINTS.get(final, {})
        generic = f"remove it, or pass what it meant the way {class_name} takes it"
        grouped: dict[str, list[str]] = {}  # what to do -> the rejected keywords it is about, in call order
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value in accepted or arg.keyword.value in owned:
                continue  # positional, *args/**kwargs, accepted, or another rule's
            param = arg.keyword.value
            if param in hints:  # keywords that one known replacement covers share its TODO
                grouped.setdefault(hints[param](call), []).append(param)
            else:
                ctx.todo(self.code, f"parameter {param} is not accepted by {class_name} in {ctx.profile.name}: "
                                    f"Airflow 2 rejects unknown arguments at parse time; {generic}")
        for hint, params in grouped.items():
            which = f"parameter {params[0]} is" if len(params) == 1 else \
                f"parameters {', '.join(params[:-1])} and {params[-1]} are"
            ctx.todo(self.code, f"{which} not accepted by {class_name} in {ctx.profile.name}: Airflow 2 rejects "
                                f"unknown arguments at parse time; {hint}")
        return call


RULES = (ArgumentNotAccepted,)
