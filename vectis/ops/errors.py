"""Errors of the operations helpers.

OpsError
+-- PostgresUnavailable     PostgreSQL is not installed or would not start
+-- TemporalUnavailable     the Temporal dev server is not installed or would not start
+-- ProcessFailed           a hub or edge process exited or never became healthy
"""

from __future__ import annotations


class OpsError(Exception):
    """Base of operations errors."""


class PostgresUnavailable(OpsError):
    """PostgreSQL could not be found, set up or started."""


class TemporalUnavailable(OpsError):
    """The Temporal CLI could not be found, or its dev server did not start."""


class ProcessFailed(OpsError):
    """A child process exited early or did not answer its health check in time."""

    def __init__(self, name: str, reason: str, log_tail: str = "") -> None:
        message = f"{name}: {reason}"
        if log_tail:
            message += f"\n--- last lines of its log ---\n{log_tail}"
        super().__init__(message)
        self.name = name
        self.reason = reason
