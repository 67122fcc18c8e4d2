"""Errors of the in-memory broker, named after the gRPC status they become at the service edge.

The broker stays free of gRPC; ``service.py`` maps each class to its ``grpc.StatusCode``.
"""

from __future__ import annotations


class BrokerError(Exception):
    """Base class: a request the broker refuses, with a message meant for the caller."""


class NotFoundError(BrokerError):
    """A topic or subscription that does not exist (gRPC NOT_FOUND)."""


class AlreadyExistsError(BrokerError):
    """Creating a topic or subscription whose name is taken (gRPC ALREADY_EXISTS)."""


class InvalidArgumentError(BrokerError):
    """A malformed request: bad name, out-of-range deadline, empty message... (gRPC INVALID_ARGUMENT)."""


class UnimplementedError(BrokerError):
    """A real Pub/Sub feature this emulator refuses rather than pretends to honour (gRPC UNIMPLEMENTED)."""
