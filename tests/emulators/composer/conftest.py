"""Fixtures: an in-memory GCS emulator, a real storage client on it, and Composer emulators on demand."""

from emulators.composer.testing import composer_emulators, gcs_client, gcs_emulator  # noqa: F401
