"""AM501 (template context variables in Jinja strings): edge cases, and a slow test that renders converted
templates and callables in the real Airflow 2 runtime for scheduled and manual runs and compares them with
the values Airflow 1.10 gave (computed here from the 1.10.15 definitions)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dagconvert.engine import convert_source
from dagconvert.rules.template_context import scan_template
from tests.runtime import require_runtime_python

HEADER = (
    "from datetime import timedelta\n"
    "from airflow import DAG\n"
    "from airflow.operators.bash import BashOperator\n"
)


def convert(template_source: str, schedule: str = "timedelta(days=1)", extra: str = "") -> tuple[str, list[str]]:
    """Convert a DAG whose BashOperator's bash_command is ``template_source`` (Python source of the string);
    return the converted string's source and the TODO messages."""
    source = (f"{HEADER}{extra}dag = DAG('d', schedule={schedule})\n"
              f"t = BashOperator(task_id='t', bash_command={template_source}, dag=dag)\n")
    result = convert_source(source, "t.py")
    call = next(n for n in ast.walk(ast.parse(result.code)) if isinstance(n, ast.Call)
                and getattr(n.func, "id", "") == "BashOperator")
    command = next(k.value for k in call.keywords if k.arg == "bash_command")
    again = convert_source(result.code, "t.py")
    assert again.code == result.code, "not idempotent"
    return ast.get_source_segment(result.code, command), [t.message for t in result.todos]


def rewritten(template: str, schedule: str = "timedelta(days=1)") -> str:
    """The converted value of a single-quoted template without TODOs."""
    source, todos = convert(repr(template), schedule)
    assert not todos, todos
    return ast.literal_eval(source)


# -- exact renames and precedence ---------------------------------------------------------------------------

@pytest.mark.parametrize("before,after", [
    ("{{ execution_date }}", "{{ logical_date }}"),
    ("{{ execution_date.strftime('%Y') }}", "{{ logical_date.strftime('%Y') }}"),
    ("{{execution_date.year}}", "{{logical_date.year}}"),
    ("{{- execution_date -}}", "{{- logical_date -}}"),
    ("{{ next_execution_date }}", "{{ data_interval_end }}"),
    ("{{ next_ds }}", "{{ data_interval_end | ds }}"),
    ("{{ next_ds_nodash }}", "{{ data_interval_end | ds_nodash }}"),
    ("{{ next_ds | replace('-', '/') }}", "{{ data_interval_end | ds | replace('-', '/') }}"),
    ("{{ macros.ds_add(next_ds, 1) }}", "{{ macros.ds_add((data_interval_end | ds), 1) }}"),
    ("{{ next_ds.replace('-', '') }}", "{{ (data_interval_end | ds).replace('-', '') }}"),
    ("{{ 'x' ~ next_ds }}", "{{ 'x' ~ (data_interval_end | ds) }}"),
    ("{{ {'a': next_ds}['a'] }}", "{{ {'a': (data_interval_end | ds)}['a'] }}"),
    ("{{ yesterday_ds }}", "{{ macros.ds_add(ds, -1) }}"),
    ("{{ tomorrow_ds }}", "{{ macros.ds_add(ds, 1) }}"),
    ("{{ yesterday_ds_nodash }}", "{{ macros.ds_add(ds, -1).replace(\"-\", \"\") }}"),
    ("{{ tomorrow_ds_nodash }}", "{{ macros.ds_add(ds, 1).replace(\"-\", \"\") }}"),
    ("{{ macros.ds_add(yesterday_ds, -6) }}", "{{ macros.ds_add(macros.ds_add(ds, -1), -6) }}"),
    ("{{ end_date }} {{ END_DATE }} {{ latest_date }}", "{{ ds }} {{ ds }} {{ ds }}"),
    ("{{ prev_execution_date_success }}", "{{ ti.get_previous_execution_date(state=\"success\") }}"),
    ("{{ prev_execution_date_success or '1970-01-01' }}",
     "{{ ti.get_previous_execution_date(state='success') or '1970-01-01' }}"),  # in a "..." string
    ("{% if execution_date %}x{% endif %}", "{% if logical_date %}x{% endif %}"),
    ("{% if next_ds %}{{ next_ds }}{% endif %}", "{% if data_interval_end | ds %}{{ data_interval_end | ds }}{% endif %}"),
    ("{% if next_ds > ds %}y{% endif %}", "{% if (data_interval_end | ds) > ds %}y{% endif %}"),
    ("{% set d = next_ds %}{{ d }}", "{% set d = data_interval_end | ds %}{{ d }}"),
    ("{% for d in [yesterday_ds, tomorrow_ds] %}{{ d }}{% endfor %}",
     "{% for d in [macros.ds_add(ds, -1), macros.ds_add(ds, 1)] %}{{ d }}{% endfor %}"),
    ("{{ execution_date is none }}", "{{ logical_date is none }}"),
    ("{{ ds }} {{ execution_date }} {{ ts }}", "{{ ds }} {{ logical_date }} {{ ts }}"),
])
def test_rewrites(before, after):
    assert rewritten(before) == after


