"""Code that runs INSIDE the runtime venv (it may import Airflow). Started as ``python -m ...``.

Modules here import only the standard library at module level, so the orchestrator can import their pure
helpers (and tests can exercise them) without Airflow; Airflow is imported inside functions.
"""
