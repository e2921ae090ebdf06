"""Cash counted by denomination: the float a shift opens with and the blind count that closes
it (edge.domain.shifts). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import cast

from edge.errors import Invalid
from shared.denominations import DENOMINATIONS
from shared.errors import InvalidAmount
from shared.money import Money, minor_units, to_decimal

# The most of one denomination a count may hold: far above any drawer (999,999 x 50 GBP is
# about 50 million), low enough that a typing slip of a few extra digits is refused.
MAX_COUNT_PER_DENOMINATION = 999_999


class InvalidCashCount(Invalid):
    """A count by denomination with an unknown denomination, a count that is not a whole
    number from 0 to MAX_COUNT_PER_DENOMINATION, or an unknown currency."""

    code = "invalid_cash_count"

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid cash count: {reason}")
        self.reason = reason


def denominations(currency: str) -> tuple[Decimal, ...]:
    """The notes and coins of `currency`, largest first. Raises InvalidCashCount if unknown."""
    try:
        return DENOMINATIONS[currency]
    except KeyError:
        raise InvalidCashCount(f"no denominations known for {currency!r}") from None


def _denomination(key: object) -> Decimal:
    if isinstance(key, Decimal) or (isinstance(key, str | int) and not isinstance(key, bool)):
        try:
            return to_decimal(key)
        except InvalidAmount:
            pass
    raise InvalidCashCount(f"{key!r} is not a denomination")


def _check_count(key: object, count: object) -> int:
    if isinstance(count, bool) or not isinstance(count, int):
        raise InvalidCashCount(f"the count of {key} must be a whole number")
    if not 0 <= count <= MAX_COUNT_PER_DENOMINATION:
        raise InvalidCashCount(f"the count of {key} must be 0 to {MAX_COUNT_PER_DENOMINATION}")
    return count


@dataclass(frozen=True, slots=True)
class CashCount:
    """Cash counted by denomination: `counts` maps a denomination (Decimal, in the currency's
    units: Decimal("0.20") is a 20p coin) to how many were counted. Denominations not counted
    are absent or 0. Build with `CashCount.of("GBP", {"20": 3, "0.50": 4})`.

    Raises InvalidCashCount for an unknown currency or denomination, a float key, a count that
    is not an int, negative, or above MAX_COUNT_PER_DENOMINATION.
    """

    currency: str
    counts: Mapping[Decimal, int]

    def __post_init__(self) -> None:
        known = set(denominations(self.currency))
        clean: dict[Decimal, int] = {}
        for key, count in self.counts.items():
            value = _denomination(key)
            if value not in known:
                raise InvalidCashCount(f"{key} is not a {self.currency} note or coin")
            _check_count(key, count)
            clean[value] = clean.get(value, 0) + count
        # Denominations counted zero times are left out: two counts of the same cash are equal.
        kept = {value: count for value, count in clean.items() if count}
        object.__setattr__(self, "counts", MappingProxyType(kept))

    @classmethod
    def of(cls, currency: str, counts: Mapping[str, int] | Mapping[Decimal, int]) -> CashCount:
        """A count from denominations written as strings ("0.50") or Decimals."""
        return cls(currency, cast(Mapping[Decimal, int], counts))

    @property
    def total(self) -> Money:
        """The counted cash: the sum of denomination x count."""
        places = minor_units(self.currency)
        minor = sum(int(d.scaleb(places)) * n for d, n in self.counts.items())
        return Money.from_minor(minor, self.currency)
