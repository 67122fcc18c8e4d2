"""The runtime builder: stamp logic, failure diagnosis, relocation (pure) and real tiny builds (slow).

The slow tests build a real venv with real pip from a tiny profile made in tmp that pins ``six==1.16.0``,
so the idempotency logic is exercised end to end in seconds rather than the minutes Airflow takes.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from airflow_runtime.build import (
    RuntimeBuildError,
    RuntimeNotBuiltError,
    build_runtime,
    relocate_venv,
    runtime_problem,
    runtime_python,
    stamp_hash,
)
from airflow_runtime.diagnose import SYSTEM_DEPS_FIX, diagnose_pip_failure
from airflow_runtime.layout import RuntimeLayout
from target_profiles import TargetProfile

MYSQLCLIENT_FAILURE = """\
Collecting mysqlclient>=1.4.0 (from apache-airflow-providers-mysql==6.3.5)
  Installing build dependencies: finished with status 'done'
  Getting requirements to build wheel: finished with status 'error'
  error: subprocess-exited-with-error
  × Getting requirements to build wheel did not run successfully.
  │ exit code: 1
  ╰─> [27 lines of output]
      /bin/sh: 1: pkg-config: not found
      Trying pkg-config --exists mysqlclient
      Command 'pkg-config --exists mysqlclient' returned non-zero exit status 127.
      Exception: Can not find valid pkg-config name.
      Specify MYSQLCLIENT_CFLAGS and MYSQLCLIENT_LDFLAGS env vars manually
      [end of output]
