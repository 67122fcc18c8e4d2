"""The inventory of import targets, computed inside the real Airflow 2 runtime (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airflow_runtime.inventory import Inventory, compute_inventory
from target_profiles import load_profile

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

BASH = "airflow.operators.bash.BashOperator"
GONE_IN_GOOGLE_19 = "airflow.providers.google.cloud.operators.bigquery.BigQueryExecuteQueryOperator"
STILL_IN_GOOGLE_19 = "airflow.providers.google.cloud.operators.bigquery.BigQueryInsertJobOperator"
NO_MODULE = "airflow.contrib.operators.no_such_module.Thing"
OLD_SHIM = "airflow.operators.bash_operator.BashOperator"  # 1.10 path, still shimmed (with a warning) in 2.10
A_MODULE = "airflow.providers.google.cloud.hooks"


def test_inventory_against_the_real_runtime(runtime_python: Path, tmp_path: Path):
    output = tmp_path / "inventory.json"
    candidates = [GONE_IN_GOOGLE_19, BASH, NO_MODULE, STILL_IN_GOOGLE_19, OLD_SHIM, A_MODULE, BASH]
    inventory = compute_inventory(load_profile("airflow-2.10.5"), candidates, python=runtime_python, output=output)

    assert inventory.available == tuple(sorted([BASH, STILL_IN_GOOGLE_19, OLD_SHIM, A_MODULE]))
    assert inventory.missing == tuple(sorted([GONE_IN_GOOGLE_19, NO_MODULE]))
    assert inventory.has(BASH) is True and inventory.has(GONE_IN_GOOGLE_19) is False
    assert inventory.has("never.asked.About") is None
    assert "BigQueryExecuteQueryOperator" in inventory.errors[GONE_IN_GOOGLE_19]
    assert inventory.errors[NO_MODULE].startswith("ModuleNotFoundError")
    assert "apache-airflow 2.10.5" in inventory.generated_by

    written = json.loads(output.read_text())
    assert list(written) == ["profile", "generated_by", "available", "missing", "errors", "accepted_kwargs",
                             "parameter_defaults"]
    assert written["profile"] == "airflow-2.10.5"
    assert written["available"] == sorted(written["available"]) and written["missing"] == sorted(written["missing"])
    assert Inventory.from_dict(written) == inventory
    assert not list(tmp_path.glob(".inventory.json.*"))  # the atomic write left no temporary file


def test_inventory_write_false_writes_nothing(runtime_python: Path, tmp_path: Path):
    output = tmp_path / "inventory.json"
    inventory = compute_inventory(load_profile("airflow-2.10.5"), [BASH], python=runtime_python, output=output,
                                  write=False)
    assert inventory.available == (BASH,) and not output.exists()
