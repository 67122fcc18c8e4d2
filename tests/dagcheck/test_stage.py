"""The test stage end to end in the REAL Airflow 2 runtime (slow).

A corpus written here: Airflow 1.10 sources with their Airflow 2 conversions of known structure, and
conversions broken on purpose (a syntax error, a missing import, an endless loop at import, the removed
``{{ tables }}`` and a misspelt ``{{ yesterday_ds_x }}`` in templates, a dependency dropped by a bad
rewrite, a deprecated import left behind). Asserted: every defect is found and named by the right check,
at the right line, and nothing else fails, on the broken files or on the good ones. The runtime is loaded
once for the corpus (one ``run_test_stage``); the CLI function and the real converter get a run each.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from dagcheck.checks.model import Severity, Status
from dagcheck.command import EXIT_FAILED, EXIT_OK, test_command
from dagcheck.report import write_report
from dagcheck.stage import NOT_A_DAG, StageResult, run_test_stage
from dagconvert.runner import convert_tree
from tests.runtime import require_runtime_python

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

RUNTIME_ENV = "COMPOSER_MIGRATE_RUNTIME_PYTHON"
TIMEOUT_S = 10.0  # per file: the endless loop costs this much; every real file takes well under a second

# ---------------------------------------------------------------- the corpus: (Airflow 1.10 source, conversion)

ETL_SOURCE = '''
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator

default_args = {"owner": "data", "retries": 2, "retry_delay": timedelta(minutes=5)}

dag = DAG("good_etl", default_args=default_args, start_date=datetime(2021, 1, 1),
          schedule_interval="30 2 * * *", catchup=False, params={"table": "orders"})

extract = BashOperator(task_id="extract", bash_command="echo extract {{ ds }} {{ params.table }}", dag=dag)
transform = BashOperator(task_id="transform", bash_command="echo {{ macros.ds_add(ds, -1) }} {{ ds_nodash }}",
                         dag=dag)
load = BashOperator(task_id="load", bash_command="echo load {{ ts }}", retries=0, dag=dag)
report = BashOperator(task_id="report", bash_command="echo done", trigger_rule="all_done", dag=dag)

extract >> transform >> load >> report
'''

ETL_CONVERTED = ETL_SOURCE.replace("airflow.operators.bash_operator", "airflow.operators.bash").replace(
    "schedule_interval=", "schedule=")

PYTHON_SOURCE = '''
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.dummy_operator import DummyOperator
from airflow.operators.python_operator import BranchPythonOperator, PythonOperator

from common.util import region


def pick(**context):
    return "weekday" if context["execution_date"].weekday() < 5 else "weekend"


def work(day, **context):
    print(region(), day)


dag = DAG("good_python", start_date=datetime(2021, 1, 1), schedule_interval=timedelta(hours=6),
          default_args={"retries": 1})
branch = BranchPythonOperator(task_id="branch", python_callable=pick, provide_context=True, dag=dag)
weekday = PythonOperator(task_id="weekday", python_callable=work, op_kwargs={"day": "{{ ds }}"},
                         provide_context=True, dag=dag)
weekend = DummyOperator(task_id="weekend", dag=dag)
publish = PythonOperator(task_id="publish", python_callable=work,
                         op_kwargs={"day": "{{ var.value.export_bucket }}"}, provide_context=True, dag=dag)
join = DummyOperator(task_id="join", trigger_rule="none_failed_or_skipped", dag=dag)
branch >> [weekday, weekend] >> join >> publish
'''

PYTHON_CONVERTED = '''
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import BranchPythonOperator, PythonOperator

from common.util import region


def pick(**context):
    return "weekday" if context["logical_date"].weekday() < 5 else "weekend"


def work(day, **context):
    print(region(), day)


dag = DAG("good_python", start_date=datetime(2021, 1, 1), schedule=timedelta(hours=6),
          default_args={"retries": 1})
branch = BranchPythonOperator(task_id="branch", python_callable=pick, dag=dag)
weekday = PythonOperator(task_id="weekday", python_callable=work, op_kwargs={"day": "{{ ds }}"}, dag=dag)
weekend = EmptyOperator(task_id="weekend", dag=dag)
publish = PythonOperator(task_id="publish", python_callable=work,
                         op_kwargs={"day": "{{ var.value.export_bucket }}"}, dag=dag)
join = EmptyOperator(task_id="join", trigger_rule="none_failed_min_one_success", dag=dag)
branch >> [weekday, weekend] >> join >> publish
'''

HELPER = '''
"""Shared helpers of the DAG folder (no DAG here)."""


def region():
    return "europe-west1"
'''

SUBDAG_SOURCE = '''
from datetime import datetime

from airflow import DAG
from airflow.operators.dummy_operator import DummyOperator
from airflow.operators.subdag_operator import SubDagOperator

START = datetime(2021, 1, 1)


def section(parent, child):
    sub = DAG("%s.%s" % (parent, child), start_date=START, schedule_interval="@weekly")
    first = DummyOperator(task_id="first", dag=sub)
    second = DummyOperator(task_id="second", dag=sub)
    first >> second
    return sub


with DAG("good_subdag", start_date=START, schedule_interval="@weekly") as dag:
    start = DummyOperator(task_id="start")
    north = SubDagOperator(task_id="north", subdag=section("good_subdag", "north"))
    end = DummyOperator(task_id="end")
    start >> north >> end
'''

SUBDAG_CONVERTED = '''
from datetime import datetime

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.utils.task_group import TaskGroup

START = datetime(2021, 1, 1)

with DAG("good_subdag", start_date=START, schedule="@weekly") as dag:
    start = EmptyOperator(task_id="start")
    with TaskGroup("north") as north:
        first = EmptyOperator(task_id="first")
        second = EmptyOperator(task_id="second")
        first >> second
    end = EmptyOperator(task_id="end")
    start >> north >> end
'''

TRIGGERED_SOURCE = '''
from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator

with DAG("good_triggered", start_date=datetime(2021, 1, 1), schedule_interval=None) as dag:
    BashOperator(task_id="refresh", bash_command="refresh {{ dag_run.conf['tables'] | join(' ') }}")
'''

TRIGGERED_CONVERTED = TRIGGERED_SOURCE.replace("airflow.operators.bash_operator", "airflow.operators.bash").replace(
    "schedule_interval=", "schedule=")


def broken(name: str, old: str, new: str) -> tuple[str, str]:
    """A good (source, conversion) pair of a DAG called ``name`` whose conversion a bad rewrite broke."""
    source = ETL_SOURCE.replace('"good_etl"', f'"{name}"')
    converted = ETL_CONVERTED.replace('"good_etl"', f'"{name}"')
    assert old in converted, old
    return source, converted.replace(old, new, 1)


CORPUS: dict[str, tuple[str | None, str | None]] = {
    "good_etl.py": (ETL_SOURCE, ETL_CONVERTED),
    "team_a/good_python.py": (PYTHON_SOURCE, PYTHON_CONVERTED),
    "common/util.py": (HELPER, HELPER),
    "common/__init__.py": ("", ""),
    "good_subdag.py": (SUBDAG_SOURCE, SUBDAG_CONVERTED),
    "good_triggered.py": (TRIGGERED_SOURCE, TRIGGERED_CONVERTED),
    "added_by_conversion.py": (None, ETL_CONVERTED.replace('"good_etl"', '"added_by_conversion"')),
    "not_converted.py": (ETL_SOURCE.replace('"good_etl"', '"not_converted"'), None),
    "broken_syntax.py": broken("broken_syntax", "extract >> transform", "extract >> transform >>"),
    "broken_missing_import.py": broken("broken_missing_import", "from airflow.operators.bash import BashOperator",
                                       "from airflow.operators.bash import BashOperator\n"
                                       "from company_plugins.operators import FancyOperator"),
    "broken_loop.py": broken("broken_loop", "extract >> transform", "while True:\n    pass\nextract >> transform"),
    "broken_tables.py": broken("broken_tables", "echo load {{ ts }}", "echo load {{ tables }}"),
    "broken_yesterday.py": broken("broken_yesterday", "echo load {{ ts }}", "echo load {{ yesterday_ds_x }}"),
    "broken_dependency.py": broken("broken_dependency", "extract >> transform >> load >> report",
                                   "extract >> transform\nload >> report"),
    "broken_deprecated.py": broken("broken_deprecated", "from airflow.operators.bash import BashOperator",
                                   "from airflow.operators.bash_operator import BashOperator"),
}

GOOD = ["good_etl.py", "team_a/good_python.py", "good_subdag.py", "good_triggered.py", "added_by_conversion.py"]

# file -> (the one check that must fail, what its finding must say, the converted-file line it must name)
DEFECTS = {
    "broken_syntax.py": ("import", "SyntaxError", "extract >> transform >>"),
    "broken_missing_import.py": ("import", "No module named 'company_plugins'", "from company_plugins"),
    "broken_loop.py": ("import", "timeout: no result within", None),
    "broken_tables.py": ("templates", "undefined template variable 'tables': removed in Airflow 2", "{{ tables }}"),
    "broken_yesterday.py": ("templates", "undefined template variable 'yesterday_ds_x'", "{{ yesterday_ds_x }}"),
    "broken_dependency.py": ("structure", "task 'load' lost upstream 'transform'", None),
    "broken_deprecated.py": ("warnings", ("DeprecationWarning: The `airflow.operators.bash_operator.BashOperator` "
                                         "class is deprecated"), "airflow.operators.bash_operator"),
}


def write_trees(root: Path) -> tuple[Path, Path]:
    """The corpus as two trees: the Airflow 1.10 sources and their conversions."""
    source, out = root / "airflow1", root / "airflow2"
    for rel, (source_text, converted_text) in CORPUS.items():
        for tree, text in ((source, source_text), (out, converted_text)):
            if text is not None:
                (tree / rel).parent.mkdir(parents=True, exist_ok=True)
                (tree / rel).write_text(textwrap.dedent(text).lstrip("\n"))
    return source, out


def line_of(path: Path, marker: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in {path}")


def runtime_options() -> dict[str, Path]:
    """The stage's runtime (tests/runtime.py); else skip."""
    return {"python": require_runtime_python()}


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_trees(tmp_path_factory.mktemp("stage"))


