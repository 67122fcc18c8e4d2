"""AM210 (a default_args key a task's 1.10 class did not get, that its 2.x class takes) and the data it reads:
the 1.10.15 table (tools/derive_airflow_1_10_signatures.py) and the inventory's ``parameter_defaults``."""

from __future__ import annotations

import functools
import importlib.util
import json
import sys
import textwrap
from pathlib import Path

from airflow_runtime.inside.inventory_probe import parameter_defaults
from dagconvert import tables
from dagconvert.engine import convert_source
from dagconvert.rules.cstutil import BASE_OPERATOR_ARGS
from dagconvert.rules.default_args_new_params import params_1_10
from target_profiles import available_profiles, load_profile
from tests.dagconvert.helpers import convert, converted

TOOL = Path(__file__).resolve().parents[2] / "tools" / "derive_airflow_1_10_signatures.py"
BQ = "airflow.providers.google.cloud"


def _tool():
    name = "derive_airflow_1_10_signatures"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, TOOL)
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


# -- the 1.10.15 table -------------------------------------------------------------------------------------


def test_the_1_10_table_knows_what_default_args_reached():
    assert "project_id" not in params_1_10("airflow.contrib.operators.bigquery_to_gcs.BigQueryToCloudStorageOperator")
    assert "project_id" not in params_1_10("airflow.contrib.operators.bigquery_get_data.BigQueryGetDataOperator")
    assert "project_id" in params_1_10("airflow.contrib.operators.bigquery_operator.BigQueryGetDatasetOperator")
    assert {"bash_command", "env", "owner", "retries"} <= params_1_10("airflow.operators.bash_operator.BashOperator")
    assert params_1_10("airflow.operators.BashOperator") == params_1_10("airflow.operators.bash_operator.BashOperator")
    # sensors get BaseSensorOperator's parameters too
    assert {"poke_interval", "timeout", "mode"} <= params_1_10("airflow.sensors.sql_sensor.SqlSensor")
    # an __init__ 1.10 did not decorate with apply_defaults got nothing from default_args
    assert "gcp_conn_id" not in params_1_10("airflow.contrib.operators.gcp_vision_operator.CloudVisionDetectTextOperator")
    assert params_1_10("airflow.providers.google.cloud.operators.bigquery.BigQueryGetDataOperator") is None
    # BaseOperator's 1.10 parameters: the 2.x ones plus schedule_interval (removed in Airflow 2)
    assert set(tables.airflow_1_10_default_args_params()["base_operator"]) - BASE_OPERATOR_ARGS == {"schedule_interval"}


