"""The JSON-lines protocol between ``client.RuntimeSession`` (orchestrator) and ``loader`` (runtime).

Standard library only: both sides import it.

Requests (one JSON object per line on the loader's stdin)::

    {"id": "7", "file": "/abs/dag.py", "render_templates": true,
     "logical_date": "2024-01-01T00:00:00+00:00", "timeout_s": 30, "dags_root": "/abs/tree" | null}

Events (one JSON object per line on the loader's stdout; Airflow's own logs go to stderr)::

    {"event": "ready", "pid": ..., "airflow_version": ..., "python": ..., "import_s": ..., "jobs": ...}
    {"event": "started", "id": "7", "pid": <child pid>}       (when a child begins the file)
    {"event": "result", "id": "7", "file": ..., "status": ..., "elapsed_s": ..., ...}   (see client.FileLoadResult)
"""

from __future__ import annotations

PROTOCOL_VERSION = 1

EVENT_READY = "ready"
EVENT_STARTED = "started"
EVENT_RESULT = "result"

STATUS_OK = "ok"                    # imported; zero or more DAGs; render failures/warnings may be listed
STATUS_IMPORT_ERROR = "import_error"  # Airflow recorded an import error for the file
STATUS_TIMEOUT = "timeout"          # killed after its time limit (import or rendering did not finish)
STATUS_CRASHED = "crashed"          # the child died without a result (signal, os._exit, sys.exit, loader death)
STATUS_MEMORY = "memory"            # hit the memory limit (MemoryError under RLIMIT_AS)
STATUS_ERROR = "error"              # the request itself was bad (no such file, malformed request)

STATUSES = (STATUS_OK, STATUS_IMPORT_ERROR, STATUS_TIMEOUT, STATUS_CRASHED, STATUS_MEMORY, STATUS_ERROR)

DEFAULT_LOGICAL_DATE = "2024-01-01T00:00:00+00:00"
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MEMORY_LIMIT_MB = 2048
DEFAULT_BATCH_SIZE = 100  # files one loader child loads one after another (see loader's docstring)
