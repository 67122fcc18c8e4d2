"""The long-lived loader on real DAG files in the real Airflow 2 runtime (slow).

One loader per module (Airflow imported once); every file is written by the test.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from airflow_runtime.client import RuntimeSession
from airflow_runtime.results import (
    STATUS_CRASHED,
    STATUS_ERROR,
    STATUS_IMPORT_ERROR,
    STATUS_MEMORY,
    STATUS_OK,
    STATUS_TIMEOUT,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

GOOD = '''
from datetime import datetime, timedelta
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator

with DAG("good_dag", start_date=datetime(2021, 1, 1), schedule="@daily", catchup=False,
         default_args={"retries": 2}) as dag:
    extract = BashOperator(task_id="extract", bash_command="echo {{ ds }} {{ data_interval_end }}")
    load = EmptyOperator(task_id="load", trigger_rule="all_done")
    extract >> load
'''


def one(session: RuntimeSession, path: Path, **kwargs):
    (result,) = session.load_files([path], **kwargs)
    return result


def test_good_dag_comes_back_with_its_structure(session, write_dag):
    result = one(session, write_dag("good.py", GOOD))
    assert result.status == STATUS_OK, result
    assert result.dag_ids == ("good_dag",)
    assert not result.import_errors and not result.render_failures and not result.warnings
    (structure,) = result.dags
    assert structure.dag_id == "good_dag"
    assert structure.task_ids == ("extract", "load")
    assert structure.edges == (("extract", "load"),)
    assert structure.catchup is False
    assert structure.retries == {"extract": 2, "load": 2}
    assert structure.trigger_rules["load"] == "all_done"
    assert result.elapsed_s > 0


def test_syntax_error_reports_its_line(session, write_dag):
    path = write_dag("syntax.py", '''
        from airflow import DAG

        def broken(:
            pass
    ''')
    result = one(session, path)
    assert result.status == STATUS_IMPORT_ERROR
    (error,) = result.import_errors
    assert error.message.startswith("SyntaxError")
    assert error.line == 3 and result.line == 3


def test_missing_import_reports_module_and_line(session, write_dag):
    path = write_dag("missing.py", '''
        from datetime import datetime
        from airflow import DAG
        from airflow.contrib.operators.no_such_operator import NoSuchOperator
    ''')
    result = one(session, path)
    assert result.status == STATUS_IMPORT_ERROR
    (error,) = result.import_errors
    assert "ModuleNotFoundError" in error.message and "no_such_operator" in error.message
    assert error.line == 3


def test_endless_import_times_out_and_the_rest_of_the_batch_succeeds(session, write_dag):
    loop = write_dag("loop.py", '''
        from airflow import DAG
        while True:
            pass
    ''')
    goods = [write_dag(f"good_{i}.py", GOOD.replace('"good_dag"', f'"good_{i}"')) for i in range(3)]
    results = session.load_files([goods[0], loop, goods[1], goods[2]], timeout_s=3)
    assert [r.status for r in results] == [STATUS_OK, STATUS_TIMEOUT, STATUS_OK, STATUS_OK]
    assert "importing" in results[1].detail
    assert [r.dag_ids for r in results if r.ok] == [("good_0",), ("good_1",), ("good_2",)]


def test_hard_exit_at_import_is_a_crash(session, write_dag):
    path = write_dag("exit3.py", '''
        import os
        from airflow import DAG
        os._exit(3)
    ''')
    result = one(session, path)
    assert result.status == STATUS_CRASHED
    assert "code 3" in result.detail


def test_segfault_at_import_is_a_crash(session, write_dag):
    path = write_dag("segv.py", '''
        import ctypes
        from airflow import DAG
        ctypes.string_at(0)
    ''')
    result = one(session, path)
    assert result.status == STATUS_CRASHED
    assert "SIGSEGV" in result.detail


def test_sys_exit_at_import_is_a_crash_with_its_line(session, write_dag):
    path = write_dag("sysexit.py", '''
        import sys
        from airflow import DAG
        sys.exit(4)
    ''')
    result = one(session, path)
    assert result.status == STATUS_CRASHED
    assert "SystemExit" in result.detail and result.line == 3


def test_memory_hog_hits_the_memory_limit(session, write_dag):
    path = write_dag("hog.py", '''
        from airflow import DAG
        blocks = []
        while True:
            blocks.append(bytearray(64 * 1024 * 1024))
    ''')
    result = one(session, path)
    assert result.status == STATUS_MEMORY, result
    assert result.line == 4


def test_loader_survives_all_of_it_in_one_batch(session, write_dag):
    bad = {
        "exit.py": "import os\nos._exit(9)\n",
        "segv.py": "import ctypes\nctypes.string_at(0)\n",
        "hog.py": "x = []\nwhile True:\n    x.append(bytearray(64 * 1024 * 1024))\n",
    }
    paths = [write_dag(name, "from airflow import DAG\n" + body) for name, body in bad.items()]
    paths.append(write_dag("fine.py", GOOD))
    results = session.load_files(paths, timeout_s=20)
    assert [r.status for r in results] == [STATUS_CRASHED, STATUS_CRASHED, STATUS_MEMORY, STATUS_OK]


def test_provide_context_warns_with_its_line(session, write_dag):
    path = write_dag("ctx.py", '''
        from datetime import datetime
        from airflow import DAG
        from airflow.operators.python import PythonOperator

        def work(**context):
            return context["ds"]

        with DAG("ctx_dag", start_date=datetime(2021, 1, 1), schedule=None) as dag:
            PythonOperator(task_id="work", python_callable=work, provide_context=True)
    ''')
    result = one(session, path)
    assert result.status == STATUS_OK
    matching = [w for w in result.warnings if "provide_context" in w.message]
    assert matching, result.warnings
    assert matching[0].lineno == 9
    assert matching[0].filename == str(path)
    assert "RemovedInAirflow3Warning" in matching[0].category


def test_deprecated_import_paths_warn_with_their_lines(session, write_dag):
    path = write_dag("old_paths.py", '''
        from datetime import datetime
        from airflow import DAG
        from airflow.operators.bash_operator import BashOperator

        with DAG("old_paths", start_date=datetime(2021, 1, 1), schedule_interval="@daily") as dag:
            BashOperator(task_id="t", bash_command="true")
    ''')
    result = one(session, path)
    assert result.status == STATUS_OK
    lines = {w.lineno: w for w in result.warnings}
    assert "airflow.operators.bash.BashOperator" in lines[3].message
    assert "schedule_interval" in lines[5].message


def test_undefined_template_variables_are_reported_with_task_and_field(session, write_dag):
    path = write_dag("templates.py", '''
        from datetime import datetime
        from airflow import DAG
        from airflow.operators.bash import BashOperator

        with DAG("tmpl", start_date=datetime(2021, 1, 1), schedule="@daily") as dag:
            BashOperator(task_id="typo", bash_command="echo {{ yesterday_ds_x }}")
            BashOperator(task_id="removed", bash_command="echo {{ tables }}")
            BashOperator(task_id="fine", bash_command="echo {{ ds }} {{ params.x }}", params={"x": 1})
    ''')
    result = one(session, path)
    assert result.status == STATUS_OK
    failures = {(f.task_id, f.field): f for f in result.render_failures}
    assert set(failures) == {("typo", "bash_command"), ("removed", "bash_command")}
    assert "yesterday_ds_x" in failures["typo", "bash_command"].error
    assert failures["typo", "bash_command"].kind == "undefined"
    assert "tables" in failures["removed", "bash_command"].error
    assert failures["removed", "bash_command"].dag_id == "tmpl"


def test_execution_date_renders_but_warns_against_its_task(session, write_dag):
    path = write_dag("exec_date.py", '''
        from datetime import datetime
        from airflow import DAG
        from airflow.operators.bash import BashOperator

        with DAG("exec_date", start_date=datetime(2021, 1, 1), schedule="@daily") as dag:
            BashOperator(task_id="old_style", bash_command="echo {{ execution_date }}")
            BashOperator(task_id="new_style", bash_command="echo {{ logical_date }}")
    ''')
    result = one(session, path)
    assert result.status == STATUS_OK
    assert not result.render_failures
    warned = [w for w in result.render_warnings if "execution_date" in w.message]
    assert [(w.task_id, w.field) for w in warned] == [("old_style", "bash_command")]


def test_rendering_can_be_skipped(session, write_dag):
    path = write_dag("skip.py", GOOD.replace("{{ ds }}", "{{ not_defined }}"))
    assert one(session, path, render_templates=False).render_failures == ()
    assert len(one(session, path).render_failures) == 1


def test_subdag_parses_against_the_metadata_db(session, write_dag):
    path = write_dag("subdag.py", '''
        from datetime import datetime
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        from airflow.operators.subdag import SubDagOperator

        START = datetime(2021, 1, 1)

        def child(parent, name):
            with DAG(f"{parent}.{name}", start_date=START, schedule="@daily") as sub:
                EmptyOperator(task_id="inner")
            return sub

        with DAG("parent", start_date=START, schedule="@daily") as dag:
            SubDagOperator(task_id="section", subdag=child("parent", "section"))
    ''')
    result = one(session, path)
    assert result.status == STATUS_OK, (result.import_errors, result.detail)
    assert result.dag_ids == ("parent",)
    assert [s.dag_id for s in result.dags[0].subdags] == ["parent.section"]


def test_stdout_noise_does_not_break_the_protocol(session, write_dag):
    path = write_dag("noisy.py", 'print("{\\"event\\": \\"result\\", \\"id\\": \\"1\\"}")\n' + GOOD)
    result = one(session, path)
    assert result.status == STATUS_OK and result.dag_ids == ("good_dag",)


def test_background_processes_of_a_dag_file_are_killed(session, write_dag, tmp_path):
    # A forked copy of the child (starting a program at import is refused by the loader's guard); it writes
    # its pid to the scratch folder, the child's HOME, the only place a DAG file may write.
    pid_file = Path(session.ready_info["scratch_dir"]) / "sleeper.pid"
    path = write_dag("spawns.py", '''
        import os, time
        from airflow import DAG
        pid = os.fork()
        if pid == 0:
            time.sleep(300)
            os._exit(0)
        open(os.path.expanduser("~/sleeper.pid"), "w").write(str(pid))
    ''')
    assert one(session, path).status == STATUS_OK
    pid = int(pid_file.read_text())
    for _ in range(50):  # the kill is sent before the result; give the kernel a moment to reap
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        pytest.fail("the DAG file's background process outlived its load")


def test_shared_library_probe_is_allowed_but_a_dag_program_is_refused(session, write_dag):
    # ctypes.util.find_library runs ldconfig/gcc/ld: asyncssh (imported by the sftp provider) probes for
    # liboqs and libnettle at import, so the sftp operators must load; a program the DAG starts is refused.
    probe = write_dag("probe.py", "import ctypes.util\nctypes.util.find_library('nettle')\n" + GOOD)
    assert one(session, probe).status == STATUS_OK
    sftp = write_dag("sftp.py", "from airflow.providers.sftp.operators.sftp import SFTPOperator\n" + GOOD)
    result = one(session, sftp)
    assert result.status == STATUS_OK and not result.import_errors, result
    program = write_dag("program.py", "import subprocess\nsubprocess.run(['true'])\n" + GOOD)
    result = one(session, program)
    assert result.status == STATUS_IMPORT_ERROR
    assert "program started at import" in result.import_errors[0].message
    assert result.import_errors[0].line == 2


def test_generated_protobuf_modules_stay_loaded_between_files(runtime_python, airflow_home_template, write_dag):
    # protobuf's descriptor pool is process-wide: a proto-plus module imported again after the reset between
    # files failed with "duplicate file name ....proto" (1.10.15's example_gcp_compute_igm after
    # example_gcp_compute). With protobuf and grpc preloaded, nothing taints the child, so both files share it.
    uses_compute = GOOD.replace("from airflow import DAG", "from airflow import DAG\n"
                                "from google.cloud.compute_v1.types import compute")
    first, second = write_dag("compute_a.py", uses_compute), write_dag("compute_b.py", uses_compute)
    preload = ("google.protobuf", "grpc", "proto", "google.api_core.gapic_v1")
    with RuntimeSession(python=runtime_python, airflow_home_template=airflow_home_template, jobs=1,
                        preload=preload) as own:
        results = own.load_files([first, second], render_templates=False)
    assert [r.status for r in results] == [STATUS_OK, STATUS_OK], [r.import_errors for r in results]


def test_sibling_modules_import_from_the_dags_root(session, tmp_path, write_dag):
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "__init__.py").write_text("")
    (tmp_path / "common" / "settings.py").write_text("OWNER = 'data-eng'\n")
    (tmp_path / "team").mkdir()
    path = tmp_path / "team" / "uses_common.py"
    path.write_text("from common.settings import OWNER\n" + GOOD)
    assert one(session, path).status == STATUS_IMPORT_ERROR  # default root: the file's own folder
    assert one(session, path, dags_root=tmp_path).status == STATUS_OK


def test_missing_file_is_an_error_result_not_an_exception(session, tmp_path):
    result = one(session, tmp_path / "nope.py")
    assert result.status == STATUS_ERROR and "no such file" in result.detail