@pytest.mark.parametrize("template", [
    "echo execution_date next_ds",                     # no Jinja
    "execution_date {{ ds }} next_ds",                 # outside the blocks
    "{{ params.execution_date }}",                     # an attribute
    "{{ dag_run.conf['execution_date'] }}",            # a Jinja string
    "{{ dag_run.conf.get(\"next_ds\", ds) }}",
    "{{ var.value.end_date }}",
    "{{ macros.f(execution_date=1) }}",                # a keyword argument
    "{{ ds | yesterday_ds }}",                         # a filter name
    "{{ ds is execution_date }}",                      # a test name
    "{% raw %}{{ execution_date }}{% endraw %}",       # raw
    "{# {{ execution_date }} #}{{ ds }}",              # a comment
    "{% set end_date = macros.ds_add(ds, 7) %}{{ end_date }}",  # the template's own variable
    "{% for execution_date in xs %}{{ execution_date }}{% endfor %}",
    "{{ my_execution_date }} {{ execution_dates }}",  # other names
    "{{ ds }}",
])
def test_left_alone(template):
    assert rewritten(template) == template


def test_keeps_python_quotes_prefixes_and_escapes():
    assert convert("r'{{ execution_date }}\\d'")[0] == "r'{{ logical_date }}\\d'"
    assert convert("u\"{{ execution_date }}\"")[0] == "u\"{{ logical_date }}\""
    assert convert("'echo {{ execution_date }}\\n{{ yesterday_ds_nodash }}'")[0] == (
        "'echo {{ logical_date }}\\n{{ macros.ds_add(ds, -1).replace(\"-\", \"\") }}'")
    assert convert("\"{{ yesterday_ds_nodash }}\"")[0] == "\"{{ macros.ds_add(ds, -1).replace('-', '') }}\""
    # an escaped quote ends a Jinja string: the name after it is a variable again
    assert convert("'{{ macros.ds_format(ds, \\'%Y-%m-%d\\', \\'%d\\') }} {{ execution_date }}'")[0] == (
        "'{{ macros.ds_format(ds, \\'%Y-%m-%d\\', \\'%d\\') }} {{ logical_date }}'")
    triple = "'''\n    SELECT * FROM t\n    WHERE d = '{{ execution_date }}'\n'''"
    assert convert(triple)[0] == triple.replace("execution_date", "logical_date")


def test_each_part_of_an_implicit_concatenation():
    source, todos = convert("('a {{ execution_date }} '\n        \"b {{ tomorrow_ds }}\")")
    assert source == "'a {{ logical_date }} '\n        \"b {{ macros.ds_add(ds, 1) }}\""
    assert not todos


def test_format_strings_keep_their_escaped_braces():
    source, _ = convert("'{}/{{{{ execution_date }}}}'.format('x')")
    assert source == "'{}/{{{{ logical_date }}}}'.format('x')"


