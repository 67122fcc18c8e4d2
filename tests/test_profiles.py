"""Target profiles: every profile is complete and consistent, and its inventory matches its real runtime.

Fast tests (no runtime): each profile loads; its requirements are exact pins that parse, agree with its
constraints.txt and name its Airflow version; its inventory.json covers every candidate the engine may emit;
``cli.py profiles`` lists them; and the engine's decisions differ between the profiles where their
versions differ (google < 11 keeps the drop-in BigQueryExecuteQueryOperator; ``schedule`` needs Airflow 2.4).

Slow tests (real runtimes): every row of a profile's checked-in inventory.json is checked again inside
that profile's built runtime, and a converted BigQueryOperator DAG loads in the older profile's runtime.
CI builds only the default profile (``make test``): the older profile's slow test skips, saying how to
build its runtime, when that runtime is not built.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

import target_profiles
from airflow_runtime.build import runtime_problem
from dagconvert.candidates import inventory_candidates
from dagconvert.engine import convert_source
from target_profiles import DEFAULT_PROFILE, TargetProfile, available_profiles, load_profile

OLDER_PROFILE = "airflow-2.9.3"
PROFILES = available_profiles()
EXACT_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-]*)(\[[A-Za-z0-9_,.\-]+\])?==([0-9][0-9A-Za-z.+!\-]*)$")
BQ = "airflow.providers.google.cloud.operators.bigquery"
EXECUTE_QUERY = f"{BQ}.BigQueryExecuteQueryOperator"
INSERT_JOB = f"{BQ}.BigQueryInsertJobOperator"

BIGQUERY_DAG = '''
from datetime import datetime
from airflow import DAG
from airflow.contrib.operators.bigquery_operator import BigQueryOperator

with DAG("bq_older_profile", start_date=datetime(2021, 1, 1), schedule_interval="@daily", catchup=False) as dag:
    BigQueryOperator(
        task_id="aggregate",
        sql="SELECT day, COUNT(*) AS n FROM `p.d.events` WHERE day = '{{ ds }}' GROUP BY day",
        destination_dataset_table="p.d.daily_counts${{ ds_nodash }}",
        write_disposition="WRITE_TRUNCATE",
        use_legacy_sql=False,
    )
'''


def _canonical(name: str) -> str:
    """PEP 503 normalised distribution name, without extras."""
    return re.sub(r"[-_.]+", "-", name.split("[")[0]).lower()


def _requirement_lines(path: Path) -> list[str]:
    return [ln.split("#")[0].strip() for ln in path.read_text().splitlines() if ln.split("#")[0].strip()]


def _constraints(profile: TargetProfile) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in _requirement_lines(profile.constraints_file):
        m = EXACT_PIN.match(line)
        assert m, f"{profile.constraints_file}: not an exact pin: {line!r}"
        pins[_canonical(m.group(1))] = m.group(3)
    return pins


def _checked_in_inventory(profile: TargetProfile) -> dict:
    assert profile.inventory_file.is_file(), (
        f"{profile.inventory_file} is missing: generate it with "
        f"`python cli.py runtime inventory --target {profile.name}` (after `runtime build`)")
    return json.loads(profile.inventory_file.read_text())


# ------------------------------------------------------------------ fast: every profile is complete


def test_there_is_a_default_and_an_older_profile():
    assert DEFAULT_PROFILE in PROFILES and OLDER_PROFILE in PROFILES
    assert load_profile().name == DEFAULT_PROFILE


@pytest.mark.parametrize("name", PROFILES)
def test_profile_loads_and_describes_itself(name: str):
    profile = load_profile(name)
    meta = json.loads((profile.directory / "profile.json").read_text())
    assert profile.name == name == profile.directory.name
    assert profile.python_version == "3.11"
    assert profile.description.strip()
    assert meta.get("sources"), f"{name}/profile.json names no sources for its versions"
    assert profile.airflow_version == profile.pins.get("apache-airflow"), \
        "profile.json's airflow_version differs from the apache-airflow pin in requirements.txt"


@pytest.mark.parametrize("name", PROFILES)
def test_requirements_are_exact_pins_that_parse(name: str):
    profile = load_profile(name)
    lines = _requirement_lines(profile.requirements_file)
    assert lines, f"{profile.requirements_file} pins nothing"
    parsed = {}
    for line in lines:
        m = EXACT_PIN.match(line)
        assert m, f"{profile.requirements_file}: {line!r} is not an exact `name==version` pin"
        parsed[m.group(1).lower()] = m.group(3)
    assert parsed == profile.pins  # TargetProfile.pins reads every line, and nothing else
    assert all(re.match(r"^\d+(\.\d+)+$", v) for v in parsed.values()), parsed
    assert "apache-airflow-providers-google" in profile.pins


@pytest.mark.parametrize("name", PROFILES)
def test_requirements_pins_match_constraints(name: str):
    profile = load_profile(name)
    assert profile.constraints_file.is_file(), (
        f"{profile.constraints_file} is missing: `python cli.py runtime build --target {name} --refreeze`")
    frozen = _constraints(profile)
    wrong = {pkg: (want, frozen.get(_canonical(pkg))) for pkg, want in profile.pins.items()
             if frozen.get(_canonical(pkg)) != want}
    assert not wrong, f"requirements.txt pin vs constraints.txt (refreeze the profile): {wrong}"


@pytest.mark.parametrize("name", PROFILES)
def test_inventory_covers_every_candidate(name: str):
    profile = load_profile(name)
    data = _checked_in_inventory(profile)
    available, missing = set(data["available"]), set(data["missing"])
    assert data["profile"] == name
    assert not available & missing, f"both available and missing: {sorted(available & missing)}"
    assert data["available"] == sorted(available) and data["missing"] == sorted(missing)
    uncovered = sorted(set(inventory_candidates()) - available - missing)
    assert not uncovered, (
        f"{len(uncovered)} candidate import targets the engine may emit are not in {name}/inventory.json "
        f"(regenerate it: `python cli.py runtime inventory --target {name}`): {uncovered}")


def test_cli_lists_every_profile():
    from typer.testing import CliRunner

    import cli

    result = CliRunner().invoke(cli.app, ["profiles"], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    for name in PROFILES:
        profile = load_profile(name)
        assert name in result.output
        assert f"google {profile.provider_version('google')}" in result.output
    assert f"{DEFAULT_PROFILE} (default)" in result.output


# ------------------------------------------------------------------ fast: the profile makes a difference


def test_the_inventories_differ_where_the_google_provider_does():
    older, default = load_profile(OLDER_PROFILE), load_profile(DEFAULT_PROFILE)
    assert older.provider_version("google").startswith("10.")
    assert older.has(EXECUTE_QUERY) is True and default.has(EXECUTE_QUERY) is False
    assert older.has(INSERT_JOB) is True and default.has(INSERT_JOB) is True
    assert older.airflow_at_least("2.4") and not older.airflow_at_least("2.10")
    assert default.airflow_at_least("2.10")


def test_bigquery_operator_moves_to_the_drop_in_class_only_where_it_exists():
    older = convert_source(textwrap.dedent(BIGQUERY_DAG), "bq.py", OLDER_PROFILE)
    assert f"from {BQ} import BigQueryExecuteQueryOperator" in older.code
    assert "BigQueryExecuteQueryOperator(" in older.code and "BigQueryInsertJobOperator" not in older.code
    assert "sql=" in older.code and "destination_dataset_table=" in older.code  # drop-in: arguments kept
    assert convert_source(older.code, "bq.py", OLDER_PROFILE).code == older.code  # idempotent

    default = convert_source(textwrap.dedent(BIGQUERY_DAG), "bq.py", DEFAULT_PROFILE)
    assert "BigQueryExecuteQueryOperator" not in default.code
    # google 19: restructured into BigQueryInsertJobOperator(configuration=...), or left with a TODO
    assert "BigQueryInsertJobOperator(" in default.code or "TODO(airflow2)" in default.code


def _throwaway_profile(tmp_path: Path, older: TargetProfile, airflow_version: str) -> str:
    """A profile folder under tmp_path, like the older profile but pinning another Airflow."""
    name = f"test-airflow-{airflow_version}"
    directory = tmp_path / name
    directory.mkdir()
    (directory / "profile.json").write_text(json.dumps({"name": name, "airflow_version": airflow_version}))
    (directory / "requirements.txt").write_text(
        older.requirements_file.read_text().replace("apache-airflow==2.9.3", f"apache-airflow=={airflow_version}"))
    (directory / "inventory.json").write_text(older.inventory_file.read_text())
    return name


@pytest.mark.parametrize("version, renamed", [("2.3.4", False), ("2.4.0", True)])
def test_schedule_interval_becomes_schedule_only_from_airflow_2_4(tmp_path, monkeypatch, version, renamed):
    older = load_profile(OLDER_PROFILE)
    monkeypatch.setattr(target_profiles, "PROFILES_DIR", tmp_path)
    load_profile.cache_clear()
    try:
        name = _throwaway_profile(tmp_path, older, version)
        assert load_profile(name).airflow_at_least("2.4") is renamed
        code = convert_source(textwrap.dedent(BIGQUERY_DAG), "bq.py", name).code
    finally:
        load_profile.cache_clear()  # forget the throwaway profile (PROFILES_DIR is restored by monkeypatch)
    assert ('schedule="@daily"' in code) is renamed
    assert ('schedule_interval="@daily"' in code) is not renamed


@pytest.mark.parametrize("name", [OLDER_PROFILE, DEFAULT_PROFILE])
def test_schedule_interval_becomes_schedule_on_both_profiles(name: str):
    code = convert_source(textwrap.dedent(BIGQUERY_DAG), "bq.py", name).code
    assert 'schedule="@daily"' in code and "schedule_interval" not in code


# ------------------------------------------------------------------ slow: against the real runtimes


def _built_or_skip(name: str) -> TargetProfile:
    profile = load_profile(name)
    problem = runtime_problem(profile, check_packages=False)
    if problem:
        pytest.skip(f"the runtime of profile {name} is not built ({problem}); build it with "
                    f"`python cli.py runtime build --target {name}` (CI builds only {DEFAULT_PROFILE})")
    return profile


def _assert_inventory_matches_runtime(profile: TargetProfile) -> None:
    """Every row of the checked-in inventory.json, re-checked in the profile's built runtime.

    Candidates the checked-in file does not list yet are ``test_inventory_covers_every_candidate``'s
    business; here each listed name must be available/missing in the runtime exactly as checked in (and,
    where the file records them, each operator's accepted keyword arguments and parameter defaults must agree).
    """
    from airflow_runtime.inventory import compute_inventory

    checked_in = _checked_in_inventory(profile)
    want_available, want_missing = set(checked_in["available"]), set(checked_in["missing"])
    rows = want_available | want_missing
    real = compute_inventory(profile, sorted(rows), write=False)
    assert set(real.available) | set(real.missing) == rows
    problems = {
        "checked in as available, does not import": sorted(want_available - set(real.available)),
        "checked in as missing, imports": sorted(want_missing - set(real.missing)),
    }
    real_kwargs = getattr(real, "accepted_kwargs", None)
    if "accepted_kwargs" in checked_in and real_kwargs is not None:
        want_kwargs = {name: list(kw) for name, kw in checked_in["accepted_kwargs"].items()}
        have_kwargs = {name: list(kw) for name, kw in real_kwargs.items() if name in rows}
        problems["accepted keyword arguments differ"] = sorted(
            name for name in set(want_kwargs) | set(have_kwargs) if want_kwargs.get(name) != have_kwargs.get(name))
    real_defaults = getattr(real, "parameter_defaults", None)
    if "parameter_defaults" in checked_in and real_defaults is not None:  # the defaults rule AM210 passes
        want_defaults = checked_in["parameter_defaults"]
        have_defaults = {name: row for name, row in real_defaults.items() if name in rows}
        problems["parameter defaults differ"] = sorted(
            name for name in set(want_defaults) | set(have_defaults)
            if want_defaults.get(name) != have_defaults.get(name))
    problems = {k: v for k, v in problems.items() if v}
    details = {name: real.errors.get(name, "") for name in problems.get(
        "checked in as available, does not import", [])}
    assert not problems, (
        f"{profile.inventory_file} disagrees with the runtime ({real.generated_by}) on {len(rows)} rows; "
        f"regenerate it with `python cli.py runtime inventory --target {profile.name}`:\n"
        + json.dumps(problems, indent=1) + ("\nerrors: " + json.dumps(details, indent=1) if details else ""))
    assert set(real.available) == want_available and set(real.missing) == want_missing


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_row_of_the_default_inventory_against_its_runtime():
    _assert_inventory_matches_runtime(_built_or_skip(DEFAULT_PROFILE))


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_row_of_the_older_inventory_against_its_runtime():
    _assert_inventory_matches_runtime(_built_or_skip(OLDER_PROFILE))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_converted_bigquery_dag_loads_in_the_older_runtime(tmp_path: Path):
    from airflow_runtime.client import RuntimeSession

    profile = _built_or_skip(OLDER_PROFILE)
    result = convert_source(textwrap.dedent(BIGQUERY_DAG), "bq.py", profile)
    assert "BigQueryExecuteQueryOperator(" in result.code
    dag_file = tmp_path / "bq_older_profile.py"
    dag_file.write_text(result.code)

    with RuntimeSession(profile, jobs=1) as session:
        [loaded] = session.load_files([dag_file])
    assert loaded.ok, f"{loaded.status}: {loaded.detail} {loaded.import_errors}"
    assert not loaded.import_errors
    assert loaded.dag_ids == ("bq_older_profile",)
    [dag] = loaded.dags
    assert tuple(dag.task_ids) == ("aggregate",)
    assert not loaded.render_failures, loaded.render_failures


def test_import_error_of_a_class_whose_provider_needs_a_missing_package_is_in_the_todo():
    profile = target_profiles.load_profile("airflow-2.10.5")
    spanner = "airflow.providers.google.cloud.operators.spanner.SpannerDeployInstanceOperator"
    assert "airflow.providers.openlineage" in (profile.import_error(spanner) or "")
    assert profile.import_error("airflow.operators.bash.BashOperator") is None
    source = ("from airflow.contrib.operators.gcp_spanner_operator import CloudSpannerInstanceDeployOperator\n"
              "from airflow import DAG\n")
    (todo,) = convert_source(source, "x.py", profile).todos
    assert "does not exist in profile airflow-2.10.5" in todo.message
    assert "No module named 'airflow.providers.openlineage'" in todo.message
    # a class whose own module is absent gets no such note
    assert "lacks that package" not in convert_source(
        "from airflow.contrib.operators.qubole_operator import QuboleOperator\nfrom airflow import DAG\n",
        "y.py", profile).todos[0].message