def _module(root: Path, name: str, code: str) -> None:
    path = root / (name.replace(".", "/") + ".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code))


def test_derivation_follows_bases_apply_defaults_and_legacy_imports(tmp_path: Path):
    _module(tmp_path, "airflow.__init__", "")
    _module(tmp_path, "airflow.models.__init__", "")
    _module(tmp_path, "airflow.models.baseoperator", """
        class BaseOperator(object):
            @apply_defaults
            def __init__(self, task_id, owner='airflow', retries=0, *args, **kwargs):
                pass
        """)
    _module(tmp_path, "airflow.operators.__init__", "_operators = {'a_operator': ['AOperator']}\n")
    _module(tmp_path, "airflow.operators.a_operator", """
        from airflow.models.baseoperator import BaseOperator
        from airflow.utils.decorators import apply_defaults
        class Mixin(object):
            pass
        class AOperator(BaseOperator, Mixin):
            @apply_defaults
            def __init__(self, sql, conn_id='c', *args, **kwargs):
                super(AOperator, self).__init__(*args, **kwargs)
        class Undecorated(AOperator):
            def __init__(self, image, **kwargs):
                super().__init__(**kwargs)
        class Closed(BaseOperator):
            @apply_defaults
            def __init__(self, only):
                super().__init__(task_id='x')
        class NotAnOperator(object):
            pass
        """)
    _module(tmp_path, "airflow.contrib.__init__", "")
    _module(tmp_path, "airflow.contrib.operators.__init__", "")
    _module(tmp_path, "airflow.contrib.operators.reexport", "from airflow.operators.a_operator import AOperator\n")
    moves = {f"airflow.operators.a_operator.{n}": {"kind": "class"}
             for n in ("AOperator", "Undecorated", "Closed", "NotAnOperator")}
    moves |= {"airflow.operators.AOperator": {"kind": "legacy-import"},
              "airflow.contrib.operators.reexport.AOperator": {"kind": "class"},
              "airflow.operators.a_operator.helper": {"kind": "function"},
              "airflow.providers.x.AOperator": {"kind": "class"}}
    data = _tool().derive(tmp_path, moves, "test")
    assert data["base_operator"] == ["owner", "retries", "task_id"]
    assert data["classes"] == {
        "airflow.contrib.operators.reexport.AOperator": ["conn_id", "sql"],
        "airflow.operators.AOperator": ["conn_id", "sql"],
        "airflow.operators.a_operator.AOperator": ["conn_id", "sql"],
        "airflow.operators.a_operator.Undecorated": ["conn_id", "sql"],  # its own image: not from default_args
    }  # Closed never reaches BaseOperator's __init__; NotAnOperator is not an operator
    assert json.loads(_tool().to_json(data)) == data


# -- the inventory's parameter defaults --------------------------------------------------------------------

PROJECT = None  # a constant name, like the google provider's PROVIDE_PROJECT_ID


def _configured() -> bool:
    return False


def _wrapped(func):
    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        return func(self, *args, **kwargs)
    return wrapper


class Base:
    def __init__(self, task_id, owner="airflow", retries=_configured(), **kwargs):  # noqa: B008 - as Airflow does
        pass


class Middle(Base):
    @_wrapped
    def __init__(self, *, project_id=PROJECT, location="US", timeout=10 * 60, owner="me", **kwargs):
        super().__init__(**kwargs)


class Closed(Base):
    def __init__(self, sql, flag=True):
        super().__init__(task_id="x")


def test_probe_records_literal_defaults_and_says_why_others_are_not():
    assert parameter_defaults(Middle, Base) == {
        "location": "US", "owner": "me",  # the outermost __init__ that declares it
        "project_id": None,  # a module-level constant bound to a literal
        "retries": {"not_literal": "_configured()"},  # computed: its value here would pin the environment's
        "task_id": {"required": True},
        "timeout": {"not_literal": "10 * 60"},
    }
    assert parameter_defaults(Closed, Base) == {"flag": True, "sql": {"required": True}}
    assert parameter_defaults(dict, Base) is None


def test_both_profiles_record_the_defaults_the_rule_passes():
    classes = (f"{BQ}.transfers.bigquery_to_gcs.BigQueryToGCSOperator", f"{BQ}.operators.bigquery.BigQueryGetDataOperator")
    assert all(load_profile("airflow-2.10.5").parameter_defaults(cls) for cls in classes)
    for name in available_profiles():
        profile = load_profile(name)
        data = json.loads(profile.inventory_file.read_text())
        assert set(data["parameter_defaults"]) == set(data["accepted_kwargs"]), name  # the same classes
        for cls in (c for c in classes if profile.accepted_kwargs(c) is not None):
            defaults = profile.parameter_defaults(cls)
            assert defaults["project_id"] is None and defaults["gcp_conn_id"] == "google_cloud_default", name
            assert defaults["task_id"] == {"required": True}
            assert "not_literal" in defaults["deferrable"]  # read from the configuration
            assert set(defaults) <= profile.accepted_kwargs(cls)
        assert profile.parameter_defaults("airflow.models.dag.DAG") is None


# -- the rule ----------------------------------------------------------------------------------------------

BQ_NOTIFY = """
    from airflow import models
    from airflow.contrib.operators import bigquery_get_data
    from airflow.contrib.operators import bigquery_to_gcs
    from airflow.operators import bash_operator
    default_dag_args = {
        'start_date': START,
        'project_id': '{{var.value.gcp_project}}',
    }
    with models.DAG('bq', schedule_interval=None, default_args=default_dag_args) as dag:
        export = bigquery_to_gcs.BigQueryToCloudStorageOperator(
            task_id='export',
            source_project_dataset_table='d.t',
            destination_cloud_storage_uris=['gs://b/t.csv'],
            export_format='CSV')
        read = bigquery_get_data.BigQueryGetDataOperator(task_id='read', dataset_id='d', table_id='t')
        done = bash_operator.BashOperator(task_id='done', bash_command='true')
"""


def test_project_id_that_1_10_did_not_pass_is_passed_as_the_2x_default():
    code = converted(BQ_NOTIFY)
    assert "        export_format='CSV',\n        project_id=None)\n" in code
    assert "BigQueryGetDataOperator(task_id='read', dataset_id='d', table_id='t', project_id=None)" in code
    assert "BashOperator(task_id='done', bash_command='true')" in code
    assert "'project_id': '{{var.value.gcp_project}}'" in code  # the other tasks still get it


def test_bigquery_operator_gets_project_id_none_once():
    code = converted("""
        from airflow import DAG
        from airflow.contrib.operators.bigquery_operator import BigQueryOperator
        ARGS = {'start_date': START, 'project_id': 'p'}
        with DAG('d', default_args=ARGS, schedule_interval=None) as dag:
            t = BigQueryOperator(task_id='t', sql='SELECT 1', use_legacy_sql=False)
    """)
    assert code.count("project_id=None") == 1  # AM801's; AM210 sees it passed


def test_renamed_keys_are_am208s_and_a_new_name_alone_is_a_todo():
    source = """
        from airflow import DAG
        from airflow.contrib.operators.bigquery_to_gcs import BigQueryToCloudStorageOperator
        ARGS = {'start_date': START, KEY: 'conn'}
        with DAG('d', default_args=ARGS, schedule_interval=None) as dag:
            t = BigQueryToCloudStorageOperator(task_id='t', source_project_dataset_table='d.t',
                                               destination_cloud_storage_uris=['gs://b/x'])
    """
    old = convert(source.replace("KEY", "'bigquery_conn_id'"))
    assert "'gcp_conn_id': 'conn'" in old.code and not [t for t in old.todos if t.rule == "AM210"]
    new = convert(source.replace("KEY", "'gcp_conn_id'"))
    [todo] = [t.message for t in new.todos if t.rule == "AM210"]
    assert "default_args set gcp_conn_id, which Airflow 1.10 did not give BigQueryToGCSOperator 't'" in todo
    assert "took bigquery_conn_id instead" in todo
    assert "gcp_conn_id=" not in new.code.split("BigQueryToGCSOperator(")[1]


def test_an_init_1_10_did_not_decorate_got_nothing_from_default_args():
    code = converted("""
        from airflow import DAG
        from airflow.contrib.operators.gcp_vision_operator import CloudVisionDetectTextOperator
        ARGS = dict(start_date=START, gcp_conn_id='vision')
        with DAG('d', default_args=ARGS, schedule_interval=None) as dag:
            t = CloudVisionDetectTextOperator(task_id='t', image={'source': {'image_uri': 'gs://b/i.png'}})
    """)
    assert "image={'source': {'image_uri': 'gs://b/i.png'}}, gcp_conn_id='google_cloud_default')" in code


def test_keys_set_later_count_and_star_kwargs_make_a_todo():
    source = """
        from airflow import DAG
        from airflow.contrib.operators.bigquery_get_data import BigQueryGetDataOperator
        ARGS = {'start_date': START}
        ARGS['project_id'] = 'p'
        with DAG('d', default_args=ARGS, schedule_interval=None) as dag:
            t = BigQueryGetDataOperator(task_id='t', dataset_id='d', table_id='t'CALL)
    """
    assert "table_id='t', project_id=None)" in converted(source.replace("CALL", ""))
    result = convert(source.replace("CALL", ", **EXTRA"))
    [todo] = [t.message for t in result.todos if t.rule == "AM210"]
    assert "default_args set project_id" in todo and "passes arguments by position or **" in todo


def test_files_already_on_airflow_2_paths_and_keys_no_class_lacked_are_left_alone():
    source = textwrap.dedent("""
        from airflow import DAG
        from airflow.providers.google.cloud.operators.bigquery import BigQueryGetDataOperator
        ARGS = {'start_date': START, 'project_id': 'p'}
        with DAG('d', default_args=ARGS, schedule=None) as dag:
            t = BigQueryGetDataOperator(task_id='t', dataset_id='d', table_id='t')
    """)
    assert convert_source(source).code == source  # no 1.10 class: what 1.10 did is unknown
    plain = BQ_NOTIFY.replace("'project_id': '{{var.value.gcp_project}}',", "'retries': 1,")
    assert "project_id" not in converted(plain)


def test_unreadable_default_args_give_one_todo_per_file():
    result = convert("""
        from airflow import DAG
        from airflow.contrib.operators.bigquery_get_data import BigQueryGetDataOperator
        from common import ARGS
        with DAG('d', default_args=ARGS, schedule_interval=None) as dag:
            a = BigQueryGetDataOperator(task_id='a', dataset_id='d', table_id='t')
            b = BigQueryGetDataOperator(task_id='b', dataset_id='d', table_id='t')
    """)
    [todo] = [t for t in result.todos if t.rule == "AM210"]
    assert "cannot be read statically" in todo.message and "BigQueryGetDataOperator 'a'" in todo.message
    assert convert_source(result.code).code == result.code