def test_fstrings_bytes_and_docstrings_are_not_templates():
    assert convert("f'{{{{ execution_date }}}}'")[0] == "f'{{{{ execution_date }}}}'"
    assert convert("b'{{ execution_date }}'")[0] == "b'{{ execution_date }}'"
    source = f'"""Uses {{{{ execution_date }}}} and {{{{ tables }}}}."""\n{HEADER}'
    result = convert_source(source, "d.py")
    assert result.code == source and not result.todos


def test_block_split_across_strings_is_a_todo():
    source, todos = convert("'{{ execution_date' + '.year }}'")
    assert source == "'{{ execution_date' + '.year }}'"
    assert any("closed in another string" in t for t in todos)


def test_unmodelled_tags_are_a_todo():
    source, todos = convert("'{% macro m(d=execution_date) %}{{ d }}{% endmacro %}{{ execution_date }}'")
    assert "logical_date" not in source
    assert any("execution_date appears in a Jinja tag" in t for t in todos)


# -- schedule-dependent variables -----------------------------------------------------------------------------

@pytest.mark.parametrize("schedule,template,after", [
    # timedelta: the previous tick is logical_date - delta (the logical date for a manual run)
    ("timedelta(days=1)", "{{ prev_ds }}", "{{ (ds if dag_run.external_trigger else macros.ds_add(ds, -1)) }}"),
    ("timedelta(1)", "{{ prev_ds_nodash }}",
     "{{ (ds_nodash if dag_run.external_trigger else macros.ds_add(ds, -1).replace(\"-\", \"\")) }}"),
    ("timedelta(days=7)", "{{ prev_execution_date }}",
     "{{ (logical_date if dag_run.external_trigger else logical_date - macros.timedelta(days=7)) }}"),
    ("timedelta(hours=12)", "{{ prev_ds }}",
     "{{ (ds if dag_run.external_trigger else (logical_date - macros.timedelta(hours=12)) | ds) }}"),
    # no schedule / @once: None unless triggered manually
    ("None", "{{ prev_ds }}", "{{ (ds if dag_run.external_trigger else none) }}"),
    ("'@once'", "{{ prev_execution_date }}", "{{ (logical_date if dag_run.external_trigger else none) }}"),
    # no schedule: a manual run's data interval ends at its logical date
    ("None", "{{ next_ds }}", "{{ data_interval_end | ds }}"),
    # cron: a manual run's data interval does not end at its logical date
    ("'0 3 * * *'", "{{ next_ds }}", "{{ (ds if dag_run.external_trigger else data_interval_end | ds) }}"),
    ("'@daily'", "{{ next_execution_date }}",
     "{{ (logical_date if dag_run.external_trigger else data_interval_end) }}"),
    ("'@hourly'", "{{ macros.ds_add(next_ds, 1) }}",
     "{{ macros.ds_add((ds if dag_run.external_trigger else data_interval_end | ds), 1) }}"),
])
def test_schedule_dependent(schedule, template, after):
    assert rewritten(template, schedule) == after


@pytest.mark.parametrize("schedule,template,todo", [
    ("'@daily'", "{{ prev_ds }}", "no exact replacement for a cron schedule"),
    ("'@once'", "{{ next_ds }}", "an @once DAG"),
    ("SCHEDULE", "{{ next_ds }}", "the schedule SCHEDULE"),
    ("relativedelta(months=1)", "{{ prev_ds }}", "the schedule relativedelta(months=1)"),
])
def test_schedule_dependent_todos(schedule, template, todo):
    source, todos = convert(repr(template), schedule)
    assert ast.literal_eval(source) == template
    assert any(todo in t for t in todos), todos


def test_schedule_read_through_a_module_constant():
    source, _ = convert("'{{ next_ds }}'", "SCHEDULE", extra="SCHEDULE = timedelta(hours=6)\n")
    assert source == "'{{ data_interval_end | ds }}'"


