"""AM110-AM113: python-future names (`future`, `past`) in Airflow 1.10 DAG files, which the target profile does
not install. The table's rows against the real standard library and python-future's documented behaviour, the
conversions the rule examples do not show, and (slow) a converted file loading and running in the real
Airflow 2 runtime with the values python-future 0.18.2 gave."""

from __future__ import annotations

import ast
import importlib
import subprocess
import textwrap

import pytest

from dagconvert import tables
from dagconvert.engine import convert_source
from dagconvert.rules.python2_compat import absent_tops, equivalent
from target_profiles import TargetProfile, load_profile
from tests.dagconvert.helpers import convert, converted, probe_in_runtime, todos
from tests.runtime import require_runtime_python

TABLE = tables.python2_compat()


def _profile(tmp_path, constraints: str | None) -> TargetProfile:
    if constraints is not None:
        (tmp_path / "constraints.txt").write_text(constraints)
    return TargetProfile(name="tiny", directory=tmp_path, airflow_version="2.10.5", description="",
                         python_version="3.11")


def test_the_profiles_do_not_install_future_and_a_profile_that_pins_it_changes_nothing(tmp_path):
    assert absent_tops(load_profile("airflow-2.10.5")) == {"future", "past"}
    assert absent_tops(load_profile("airflow-2.9.3")) == {"future", "past"}
    (tmp_path / "pinned").mkdir()
    (tmp_path / "unknown").mkdir()
    assert absent_tops(_profile(tmp_path / "pinned", "six==1.17.0\nFuture==0.18.2\n")) == frozenset()
    # no constraints file: unknown, so nothing is assumed missing
    assert absent_tops(_profile(tmp_path / "unknown", None)) == frozenset()


@pytest.mark.parametrize("path", sorted(TABLE["modules"]))
def test_every_moved_module_exists_in_python_3(path):
    importlib.import_module(TABLE["modules"][path]["to"])


@pytest.mark.parametrize("path", sorted(q for q, row in TABLE["names"].items() if "to" in row))
def test_every_moved_name_exists_in_python_3(path):
    module, _, name = TABLE["names"][path]["to"].rpartition(".")
    assert hasattr(importlib.import_module(module), name)


def test_every_row_says_one_thing_and_names_its_source():
    kinds = ("to", "no_op_call", "isinstance", "helper", "todo")
    for path, row in TABLE["names"].items():
        assert sum(k in row for k in kinds) == 1, path
        assert row.get("source") or row.get("todo"), path
        assert path.split(".")[0] in {top for tops in TABLE["distributions"].values() for top in tops}


def test_lookups_follow_module_rows_and_never_guess():
    assert equivalent("future.moves.urllib.parse.urlencode")[0] == "urllib.parse.urlencode"
    assert equivalent("future.moves.urllib.parse")[0] == "urllib.parse"
    assert equivalent("future.builtins.str")[0] == "builtins.str"
    assert equivalent("past.builtins.unicode")[0] == "builtins.str"
    assert equivalent("past.builtins.cmp") is None          # a TODO row
    assert equivalent("future.moves.urllib") is None        # no row for the package itself
    assert equivalent("future.utils.old_div") is None


def _helper(path: str):
    row = TABLE["names"][path]
    namespace: dict = {"numbers": importlib.import_module("numbers")}
    exec(row["helper"].format(name="f", numbers="numbers"), namespace)  # noqa: S102 - the table's own code
    return namespace["f"]


def test_the_helpers_do_what_python_future_0_18_2_does_on_python_3():
    old_div = _helper("past.utils.old_div")
    assert [old_div(7, 2), old_div(-7, 2), old_div(7.0, 2), old_div(7, 2.0), old_div(True, 2)] == [3, -4, 3.5, 3.5, 0]
    iteritems = _helper("future.utils.iteritems")
    assert type(iteritems({"a": 1})).__name__ == "dict_items"  # a view, as python-future returns on Python 3

    class Legacy:
        def iteritems(self):
            return iter([("own", 1)])

        def items(self):
            raise AssertionError("python-future asks the object's own iteritems() first")

    assert list(iteritems(Legacy())) == [("own", 1)]
    assert _helper("future.utils.listvalues")({"a": 1}) == [1]


