"""Bodies of the scan field and the scale: a scan, what it rang up, a scale reading."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from edge.api.schemas.common import Body
from edge.api.schemas.till import CartLineOut
from edge.domain.barcodes import GtinScan, ScannedItem, SkuScan
from edge.scale.protocol import ScaleReading
from shared.bounds import GiftCardNumber, plain
from shared.money import DecimalText

# What a scanner or a keyboard sends: a single line, a SKU's 64 characters and room for an
# `N*` prefix and spaces around it; the parser says what is wrong with anything else.
ScanText = Annotated[str, StringConstraints(min_length=1, max_length=80)]


class ScanIn(Body):
    code: ScanText = Field(
        description="What the scan field holds: a SKU, a GTIN-8/12/13/14, a GS1 "
        "variable-measure label (prefix 2), each optionally after a quantity prefix `3*`"
    )
    scan_id: UUID | None = Field(
        None, description="Client-chosen id of this scan: a retried scan returns the same line"
    )
    weigh: bool = Field(
        False, description="Weigh the item on the till's scale (a `kg` item scanned by SKU/GTIN)"
    )
    gift_card_number: GiftCardNumber | None = Field(
        None, description="A gift-card item: the number of the card the line loads"
    )


class ScannedOut(BaseModel):
    """What the code was read as."""

    kind: Literal["sku", "gtin", "variable_measure"]
    code: str = Field(description="The code without its quantity prefix")
    label_price: DecimalText | None = Field(None, description="A price label's price")
    label_weight_kg: str | None = Field(None, description="A weight label's weight, kg")

    @classmethod
    def of(cls, item: ScannedItem) -> ScannedOut:
        if isinstance(item, SkuScan):
            return cls(kind="sku", code=item.sku)
        if isinstance(item, GtinScan):
            return cls(kind="gtin", code=item.scanned)
        return cls(
            kind="variable_measure",
            code=item.scanned,
            label_price=item.price.amount if item.price is not None else None,
            label_weight_kg=plain(item.weight_kg) if item.weight_kg is not None else None,
        )


class ScanOut(BaseModel):
    """The line the scan rang up and the cart's running total (no full cart: scans stay cheap)."""

    cart_id: UUID
    line: CartLineOut
    line_count: int = Field(description="Lines on the cart, not voided")
    total: DecimalText
    scanned: ScannedOut | None = Field(None, description="None: a retried scan_id")


class ScaleOut(BaseModel):
    """A stable reading of the till's scale."""

    till_id: str
    net_kg: str = Field(description="Net weight (gross less tare), kg to 3 places")
    tare_kg: str = Field(description="Tare, kg to 3 places")
    stable: bool

    @classmethod
    def of(cls, till_id: str, reading: ScaleReading) -> ScaleOut:
        return cls(
            till_id=till_id,
            net_kg=plain(reading.net_kg),
            tare_kg=plain(reading.tare_kg),
            stable=reading.stable,
        )
