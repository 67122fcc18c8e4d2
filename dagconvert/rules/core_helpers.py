"""AM401/AM402: deprecated core helpers that still import in Airflow 2 but warn (rules.md section 9).

A helper whose replacement is another import is a table row (``airflow.utils.helpers.chain`` ->
``airflow.models.baseoperator.chain`` should be one; the derived table still keeps it as
``deprecated_same_path``). These rules handle the two whose replacement is not an import: ``days_ago(n)`` becomes
the expression its deprecation message names, and ``@apply_defaults`` is removed. Once every use is rewritten,
the engine drops the old import.
"""

from __future__ import annotations

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule

DAYS_AGO = "airflow.utils.dates.days_ago"
APPLY_DEFAULTS = "airflow.utils.decorators.apply_defaults"

# days_ago's time-of-day parameters (1.10.15 and 2.10.5: ``utcnow().replace(hour=..., ...) - timedelta(days=n)``)
# -> pendulum's add() argument and the range replace() accepts.
_TIME_PARTS = {"hour": ("hours", 24), "minute": ("minutes", 60), "second": ("seconds", 60),
               "microsecond": ("microseconds", 1_000_000)}


def _negated(node: cst.BaseExpression) -> str:
    value = cstutil.literal(node)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(-value)
    code = cstutil.code_of(node)
    simple = isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript))
    return f"-{code}" if simple else f"-({code})"


class DaysAgo(Rule):
    code = "AM401"
    name = "days-ago"
    summary = ("days_ago(n) -> pendulum.today('UTC').add(days=-n), the same moving value (midnight UTC, n days "
               "back) that Airflow 2 suggests; a fixed start_date is still the better choice.")
    interest = Interest(call_identities=frozenset({DAYS_AGO}))
    order = 50
    emits = ("pendulum.today",)
    examples = (
        Example(
            before=(
                "from airflow import DAG\n"
                "from airflow.utils.dates import days_ago\n"
                "dag = DAG('d', start_date=days_ago(2), schedule_interval='@daily')\n"
            ),
            after=(
                "from airflow import DAG\n"
                "import pendulum\n"
                "dag = DAG('d', start_date=pendulum.today('UTC').add(days=-2), schedule='@daily')\n"
            ),
        ),
        Example(
            title="time of day, module import kept for its other use",
            before=(
                "from airflow.utils import dates\n"
                "import pendulum\n"
                "default_args = {'start_date': dates.days_ago(1, hour=6)}\n"
                "end = dates.parse_execution_date('2030-01-01')\n"
            ),
            after=(
                "from airflow.utils import dates\n"
                "import pendulum\n"
                "default_args = {'start_date': pendulum.today('UTC').add(days=-1, hours=6)}\n"
                "end = dates.parse_execution_date('2030-01-01')\n"
            ),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if target is None or target.identity != DAYS_AGO:
            return call
        bound = cstutil.bind_arguments(call, ("n", *_TIME_PARTS))
        if bound is None or "n" not in bound:
            ctx.todo(self.code, "days_ago(...) with arguments this rule cannot read: replace it with "
                                "pendulum.today('UTC').add(days=-n) or, better, a fixed pendulum.datetime(...)")
            return call
        parts = []
        n = bound["n"].value
        if cstutil.literal(n) != 0:
            parts.append(f"days={_negated(n)}")
        for param, (unit, limit) in _TIME_PARTS.items():
            if param not in bound:
                continue
            value = cstutil.literal(bound[param].value)
            if not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value < limit):
                ctx.todo(self.code, f"days_ago(..., {param}=...) is not a literal in range: replace it with "
                                    f"pendulum.today('UTC').add(days=-n, {unit}=...) by hand")
                return call
            if value:
                parts.append(f"{unit}={value}")
        pendulum = ctx.require_import("pendulum")
        expression = f"{pendulum}.today('UTC')" + (f".add({', '.join(parts)})" if parts else "")
        ctx.mark_converted(call.func)
        ctx.change(self.code, f"days_ago(...) -> {expression} (the same value; a fixed start_date such as "
                              f"pendulum.datetime(2021, 1, 1, tz='UTC') is recommended)")
        return cstutil.expression(expression).with_changes(lpar=call.lpar, rpar=call.rpar)


class ApplyDefaultsRemoved(Rule):
    code = "AM402"
    name = "apply-defaults"
    summary = ("@apply_defaults is removed: Airflow 2 applies default_args to every operator's __init__ by itself "
               "(the decorator is a deprecated no-op that warns).")
    interest = Interest(decorators=frozenset({APPLY_DEFAULTS, "airflow.utils.apply_defaults"}))
    order = 51
    examples = (
        Example(
            before=(
                "from airflow.models import BaseOperator\n"
                "from airflow.utils.decorators import apply_defaults\n"
                "\n"
                "\n"
                "class CopyOperator(BaseOperator):\n"
                "    @apply_defaults\n"
                "    def __init__(self, source, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "        self.source = source\n"
            ),
            after=(
                "from airflow.models import BaseOperator\n"
                "\n"
                "\n"
                "class CopyOperator(BaseOperator):\n"
                "    def __init__(self, source, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "        self.source = source\n"
            ),
        ),
    )

    def leave_function(self, ctx, node: cst.FunctionDef):
        kept: list[cst.Decorator] = []
        carried: list[cst.EmptyLine] = []  # comments above a removed decorator stay above the next line
        for decorator in node.decorators:
            expr = decorator.decorator
            qname = ctx.resolve(expr.func if isinstance(expr, cst.Call) else expr)
            if qname is not None and ctx.decider.identity(qname) == APPLY_DEFAULTS:
                ctx.mark_converted(expr.func if isinstance(expr, cst.Call) else expr)
                carried += [line for line in decorator.leading_lines if line.comment is not None]
                if decorator.trailing_whitespace.comment is not None:  # `@apply_defaults  # why`
                    carried.append(cst.EmptyLine(comment=decorator.trailing_whitespace.comment))
                continue
            kept.append(decorator.with_changes(leading_lines=[*carried, *decorator.leading_lines]))
            carried = []
        if len(kept) == len(node.decorators):
            return node
        ctx.change(self.code, f"removed @apply_defaults from {node.name.value} (Airflow 2 applies default_args itself)")
        return node.with_changes(decorators=kept, lines_after_decorators=[*carried, *node.lines_after_decorators])


RULES = (DaysAgo, ApplyDefaultsRemoved)
