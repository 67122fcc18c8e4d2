"""Wave planning: cross-DAG dependencies read statically from DAG sources, wave checks and proposals.

The DAG sources are written here, small and explicit, in both Airflow 1.10 and 2.x spellings; the corpus
tests run the whole scan over the project's Airflow 1.10 corpora and compare with their README.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.test_corpus import rows_for
from waves.dag_graph import (
    AIRFLOW_CLI,
    MARKER,
    MENTION,
    SAME_FILE,
    SENSOR,
    TRIGGER,
    DagGraph,
    Dependency,
    Location,
    build_graph,
    extract_file,
    scan_tree,
)
from waves.plan import (
    SPLIT_DEPENDENCY,
    SPLIT_MENTION,
    SPLIT_POOL,
    UNDEFINED_DEPENDENCY,
    UNKNOWN_DAG,
    check_wave,
    dags_of_files,
    oversized_groups,
    propose_waves,
)
from waves.plan_cli import plan_command

ROOT = Path(__file__).resolve().parents[2]
HEADER = "from datetime import datetime\n"


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def edges(facts) -> set[tuple[str, str, str, int]]:
    return {(d.source, d.target, d.kind, d.location.line) for d in facts.dependencies}


# ------------------------------------------------------------------ extraction


def test_airflow_110_paths_dag_assignment_and_dag_keyword():
    facts = extract_file(src('''
        from airflow import DAG
        from airflow.sensors.external_task_sensor import ExternalTaskSensor, ExternalTaskMarker
        from airflow.operators.dagrun_operator import TriggerDagRunOperator

        dag = DAG("orders", schedule_interval="@daily")
        ExternalTaskSensor(task_id="wait", external_dag_id="ingest", external_task_id="done", dag=dag)
        ExternalTaskMarker(task_id="mark", external_dag_id="reports", external_task_id="x", dag=dag)
        TriggerDagRunOperator(task_id="go", trigger_dag_id="exports", dag=dag)
    '''), "orders.py")
    assert [(d.dag_id, str(d.location)) for d in facts.dags] == [("orders", "orders.py:5")]
    assert edges(facts) == {
        ("orders", "ingest", SENSOR, 6), ("orders", "reports", MARKER, 7), ("orders", "exports", TRIGGER, 8),
    }
    assert facts.unresolved == () and facts.error is None


def test_airflow_2_paths_with_dag_and_dag_id_keyword():
    facts = extract_file(src('''
        from airflow.models.dag import DAG
        from airflow.sensors.external_task import ExternalTaskSensor
        from airflow.operators.trigger_dagrun import TriggerDagRunOperator

        with DAG(dag_id="marts") as dag:
            ExternalTaskSensor(task_id="wait", external_dag_id="ingest")
            TriggerDagRunOperator(
                task_id="go",
                trigger_dag_id="exports",
            )
    '''), "marts.py")
    assert [d.dag_id for d in facts.dags] == ["marts"]
    # the line of the keyword, the one to look at in a long call
    assert edges(facts) == {("marts", "ingest", SENSOR, 6), ("marts", "exports", TRIGGER, 9)}


def test_legacy_package_module_alias_subclass_and_airflow2_decorator():
    facts = extract_file(src('''
        import airflow
        from airflow import models
        from airflow.operators import TriggerDagRunOperator as Trigger
        from airflow.operators.sensors import ExternalTaskSensor
        import airflow.sensors.external_task_sensor as ets
        from airflow.decorators import dag as dag_decorator

        class WaitLonger(ExternalTaskSensor):
            pass

        a = models.DAG("a")
        b = airflow.DAG("b")
        Trigger(task_id="t", trigger_dag_id="x", dag=a)
        ets.ExternalTaskMarker(task_id="m", external_dag_id="y", dag=b)
        WaitLonger(task_id="w", external_dag_id="z", dag=b)

        @dag_decorator(schedule=None)
        def decorated():
            ExternalTaskSensor(task_id="w2", external_dag_id="a")

        @dag_decorator(dag_id="named_by_keyword")
        def other():
            pass
    '''), "mixed.py")
    assert [d.dag_id for d in facts.dags] == ["a", "b", "decorated", "named_by_keyword"]
    assert {(s, t, k) for s, t, k, _ in edges(facts) if k != SAME_FILE} == {
        ("a", "x", TRIGGER), ("b", "y", MARKER), ("b", "z", SENSOR), ("decorated", "a", SENSOR),
    }
    # DAGs of one file are deployed together: chained by same-file edges, in id order
    assert {(s, t) for s, t, k, _ in edges(facts) if k == SAME_FILE} == {
        ("a", "b"), ("b", "decorated"), ("decorated", "named_by_keyword"),
    }


def test_classes_of_the_same_name_from_other_packages_are_not_airflow():
    facts = extract_file(src('''
        from airflow import DAG
        from mycompany.sensors import ExternalTaskSensor

        dag = DAG("solo")
        ExternalTaskSensor(task_id="w", external_dag_id="elsewhere", dag=dag)
    '''), "solo.py")
    assert facts.dependencies == ()


def test_module_constants_resolve_and_unknown_values_are_reported_with_their_line():
    facts = extract_file(src('''
        from airflow import DAG
        from airflow.sensors.external_task_sensor import ExternalTaskSensor

        PREFIX = "sales"
        UPSTREAM: str = PREFIX + "_ingest"
        CHANGES = "a"
        CHANGES = "b"
        REGIONS = ["emea", "apac"]

        with DAG(f"{PREFIX}_daily") as daily:
            ExternalTaskSensor(task_id="w", external_dag_id=UPSTREAM)
            ExternalTaskSensor(task_id="w2", external_dag_id=CHANGES)

        for region in REGIONS:
            globals()[region] = DAG(f"{PREFIX}_{region}")

        def factory(dag_id):
            PREFIX = "shadowed"
            with DAG(dag_id) as dag:
                ExternalTaskSensor(task_id="w", external_dag_id=PREFIX)
            return dag
    '''), "consts.py")
    assert [d.dag_id for d in facts.dags] == ["sales_daily"]
    assert edges(facts) == {("sales_daily", "sales_ingest", SENSOR, 11)}
    assert [(str(u.location), u.role, u.expression) for u in facts.unresolved] == [
        ("consts.py:12", "external_dag_id", "CHANGES"),          # assigned twice: not a constant
        ("consts.py:15", "dag_id", "f'{PREFIX}_{region}'"),      # a loop variable
        ("consts.py:19", "dag_id", "dag_id"),                    # a factory parameter
        ("consts.py:20", "external_dag_id", "PREFIX"),           # shadowed by a local
    ]


def test_a_dependency_whose_dag_is_unknown_is_reported_not_guessed():
    facts = extract_file(src('''
        from airflow import DAG
        from airflow.operators.dagrun_operator import TriggerDagRunOperator

        def build(name):
            dag = DAG(name)
            with dag:
                TriggerDagRunOperator(task_id="t", trigger_dag_id="target")
            return dag
    '''), "factory.py")
    assert facts.dags == () and facts.dependencies == ()
    assert {(u.location.line, u.role, u.expression) for u in facts.unresolved} == {
        (5, "dag_id", "name"), (7, "task dag", "name"),
    }


def test_pools_from_tasks_and_default_args_but_not_other_dicts():
    facts = extract_file(src('''
        from airflow import DAG
        from airflow.operators.bash_operator import BashOperator
        from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator

        POOL = "warehouse"
        default_args = {"owner": "bi", "pool": POOL}
        dag = DAG("loads", default_args=default_args)
        other = DAG("other", default_args=dict(retries=1, pool="api_calls"))
        BashOperator(task_id="a", bash_command="x", pool="etl", dag=dag)
        BashOperator(task_id="b", bash_command="x", pool=None, dag=dag)
        KubernetesPodOperator(task_id="k", node_selectors={"pool": "nodes"}, dag=other)
        BashOperator(task_id="c", bash_command="x", pool=pick_pool(), dag=other)
    '''), "pools.py")
    assert {(p.dag_id, p.pool, p.location.line) for p in facts.pools} == {
        ("loads", "warehouse", 7), ("other", "api_calls", 8), ("loads", "etl", 9),
    }
    assert [(u.location.line, u.role) for u in facts.unresolved] == [(12, "pool")]


def test_syntax_error_names_file_and_line():
    facts = extract_file("from airflow import DAG\n\ndef broken(:\n    pass\n", "dags/broken.py")
    assert facts.dags == () and facts.error is not None
    assert (facts.error.file, facts.error.line) == ("dags/broken.py", 3)
    assert str(facts.error).startswith("dags/broken.py:3: does not parse")


def test_dag_ids_in_strings_cli_commands_are_hard_other_mentions_soft():
    graph = build_graph([
        extract_file(src('''
            from airflow import DAG
            from airflow.operators.bash_operator import BashOperator
            dag = DAG("controller")
            BashOperator(task_id="t", bash_command="airflow trigger_dag -r x target_a", dag=dag)
            BashOperator(task_id="u", bash_command="airflow dags clear -y target_b", dag=dag)
            LOOKUP = {"dag_id": "target_c", "note": "target_x is not a dag"}
        '''), "controller.py"),
        extract_file('from airflow import DAG\nd = DAG("target_a")\ne = DAG("target_b")\n', "ab.py"),
        extract_file('from airflow import DAG\nd = DAG("target_c")\n', "c.py"),
    ])
    found = {(d.source, d.target, d.kind, str(d.location)) for d in graph.dependencies if d.kind != SAME_FILE}
    assert found == {
        ("controller", "target_a", AIRFLOW_CLI, "controller.py:4"),
        ("controller", "target_b", AIRFLOW_CLI, "controller.py:5"),
        ("controller", "target_c", MENTION, "controller.py:6"),
    }
    assert graph.components()[0] == ("controller", "target_a", "target_b")


def test_scan_tree_goes_on_after_broken_files(tmp_path):
    (tmp_path / "good.py").write_text('from airflow import DAG\ndag = DAG("good")\n')
    (tmp_path / "bad.py").write_text('from airflow import DAG\ndag = DAG("bad"\n')
    (tmp_path / "latin1.py").write_bytes(b'# caf\xe9\nfrom airflow import DAG\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nested.py").write_text('from airflow import DAG\ndag = DAG("nested")\n')
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "skip.py").write_text('from airflow import DAG\ndag = DAG("hidden")\n')
    graph = scan_tree(tmp_path)
    assert graph.files == ("bad.py", "good.py", "latin1.py", "sub/nested.py")
    assert graph.dag_ids == ("good", "nested")
    errors = {e.file: e for e in graph.errors}
    assert set(errors) == {"bad.py", "latin1.py"}
    assert errors["bad.py"].line == 2 and "does not parse" in errors["bad.py"].message
    assert errors["latin1.py"].line == 1 and "utf-8" in errors["latin1.py"].message.lower()
    assert graph.root == str(tmp_path.resolve())


# ------------------------------------------------------------------ a graph to plan with


def tree_graph() -> DagGraph:
    """ingest <- marts (sensor), marts -> publish (trigger); exports alone; two DAGs share pool "db";
    legacy depends on a DAG no file defines; report mentions "exports"."""
    files = {
        "ingest.py": 'from airflow import DAG\ndag = DAG("ingest", default_args={"pool": "db"})\n',
        "marts.py": src('''
            from airflow import DAG
            from airflow.sensors.external_task import ExternalTaskSensor
            from airflow.operators.trigger_dagrun import TriggerDagRunOperator
            with DAG("marts") as dag:
                ExternalTaskSensor(task_id="w", external_dag_id="ingest")
                TriggerDagRunOperator(task_id="t", trigger_dag_id="publish")
        '''),
        "publish.py": 'from airflow import DAG\ndag = DAG("publish")\n',
        "exports.py": src('''
            from airflow import DAG
            from airflow.operators.bash_operator import BashOperator
            dag = DAG("exports")
            BashOperator(task_id="a", bash_command="x", pool="db", dag=dag)
        '''),
        "legacy.py": src('''
            from airflow import DAG
            from airflow.sensors.external_task_sensor import ExternalTaskSensor
            dag = DAG("legacy")
            ExternalTaskSensor(task_id="w", external_dag_id="mainframe_feed", dag=dag)
        '''),
        "report.py": 'from airflow import DAG\ndag = DAG("report")\nWHICH = "exports"\n',
    }
    return build_graph([extract_file(text, name) for name, text in files.items()], "/dags")


def test_graph_groups_and_undefined_ids():
    graph = tree_graph()
    assert graph.dag_ids == ("exports", "ingest", "legacy", "marts", "publish", "report")
    assert graph.undefined == ("mainframe_feed",)
    assert graph.components() == (
        ("ingest", "marts", "publish"), ("legacy", "mainframe_feed"), ("exports",), ("report",),
    )
    assert graph.pool_members() == {"db": ("exports", "ingest")}
    assert [d.describe() for d in graph.soft_dependencies] == ["report mentions the dag id of exports (report.py:3)"]


def test_check_wave_warns_both_directions_naming_the_edge():
    graph = tree_graph()
    warnings = check_wave(graph, ["marts"])
    hard = [w for w in warnings if w.hard]
    assert [(w.dag_ids, str(w.location)) for w in hard] == [
        (("marts", "ingest"), "marts.py:5"), (("marts", "publish"), "marts.py:6"),
    ]
    assert "marts waits for ingest (marts.py:5)" in hard[0].message
    assert "ingest stays on Composer 1" in hard[0].message
    # the other direction: ingest moves, the DAG waiting for it stays
    (w,) = [w for w in check_wave(graph, ["ingest", "exports"]) if w.hard]
    assert w.kind == SPLIT_DEPENDENCY and "marts waits for ingest" in w.message and "marts stays" in w.message


def test_check_wave_soft_warnings_pool_mention_undefined_unknown():
    graph = tree_graph()
    assert check_wave(graph, ["ingest", "marts", "publish", "exports", "report"]) == []
    kinds = {w.kind: w for w in check_wave(graph, ["ingest", "marts", "publish", "legacy", "nope"])}
    assert set(kinds) == {SPLIT_POOL, UNDEFINED_DEPENDENCY, UNKNOWN_DAG}
    assert not any(w.hard for w in kinds.values())
    assert "pool 'db'" in kinds[SPLIT_POOL].message and "exports (staying)" in kinds[SPLIT_POOL].message
    assert str(kinds[SPLIT_POOL].location) == "ingest.py:2"
    assert "mainframe_feed" in kinds[UNDEFINED_DEPENDENCY].message
    (mention,) = check_wave(graph, ["exports", "ingest", "marts", "publish"])
    assert mention.kind == SPLIT_MENTION and not mention.hard and "report.py:3" in mention.message


def test_propose_waves_keeps_groups_whole_and_soft_relations_together_when_they_fit():
    graph = tree_graph()
    waves = propose_waves(graph, 5)
    assert waves == [["exports", "ingest", "marts", "publish", "report"], ["legacy"]]
    assert propose_waves(graph, 5) == waves  # deterministic
    # too small for the pool cluster: groups stay whole, the soft relations are given up, first fit packs
    assert propose_waves(graph, 3) == [["ingest", "marts", "publish"], ["exports", "legacy", "report"]]
    for size in (1, 2, 3, 4, 5, 10):
        waves = propose_waves(graph, size)
        placed = [d for w in waves for d in w]
        assert sorted(placed) == list(graph.dag_ids)  # every defined DAG once, undefined ones never
        for wave in waves:
            assert not any(w.hard for w in check_wave(graph, wave))
            assert len(wave) <= size or (len(wave) == 3 and size < 3)


def test_oversized_group_gets_its_own_wave():
    graph = tree_graph()
    assert oversized_groups(graph, 2) == [("ingest", "marts", "publish")]
    assert propose_waves(graph, 2)[0] == ["ingest", "marts", "publish"]
    assert oversized_groups(graph, 3) == []
    with pytest.raises(ValueError, match="at least 1"):
        propose_waves(graph, 0)


def test_dags_of_files():
    assert dags_of_files(tree_graph(), ["marts.py", "publish.py", "missing.py"]) == (
        ("marts", "publish"), ("missing.py",))


def test_dependency_describe():
    dep = Dependency("a", "b", TRIGGER, Location("x.py", 3))
    assert dep.describe() == "a triggers b (x.py:3)" and dep.hard


# ------------------------------------------------------------------ the command


def write_tree(root: Path) -> Path:
    dags = root / "dags"
    dags.mkdir()
    (dags / "ingest.py").write_text('from airflow import DAG\ndag = DAG("ingest")\n')
    (dags / "marts.py").write_text(src('''
        from airflow import DAG
        from airflow.sensors.external_task_sensor import ExternalTaskSensor
        dag = DAG("marts")
        ExternalTaskSensor(task_id="w", external_dag_id="ingest", dag=dag)
    '''))
    (dags / "alone.py").write_text('from airflow import DAG\ndag = DAG("alone")\n')
    (dags / "broken.py").write_text("from airflow import DAG\nDAG(\n")
    return dags


def write_spec(root: Path, dags: list[str]) -> Path:
    spec = root / "wave.yaml"
    spec.write_text(textwrap.dedent(f"""\
        wave: first
        source_dir: dags
        dags: {json.dumps(dags)}
        source: composer1-test
        target: composer2-test
        approvers:
          promote: [lead@example.com]
          cutover: [ops@example.com]
    """))
    return spec


def run_plan(*args: str):
    app = typer.Typer()
    app.command("plan")(plan_command)
    app.callback()(lambda: None)
    return CliRunner().invoke(app, ["plan", *args])


def test_plan_command_checks_a_wave_spec_and_writes_json(tmp_path):
    dags = write_tree(tmp_path)
    out = tmp_path / "plan.json"
    result = run_plan(str(dags), "--wave", str(write_spec(tmp_path, ["marts.py", "alone.py"])), "--json", str(out))
    assert result.exit_code == 1, result.output
    assert "marts waits for ingest (marts.py:4)" in " ".join(result.output.split())
    assert "broken.py:2" in result.output
    report = json.loads(out.read_text())
    assert report["schema"] == 1
    assert report["counts"] == {"files": 4, "errors": 1, "dags": 3, "hard_dependencies": 1, "soft_dependencies": 0,
                                "pools": 0, "unresolved": 0, "groups": 1}
    assert report["groups"] == [["ingest", "marts"]]
    assert report["proposed_waves"] == [["alone", "ingest", "marts"]]
    assert report["wave"]["dag_ids"] == ["alone", "marts"] and report["wave"]["ok"] is False
    assert [w["kind"] for w in report["wave"]["warnings"]] == [SPLIT_DEPENDENCY]

    ok = run_plan(str(dags), "--wave", str(write_spec(tmp_path, ["ingest.py", "marts.py"])), "--json", "-")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["wave"]["ok"] is True


def test_plan_command_bad_usage(tmp_path):
    assert run_plan(str(tmp_path / "missing")).exit_code == 2
    assert run_plan(str(tmp_path), "--max-wave-size", "0").exit_code == 2
    bad_spec = tmp_path / "bad.yaml"
    bad_spec.write_text("wave: x\n")
    result = run_plan(str(tmp_path), "--wave", str(bad_spec))
    assert result.exit_code == 2 and "invalid wave spec" in result.output


def test_plan_command_with_oversized_group_notes_it(tmp_path):
    dags = write_tree(tmp_path)
    result = run_plan(str(dags), "--max-wave-size", "1")
    assert result.exit_code == 0
    assert "more than the maximum wave size 1" in " ".join(result.output.split())


# ------------------------------------------------------------------ the project's corpora


@pytest.mark.parametrize("tree, readme_section", [
    ("tests/corpus/airflow1", "airflow1/"),
    ("examples/airflow1", "examples/airflow1/"),
])
def test_corpus_scan(tree, readme_section, capsys):
    graph = scan_tree(ROOT / tree)
    expected = rows_for(readme_section)
    assert graph.errors == ()
    assert len(graph.files) == len(expected)
    for file in graph.files:  # every DAG id found is one the corpus README lists for that file
        assert set(graph.dags_in_file(file)) <= expected[file][1], file
    for wave in propose_waves(graph, 10):
        assert not any(w.hard for w in check_wave(graph, wave))
    with capsys.disabled():
        print(f"\n{tree}: {len(graph.files)} files, {len(graph.dag_ids)} DAGs, {len(graph.hard_dependencies)} hard "
              f"and {len(graph.soft_dependencies)} soft dependencies, {len(graph.pool_members())} pools, "
              f"{len(graph.unresolved)} unresolved, {sum(len(g) > 1 for g in graph.components())} groups")


def test_corpus_known_dependencies():
    corpus = scan_tree(ROOT / "tests/corpus/airflow1")
    found = {(d.source, d.target, d.kind) for d in corpus.dependencies}
    assert {
        ("corpus_sensors_mix", "corpus_python_callables_context", SENSOR),
        ("corpus_sensors_mix", "corpus_xcom_patterns", MARKER),
        ("corpus_legacy_package_imports", "corpus_module_alias_imports", SENSOR),
        ("example_trigger_controller_dag", "example_trigger_target_dag", TRIGGER),
        ("corpus_cli_in_bash", "corpus_xcom_patterns", AIRFLOW_CLI),
    } <= found
    assert ("corpus_email_callbacks_sla", "billing_pool") in {(p.dag_id, p.pool) for p in corpus.pools}
    examples = scan_tree(ROOT / "examples/airflow1")
    assert {(d.source, d.target, d.kind) for d in examples.hard_dependencies} == {
        ("sales_marts", "sales_gcs_to_bq", SENSOR),
        ("reporting_refresh_controller", "reporting_refresh", TRIGGER),
    }


def test_broken_corpus_reports_each_file_and_keeps_the_valid_one():
    graph = scan_tree(ROOT / "tests/corpus/broken")
    assert "corpus_broken_valid_neighbour" in graph.dag_ids
    assert {e.file for e in graph.errors} >= {"syntax_error.py", "python2_print.py", "non_utf8_latin1.py"}
    assert next(e for e in graph.errors if e.file == "syntax_error.py").line == 14
