"""AM502 (deprecated context keys read in Python callables): which dicts are the task context, how reads are
rewritten, and when a named parameter may be renamed."""

from __future__ import annotations

import ast
import textwrap

import pytest

from dagconvert.engine import convert_source

HEADER = (
    "from datetime import timedelta\n"
    "from airflow import DAG\n"
    "from airflow.operators.python import PythonOperator\n"
)


def convert(body: str, schedule: str = "timedelta(days=1)") -> tuple[str, list[str]]:
    """Convert ``body`` (dedented) in a DAG file; return the converted body without TODO comments (and with
    any import the rule added) and the TODO messages."""
    head = f"{HEADER}dag = DAG('d', schedule={schedule})\n"
    result = convert_source(head + textwrap.dedent(body), "d.py")
    ast.parse(result.code)
    again = convert_source(result.code, "d.py")
    assert again.code == result.code, "not idempotent"
    lines = [line for line in result.code.splitlines(keepends=True)
             if line not in head.splitlines(keepends=True) and not line.lstrip().startswith("# TODO(airflow2)")]
    return "".join(lines), [t.message for t in result.todos]


def test_kwargs_of_a_python_callable():
    code, todos = convert("""\
        def f(**kwargs):
            a = kwargs['execution_date']
            b = kwargs["next_ds"]
            c = kwargs.get('execution_date')
            d = kwargs.get('end_date', None)
            e = kwargs['yesterday_ds_nodash']
            return kwargs['ds'], kwargs['ti'].xcom_pull(task_ids='x')
        t = PythonOperator(task_id='t', python_callable=f, dag=dag)
    """)
    assert code == textwrap.dedent("""\
        def f(**kwargs):
            a = kwargs['logical_date']
            b = kwargs["data_interval_end"].strftime("%Y-%m-%d")
            c = kwargs.get('logical_date')
            d = kwargs.get('ds', None)
            e = kwargs['macros'].ds_add(kwargs['ds'], -1).replace('-', '')
            return kwargs['ds'], kwargs['ti'].xcom_pull(task_ids='x')
        t = PythonOperator(task_id='t', python_callable=f, dag=dag)
    """)
    assert not todos


def test_named_context_parameters_and_callbacks():
    code, todos = convert("""\
        def notify(context):
            print(context['execution_date'])
        def alert(ctx):
            print(ctx['prev_execution_date_success'])
        def other(ctx):
            print(ctx['execution_date'])
        t = PythonOperator(task_id='t', python_callable=print, on_failure_callback=notify,
                           on_retry_callback=alert, dag=dag)
        default_args = {'on_success_callback': [alert]}
    """)
    assert "print(context['logical_date'])" in code
    assert "print(ctx['ti'].get_previous_execution_date(state='success'))" in code
    assert "print(ctx['execution_date'])" in code  # `other` is no callback: ctx is any dict
    assert not todos


def test_a_closure_reads_the_outer_context():
    code, _ = convert("""\
        def f(**kwargs):
            def year():
                return kwargs['execution_date'].year
            return year()
        t = PythonOperator(task_id='t', python_callable=f, dag=dag)
    """)
    assert "return kwargs['logical_date'].year" in code


def test_defaults_belong_to_the_outer_scope():
    body = ("def f(context):\n    def g(x=context['execution_date']):\n        return x\n    return g\n")
    code, _ = convert(body)
    assert "def g(x=context['logical_date']):" in code


def test_an_operator_execute_method():
    code, _ = convert("""\
        from airflow.models import BaseOperator
        class Export(BaseOperator):
            def execute(self, context):
                return context['execution_date'].isoformat(), context['tomorrow_ds']
    """)
    assert "return context['logical_date'].isoformat(), context['macros'].ds_add(context['ds'], 1)" in code


def test_a_kwargs_mapping_lacks_the_named_parameters():
    code, todos = convert("""\
        def f(ds, **kwargs):
            return kwargs['yesterday_ds'], kwargs['end_date'], kwargs['next_ds']
        t = PythonOperator(task_id='t', python_callable=f, dag=dag)
    """)
    assert ("return kwargs['macros'].ds_add(ds, -1), ds, kwargs['data_interval_end'].strftime('%Y-%m-%d')"
            in code)
    assert not todos


