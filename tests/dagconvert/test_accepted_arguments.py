"""AM203: keyword arguments the 2.x operator class does not accept in the profile; the inventory's
``accepted_kwargs`` it reads (probe, Inventory, TargetProfile)."""

from __future__ import annotations

import ast
import functools
import json
import textwrap
from pathlib import Path

import pytest

from airflow_runtime.inside.inventory_probe import accepted_kwargs
from airflow_runtime.inventory import Inventory
from dagconvert.analysis import analyse
from dagconvert.engine import _decider, convert_source
from dagconvert.rules.accepted_arguments import ArgumentNotAccepted
from target_profiles import TargetProfile, load_profile

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "airflow-1-to-2" / "param_changes.json"
BASH = "airflow.operators.bash.BashOperator"


def am203(source: str, profile=None) -> list[str]:
    result = convert_source(textwrap.dedent(source), profile=profile)
    assert convert_source(result.code, profile=profile).code == result.code, "not idempotent"
    return [t.message for t in result.todos if t.rule == "AM203"]


def params(messages: list[str]) -> list[str]:
    return [m.split()[1] for m in messages]


# -- the probe's signature walk (pure: fake classes stand in for Airflow's) ------------------------------------


class Base:
    def __init__(self, task_id, owner=None, *, retries=0, **kwargs):
        if kwargs:
            raise TypeError("Invalid arguments were passed")


class Own(Base):
    def __init__(self, command, env=None, **kwargs):
        kwargs.pop("legacy", None)
        if "old_flag" in kwargs:  # the probe must see this spelling too
            del kwargs["old_flag"]  # noqa: RUF051
        super().__init__(**kwargs)


class PassThrough(Own):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class Closed(Own):
    def __init__(self, task_id, command, /, only=1):  # no **kwargs: the chain ends here
        super().__init__(command, task_id=task_id)


def _decorated(func):
    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        return func(self, *args, **kwargs)
    return wrapper


def _hiding(func):
    def wrapper(self, *args, **kwargs):  # no functools.wraps: what it wraps cannot be seen
        return func(self, *args, **kwargs)
    return wrapper


class Decorated(Base):
    @_decorated
    def __init__(self, sql, **kwargs):
        super().__init__(**kwargs)


class Hidden(Base):
    @_hiding
    def __init__(self, sql, **kwargs):
        super().__init__(**kwargs)


def test_probe_walks_the_init_chain_up_to_the_base():
    base = ["owner", "retries", "task_id"]
    assert accepted_kwargs(Base, Base) == base
    assert accepted_kwargs(Own, Base) == sorted(["command", "env", "legacy", "old_flag", *base])
    assert accepted_kwargs(PassThrough, Base) == accepted_kwargs(Own, Base)  # **kwargs all the way down
    assert accepted_kwargs(Closed, Base) == ["only"]  # positional-only parameters cannot be passed by keyword
    assert accepted_kwargs(Decorated, Base) == sorted(["sql", *base])
    assert accepted_kwargs(Hidden, Base) is None  # unknown rather than wrong
    assert accepted_kwargs(dict, Base) is None and accepted_kwargs(len, Base) is None


# -- inventory.json and the profile ----------------------------------------------------------------------------


def test_inventory_round_trips_accepted_kwargs(tmp_path):
    inventory = Inventory("p", "g", ("a.B", "a.C"), ("a.D",), {"a.D": "gone"},
                          {"a.C": ("task_id", "x"), "a.B": ()})
    text = inventory.to_json()
    assert Inventory.from_dict(json.loads(text)) == inventory
    assert list(json.loads(text)) == ["profile", "generated_by", "available", "missing", "errors", "accepted_kwargs",
                                     "parameter_defaults"]
    assert '    "a.C": ["task_id", "x"]' in text.splitlines()  # one class a line
    old = {"profile": "p", "generated_by": "g", "available": ["a.B"], "missing": [], "errors": {}}
    assert Inventory.from_dict(old).accepted_kwargs == {}

    (tmp_path / "inventory.json").write_text(json.dumps(old))
    profile = TargetProfile("p", tmp_path, "2.10.5", "", "3.11")
    assert profile.has("a.B") is True and profile.accepted_kwargs("a.B") is None


