"""AM301-AM304: DAG constructor arguments Airflow 2 renamed or deprecated (rules.md section 5)."""

from __future__ import annotations

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule

DAG = "airflow.models.dag.DAG"
_DAG_INTEREST = Interest(call_identities=frozenset({DAG}))


def _is_dag(target: CallTarget | None) -> bool:
    return target is not None and target.identity == DAG


class DagConcurrency(Rule):
    code = "AM301"
    name = "dag-concurrency"
    summary = "DAG(concurrency=N) -> DAG(max_active_tasks=N) (deprecated since 2.2; ignored in 2.0/2.1)."
    interest = _DAG_INTEREST
    order = 30
    examples = (
        Example(
            before="from airflow import DAG\ndag = DAG('d', concurrency=4, schedule_interval=None)\n",
            after="from airflow import DAG\ndag = DAG('d', max_active_tasks=4, schedule=None)\n",
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if not _is_dag(target) or cstutil.kwarg(call, "concurrency") is None:
            return call
        if not ctx.profile.airflow_at_least("2.2"):
            return call
        ctx.change(self.code, "DAG: concurrency -> max_active_tasks")
        return cstutil.rename_kwarg(call, "concurrency", "max_active_tasks")


class DagSchedule(Rule):
    code = "AM302"
    name = "dag-schedule"
    summary = ("DAG(schedule_interval=X) -> DAG(schedule=X) where the target has `schedule` (Airflow 2.4+); "
               "a DAG with no schedule gets the 1.10 default explicitly: schedule=timedelta(days=1).")
    interest = _DAG_INTEREST
    order = 31
    examples = (
        Example(
            title="cron string",
            before="from airflow import DAG\ndag = DAG(dag_id='d', schedule_interval='0 3 * * *')\n",
            after="from airflow import DAG\ndag = DAG(dag_id='d', schedule='0 3 * * *')\n",
        ),
        Example(
            title="implicit 1.10 default made explicit",
            before="from airflow import DAG\nwith DAG('d', catchup=False) as dag:\n    pass\n",
            after=("from airflow import DAG\nfrom datetime import timedelta\n"
                   "with DAG('d', catchup=False, schedule=timedelta(days=1)) as dag:\n    pass\n"),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if not _is_dag(target) or not ctx.profile.airflow_at_least("2.4"):
            return call
        if cstutil.kwarg(call, "schedule_interval") is not None:
            if cstutil.kwarg(call, "schedule") is not None or cstutil.kwarg(call, "timetable") is not None:
                ctx.todo(self.code, "DAG has schedule_interval and schedule/timetable: keep only schedule")
                return call
            ctx.change(self.code, "DAG: schedule_interval -> schedule")
            return cstutil.rename_kwarg(call, "schedule_interval", "schedule")
        has_schedule = any(cstutil.kwarg(call, k) is not None for k in ("schedule", "timetable"))
        if has_schedule or cstutil.has_star_args(call) or len(cstutil.positional_args(call)) >= 3:
            return call
        timedelta = ctx.require_import("datetime.timedelta")
        value = cst.parse_expression(f"{timedelta}(days=1)")
        call = cstutil.append_kwarg(call, "schedule", value)
        ctx.change(self.code, "DAG: no schedule given; made the Airflow 1.10 default explicit (timedelta(days=1))")
        return call


class DagDefaultView(Rule):
    code = "AM303"
    name = "dag-default-view"
    summary = "DAG(default_view='tree') -> 'grid' (the tree view was renamed)."
    interest = _DAG_INTEREST
    order = 32
    examples = (
        Example(before="from airflow import DAG\ndag = DAG('d', default_view='tree', schedule_interval=None)\n",
                after="from airflow import DAG\ndag = DAG('d', default_view='grid', schedule=None)\n"),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        arg = cstutil.kwarg(call, "default_view") if _is_dag(target) else None
        if arg is None or cstutil.literal(arg.value) != "tree":
            return call
        ctx.change(self.code, "DAG: default_view 'tree' -> 'grid'")
        quote = arg.value.value[0] if isinstance(arg.value, cst.SimpleString) else "'"
        new = cst.SimpleString(f"{quote}grid{quote}")
        return call.with_changes(args=[a.with_changes(value=new) if a is arg else a for a in call.args])


class DagFullFilepath(Rule):
    code = "AM304"
    name = "dag-full-filepath"
    summary = "DAG(full_filepath=...) is deprecated and has no effect in Airflow 2: removed."
    interest = _DAG_INTEREST
    order = 33
    examples = (
        Example(before="from airflow import DAG\ndag = DAG('d', full_filepath=__file__, schedule_interval=None)\n",
                after="from airflow import DAG\ndag = DAG('d', schedule=None)\n"),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if not _is_dag(target) or cstutil.kwarg(call, "full_filepath") is None:
            return call
        ctx.change(self.code, "DAG: removed full_filepath (no effect in Airflow 2)")
        return cstutil.remove_kwarg(call, "full_filepath")


class DagAutoRegister(Rule):
    code = "AM310"
    name = "dag-auto-register"
    summary = ("A DAG(...) built inside a function gets auto_register=False: Airflow 1.10 registered only DAGs "
               "bound to module-level names, Airflow 2.4+ also registers every DAG used as a context manager "
               "(`with DAG(...)` or `with dag:`), so a factory's DAG that 1.10 never loaded would appear. At "
               "module level a DAG is bound to a global anyway, so nothing changes there.")
    interest = _DAG_INTEREST
    order = 34
    examples = (
        Example(
            before=("from airflow import DAG\n"
                    "def build(name):\n"
                    "    with DAG(name, schedule_interval=None) as dag:\n"
                    "        pass\n"
                    "    return dag\n"
                    "daily = build('daily')\n"),
            after=("from airflow import DAG\n"
                   "def build(name):\n"
                   "    with DAG(name, schedule=None, auto_register=False) as dag:\n"
                   "        pass\n"
                   "    return dag\n"
                   "daily = build('daily')\n"),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if not _is_dag(target) or ctx.function_depth == 0:
            return call
        if not ctx.profile.airflow_at_least("2.4") or cstutil.kwarg(call, "auto_register") is not None:
            return call
        if cstutil.has_star_args(call):
            return call
        ctx.change(self.code, "DAG built in a function: auto_register=False keeps 1.10's registration "
                              "(only DAGs bound at module level)")
        return cstutil.append_kwarg(call, "auto_register", cst.Name("False"))


RULES = (DagConcurrency, DagSchedule, DagDefaultView, DagFullFilepath, DagAutoRegister)