@pytest.fixture(scope="module")
def stage(trees: tuple[Path, Path]) -> StageResult:
    source, out = trees
    seen: list[str] = []
    result = run_test_stage(out, source, jobs=2, timeout_s=TIMEOUT_S, on_result=lambda r: seen.append(r.path),
                            **runtime_options())
    assert sorted(seen) == sorted(f.path for f in result.files)  # every file reported once, as it finished
    return result


def by_path(result: StageResult) -> dict:
    return {f.path: f for f in result.files}


def test_every_converted_file_has_a_result_and_the_unconverted_source_is_listed(stage):
    expected = sorted(rel for rel, (_, converted) in CORPUS.items() if converted is not None)
    assert sorted(f.path for f in stage.files) == expected
    assert [(n.source_path, n.reason.split(":")[0]) for n in stage.not_tested] == [("not_converted.py",
                                                                                    "no converted file")]
    assert stage.airflow_version and stage.structure_method == "static analysis of the Airflow 1.10 source"
    assert stage.notes == ()  # the runtime's preload and warm-up worked, the loader never died


@pytest.mark.parametrize("path", GOOD)
def test_good_files_pass_with_no_error_anywhere(stage, path):
    f = by_path(stage)[path]
    assert f.passed, [(c.name, c.findings) for c in f.checks if not c.passed]
    assert [c.name for c in f.checks] == ["import", "warnings", "structure", "templates", "airflow3_lint"]
    assert all(not c.errors for c in f.checks), [c for c in f.checks if c.errors]


