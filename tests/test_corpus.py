"""Checks on the Airflow 1.10 DAG corpora the project converts, tests and benchmarks with.

- examples/airflow1/ (the demo DAGs), tests/corpus/airflow1/ and tests/corpus/broken/ are what
  tests/corpus/README.md says they are: one README row per file, the dag ids it lists, the errors it names;
- every non-broken file is Python 3.11 syntax and defines a DAG, imports only the standard library and
  Airflow (no provider that the target runtime lacks), and calls no hook / Variable / connection at import
  time (Airflow 1.10 operators are not loaded here: Python 3.11 cannot run Airflow 1.10);
- bench/generate_corpus.py is deterministic and writes valid, distinct DAG files of 40-200 lines.
"""

from __future__ import annotations

import ast
import importlib.util
import io
import os
import re
import subprocess
import sys
import tokenize
from collections import Counter
from pathlib import Path

import pytest

from bench import generate_corpus
from bench.generate_corpus import MAX_LINES, MIN_LINES, generate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "airflow1"
CORPUS = ROOT / "tests" / "corpus" / "airflow1"
BROKEN = ROOT / "tests" / "corpus" / "broken"
README = ROOT / "tests" / "corpus" / "README.md"

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.py"))
CORPUS_FILES = sorted(CORPUS.glob("*.py"))
VALID_FILES = EXAMPLE_FILES + CORPUS_FILES
BROKEN_EXPECTED = {
    "syntax_error.py", "python2_print.py", "non_utf8_latin1.py", "empty.py", "helper_no_dag.py",
    "valid_neighbour.py",
}
# Provider families that the target runtime does not install (see the project's target profile).
FOREIGN_PROVIDERS = (
    "s3", "aws", "emr", "sagemaker", "athena", "redshift", "dynamodb", "hive", "presto", "qubole", "docker",
    "databricks", "azure", "wasb", "mssql", "oracle", "jdbc", "vertica", "snowflake", "spark", "druid",
    "pig", "redis", "mongo", "cassandra", "jenkins", "jira", "winrm", "datadog", "dingding", "discord",
    "opsgenie", "papermill", "segment", "sqoop", "hdfs", "hipchat",
)
# Third-party modules a DAG may import besides airflow: Airflow 1.10 and 2.x both depend on them (`six`
# through python-dateutil, a Requires-Dist of apache-airflow 1.10.15 and 2.10.5, which requires six).
AIRFLOW_DEPENDENCIES = {"dateutil", "pendulum", "jinja2", "six"}
# Google Cloud client libraries public DAGs import, installed with Airflow 1.10.15's `gcp` extra and with
# apache-airflow-providers-google 19.0.0: google-cloud-dlp is a Requires-Dist of both wheels; google-api-core
# is one of google 19.0.0 and, in 1.10.15, comes with the `gcp` extra's google-cloud-* libraries (which require
# it; 1.10.15's own GCP hooks import it).
GCP_CLIENT_LIBRARIES = ("google.cloud.dlp_v2", "google.api_core")
MODULE_LEVEL_FORBIDDEN = re.compile(r"(Hook$|^Variable\.(get|set|setdefault|delete)$|get_connections?$)")


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- README parsing ---------------------------------------------------------------------------

def readme_rows() -> dict[str, dict[str, tuple[str, set[str]]]]:
    """Section title -> {file name -> (description, dag ids)} from the README's tables."""
    sections: dict[str, dict[str, tuple[str, set[str]]]] = {}
    current = None
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = {}
            continue
        m = re.match(r"^\| `([^`]+\.py)` \|(.*)\|(.*)\|\s*$", line)
        if m and current is not None:
            name, desc, ids = m.group(1), m.group(2).strip(), m.group(3)
            assert name not in sections[current], f"README lists {name} twice in '{current}'"
            sections[current][name] = (desc, set(re.findall(r"`([^`]+)`", ids)))
    return sections


def rows_for(prefix: str) -> dict[str, tuple[str, set[str]]]:
    merged: dict[str, tuple[str, set[str]]] = {}
    for title, rows in readme_rows().items():
        if title.startswith(prefix):
            for name, row in rows.items():
                assert name not in merged, f"README lists {name} in two '{prefix}' sections"
                merged[name] = row
    return merged


# --- static DAG facts -------------------------------------------------------------------------

