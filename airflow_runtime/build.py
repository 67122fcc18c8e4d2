"""Build the pinned Airflow 2 runtime of a target profile: a venv plus a template Airflow home.

``build_runtime`` is idempotent. A runtime is *ready* when its ``stamp.json`` holds the hash of
(requirements.txt, constraints.txt, Python version, build recipe) that the profile has now, and its
venv still answers with the pinned versions. Then a build does nothing and says so. Otherwise it
builds from scratch into a temporary sibling directory and renames it into place, so a half-built
runtime never looks ready: the stamp is written last, inside the temporary directory, before the rename.

Side effects live here (processes, files); the decisions (``stamp_hash``, ``diagnose_pip_failure``)
are pure functions.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from airflow_runtime.atomic import atomic_write_bytes, atomic_write_text
from airflow_runtime.diagnose import diagnose_pip_failure, tail
from airflow_runtime.layout import RuntimeLayout
from target_profiles import TargetProfile, load_profile

ProgressCallback = Callable[[str], None]

# Bump when the way a runtime is built changes (so existing runtimes are rebuilt).
RECIPE_VERSION = 1
PIP_FLAGS = ("--no-input", "--disable-pip-version-check", "--progress-bar", "off")
CONSTRAINTS_HEADER = (
    "# Full pin set of the runtime venv (pip freeze of a resolved install of requirements.txt on Python {py}).\n"
    "# Regenerate with: python cli.py runtime build --target {profile} --refreeze\n"
)


class RuntimeNotBuiltError(RuntimeError):
    """The runtime of a profile is missing, stale or broken; the message says which command builds it."""

    def __init__(self, profile: str, reason: str) -> None:
        self.profile = profile
        self.reason = reason
        self.command = f"make runtime PROFILE={profile}   (or: python cli.py runtime build --target {profile})"
        super().__init__(f"the Airflow runtime for target profile {profile!r} is not ready: {reason}. "
                         f"Build it with: {self.command}")


class RuntimeBuildError(RuntimeError):
    """A build step failed. Carries the step, the tail of its output and, when recognised, a fix."""

    def __init__(self, profile: str, step: str, detail: str, *, lines: Sequence[str] = (),
                 hint: str | None = None, log_path: Path | None = None) -> None:
        self.profile = profile
        self.step = step
        self.lines = tuple(lines)
        self.hint = hint
        self.log_path = log_path
        parts = [f"building the runtime for {profile!r} failed at step '{step}': {detail}"]
        if hint:
            parts.append(f"likely cause: {hint}")
        if lines:
            parts.append(f"last lines of output:\n{tail(list(lines))}")
        if log_path:
            parts.append(f"full log: {log_path}")
        super().__init__("\n".join(parts))


@dataclass(frozen=True)
class RuntimeInfo:
    """What a build call found or made."""

    profile: str
    directory: Path
    python: Path
    airflow_home: Path | None
    stamp: str
    built: bool  # False when the runtime was already up to date
    elapsed_s: float
    message: str


def _noop(_: str) -> None:
    return None


def python_tag() -> str:
    """The running interpreter, as it matters for a venv built from it: ``cpython-3.11.7-x86_64``."""
    return f"{sys.implementation.name}-{platform.python_version()}-{platform.machine()}"


def stamp_hash(requirements: str, constraints: str, python: str, recipe: int = RECIPE_VERSION) -> str:
    """Hash of everything that decides what a runtime contains. Pure."""
    payload = json.dumps({"recipe": recipe, "requirements": requirements, "constraints": constraints,
                          "python": python}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def expected_hash(profile: TargetProfile) -> str:
    constraints = profile.constraints_file.read_text() if profile.constraints_file.exists() else ""
    return stamp_hash(profile.requirements_file.read_text(), constraints, python_tag())


def _resolve(profile: str | TargetProfile | None) -> TargetProfile:
    return profile if isinstance(profile, TargetProfile) else load_profile(profile)


def read_stamp(layout: RuntimeLayout) -> dict | None:
    try:
        return json.loads(layout.stamp_file.read_text())
    except (FileNotFoundError, json.JSONDecodeError, OSError):
        return None


def _wants_airflow(profile: TargetProfile) -> bool:
    return "apache-airflow" in profile.pins


def _health_problem(python: Path, pins: dict[str, str]) -> str | None:
    """None when ``python`` runs and has every pinned top-level package at its pinned version."""
    if not python.exists():
        return f"{python} does not exist"
    # Per pinned distribution: installed at the pinned version, and none of its .py files missing.
    script = (
        "import json, sys\n"
        "from importlib.metadata import distribution, PackageNotFoundError\n"
        "pins = json.loads(sys.argv[1]); bad = {}\n"
        "for name, want in pins.items():\n"
        "    try:\n"
        "        dist = distribution(name.split('[')[0])\n"
        "    except PackageNotFoundError:\n"
        "        bad[name] = None; continue\n"
        "    if dist.version != want:\n"
        "        bad[name] = dist.version; continue\n"
        "    gone = [str(f) for f in (dist.files or ()) if f.suffix == '.py' and not f.locate().exists()]\n"
        "    if gone: bad[name] = dist.version + ' with files missing: ' + ', '.join(gone[:3])\n"
        "print(json.dumps(bad))\n"
    )
    try:
        proc = subprocess.run([str(python), "-c", script, json.dumps(pins)], capture_output=True, text=True,
                              timeout=60, env=_clean_env(), check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{python} does not run ({exc})"
    if proc.returncode != 0:
        return f"{python} fails to run: {proc.stderr.strip()[-300:]}"
    bad = json.loads(proc.stdout)
    if bad:
        shown = ", ".join(f"{n} (want {pins[n]}, have {have or 'nothing'})" for n, have in sorted(bad.items()))
        return f"the venv does not match the pins: {shown}"
    return None


def runtime_problem(profile: str | TargetProfile | None = None, root: Path | None = None, *,
                    check_packages: bool = True) -> str | None:
    """Why the runtime of ``profile`` is not ready, or None when it is."""
    prof = _resolve(profile)
    layout = RuntimeLayout.of(prof.name, root)
    stamp = read_stamp(layout)
    if stamp is None:
        return f"no runtime at {layout.directory}" if not layout.directory.exists() else \
            f"{layout.stamp_file} is missing (an unfinished or foreign build)"
    if stamp.get("hash") != expected_hash(prof):
        return (f"{layout.directory} was built from other requirements/constraints or another Python "
                f"(stamp {str(stamp.get('hash'))[:12]}, expected {expected_hash(prof)[:12]})")
    if not layout.python.exists():
        return f"{layout.python} is missing"
    if check_packages:
        return _health_problem(layout.python, prof.pins)
    return None


def runtime_python(profile: str | TargetProfile | None = None, root: Path | None = None) -> Path:
    """The Python of the built runtime of ``profile``; raises RuntimeNotBuiltError with the build command.

    Cheap: checks the stamp and the interpreter file, not the installed packages (``build_runtime`` does).
    """
    prof = _resolve(profile)
    problem = runtime_problem(prof, root, check_packages=False)
    if problem:
        raise RuntimeNotBuiltError(prof.name, problem)
    return RuntimeLayout.of(prof.name, root).python


def template_airflow_home(profile: str | TargetProfile | None = None, root: Path | None = None) -> Path | None:
    """The runtime's template Airflow home (with a migrated metadata DB), None when it has none."""
    home = RuntimeLayout.of(_resolve(profile).name, root).airflow_home
    return home if (home / "airflow.db").exists() else None


