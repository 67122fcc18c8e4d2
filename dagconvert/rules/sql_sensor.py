"""AM205: SqlSensor's success criterion when the first cell is NULL (``allow_null``).

Airflow 1.10.15's ``airflow.sensors.sql_sensor.SqlSensor.poke`` (read from the released wheel), after the
``failure`` callable and when no ``success`` callable is given::

    if self.allow_null:
        return first_cell is None or bool(first_cell)
    return bool(first_cell)

with ``allow_null=True`` by default. ``apache-airflow-providers-common-sql`` (1.29.0 in the default profile)
removed ``allow_null`` (Airflow 2.0.0 release notes: "SqlSensor: allow_null removed") and returns
``bool(first_cell)`` when ``success`` is None; everything else in ``poke`` (``fail_on_empty``, ``failure``
first, ``success(first_cell)``) is the same, and its ``selector`` defaults to the first cell.

So, exactly:
- a ``success`` callable given: 1.10 never looked at ``allow_null``: it is dropped (when it is a literal or
  a name, whose evaluation has no effect);
- no ``success`` and ``allow_null=False``: Airflow 2's default is 1.10's criterion: dropped;
- no ``success`` and ``allow_null=True`` or not passed (the 1.10 default): 1.10 succeeded on a NULL first
  cell, Airflow 2 would not: ``success=lambda first_cell: first_cell is None or bool(first_cell)`` says it;
- anything else (a computed ``allow_null``, ``**kwargs`` that may hold ``success``/``allow_null``, either
  passed positionally) stays, with a TODO.

Only calls that import SqlSensor from a 1.10 path are rewritten (an import the engine moves): a file that
already imports the Airflow 2 class has Airflow 2's semantics, and so does this rule's own output (idempotent).
"""

from __future__ import annotations

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.decisions import Action
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule

SQL_SENSOR = "airflow.providers.common.sql.sensors.sql.SqlSensor"
# 1.10.15's positional order (after self)
SIGNATURE_1_10 = ("conn_id", "sql", "parameters", "success", "failure", "fail_on_empty", "allow_null")
NULL_SUCCEEDS = "lambda first_cell: first_cell is None or bool(first_cell)"
_NULL_SUCCEEDS_ARG = cstutil.kwarg_node("success", NULL_SUCCEEDS)  # parsed once: nodes are immutable


