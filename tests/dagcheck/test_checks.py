"""Each check of the test stage on hand-built runtime results (fast: no Airflow, no runtime).

The ``FileLoadResult``s here carry the messages the real Airflow 2.10.5 runtime produces for each case
(recorded from ``cli.py runtime load``); the slow end-to-end twin is ``test_stage.py``.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from airflow_runtime.results import (
    STATUS_CRASHED,
    STATUS_IMPORT_ERROR,
    STATUS_OK,
    STATUS_TIMEOUT,
    FileLoadResult,
    ImportErrorInfo,
    LoadWarning,
    RenderFailure,
    RenderWarning,
)
from dagcheck import report as report_module
from dagcheck.checks import (
    CHECKS,
    Check,
    CheckInput,
    CheckResult,
    LintFinding,
    LintOutcome,
    Severity,
    Status,
    airflow3_lint,
    file_passed,
    import_check,
    run_checks,
    structure_check,
    templates_check,
    warnings_check,
)
from dagcheck.checks.locate import template_line
from dagcheck.checks.ruff import ruff_executable, start_lint
from dagcheck.command import EXIT_USAGE, failure_lines, test_command
from dagcheck.stage import (
    NOT_A_DAG,
    FileTestResult,
    NotTested,
    StageResult,
    might_contain_dag,
    not_a_dag_result,
    pair_files,
    run_test_stage,
)
from dagcheck.static_structure import extract_static
from dagcheck.structure import DagStructure

SOURCE = textwrap.dedent('''
    from datetime import datetime
    from airflow import DAG
    from airflow.operators.bash_operator import BashOperator

    dag = DAG("etl", start_date=datetime(2021, 1, 1), schedule_interval="@daily", catchup=False,
              default_args={"retries": 2})
    extract = BashOperator(task_id="extract", bash_command="echo {{ ds }}", dag=dag)
    load = BashOperator(task_id="load", bash_command="echo {{ tables }}", dag=dag)
    extract >> load
''').lstrip()

CONVERTED = SOURCE.replace("airflow.operators.bash_operator", "airflow.operators.bash").replace(
    'schedule_interval="@daily"', 'schedule="@daily"')

ETL = DagStructure(dag_id="etl", task_ids=("extract", "load"), edges=(("extract", "load"),), schedule="@daily",
                   catchup=False, start_date="2021-01-01T00:00:00", retries={"extract": 2, "load": 2},
                   trigger_rules={"extract": "all_success", "load": "all_success"}, default_args={"retries": 2})


def loaded(**kwargs) -> FileLoadResult:
    base = {"file": "/out/etl.py", "status": STATUS_OK, "dag_ids": ("etl",), "dags": (ETL,)}
    return FileLoadResult(**{**base, **kwargs})


def given(load: FileLoadResult | None = None, *, source: str | None = SOURCE, converted: str = CONVERTED,
          lint: LintOutcome | None = None) -> CheckInput:
    static = extract_static(source, "/src/etl.py") if source is not None else None
    return CheckInput(path="etl.py", load=load or loaded(), converted_text=converted,
                      source_path="etl.py" if source is not None else None, source=static, lint=lint)


def errors(result: CheckResult) -> list[str]:
    return [f.message for f in result.errors]


# ---------------------------------------------------------------- import


def test_import_passes_and_names_the_dags():
    result = import_check.run(given())
    assert result.status is Status.PASSED
    assert result.summary == "1 DAG: etl"


def test_import_error_fails_with_message_file_and_line():
    load = loaded(status=STATUS_IMPORT_ERROR, dag_ids=(), dags=(), import_errors=(
        ImportErrorInfo("ModuleNotFoundError: No module named 'company_helpers'", line=3, file="/out/etl.py"),))
    result = import_check.run(given(load))
    assert result.status is Status.FAILED
    (finding,) = result.errors
    assert finding.line == 3
    assert finding.message == "ModuleNotFoundError: No module named 'company_helpers' (etl.py:3)"


def test_timeout_while_importing_fails_import():
    load = loaded(status=STATUS_TIMEOUT, dag_ids=(), dags=(),
                  detail="no result within 3 s while importing the file; killed (with its process group)")
    result = import_check.run(given(load))
    assert result.status is Status.FAILED
    assert errors(result) == [("timeout: no result within 3 s while importing the file; killed (with its process "
                              "group)")]


def test_crash_while_rendering_passes_import_and_fails_templates():
    load = loaded(status=STATUS_CRASHED, detail="killed by SIGSEGV (segmentation fault) while rendering templates")
    results = {r.name: r for r in run_checks(given(load))}
    assert results["import"].status is Status.PASSED
    assert results["templates"].status is Status.FAILED
    assert "rendering did not finish: crashed" in errors(results["templates"])[0]


def test_a_file_without_dag_imports_with_a_note():
    result = import_check.run(given(loaded(dag_ids=(), dags=())))
    assert result.status is Status.PASSED
    assert [(f.severity, f.message) for f in result.findings] == [(Severity.INFO, "no DAG object found in the file")]


# ---------------------------------------------------------------- warnings


def test_deprecation_warning_of_the_file_fails_with_its_line():
    load = loaded(warnings=(
        LoadWarning("airflow.exceptions.RemovedInAirflow3Warning", "This class is deprecated.", "/out/etl.py", 12),
        LoadWarning("SyntaxWarning", "invalid escape sequence '\\d'", "/out/etl.py", 20),
    ))
    result = warnings_check.run(given(load))
    assert result.status is Status.FAILED
    assert [(f.line, f.severity) for f in result.findings] == [(12, Severity.ERROR), (20, Severity.INFO)]
    assert result.errors[0].message == "RemovedInAirflow3Warning: This class is deprecated."


@pytest.mark.parametrize("category", ["airflow.exceptions.AirflowProviderDeprecationWarning", "DeprecationWarning",
                                      "FutureWarning", "PendingDeprecationWarning"])
def test_every_deprecation_category_counts(category):
    load = loaded(warnings=(LoadWarning(category, "old", "/out/etl.py", 4),))
    assert warnings_check.run(given(load)).status is Status.FAILED


def test_other_warnings_are_information():
    load = loaded(warnings=(LoadWarning("UserWarning", "hello", "/out/etl.py", 4),))
    result = warnings_check.run(given(load))
    assert result.status is Status.PASSED
    assert result.findings[0].severity is Severity.INFO


def test_deprecated_template_variable_is_located_in_the_template():
    converted = CONVERTED.replace("echo {{ ds }}", "echo {{ prev_ds }}")
    message = "Accessing 'prev_ds' from the template is deprecated and will be removed in a future version."
    load = loaded(render_warnings=tuple(
        RenderWarning("etl", task, "bash_command", "airflow.utils.context.AirflowContextDeprecationWarning", message)
        for task in ("extract", "load")))
    result = warnings_check.run(given(load, converted=converted))
    assert result.status is Status.FAILED
    (finding,) = result.errors
    assert finding.line == 7
    assert finding.message.endswith("(template of extract.bash_command, load.bash_command)")


def test_warnings_are_skipped_when_the_file_does_not_import():
    load = loaded(status=STATUS_IMPORT_ERROR, dag_ids=(), dags=(),
                  import_errors=(ImportErrorInfo("ImportError: x", 3),),
                  warnings=(LoadWarning("DeprecationWarning", "old path", "/out/etl.py", 3),))
    result = warnings_check.run(given(load))
    assert result.status is Status.SKIPPED and result.passed
    assert [f.severity for f in result.findings] == [Severity.INFO]


# ---------------------------------------------------------------- structure


def test_structure_equal_to_the_source_passes_and_says_how_it_was_derived():
    result = structure_check.run(given())
    assert result.status is Status.PASSED, result.findings
    assert "static analysis of the Airflow 1.10 source etl.py" in result.summary


def test_dropped_dependency_fails_and_is_named():
    dropped = replace(ETL, edges=())
    result = structure_check.run(given(loaded(dags=(dropped,))))
    assert result.status is Status.FAILED
    assert errors(result) == ["DAG 'etl' (source line 5): task 'load' lost upstream 'extract'"]


def test_changed_schedule_retries_and_catchup_are_each_named():
    changed = replace(ETL, schedule="@hourly", catchup=True, retries={"extract": 0, "load": 2})
    result = structure_check.run(given(loaded(dags=(changed,))))
    assert sorted(errors(result)) == [
        "DAG 'etl' (source line 5): catchup False -> True",
        "DAG 'etl' (source line 5): schedule '@daily' -> '@hourly'",
        "DAG 'etl' (source line 5): task 'extract' retries 2 -> 0",
    ]


def test_subdag_turned_into_a_task_group_is_an_allowed_reported_difference():
    source = textwrap.dedent('''
        from datetime import datetime
        from airflow import DAG
        from airflow.operators.dummy_operator import DummyOperator
        from airflow.operators.subdag_operator import SubDagOperator

        def section(parent, child):
            sub = DAG(parent + "." + child, start_date=datetime(2021, 1, 1), schedule_interval="@daily")
            DummyOperator(task_id="inner", dag=sub)
            return sub

        dag = DAG("parent", start_date=datetime(2021, 1, 1), schedule_interval="@daily")
        start = DummyOperator(task_id="start", dag=dag)
        sec = SubDagOperator(task_id="section", subdag=section("parent", "section"), dag=dag)
        start >> sec
    ''')
    converted = DagStructure(dag_id="parent", task_ids=("section.inner", "start"),
                             edges=(("start", "section.inner"),), schedule="@daily", catchup=True,
                             start_date="2021-01-01T00:00:00", retries={"section.inner": 0, "start": 0},
                             trigger_rules={"section.inner": "all_success", "start": "all_success"},
                             task_groups=("section",))
    result = structure_check.run(given(loaded(dag_ids=("parent",), dags=(converted,)), source=source))
    assert result.status is Status.PASSED, result.findings
    assert "DAG 'parent': allowed: SubDAG 'parent.section' became TaskGroup 'section' (1 tasks)" in [
        f.message for f in result.findings if f.severity is Severity.INFO]


def test_no_source_file_is_not_compared():
    result = structure_check.run(given(source=None))
    assert result.status is Status.SKIPPED and result.passed
    assert result.summary == "not compared: no Airflow 1.10 source file at etl.py in the source tree"


def test_source_that_does_not_parse_is_not_compared():
    result = structure_check.run(given(source="def broken(:\n"))
    assert result.status is Status.SKIPPED
    assert "the source could not be analysed" in result.summary and "syntax error" in result.summary


def test_what_the_static_analysis_cannot_know_is_information():
    source = SOURCE.replace("start_date=datetime(2021, 1, 1)", "start_date=days_ago(1)").replace(
        "from airflow import DAG", "from airflow import DAG\nfrom airflow.utils.dates import days_ago")
    converted = replace(ETL, start_date="2026-01-01T00:00:00")
    result = structure_check.run(given(loaded(dags=(converted,)), source=source))
    assert result.status is Status.PASSED
    assert any("not compared: start_date depends on the parse time" in f.message for f in result.findings)


# ---------------------------------------------------------------- templates


def failure(error: str, kind: str, task: str = "load", field: str = "bash_command") -> RenderFailure:
    return RenderFailure("etl", task, field, error, kind)


def test_removed_context_variable_fails_with_its_line_and_a_hint():
    load = loaded(render_failures=(failure("UndefinedError: 'tables' is undefined", "undefined"),))
    result = templates_check.run(given(load))
    assert result.status is Status.FAILED
    (finding,) = result.errors
    assert finding.line == 8
    assert finding.message.startswith("DAG 'etl' task 'load' field 'bash_command': undefined template variable "
                                      "'tables': removed in Airflow 2")


def test_misspelt_variable_fails():
    converted = CONVERTED.replace("{{ tables }}", "{{ yesterday_ds_x }}")
    load = loaded(render_failures=(failure("UndefinedError: 'yesterday_ds_x' is undefined", "undefined"),))
    result = templates_check.run(given(load, converted=converted))
    assert errors(result) == [("DAG 'etl' task 'load' field 'bash_command': undefined template variable "
                              "'yesterday_ds_x': not defined in the Airflow 2 template context")]
    assert result.errors[0].line == 8


def test_missing_variable_and_connection_are_warnings():
    load = loaded(render_failures=(
        failure("KeyError: 'Variable gcp_project does not exist'", "missing_variable"),
        failure("AirflowNotFoundException: The conn_id `pg` isn't defined", "missing_connection", task="extract"),
    ))
    result = templates_check.run(given(load))
    assert result.status is Status.PASSED
    assert [f.severity for f in result.findings] == [Severity.WARNING, Severity.WARNING]
    assert "missing in the test runtime (expected in the real environment)" in result.findings[0].message
    assert result.findings[0].line is None  # the variable is not in this file's templates
    assert result.summary == "every field rendered; 2 need the real environment or a real run"


def test_dag_run_conf_key_is_run_time_data():
    converted = CONVERTED.replace("{{ tables }}", "{{ dag_run.conf['tables'] }}")
    load = loaded(render_failures=(failure("UndefinedError: 'dict object' has no attribute 'tables'", "undefined"),))
    result = templates_check.run(given(load, converted=converted))
    assert result.status is Status.PASSED
    assert result.findings[0].severity is Severity.WARNING and result.findings[0].line == 8


def test_params_key_the_dag_does_not_define_fails():
    converted = CONVERTED.replace("{{ tables }}", "{{ params.region_filter }}")
    load = loaded(render_failures=(
        failure("UndefinedError: 'dict object' has no attribute 'region_filter'", "undefined"),))
    result = templates_check.run(given(load, converted=converted))
    assert result.status is Status.FAILED
    assert result.errors[0].line == 8
    assert "undefined 'region_filter' of a dict object" in result.errors[0].message


@pytest.mark.parametrize("error,kind", [
    ("UndefinedError: 'None' has no attribute 'model_version'", "undefined"),
    ("TypeError: object of type 'NoneType' has no len()", "error"),
    ("AirflowConfigException: section/key [core/kube_config] not found in config", "error"),
])
def test_values_only_a_real_run_or_environment_has_are_warnings(error, kind):
    result = templates_check.run(given(loaded(render_failures=(failure(error, kind),))))
    assert result.status is Status.PASSED
    assert result.findings[0].severity is Severity.WARNING


@pytest.mark.parametrize("error,kind,named", [
    ("TemplateSyntaxError: unexpected end of template", "syntax", "template syntax error"),
    ("TemplateNotFound: 'run.sh' not found in search path", "template_not_found", "template file not found"),
    ("TypeError: ds_add() missing 1 required positional argument: 'days'", "error", "does not render"),
])
def test_other_render_errors_fail(error, kind, named):
    result = templates_check.run(given(loaded(render_failures=(failure(error, kind),))))
    assert result.status is Status.FAILED
    assert named in errors(result)[0]


def test_a_task_whose_templates_were_not_rendered_fails():
    load = loaded(notes=("etl.load: templates not rendered (TemplateNotFound: /nowhere)",))
    assert templates_check.run(given(load)).status is Status.FAILED


def test_templates_are_skipped_when_the_file_does_not_import():
    load = loaded(status=STATUS_IMPORT_ERROR, dags=(), dag_ids=(), import_errors=(ImportErrorInfo("SyntaxError", 2),))
    assert templates_check.run(given(load)).status is Status.SKIPPED


# ---------------------------------------------------------------- lint, registry, verdict


def test_lint_is_information_only():
    lint = LintOutcome((LintFinding("AIR301", "`airflow.operators.subdag.SubDagOperator` is removed in Airflow 3.0",
                                    4, None),))
    result = airflow3_lint.run(given(lint=lint))
    assert result.status is Status.INFO and result.info_only and result.passed
    assert result.findings[0].message.startswith("AIR301 ")
    assert airflow3_lint.run(given(lint=LintOutcome())).status is Status.PASSED
    assert airflow3_lint.run(given(lint=LintOutcome(error="ruff is not installed"))).status is Status.SKIPPED


def test_a_check_that_raises_fails_alone_and_the_others_still_run():
    def broken(_data: CheckInput) -> CheckResult:
        raise RuntimeError("bug")

    results = run_checks(given(), (CHECKS[0], Check("broken", "Broken", broken), CHECKS[2]))
    assert [r.status for r in results] == [Status.PASSED, Status.FAILED, Status.PASSED]
    assert "internal error in check 'broken': RuntimeError: bug" in errors(results[1])
    assert not file_passed(results)


def test_a_file_passes_when_checks_one_to_four_pass_whatever_lint_says():
    lint = LintOutcome((LintFinding("AIR311", "`airflow.DAG` is removed", 2),))
    results = run_checks(given(lint=lint))
    assert [r.name for r in results] == ["import", "warnings", "structure", "templates", "airflow3_lint"]
    assert file_passed(results)


def test_failure_lines_name_check_and_line():
    load = loaded(render_failures=(failure("UndefinedError: 'tables' is undefined", "undefined"),))
    lines = failure_lines(run_checks(given(load)))
    assert lines == [("templates: line 8: DAG 'etl' task 'load' field 'bash_command': undefined template variable "
                     "'tables': removed in Airflow 2 (it was params['tables'] in 1.10): use params or dag_run.conf")]


# ---------------------------------------------------------------- helpers of the stage


def test_template_line_prefers_jinja_uses():
    text = 'x = "tables"\ncmd = "echo {{ tables }}"\n'
    assert template_line(text, "tables") == 2
    assert template_line('sql = "select * from tables"\n', "tables") == 1
    assert template_line("nothing here\n", "tables") is None


def test_pairing_by_relative_path(tmp_path):
    out, src = tmp_path / "out", tmp_path / "src"
    for root, rel in ((out, "a.py"), (src, "a.py"), (out, "team/b.py"), (src, "team/c.py"), (out, "sql/q.sql")):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("from airflow import DAG\n")
    pairs, missing = pair_files(out, src)
    assert [(p.rel, p.source is not None) for p in pairs] == [("a.py", True), ("team/b.py", False)]
    assert [m.source_path for m in missing] == ["team/c.py"]


def test_dag_file_heuristic_is_airflows(tmp_path):
    helper, dag = tmp_path / "helper.py", tmp_path / "dag.py"
    helper.write_text("def region():\n    return 'eu'\n")
    dag.write_text("from airflow import DAG\n")
    assert not might_contain_dag(helper) and might_contain_dag(dag)


def test_a_conversion_that_lost_every_dag_is_a_structure_failure(tmp_path):
    out, src = tmp_path / "out", tmp_path / "src"
    out.mkdir()
    src.mkdir()
    (out / "etl.py").write_text("x = 1\n")
    (src / "etl.py").write_text(SOURCE)
    (pair,), _ = pair_files(out, src)
    result = not_a_dag_result(pair, None)
    assert not result.passed and result.status == NOT_A_DAG
    assert errors(result.check("structure")) == ["DAG 'etl' (source line 5): DAG 'etl' is missing after conversion"]
    assert result.check("import").status is Status.SKIPPED


def test_a_tree_without_dag_files_needs_no_runtime(tmp_path):
    out, src = tmp_path / "out", tmp_path / "src"
    for root in (out, src):
        (root / "lib").mkdir(parents=True)
        (root / "lib" / "regions.py").write_text("REGIONS = ['eu', 'us']\n")
    (src / "gone.py").write_text(SOURCE)
    result = run_test_stage(out, src, runtimes_root=tmp_path / "no-runtime-here")
    (f,) = result.files
    assert (f.path, f.status, f.passed) == ("lib/regions.py", NOT_A_DAG, True)
    assert [n.source_path for n in result.not_tested] == ["gone.py"]
    assert result.airflow_version is None


@pytest.mark.skipif(ruff_executable() is None, reason="ruff is not installed")
def test_ruff_finds_air_rules_without_writing(tmp_path):
    dag = tmp_path / "dag.py"
    dag.write_text("from airflow.operators.subdag import SubDagOperator\n\nSubDagOperator(task_id='section')\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    outcome = start_lint([dag]).results()[dag]
    assert outcome.error is None
    assert "AIR301" in {f.code for f in outcome.findings}
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no cache, no fix


# ---------------------------------------------------------------- reports and the command


def stage_result() -> StageResult:
    bad = loaded(render_failures=(failure("UndefinedError: 'tables' is undefined", "undefined", task="<script>"),))
    files = (
        FileTestResult("etl.py", "etl.py", STATUS_OK, run_checks(given()), ("etl",)),
        FileTestResult("bad.py", "bad.py", STATUS_OK, run_checks(given(bad)), ("etl",)),
        FileTestResult("helper.py", None, NOT_A_DAG, ()),
    )
    return StageResult(out_dir="/out", source_dir="/src", profile="airflow-2.10.5", files=files,
                       not_tested=(NotTested("broken.py", "no converted file"),), airflow_version="2.10.5")


def test_json_report_is_versioned_and_counts(tmp_path):
    path = tmp_path / "r.json"
    report_module.write_report(stage_result(), path)
    data = json.loads(path.read_text())
    assert (data["schema"], data["kind"]) == (1, "test-report")
    assert data["structure_source"] == "static analysis of the Airflow 1.10 source"
    assert data["totals"]["files"] == 3 and data["totals"]["passed"] == 2 and data["totals"]["failed"] == 1
    assert data["totals"]["checks"]["templates"]["failed"] == 1
    assert data["not_tested"] == [{"source_path": "broken.py", "reason": "no converted file"}]
    bad = next(f for f in data["files"] if f["path"] == "bad.py")
    assert bad["passed"] is False
    templates = next(c for c in bad["checks"] if c["name"] == "templates")
    assert templates["findings"][0]["line"] == 8 and templates["findings"][0]["severity"] == "error"


def test_markdown_and_html_reports(tmp_path):
    result = stage_result()
    report_module.write_report(result, tmp_path / "r.md")
    report_module.write_report(result, tmp_path / "r.html")
    md = (tmp_path / "r.md").read_text()
    assert "| `bad.py` | **FAIL** |" in md and "## Not tested" in md and "&lt;script&gt;" in md
    page = (tmp_path / "r.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<script>" not in page and "&lt;script&gt;" in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.md"]  # atomic: no temp files left


def test_report_suffix_is_checked(tmp_path):
    with pytest.raises(ValueError, match=r"\.json, \.md or \.html"):
        report_module.write_report(stage_result(), tmp_path / "r.txt")


def test_command_bad_usage_exits_2(tmp_path: Path, capsys):
    (tmp_path / "src").mkdir()
    (tmp_path / "out").mkdir()
    assert test_command(tmp_path / "out", tmp_path / "src", target="no-such-profile") == EXIT_USAGE
    assert "unknown target profile 'no-such-profile'" in capsys.readouterr().err
    assert test_command(tmp_path / "missing", tmp_path, report=[tmp_path / "r.json"]) == EXIT_USAGE
    assert test_command(tmp_path, tmp_path, report=[tmp_path / "r.txt"]) == EXIT_USAGE
    assert test_command(tmp_path, tmp_path) == EXIT_USAGE  # the same tree twice
    assert test_command(tmp_path / "out", tmp_path) == EXIT_USAGE  # one inside the other
