"""The notes and coins of each currency a store may trade in: what a drawer is counted in
(the float, the blind count at the close). Pure data, shared by the edge's cash counts
(edge.domain.cash_count) and the till's counting form (pos_ui.widgets.cash_count)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

# Notes and coins in circulation, largest first. Sources: the issuing central banks' pages on
# current banknotes and coins: Bank of England (notes) and the Royal Mint (coins) for GBP; the
# ECB for EUR (the 500 note is no longer issued but remains legal tender); the Federal Reserve
# and US Mint for USD (the $1 note and coin are one denomination here); the Bank of Japan for
# JPY (the 2000 note is rare but legal tender).
DENOMINATIONS: Mapping[str, tuple[Decimal, ...]] = MappingProxyType(
    {
        currency: tuple(Decimal(value) for value in values.split())
        for currency, values in {
            "GBP": "50 20 10 5 2 1 0.50 0.20 0.10 0.05 0.02 0.01",
            "EUR": "500 200 100 50 20 10 5 2 1 0.50 0.20 0.10 0.05 0.02 0.01",
            "USD": "100 50 20 10 5 2 1 0.50 0.25 0.10 0.05 0.01",
            "JPY": "10000 5000 2000 1000 500 100 50 10 5 1",
        }.items()
    }
)


def denominations(currency: str) -> tuple[Decimal, ...]:
    """The notes and coins of `currency`, largest first. Raises KeyError if unknown."""
    return DENOMINATIONS[currency]
