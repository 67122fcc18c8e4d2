"""AM104 beyond its examples: one-line suites, statement indexes after `a; b` lines, report lines, and the
guards it must leave alone."""

from __future__ import annotations

from dagconvert.engine import convert_source
from tests.dagconvert.helpers import converted


def test_one_line_suites_and_a_semicolon_line_before_the_guard():
    out = converted("""\
        import os; import sys
        try: from airflow.operators.bash import BashOperator  # new
        except ImportError: from airflow.operators.bash_operator import BashOperator  # old
        t = BashOperator(task_id='t', bash_command='date')
        """)
    assert out == (
        "import os; import sys\n"
        "# old\n"
        "from airflow.operators.bash import BashOperator  # new\n"
        "t = BashOperator(task_id='t', bash_command='date')\n"
    )


def test_the_finding_names_the_source_line_and_later_lines_keep_theirs():
    result = convert_source(
        "from airflow import DAG\n"
        "try:\n"
        "    from airflow.operators.bash import BashOperator\n"
        "except ImportError:\n"
        "    from airflow.operators.bash_operator import BashOperator\n"
        "from airflow.operators.dummy_operator import DummyOperator\n")
    lines = {(c.rule, c.line) for c in result.changes}
    assert ("AM104", 2) in lines
    assert any(rule == "AM101" and line == 6 for rule, line in lines)


def test_guards_inside_functions_and_with_else_stay():
    source = (
        "def load():\n"
        "    try:\n"
        "        from airflow.operators.bash import BashOperator\n"
        "    except ImportError:\n"
        "        from airflow.operators.bash_operator import BashOperator\n"
        "    return BashOperator\n"
        "try:\n"
        "    from airflow.operators.bash import BashOperator\n"
        "except ImportError:\n"
        "    from airflow.operators.bash_operator import BashOperator\n"
        "else:\n"
        "    HAVE_2 = True\n"
    )
    result = convert_source(source)
    assert result.code == source
    assert not [c for c in result.changes if c.rule == "AM104"]


def test_a_guard_with_a_name_the_other_branch_does_not_bind_stays():
    source = (
        "try:\n"
        "    from airflow.operators.bash import BashOperator\n"
        "except ImportError:\n"
        "    from airflow.operators.bash_operator import BashOperator, BashOperator as Legacy\n"
    )
    assert convert_source(source).code == source
