"""An in-repo Pub/Sub emulator speaking the real gRPC protocol (``google.pubsub.v1``).

Point the real ``google-cloud-pubsub`` clients at it with ``PUBSUB_EMULATOR_HOST=<handle.address>``.
Run it with ``python -m emulators.pubsub --port 8085`` or in-process with ``start_emulator()``.
Semantics: see ``broker.py``; the test-only fault hooks: see ``faults.py``.
"""

from emulators.pubsub.server import EmulatorHandle, start_emulator

__all__ = ["EmulatorHandle", "start_emulator"]
