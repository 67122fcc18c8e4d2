"""structlog configured once: a console renderer on a terminal, JSON lines otherwise or when asked.

Context (wave, dag_id, file, rule, ...) is bound per unit of work with ``structlog.contextvars`` or
``log.bind``; contextvars are merged first so every line carries it.
"""

from __future__ import annotations

import logging
import os
import sys

import structlog

_configured = False


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is when a line is logged: CLIs under test runners (and the runners
    themselves) swap and close streams, and a logger bound to an old stream would write to a closed file."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def configure_logging(*, json: bool | None = None, level: str | None = None, stream=None) -> None:
    """Configure structlog and the stdlib root logger.

    json: force JSON lines (True) or the console renderer (False); None picks JSON when the stream is
    not a terminal or when COMPOSER_MIGRATE_LOG_JSON=1.
    level: a logging level name; defaults to COMPOSER_MIGRATE_LOG_LEVEL or INFO.
    """
    global _configured
    stream = stream or _CurrentStderr()
    if json is None:
        env = os.environ.get("COMPOSER_MIGRATE_LOG_JSON")
        json = env == "1" if env is not None else not stream.isatty()
    level_name = (level or os.environ.get("COMPOSER_MIGRATE_LOG_LEVEL") or "INFO").upper()
    numeric = logging.getLevelName(level_name)
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level_name!r}")  # noqa: TRY004 - a bad value, not a bad type

    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=numeric, stream=stream, format="%(levelname)s %(name)s: %(message)s", force=True)
    _configured = True


def get_logger(name: str | None = None, **initial):
    """A structlog logger; configures a default (console or JSON by terminal) on first use."""
    if not _configured:
        configure_logging()
    log = structlog.get_logger(name) if name else structlog.get_logger()
    return log.bind(**initial) if initial else log
