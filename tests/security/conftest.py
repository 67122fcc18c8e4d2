"""The workflow tests' harness: a real Temporal dev server per session, the Pub/Sub emulator and the
reference scheduler's consumer (tests/workflows)."""

from emulators.pubsub.testing import publisher_client, pubsub_emulator, subscriber_client  # noqa: F401
from tests.workflows.conftest import temporal_server  # noqa: F401
from tests.workflows.test_wave_workflow import routing  # noqa: F401
