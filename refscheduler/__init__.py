"""A reference implementation of the internal scheduler's side of the routing contract.

It is test and demo infrastructure (and a worked example for the scheduler team), kept apart from
the product code: ``routing_table`` stores where each DAG runs, ``consumer`` applies routing changes
from Pub/Sub and acknowledges them. See docs/routing-contract.md.
"""
