"""An emulator of Airflow 1.10.15's experimental REST API: the Composer 1 source of a migration.

Airflow 1.10 cannot run on Python 3.11, so the local stack and the tests talk to this instead; it
answers with 1.10's paths, JSON bodies and status codes (see ``api.py``), keeps DAGs, pause flags and
runs from a seed (optionally persisted to a JSON file), lets triggered runs finish after a short
duration, and records every trigger and pause call for tests (``GET /_emulator/state``, test-only).

Run it with ``python -m emulators.airflow1 --port 8081 --seed emulators/airflow1/demo_seed.json`` or
in-process with ``start_emulator(seed)``.
"""

from pathlib import Path

from emulators.airflow1.server import Airflow1EmulatorHandle, start_emulator
from emulators.airflow1.state import SeedError

DEMO_SEED_PATH = Path(__file__).with_name("demo_seed.json")
"""The demo's seed: the dag_ids of examples/airflow1/, unpaused, each with a few finished runs."""

__all__ = ["DEMO_SEED_PATH", "Airflow1EmulatorHandle", "SeedError", "start_emulator"]