class SqlSensorNullCriterion(Rule):
    code = "AM205"
    name = "sql-sensor-allow-null"
    summary = ("SqlSensor's allow_null (default True in 1.10: a NULL first cell succeeds) becomes the success "
               "callable that says so, or goes when Airflow 2's bool(first_cell) is already 1.10's criterion.")
    interest = Interest(call_identities=frozenset({SQL_SENSOR}))
    order = 25
    examples = (
        Example(
            title="allow_null=False is Airflow 2's default criterion",
            before=(
                "from airflow.sensors.sql_sensor import SqlSensor\n"
                "s = SqlSensor(task_id='s', conn_id='db', sql='SELECT 1', allow_null=False)\n"
            ),
            after=(
                "from airflow.providers.common.sql.sensors.sql import SqlSensor\n"
                "s = SqlSensor(task_id='s', conn_id='db', sql='SELECT 1')\n"
            ),
        ),
        Example(
            title="1.10's default (allow_null=True): a NULL first cell still succeeds",
            before=(
                "from airflow.sensors.sql_sensor import SqlSensor\n"
                "s = SqlSensor(\n"
                "    task_id='s',\n"
                "    conn_id='db',\n"
                "    sql='SELECT max(id) FROM t',\n"
                ")\n"
            ),
            after=(
                "from airflow.providers.common.sql.sensors.sql import SqlSensor\n"
                "s = SqlSensor(\n"
                "    task_id='s',\n"
                "    conn_id='db',\n"
                "    sql='SELECT max(id) FROM t',\n"
                "    success=lambda first_cell: first_cell is None or bool(first_cell),\n"
                ")\n"
            ),
        ),
        Example(
            title="allow_null=True is replaced by the success callable in its place",
            before=(
                "from airflow.sensors.sql_sensor import SqlSensor\n"
                "s = SqlSensor(task_id='s', conn_id='db', sql='SELECT 1', allow_null=True, poke_interval=60)\n"
            ),
            after=(
                "from airflow.providers.common.sql.sensors.sql import SqlSensor\n"
                "s = SqlSensor(task_id='s', conn_id='db', sql='SELECT 1', success=lambda first_cell: first_cell "
                "is None or bool(first_cell), poke_interval=60)\n"
            ),
        ),
        Example(
            title="a success callable decided alone in 1.10",
            before=(
                "from airflow.sensors.sql_sensor import SqlSensor\n"
                "s = SqlSensor(task_id='s', conn_id='db', sql='SELECT 1', success=bool, allow_null=True)\n"
            ),
            after=(
                "from airflow.providers.common.sql.sensors.sql import SqlSensor\n"
                "s = SqlSensor(task_id='s', conn_id='db', sql='SELECT 1', success=bool)\n"
            ),
        ),
        Example(
            title="a computed allow_null is a TODO",
            before=(
                "from airflow.sensors.sql_sensor import SqlSensor\n"
                "s = SqlSensor(task_id='s', conn_id='db', sql='SELECT 1', allow_null=STRICT is False)\n"
            ),
            after=(
                "from airflow.providers.common.sql.sensors.sql import SqlSensor\n"
                "# TODO(airflow2): AM205 SqlSensor's allow_null=STRICT is False is computed: Airflow 2 removed "
                "allow_null; when it is true pass success=lambda first_cell: first_cell is None or "
                "bool(first_cell), else drop it (Airflow 2 checks bool(first_cell))\n"
                "s = SqlSensor(task_id='s', conn_id='db', sql='SELECT 1', allow_null=STRICT is False)\n"
            ),
            todos=("allow_null=STRICT is False is computed",),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None) -> cst.BaseExpression:
        if target is None or target.identity != SQL_SENSOR or target.decision.action is not Action.MOVE:
            return call
        bound = cstutil.bind_arguments(call, SIGNATURE_1_10, strict=False)
        allow_null = cstutil.kwarg(call, "allow_null")
        if bound is None or any(bound.get(p) is not None and bound[p].keyword is None
                                for p in ("success", "allow_null")):
            ctx.todo(self.code, "SqlSensor: cannot tell whether success/allow_null are passed (**kwargs or "
                                "positional arguments): 1.10 let a NULL first cell succeed unless "
                                "allow_null=False; Airflow 2 checks bool(first_cell)")
            return call
        success = bound.get("success")
        if success is not None and not cstutil.is_none(success.value):
            if allow_null is None:
                return call
            if not (cstutil.is_literal(allow_null.value) or isinstance(allow_null.value, cst.Name)):
                ctx.todo(self.code, f"SqlSensor's allow_null={cstutil.code_of(allow_null.value)} is computed "
                                    "and Airflow 2 removed it (the success callable decides): drop it by hand")
                return call
            ctx.change(self.code, "SqlSensor: dropped allow_null (1.10 ignored it when success was given)")
            return cstutil.remove_kwarg(call, "allow_null")
        value = True if allow_null is None else cstutil.literal(allow_null.value)
        if value is cstutil.NotLiteral:
            ctx.todo(self.code, f"SqlSensor's allow_null={cstutil.code_of(allow_null.value)} is computed: Airflow 2 "
                                f"removed allow_null; when it is true pass success={NULL_SUCCEEDS}, else drop it "
                                "(Airflow 2 checks bool(first_cell))")
            return call
        drop = ("allow_null", "success")
        if not value:
            ctx.change(self.code, "SqlSensor: dropped allow_null=False (Airflow 2's bool(first_cell) is the same "
                                  "criterion)")
            return call.with_changes(args=cstutil.rebuild_args(call, drop=drop))
        ctx.change(self.code, "SqlSensor: a NULL first cell succeeded in 1.10 (allow_null=True, its default): "
                              f"success={NULL_SUCCEEDS}")
        return call.with_changes(args=cstutil.rebuild_args(
            call, drop=drop, insert=[_NULL_SUCCEEDS_ARG]))


RULES = (SqlSensorNullCriterion,)
