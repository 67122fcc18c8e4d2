"""What loading one DAG file in the runtime found: frozen dataclasses mirroring the loader's JSON.

Standard library only (plus ``dagcheck.structure``, also stdlib-only), so reports, activities and tests
read results without Airflow. ``from_dict``/``to_dict`` round-trip the loader's result events; unknown
keys are ignored and missing keys take defaults, so the two sides can evolve one field at a time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from airflow_runtime.inside.protocol import (
    STATUS_CRASHED,
    STATUS_ERROR,
    STATUS_IMPORT_ERROR,
    STATUS_MEMORY,
    STATUS_OK,
    STATUS_TIMEOUT,
)
from dagcheck.structure import DagStructure

__all__ = [
    "STATUS_CRASHED",
    "STATUS_ERROR",
    "STATUS_IMPORT_ERROR",
    "STATUS_MEMORY",
    "STATUS_OK",
    "STATUS_TIMEOUT",
    "FileLoadResult",
    "ImportErrorInfo",
    "LoadWarning",
    "RenderFailure",
    "RenderWarning",
]


@dataclass(frozen=True)
class ImportErrorInfo:
    """An import error Airflow recorded for the file: the exception line and where in the DAG file."""

    message: str
    line: int | None = None
    file: str | None = None
    traceback: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportErrorInfo:
        return cls(message=data.get("message", ""), line=data.get("line"), file=data.get("file"),
                   traceback=data.get("traceback", ""))


@dataclass(frozen=True)
class LoadWarning:
    """A warning the DAG file's own code raised while it was imported (e.g. a deprecated import path)."""

    category: str
    message: str
    filename: str
    lineno: int | None = None
    source: str = "import"  # "import": caught during the DagBag fill; "dagbag": from DagBag.captured_warnings

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoadWarning:
        return cls(category=data.get("category", ""), message=data.get("message", ""),
                   filename=data.get("filename", ""), lineno=data.get("lineno"), source=data.get("source", "import"))


@dataclass(frozen=True)
class RenderFailure:
    """A templated field that did not render for the fixed logical date.

    ``kind``: ``undefined`` (a variable the context does not have), ``template_not_found``, ``syntax``,
    ``missing_variable``/``missing_connection`` (an Airflow Variable/Connection absent from this test
    runtime, which the real environment may well have), or ``error``.
    """

    dag_id: str
    task_id: str
    field: str
    error: str
    kind: str = "error"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenderFailure:
        return cls(dag_id=data.get("dag_id", ""), task_id=data.get("task_id", ""), field=data.get("field", ""),
                   error=data.get("error", ""), kind=data.get("kind", "error"))


@dataclass(frozen=True)
class RenderWarning:
    """A warning raised while rendering one field (``execution_date`` and other deprecated variables)."""

    dag_id: str
    task_id: str
    field: str
    category: str
    message: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenderWarning:
        return cls(dag_id=data.get("dag_id", ""), task_id=data.get("task_id", ""), field=data.get("field", ""),
                   category=data.get("category", ""), message=data.get("message", ""))


@dataclass(frozen=True)
class FileLoadResult:
    """Everything the runtime found about one DAG file. ``status`` is one of the protocol's STATUS_*."""

    file: str
    status: str
    elapsed_s: float = 0.0
    id: str | None = None
    detail: str | None = None
    import_errors: tuple[ImportErrorInfo, ...] = ()
    warnings: tuple[LoadWarning, ...] = ()
    dag_ids: tuple[str, ...] = ()
    dags: tuple[DagStructure, ...] = ()
    render_failures: tuple[RenderFailure, ...] = ()
    render_warnings: tuple[RenderWarning, ...] = ()
    notes: tuple[str, ...] = ()
    max_rss_mb: float | None = None
    crash_line: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def ok(self) -> bool:
        """Imported without error (templates may still have failed: see ``render_failures``)."""
        return self.status == STATUS_OK

    @property
    def line(self) -> int | None:
        """The DAG-file line most worth showing: the first import error's, or where a crash started."""
        for err in self.import_errors:
            if err.line is not None:
                return err.line
        return self.crash_line

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileLoadResult:
        known = {"event", "file", "status", "elapsed_s", "id", "detail", "import_errors", "warnings", "dag_ids",
                 "dags", "render_failures", "render_warnings", "notes", "max_rss_mb", "crash_line"}
        return cls(
            file=data.get("file") or "",
            status=data.get("status") or STATUS_ERROR,
            elapsed_s=float(data.get("elapsed_s") or 0.0),
            id=None if data.get("id") is None else str(data["id"]),
            detail=data.get("detail"),
            import_errors=tuple(ImportErrorInfo.from_dict(e) for e in data.get("import_errors", ())),
            warnings=tuple(LoadWarning.from_dict(w) for w in data.get("warnings", ())),
            dag_ids=tuple(data.get("dag_ids", ())),
            dags=tuple(DagStructure.from_dict(d) for d in data.get("dags", ())),
            render_failures=tuple(RenderFailure.from_dict(f) for f in data.get("render_failures", ())),
            render_warnings=tuple(RenderWarning.from_dict(w) for w in data.get("render_warnings", ())),
            notes=tuple(data.get("notes", ())),
            max_rss_mb=data.get("max_rss_mb"),
            crash_line=data.get("crash_line"),
            extra={k: v for k, v in data.items() if k not in known},
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["dags"] = [d.to_dict() for d in self.dags]
        for key in ("import_errors", "warnings", "render_failures", "render_warnings"):
            data[key] = [dict(item) for item in data[key]]
        data["dag_ids"] = list(self.dag_ids)
        data["notes"] = list(self.notes)
        return data

    @classmethod
    def failed(cls, file: str, status: str, detail: str, *, id: str | None = None,
               elapsed_s: float = 0.0) -> FileLoadResult:
        """A result for a file the loader could not report on itself (e.g. the loader died under it)."""
        return cls(file=file, status=status, detail=detail, id=id, elapsed_s=elapsed_s)