@pytest.mark.parametrize("path", sorted(DEFECTS))
def test_each_defect_is_found_and_named_by_the_right_check_only(stage, trees, path):
    check, text, marker = DEFECTS[path]
    f = by_path(stage)[path]
    assert not f.passed
    failed = [c.name for c in f.checks if c.status is Status.FAILED]
    assert failed == [check], [(c.name, c.summary, c.errors) for c in f.checks if c.status is Status.FAILED]
    messages = [e.message for e in f.check(check).errors]
    assert any(text in m for m in messages), messages
    if marker is not None:
        expected_line = line_of(trees[1] / path, marker)
        assert expected_line in [e.line for e in f.check(check).errors], f.check(check).errors


def test_an_import_failure_skips_the_checks_that_need_the_dag(stage):
    for path in ("broken_syntax.py", "broken_missing_import.py", "broken_loop.py"):
        checks = {c.name: c.status for c in by_path(stage)[path].checks}
        assert checks["warnings"] is checks["structure"] is checks["templates"] is Status.SKIPPED


def test_subdag_to_task_group_and_renamed_trigger_rule_are_reported_not_failed(stage):
    subdag = by_path(stage)["good_subdag.py"].check("structure")
    assert "DAG 'good_subdag': allowed: SubDAG 'good_subdag.north' became TaskGroup 'north' (2 tasks)" in [
        f.message for f in subdag.findings]
    python = by_path(stage)["team_a/good_python.py"].check("structure")
    assert any("trigger rule 'none_failed_or_skipped' is 'none_failed_min_one_success'" in f.message
               for f in python.findings if f.severity is Severity.INFO)