def test_a_file_that_imports_nothing_from_airflow_is_not_touched():
    source = "from past.builtins import basestring\nX = isinstance('a', basestring)\n"
    result = convert_source(source)
    assert not result.is_dag_file and result.code == source


def test_guarded_imports_are_the_authors_fallback():
    source = """\
        from airflow import DAG
        try:
            from future.moves.urllib.parse import quote
        except ImportError:
            from urllib.parse import quote
        Q = quote('a b')
        """
    assert converted(source) == textwrap.dedent(source)


def test_module_imports_with_an_alias_move_and_plain_ones_say_what_to_do():
    assert converted("""\
        from airflow import DAG
        import future.moves.urllib.parse as up  # parsing
        U = up.urlparse('gs://b/o')
        """) == textwrap.dedent("""\
        from airflow import DAG
        import urllib.parse as up  # parsing
        U = up.urlparse('gs://b/o')
        """)
    messages = todos("""\
        from airflow import DAG
        import future.moves.urllib.parse
        U = future.moves.urllib.parse.urlparse('gs://b/o')
        """)
    assert len(messages) == 1 and "future.moves.urllib.parse comes from the `future` package" in messages[0]
    assert messages[0].endswith("write `import urllib.parse` and spell its uses urllib.parse.<name>")


def test_a_line_whose_names_have_different_homes_gets_the_imports_to_write():
    result = convert("""\
        from airflow import DAG
        from past.builtins import basestring, unicode, reduce
        X = reduce(lambda a, b: a + b, [unicode(1)], '') if isinstance('', basestring) else None
        """)
    assert [t.message for t in result.todos] == [
        ("past.builtins.unicode, past.builtins.reduce: the `future` package (python-future) is not installed in "
         "profile airflow-2.10.5, and their Python 3 equivalents come from other modules than the rest of this "
         "line: write `from builtins import str as unicode`; `from functools import reduce`")]
    # basestring's only use was converted: it leaves the line; the others stay for a person
    assert "from past.builtins import unicode, reduce\n" in result.code
    assert "isinstance('', (str, bytes))" in result.code
    assert convert_source(result.code).code == result.code


def test_names_imported_inside_a_function_move_or_get_a_todo():
    result = convert("""\
        from airflow import DAG


        def f(a):
            from past.builtins import long, basestring
            from past.utils import old_div
            return long(a), old_div(a, 2), isinstance(a, basestring)
        """)
    assert "    from builtins import int as long, basestring\n" not in result.code
    messages = [t.message for t in result.todos]
    assert any("past.utils.old_div comes from" in m and "module body" in m for m in messages)
    assert any("past.builtins.basestring comes from" in m for m in messages)
    assert "from past.utils import old_div" in result.code


def test_an_import_sharing_its_line_gets_a_todo():
    messages = todos("""\
        from airflow import DAG
        import os; from past.builtins import unicode
        X = unicode(os.sep)
        """)
    assert messages == [("past.builtins.unicode comes from the `future` package (python-future), which profile "
                         "airflow-2.10.5 does not install: the import fails; the import shares its line with other "
                         "statements: put it on a line of its own, and this rule converts it")]


def test_isinstance_with_str_rebound_in_the_file_is_not_rewritten():
    messages = todos("""\
        from airflow import DAG
        from past.builtins import basestring
        str = unicode = type('S', (), {})
        X = isinstance('a', basestring)
        """)
    assert any("only isinstance(x, basestring) has an exact Python 3 form" in m for m in messages)


def test_install_aliases_with_another_use_of_the_module_stays_with_a_todo():
    result = convert("""\
        from airflow import DAG
        from future import standard_library
        standard_library.install_aliases()
        with standard_library.hooks():
            import configparser
        """)
    assert "standard_library.install_aliases()" in result.code
    assert any("future.standard_library comes from the `future` package" in t.message for t in result.todos)


