"""Test infrastructure: emulators that speak the real wire protocols of Google's client libraries.

Product code never imports this package; tests and the local stack point the real clients at it
(for Pub/Sub through ``PUBSUB_EMULATOR_HOST``).
"""
