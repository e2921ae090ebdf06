"""Request and response bodies of the hub's HQ and ERP routes (sync bodies are in sync.messages)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.bounds import (
    GTIN,
    Code,
    CurrencyCode,
    Identifier,
    LongText,
    Name,
    Percent,
    Price,
    ShortName,
    Sku,
    TimeZoneName,
)
from shared.money import DecimalText

# Every field of a request takes a bounded type of shared.bounds (its table says why).
StoreId = Identifier


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreIn(Body):
    store_id: StoreId
    name: Name
    timezone: TimeZoneName = Field(description="IANA time zone, e.g. Europe/London")
    currency: CurrencyCode


class StoreOut(BaseModel):
    store_id: str
    name: str
    timezone: str
    currency: str
    created_at: AwareDatetime


class EnrolmentTokenOut(BaseModel):
    store_id: str
    token: str = Field(description="Shown once; give it to the store's edge node")
    expires_at: AwareDatetime


class NodeOut(BaseModel):
    node_id: str
    store_id: str
    name: str
    created_at: AwareDatetime
    revoked_at: AwareDatetime | None
    acked_seq: int
    last_push_at: AwareDatetime | None
    skew_ms: int | None = Field(
        description="Hub receipt time minus the node's send time, last push"
    )


class ApiKeyIn(Body):
    name: ShortName
    scope: Literal["hq", "erp"]


class ApiKeyOut(BaseModel):
    key_id: str
    name: str
    scope: str
    key: str = Field(description="Shown once")


class ApiKeyListedOut(BaseModel):
    key_id: str
    name: str
    scope: str
    revoked_at: AwareDatetime | None


TaxCode = Code


class TaxRateIn(Body):
    rate: Percent = Field(description="Percent, 0 to 100 (20 is 20 %); prices include it")


class TaxRateOut(BaseModel):
    code: str
    rate: DecimalText
    version: int
    changed: bool = Field(True, description="False when the put repeated the rate in force")


class PromotionIn(Body):
    name: LongText = Field(min_length=1)
    skus: list[Sku] = Field(min_length=1, max_length=10_000)
    percent_off: Percent = Field(description="Above 0, at most 100")
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = Field(None, description="Exclusive; none: until ended")
    active: bool = Field(True, description="False ends the promotion at every store")


class PromotionOut(BaseModel):
    promotion_id: str
    name: str
    skus: list[str]
    percent_off: DecimalText
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None
    active: bool
    version: int
    changed: bool = True


class CatalogueItemIn(Body):
    sku: Sku
    description: LongText | None = None
    kind: Literal["stock", "non_stock", "gift_card"] = "stock"
    track_inventory: bool | None = Field(None, description="Default: true for stock items only")
    gtin: GTIN | None = None
    unit: Literal["each", "kg"] = Field(
        "each", description="How it is sold: `each` (whole units) or `kg` (by weight, 3 places)"
    )
    unit_price: Price
    currency: CurrencyCode
    price_list: Code = "default"
    tax_code: TaxCode | None = Field(
        None,
        description="A tax rate's code; null: no tax; absent: the product keeps its tax code",
    )


class CatalogueImportIn(Body):
    items: list[CatalogueItemIn] = Field(max_length=100_000)


class CatalogueImportOut(BaseModel):
    received: int
    products_changed: int
    prices_changed: int


class StockCountIn(Body):
    sku: Sku
    on_hand: int = Field(ge=-10_000_000, le=1_000_000_000)


class StockPushIn(Body):
    location_id: StoreId
    counts: list[StockCountIn] = Field(max_length=100_000)
    external_reference: LongText | None = Field(None, max_length=128)
    as_of: ShortName | None = Field(
        None,
        description="Cursor of the last movement the ERP had read when it counted "
        "(GET /v1/erp/stock/movements); sales and returns after it are added to the count",
    )


class StockPushOut(BaseModel):
    received: int
    adjusted: int
    unknown_skus: list[str]
    untracked_skus: list[str]


class MovementOut(BaseModel):
    cursor: str
    movement_id: int
    location_id: str
    sku: str
    quantity_delta: int = Field(description="Units; negative left the shelf")
    reason: str = Field(description="sale, return or erp_count")
    document_id: UUID | None
    external_reference: str | None
    recorded_at: AwareDatetime


class MovementPageOut(BaseModel):
    movements: list[MovementOut]
    next_cursor: str
    has_more: bool


class SalesRowOut(BaseModel):
    store_id: str | None
    business_day: date | None
    invoices: int
    lines: int
    units: int
    revenue: DecimalText
    returns: DecimalText
    tax: DecimalText = Field(description="Included in revenue, net of refunds")
    discounts: DecimalText = Field(description="Promotions, already off revenue")
    weight_kg: str = Field(
        "0.000",
        description="Kilograms of weighed items net of returns, decimal text; `units` counts "
        "only items sold by the unit",
    )
    tenders: dict[str, DecimalText] = Field(
        default_factory=dict,
        description="Revenue by tender kind (cash, card, gift_card, store_credit, on_account), "
        "what the sales took less what the returns paid back by that kind; kinds at zero are "
        "left out; `untendered` holds what no tender accounts for (a document with a "
        "tender_problem exception). The values sum to `revenue`",
    )


class CashRowOut(BaseModel):
    store_id: str
    business_day: date
    movements: int
    floats: DecimalText
    paid_in: DecimalText
    paid_out: DecimalText
    pickups: DecimalText
    net: DecimalText = Field(description="Floats and paid-ins less paid-outs and pickups")


class CashReportOut(BaseModel):
    first_day: date | None
    last_day: date | None
    currency: str
    rows: list[CashRowOut]
    generated_at: datetime


class SalesReportOut(BaseModel):
    group_by: Literal["day", "store", "store_day"]
    first_day: date | None
    last_day: date | None
    currency: str
    rows: list[SalesRowOut]
    generated_at: datetime