def _clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The current environment minus what would make a venv's Python load the wrong packages."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"} and not k.startswith("AIRFLOW")}
    env.update(extra or {})
    return env


class _StepRunner:
    """Runs build steps as subprocesses, streaming each output line to the callback and the build log."""

    def __init__(self, profile: str, log_path: Path, progress: ProgressCallback) -> None:
        self.profile = profile
        self.log_path = log_path
        self.progress = progress
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("w", encoding="utf-8")

    def close(self) -> None:
        self._log.close()

    def say(self, message: str) -> None:
        self._log.write(f"== {message}\n")
        self._log.flush()
        self.progress(message)

    def run(self, step: str, cmd: Sequence[str], *, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> list[str]:
        self.say(f"{step}: {' '.join(str(c) for c in cmd)}")
        lines: list[str] = []
        try:
            proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, text=True, errors="replace", bufsize=1,
                                    env=env or _clean_env(), cwd=cwd)
        except OSError as exc:
            raise RuntimeBuildError(self.profile, step, f"cannot start {cmd[0]}: {exc}",
                                    log_path=self.log_path) from exc
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip("\n")
            lines.append(line)
            self._log.write(line + "\n")
            if line.strip():
                self.progress(line)
        rc = proc.wait()
        self._log.flush()
        if rc != 0:
            raise RuntimeBuildError(self.profile, step, f"exit status {rc}", lines=lines,
                                    hint=diagnose_pip_failure(lines), log_path=self.log_path)
        return lines