def test_install_aliases_in_a_function_and_after_a_semicolon_go():
    assert converted("""\
        from airflow import DAG
        from future.standard_library import install_aliases


        def setup():
            install_aliases()


        X = 1; install_aliases()
        """) == textwrap.dedent("""\
        from airflow import DAG


        def setup():
            pass


        X = 1
        """)


def test_an_aliased_helper_keeps_its_local_name_and_every_kind_of_use_works():
    code = converted("""\
        from airflow import DAG
        from past.utils import old_div as div

        HALVES = list(map(div, [7, 7.0], [2, 2]))
        """)
    assert "def div(a, b):" in code and "past" not in code.replace("past.utils.old_div as python-future", "")
    namespace: dict = {}
    exec(compile(code.replace("from airflow import DAG\n", ""), "x", "exec"), namespace)  # noqa: S102
    assert namespace["HALVES"] == [3, 3.5]


# -- the real runtime ---------------------------------------------------------------------------------------

SAMPLE = '''\
"""An Airflow 1.10 DAG written for Python 2 and 3 with python-future."""
from __future__ import division, print_function

from future import standard_library
standard_library.install_aliases()
from builtins import range, str  # Python 3's own module
from datetime import datetime

from future.backports.urllib.parse import urlparse
from future.moves.urllib.parse import urlencode
from future.utils import iteritems
from past.builtins import basestring, unicode, xrange
from past.utils import old_div

from airflow import DAG
from airflow.operators.python_operator import PythonOperator

SOURCE = urlparse("gs://bucket/archives/source.tar.gz")


def describe(**kwargs):
    values = {"a": 7, "b": "x", "c": b"y"}
    return {
        "bucket": SOURCE.netloc,
        "object": SOURCE.path[1:],
        "query": urlencode([("a", values["a"]), ("b", values["b"])]),
        "halves": [old_div(7, 2), old_div(7.0, 2), old_div(-7, 2)],
        "texts": sorted(k for k, v in iteritems(values) if isinstance(v, basestring)),
        "label": unicode(3) + str(4),
        "range": list(range(2)) + list(xrange(2)),
    }


with DAG("python2_compat", start_date=datetime(2021, 1, 1), schedule_interval="@daily") as dag:
    PythonOperator(task_id="describe", python_callable=describe, provide_context=True)
'''

# What python-future 0.18.2 gave on Python 3 for describe() (checked with its sources on sys.path).
EXPECTED = {"bucket": "bucket", "object": "archives/source.tar.gz", "query": "a=7&b=x", "halves": [3, 3.5, -4],
            "texts": ["b", "c"], "label": "34", "range": [0, 1, 0, 1]}

_PROBE = r"""
import json, sys, warnings
warnings.simplefilter("always")
from airflow.models import DagBag
bag = DagBag(sys.argv[1], include_examples=False)
out = {"import_errors": {k: str(v) for k, v in bag.import_errors.items()},
       "warnings": {k: [str(w) for w in v] for k, v in bag.captured_warnings.items()}}
if "python2_compat" in bag.dags:
    task = bag.dags["python2_compat"].get_task("describe")
    out["described"] = task.python_callable()
print("@@" + json.dumps(out))
"""


@pytest.mark.slow
def test_a_converted_python_future_dag_loads_and_computes_what_1_10_did(tmp_path):
    runtime_python = require_runtime_python()
    result = convert_source(SAMPLE, "python2_compat.py")
    assert [t.rule for t in result.todos] == ["AM110"]  # the urllib.parse differences note
    imported = {alias.name if isinstance(node, ast.Import) else node.module
                for node in ast.walk(ast.parse(result.code)) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names}
    assert not {m for m in imported if m.split(".")[0] in ("future", "past")}, imported
    assert convert_source(result.code, "python2_compat.py").code == result.code
    out = probe_in_runtime(runtime_python, result.code, "python2_compat.py", _PROBE, tmp_path)
    assert out["import_errors"] == {}
    assert out["warnings"] == {}
    assert out["described"] == EXPECTED
    # and the source really fails there as it is: the runtime has no python-future
    check = subprocess.run([str(runtime_python), "-c", "import past"], capture_output=True, text=True, check=False)
    assert "No module named 'past'" in check.stderr
