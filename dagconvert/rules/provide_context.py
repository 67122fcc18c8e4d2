"""AM202: ``provide_context`` is gone in Airflow 2: the context is passed by the callable's signature.

PythonOperator still pops it with a deprecation warning, but PythonSensor (and every other operator)
rejects it as an invalid argument, so it is removed from calls and from ``default_args`` dicts.
"""

from __future__ import annotations

import re

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule


class ProvideContextRemoved(Rule):
    code = "AM202"
    name = "provide-context"
    summary = "Remove provide_context=True/False from calls and default_args: Airflow 2 passes context by signature."
    interest = Interest(keywords=frozenset({"provide_context"}), strings=re.compile(r"^provide_context$"))
    order = 21
    examples = (
        Example(
            title="PythonOperator",
            before=(
                "from airflow.operators.python_operator import PythonOperator\n"
                "def f(**context):\n"
                "    return context['ds']\n"
                "t = PythonOperator(\n"
                "    task_id='t',\n"
                "    python_callable=f,\n"
                "    provide_context=True,\n"
                ")\n"
            ),
            after=(
                "from airflow.operators.python import PythonOperator\n"
                "def f(**context):\n"
                "    return context['ds']\n"
                "t = PythonOperator(\n"
                "    task_id='t',\n"
                "    python_callable=f,\n"
                ")\n"
            ),
        ),
        Example(
            title="default_args entry",
            before="default_args = {'owner': 'data', 'provide_context': True, 'retries': 1}\n"
                   "from airflow import DAG\n",
            after="default_args = {'owner': 'data', 'retries': 1}\nfrom airflow import DAG\n",
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None) -> cst.BaseExpression:
        arg = cstutil.kwarg(call, "provide_context")
        if arg is None:
            return call
        value = cstutil.literal(arg.value)
        if value not in (True, False, None):
            ctx.todo(self.code, "provide_context is not accepted in Airflow 2; its value here is computed: "
                                "remove it and check the callable's signature")
            return call
        ctx.change(self.code, "removed provide_context (Airflow 2 passes the context by the callable's signature)")
        return cstutil.remove_kwarg(call, "provide_context")

    def leave_dict(self, ctx, node: cst.Dict) -> cst.Dict:
        kept = cstutil.remove_items(node.elements, lambda e: isinstance(e, cst.DictElement)
                                    and isinstance(e.key, cst.SimpleString)
                                    and cstutil.literal(e.key) == "provide_context")
        if len(kept) == len(node.elements):
            return node
        ctx.change(self.code, "removed 'provide_context' from a dict (default_args)")
        return node.with_changes(elements=kept)


RULES = (ProvideContextRemoved,)
