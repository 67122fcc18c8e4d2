"""AM206: SSHOperator's and SSHHook's ``timeout`` (Airflow 1.10) to ``conn_timeout``/``cmd_timeout``.

What 1.10.15 did with ``timeout`` (read from the released wheel, ``contrib/operators/ssh_operator.py`` and
``contrib/hooks/ssh_hook.py``), default 10:
- the operator built its hook from ``ssh_conn_id`` as ``SSHHook(ssh_conn_id=..., timeout=self.timeout)``;
  the hook passed it to ``paramiko.SSHClient.connect(timeout=...)``: a connect timeout;
- it passed it to ``exec_command(timeout=...)`` and ``select(..., self.timeout)``; but it read the channel
  only after ``select`` said it was ready, and a ``select`` that timed out just looped: a command that
  printed nothing for longer than ``timeout`` went on. 1.10 had no command timeout.

What ``apache-airflow-providers-ssh`` 4.1.6 (the default profile) does: ``timeout`` is gone (``SSHOperator``
rejects it when the DAG file is parsed); ``conn_timeout`` (default None: no connect timeout unless the
connection's extra sets one) goes to ``connect(timeout=...)``; ``cmd_timeout`` (default: 10 s, unless the
connection's extra sets one) fails the task with "SSH command timed out" when the command prints nothing for
that long; ``cmd_timeout=None`` means no timeout.

So the exact rewrite, for a call that imports the 1.10 class:
- ``SSHOperator``: ``timeout=X`` -> ``conn_timeout=X``; without ``timeout`` and with the hook built from
  ``ssh_conn_id`` (no ``ssh_hook``), ``conn_timeout=10`` (1.10's default); and ``cmd_timeout=None`` always
  (1.10's command never timed out; Airflow 2 would fail it after 10 silent seconds);
- ``SSHHook``: ``timeout=X`` -> ``conn_timeout=X``; without it, ``conn_timeout=10``.
A ``timeout`` that ``**kwargs`` or a positional argument may carry stays, with a TODO.

What a DAG file cannot say: 1.10's hook let a connection extra ``"timeout"`` override the argument; Airflow
2 reads ``"conn_timeout"``/``"cmd_timeout"`` extras instead, below the arguments. That belongs to the
connection's migration, not to the DAG file.
"""

from __future__ import annotations

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.decisions import Action
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule

SSH_OPERATOR = "airflow.providers.ssh.operators.ssh.SSHOperator"
SSH_HOOK = "airflow.providers.ssh.hooks.ssh.SSHHook"
# 1.10.15's positional order (after self)
OPERATOR_1_10 = ("ssh_hook", "ssh_conn_id", "remote_host", "command", "timeout", "do_xcom_push", "environment",
                 "get_pty")
HOOK_1_10 = ("ssh_conn_id", "remote_host", "username", "password", "key_file", "port", "timeout",
             "keepalive_interval")
DEFAULT_TIMEOUT = "10"
# parsed once (libcst nodes are immutable)
_NO_CMD_TIMEOUT = cstutil.kwarg_node("cmd_timeout", "None")
_DEFAULT_CONN_TIMEOUT = cstutil.kwarg_node("conn_timeout", DEFAULT_TIMEOUT)