def init_airflow_home(python: Path, home: Path, progress: ProgressCallback = _noop,
                      runner: _StepRunner | None = None) -> None:
    """Create an Airflow home with a migrated SQLite metadata DB (``airflow db migrate``, no examples).

    Keeps only ``airflow.db``: ``airflow.cfg`` and ``logs/`` embed this directory's absolute path, and
    every session that copies the template writes its own configuration for its own paths.
    """
    home.mkdir(parents=True, exist_ok=True)
    env = _clean_env({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    })
    cmd = [str(python), "-m", "airflow", "db", "migrate"]
    if runner is not None:
        runner.run("airflow db migrate", cmd, env=env, cwd=home)
    else:
        progress(f"airflow db migrate in {home}")
        proc = subprocess.run(cmd, env=env, cwd=home, capture_output=True, text=True, errors="replace", check=False)
        if proc.returncode != 0:
            lines = (proc.stdout + proc.stderr).splitlines()
            raise RuntimeBuildError(home.name, "airflow db migrate", f"exit status {proc.returncode}",
                                    lines=lines)
    for leftover in ("airflow.cfg", "webserver_config.py"):
        (home / leftover).unlink(missing_ok=True)
    shutil.rmtree(home / "logs", ignore_errors=True)
    if not (home / "airflow.db").exists():
        raise RuntimeBuildError(home.name, "airflow db migrate", f"no airflow.db was created in {home}")


def relocate_venv(venv: Path, old: Path, new: Path) -> int:
    """Rewrite the absolute venv path in bin/ scripts (shebangs, activate) and pyvenv.cfg after a move.

    pip writes ``#!<venv>/bin/python`` into every console script, so a venv renamed into place would
    otherwise have broken ``bin/airflow``/``bin/pip``. Returns the number of files rewritten.
    """
    old_b, new_b = str(old).encode(), str(new).encode()
    candidates = [p for p in (venv / "bin").iterdir() if p.is_file() and not p.is_symlink()]
    candidates.append(venv / "pyvenv.cfg")
    count = 0
    for path in candidates:
        if path.stat().st_size > 1_000_000:
            continue
        data = path.read_bytes()
        if old_b in data:
            atomic_write_bytes(path, data.replace(old_b, new_b), mode=path.stat().st_mode & 0o7777)
            count += 1
    return count


