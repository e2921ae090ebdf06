"""Feed payloads of the catalogue and stock: products, prices, tax rates, promotions, stock."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from shared.bounds import GTIN, Code, Int32, LedgerDecimal, Percent, StockLevel
from sync.messages.base import CurrencyCode, Identifier, LongText, Payload, ShortText, Sku


class ProductV1(Payload):
    sku: Sku
    description: LongText | None = None
    kind: Literal["stock", "non_stock", "gift_card"] = "stock"
    track_inventory: bool = True
    gtin: GTIN | None = None
    tax_code: ShortText | None = Field(default=None, description="A TaxRateV1 code; none: no tax")
    unit: Literal["each", "kg"] = Field(
        default="each",
        description="How it is sold: `each` (whole units) or `kg` (by weight, to 3 places)",
    )


class PriceV1(Payload):
    sku: Sku
    price_list: Code = "default"
    unit_price: LedgerDecimal
    currency: CurrencyCode
    version: Int32


class TaxRateV1(Payload):
    """A tax code's rate in percent; prices of products with this code include it."""

    code: ShortText
    rate: Percent = Field(description="Percent, 0 to 100: 20 is 20 %")
    version: Int32


class PromotionV1(Payload):
    """`percent_off` off the catalogue price of `skus` while `starts_at <= t < ends_at`.

    Promotions do not stack: a line gets the one in force that takes the most off.
    """

    promotion_id: Identifier
    name: LongText
    skus: list[Sku] = Field(max_length=10_000)
    percent_off: Percent = Field(description="0 < percent_off <= 100")
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    active: bool = True
    version: Int32


class StockLevelV1(Payload):
    location_id: Identifier
    sku: Sku
    on_hand: StockLevel