def test_a_reassigned_named_parameter_is_a_todo():
    code, todos = convert("""\
        def f(ds, **kwargs):
            ds = ds.replace('-', '/')
            return kwargs['yesterday_ds']
        t = PythonOperator(task_id='t', python_callable=f, dag=dag)
    """)
    assert "kwargs['yesterday_ds']" in code
    assert any("reassigns" in t for t in todos)


def test_schedule_dependent_keys_in_python():
    code, _ = convert("""\
        def f(**kwargs):
            return kwargs['prev_ds'], kwargs['prev_execution_date'], kwargs['next_execution_date']
        t = PythonOperator(task_id='t', python_callable=f, dag=dag)
    """, schedule="timedelta(hours=6)")
    assert ("return (kwargs['ds'] if kwargs['dag_run'].external_trigger else (kwargs['logical_date'] - "
            "timedelta(hours=6)).strftime('%Y-%m-%d')), (kwargs['logical_date'] if kwargs['dag_run']"
            ".external_trigger else kwargs['logical_date'] - timedelta(hours=6)), kwargs['data_interval_end']") in code


def test_timedelta_is_imported_when_needed():
    source = ("import datetime\nfrom airflow import DAG\nfrom airflow.operators.python import PythonOperator\n"
              "dag = DAG('d', schedule=datetime.timedelta(hours=6))\n"
              "def f(**kwargs):\n    return kwargs['prev_execution_date']\n"
              "t = PythonOperator(task_id='t', python_callable=f, dag=dag)\n")
    code = convert_source(source, "d.py").code
    assert "from datetime import timedelta\n" in code
    assert "kwargs['logical_date'] - timedelta(hours=6))" in code


def test_cron_prev_is_a_todo_and_next_is_guarded():
    code, todos = convert("""\
        def f(**context):
            return context['prev_ds'], context['next_ds']
        t = PythonOperator(task_id='t', python_callable=f, dag=dag)
    """, schedule="'@daily'")
    assert ("return context['prev_ds'], (context['ds'] if context['dag_run'].external_trigger else "
            "context['data_interval_end'].strftime('%Y-%m-%d'))") in code
    assert len(todos) == 1 and todos[0].startswith("prev_ds is deprecated")


@pytest.mark.parametrize("body", [
    # written, deleted: not a read
    ("def f(**kwargs):\n    kwargs['execution_date'] = 1\n    del kwargs['next_ds']\n"
    "t = PythonOperator(task_id='t', python_callable=f, dag=dag)\n"),
    # a nested function whose own parameter hides the context
    ("def f(**kwargs):\n    def g(kwargs):\n        return kwargs['execution_date']\n    return g({})\n"
     "t = PythonOperator(task_id='t', python_callable=f, dag=dag)\n"),
    # the context variable rebound
    "def f(context):\n    context = {'execution_date': 1}\n    return context['execution_date']\n",
    # op_kwargs pass the key: the caller's value
    ("def f(**kwargs):\n    return kwargs['execution_date']\n"
    "t = PythonOperator(task_id='t', python_callable=f, op_kwargs={'execution_date': '{{ ds }}'}, dag=dag)\n"),
    # not a python operator: **kwargs is any mapping
    "def f(**kwargs):\n    return kwargs['execution_date']\n",
    # not a string key
    "def f(**kwargs):\n    k = 'x'\n    return kwargs[k]\nt = PythonOperator(task_id='t', python_callable=f, dag=dag)\n",
])
def test_left_alone(body):
    code, todos = convert(body)
    assert code == body
    assert not todos


def test_callable_also_called_directly_is_a_todo():
    body = ("def f(**kwargs):\n    return kwargs['execution_date']\n"
            "t = PythonOperator(task_id='t', python_callable=f, dag=dag)\nf(execution_date=1)\n")
    code, todos = convert(body)
    assert code == body
    assert any("also used outside python_callable=" in t for t in todos)