def _freeze(runner: _StepRunner, python: Path) -> list[str]:
    lines = runner.run("pip freeze", [python, "-m", "pip", "freeze", "--exclude-editable"])
    return sorted((ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")), key=str.lower)


def build_runtime(profile: str | TargetProfile | None = None, root: Path | None = None, refreeze: bool = False,
                  progress: ProgressCallback = _noop, *, init_home: bool | None = None) -> RuntimeInfo:
    """Make ``<root>/<profile>`` a ready runtime; do nothing (and say so) when it already is.

    ``refreeze``: install from requirements.txt alone, then rewrite constraints.txt from ``pip freeze``.
    ``init_home``: create the template Airflow home; by default when the profile pins apache-airflow.
    """
    started = time.monotonic()
    prof = _resolve(profile)
    layout = RuntimeLayout.of(prof.name, root)
    want_home = _wants_airflow(prof) if init_home is None else init_home
    expected_py = prof.python_version
    running_py = f"{sys.version_info.major}.{sys.version_info.minor}"
    if expected_py and not running_py.startswith(expected_py):
        raise RuntimeBuildError(prof.name, "check python", f"profile wants Python {expected_py}, "
                                f"but this is Python {running_py} ({sys.executable})")
    layout.root.mkdir(parents=True, exist_ok=True)
    with layout.lock_file.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"waiting for another build of {prof.name} to finish ({layout.lock_file})")
            fcntl.flock(lock, fcntl.LOCK_EX)
        if not refreeze:
            problem = runtime_problem(prof, root)
            if problem is None:
                stamp = read_stamp(layout) or {}
                message = (f"runtime {prof.name} is up to date at {layout.directory} "
                           f"(stamp {stamp.get('hash', '')[:12]}, built {stamp.get('built_at', '?')}); nothing to do")
                progress(message)
                return RuntimeInfo(prof.name, layout.directory, layout.python,
                                   layout.airflow_home if want_home else None, stamp.get("hash", ""),
                                   built=False, elapsed_s=time.monotonic() - started, message=message)
            progress(f"building runtime {prof.name}: {problem}")
        return _build(prof, layout, refreeze, want_home, progress, started)


def _build(prof: TargetProfile, layout: RuntimeLayout, refreeze: bool, want_home: bool,
           progress: ProgressCallback, started: float) -> RuntimeInfo:
    for stale in list(layout.root.glob(f".{prof.name}.building-*")) + list(layout.root.glob(f".{prof.name}.old-*")):
        shutil.rmtree(stale, ignore_errors=True)
    work = layout.root / f".{prof.name}.building-{os.getpid()}-{secrets.token_hex(3)}"
    work_layout = RuntimeLayout(profile=prof.name, directory=work)
    runner = _StepRunner(prof.name, layout.build_log, progress)
    try:
        work.mkdir(parents=True)
        runner.run("create venv", [sys.executable, "-m", "venv", work_layout.venv])
        py = work_layout.python
        runner.run("upgrade pip", [py, "-m", "pip", "install", *PIP_FLAGS, "--upgrade", "pip"])
        install = [py, "-m", "pip", "install", *PIP_FLAGS, "-r", prof.requirements_file]
        if not refreeze:
            if not prof.constraints_file.exists():
                raise RuntimeBuildError(prof.name, "pip install", f"{prof.constraints_file} is missing; "
                                        "build with --refreeze to create it")
            install += ["-c", prof.constraints_file]
        runner.run("pip install", install)
        if refreeze:
            pins = _freeze(runner, py)
            header = CONSTRAINTS_HEADER.format(py=prof.python_version, profile=prof.name)
            atomic_write_text(prof.constraints_file, header + "\n".join(pins) + "\n")
            runner.say(f"rewrote {prof.constraints_file} ({len(pins)} pins)")
        problem = _health_problem(py, prof.pins)
        if problem:
            raise RuntimeBuildError(prof.name, "verify", problem, log_path=layout.build_log)
        if want_home:
            init_airflow_home(py, work_layout.airflow_home, progress, runner)
        relocate_venv(work_layout.venv, work_layout.venv, layout.venv)
        digest = expected_hash(prof)
        stamp = {
            "hash": digest, "profile": prof.name, "python": python_tag(), "recipe": RECIPE_VERSION,
            "pins": prof.pins, "refrozen": refreeze,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(time.monotonic() - started, 1),
        }
        atomic_write_text(work_layout.stamp_file, json.dumps(stamp, indent=2, sort_keys=True) + "\n")
        _swap_into_place(work, layout.directory)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        runner.close()
    elapsed = time.monotonic() - started
    message = f"built runtime {prof.name} at {layout.directory} in {elapsed:.0f} s"
    progress(message)
    return RuntimeInfo(prof.name, layout.directory, layout.python, layout.airflow_home if want_home else None,
                       digest, built=True, elapsed_s=elapsed, message=message)


def _swap_into_place(work: Path, final: Path) -> None:
    """Rename the finished build over the old runtime (the old one is moved aside first, then removed)."""
    old = None
    if final.exists():
        old = final.parent / f".{final.name}.old-{os.getpid()}-{secrets.token_hex(3)}"
        os.rename(final, old)
    os.rename(work, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