def dag_ids(tree: ast.Module) -> tuple[list[str], int]:
    """(dag ids that are literal at module level, number of DAG(...) calls whose id is computed)."""
    consts = {
        t.id: st.value.value
        for st in tree.body
        if isinstance(st, ast.Assign) and isinstance(st.value, ast.Constant) and isinstance(st.value.value, str)
        for t in st.targets
        if isinstance(t, ast.Name)
    }
    dag_names = {"DAG"} | {
        a.asname or a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module in ("airflow", "airflow.models", "airflow.models.dag")
        for a in n.names
        if a.name == "DAG"
    }
    static: list[str] = []
    dynamic = 0

    def visit(node: ast.AST, in_function: bool) -> None:
        nonlocal dynamic
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            in_function = True
        if isinstance(node, ast.Call):
            f = node.func
            if (isinstance(f, ast.Name) and f.id in dag_names) or (isinstance(f, ast.Attribute) and f.attr == "DAG"):
                arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "dag_id"), None)
                value = None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    value = arg.value
                elif isinstance(arg, ast.Name):
                    value = consts.get(arg.id)
                if value is None or in_function:
                    dynamic += 1
                else:
                    static.append(value)
        for child in ast.iter_child_nodes(node):
            visit(child, in_function)

    visit(tree, False)
    return static, dynamic


