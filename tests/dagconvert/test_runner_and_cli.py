"""The tree runner, the reports and `cli.py convert` on real trees: bad files get a clear per-file error
and the batch goes on, the source is never written, outputs are atomic and complete, exit codes mean
something."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from dagconvert.engine import convert_source
from dagconvert.model import FileStatus
from dagconvert.report import to_json, to_markdown, write_report
from dagconvert.runner import TreeError, convert_tree

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "corpus" / "broken"
EXAMPLES = ROOT / "examples" / "airflow1"


def _digest(tree: Path) -> dict[str, str]:
    return {p.relative_to(tree).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(tree.rglob("*")) if p.is_file()}


def test_broken_inputs_get_clear_errors_and_the_batch_goes_on(tmp_path):
    before = _digest(BROKEN)
    result = convert_tree(BROKEN, tmp_path / "out", jobs=1)
    by_file = {f.path: f for f in result.files}
    assert by_file["syntax_error.py"].status is FileStatus.ERROR
    assert "syntax_error.py: line 14" in by_file["syntax_error.py"].error
    assert "Python 2 syntax" in by_file["python2_print.py"].error
    assert "python2_print.py: line 15" in by_file["python2_print.py"].error
    assert "not valid utf-8" in by_file["non_utf8_latin1.py"].error and "line 4" in by_file["non_utf8_latin1.py"].error
    assert by_file["helper_no_dag.py"].status is FileStatus.NOT_A_DAG
    assert by_file["valid_neighbour.py"].status is FileStatus.CONVERTED
    assert by_file["empty.py"].status in (FileStatus.NOT_A_DAG, FileStatus.UNCHANGED)
    # nothing is written for a file that could not be read; everything else is there
    written = {p.name for p in (tmp_path / "out").rglob("*.py")}
    assert written == {"valid_neighbour.py", "helper_no_dag.py", "empty.py"}
    assert _digest(BROKEN) == before, "the source tree was modified"


def test_output_is_complete_atomic_and_the_source_untouched(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(EXAMPLES, src)
    (src / "sql").mkdir()
    (src / "sql" / "daily.sql").write_text("SELECT 1 -- {{ ds }}\n")
    before = _digest(src)
    out = tmp_path / "out"
    result = convert_tree(src, out, jobs=2)
    assert not result.errors
    assert _digest(src) == before
    assert (out / "sql" / "daily.sql").read_text() == "SELECT 1 -- {{ ds }}\n"  # non-Python files copied
    assert {p.relative_to(out) for p in out.rglob("*") if p.is_file()} == {
        p.relative_to(src) for p in src.rglob("*") if p.is_file()}
    assert not [p for p in out.rglob("*") if p.name.startswith(".") and p.name.endswith(".tmp")]
    converted = [f for f in result.files if f.status is FileStatus.CONVERTED]
    assert converted and all(f.diff.startswith(f"--- a/{f.path}") for f in converted)
    assert all(c.line > 0 for f in result.files for c in (*f.changes, *f.todos))


def test_trees_that_contain_each_other_are_refused(tmp_path):
    with pytest.raises(TreeError, match="must not be the source"):
        convert_tree(EXAMPLES, EXAMPLES)
    src = tmp_path / "src"
    shutil.copytree(EXAMPLES, src)
    with pytest.raises(TreeError, match="must not contain each other"):
        convert_tree(src, src / "out")
    with pytest.raises(TreeError, match="does not exist"):
        convert_tree(tmp_path / "missing", tmp_path / "out")


def test_symlinks_out_of_the_tree_are_not_followed(tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text("from airflow import DAG\nd = DAG('outside', schedule_interval=None)\n")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(EXAMPLES / "verify_fails_dag.py", src)
    os.symlink(outside, src / "link.py")
    result = convert_tree(src, tmp_path / "out", jobs=1)
    # reported (skipped, with its target), never followed: nothing of it in the output
    assert [(f.path, f.status) for f in result.files] == [("link.py", FileStatus.ERROR),
                                                          ("verify_fails_dag.py", FileStatus.CONVERTED)]
    assert "skipped: a symlink to" in result.files[0].error and "outside the source tree; not read" in \
        result.files[0].error
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["verify_fails_dag.py"]


def test_reports_json_and_markdown(tmp_path):
    result = convert_tree(BROKEN, None, jobs=1)
    data = to_json(result)
    assert data["schema"] == 1 and data["kind"] == "conversion-report"
    assert data["totals"]["error"] == 3 and data["totals"]["files"] == len(result.files)
    assert set(data["rules"]) >= {c.rule for f in result.files for c in f.changes}
    text = to_markdown(result)
    assert "## Errors" in text and "syntax_error.py" in text
    write_report(result, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["totals"] == data["totals"]


def test_cli_convert_check_and_exit_codes(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    ok = runner.invoke(app, ["convert", str(EXAMPLES), str(out), "--report", str(tmp_path / "r.md")])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "r.md").read_text().startswith("# Conversion report")
    # --check on the converted output: nothing would change any more (idempotent) -> 0
    again = runner.invoke(app, ["convert", str(out), "--check"])
    assert again.exit_code == 0, again.output
    # --check on the 1.10 sources: files would change -> 1, and nothing is written
    check = runner.invoke(app, ["convert", str(EXAMPLES), "--check"])
    assert check.exit_code == 1
    # a batch with broken files converts the rest and exits 1
    broken = runner.invoke(app, ["convert", str(BROKEN), str(tmp_path / "b")])
    assert broken.exit_code == 1 and (tmp_path / "b" / "valid_neighbour.py").exists()
    # bad usage: no OUT, unknown profile
    assert runner.invoke(app, ["convert", str(EXAMPLES)]).exit_code == 2
    unknown = runner.invoke(app, ["convert", str(EXAMPLES), str(tmp_path / "x"), "--target", "nope"])
    assert unknown.exit_code == 2 and "unknown target profile" in unknown.output


def test_import_findings_keep_their_lines_after_a_rule_removes_a_module_level_statement():
    # AM111 removes `standard_library.install_aliases()`: the imports after it keep their own line numbers
    source = ("from future import standard_library\n"
              "standard_library.install_aliases()\n"
              "from airflow import DAG\n"
              "from airflow.operators.bash_operator import BashOperator\n"
              "from airflow.contrib.operators.gcs_to_bq import GoogleCloudStorageToBigQueryOperator\n")
    changes = {c.message.split(" -> ")[0]: c.line for c in convert_source(source, "x.py").changes}
    assert changes["import airflow.operators.bash_operator.BashOperator"] == 4
    assert changes["import airflow.contrib.operators.gcs_to_bq.GoogleCloudStorageToBigQueryOperator"] == 5


def test_a_rename_that_would_repeat_a_keyword_is_a_todo_and_the_output_compiles():
    source = ("from airflow import DAG\n"
              "from airflow.operators.bash_operator import BashOperator\n"
              "t = BashOperator(task_id='t', bash_command='true', task_concurrency=2, max_active_tis_per_dag=3)\n")
    result = convert_source(source, "x.py")
    compile(result.code, "x.py", "exec")
    assert "task_concurrency=2, max_active_tis_per_dag=3)" in result.code
    (todo,) = [t for t in result.todos if t.rule == "AM305"]
    assert "max_active_tis_per_dag= twice" in todo.message
    assert not [c for c in result.changes if c.rule == "AM305"]
    assert convert_source(result.code, "x.py").code == result.code
