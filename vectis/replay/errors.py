"""Errors of the replay package.

    ReplayError
    +-- DatasetError         the data file is missing, is not CSV, or lacks the required columns
    +-- ReportFormatError    a report or totals document (JSON) does not have the expected shape
    +-- EdgeRefused          an edge answered a till's request with 4xx

Problems with single rows of a readable file are not errors: they become `SkippedLine`s.
"""

from __future__ import annotations

import json


class ReplayError(Exception):
    """Base of the replay package's errors."""


class DatasetError(ReplayError):
    """A data file that cannot be read as the Online Retail CSV."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot read data set {path}: {reason}")
        self.path = path
        self.reason = reason


class ReportFormatError(ReplayError, ValueError):
    """A JSON document that is not a valid report or totals."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid report: {reason}")
        self.reason = reason


class EdgeRefused(ReplayError):
    """The edge answered 4xx: the till would show this error to the cashier."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"edge refused ({status}): {body[:300]}")
        self.status = status
        self.body = body

    @property
    def code(self) -> str:
        """The error code of the edge's body (`{"error": code, "detail": text}`), or ""."""
        try:
            answer = json.loads(self.body)
        except ValueError:
            return ""
        return str(answer.get("error", "")) if isinstance(answer, dict) else ""
