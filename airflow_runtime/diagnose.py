"""Turn a failed pip run's output into a sentence a person can act on.

A table of (pattern, hint), not a chain of ``if``s: add a row when a new failure mode shows up.
Pure functions over the output lines, so they are tested without running pip.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SYSTEM_DEPS_FIX = (
    "the Debian packages default-libmysqlclient-dev and pkg-config are missing "
    "(the mysql provider compiles mysqlclient against them). Fix: `make system-deps` "
    "(runs tools/ensure_system_deps.sh), then build the runtime again."
)


@dataclass(frozen=True)
class Hint:
    pattern: re.Pattern[str]
    message: str


HINTS: tuple[Hint, ...] = (
    Hint(re.compile(r"mysql_config.*not found|mysql_config: command not found", re.IGNORECASE), SYSTEM_DEPS_FIX),
    Hint(re.compile(r"pkg-config: (?:command )?not found|Can not find valid pkg-config name", re.IGNORECASE),
         SYSTEM_DEPS_FIX),
    Hint(re.compile(r"Specify MYSQLCLIENT_CFLAGS and MYSQLCLIENT_LDFLAGS", re.IGNORECASE), SYSTEM_DEPS_FIX),
    Hint(re.compile(r"Failed (?:building wheel|to build).*mysqlclient", re.IGNORECASE), SYSTEM_DEPS_FIX),
    Hint(re.compile(r"No matching distribution found for (\S+)|Could not find a version that satisfies "
                    r"the requirement (\S+)", re.IGNORECASE),
         "pip found no release {0} on the package index: check the pin, or that PyPI is reachable."),
    Hint(re.compile(r"have no matching distributions available", re.IGNORECASE),
         "pip found no release of a pinned version on the package index (named in the output below): "
         "check the pin, or that PyPI is reachable."),
    Hint(re.compile(r"ResolutionImpossible|conflicting dependencies", re.IGNORECASE),
         "the requirements and the constraints file disagree. If requirements.txt changed on purpose, "
         "rebuild with --refreeze to regenerate constraints.txt from a fresh resolve."),
    Hint(re.compile(r"Failed to establish a new connection|Temporary failure in name resolution|"
                    r"Network is unreachable|Read timed out", re.IGNORECASE),
         "pip could not reach the package index (network). Check connectivity or the pip index settings."),
    Hint(re.compile(r"No space left on device", re.IGNORECASE),
         "the disk is full: a runtime needs about 2 GB free (plus pip's cache)."),
)


def diagnose_pip_failure(lines: Iterable[str]) -> str | None:
    """The first matching hint for pip output ``lines`` (with the package filled in), or None."""
    text = list(lines)
    for hint in HINTS:
        for line in text:
            match = hint.pattern.search(line)
            if match:
                groups = [g for g in match.groups() if g]
                return hint.message.format(groups[0] if groups else "")
    return None


def tail(lines: Sequence[str], count: int = 40) -> str:
    """The last ``count`` lines, indented, for an error message."""
    return "\n".join("    " + line for line in lines[-count:])
