"""Errors of the replay package.

    ReplayError
    +-- DatasetError         the data file is missing, is not CSV, or lacks the required columns
    +-- ReportFormatError    a report or totals document (JSON) does not have the expected shape

Problems with single rows of a readable file are not errors: they become `SkippedLine`s.
"""

from __future__ import annotations


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