def test_implicit_1_10_default_schedule_is_daily():
    source = (f"{HEADER}dag = DAG('d')\n"
              "t = BashOperator(task_id='t', bash_command='{{ prev_ds }}', dag=dag)\n")
    assert "else macros.ds_add(ds, -1)) }}" in convert_source(source, "d.py").code


def test_dags_built_in_functions_may_be_subdags():
    source = (f"{HEADER}def make(parent):\n    return DAG(parent + '.child', schedule=timedelta(days=1))\n"
              "t = BashOperator(task_id='t', bash_command='{{ next_ds }}')\n")
    code = convert_source(source, "d.py").code
    assert "'{{ (ds if dag_run.external_trigger else data_interval_end | ds) }}'" in code


def test_different_schedules_in_one_file():
    source = (f"{HEADER}a = DAG('a', schedule=timedelta(days=1))\nb = DAG('b', schedule=None)\n"
              "t = BashOperator(task_id='t', bash_command='{{ prev_ds }} {{ next_ds }}', dag=a)\n")
    result = convert_source(source, "d.py")
    assert "'{{ prev_ds }} {{ data_interval_end | ds }}'" in result.code
    assert any("different schedules" in t.message for t in result.todos)


def test_no_dag_in_file():
    source = (f"{HEADER}def make_task(dag):\n"
              "    return BashOperator(task_id='t', bash_command='{{ next_ds }} {{ execution_date }}', dag=dag)\n")
    result = convert_source(source, "d.py")
    assert "'{{ next_ds }} {{ logical_date }}'" in result.code
    assert any("without a DAG" in t.message for t in result.todos)


# -- removed / no replacement -----------------------------------------------------------------------------------

def test_tables_conf_and_hive_are_todos():
    source, todos = convert("'{{ tables | join(\",\") }} {{ conf.get(\"core\", \"x\") }} "
                            "{{ macros.hive.max_partition(\"t\") }} {{ dag_run.conf }}'")
    assert "tables" in source and "conf.get" in source
    assert len(todos) == 3
    assert any("params.tables" in t for t in todos)
    assert any("conf is deprecated" in t for t in todos)
    assert any("apache-airflow-providers-apache-hive" in t for t in todos)


# -- the scanner ----------------------------------------------------------------------------------------------

def test_scanner_brackets_hold_the_end_marker():
    scan = scan_template("{{ {'a': {'b': execution_date}}['a'] }}{{ next_ds }}")
    assert [u.name for u in scan.uses] == ["execution_date", "next_ds"]
    assert [u.alone for u in scan.uses] == [False, True]


def test_scanner_unclosed_and_unlexable():
    assert scan_template("{{ execution_date").unclosed == "{{ execution_date"
    assert scan_template("{{ 'open }}").unclosed is not None
    assert scan_template("{{ ds }} {% if x %}").uses == []


# -- the real runtime ------------------------------------------------------------------------------------------


# Each DAG file (one schedule each) renders the variables AM501/AM502 can rewrite for that schedule.
NAMES = ["execution_date", "next_execution_date", "next_ds", "next_ds_nodash", "prev_execution_date", "prev_ds",
         "prev_ds_nodash", "prev_execution_date_success", "yesterday_ds", "yesterday_ds_nodash", "tomorrow_ds",
         "tomorrow_ds_nodash", "end_date", "END_DATE", "latest_date"]
CRON_NAMES = [n for n in NAMES if not n.startswith("prev_") or n == "prev_execution_date_success"]
SCHEDULES = {  # dag_id -> (schedule_interval source, names, scheduled run's logical date or None)
    "daily": (None, NAMES, "2024-01-10T00:00:00+00:00"),  # the 1.10 default: timedelta(days=1)
    "halfday": ("timedelta(hours=12)", NAMES, "2024-01-10T12:00:00+00:00"),
    "cron": ("'0 3 * * *'", CRON_NAMES, "2024-01-10T03:00:00+00:00"),
    "manual": ("None", NAMES, None),
}
MANUAL_RUN = "2024-01-11T05:30:00+00:00"
PREVIOUS_SUCCESS = "2024-01-08T06:00:00+00:00"  # a successful manual run before both


