"""The wave spec: a YAML file a migration lead writes, validated into a ``WaveInput``.

Example (docs/wave-spec.md has every field)::

    wave: demo-wave
    source_dir: ../examples/airflow1      # relative to this file
    dags: [partner_file_exports.py, "reporting_*.py"]
    source: composer1-demo                # Composer 1 environment (id or full resource name)
    target: composer2-demo                # Composer 2.1+/3 environment
    approvers:
      promote: [lead@example.com]
      cutover: [ops@example.com]

Every problem is reported at once, each as ``file:line: field: message``, as a ``SpecError`` (a field that
is missing has no line of its own: ``file: field: message``; a file that is not YAML or not UTF-8 names
the line and the pseudo-field ``yaml`` / ``encoding``). Duplicate keys are errors (YAML would silently keep
the last one), and so are unknown fields at any level: a typo must not turn into a default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from waves.model import (
    DEFAULT_ACK_TIMEOUT_S,
    DEFAULT_PARSE_TIMEOUT_S,
    GATE_CUTOVER,
    GATE_PROMOTE,
    GatePolicy,
    VerifyPolicy,
    WaveFile,
    WaveInput,
)

WAVE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
DEFAULT_CONCURRENCY = 10
MAX_CONCURRENCY = 200
GATE_FIELDS = ("cutover", "timeout", "on_timeout", "escalate_to")
VERIFY_FIELDS = ("trigger_run", "timeout", "poll")
KNOWN_FIELDS = {
    "wave", "source_dir", "dags", "out_dir", "source", "target", "profile", "approvers", "gates",
    "concurrency", "verify", "first_run", "deploy", "routing",
}
# The waits run inside one activity attempt each (workflows/options.py: PARSE_WAIT 20 min, ROUTE 30 min
# start-to-close); keep them well inside it, and long enough for one poll.
PARSE_TIMEOUT_RANGE_S = (1.0, 15 * 60.0)
ACK_TIMEOUT_RANGE_S = (1.0, 25 * 60.0)
_DURATION = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>s|m|h|d)?")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


class SpecError(ValueError):
    """A wave spec that cannot be used; ``problems`` lists every ``file:line: field: message``."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: invalid wave spec:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass
class _Doc:
    """The parsed mapping, with the line of every top-level and nested key for error messages."""

    path: Path
    data: dict[str, Any]
    lines: dict[str, int]
    problems: list[str]

    def err(self, key: str, message: str) -> None:
        line = self.lines.get(key)
        where = f"{self.path}:{line}" if line else str(self.path)
        self.problems.append(f"{where}: {key}: {message}")


def _key_lines(node: yaml.Node, prefix: str = "") -> dict[str, int]:
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}"
            lines[key] = key_node.start_mark.line + 1
            lines.update(_key_lines(value_node, key + "."))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[f"{prefix[:-1]}[{i}]"] = item.start_mark.line + 1
    return lines


