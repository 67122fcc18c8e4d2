"""The runtime side in the REAL Airflow 2 runtime, checked against the static side.

The fixture DAG files under ``fixtures/`` come in pairs: ``*_af1.py`` written for Airflow 1.10, ``*_af2*.py``
its Airflow 2 conversion (imports and ``schedule_interval`` changed; one SubDAG turned into a TaskGroup).
Every ``*_af2*.py`` file is loaded once, in a subprocess of the runtime's Python, by
``python -m dagcheck.runtime_structure``. Asserted: the static extraction of an Airflow 2 file equals what
Airflow 2 loaded from it, and ``compare`` finds no failing difference between a 1.10 source and its
conversion.

The runtime's Python is ``$COMPOSER_MIGRATE_RUNTIME_PYTHON``, else the project's pinned runtime
(``.runtimes/airflow-2.10.5/venv``); the tests skip when there is none.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from dagcheck.compare import compare_files, failures
from dagcheck.static_structure import extract_static
from dagcheck.structure import DagStructure
from tests.runtime import require_runtime_python

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONVERTED = sorted(FIXTURES.glob("*_af2*.py"))


def runtime_python() -> Path:
    """The Airflow 2 runtime's Python, or skip with the reason."""
    return require_runtime_python()


@pytest.fixture(scope="module")
def runtime_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for the runtime's Python: its own AIRFLOW_HOME with a migrated sqlite DB.

    The DB is needed because constructing a SubDagOperator queries it, even for a pure parse.
    """
    python = runtime_python()
    home = tmp_path_factory.mktemp("airflow_home")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "PYTHONPATH": str(REPO),
        "RUNTIME_PYTHON": str(python),
    }
    migrate = subprocess.run([str(python), "-m", "airflow", "db", "migrate"], env=env, capture_output=True,
                             text=True, timeout=300, check=False)
    assert migrate.returncode == 0, migrate.stdout[-2000:] + migrate.stderr[-2000:]
    return env


def run_in_runtime(env: dict[str, str], args: list[str], tmp_path: Path) -> dict:
    """Run ``python -m dagcheck.runtime_structure`` in the runtime; its JSON output."""
    out = tmp_path / "structures.json"
    done = subprocess.run([env["RUNTIME_PYTHON"], "-m", "dagcheck.runtime_structure", "--out", str(out), *args],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def loaded(runtime_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[DagStructure]]:
    """Every converted fixture, loaded once by Airflow 2: file name -> structures of its DAGs."""
    data = run_in_runtime(runtime_env, [str(p) for p in CONVERTED], tmp_path_factory.mktemp("out"))
    out: dict[str, list[DagStructure]] = {}
    for path, result in data["files"].items():
        assert result["import_errors"] == {}, f"{path} failed to import in Airflow 2: {result['import_errors']}"
        out[Path(path).name] = [DagStructure.from_dict(d) for d in result["dags"]]
    return out


def static(name: str) -> tuple[DagStructure, ...]:
    path = FIXTURES / name
    extraction = extract_static(path.read_text(), str(path))
    assert extraction.notes == (), extraction.notes
    return extraction.dags


def without_lines(structure: DagStructure) -> DagStructure:
    """The runtime cannot know the line of the DAG(...) call: drop it before comparing."""
    return replace(structure, source_line=None, subdags=tuple(without_lines(s) for s in structure.subdags))


@pytest.mark.parametrize("name", [p.name for p in CONVERTED])
def test_static_extraction_of_an_airflow_2_file_equals_what_airflow_2_loads(loaded, name):
    assert [without_lines(s) for s in static(name)] == loaded[name]


@pytest.mark.parametrize(
    ("source", "converted"),
    [
        ("etl_af1.py", "etl_af2.py"),
        ("factory_af1.py", "factory_af2.py"),
        ("subdag_af1.py", "subdag_af2_kept.py"),
    ],
)
def test_a_1_10_source_and_its_conversion_have_no_failing_difference(loaded, source, converted):
    differences = compare_files(static(source), loaded[converted])
    assert failures(differences) == ()


def test_the_loaded_structures_are_what_the_fixtures_say(loaded):
    (etl,) = loaded["etl_af2.py"]
    assert etl.schedule == "0 3 * * *"
    assert etl.catchup is False
    assert etl.start_date == "2020-12-31T23:00:00"  # 2021-01-01 00:00 in Amsterdam, in UTC
    assert ("check_orders", "report") in etl.edges and ("start", "check_items") in etl.edges
    assert etl.retries["load_orders"] == 4 and etl.retries["extract_orders"] == 2
    assert etl.default_args == {"email": ["data@example.com"], "email_on_failure": False, "owner": "data-eng",
                                "retries": 2, "retry_delay": "timedelta:300"}
    (groups,) = loaded["groups_af2.py"]
    assert groups.task_groups == ("prepare", "prepare.clean", "publish")
    assert "to_table" in groups.task_ids and "prepare.clean.step_0" in groups.task_ids
    (kept,) = loaded["subdag_af2_kept.py"]
    assert [s.dag_id for s in kept.subdags] == ["with_subdag.section"]


def test_subdag_turned_into_task_group_is_an_allowed_difference(loaded):
    differences = compare_files(static("subdag_af1.py"), loaded["subdag_af2_group.py"])
    assert failures(differences) == ()
    assert [d.message for d in differences] == [
        "SubDAG 'with_subdag.section' became TaskGroup 'section' (3 tasks)",
        "task 'end' trigger rule 'dummy' is 'always' in Airflow 2",
    ]


def test_a_changed_conversion_is_caught(runtime_env, tmp_path):
    """A conversion that loses an edge and flips catchup fails, with the change named."""
    broken = tmp_path / "etl_broken.py"
    text = (FIXTURES / "etl_af2.py").read_text()
    broken.write_text(text.replace("catchup=False", "catchup=True").replace("archive >> done\n", ""))
    data = run_in_runtime(runtime_env, [str(broken)], tmp_path)
    converted = [DagStructure.from_dict(d) for d in data["files"][str(broken)]["dags"]]
    messages = [d.message for d in failures(compare_files(static("etl_af1.py"), converted))]
    assert messages == ["catchup False -> True", "task 'done' lost upstream 'archive'"]


def test_templated_fields_in_the_runtime(runtime_env, tmp_path):
    script = (
        "import json, sys\n"
        "from airflow.models.dagbag import DagBag\n"
        "from dagcheck.runtime_structure import templated_fields\n"
        "bag = DagBag(dag_folder=sys.argv[1], include_examples=False)\n"
        "task = bag.dags['etl_orders'].task_dict['extract_orders']\n"
        "print('RESULT=' + json.dumps({k: repr(v) for k, v in templated_fields(task).items()}))\n"
    )
    done = subprocess.run([runtime_env["RUNTIME_PYTHON"], "-c", script, str(FIXTURES / "etl_af2.py")],
                          env=runtime_env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT="))
    fields = json.loads(line[len("RESULT="):])
    assert fields["bash_command"] == repr("echo {{ ds }}")
    assert {"bash_command", "env", "cwd"} <= set(fields)
