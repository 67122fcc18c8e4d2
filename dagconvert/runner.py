"""Convert a tree of DAG files: in parallel across cores, never writing the source tree, writing each output
file atomically (temp file + rename), one result per file whatever happens to the others.

Python files are converted; every other file (SQL templates, JSON configs, ...) is copied as is, so the
output tree is a complete DAG folder.
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
import stat
import tempfile
import time
import tokenize
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from dagconvert.engine import convert_source
from dagconvert.model import ConversionError, FileResult, FileStatus

SKIP_DIRS = {"__pycache__", ".git", ".hg", ".svn", ".venv", "venv", "node_modules", ".mypy_cache", ".pytest_cache"}
MAX_FILE_BYTES = 5 * 1024 * 1024  # a DAG file bigger than this is not hand-written code: refuse it


class TreeError(ValueError):
    """The trees themselves are unusable (missing source, output inside the source, ...)."""


@dataclass(frozen=True)
class TreeResult:
    source_root: str
    output_root: str | None
    profile: str
    files: tuple[FileResult, ...]
    elapsed_s: float

    def count(self, status: FileStatus) -> int:
        return sum(1 for f in self.files if f.status is status)

    @property
    def errors(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.status is FileStatus.ERROR)


def iter_tree(root: Path) -> Iterator[Path]:
    """Files under root, sorted, skipping VCS/cache folders; never descending into a symlinked folder.

    A symlink (to a file or a folder) that leaves the tree is yielded, not followed: ``convert_file``
    reports it as skipped with its target and never reads it, so it shows in the report instead of
    silently missing from the output.
    """
    root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        entries = list(filenames)
        entries += [d for d in dirnames if (Path(dirpath) / d).is_symlink() and _leaves(Path(dirpath) / d, root)]
        for name in sorted(entries):
            yield Path(dirpath) / name


def _leaves(path: Path, root: Path) -> bool:
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop: nothing to convert there either
        return True


def source_root_of(path: Path, rel: str) -> Path:
    """The tree ``path`` belongs to, given its relative path ``rel`` in it (``root/a/b.py``, ``a/b.py`` -> root)."""
    depth = len(Path(rel).parts)
    return path.parents[depth - 1] if depth >= 1 else path.parent


def refuse_unsafe(path: Path, rel: str) -> None:
    """Raise ``ConversionError`` for a file that must not be read: a symlink out of its tree (its target is
    someone else's file), or not a regular file (a FIFO would block the read forever, a device never ends)."""
    if _leaves(path, source_root_of(path, rel)):
        try:
            target = str(path.resolve())
        except (OSError, RuntimeError) as exc:
            target = f"? ({type(exc).__name__})"
        raise ConversionError(f"{rel}: skipped: a symlink to {target}, outside the source tree; not read "
                              "(copy the file into the tree if it belongs to the DAG folder)")
    mode = path.stat().st_mode
    if stat.S_ISDIR(mode):
        raise ConversionError(f"{rel}: skipped: a folder where a file was expected; not read")
    if not stat.S_ISREG(mode):
        raise ConversionError(f"{rel}: skipped: not a regular file (a FIFO, socket or device); not read")


def check_trees(source: Path, output: Path | None) -> None:
    if not source.exists():
        raise TreeError(f"source {source} does not exist")
    if output is None:
        return
    src, out = source.resolve(), output.resolve()
    if src == out:
        raise TreeError("the output tree must not be the source tree: the source is never written")
    if src.is_dir() and (out.is_relative_to(src) or src.is_relative_to(out)):
        raise TreeError(f"output {out} and source {src} must not contain each other")


def decode_source(data: bytes, rel: str) -> tuple[str, str]:
    """Text and encoding of a Python file (PEP 263 cookie honoured, UTF-8 by default)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise ConversionError(f"{rel}: {exc}") from None
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConversionError(
            f"{rel}: line {line}: not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 or declare its encoding with a '# -*- coding: ... -*-' line", line) from None


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def unified_diff(before: str, after: str, rel: str) -> str:
    if before == after:
        return ""
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{rel}", tofile=f"b/{rel}"))


def convert_file(path: Path, rel: str, output: Path | None, profile: str | None, with_diff: bool = True) -> FileResult:
    """Convert one file (or copy it, if not Python) and write it under ``output``; never raises for bad input."""
    started = time.perf_counter()
    target = output / rel if output is not None else None
    try:
        refuse_unsafe(path, rel)
        if path.suffix != ".py":
            if target is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            return FileResult(rel, FileStatus.UNCHANGED, elapsed_s=time.perf_counter() - started)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ConversionError(f"{rel}: {size / 1e6:.1f} MB is too large for a DAG file "
                                  f"(limit {MAX_FILE_BYTES // 1024 // 1024} MB); not converted")
        data = path.read_bytes()
        text, encoding = decode_source(data, rel)
        converted = convert_source(text, rel, profile)
    except ConversionError as exc:
        return FileResult(rel, FileStatus.ERROR, error=str(exc), elapsed_s=time.perf_counter() - started)
    except (OSError, RecursionError, MemoryError) as exc:
        return FileResult(rel, FileStatus.ERROR, error=f"{rel}: {type(exc).__name__}: {exc}",
                          elapsed_s=time.perf_counter() - started)
    if not converted.is_dag_file:
        status = FileStatus.NOT_A_DAG
    elif converted.code != text:
        status = FileStatus.CONVERTED
    else:
        status = FileStatus.UNCHANGED
    if target is not None:
        write_atomic(target, converted.code.encode(encoding))
    return FileResult(
        rel, status, changes=converted.changes, todos=converted.todos,
        diff=unified_diff(text, converted.code, rel) if with_diff else "",
        elapsed_s=time.perf_counter() - started,
    )


def _convert_one(args: tuple[str, str, str | None, str | None, bool]) -> FileResult:
    path, rel, output, profile, with_diff = args
    return convert_file(Path(path), rel, Path(output) if output else None, profile, with_diff)


def _warm_up(profile: str | None) -> None:
    """A pool worker's start: load the tables and rules once, then move them (and everything else alive) out
    of the garbage collector's sight, so its full collections scan only what each file allocates."""
    import gc

    convert_source("import airflow\n", "<warm-up>", profile)
    gc.freeze()


def convert_tree(source: Path, output: Path | None, profile: str | None = None, *, jobs: int | None = None,
                 with_diff: bool = True, on_result: Callable[[FileResult], None] | None = None) -> TreeResult:
    """Convert every file under ``source`` into ``output`` (None: dry run, nothing written)."""
    check_trees(source, output)
    started = time.perf_counter()
    root = source.resolve()
    if root.is_file():
        paths, base = [root], root.parent
    else:
        paths, base = list(iter_tree(root)), root
    tasks = [(str(p), p.relative_to(base).as_posix(), str(output.resolve()) if output else None, profile, with_diff)
             for p in paths]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks) or 1))
    results: list[FileResult] = []
    if jobs == 1 or len(tasks) < 8:
        for task in tasks:
            result = _convert_one(task)
            results.append(result)
            if on_result:
                on_result(result)
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_warm_up, initargs=(profile,)) as pool:
            chunk = max(1, min(32, len(tasks) // (jobs * 4) or 1))
            for result in pool.map(_convert_one, tasks, chunksize=chunk):
                results.append(result)
                if on_result:
                    on_result(result)
    from target_profiles import load_profile

    return TreeResult(str(root), str(output.resolve()) if output else None, load_profile(profile).name,
                      tuple(results), time.perf_counter() - started)
