"""Conversion helpers shared by the rule tests: convert a dedented snippet, insist on a clean idempotent
conversion, or list the TODOs it leaves."""

from __future__ import annotations

import textwrap

from dagconvert.engine import convert_source


def convert(source: str):
    return convert_source(textwrap.dedent(source))


def converted(source: str) -> str:
    result = convert(source)
    assert not result.todos, [t.message for t in result.todos]
    assert convert_source(result.code).code == result.code, "not idempotent"
    return result.code


def todos(source: str) -> list[str]:
    return [t.message for t in convert(source).todos]


def probe_in_runtime(runtime_python, code: str, file_name: str, probe: str, workdir, *, marker: str = "@@",
                     extra_env: dict[str, str] | None = None, python_flags: tuple[str, ...] = ()) -> dict:
    """Write a converted DAG file to ``<workdir>/dags/<file_name>``, run ``probe`` (a script that gets that
    folder as its argument) with the runtime's Python under a fresh AIRFLOW_HOME, and return the JSON it
    printed on its last line starting with ``marker``."""
    import json
    import os
    import subprocess
    from pathlib import Path

    workdir = Path(workdir)
    dags, home = workdir / "dags", workdir / "home"
    dags.mkdir(parents=True, exist_ok=True)
    home.mkdir(exist_ok=True)
    (dags / file_name).write_text(code)
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__UNIT_TEST_MODE": "False", **(extra_env or {})}
    proc = subprocess.run([str(runtime_python), *python_flags, "-c", probe, str(dags)], capture_output=True,
                          text=True, env=env, timeout=300, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(marker)]
    assert proc.returncode == 0 and lines, f"runtime probe failed:\n{proc.stderr[-3000:]}"
    return json.loads(lines[-1][len(marker):])
