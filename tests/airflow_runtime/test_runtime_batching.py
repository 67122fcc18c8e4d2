"""Batches: one loader child loads several files in turn (slow: real loader in the real runtime).

A crash or timeout in the middle of a batch ends that child; the files after it load in a fresh child.
Warnings, import errors and modules stay per file, and what a file does to the process is undone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_runtime.client import RuntimeSession
from airflow_runtime.results import STATUS_CRASHED, STATUS_IMPORT_ERROR, STATUS_OK, STATUS_TIMEOUT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

GOOD = '''
from datetime import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator
with DAG("{dag_id}", start_date=datetime(2021, 1, 1), schedule="@daily") as dag:
    BashOperator(task_id="t", bash_command="echo {{{{ ds }}}}")
'''

DEPRECATED = '''
from datetime import datetime
from airflow import DAG
from airflow.operators.bash_operator import BashOperator
with DAG("{dag_id}", start_date=datetime(2021, 1, 1), schedule_interval="@daily") as dag:
    BashOperator(task_id="t", bash_command="echo {{{{ execution_date }}}}")
'''


@pytest.fixture(scope="module")
def one_worker(runtime_python: Path, airflow_home_template: Path):
    """One worker, batches of 10: every file of a short list goes to the same child unless it dies."""
    with RuntimeSession(python=runtime_python, airflow_home_template=airflow_home_template, jobs=1,
                        memory_limit_mb=1024, batch_size=10) as s:
        yield s


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_batch_shares_one_child(one_worker, tmp_path):
    paths = [_write(tmp_path / f"g{i}.py", GOOD.format(dag_id=f"g{i}")) for i in range(4)]
    results = one_worker.load_files(paths)
    assert [r.status for r in results] == [STATUS_OK] * 4
    assert [r.dag_ids for r in results] == [(f"g{i}",) for i in range(4)]
    assert all(r.elapsed_s < 10 for r in results)


@pytest.mark.parametrize("body, status, detail", [
    ("import os\nos._exit(5)\n", STATUS_CRASHED, "code 5"),
    ("import ctypes\nctypes.string_at(0)\n", STATUS_CRASHED, "SIGSEGV"),
    ("import sys\nsys.exit(3)\n", STATUS_CRASHED, "SystemExit"),
    ("while True:\n    pass\n", STATUS_TIMEOUT, "importing"),
])
def test_a_failure_mid_batch_is_that_files_and_the_rest_load_in_a_new_child(one_worker, tmp_path, body, status,
                                                                             detail):
    before = [_write(tmp_path / f"before{i}.py", GOOD.format(dag_id=f"before{i}")) for i in range(2)]
    bad = _write(tmp_path / "bad.py", "from airflow import DAG\n" + body)
    after = [_write(tmp_path / f"after{i}.py", GOOD.format(dag_id=f"after{i}")) for i in range(3)]
    results = one_worker.load_files([*before, bad, *after], timeout_s=3)
    assert [r.status for r in results] == [STATUS_OK, STATUS_OK, status, STATUS_OK, STATUS_OK, STATUS_OK]
    assert detail in results[2].detail
    assert [r.file for r in results] == [str(p) for p in [*before, bad, *after]]
    assert [r.dag_ids for r in results if r.ok] == [("before0",), ("before1",), ("after0",), ("after1",),
                                                    ("after2",)]
    assert one_worker.restarts == 0  # the loader itself never died


def test_warnings_are_attributed_per_file_across_a_batch(one_worker, tmp_path):
    paths = [_write(tmp_path / "dep1.py", DEPRECATED.format(dag_id="dep1")),
             _write(tmp_path / "clean.py", GOOD.format(dag_id="clean")),
             _write(tmp_path / "dep2.py", DEPRECATED.format(dag_id="dep2"))]
    dep1, clean, dep2 = one_worker.load_files(paths)
    for result, path in ((dep1, paths[0]), (dep2, paths[2])):
        assert result.status == STATUS_OK
        lines = {w.lineno: w.message for w in result.warnings}
        assert "airflow.operators.bash.BashOperator" in lines[4]  # module-level: again in the second file
        assert "schedule_interval" in lines[5]
        assert all(w.filename == str(path) for w in result.warnings)
        assert [(w.task_id, w.field) for w in result.render_warnings if "execution_date" in w.message] \
            == [("t", "bash_command")]
    assert clean.status == STATUS_OK and not clean.warnings and not clean.render_warnings


def test_two_files_with_the_same_helper_module_name_each_get_their_own(one_worker, tmp_path):
    for team, value in (("a", "from_a"), ("b", "from_b")):
        _write(tmp_path / team / "helpers.py", f"VALUE = {value!r}\n")
    uses = '''
import helpers
from datetime import datetime
from airflow import DAG
with DAG("dag_" + helpers.VALUE, start_date=datetime(2021, 1, 1), schedule=None) as dag:
    pass
'''
    only_b = 'import helpers\nfrom airflow import DAG\nhelpers.ONLY_IN_A\n'
    a = _write(tmp_path / "a" / "dag_a.py", uses)
    b = _write(tmp_path / "b" / "dag_b.py", uses)
    b2 = _write(tmp_path / "b" / "dag_b2.py", only_b)
    ra, rb, rb2 = one_worker.load_files([a, b, b2])
    assert ra.dag_ids == ("dag_from_a",) and rb.dag_ids == ("dag_from_b",)
    assert rb2.status == STATUS_IMPORT_ERROR and "ONLY_IN_A" in rb2.import_errors[0].message


def test_global_state_a_file_changes_does_not_reach_the_next_one(one_worker, tmp_path):
    mutates = '''
import os, sys, json, airflow
from airflow import DAG
os.environ["AIRFLOW__CORE__DEFAULT_TIMEZONE"] = "Asia/Tokyo"
os.environ["COMPOSER_MIGRATE_TEST_LEAK"] = "1"
os.chdir("/")
sys.path.insert(0, "/nonexistent")
json.dumps = lambda *a, **k: "patched"
airflow.DAG = None
'''
    probe = '''
import os, sys, json
import airflow
from airflow import DAG
from datetime import datetime
assert "COMPOSER_MIGRATE_TEST_LEAK" not in os.environ, "env leaked"
assert os.getcwd() != "/", "cwd leaked"
assert "/nonexistent" not in sys.path, "sys.path leaked"
assert json.dumps({}) == "{}", "json patch leaked"
assert airflow.DAG is DAG and DAG is not None, "airflow patch leaked"
with DAG("probe", start_date=datetime(2021, 1, 1), schedule=None) as dag:
    pass
'''
    first, second = one_worker.load_files([_write(tmp_path / "mutates.py", mutates),
                                           _write(tmp_path / "probe.py", probe)])
    assert first.status == STATUS_OK
    assert second.status == STATUS_OK, second.import_errors
    assert second.dag_ids == ("probe",)


def test_batched_and_one_child_per_file_give_the_same_results(runtime_python, airflow_home_template, tmp_path):
    paths = [_write(tmp_path / "dep.py", DEPRECATED.format(dag_id="dep")),
             _write(tmp_path / "good.py", GOOD.format(dag_id="good")),
             _write(tmp_path / "undef.py", GOOD.format(dag_id="undef").replace("{{ ds }}", "{{ nope }}")),
             _write(tmp_path / "broken.py", "from airflow import DAG\nimport no_such_module\n")]

    def strip(result):
        data = result.to_dict()
        for key in ("elapsed_s", "max_rss_mb", "id"):
            data.pop(key)
        return data

    outcomes = []
    for batch_size in (1, 10):
        with RuntimeSession(python=runtime_python, airflow_home_template=airflow_home_template, jobs=1,
                            batch_size=batch_size) as s:
            outcomes.append([strip(r) for r in s.load_files(paths)])
    assert outcomes[0] == outcomes[1]