def test_op_kwargs_not_a_literal_is_a_todo():
    body = ("def f(**kwargs):\n    return kwargs['execution_date']\n"
            "t = PythonOperator(task_id='t', python_callable=f, op_kwargs=ARGS, dag=dag)\n")
    code, todos = convert(body)
    assert code == body
    assert any("op_kwargs are not a literal" in t for t in todos)


def test_get_with_a_default_of_a_computed_key_is_a_todo():
    body = ("def f(**kwargs):\n    return kwargs.get('yesterday_ds', '')\n"
            "t = PythonOperator(task_id='t', python_callable=f, dag=dag)\n")
    code, todos = convert(body)
    assert code == body
    assert any("kwargs['macros'].ds_add(kwargs['ds'], -1)" in t for t in todos)


def test_removed_and_unreplaceable_keys_are_todos():
    body = ("def f(context):\n    return context['conf'], context['tables'], context['dag_run'].conf\n")
    code, todos = convert(body)
    assert code == body
    assert len(todos) == 2


def test_fstring_keeps_its_quotes():
    code, _ = convert("""\
        def f(context):
            return f"{context['execution_date']:%Y} {context['yesterday_ds']}"
    """)
    assert """return f"{context['logical_date']:%Y} {context['macros'].ds_add(context['ds'], -1)}\"""" in code


# -- named parameters ---------------------------------------------------------------------------------------------

def test_renames_a_named_parameter_and_its_uses():
    code, todos = convert("""\
        def load(table, execution_date, end_date=None, **kwargs):
            helper(execution_date=execution_date, day=end_date)
            return execution_date.strftime('%Y'), obj.execution_date
        t = PythonOperator(task_id='t', python_callable=load, op_kwargs={'table': 'x'}, dag=dag)
    """)
    assert code.startswith(textwrap.dedent("""\
        def load(table, logical_date, ds=None, **kwargs):
            helper(execution_date=logical_date, day=ds)
            return logical_date.strftime('%Y'), obj.execution_date
    """))
    assert not todos


@pytest.mark.parametrize("body,why", [
    (("def f(execution_date):\n    return execution_date\n"
     "t = PythonOperator(task_id='t', python_callable=f, dag=dag)\nf(1)\n"), "also used outside"),
    (("def f(execution_date, logical_date=None):\n    return execution_date\n"
     "t = PythonOperator(task_id='t', python_callable=f, dag=dag)\n"), "logical_date is already used"),
    (("@wrap\ndef f(execution_date):\n    return execution_date\n"
     "t = PythonOperator(task_id='t', python_callable=f, dag=dag)\n"), "decorated"),
    (("def f(execution_date):\n    execution_date = execution_date.date()\n    return execution_date\n"
     "t = PythonOperator(task_id='t', python_callable=f, dag=dag)\n"), "reassigned"),
    (("def f(execution_date):\n    return execution_date\n"
     "t = PythonOperator(task_id='t', python_callable=f, op_kwargs=KW, dag=dag)\n"), "not literals"),
    (("def f(ds, yesterday_ds, **context):\n    return yesterday_ds\n"
     "t = PythonOperator(task_id='t', python_callable=f, dag=dag)\n"),
     "drop the parameter and use context['macros'].ds_add(ds, -1)"),
    (("def f(prev_ds):\n    return prev_ds\n"
     "t = PythonOperator(task_id='t', python_callable=f, dag=dag)\n"), "(with a **context parameter)"),
])
def test_named_parameter_todos(body, why):
    code, todos = convert(body)
    assert code.endswith(body)
    assert any(why in t for t in todos), todos


@pytest.mark.parametrize("body", [
    # op_kwargs / op_args pass the parameter: the caller's value
    ("def f(execution_date):\n    return execution_date\n"
    "t = PythonOperator(task_id='t', python_callable=f, op_kwargs={'execution_date': '{{ ds }}'}, dag=dag)\n"),
    ("def f(execution_date):\n    return execution_date\n"
    "t = PythonOperator(task_id='t', python_callable=f, op_args=['{{ ds }}'], dag=dag)\n"),
    # not a task callable
    "def f(execution_date):\n    return execution_date\n",
])
def test_named_parameter_left_alone(body):
    code, todos = convert(body)
    assert code == body
    assert not todos