ERROR: Failed to build 'mysqlclient' when getting requirements to build wheel
""".splitlines()


def tiny_profile(directory: Path, requirements: str = "six==1.16.0\n",
                 constraints: str | None = "six==1.16.0\n") -> TargetProfile:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "requirements.txt").write_text(requirements)
    if constraints is not None:
        (directory / "constraints.txt").write_text(constraints)
    (directory / "profile.json").write_text(json.dumps({"name": "tiny", "airflow_version": "0"}))
    return TargetProfile(name="tiny", directory=directory, airflow_version="0", description="tiny test profile",
                         python_version="3.11")


# ---------------------------------------------------------------- pure


def test_stamp_hash_changes_with_every_input():
    base = stamp_hash("a==1\n", "a==1\nb==2\n", "cpython-3.11.7-x86_64")
    assert base == stamp_hash("a==1\n", "a==1\nb==2\n", "cpython-3.11.7-x86_64")
    assert base != stamp_hash("a==2\n", "a==1\nb==2\n", "cpython-3.11.7-x86_64")
    assert base != stamp_hash("a==1\n", "a==1\nb==3\n", "cpython-3.11.7-x86_64")
    assert base != stamp_hash("a==1\n", "a==1\nb==2\n", "cpython-3.11.9-x86_64")
    assert base != stamp_hash("a==1\n", "a==1\nb==2\n", "cpython-3.11.7-x86_64", recipe=99)


def test_missing_system_packages_are_named_with_the_fix():
    hint = diagnose_pip_failure(MYSQLCLIENT_FAILURE)
    assert hint == SYSTEM_DEPS_FIX
    assert "default-libmysqlclient-dev" in hint and "pkg-config" in hint and "make system-deps" in hint
    assert diagnose_pip_failure(["      mysql_config not found"]) == SYSTEM_DEPS_FIX


def test_other_pip_failures_get_a_hint_and_unknown_ones_none():
    assert "six==0.0.0" in diagnose_pip_failure(["ERROR: No matching distribution found for six==0.0.0"])
    assert "network" in diagnose_pip_failure(["Failed to establish a new connection: [Errno 111]"])
    assert "--refreeze" in diagnose_pip_failure(["ERROR: ResolutionImpossible: for help visit ..."])
    conflict_without_release = [
        "ERROR: Cannot install six==0.0.0 because these package versions have conflicting",
        ("Additionally, some packages in these conflicts have no matching distributions "
         "available for your environment:"),
        "    six",
        "ERROR: ResolutionImpossible: ...",
    ]
    assert "no release" in diagnose_pip_failure(conflict_without_release)
    assert diagnose_pip_failure(["Successfully installed six-1.16.0"]) is None


def test_relocate_venv_rewrites_shebangs_and_cfg(tmp_path: Path):
    old, new = tmp_path / ".tiny.building-1" / "venv", tmp_path / "tiny" / "venv"
    (old / "bin").mkdir(parents=True)
    script = old / "bin" / "pip"
    script.write_text(f"#!{old}/bin/python\nimport sys\n")
    script.chmod(0o755)
    (old / "bin" / "python").symlink_to("/usr/bin/python3")
    (old / "pyvenv.cfg").write_text(f"home = /usr/bin\ncommand = /usr/bin/python3 -m venv {old}\n")
    assert relocate_venv(old, old, new) == 2
    assert script.read_text().startswith(f"#!{new}/bin/python\n")
    assert script.stat().st_mode & 0o777 == 0o755
    assert str(old) not in (old / "pyvenv.cfg").read_text()
    assert (old / "bin" / "python").is_symlink()


def test_runtime_python_names_the_build_command_when_missing(tmp_path: Path):
    profile = tiny_profile(tmp_path / "profile")
    with pytest.raises(RuntimeNotBuiltError) as info:
        runtime_python(profile, root=tmp_path / "runtimes")
    assert "runtime build --target tiny" in str(info.value)
    assert "make runtime PROFILE=tiny" in str(info.value)


# ---------------------------------------------------------------- slow: real venv, real pip


def _six_version(python: Path) -> str:
    return subprocess.run([str(python), "-c", "import six; print(six.__version__)"], capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_build_is_idempotent_and_rebuilds_on_change_or_damage(tmp_path: Path):
    profile = tiny_profile(tmp_path / "profile")
    root = tmp_path / "runtimes"
    lines: list[str] = []

    first = build_runtime(profile, root=root, progress=lines.append)
    layout = RuntimeLayout.of("tiny", root)
    assert first.built and first.python == layout.python
    assert _six_version(first.python) == "1.16.0"
    assert runtime_python(profile, root=root) == layout.python
    assert json.loads(layout.stamp_file.read_text())["hash"] == first.stamp
    assert any("pip install" in ln for ln in lines)
    assert first.airflow_home is None  # no apache-airflow pin, no template home
    # The venv was built elsewhere and renamed into place: its console scripts must still run.
    pip = subprocess.run([str(layout.venv / "bin" / "pip"), "--version"], capture_output=True, text=True,
                         check=False)
    assert pip.returncode == 0, pip.stderr
    assert str(layout.venv) in pip.stdout
    assert not list(root.glob(".tiny.building-*"))

    lines.clear()
    again = build_runtime(profile, root=root, progress=lines.append)
    assert not again.built and again.stamp == first.stamp
    assert "up to date" in again.message and any("up to date" in ln for ln in lines)

    # A changed constraints file makes the stamp mismatch: rebuilt from scratch.
    (profile.directory / "constraints.txt").write_text("# pinned again\nsix==1.16.0\n")
    assert runtime_problem(profile, root) is not None
    changed = build_runtime(profile, root=root)
    assert changed.built and changed.stamp != first.stamp

    # A damaged venv (package gone) is noticed even though the stamp matches: rebuilt.
    site = next(layout.venv.glob("lib/python*/site-packages"))
    (site / "six.py").unlink()
    assert "six" in (runtime_problem(profile, root) or "")
    repaired = build_runtime(profile, root=root)
    assert repaired.built and _six_version(repaired.python) == "1.16.0"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_refreeze_rewrites_constraints_from_pip_freeze(tmp_path: Path):
    profile = tiny_profile(tmp_path / "profile", constraints=None)
    info = build_runtime(profile, root=tmp_path / "runtimes", refreeze=True)
    assert info.built
    text = (profile.directory / "constraints.txt").read_text()
    assert text.startswith("# Full pin set")
    assert [ln for ln in text.splitlines() if not ln.startswith("#")] == ["six==1.16.0"]
    assert runtime_problem(profile, tmp_path / "runtimes") is None  # the stamp covers the new constraints


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_failed_build_leaves_nothing_that_looks_ready(tmp_path: Path):
    profile = tiny_profile(tmp_path / "profile", requirements="six==0.0.0\n", constraints="six==0.0.0\n")
    root = tmp_path / "runtimes"
    with pytest.raises(RuntimeBuildError) as info:
        build_runtime(profile, root=root)
    err = info.value
    assert err.step == "pip install"
    assert "six" in str(err) and err.lines  # the tail of pip's output is in the message
    assert err.hint and "no release" in err.hint
    assert not (root / "tiny").exists() and not list(root.glob(".tiny.building-*"))
    assert RuntimeLayout.of("tiny", root).build_log.exists()
    with pytest.raises(RuntimeNotBuiltError):
        runtime_python(profile, root=root)
