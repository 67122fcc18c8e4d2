"""The Airflow side of a target, shared by every target whose Airflow speaks the stable REST API.

A target differs in how files reach its DAG folder (a Composer bucket, a local folder); everything
else (parse status, paused state, runs) goes to its web server's REST API. Subclasses set ``rest``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from environments.airflow2.rest import Airflow2RestClient
from environments.base import DagInfo, ParseStatus, RunState, TriggerResult


class RestOperations:
    """TargetEnvironment's Airflow operations, delegated to ``self.rest``."""

    rest: Airflow2RestClient

    def parse_status(self, dag_id: str, relative_path: str) -> ParseStatus:
        return self.rest.parse_status(dag_id, relative_path)

    def dag_info(self, dag_id: str) -> DagInfo:
        return self.rest.dag_info(dag_id)

    def set_paused(self, dag_ids: Sequence[str], paused: bool) -> Mapping[str, bool]:
        return self.rest.set_paused(dag_ids, paused)

    def is_paused(self, dag_id: str) -> bool:
        return self.rest.is_paused(dag_id)

    def trigger(self, dag_id: str, run_id: str, conf: Mapping[str, object] | None = None,
                logical_date: datetime | None = None) -> TriggerResult:
        return self.rest.trigger(dag_id, run_id, conf, logical_date)

    def get_run(self, dag_id: str, run_id: str) -> RunState:
        return self.rest.get_run(dag_id, run_id)

    def list_runs(self, dag_id: str, limit: int = 25) -> Sequence[RunState]:
        return self.rest.list_runs(dag_id, limit)

    def mark_run(self, dag_id: str, run_id: str, state: str) -> RunState:
        return self.rest.mark_run(dag_id, run_id, state)