def dag_1_10(dag_id: str) -> str:
    schedule, names, _ = SCHEDULES[dag_id]
    lines = "\\n".join(f"{n}={{{{ {n} }}}}" for n in names)
    returned = "\n".join(f"                {n!r}: str(kwargs[{n!r}])," for n in names if n != "execution_date")
    return textwrap.dedent(f"""\
        from datetime import datetime, timedelta
        from airflow import DAG
        from airflow.operators.bash_operator import BashOperator
        from airflow.operators.python_operator import PythonOperator

        def report(execution_date, **kwargs):
            return {{
                "execution_date": str(execution_date),
        {returned}
            }}

        dag = DAG("{dag_id}", start_date=datetime(2024, 1, 1){f", schedule_interval={schedule}" if schedule else ""})
        bash = BashOperator(task_id="bash", bash_command="{lines}", dag=dag)
        nested = BashOperator(task_id="nested", bash_command="{{{{ macros.ds_add(next_ds, 1) }}}}|"
                              "{{% if execution_date %}}{{{{ yesterday_ds_nodash }}}}{{% endif %}}", dag=dag)
        python = PythonOperator(task_id="python", python_callable=report, provide_context=True, dag=dag)
    """)


# The schedule's step for 1.10's DAG.following_schedule / previous_schedule: ``dttm +- schedule_interval`` for a
# timedelta; for the cron '0 3 * * *' (UTC) the neighbouring ticks of an aligned logical date are 1 day away;
# no schedule: None.
STEPS = {"daily": timedelta(days=1), "halfday": timedelta(hours=12), "cron": timedelta(days=1), "manual": None}


def expected_1_10(dag_id: str, run: str) -> dict[str, str]:
    """What Airflow 1.10.15's TaskInstance.get_template_context gave for this run: next/prev_execution_date
    are the logical date itself for a manually triggered run (``dag_run.external_trigger``), else the schedule's
    following/previous tick; next_ds/prev_ds are their dates (None stays None); yesterday/tomorrow_ds are the
    logical date -+ timedelta(1); end_date, END_DATE and latest_date are ds."""
    logical = datetime.fromisoformat(run)
    step = STEPS[dag_id]
    if run == MANUAL_RUN:
        following = previous = logical
    else:
        following, previous = logical + step, logical - step

    def day(value: datetime | None) -> str | None:
        return value.strftime("%Y-%m-%d") if value else None

    def nodash(value: str | None) -> str | None:
        return value.replace("-", "") if value else None

    ds = day(logical)
    yesterday, tomorrow = day(logical - timedelta(1)), day(logical + timedelta(1))
    values = {
        "execution_date": logical.isoformat(),
        "next_execution_date": following.isoformat(), "next_ds": day(following), "next_ds_nodash": nodash(day(following)),
        "prev_execution_date": previous.isoformat(), "prev_ds": day(previous), "prev_ds_nodash": nodash(day(previous)),
        # the previous successful run's logical date (a pendulum DateTime since 2.0, RN2.0.0)
        "prev_execution_date_success": PREVIOUS_SUCCESS,
        "yesterday_ds": yesterday, "yesterday_ds_nodash": nodash(yesterday),
        "tomorrow_ds": tomorrow, "tomorrow_ds_nodash": nodash(tomorrow),
        "end_date": ds, "END_DATE": ds, "latest_date": ds,
    }
    return {n: str(values[n]) for n in SCHEDULES[dag_id][1]}


DATETIMES = {"execution_date", "next_execution_date", "prev_execution_date", "prev_execution_date_success"}


def as_values(rendered: dict[str, str]) -> dict[str, object]:
    """Datetimes compared as values: Airflow 2.10 (pendulum 3) prints them with a space where 1.10 (pendulum 1)
    printed a "T", for the deprecated keys and their replacements alike."""
    return {k: datetime.fromisoformat(v) if k in DATETIMES and v != "None" else v for k, v in rendered.items()}


