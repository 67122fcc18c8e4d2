"""AM805's {% raw %} wrapping, proven in the real Airflow 2 runtime: the converted task's ``parameters`` render
to exactly what Airflow 1.10 sent (it did not template ``parameters``)."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from dagconvert.engine import convert_source
from tests.runtime import require_runtime_python

PARAMETERS = {"day": "{{ ds }}", "note": "{# kept #} {% if x %}", "list": ["{{ a }}", "plain\n"], "n": 3}

SOURCE = f'''\
from datetime import datetime
from airflow import DAG
from airflow.operators.postgres_operator import PostgresOperator

dag = DAG("am805_raw", start_date=datetime(2024, 1, 1), schedule_interval=None)
stage = PostgresOperator(task_id="stage", postgres_conn_id="shop", sql="SELECT %(day)s",
                         parameters={PARAMETERS!r}, dag=dag)
'''

RENDER = textwrap.dedent('''\
    import importlib.util, json, sys
    spec = importlib.util.spec_from_file_location("converted", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    task = module.dag.get_task("stage")
    rendered = task.render_template(task.parameters, {"ds": "2024-01-01", "a": "A", "x": True},
                                    jinja_env=module.dag.get_template_env())
    print(json.dumps(rendered))
''')


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_wrapped_parameters_render_to_what_1_10_sent(tmp_path):
    python = require_runtime_python()
    result = convert_source(SOURCE)
    assert "{% raw %}{{ ds }}{% endraw %}" in result.code and not result.todos
    converted = tmp_path / "converted.py"
    converted.write_text(result.code)
    script = tmp_path / "render.py"
    script.write_text(RENDER)
    done = subprocess.run([str(python), str(script), str(converted)], check=False, capture_output=True, text=True,
                          timeout=240,
                          env={"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                               "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path}/airflow.db"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == PARAMETERS
