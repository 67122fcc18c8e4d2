"""AM211 (a keyword the 1.10 class ignored that the 2.x class uses) and the data it reads: what each 1.10.15
operator accepted (tools/derive_airflow_1_10_signatures.py -> tables.airflow_1_10_accepted_kwargs)."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from dagconvert import tables
from dagconvert.engine import convert_source
from dagconvert.rules import all_rules
from tests.dagconvert.helpers import convert, todos
from tests.dagconvert.test_default_args_new_params import _module, _tool

ROOT = Path(__file__).resolve().parents[2]
TRIGGER_1_10 = "airflow.operators.dagrun_operator.TriggerDagRunOperator"


def _am211(result) -> list[str]:
    return [t.message for t in result.todos if t.rule == "AM211"]


# -- the 1.10.15 table -------------------------------------------------------------------------------------


def test_the_1_10_table_knows_what_each_class_accepted():
    accepted = tables.airflow_1_10_accepted_kwargs
    base = set(tables.airflow_1_10_default_args_params()["base_operator"])
    trigger = accepted(TRIGGER_1_10)
    assert trigger - base == {"trigger_dag_id", "python_callable", "execution_date"}  # no conf in 1.10.15
    assert accepted("airflow.operators.TriggerDagRunOperator") == trigger  # the legacy package import
    assert {"poke_interval", "mode", "soft_fail", "timeout"} <= accepted("airflow.sensors.sql_sensor.SqlSensor")
    # named by an __init__ that apply_defaults did not decorate: accepted, though default_args did not reach it
    assert "gcp_conn_id" in accepted(
        "airflow.contrib.operators.gcp_natural_language_operator.CloudLanguageAnalyzeEntitiesOperator")
    # read out of **kwargs by an __init__ (kwargs.get('xcom_push'), kwargs.pop('session'))
    assert "xcom_push" in accepted("airflow.contrib.operators.kubernetes_pod_operator.KubernetesPodOperator")
    assert "session" in accepted("airflow.operators.subdag_operator.SubDagOperator")
    # classes that hand **kwargs to something else may use any keyword: nothing is claimed
    assert accepted("airflow.contrib.operators.qubole_operator.QuboleOperator") is None
    assert accepted("airflow.contrib.operators.gcp_vision_operator.CloudVisionDetectTextOperator") is None
    # a 2.x path, or a class the table does not describe
    assert accepted("airflow.operators.trigger_dagrun.TriggerDagRunOperator") is None


def test_derivation_records_accepted_keywords_and_open_kwargs(tmp_path: Path):
    _module(tmp_path, "airflow.__init__", "")
    _module(tmp_path, "airflow.models.__init__", "")
    _module(tmp_path, "airflow.models.baseoperator", """
        class BaseOperator(object):
            @apply_defaults
            def __init__(self, task_id, owner='airflow', *args, **kwargs):
                pass
        """)
    _module(tmp_path, "airflow.operators.__init__", "")
    _module(tmp_path, "airflow.operators.b_operator", """
        from airflow.models.baseoperator import BaseOperator
        class Reads(BaseOperator):
            @apply_defaults
            def __init__(self, sql, *args, **kwargs):
                legacy = kwargs.pop('legacy', None)
                if 'flag' in kwargs and kwargs['other']:
                    pass
                super(Reads, self).__init__(*args, **kwargs)
        class Undecorated(Reads):
            def __init__(self, image, **kwargs):
                super().__init__(**kwargs)
        class Keeps(BaseOperator):
            @apply_defaults
            def __init__(self, conn='c', *args, **kwargs):
                self.extra = kwargs
                super(Keeps, self).__init__(*args, **kwargs)
        class Child(Keeps):
            @apply_defaults
            def __init__(self, more=1, **kwargs):
                super().__init__(**kwargs)
        """)
    moves = {f"airflow.operators.b_operator.{n}": {"kind": "class"} for n in ("Reads", "Undecorated", "Keeps", "Child")}
    data = _tool().derive(tmp_path, moves, "test")
    assert data["classes"] == {
        "airflow.operators.b_operator.Child": ["conn", "more"],
        "airflow.operators.b_operator.Keeps": ["conn"],
        "airflow.operators.b_operator.Reads": ["sql"],
        "airflow.operators.b_operator.Undecorated": ["sql"],
    }
    assert data["accepted_not_filled"] == {
        "airflow.operators.b_operator.Reads": ["flag", "legacy", "other"],
        "airflow.operators.b_operator.Undecorated": ["flag", "image", "legacy", "other"],
    }
    assert data["any_keyword"] == {
        "airflow.operators.b_operator.Child": "Keeps.__init__: self.extra = kwargs",
        "airflow.operators.b_operator.Keeps": "Keeps.__init__: self.extra = kwargs",
    }
    assert json.loads(_tool().to_json(data)) == data


# -- the rule ----------------------------------------------------------------------------------------------


def test_relationship_parent_conf_is_flagged_once_per_call_and_kept():
    path = ROOT / "tests" / "corpus" / "airflow1" / "public_gcp_relationship_parent.py"
    result = convert_source(path.read_text(), str(path))
    flagged = _am211(result)
    assert len(flagged) == 2 and all(m.startswith("TriggerDagRunOperator in Airflow 1.10 ignored conf=") for m in flagged)
    assert result.code.count('conf={"message": "Hello World"}') == 2  # not removed: a person decides
    assert result.code.count("# TODO(airflow2): AM211 ") == 2
    again = convert_source(result.code, str(path))
    assert again.code == result.code  # the TODO is attached once


@pytest.mark.parametrize("call,expected", [
    # python_callable=None set no payload: conf= is this rule's (AM601 drops the None)
    ("TriggerDagRunOperator(task_id='t', trigger_dag_id='x', python_callable=None, conf={'a': 1})", ["conf"]),
    # a callable's payload was the conf: AM603's TODO, not this rule's
    ("TriggerDagRunOperator(task_id='t', trigger_dag_id='x', python_callable=pick, conf={'a': 1})", []),
    ("TriggerDagRunOperator(task_id='t', trigger_dag_id='x', **kw)", []),  # what **kwargs holds is unknown
    ("TriggerDagRunOperator(task_id='t', trigger_dag_id='x', wait_for_completion=False)", []),  # 2.x default
    ("TriggerDagRunOperator(task_id='t', trigger_dag_id='x', wait_for_completion=True, reset_dag_run=True)",
     ["wait_for_completion", "reset_dag_run"]),
])
def test_which_trigger_keywords_are_flagged(call, expected):
    source = (f"from airflow.operators.dagrun_operator import TriggerDagRunOperator\nfrom helpers import pick, kw\n"
              f"t = {call}\n")
    messages = _am211(convert(source))
    assert [re.search(r"ignored (\w+)=", m).group(1) for m in messages] == expected


@pytest.mark.parametrize("arguments,default_args,advice", [
    ("on_finish_action='keep_pod'", "", None),  # 1.10's default (is_delete_operator_pod=False): no change
    ("is_delete_operator_pod=True, on_finish_action='delete_pod'", "", None),
    ("on_finish_action='delete_pod'", "", "pass on_finish_action='keep_pod' instead"),
    ("is_delete_operator_pod=False, on_finish_action='delete_succeeded_pod'", "",
     "pass on_finish_action='keep_pod' instead"),
    ("is_delete_operator_pod=FLAG, on_finish_action='keep_pod'", "",
     "pass on_finish_action='delete_pod' if FLAG else 'keep_pod' instead"),
    # default_args gave is_delete_operator_pod (AM707 renames the key there): the call's keyword must go
    ("on_finish_action='keep_pod', default_args=ARGS", "ARGS = {'is_delete_operator_pod': True}\n",
     "remove on_finish_action="),
])
def test_on_finish_action_against_what_is_delete_operator_pod_did(arguments, default_args, advice):
    source = ("from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator\n"
              f"{default_args}t = KubernetesPodOperator(task_id='t', image='i:1', {arguments})\n")
    messages = _am211(convert(source))
    assert [m.rpartition("; ")[2] for m in messages] == ([f"{advice} to keep the 1.10 behaviour"] if advice else [])


def test_a_keyword_airflow_2_rejects_is_am203s_and_one_1_10_took_is_nobodys():
    messages = todos("""
        from airflow.operators.bash_operator import BashOperator
        a = BashOperator(task_id='a', bash_command='make', labels={'team': 'x'})
        b = BashOperator(task_id='b', bash_command='make', env={'A': '1'}, xcom_push=True)
        c = BashOperator(task_id='c', bash_command='make', cwd='/tmp')
        """)
    assert len(messages) == 2
    assert messages[0].startswith("parameter labels is not accepted by BashOperator")  # AM203
    assert messages[1].startswith("BashOperator in Airflow 1.10 ignored cwd= ")
    assert "the task runs with cwd='/tmp', where 1.10 ran as if it were not given; without it Airflow 2 uses None" \
        in messages[1]


def test_a_class_that_may_use_any_keyword_or_a_project_class_is_not_flagged():
    assert not _am211(convert("""
        from airflow.contrib.operators.qubole_operator import QuboleOperator
        from mine import MyOperator
        q = QuboleOperator(task_id='q', command_type='hivecmd', query='show tables', doc_md='x')
        m = MyOperator(task_id='m', conf={'a': 1})
        """))


def test_every_flag_over_the_rule_examples_and_the_corpus_leaves_the_keyword_in_the_call():
    """No overlap with the other rules: a keyword AM211 flags is still in the converted call (no rule renamed,
    removed or restructured it), and no other rule's TODO on the same line is about the same keyword."""
    sources = [(f"{r.code}-{i}", e.before, e.profile) for r in all_rules() for i, e in enumerate(r.examples)]
    sources += [(str(p), p.read_text(errors="replace"), None)
                for root in ("tests/corpus/airflow1", "examples/airflow1") for p in sorted((ROOT / root).glob("*.py"))]
    seen = 0
    for name, source, profile in sources:
        result = convert_source(source, name, profile)
        lines = result.code.splitlines()
        for todo in result.todos:
            if todo.rule != "AM211":
                continue
            seen += 1
            param = re.search(r"ignored (\w+)=", todo.message).group(1)
            at = next(i for i, line in enumerate(lines) if "AM211 " in line and f"ignored {param}=" in line)
            while lines[at].lstrip().startswith("#"):
                at += 1
            statement = textwrap.dedent("\n".join(lines[at:]))
            assert re.search(rf"\b{param}=", statement.split("\n\n")[0]), (name, param)
            others = [t for t in result.todos if t.rule != "AM211" and t.line == todo.line and f"{param}=" in t.message]
            assert not others, (name, others)
    assert seen >= 5  # the examples' and relationship_parent's
