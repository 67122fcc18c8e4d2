"""RuntimeSession robustness (slow: real loader in the real runtime) and result round-trips (pure)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from airflow_runtime.build import RuntimeNotBuiltError
from airflow_runtime.client import LoaderStartError, RuntimeSession, load_files_once
from airflow_runtime.results import STATUS_CRASHED, STATUS_OK, FileLoadResult

GOOD = '''
from datetime import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator
with DAG("{dag_id}", start_date=datetime(2021, 1, 1), schedule=None) as dag:
    BashOperator(task_id="t", bash_command="echo {{{{ ds }}}}")
'''

KILLS_ITS_LOADER = '''
import os, signal, time
from airflow import DAG
time.sleep(0.5)
os.kill(os.getppid(), signal.SIGKILL)
time.sleep(30)
'''


def _gone(pid: int) -> bool:
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_result_round_trips_through_its_dict():
    raw = {
        "event": "result", "id": "3", "file": "/d/x.py", "status": "ok", "elapsed_s": 0.25, "detail": None,
        "import_errors": [], "warnings": [{"category": "DeprecationWarning", "message": "m", "filename": "/d/x.py",
                                           "lineno": 3, "source": "import"}],
        "dag_ids": ["x"], "dags": [{"dag_id": "x", "task_ids": ["a", "b"], "edges": [["a", "b"]]}],
        "render_failures": [{"dag_id": "x", "task_id": "a", "field": "bash_command", "error": "e", "kind": "undefined"}],
        "render_warnings": [], "notes": ["n"], "max_rss_mb": 120.5, "from_the_future": 1,
    }
    result = FileLoadResult.from_dict(raw)
    assert result.ok and result.dags[0].edges == (("a", "b"),)
    assert result.warnings[0].lineno == 3 and result.render_failures[0].kind == "undefined"
    assert result.extra == {"from_the_future": 1}
    again = FileLoadResult.from_dict(result.to_dict())
    assert again == result


def test_session_without_a_built_runtime_says_how_to_build_it(tmp_path: Path):
    with pytest.raises(RuntimeNotBuiltError, match="runtime build --target airflow-2.10.5"):
        RuntimeSession("airflow-2.10.5", root=tmp_path / "no-runtimes").start()


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_python_without_airflow_fails_to_start_with_the_reason(tmp_path: Path, airflow_home_template: Path):
    with pytest.raises(LoaderStartError, match="cannot import Airflow"):
        RuntimeSession(python=Path(sys.executable), airflow_home_template=airflow_home_template,
                       workdir=tmp_path).start()
    assert not list(tmp_path.iterdir())  # the work directory is cleaned up


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_loader_death_marks_in_flight_files_crashed_and_restarts(runtime_python, airflow_home_template,
                                                                  tmp_path: Path):
    killer = tmp_path / "killer.py"
    killer.write_text(KILLS_ITS_LOADER)
    goods = []
    for i in range(4):
        goods.append(tmp_path / f"good_{i}.py")
        goods[-1].write_text(GOOD.format(dag_id=f"good_{i}"))
    seen: list[FileLoadResult] = []
    with RuntimeSession(python=runtime_python, airflow_home_template=airflow_home_template, jobs=1) as session:
        first_pid = session.loader_pid
        results = session.load_files([goods[0], killer, goods[1], goods[2]], on_result=seen.append)
        assert [r.status for r in results] == [STATUS_OK, STATUS_CRASHED, STATUS_OK, STATUS_OK]
        assert "loader process died" in results[1].detail
        assert [r.dag_ids for r in results if r.ok] == [("good_0",), ("good_1",), ("good_2",)]
        assert session.restarts == 1 and session.loader_pid != first_pid
        assert sorted(r.id for r in seen) == sorted(r.id for r in results)
        # The session keeps working after the restart.
        (after,) = session.load_files([goods[3]])
        assert after.status == STATUS_OK
        loader_pid, workdir = session.loader_pid, session.workdir
    assert _gone(loader_pid)
    assert not workdir.exists()


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_close_mid_flight_stops_everything(runtime_python, airflow_home_template, tmp_path: Path):
    slow = tmp_path / "slow.py"  # writes its pid to the scratch folder, its HOME (the only place it may write)
    slow.write_text("import os, time\nopen(os.path.expanduser('~/child.pid'), 'w').write(str(os.getpid()))\n"
                    "time.sleep(600)\n")
    session = RuntimeSession(python=runtime_python, airflow_home_template=airflow_home_template)
    session.start()
    pid_file = Path(session.ready_info["scratch_dir"]) / "child.pid"
    session._proc.stdin.write(f'{{"id": "x", "file": "{slow}"}}\n'.encode())  # fire and forget
    session._proc.stdin.flush()
    for _ in range(100):
        if pid_file.exists() and pid_file.read_text():
            break
        time.sleep(0.1)
    child_pid, loader_pid = int(pid_file.read_text()), session.loader_pid
    session.close(timeout_s=1)
    assert _gone(loader_pid) and _gone(child_pid)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_load_files_once(runtime_python, airflow_home_template, tmp_path: Path):
    path = tmp_path / "once.py"
    path.write_text(GOOD.format(dag_id="once"))
    (result,) = load_files_once([path], python=runtime_python, airflow_home_template=airflow_home_template)
    assert result.status == STATUS_OK and result.dag_ids == ("once",)
