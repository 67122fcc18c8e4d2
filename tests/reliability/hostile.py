"""A folder of hostile Airflow 1.10 DAG files, built in a test's tmp dir (nothing large is committed).

``build_hostile_tree(base)`` writes ``base/dags`` (the source tree a wave or ``convert`` is pointed at),
``base/outside`` (files the tree's symlinks point to; must never be read) and names ``base/canary``
(a path one DAG tries to write at import; must never exist). ``EXPECTED`` says, per file, at which stage it
must stop and what its error must say (a regex), and the line the error must name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HUGE_BYTES = 50 * 1024 * 1024
SHARED_DAG_ID = "shared_dag_id"

GOOD_DAG = '''\
from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator

dag = DAG(
    dag_id="{dag_id}",
    default_args={{"owner": "data", "start_date": datetime(2021, 1, 1), "retries": 1}},
    schedule_interval="@daily",
    catchup=False,
)

start = DummyOperator(task_id="start", dag=dag)
work = BashOperator(task_id="work", bash_command="echo {{{{ ds }}}}", dag=dag)
start >> work
'''

# A DAG header the bad files share: a real Airflow 1.10 DAG, so only the hostile part makes them fail.
_HEADER = '''\
from datetime import datetime

from airflow import DAG
from airflow.operators.dummy_operator import DummyOperator

dag = DAG(dag_id="{dag_id}", start_date=datetime(2021, 1, 1), schedule_interval=None)
DummyOperator(task_id="t", dag=dag)
'''  # 7 lines: the hostile statement is on line 8


@dataclass(frozen=True)
class Expected:
    """Where a hostile file must stop: ``stage`` "convert" or "test"; ``error``: a regex its reason matches;
    ``line``: the line the reason names (None: it has none); ``in_history``: the regex the wave's reason
    matches (reasons in workflow history have the DAG file's quoted values redacted: security/redact.py)."""

    stage: str
    error: str
    line: int | None
    in_history: str = ""

    @property
    def history_error(self) -> str:
        return self.in_history or self.error


EXPECTED: dict[str, Expected] = {
    "syntax_error.py": Expected("convert", r"syntax|invalid|parse", 9),
    "latin1.py": Expected("convert", r"not valid utf-8.*byte 0xe9", 3),
    "huge.py": Expected("convert", r"52\.4 MB is too large for a DAG file \(limit 5 MB\)", None),
    "escape_link.py": Expected("convert", r"symlink to .*outside the source tree; not read", None),
    "import_loop.py": Expected("test", r"timeout: no result within .* importing the file", 8),
    "import_network.py": Expected("test", r"network access at import: .*203\.0\.113\.7", 9),
    "import_network_swallowed.py": Expected("test", r"network access at import: .*metadata\.google\.internal", 11),
    "writes_outside.py": Expected("test", r"write outside the scratch folder at import: .*canary", 9,
                                  r"write outside the scratch folder at import: os\.mkdir"),
    "import_program.py": Expected("test", r"program started at import: subprocess\.Popen", 9),
    "dup_first.py": Expected("test", r"DAG id 'shared_dag_id' is also defined in dup_second\.py", 6,
                             r"DAG id .* is also defined in dup_second\.py"),
    "dup_second.py": Expected("test", r"DAG id 'shared_dag_id' is also defined in dup_first\.py", 6,
                              r"DAG id .* is also defined in dup_first\.py"),
}
GOOD = {"good_orders.py": "good_orders", "good_reports.py": "good_reports"}


@dataclass(frozen=True)
class HostileTree:
    source: Path  # the DAG folder
    outside: Path  # what the symlinks point to
    canary: Path  # what writes_outside.py tries to create

    @property
    def expected(self) -> dict[str, Expected]:
        return EXPECTED


def build_hostile_tree(base: Path, *, fifo: bool = False) -> HostileTree:
    """Write the hostile DAG folder under ``base`` (module docstring). ``fifo``: add a named pipe ``pipe.py``
    (for the convert stage; a wave spec's globs only match regular files)."""
    source, outside, canary = base / "dags", base / "outside", base / "canary" / "escaped.txt"
    source.mkdir(parents=True)
    outside.mkdir()
    for name, dag_id in GOOD.items():
        (source / name).write_text(GOOD_DAG.format(dag_id=dag_id))
    (source / "syntax_error.py").write_text(_HEADER.format(dag_id="syntax_error") + "\ndef broken(:\n    pass\n")
    (source / "latin1.py").write_bytes(
        b"from airflow import DAG\n\n# Caf\xe9 des donn\xe9es: saved in Latin-1, no coding line\n")
    with (source / "huge.py").open("wb") as handle:  # 50 MB of code-like text, written in 1 MB blocks
        block = (b"VALUE = 'x' * 80  # generated padding\n" * 30000)[: 1024 * 1024]
        handle.write(b"from airflow import DAG\n")
        for _ in range(HUGE_BYTES // len(block)):
            handle.write(block)
    (outside / "not_yours.py").write_text(GOOD_DAG.format(dag_id="not_yours"))
    (source / "escape_link.py").symlink_to(outside / "not_yours.py")
    (source / "escape_dir").symlink_to(outside, target_is_directory=True)
    (source / "import_loop.py").write_text(_HEADER.format(dag_id="import_loop") + "while True: pass\n")
    (source / "import_network.py").write_text(
        "import socket\n" + _HEADER.format(dag_id="import_network")
        + 'socket.create_connection(("203.0.113.7", 80), timeout=30)  # TEST-NET-3: never routable\n')
    (source / "import_network_swallowed.py").write_text(
        "import urllib.request\n\n" + _HEADER.format(dag_id="import_network_swallowed")
        + "try:  # a DAG asking the metadata server for its project at parse time, errors ignored\n"
        + '    urllib.request.urlopen("http://metadata.google.internal/computeMetadata/v1/project", timeout=5)\n'
        + "except Exception:\n    pass\n")
    (source / "writes_outside.py").write_text(
        "import os\n" + _HEADER.format(dag_id="writes_outside")
        + f"os.makedirs({str(canary.parent)!r}, exist_ok=True); open({str(canary)!r}, 'w').write('escaped')\n")
    (source / "import_program.py").write_text(  # a program could write anywhere: refused, not run
        "import subprocess\n" + _HEADER.format(dag_id="import_program")
        + f"subprocess.run(['touch', {str(canary)!r}], check=False)\n")
    dup = '''\
from datetime import datetime

from airflow import DAG
from airflow.operators.dummy_operator import DummyOperator

dag = DAG(dag_id="{dag_id}", start_date=datetime(2021, 1, 1), schedule_interval=None)
DummyOperator(task_id="{task}", dag=dag)
'''
    (source / "dup_first.py").write_text(dup.format(dag_id=SHARED_DAG_ID, task="from_first"))
    (source / "dup_second.py").write_text(dup.format(dag_id=SHARED_DAG_ID, task="from_second"))
    if fifo:
        os.mkfifo(source / "pipe.py")
    return HostileTree(source, outside, canary)


def snapshot(root: Path, *, skip: tuple[Path, ...] = ()) -> dict[str, tuple[int, int]]:
    """``{relative path: (size, mtime_ns)}`` of every entry under ``root`` (symlinks not followed)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not any((here / d) == s for s in skip)]
        for name in filenames + dirnames:
            path = here / name
            if any(path == s for s in skip):
                continue
            st = path.lstat()
            found[path.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns)
    return found
