"""Compatibility shim: the runtime warm-up now lives in the loader itself.

``airflow_runtime.inside.warmup`` (mapper configuration, first-use costs, ``gc.freeze``) runs in every
loader's preload (``airflow_runtime.inside.loader.main``), so ``dagcheck.stage`` no longer asks for this
module. Importing it still warms up (idempotent: the loader's own call then does nothing more than close
the DB and freeze the heap). Runs INSIDE the runtime; standard library only at module level.
"""

from __future__ import annotations

from airflow_runtime.inside.warmup import LOGICAL_DATE, close_db, warm_up

__all__ = ["LOGICAL_DATE", "close_db", "warm_up"]

try:
    warm_up()
finally:
    close_db()