def module_level_calls(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, dotted callee) of calls that run at import time (not inside a def/lambda body)."""
    found: list[tuple[int, str]] = []

    def name_of(expr: ast.AST) -> str:
        if isinstance(expr, ast.Name):
            return expr.id
        if isinstance(expr, ast.Attribute):
            return f"{name_of(expr.value)}.{expr.attr}"
        return "?"

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for d in getattr(node, "decorator_list", []):
                visit(d)
            return
        if isinstance(node, ast.Call):
            found.append((node.lineno, name_of(node.func)))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def imported_modules(tree: ast.Module) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return out


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_bytes(), filename=str(path))


# --- the bundled files ------------------------------------------------------------------------

def test_file_counts_match_the_brief():
    assert 11 <= len(EXAMPLE_FILES) <= 14, [p.name for p in EXAMPLE_FILES]
    assert 80 <= len(CORPUS_FILES) <= 95, len(CORPUS_FILES)
    public = [p for p in CORPUS_FILES if p.name.startswith("public_")]
    assert 45 <= len(public) <= 55, [p.name for p in public]
    assert {p.name for p in BROKEN.glob("*.py")} == BROKEN_EXPECTED


def test_readme_states_the_file_counts():
    m = re.search(r"`airflow1/` — (\d+) DAG files: (\d+) written for this project, (\d+) public", README.read_text())
    assert m, "README lost its count line for airflow1/"
    public = sum(p.name.startswith("public_") for p in CORPUS_FILES)
    assert tuple(map(int, m.groups())) == (len(CORPUS_FILES), len(CORPUS_FILES) - public, public)


@pytest.mark.parametrize("path", VALID_FILES, ids=_rel)
def test_file_compiles_and_defines_a_dag(path: Path):
    source = path.read_text(encoding="utf-8")
    code = compile(source, str(path), "exec")
    assert code is not None
    # Composer 1 ran Airflow 1.10 on Python 3.6+: nothing newer than 3.6 syntax (no walrus, no
    # positional-only parameters, ...).
    ast.parse(source, filename=str(path), feature_version=(3, 6))
    assert "DAG(" in source, f"{_rel(path)} has no DAG( call"
    static, dynamic = dag_ids(parse(path))
    assert static or dynamic, f"{_rel(path)}: no DAG(...) call found in the syntax tree"


@pytest.mark.parametrize("path", VALID_FILES, ids=_rel)
def test_file_keeps_comments(path: Path):
    # The converter must preserve comments, so the inputs must have some to preserve.
    tokens = [line for line in path.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("#")]
    assert tokens, f"{_rel(path)} has no comment lines"


@pytest.mark.parametrize("path", VALID_FILES, ids=_rel)
def test_file_imports_only_stdlib_and_airflow(path: Path):
    for line, module in imported_modules(parse(path)):
        top = module.split(".")[0]
        if path.name.startswith("public_") and module.startswith(GCP_CLIENT_LIBRARIES):
            continue
        assert top == "airflow" or top in sys.stdlib_module_names or top in AIRFLOW_DEPENDENCIES, (
            f"{_rel(path)}:{line} imports {module}, which is neither stdlib nor Airflow"
        )
        if top == "airflow":
            parts = set(re.split(r"[._]", module.lower()))
            foreign = parts & set(FOREIGN_PROVIDERS)
            assert not foreign, f"{_rel(path)}:{line} imports {module}: provider {foreign} is not in the target runtime"


@pytest.mark.parametrize("path", VALID_FILES, ids=_rel)
def test_no_hook_variable_or_connection_call_at_import_time(path: Path):
    offenders = [
        f"line {line}: {callee}()"
        for line, callee in module_level_calls(parse(path))
        if MODULE_LEVEL_FORBIDDEN.search(callee)
    ]
    assert not offenders, f"{_rel(path)} touches the metadata DB or network at import time: {offenders}"


def test_import_time_check_catches_a_top_level_variable_get():
    tree = ast.parse(
        "from airflow.models import Variable\n"
        "BUCKET = Variable.get('bucket')\n"
        "def f():\n    return Variable.get('inside_is_fine')\n"
    )
    callees = [c for _, c in module_level_calls(tree) if MODULE_LEVEL_FORBIDDEN.search(c)]
    assert callees == ["Variable.get"]


def test_dag_ids_are_unique_across_examples_and_corpus():
    seen: dict[str, str] = {}
    for path in VALID_FILES + [BROKEN / "valid_neighbour.py"]:
        for dag_id in dag_ids(parse(path))[0]:
            assert dag_id not in seen, f"dag id {dag_id!r} in {_rel(path)} and {seen[dag_id]}"
            seen[dag_id] = _rel(path)


def test_verify_fails_dag_is_the_single_failing_bash_task():
    path = EXAMPLES / "verify_fails_dag.py"
    source = path.read_text(encoding="utf-8")
    tree = parse(path)
    assert dag_ids(tree) == (["verify_fails_dag"], 0)
    operators = [c for _, c in module_level_calls(tree) if c.endswith("Operator")]
    assert operators == ["BashOperator"]
    assert "exit 1" in source
    assert "rollback" in source.lower() and "demo" in source.lower()


def test_example_constructs_required_by_the_demo_are_present():
    text = "\n".join(p.read_text(encoding="utf-8") for p in EXAMPLE_FILES)
    for needle in (
        "GoogleCloudStorageToBigQueryOperator", "DataProcPySparkOperator", "KubernetesPodOperator",
        "airflow.contrib.kubernetes.secret", "airflow.contrib.kubernetes.volume", "VolumeMount", "resources={",
        "provide_context=True", "**kwargs", "{{ ds }}", "{{ execution_date }}", "{{ next_ds }}",
        "{{ yesterday_ds }}", "{{ prev_ds }}", "dag_run_obj.payload", "ExternalTaskSensor", "SubDagOperator",
        "BranchPythonOperator", "DummyOperator", "trigger_rule=", "PostgresOperator", "MySqlOperator",
        "SimpleHttpOperator", "HttpSensor", "SlackAPIPostOperator", "SSHOperator", "retry_delay", "email",
        "days_ago", "concurrency=", "task_concurrency=", "catchup=", "schedule_interval=None",
        "schedule_interval=timedelta(", 'schedule_interval="@', 'schedule_interval="0 ',
    ):
        assert needle in text, f"no example uses {needle!r}"


# --- the README -------------------------------------------------------------------------------

def test_readme_has_one_row_per_file_and_no_stale_rows():
    for prefix, files in (("airflow1/", CORPUS_FILES), ("broken/", sorted(BROKEN.glob("*.py"))),
                          ("examples/", EXAMPLE_FILES)):
        rows = rows_for(prefix)
        names = {p.name for p in files}
        assert set(rows) == names, (
            f"README '{prefix}' rows vs files: missing {sorted(names - set(rows))}, stale {sorted(set(rows) - names)}"
        )
        for name, (desc, _) in rows.items():
            assert len(desc) > 20, f"README row for {name} does not say what it exercises"


@pytest.mark.parametrize("path", VALID_FILES + [BROKEN / "valid_neighbour.py"], ids=_rel)
def test_readme_dag_ids_match_the_file(path: Path):
    section = "examples/" if path.parent == EXAMPLES else ("broken/" if path.parent == BROKEN else "airflow1/")
    _, listed = rows_for(section)[path.name]
    static, dynamic = dag_ids(parse(path))
    assert set(static) <= listed, f"{path.name}: README misses dag ids {sorted(set(static) - listed)}"
    if not dynamic:
        assert listed == set(static), f"{path.name}: README lists {sorted(listed)}, file defines {sorted(static)}"
    else:
        assert len(listed) > len(set(static)), f"{path.name}: computed dag ids are not listed in the README"


def test_public_files_name_their_source_and_license():
    for path in CORPUS_FILES:
        if not path.name.startswith("public_"):
            continue
        head = path.read_text(encoding="utf-8")[:600]
        assert head.startswith("# Source: "), f"{path.name} lacks a source header"
        assert re.search(r"# Source: (apache/airflow|GoogleCloudPlatform/python-docs-samples), \S+", head)
        assert "Apache-2.0" in head and "Apache License, Version 2.0" in path.read_text(encoding="utf-8")


# --- the broken inputs ------------------------------------------------------------------------

def _stated_line(name: str) -> int:
    desc, _ = rows_for("broken/")[name]
    m = re.search(r"on line (\d+)", desc)
    assert m, f"README row for {name} does not state the line"
    return int(m.group(1))


@pytest.mark.parametrize("name", ["syntax_error.py", "python2_print.py"])
def test_broken_syntax_fails_at_the_line_the_readme_states(name: str):
    path = BROKEN / name
    with pytest.raises(SyntaxError) as err:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    assert err.value.lineno == _stated_line(name)
    if name == "python2_print.py":
        assert "print" in err.value.msg
        assert 'print "' in path.read_text(encoding="utf-8").splitlines()[err.value.lineno - 1]


def test_broken_non_utf8_file_fails_to_decode():
    path = BROKEN / "non_utf8_latin1.py"
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError) as err:
        raw.decode("utf-8")
    line_of_bad_byte = raw[: err.value.start].count(b"\n") + 1
    assert line_of_bad_byte == _stated_line("non_utf8_latin1.py")
    assert raw[err.value.start] == 0xE9
    with pytest.raises(UnicodeDecodeError):
        importlib.util.decode_source(raw)
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    assert encoding == "utf-8", "must have no coding cookie (so UTF-8 is assumed)"
    assert "Résumé" in raw.decode("latin-1")


def test_broken_empty_and_helper_files():
    assert (BROKEN / "empty.py").read_bytes() == b""
    helper = BROKEN / "helper_no_dag.py"
    source = helper.read_text(encoding="utf-8")
    compile(source, str(helper), "exec")
    assert dag_ids(parse(helper)) == ([], 0)
    assert "DAG(" not in source


def test_broken_folder_has_a_valid_neighbour():
    path = BROKEN / "valid_neighbour.py"
    compile(path.read_text(encoding="utf-8"), str(path), "exec")
    assert dag_ids(parse(path)) == (["corpus_broken_valid_neighbour"], 0)


# --- the generator ----------------------------------------------------------------------------

def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_generator_same_seed_same_bytes(tmp_path: Path):
    a = generate(tmp_path / "a", 60, seed=7)
    b = generate(tmp_path / "b", 60, seed=7)
    assert [p.relative_to(tmp_path / "a") for p in a] == [p.relative_to(tmp_path / "b") for p in b]
    assert _tree_bytes(tmp_path / "a") == _tree_bytes(tmp_path / "b")


def test_generator_same_bytes_in_another_process_with_another_hash_seed(tmp_path: Path):
    generate(tmp_path / "here", 40, seed=5)
    for hash_seed in ("0", "987"):
        out = tmp_path / f"proc{hash_seed}"
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate_corpus.py"), str(out), "--count", "40", "--seed", "5"],
            check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": hash_seed}, timeout=120,
        )
        assert _tree_bytes(out) == _tree_bytes(tmp_path / "here")


def test_generator_different_seed_different_output(tmp_path: Path):
    generate(tmp_path / "a", 30, seed=1)
    generate(tmp_path / "b", 30, seed=2)
    a, b = _tree_bytes(tmp_path / "a"), _tree_bytes(tmp_path / "b")
    assert a != b
    assert set(a) != set(b), "different seeds should give different dag ids / paths"


def test_generator_prefix_does_not_depend_on_count(tmp_path: Path):
    small = generate(tmp_path / "small", 10, seed=3)
    big = generate(tmp_path / "big", 40, seed=3)
    for s, b in zip(small, big[:10]):
        assert s.read_bytes() == b.read_bytes()


def test_generator_output_is_valid_distinct_and_sized(tmp_path: Path):
    paths = generate(tmp_path, 250, seed=1)
    assert len(paths) == 250 and len(set(paths)) == 250
    ids = []
    kinds: Counter[str] = Counter()
    for path in paths:
        assert path.is_file() and path.suffix == ".py" and path.parent.parent == tmp_path
        source = path.read_text(encoding="utf-8")
        compile(source, str(path), "exec")
        ast.parse(source, feature_version=(3, 6))
        lines = source.count("\n")
        assert MIN_LINES <= lines <= MAX_LINES, f"{path.name}: {lines} lines"
        assert "DAG(" in source and "# " in source
        static, dynamic = dag_ids(ast.parse(source))
        assert len(static) == 1, f"{path.name}: {static}, {dynamic} computed"
        assert path.stem == static[0]
        ids.append(static[0])
        kinds[re.search(r"\((\w+) pipeline\)", source).group(1)] += 1
        for line, module in imported_modules(ast.parse(source)):
            top = module.split(".")[0]
            assert top == "airflow" or top in sys.stdlib_module_names, f"{path.name}:{line} imports {module}"
        assert not [c for _, c in module_level_calls(ast.parse(source)) if MODULE_LEVEL_FORBIDDEN.search(c)]
    assert len(set(ids)) == len(ids)
    assert set(kinds) == {k for k, _ in generate_corpus.KIND_WEIGHTS}, kinds
    common = kinds["bash"] + kinds["python"] + kinds["gcs_bq"]
    assert common > 0.55 * len(paths), kinds
    for rare in ("k8s", "dataproc", "trigger", "sensors", "subdag"):
        assert kinds[rare] < 0.15 * len(paths), kinds


def test_generator_varies_styles(tmp_path: Path):
    text = "\n".join(p.read_text(encoding="utf-8") for p in generate(tmp_path, 200, seed=1))
    for needle in (
        "with DAG(", "dag=dag,", "from airflow.operators import ", " as ", "xcom_push=True", "bql=",
        "provide_context=True", "set_downstream(", "schedule_interval=SCHEDULE", "SCHEDULE = None",
        "SCHEDULE = timedelta(", "SCHEDULE = \"@", "days_ago(", "dag_run_obj.payload", "SubDagOperator(",
        "KubernetesPodOperator(", "DataProcPySparkOperator(", "ExternalTaskSensor(", "{{ next_ds }}",
    ):
        assert needle in text, f"no generated file contains {needle!r}"


def test_generator_cli_and_arguments(tmp_path: Path):
    assert generate_corpus.main([str(tmp_path / "cli"), "--count", "5", "--seed", "4"]) == 0
    written = sorted((tmp_path / "cli").rglob("*.py"))
    assert len(written) == 5
    assert _tree_bytes(tmp_path / "cli") == _tree_bytes(_regen(tmp_path / "api", 5, 4))
    assert generate(tmp_path / "none", 0, seed=1) == []
    with pytest.raises(ValueError):
        generate(tmp_path / "neg", -1, seed=1)


def _regen(root: Path, count: int, seed: int) -> Path:
    generate(root, count, seed=seed)
    return root


# --- slow: what the converter's parser sees ----------------------------------------------------

@pytest.mark.slow
def test_every_file_round_trips_through_libcst(tmp_path: Path):
    """The converter parses with libcst: every valid input must parse and render back byte for byte
    (comments included), and the broken ones must fail to parse or decode."""
    import libcst

    generated = generate(tmp_path, 300, seed=11)
    for path in VALID_FILES + [BROKEN / "valid_neighbour.py", BROKEN / "helper_no_dag.py", BROKEN / "empty.py"] + generated:
        source = path.read_text(encoding="utf-8")
        assert libcst.parse_module(source).code == source, f"{path} does not round-trip"
    for name in ("syntax_error.py", "python2_print.py"):
        with pytest.raises(libcst.ParserSyntaxError):
            libcst.parse_module((BROKEN / name).read_text(encoding="utf-8"))
    with pytest.raises(UnicodeDecodeError):
        libcst.parse_module((BROKEN / "non_utf8_latin1.py").read_bytes())
