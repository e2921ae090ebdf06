"""Errors of the operations helpers.

OpsError
+-- PostgresUnavailable     PostgreSQL is not installed or would not start
+-- TemporalUnavailable     the Temporal dev server is not installed or would not start
+-- ProcessFailed           a hub or edge process exited or never became healthy
+-- RsvgConvertUnavailable  rsvg-convert (screenshots as PNG) is not installed
+-- SvgConversionFailed     rsvg-convert refused an SVG
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


class RsvgConvertUnavailable(OpsError):
    """`rsvg-convert` (Debian package librsvg2-bin) is not on PATH: ./dev.sh setup installs it."""


class SvgConversionFailed(OpsError):
    """rsvg-convert refused an SVG; carries its exit code and what it printed."""

    def __init__(self, svg_path: str, returncode: int, stderr: str) -> None:
        super().__init__(f"rsvg-convert {svg_path} exited {returncode}: {stderr.strip()[:500]}")
        self.svg_path = svg_path
        self.returncode = returncode
        self.stderr = stderr
