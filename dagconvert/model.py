"""Results of converting one file: frozen, JSON-friendly, no source text except the diff."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class FileStatus(str, Enum):
    CONVERTED = "converted"      # output differs from the source
    UNCHANGED = "unchanged"      # nothing to convert (still copied to the output tree)
    NOT_A_DAG = "not_a_dag"      # parsed, but defines no DAG: copied as is (helpers, SQL, configs)
    ERROR = "error"              # could not be read or parsed: nothing written for it


@dataclass(frozen=True)
class Finding:
    """One applied change (``todo=False``) or one thing left for a person (``todo=True``)."""

    rule: str           # stable rule code, e.g. "AM101"
    line: int           # 1-based line in the source file
    message: str
    todo: bool = False


@dataclass(frozen=True)
class FileResult:
    path: str                                # relative to the source root
    status: FileStatus
    changes: tuple[Finding, ...] = ()
    todos: tuple[Finding, ...] = ()
    error: str | None = None                 # "line 12: invalid syntax" etc. for status ERROR
    diff: str = ""                           # unified diff source -> output
    elapsed_s: float = 0.0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["status"] = self.status.value
        return data


@dataclass(frozen=True)
class ConvertedSource:
    """The engine's answer for one source text."""

    code: str
    changes: tuple[Finding, ...] = field(default=())
    todos: tuple[Finding, ...] = field(default=())
    is_dag_file: bool = True


class ConversionError(Exception):
    """A file that cannot be converted at all (syntax error, not UTF-8): message names the line."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line
