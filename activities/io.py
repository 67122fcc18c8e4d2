"""Inputs and outputs of the activities: small frozen values (paths, names, hashes, states, reasons).

No DAG source text and no credentials ever travel here: files are passed by path and sha256, and the
environments by name (the worker resolves names into adapters with its own settings).
"""

from __future__ import annotations

from dataclasses import dataclass

from waves.model import FirstRunPlan, WaveFile, WaveStatus

MAX_REASON_CHARS = 500


def short(text: str, limit: int = MAX_REASON_CHARS) -> str:
    """Keep reasons small in history: first ``limit`` characters, marked when cut."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 15].rstrip() + " ... (truncated)"


@dataclass(frozen=True)
class ConvertRequest:
    wave: str
    source_dir: str
    out_dir: str
    files: tuple[WaveFile, ...]
    profile: str


@dataclass(frozen=True)
class TestRequest:
    wave: str
    source_dir: str
    out_dir: str
    profile: str
    __test__ = False


@dataclass(frozen=True)
class DeployRequest:
    target: str
    out_dir: str
    file: str
    sha256: str
    dag_id: str


@dataclass(frozen=True)
class DeployOutcome:
    uploaded: bool  # False: the same bytes were already there
    airflow_uri: str


@dataclass(frozen=True)
class ParseRequest:
    target: str
    dag_id: str
    file: str
    timeout_s: float = 300.0
    poll_s: float = 2.0


@dataclass(frozen=True)
class ParseOutcome:
    parsed: bool
    reason: str = ""
    waited_s: float = 0.0


@dataclass(frozen=True)
class PauseRequest:
    environment: str
    dag_id: str
    paused: bool


@dataclass(frozen=True)
class FirstRunRequest:
    target: str
    dag_id: str
    policy: str  # guard | allow


@dataclass(frozen=True)
class GuardRequest:
    target: str
    plan: FirstRunPlan


@dataclass(frozen=True)
class RouteRequest:
    wave: str
    dag_id: str
    environment: str  # composer1 | composer2
    environment_name: str  # the environment to route to (resource name or id) for its airflow_uri
    side: str  # "source" | "target": which kind of environment environment_name is
    attempt: int
    scope: str  # the wave run's id (routing.contract.new_change_id)
    issued_at: str  # RFC 3339, from workflow time: a retried activity republishes identical bytes
    ack_timeout_s: float = 300.0


@dataclass(frozen=True)
class RouteOutcome:
    change_id: str
    outcome: str  # applied | superseded
    applied_at: str


@dataclass(frozen=True)
class VerifyRequest:
    target: str
    dag_id: str
    run_id: str
    trigger: bool  # False: watch for the first run the scheduler starts after ``since``
    timeout_s: float
    poll_s: float
    since: str = ""  # RFC 3339: when the DAG was unpaused in the target


@dataclass(frozen=True)
class VerifyOutcome:
    run_id: str
    state: str  # success | failed | timeout
    reason: str = ""
    duration_s: float = 0.0
    failed_tasks: tuple[str, ...] = ()


@dataclass(frozen=True)
class BaselineRequest:
    source: str
    dag_id: str


@dataclass(frozen=True)
class Baseline:
    runs: int
    successes: int
    median_duration_s: float
    summary: str


@dataclass(frozen=True)
class ReportRequest:
    status: WaveStatus


@dataclass(frozen=True)
class ReportFiles:
    markdown: str
    html: str