class SshTimeouts(Rule):
    code = "AM206"
    name = "ssh-timeouts"
    summary = ("SSHOperator/SSHHook timeout (1.10: a connect timeout; commands never timed out) -> conn_timeout, "
               "and cmd_timeout=None on SSHOperator (Airflow 2 would fail a command silent for 10 s).")
    interest = Interest(call_identities=frozenset({SSH_OPERATOR, SSH_HOOK}))
    order = 26
    examples = (
        Example(
            title="timeout was the connect timeout; the command had none",
            before=(
                "from airflow.contrib.operators.ssh_operator import SSHOperator\n"
                "t = SSHOperator(\n"
                "    task_id='rotate',\n"
                "    ssh_conn_id='ftp',\n"
                "    command='find /srv -mtime +14 -delete',\n"
                "    timeout=600,\n"
                ")\n"
            ),
            after=(
                "from airflow.providers.ssh.operators.ssh import SSHOperator\n"
                "t = SSHOperator(\n"
                "    task_id='rotate',\n"
                "    ssh_conn_id='ftp',\n"
                "    command='find /srv -mtime +14 -delete',\n"
                "    conn_timeout=600,\n"
                "    cmd_timeout=None,\n"
                ")\n"
            ),
        ),
        Example(
            title="1.10's defaults, said explicitly",
            before=(
                "from airflow.contrib.operators.ssh_operator import SSHOperator\n"
                "t = SSHOperator(task_id='t', ssh_conn_id='ssh_default', command='ls')\n"
            ),
            after=(
                "from airflow.providers.ssh.operators.ssh import SSHOperator\n"
                "t = SSHOperator(task_id='t', ssh_conn_id='ssh_default', command='ls', conn_timeout=10, "
                "cmd_timeout=None)\n"
            ),
        ),
        Example(
            title="a given hook: its own timeout connects; only the command's changes",
            before=(
                "from airflow.contrib.hooks.ssh_hook import SSHHook\n"
                "from airflow.contrib.operators.ssh_operator import SSHOperator\n"
                "hook = SSHHook(ssh_conn_id='box', timeout=30)\n"
                "t = SSHOperator(task_id='t', ssh_hook=hook, command='ls')\n"
            ),
            after=(
                "from airflow.providers.ssh.hooks.ssh import SSHHook\n"
                "from airflow.providers.ssh.operators.ssh import SSHOperator\n"
                "hook = SSHHook(ssh_conn_id='box', conn_timeout=30)\n"
                "t = SSHOperator(task_id='t', ssh_hook=hook, command='ls', cmd_timeout=None)\n"
            ),
        ),
        Example(
            title="a timeout **kwargs may carry is a TODO",
            before=(
                "from airflow.contrib.operators.ssh_operator import SSHOperator\n"
                "t = SSHOperator(task_id='t', command='ls', **SSH)\n"
            ),
            after=(
                "from airflow.providers.ssh.operators.ssh import SSHOperator\n"
                "# TODO(airflow2): AM206 SSHOperator gets **kwargs or positional arguments: if they pass timeout, "
                "rename it conn_timeout (1.10 used it to connect only); pass cmd_timeout=None (1.10's commands "
                "never timed out; Airflow 2's default fails a command silent for 10 s)\n"
                "t = SSHOperator(task_id='t', command='ls', **SSH)\n"
            ),
            todos=("SSHOperator gets **kwargs",),
        ),
        Example(
            title="a hook's positional arguments keep their places (timeout's is conn_timeout's)",
            before=(
                "from airflow.contrib.hooks.ssh_hook import SSHHook\n"
                "a = SSHHook('box')\n"
                "b = SSHHook('box', None, 'etl', None, None, 22, 60)\n"
            ),
            after=(
                "from airflow.providers.ssh.hooks.ssh import SSHHook\n"
                "a = SSHHook('box', conn_timeout=10)\n"
                "b = SSHHook('box', None, 'etl', None, None, 22, 60)\n"
            ),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None) -> cst.BaseExpression:
        if target is None or target.decision.action is not Action.MOVE:
            return call
        if target.identity == SSH_OPERATOR:
            return self._operator(ctx, call)
        if target.identity == SSH_HOOK:
            return self._hook(ctx, call)
        return call

    def _operator(self, ctx, call: cst.Call) -> cst.Call:
        if cstutil.kwarg(call, "conn_timeout") is not None or cstutil.kwarg(call, "cmd_timeout") is not None:
            return call  # written for Airflow 2 already
        bound = cstutil.bind_arguments(call, OPERATOR_1_10, strict=False)
        if bound is None or cstutil.positional_args(call):
            ctx.todo(self.code, "SSHOperator gets **kwargs or positional arguments: if they pass timeout, rename it "
                                "conn_timeout (1.10 used it to connect only); pass cmd_timeout=None (1.10's commands "
                                "never timed out; Airflow 2's default fails a command silent for 10 s)")
            return call
        timeout = cstutil.kwarg(call, "timeout")
        builds_hook = cstutil.kwarg(call, "ssh_hook") is None and cstutil.kwarg(call, "ssh_conn_id") is not None
        if timeout is not None:
            insert = [timeout.with_changes(keyword=cst.Name("conn_timeout")), _NO_CMD_TIMEOUT]
            message = "timeout -> conn_timeout (1.10 connected with it)"
        else:
            insert = ([_DEFAULT_CONN_TIMEOUT] if builds_hook else []) + \
                     [_NO_CMD_TIMEOUT]
            message = "conn_timeout=10 (1.10's default)" if builds_hook else ""
        ctx.change(self.code, f"SSHOperator: {message + '; ' if message else ''}cmd_timeout=None (1.10's commands "
                              "never timed out)")
        return call.with_changes(args=cstutil.rebuild_args(call, drop=("timeout",), insert=insert))

    def _hook(self, ctx, call: cst.Call) -> cst.Call:
        if cstutil.kwarg(call, "conn_timeout") is not None:
            return call
        bound = cstutil.bind_arguments(call, HOOK_1_10, strict=False)
        if bound is None or len(cstutil.positional_args(call)) > HOOK_1_10.index("timeout") + 1:
            # (Airflow 2's hook takes the same first seven positionally, timeout's place being conn_timeout's;
            # the eighth, keepalive_interval, is cmd_timeout's place now)
            ctx.todo(self.code, "SSHHook gets **kwargs or more than seven positional arguments: pass timeout as "
                                "conn_timeout and keepalive_interval by keyword")
            return call
        if "timeout" in bound and bound["timeout"].keyword is None:
            return call  # positional: conn_timeout's place in Airflow 2
        if cstutil.kwarg(call, "timeout") is not None:
            ctx.change(self.code, "SSHHook: timeout -> conn_timeout")
            return cstutil.rename_kwarg(call, "timeout", "conn_timeout")
        ctx.change(self.code, "SSHHook: conn_timeout=10 (1.10's default timeout)")
        return call.with_changes(args=cstutil.rebuild_args(
            call, insert=[_DEFAULT_CONN_TIMEOUT]))


RULES = (SshTimeouts,)
