"""The catalogue and opening stock the replay derives from the Online Retail data set."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from vectis.replay.dataset import VAT_CODE, Dataset, ItemKind, item_kind, store_for


@dataclass(frozen=True)
class CatalogueItem:
    """A SKU as the stores' catalogue should hold it, derived from the data set."""

    sku: str
    description: str | None
    kind: ItemKind
    track_inventory: bool
    unit_price: Decimal


def tax_code_of(sku: str) -> str | None:
    """The tax code the replay's catalogue gives a stock code: VAT_CODE, none for gift cards."""
    return None if item_kind(sku) == "gift_card" else VAT_CODE


def _mode_lowest(prices: Counter[Decimal]) -> Decimal | None:
    """The most common price; among equally common ones the lowest."""
    if not prices:
        return None
    return max(prices.items(), key=lambda item: (item[1], -item[0]))[0]


def derive_catalogue(dataset: Dataset) -> list[CatalogueItem]:
    """One catalogue item per stock code sold in `dataset`, sorted by SKU (case-sensitive).

    description: the most common non-empty description (ties: the first seen), else None.
    unit_price (GBP): the most common price of positive-quantity lines priced above 0 (ties: the
    lowest); failing that the most common price of any line (ties: the lowest); failing that 0.
    kind: see `item_kind`; only "stock" items track inventory.
    """
    descriptions: dict[str, Counter[str]] = {}
    selling: dict[str, Counter[Decimal]] = {}
    any_price: dict[str, Counter[Decimal]] = {}
    for line in dataset.lines():
        sku = line.stock_code
        described = descriptions.setdefault(sku, Counter())
        if line.description is not None:
            described[line.description] += 1
        any_price.setdefault(sku, Counter())[line.unit_price] += 1
        sold = selling.setdefault(sku, Counter())
        if line.quantity > 0 and line.unit_price > 0:
            sold[line.unit_price] += 1
    items = []
    for sku in sorted(descriptions):
        described = descriptions[sku]
        # max() keeps the first of equal maxima, and a Counter iterates in first-seen order.
        description = max(described, key=described.__getitem__) if described else None
        price = _mode_lowest(selling[sku])
        if price is None:
            price = _mode_lowest(any_price[sku])
        kind = item_kind(sku)
        items.append(
            CatalogueItem(
                sku=sku,
                description=description,
                kind=kind,
                track_inventory=kind == "stock",
                unit_price=price if price is not None else Decimal("0"),
            )
        )
    return items


def derive_opening_stock(dataset: Dataset, stores: int) -> dict[int, dict[str, int]]:
    """Opening stock per store number (1..stores, every one present) per tracked SKU (units).

    Each tracked ("stock") SKU that appears on any line replayed at a store gets the sum of the
    positive quantities sold there, rounded up to a multiple of 10, and at least 10, so the replay
    never runs a store out. SKUs are in sorted order. Raises ValueError when stores < 1.
    """
    if stores < 1:
        raise ValueError(f"stores must be at least 1, got {stores}")
    sold: dict[int, dict[str, int]] = {number: {} for number in range(1, stores + 1)}
    for invoice in dataset.invoices:
        at_store = sold[store_for(invoice, stores)]
        for line in invoice.lines:
            if item_kind(line.stock_code) == "stock":
                at_store[line.stock_code] = at_store.get(line.stock_code, 0) + max(line.quantity, 0)
    return {
        number: {sku: max(10, -(-units // 10) * 10) for sku, units in sorted(skus.items())}
        for number, skus in sold.items()
    }
