"""The loader's rendering (one template context per DAG run, compiled templates shared within a DAG) gives
exactly what Airflow's own per-task ``get_template_context`` + ``task.get_template_env()`` give.

Runs in the real Airflow 2 runtime (slow): each DAG file is loaded twice (two DagBags, so two sets of task
objects); one is rendered the old way, task by task with a full context and a fresh environment, the other
with ``fileload.render_section``; every templated field's rendered value, every failure and every
deprecated-variable warning must be the same.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from airflow_runtime.env import make_pythonpath_dir, runtime_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

DAGS = {
    "etl.py": '''
from datetime import datetime, timedelta
from airflow import DAG
from airflow.models.baseoperator import BaseOperator
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from airflow.operators.empty import EmptyOperator
from airflow.utils.task_group import TaskGroup


def shout(text):
    return text.upper()


class OwnEnvOperator(BaseOperator):
    template_fields = ("query", "extra")

    def __init__(self, query, extra=None, **kwargs):
        super().__init__(**kwargs)
        self.query, self.extra = query, extra

    def get_template_env(self, dag=None):
        env = super().get_template_env(dag=dag)
        env.globals["own"] = "own-env"
        return env

    def execute(self, context):
        pass


with DAG("etl", start_date=datetime(2021, 1, 1), schedule="0 3 * * *", catchup=False,
         params={"region": "eu", "limit": 10}, user_defined_macros={"project": "acme"},
         user_defined_filters={"shout": shout}, template_searchpath=[__file__.rsplit("/", 1)[0]],
         default_args={"retries": 1, "retry_delay": timedelta(minutes=5)}) as dag:
    a = BashOperator(task_id="extract", bash_command="echo {{ ds }} {{ ts_nodash }} {{ next_ds }} {{ prev_ds }} "
                     "{{ data_interval_start }} {{ data_interval_end | ds }} {{ run_id }}")
    b = BashOperator(task_id="old_vars", bash_command="echo {{ execution_date }} {{ next_execution_date }} "
                     "{{ prev_execution_date }} {{ tomorrow_ds }} {{ yesterday_ds_nodash }}",
                     env={"KEY": "{{ task_instance_key_str }}", "TI": "{{ ti.task_id }}-{{ task.task_id }}"})
    c = PythonOperator(task_id="py", python_callable=shout, op_args=["{{ params.region }}", "{{ ds }}"],
                       op_kwargs={"text": "{{ params.limit * 2 }} {{ project }} {{ 'x' | shout }}",
                                  "nested": ["{{ macros.ds_add(ds, 3) }}", ("{{ ds_nodash }}",)]},
                       params={"limit": 99})
    with TaskGroup("grp"):
        d = BashOperator(task_id="in_group", bash_command="echo {{ task.task_id }} {{ params }} {{ ds }}")
        e = BashOperator(task_id="script", bash_command="script.sh")
    f = OwnEnvOperator(task_id="own_env", query="select '{{ own }}', '{{ ds }}'", extra=["{{ project }}"])
    g = BashOperator(task_id="broken", bash_command="echo {{ not_defined_anywhere }}")
    h = BashOperator(task_id="syntax", bash_command="echo {{ ds ")
    i = BashOperator(task_id="same_source", bash_command="echo {{ ds }} {{ ts_nodash }} {{ next_ds }} {{ prev_ds }} "
                     "{{ data_interval_start }} {{ data_interval_end | ds }} {{ run_id }}")
    j = EmptyOperator(task_id="done")
    a >> b >> c >> [d, e] >> f >> [g, h, i] >> j
''',
    "script.sh": "echo {{ ds }} {{ params.region }} {{ task.task_id }}\n",
    "native.py": '''
from datetime import datetime
from airflow import DAG
from airflow.operators.python import PythonOperator


def show(**kwargs):
    return kwargs


with DAG("native", start_date=datetime(2022, 6, 1), schedule="@weekly", catchup=True,
         render_template_as_native_obj=True, params={"n": 3}) as dag:
    PythonOperator(task_id="one", python_callable=show, op_kwargs={"n": "{{ params.n + 1 }}", "d": "{{ ds }}"})
    PythonOperator(task_id="two", python_callable=show, op_kwargs={"n": "{{ params.n + 1 }}",
                   "prev": "{{ prev_execution_date_success }}", "k": "{{ task_instance_key_str }}"})
''',
    "manual.py": '''
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("manual", start_date=pendulum.datetime(2020, 1, 1, tz="Europe/Paris"), schedule=None,
         jinja_environment_kwargs={"trim_blocks": True}) as dag:
    for n in range(4):
        BashOperator(task_id=f"t{n}", bash_command="{% for x in range(2) %}{{ x }}{{ ds }}{% endfor %}"
                     "{{ next_ds }}{{ dag.dag_id }}{{ var.value.get('missing', 'fallback') }}")
''',
    "manual_again.py": '''
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("manual_again", start_date=pendulum.datetime(2019, 5, 1, tz="UTC"), schedule="@hourly",
         jinja_environment_kwargs={"trim_blocks": True}, params={"p": 1}) as dag:
    for n in range(2):
        BashOperator(task_id=f"t{n}", bash_command="{% for x in range(2) %}{{ x }}{{ ds }}{% endfor %}"
                     "{{ next_ds }}{{ dag.dag_id }}{{ var.value.get('missing', 'fallback') }}")
    BashOperator(task_id="params", bash_command="{{ params.p }} {{ task.task_id }}")
''',
}

SCRIPT = r'''
import json, sys, warnings
from airflow_runtime.inside import fileload
from airflow.utils import timezone

LOGICAL = "2024-01-01T00:00:00+00:00"


def values(dagbag):
    out = {}
    for dag in dagbag.dags.values():
        for task in dag.tasks:
            for field in task.template_fields:
                out[f"{dag.dag_id}.{task.task_id}.{field}"] = repr(getattr(task, field, None))
    return out


def old_way(dagbag):
    """Airflow's per-task context and a fresh environment per task, as the loader used to render."""
    failures, warned = [], []
    logical_date = timezone.parse(LOGICAL)
    for dag in dagbag.dags.values():
        run = fileload._dag_run_for(dag, logical_date)
        for task in dag.tasks:
            context, _ = fileload._context_for(task, dag, run, logical_date)
            env = task.get_template_env()
            for field in task.template_fields:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        fileload._render_field(task, field, context, env)
                    except Exception as exc:
                        failures.append([dag.dag_id, task.task_id, field, f"{type(exc).__name__}: {exc}"])
                for msg in caught:
                    warned.append([dag.dag_id, task.task_id, field, str(msg.message)])
    return failures, warned


