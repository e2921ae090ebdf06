"""Errors of the shared kernel.

SharedError
+-- InvalidAmount        a value that cannot be money (a float, NaN, not a number)
+-- UnknownCurrency      a currency code without known minor units
+-- CurrencyMismatch     two currencies met in one operation
+-- InvalidTimestamp     a malformed or naive timestamp, or an HLC string that does not parse
"""

from __future__ import annotations


class SharedError(Exception):
    """Base of the shared kernel's errors."""


class InvalidAmount(SharedError, ValueError):
    """A value that cannot be used as money."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"invalid amount {value}: {reason}")
        self.value = value
        self.reason = reason


class UnknownCurrency(SharedError, ValueError):
    """A currency code the system has no minor-unit definition for."""

    def __init__(self, currency: str) -> None:
        super().__init__(f"unknown currency {currency!r}")
        self.currency = currency


class CurrencyMismatch(SharedError, ValueError):
    """Two different currencies were combined."""

    def __init__(self, left: str, right: str) -> None:
        super().__init__(f"currency mismatch: {left} and {right}")
        self.left = left
        self.right = right


class InvalidTimestamp(SharedError, ValueError):
    """A timestamp that is naive, malformed or out of range."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"invalid timestamp {value!r}: {reason}")
        self.value = value
        self.reason = reason
