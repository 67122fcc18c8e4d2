"""One local stack (free ports, temporary state) shared by the end-to-end tests of this package, stopped
after the last of them (a stack left up would compete with the reliability tests' own stacks)."""

from __future__ import annotations

import pytest

from stack.config import StackConfig
from tests.localstack import local_stack


@pytest.fixture(scope="package")
def stack(tmp_path_factory) -> StackConfig:
    with local_stack(tmp_path_factory.mktemp("stack"), task_queue="e2e") as config:
        yield config