def contexts(dagbag):
    """Each task's context, Airflow's own and the derived one, as {key: repr} (objects by type)."""
    logical_date = timezone.parse(LOGICAL)
    out = {}
    for dag in dagbag.dags.values():
        run = fileload._dag_run_for(dag, logical_date)
        derived = fileload._TaskContexts(dag, run, logical_date)
        for task in dag.tasks:
            own, _ = fileload._context_for(task, dag, run, logical_date)
            new, _ = derived.context_for(task)
            def show(ctx):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    d = dict(ctx._context)
                simple = (str, int, float, type(None), bool, dict, list, tuple)
                import datetime
                return {k: repr(v) if issubclass(type(v), (*simple, datetime.datetime)) else
                        f"{type(v).__module__}.{type(v).__name__}" for k, v in sorted(d.items())}
            out[f"{dag.dag_id}.{task.task_id}"] = [show(own), show(new), type(own).__name__, type(new).__name__,
                                                   new["ti"].task_id, new["task"] is task,
                                                   derived.base is not None]
    return out


out = {}
for path in sys.argv[1:]:  # one process: later files reuse the compiled code of earlier ones
    old_bag, _ = fileload.fill_dagbag(path)
    new_bag, _ = fileload.fill_dagbag(path)
    ctx_bag, _ = fileload.fill_dagbag(path)
    assert not old_bag.import_errors, old_bag.import_errors
    old_failures, old_warned = old_way(old_bag)
    section = fileload.render_section(new_bag, LOGICAL)
    new_failures = [[f["dag_id"], f["task_id"], f["field"], f["error"]] for f in section["render_failures"]]
    new_warned = [[w["dag_id"], w["task_id"], w["field"], w["message"]] for w in section["render_warnings"]]
    out[path.rsplit("/", 1)[1]] = {
        "old": values(old_bag), "new": values(new_bag), "old_failures": old_failures,
        "new_failures": new_failures, "old_warned": sorted(map(tuple, {tuple(w) for w in old_warned})),
        "new_warned": sorted(map(tuple, {tuple(w) for w in new_warned})),
        "notes": section["notes"], "contexts": contexts(ctx_bag), "code_cache": len(fileload._CODE_CACHE)}
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def rendered(runtime_python: Path, airflow_home_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("render_equivalence")
    dags = root / "dags"
    dags.mkdir()
    for name, text in DAGS.items():
        (dags / name).write_text(textwrap.dedent(text))
    home = root / "home"
    home.mkdir()
    shutil.copy2(airflow_home_template / "airflow.db", home / "airflow.db")
    import os

    env = runtime_env(os.environ, airflow_home=home, dags_folder=dags, pythonpath=make_pythonpath_dir(root / "pp"))
    paths = [str(dags / name) for name in DAGS if name.endswith(".py")]
    proc = subprocess.run([str(runtime_python), "-c", SCRIPT, *paths], env=env, cwd=root,
                          capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


@pytest.mark.parametrize("name", [n for n in DAGS if n.endswith(".py")])
def test_every_templated_field_renders_the_same(rendered, name):
    result = rendered[name]
    assert result["new"] == result["old"]
    assert result["new_failures"] == result["old_failures"]
    assert result["new_warned"] == result["old_warned"]
    assert not result["notes"]


def test_the_dags_exercise_what_matters(rendered):
    etl = rendered["etl.py"]
    assert "EU" not in etl["new"]["etl.py.op_args"] if "etl.py.op_args" in etl["new"] else True
    assert etl["new"]["etl.old_vars.env"] == repr({"KEY": "etl__old_vars__20240101", "TI": "old_vars-old_vars"})
    assert "199" not in etl["new"]["etl.py.op_kwargs"] and "198 acme X" in etl["new"]["etl.py.op_kwargs"]
    assert etl["new"]["etl.own_env.query"] == repr("select 'own-env', '2024-01-01'")
    assert "eu grp.script" in etl["new"]["etl.grp.script.bash_command"]
    assert {f[1] for f in etl["new_failures"]} == {"broken", "syntax"}
    assert any("execution_date" in w[3] for w in etl["new_warned"] if w[1] == "old_vars")
    assert rendered["native.py"]["new"]["native.one.op_kwargs"] == repr({"n": 4, "d": "2024-01-01"})


def test_derived_contexts_equal_airflows_own(rendered):
    for name, result in rendered.items():
        for task, (own, new, own_type, new_type, ti_task_id, same_task, derived) in result["contexts"].items():
            assert new == own, (name, task)
            assert new_type == own_type == "Context"
            assert ti_task_id == task.split(".", 1)[1] and same_task
            assert derived, "the per-run context was not used"
