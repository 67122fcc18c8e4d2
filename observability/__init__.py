"""Logging set-up shared by the CLI, the worker and the benchmarks (structlog, configured once)."""

from observability.logging import configure_logging, get_logger

__all__ = ["configure_logging", "get_logger"]
