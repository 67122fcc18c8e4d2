"""The pinned Airflow 2 runtime of a target profile: build it, ask it what exists, load DAG files in it.

Two sides, kept apart on purpose:

- the orchestrator side (``build``, ``inventory``, ``client`` and their helpers) runs in the project's own
  venv and never imports Airflow: it starts processes of the runtime's Python and talks JSON to them;
- the ``inside`` package runs *in* the runtime venv (``python -m airflow_runtime.inside.loader``), imports
  Airflow, and answers.

This ``__init__`` imports nothing, so that the runtime side can import ``airflow_runtime.inside.*`` without
pulling in orchestrator modules. Import from the submodules: ``airflow_runtime.build.build_runtime``,
``airflow_runtime.inventory.compute_inventory``, ``airflow_runtime.client.RuntimeSession``.
"""
