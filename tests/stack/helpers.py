"""Helpers for the stack tests: free ports and a tiny HTTP service."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from stack.supervisor import HttpReady, ServiceSpec


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports (held open together while choosing, so they differ)."""
    sockets = []
    try:
        for _ in range(count):
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            sockets.append(probe)
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()



def http_service(tmp_path: Path, name: str = "web", port: int | None = None, **overrides) -> ServiceSpec:
    """`python -m http.server` on a free port, ready when GET / answers 200."""
    port = port or free_port()
    values = {
        "name": name,
        "argv": (sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(tmp_path)),
        "log_file": tmp_path / "logs" / f"{name}.log",
        "ready": HttpReady(f"http://127.0.0.1:{port}/"),
        "ready_timeout": 20,
        "ports": (("127.0.0.1", port),),
        "address": f"http://127.0.0.1:{port}",
    }
    values.update(overrides)
    return ServiceSpec(**values)
