"""The routing switch: tell the internal scheduler where each DAG runs, and wait for its answer.

``contract`` is the versioned wire format (stdlib only); ``publisher`` sends changes,
``ack_subscription`` and ``ack_waiter`` receive the scheduler's acks. docs/routing-contract.md is the
scheduler team's reference.
"""