def test_profile_inventory_describes_its_operators():
    profile = load_profile("airflow-2.10.5")
    data = json.loads(profile.inventory_file.read_text())
    described = data["accepted_kwargs"]
    assert set(described) <= set(data["available"])
    assert all("task_id" in kwargs and kwargs == sorted(kwargs) for kwargs in described.values())
    bash = profile.accepted_kwargs(BASH)
    assert {"bash_command", "env", "do_xcom_push", "task_id", "max_active_tis_per_dag"} <= bash
    assert "xcom_push" not in bash and "schedule_interval" not in bash
    assert "provide_context" in profile.accepted_kwargs("airflow.operators.python.PythonOperator")  # popped
    assert profile.accepted_kwargs("airflow.models.dag.DAG") is None  # not an operator
    assert profile.accepted_kwargs("no.such.Operator") is None


@pytest.mark.skipif(not REFERENCE.exists(), reason=f"no reference data at {REFERENCE}")
def test_reference_signature_diff_parameters_are_all_rejected():
    """The reference's 323 parameters the 2.x class no longer takes (no named replacement, signature diff only):
    every one whose 2.x class the profile describes is outside its accepted set, so AM203 reports it."""
    profile = load_profile("airflow-2.10.5")
    reference = json.loads(REFERENCE.read_text())
    checked = 0
    for entry in reference.values():
        accepted = profile.accepted_kwargs(entry.get("new") or "")
        for row in entry.get("params", ()):
            if row.get("renamed_to") == "UNKNOWN" and accepted is not None:
                assert row["param"] not in accepted, (entry["new"], row["param"])
                checked += 1
    assert checked > 100


# -- the rule ----------------------------------------------------------------------------------------------------


def test_one_todo_per_rejected_keyword_in_call_order():
    messages = am203("""\
        from airflow.operators.bash_operator import BashOperator
        t = BashOperator(task_id='t', bash_command='x', labels={}, env={}, project='p', xcom_push=False)
        """)
    assert params(messages) == ["labels", "project"]  # xcom_push: renamed by AM201 to do_xcom_push
    assert messages[0] == ("parameter labels is not accepted by BashOperator in airflow-2.10.5: Airflow 2 rejects "
                           "unknown arguments at parse time; remove it, or pass what it meant the way "
                           "BashOperator takes it")


def test_accepted_calls_get_nothing():
    assert am203("""\
        from airflow.operators.bash import BashOperator
        t = BashOperator(task_id='t', bash_command='x', env={}, retries=2, queue='q', do_xcom_push=False)
        """) == []


def test_how_the_class_is_named_does_not_matter():
    assert params(am203("""\
        from airflow.operators import bash_operator
        import airflow.operators.bash
        from airflow.operators.dummy_operator import DummyOperator
        a = bash_operator.BashOperator(task_id='a', bash_command='x', flavour=1)
        b = airflow.operators.bash.BashOperator(task_id='b', bash_command='x', colour=2)
        c = DummyOperator(task_id='c', size=3)
        """)) == ["flavour", "colour", "size"]
    [message] = am203("from airflow.operators.dummy_operator import DummyOperator\n"
                      "c = DummyOperator(task_id='c', size=3)\n")
    assert "not accepted by EmptyOperator" in message  # the class the converted call constructs


def test_other_rules_keywords_are_not_reported_twice():
    result = convert_source(textwrap.dedent("""\
        from airflow.contrib.operators.gcs_delete_operator import GoogleCloudStorageDeleteOperator
        from airflow.contrib.sensors.python_sensor import PythonSensor
        a = GoogleCloudStorageDeleteOperator(task_id='a', bucket_name='b', objects=['x'], delegate_to='svc@x')
        b = PythonSensor(task_id='b', python_callable=f, provide_context=flag)
        c = GoogleCloudStorageDeleteOperator(task_id='c', bucket_name='b', objects=['x'], delegate_to=None,
            schedule_interval='@daily', task_concurrency=2)
        """))
    assert [t.rule for t in result.todos] == ["AM201", "AM202"]  # AM201/AM202 explain their own keywords
    # AM203 sees c as AM201 (delegate_to=None), AM307 (schedule_interval) and AM305 (task_concurrency) left it
    assert result.code.endswith("c = GCSDeleteObjectsOperator(task_id='c', bucket_name='b', objects=['x'], "
                                "max_active_tis_per_dag=2)\n")