RENDER = r'''
import json, sys, warnings
warnings.simplefilter("always")
import pendulum
from airflow.models import DagBag
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState
from airflow.utils.types import DagRunType

spec = json.loads(sys.argv[2])
bag = DagBag(sys.argv[1], include_examples=False)
out = {"import_errors": {k: str(v) for k, v in bag.import_errors.items()}, "runs": {},
       "warnings": [f"load {path}: {w}" for path, ws in bag.captured_warnings.items() for w in ws]}
for dag_id, runs in spec.items():
    dag = bag.dags[dag_id]
    dag.sync_to_db()
    for label, when, manual, state in runs:
        logical = pendulum.parse(when)
        interval = (dag.timetable.infer_manual_data_interval(run_after=logical) if manual
                    else dag.infer_automated_data_interval(logical))
        run_type = DagRunType.MANUAL if manual else DagRunType.SCHEDULED
        dag_run = dag.create_dagrun(run_id=f"{label}__{when}", run_type=run_type, execution_date=logical,
                                    data_interval=interval, state=DagRunState(state), external_trigger=manual)
        if label == "setup":
            continue
        rendered = {}
        for task_id in dag.task_ids:
            ti = dag_run.get_task_instance(task_id)
            ti.task = dag.get_task(task_id).prepare_for_execution()  # a copy, as a task run uses
            with warnings.catch_warnings(record=True) as caught, create_session() as session:
                warnings.simplefilter("always")
                context = ti.get_template_context(session=session)
                ti.task.render_template_fields(context)
                rendered[task_id] = ti.task.execute(context) if task_id == "python" else ti.task.bash_command
            out["warnings"] += [f"{dag_id}/{label}/{task_id}: {w.category.__name__}: {w.message}" for w in caught]
        out["runs"][f"{dag_id}/{label}"] = rendered
print("RESULT " + json.dumps(out))
'''


@pytest.mark.slow
def test_converted_templates_render_the_1_10_values_in_airflow_2(tmp_path: Path):
    runtime_python = require_runtime_python()
    from airflow_runtime.build import init_airflow_home

    dags = tmp_path / "dags"
    dags.mkdir()
    for dag_id in SCHEDULES:
        result = convert_source(dag_1_10(dag_id), f"{dag_id}.py")
        assert not result.todos, [t.message for t in result.todos]
        (dags / f"{dag_id}.py").write_text(result.code)
    home = tmp_path / "home"
    init_airflow_home(runtime_python, home)
    spec = {}
    for dag_id, (_, _, scheduled) in SCHEDULES.items():
        runs = [("setup", PREVIOUS_SUCCESS, True, "success"), ("manual", MANUAL_RUN, True, "running")]
        if scheduled:
            runs.append(("scheduled", scheduled, False, "running"))
        spec[dag_id] = runs
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
           "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR"}
    proc = subprocess.run([str(runtime_python), "-c", RENDER, str(dags), json.dumps(spec)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, check=False)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line is not None, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = json.loads(line[len("RESULT "):])
    assert out["import_errors"] == {}
    deprecations = [w for w in out["warnings"] if "Deprecat" in w or "RemovedInAirflow3" in w]
    assert deprecations == []

    checked = 0
    for dag_id, runs in spec.items():
        for label, when, _, _ in runs:
            if label == "setup":
                continue
            rendered = out["runs"][f"{dag_id}/{label}"]
            expected = expected_1_10(dag_id, when)
            bash = dict(item.split("=", 1) for item in rendered["bash"].split("\n"))
            assert as_values(bash) == as_values(expected), (dag_id, label)
            assert as_values(rendered["python"]) == as_values(expected), (dag_id, label)
            day_after_next = (datetime.fromisoformat(expected["next_ds"]) + timedelta(1)).strftime("%Y-%m-%d")
            assert rendered["nested"] == f"{day_after_next}|{expected['yesterday_ds_nodash']}"
            checked += 1
    assert checked == 7
