"""The hub-authoritative catalogue as the hub holds it: products, prices per price list, tax
rates and promotions, each at the version its last published change gave it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from shared.quantity import Unit

ProductKind = Literal["stock", "non_stock", "gift_card"]


@dataclass(frozen=True, slots=True)
class ProductRecord:
    """A product of the catalogue at its `version` (one more per published change)."""

    sku: str
    description: str | None
    kind: ProductKind
    track_inventory: bool
    gtin: str | None
    version: int
    tax_code: str | None = None
    unit: Unit = "each"  # how it is sold (shared.quantity)


@dataclass(frozen=True, slots=True)
class PriceRecord:
    """A SKU's price on one price list, tax included, at its `version`."""

    sku: str
    price_list: str
    unit_price: Decimal
    currency: str
    version: int


@dataclass(frozen=True, slots=True)
class TaxRateRecord:
    """A tax code's rate in percent (20 is 20 %), at its `version`."""

    code: str
    rate: Decimal
    version: int


@dataclass(frozen=True, slots=True)
class PromotionRecord:
    """`percent_off` off the price of `skus` from `starts_at` until `ends_at` (exclusive;
    None: open-ended) while `active`, at its `version`."""

    promotion_id: str
    name: str
    skus: list[str]
    percent_off: Decimal
    starts_at: datetime
    ends_at: datetime | None
    active: bool
    version: int