def parse_duration(value: Any) -> float:
    """``90``, ``"90s"``, ``"15m"``, ``"24h"``, ``"2d"`` -> seconds. ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")  # noqa: TRY004 (a spec value, reported as a spec error)
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"a duration cannot be negative: {value!r}")
        return float(value)
    match = _DURATION.fullmatch(str(value).strip())
    if not match:
        raise ValueError(f"not a duration: {value!r} (use e.g. 90s, 15m, 24h, 2d)")
    return float(match["n"]) * _UNITS[match["unit"]]


def load_spec(path: Path, *, repo_root: Path | None = None) -> WaveInput:
    """Read and validate a wave spec; relative paths are resolved against the spec's folder."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError(path, ["file not found"]) from None
    except OSError as exc:
        raise SpecError(path, [f"cannot read: {exc}"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError(path, [(f"{path}:{line}: encoding: not UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
                               f"{exc.start}); save the spec as UTF-8")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        context = getattr(exc, "context", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(path, [f"{where}: yaml: not valid YAML: {problem}" + (f" ({context})" if context else "")]
                        ) from None
    if not isinstance(data, dict):
        raise SpecError(path, [(f"{path}:1: spec: must be a mapping of fields (wave, dags, source, ...); "
                               f"got {type(data).__name__}")])
    doc = _Doc(path, data, _key_lines(node), [])
    for key, line, first in _duplicate_keys(node):
        doc.problems.append(f"{path}:{line}: {key}: duplicate key (first at line {first}); YAML would silently keep "
                            "only the last value")
    return _validate(doc, repo_root)


def _duplicate_keys(node: yaml.Node, prefix: str = "") -> list[tuple[str, int, int]]:
    """``(key, line, line of its first occurrence)`` of every key repeated in a mapping, at any depth."""
    found: list[tuple[str, int, int]] = []
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}"
            line = key_node.start_mark.line + 1
            if key in first:
                found.append((key, line, first[key]))
            else:
                first[key] = line
            found += _duplicate_keys(value_node, key + ".")
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found += _duplicate_keys(item, f"{prefix[:-1]}[{i}].")
    return found


def _validate(doc: _Doc, repo_root: Path | None) -> WaveInput:
    data, base = doc.data, doc.path.resolve().parent
    for key in sorted(set(data) - KNOWN_FIELDS, key=str):
        doc.err(str(key), f"unknown field (known: {', '.join(sorted(KNOWN_FIELDS))})")

    wave = data.get("wave")
    if not isinstance(wave, str) or not WAVE_NAME.fullmatch(wave):
        doc.err("wave", f"must be 1-63 lowercase letters, digits or '-' starting with a letter or digit; got {wave!r}")
        wave = "invalid"

    source_dir = _path_field(doc, "source_dir", base, must_exist=True, is_dir=True)
    out_default = (repo_root or base) / "out" / "waves" / wave
    out_dir = _path_field(doc, "out_dir", base, default=out_default)
    if source_dir.is_dir() and (out_dir == source_dir or out_dir.is_relative_to(source_dir)
                                or source_dir.is_relative_to(out_dir)):
        doc.err("out_dir" if "out_dir" in data else "source_dir",
                f"{out_dir} and source_dir {source_dir} must not contain each other (the source is never written)")
    files = _dag_files(doc, source_dir)

    source = _string(doc, "source")
    target = _string(doc, "target")
    if source and target and source == target:
        doc.err("target", "source and target are the same environment")
    profile = data.get("profile")
    from target_profiles import DEFAULT_PROFILE, available_profiles

    if profile is None:
        profile = DEFAULT_PROFILE
    elif profile not in available_profiles():
        doc.err("profile", f"unknown target profile {profile!r}; known: {', '.join(available_profiles())}")

    approvers = data.get("approvers")
    if not isinstance(approvers, dict):
        doc.err("approvers", "must map each gate (promote, cutover) to a list of approver identities")
        approvers = {}
    for key in sorted(set(approvers) - {GATE_PROMOTE, GATE_CUTOVER}, key=str):
        doc.err(f"approvers.{key}", "unknown gate (gates: promote, cutover)")
    gates = data.get("gates") or {}
    if not isinstance(gates, dict):
        doc.err("gates", "must be a mapping (cutover, timeout, on_timeout, escalate_to)")
        gates = {}
    _unknown_fields(doc, "gates", gates, GATE_FIELDS)
    timeout_s = _duration(doc, "gates.timeout", gates.get("timeout", 0))
    on_timeout = gates.get("on_timeout", "reject")
    if on_timeout not in ("reject", "escalate"):
        doc.err("gates.on_timeout", f"must be 'reject' or 'escalate'; got {on_timeout!r}")
    escalate_to = _identities(doc, "gates.escalate_to", gates.get("escalate_to", []), required=False)
    if on_timeout == "escalate" and not escalate_to:
        doc.err("gates.on_timeout", "'escalate' needs gates.escalate_to (who may approve after the timeout)")
    if on_timeout == "escalate" and not timeout_s:
        doc.err("gates.timeout", "'escalate' needs a timeout")
    cutover_gate = gates.get("cutover", "wave")
    if cutover_gate not in ("wave", "dag"):
        doc.err("gates.cutover", f"must be 'wave' (one approval for all DAGs) or 'dag' (one per DAG); got {cutover_gate!r}")

    def policy(gate: str) -> GatePolicy:
        return GatePolicy(approvers=_identities(doc, f"approvers.{gate}", approvers.get(gate), required=True),
                          timeout_s=timeout_s, on_timeout=on_timeout if on_timeout in ("reject", "escalate") else "reject",
                          escalate_to=escalate_to)

    concurrency = data.get("concurrency", DEFAULT_CONCURRENCY)
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= MAX_CONCURRENCY:
        doc.err("concurrency", f"must be an integer from 1 to {MAX_CONCURRENCY}; got {concurrency!r}")
        concurrency = DEFAULT_CONCURRENCY
    verify = data.get("verify") or {}
    if not isinstance(verify, dict):
        doc.err("verify", "must be a mapping (trigger_run, timeout, poll)")
        verify = {}
    _unknown_fields(doc, "verify", verify, VERIFY_FIELDS)
    trigger_run = verify.get("trigger_run", True)
    if not isinstance(trigger_run, bool):
        doc.err("verify.trigger_run", f"must be true or false; got {trigger_run!r}")
        trigger_run = True
    verify_policy = VerifyPolicy(trigger_run=trigger_run,
                                 timeout_s=_duration(doc, "verify.timeout", verify.get("timeout", "15m")) or 900.0,
                                 poll_s=_duration(doc, "verify.poll", verify.get("poll", "5s")) or 5.0)
    first_run = data.get("first_run", "guard")
    if first_run not in ("guard", "allow"):
        doc.err("first_run", f"must be 'guard' (prevent surprise runs on unpause) or 'allow'; got {first_run!r}")

    parse_timeout_s = _bounded_duration(doc, "deploy", "parse_timeout", DEFAULT_PARSE_TIMEOUT_S, PARSE_TIMEOUT_RANGE_S)
    ack_timeout_s = _bounded_duration(doc, "routing", "ack_timeout", DEFAULT_ACK_TIMEOUT_S, ACK_TIMEOUT_RANGE_S)

    promote, cutover = policy(GATE_PROMOTE), policy(GATE_CUTOVER)
    if doc.problems:
        raise SpecError(doc.path, doc.problems)
    return WaveInput(
        wave=wave, source_dir=str(source_dir), out_dir=str(out_dir), files=files, source=source, target=target,
        profile=profile, promote=promote, cutover=cutover, cutover_gate=cutover_gate, concurrency=concurrency,
        verify=verify_policy, first_run=first_run, spec_path=str(doc.path.resolve()),
        parse_timeout_s=parse_timeout_s, ack_timeout_s=ack_timeout_s,
    )


def _unknown_fields(doc: _Doc, section: str, value: dict[Any, Any], known: tuple[str, ...]) -> None:
    for key in sorted(set(value) - set(known), key=str):
        doc.err(f"{section}.{key}", f"unknown field (known: {', '.join(known)})")


def _string(doc: _Doc, key: str) -> str:
    value = doc.data.get(key)
    if value is not None and not isinstance(value, str):
        doc.err(key, f"must be a string: an environment id (e.g. composer2-prod) or "
                     f"projects/P/locations/L/environments/E; got {value!r}")
        return ""
    if not isinstance(value, str) or not value.strip():
        doc.err(key, "required: an environment id (e.g. composer2-prod) or projects/P/locations/L/environments/E")
        return ""
    return value.strip()


def _path_field(doc: _Doc, key: str, base: Path, *, default: Path | None = None, must_exist: bool = False,
                is_dir: bool = False) -> Path:
    value = doc.data.get(key)
    if value is None:
        if default is None:
            doc.err(key, "required")
            return base
        return default.resolve()
    if not isinstance(value, str) or not value:
        doc.err(key, f"must be a path; got {value!r}")
        return base
    path = (base / value).resolve()
    if must_exist and not path.exists():
        doc.err(key, f"{path} does not exist")
    elif is_dir and must_exist and not path.is_dir():
        doc.err(key, f"{path} is not a folder")
    return path


def _dag_files(doc: _Doc, source_dir: Path) -> tuple[WaveFile, ...]:
    patterns = doc.data.get("dags")
    if patterns is not None and not isinstance(patterns, list):
        doc.err("dags", f"must be a list of DAG files (paths or globs relative to source_dir); got {patterns!r}")
        return ()
    if not patterns:
        doc.err("dags", "required: a non-empty list of DAG files (paths or globs relative to source_dir)")
        return ()
    found: dict[str, None] = {}
    for i, pattern in enumerate(patterns):
        key = f"dags[{i}]"
        if not isinstance(pattern, str) or not pattern.strip():
            doc.err(key, f"must be a file path or glob; got {pattern!r}")
            continue
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            doc.err(key, f"{pattern!r} must stay inside source_dir")
            continue
        if not source_dir.is_dir():
            continue
        matches = sorted(p for p in source_dir.glob(pattern) if p.is_file() and p.suffix == ".py")
        if not matches:
            doc.err(key, f"{pattern!r} matches no .py file under {source_dir}")
        for match in matches:  # a symlink out of source_dir stays: the convert stage refuses it, naming it
            found[match.relative_to(source_dir).as_posix()] = None
    return tuple(WaveFile(p) for p in found)


def _identities(doc: _Doc, key: str, value: Any, *, required: bool) -> tuple[str, ...]:
    if value is None or value == []:
        if required:
            doc.err(key, "required: a non-empty list of approver identities (e.g. e-mail addresses)")
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        doc.err(key, f"must be a list of approver identities; got {value!r}")
        return ()
    return tuple(dict.fromkeys(v.strip() for v in value))


def _bounded_duration(doc: _Doc, section: str, name: str, default: float, bounds: tuple[float, float]) -> float:
    """``section.name`` (a mapping with one duration field) within ``bounds``; ``default`` when absent."""
    raw = doc.data.get(section)
    if raw is None:
        return default
    if not isinstance(raw, dict):
        doc.err(section, f"must be a mapping ({name}); got {raw!r}")
        return default
    for key in sorted(set(raw) - {name}, key=str):
        doc.err(f"{section}.{key}", f"unknown field (known: {name})")
    if name not in raw:
        return default
    key = f"{section}.{name}"
    try:
        seconds = parse_duration(raw[name])
    except ValueError as exc:
        doc.err(key, str(exc))
        return default
    low, high = bounds
    if not low <= seconds <= high:
        doc.err(key, f"must be from {low:g}s to {high / 60:g}m; got {raw[name]!r}")
        return default
    return seconds


def _duration(doc: _Doc, key: str, value: Any) -> float:
    try:
        return parse_duration(value)
    except ValueError as exc:
        doc.err(key, str(exc))
        return 0.0