def test_what_it_cannot_see_or_does_not_know_is_left_alone():
    assert am203("""\
        from airflow.operators.bash import BashOperator
        from my_company.operators import FancyOperator
        opts = {'labels': {}}
        a = BashOperator(task_id='a', bash_command='x', **opts)
        b = FancyOperator(task_id='b', whatever=1)
        def f():
            class BashOperator:
                def __init__(self, **kw): pass
        """) == []
    # a class replaced by a restructuring rule: that rule checks the arguments it restructures
    assert am203("""\
        from airflow.contrib.operators.bigquery_operator import BigQueryOperator
        q = BigQueryOperator(task_id='q', sql='SELECT 1', use_legacy_sql=False, labels={'a': 'b'})
        """) == []


def test_star_kwargs_still_checks_the_explicit_keywords():
    assert params(am203("""\
        from airflow.operators.bash import BashOperator
        a = BashOperator(task_id='a', bash_command='x', labels={}, **extra)
        """)) == ["labels"]


def test_the_rule_decides_for_the_profile(monkeypatch):
    wider = load_profile().accepted_kwargs(BASH) | {"labels"}
    monkeypatch.setattr(TargetProfile, "accepted_kwargs", lambda self, qname: wider if qname == BASH else None)
    assert am203("from airflow.operators.bash import BashOperator\n"
                 "a = BashOperator(task_id='a', bash_command='x', labels={})\n") == []


def test_only_calls_with_a_rejected_keyword_are_visited():
    source = textwrap.dedent("""\
        from airflow.operators.bash import BashOperator
        a = BashOperator(task_id='a', bash_command='x', env={})
        b = BashOperator(
            task_id='b',
            labels={},
        )
        c = dict(labels={})
        """)
    decider = _decider("airflow-2.10.5")
    analysis = analyse(source, ast.parse(source), interests=[ArgumentNotAccepted.interest],
                       identity_of=decider.identity, changed_qname=lambda q: False)
    assert [line for line, flag in enumerate(analysis.interesting) if flag] == [3]


# -- the real runtime agrees ----------------------------------------------------------------------------------

CALLS_110 = {
    "bash": "BashOperator(task_id='t', bash_command='true', labels={'team': 'data'})",
    # (GoogleCloudStorageToBigQueryOperator's two connection ids are AM204's: converted, not reported)
    "slack": "SlackAPIPostOperator(task_id='t', token='xoxb-0', channel='#ops', text='done')",
    "dummy": "DummyOperator(task_id='t', provide_context=True, retries=1, colour='blue')",
}
IMPORTS_110 = '''\
from datetime import datetime

from airflow import DAG
from airflow.contrib.operators.gcs_to_bq import GoogleCloudStorageToBigQueryOperator
from airflow.operators.slack_operator import SlackAPIPostOperator
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator

dag = DAG("am203_{name}", start_date=datetime(2024, 1, 1), schedule_interval=None)
'''


def _without(code: str, names: list[str]) -> str:
    """The converted call with the reported keywords taken out (what the TODO asks for)."""
    module = ast.parse(code)
    call = module.body[-1].value
    call.keywords = [k for k in call.keywords if k.arg not in names]
    return ast.unparse(module) + "\n"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_reported_keywords_are_exactly_what_the_runtime_rejects(tmp_path):
    """Each converted call fails to load in the real runtime with its first reported keyword named, and loads
    clean once the reported keywords are removed: AM203 reports no keyword the class takes, and misses none."""
    from airflow_runtime.build import RuntimeNotBuiltError
    from airflow_runtime.client import RuntimeSession

    files, reported = {}, {}
    for name, call in CALLS_110.items():
        result = convert_source(IMPORTS_110.format(name=name) + f"t = {call[:-1]}, dag=dag)\n")
        reported[name] = [m.split()[1] for m in (t.message for t in result.todos if t.rule == "AM203")]
        assert reported[name], name
        files[f"{name}_as_converted.py"] = result.code
        files[f"{name}_fixed.py"] = _without(result.code, reported[name])
    assert reported == {"bash": ["labels"], "slack": ["token"], "dummy": ["colour"]}
    for file, code in files.items():
        (tmp_path / file).write_text(code)
    try:
        with RuntimeSession() as session:
            results = dict(zip(files, session.load_files([tmp_path / f for f in files], render_templates=False)))
    except RuntimeNotBuiltError as exc:
        pytest.skip(f"runtime not built: {exc}")
    for name, names in reported.items():
        failed = results[f"{name}_as_converted.py"]
        assert failed.import_errors, (name, failed)
        message = failed.import_errors[0].message
        assert "Invalid arguments were passed" in message and f"'{names[0]}'" in message, (name, message)
        fixed = results[f"{name}_fixed.py"]
        assert fixed.status == "ok" and not fixed.import_errors and fixed.dags, (name, fixed)
