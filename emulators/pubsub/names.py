"""Resource names of Pub/Sub (``projects/{project}/topics/{id}``) and their validation rules.

Rules follow the public API: an id is 3-255 characters, starts with a letter, uses letters, digits
and ``-_.~+%``, and must not start with ``goog``.
"""

from __future__ import annotations

import re

from emulators.pubsub.errors import InvalidArgumentError

_PROJECT = r"[a-z0-9][a-z0-9\-.:]{0,99}"
_RESOURCE_ID = re.compile(r"[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}")
_NAME = re.compile(rf"projects/(?P<project>{_PROJECT})/(?P<kind>topics|subscriptions)/(?P<id>[^/]+)")
_PROJECT_NAME = re.compile(rf"projects/(?P<project>{_PROJECT})")

DELETED_TOPIC = "_deleted-topic_"


def parse_name(name: str, kind: str) -> tuple[str, str]:
    """Split and validate a topic or subscription name; ``kind`` is ``topics`` or ``subscriptions``.

    Returns (project, id); raises InvalidArgumentError with the offending name otherwise.
    """
    singular = kind[:-1]
    match = _NAME.fullmatch(name or "")
    if match is None or match.group("kind") != kind:
        raise InvalidArgumentError(
            f"invalid {singular} name {name!r}: expected 'projects/{{project}}/{kind}/{{{singular}_id}}'"
        )
    resource_id = match.group("id")
    if not _RESOURCE_ID.fullmatch(resource_id) or resource_id.lower().startswith("goog"):
        raise InvalidArgumentError(
            f"invalid {singular} id {resource_id!r}: 3-255 characters, starting with a letter, "
            "made of letters, digits and -_.~+%, not starting with 'goog'"
        )
    return match.group("project"), resource_id


def parse_project(name: str) -> str:
    """Validate ``projects/{project}`` and return the project id."""
    match = _PROJECT_NAME.fullmatch(name or "")
    if match is None:
        raise InvalidArgumentError(f"invalid project name {name!r}: expected 'projects/{{project}}'")
    return match.group("project")