def test_what_the_real_environment_provides_is_a_warning_not_a_failure(stage, trees):
    variable = by_path(stage)["team_a/good_python.py"].check("templates")
    (warning,) = [f for f in variable.findings if f.severity is Severity.WARNING]
    assert "Variable missing in the test runtime" in warning.message and "export_bucket" in warning.message
    assert warning.line == line_of(trees[1] / "team_a/good_python.py", "var.value.export_bucket")
    conf = by_path(stage)["good_triggered.py"].check("templates")
    (warning,) = [f for f in conf.findings if f.severity is Severity.WARNING]
    assert "dag_run.conf['tables']" in warning.message


def test_helpers_without_airflow_are_not_dag_files_and_dag_folder_imports_work(stage):
    helper = by_path(stage)["common/util.py"]
    assert helper.status == NOT_A_DAG and helper.passed
    assert by_path(stage)["team_a/good_python.py"].check("import").status is Status.PASSED  # from common.util ...


def test_file_without_source_is_not_compared(stage):
    structure = by_path(stage)["added_by_conversion.py"].check("structure")
    assert structure.status is Status.SKIPPED
    assert structure.summary.startswith("not compared: no Airflow 1.10 source file")


def test_lint_is_reported_and_never_fails(stage):
    lint = by_path(stage)["good_subdag.py"].check("airflow3_lint")
    assert lint.info_only and lint.passed
    assert lint.status in (Status.INFO, Status.PASSED)
    deprecated = by_path(stage)["broken_deprecated.py"].check("airflow3_lint")
    assert any(f.message.startswith("AIR") for f in deprecated.findings)


def test_reports_hold_every_file_and_finding(stage, tmp_path):
    for name in ("r.json", "r.md", "r.html"):
        write_report(stage, tmp_path / name)
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["kind"] == "test-report" and data["schema"] == 1
    assert data["totals"]["failed"] == len(DEFECTS) and data["totals"]["not_tested"] == 1
    assert {f["path"] for f in data["files"] if not f["passed"]} == set(DEFECTS)
    md = (tmp_path / "r.md").read_text()
    assert all(f"`{path}`" in md for path in DEFECTS)
    assert "lost upstream" in (tmp_path / "r.html").read_text()


def test_cli_function_exit_codes_and_reports(tmp_path):
    source, out = tmp_path / "airflow1", tmp_path / "airflow2"
    for tree, text in ((source, ETL_SOURCE), (out, ETL_CONVERTED)):
        tree.mkdir()
        (tree / "etl.py").write_text(textwrap.dedent(text).lstrip("\n"))
    options = runtime_options()
    assert test_command(out, source, jobs=1, timeout=TIMEOUT_S, report=[tmp_path / "ok.json"], **options) == EXIT_OK
    (out / "etl.py").write_text((out / "etl.py").read_text().replace("{{ ts }}", "{{ tables }}"))
    assert test_command(out, source, jobs=1, timeout=TIMEOUT_S, report=[tmp_path / "bad.md"], **options) == EXIT_FAILED
    assert "undefined template variable 'tables'" in (tmp_path / "bad.md").read_text()
    assert json.loads((tmp_path / "ok.json").read_text())["totals"]["passed"] == 1


def test_the_real_converter_output_passes(tmp_path):
    """convert -> test on a plain Airflow 1.10 DAG: the conversion engine's output passes every check."""
    source, out = tmp_path / "airflow1", tmp_path / "airflow2"
    source.mkdir()
    (source / "etl.py").write_text(textwrap.dedent(ETL_SOURCE).lstrip("\n"))
    converted = convert_tree(source, out)
    assert not converted.errors
    result = run_test_stage(out, source, jobs=1, timeout_s=TIMEOUT_S, **runtime_options())
    (f,) = result.files
    assert f.passed, [(c.name, c.findings) for c in f.checks if not c.passed]
