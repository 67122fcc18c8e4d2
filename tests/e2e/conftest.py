"""One local stack (free ports, temporary state) shared by the end-to-end tests of a session."""

from __future__ import annotations

import pytest

from stack.config import StackConfig
from tests.localstack import local_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> StackConfig:
    with local_stack(tmp_path_factory.mktemp("stack"), task_queue="e2e") as config:
        yield config
