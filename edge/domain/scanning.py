"""What a scan rings up: the quantity (and, for a price label, the price) of the line a parsed
scan (edge.domain.barcodes) makes of the catalogue item it found. Pure: no catalogue, no scale.

| scan                               | `each` item                    | `kg` item                       |
|------------------------------------|--------------------------------|---------------------------------|
| SKU or GTIN, `N*` prefix or not    | N units                        | the scale's weight (`weigh`),   |
|                                    |                                | else 422 `weight_needed`        |
| weight label (`21...`)             | 422 `wrong_unit`               | the label's weight x N          |
| price label (`20`, `23`, `28`)     | N packs at the label's price   | 422 `wrong_unit`                |

A price label on a `kg` item is refused rather than turned into a weight: price / price per kg
rounded to a gram would ring up a total other than the one printed on the label.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from edge.domain.barcodes import MeasureKind, Scan, SkuScan, VariableMeasureScan
from edge.errors import Conflict, Invalid, NotFound, Unavailable
from shared.quantity import LineQuantity, Unit


class UnknownCode(NotFound):
    """A well-formed scan that names nothing in the store's catalogue (no SKU, GTIN or
    variable-measure item of that code)."""

    code = "unknown_code"

    def __init__(self, scanned: str) -> None:
        super().__init__(f"{scanned[:80]} is not in the store's catalogue")
        self.scanned = scanned[:80]


class WeightNeeded(Invalid):
    """A `kg` item scanned by its SKU or GTIN without a weight: weigh it (`weigh: true`) or
    scan its scale label."""

    code = "weight_needed"

    def __init__(self, sku: str) -> None:
        super().__init__(f"{sku} is sold by weight: put it on the scale or scan its label")
        self.sku = sku


class WrongUnit(Invalid):
    """A scan that does not suit how the item is sold: a weight for an `each` item, a price
    label for a `kg` item, a quantity prefix on a weighing."""

    code = "wrong_unit"


class ReceiptNotAnItem(Invalid):
    """A receipt barcode scanned onto a cart: it finds a sale at the returns desk
    (GET /v1/sales/by-receipt/{receipt_number}), it is no item."""

    code = "receipt_not_an_item"

    def __init__(self, receipt_number: str) -> None:
        super().__init__(
            f"R:{receipt_number} is a receipt, not an item: look the sale up for a return"
        )
        self.receipt_number = receipt_number


class NoScale(NotFound):
    """The till has no scale in the node's settings (`scales`)."""

    code = "no_scale"

    def __init__(self, till_id: str) -> None:
        super().__init__(f"till {till_id} has no scale configured")
        self.till_id = till_id


class ScaleUnavailable(Unavailable):
    """The till's scale did not answer, or answered something unreadable: nothing was added;
    try again, or scan the item's label."""

    code = "scale_unavailable"

    def __init__(self, till_id: str, reason: str) -> None:
        super().__init__(f"the scale of till {till_id} is unavailable: {reason}")
        self.till_id = till_id
        self.reason = reason


class NothingWeighed(Conflict):
    """A stable reading of zero or less: nothing (or only the tare) is on the platter."""

    code = "nothing_weighed"

    def __init__(self, net_kg: Decimal) -> None:
        super().__init__(f"the scale reads {net_kg} kg: put the item on the platter")
        self.net_kg = net_kg


@dataclass(frozen=True, slots=True)
class ScannedLine:
    """The line a scan makes: `quantity` in the item's unit, and the unit price to charge
    instead of the catalogue's (a price label's), or None for the catalogue's."""

    quantity: LineQuantity
    unit_price: Decimal | None = None


def scanned_code(scan: Scan) -> str:
    """The code as scanned (without its quantity prefix), for messages."""
    item = scan.item
    if isinstance(item, SkuScan):
        return item.sku
    return item.scanned


def line_of_scan(scan: Scan, sku: str, unit: Unit, weight_kg: Decimal | None) -> ScannedLine:
    """The line `scan` rings up for the catalogue item `sku` sold by `unit` (see the module's
    table); `weight_kg` is the scale's stable net weight when the till weighed the item.

    Raises WeightNeeded, WrongUnit, NothingWeighed.
    """
    item = scan.item
    if weight_kg is not None:
        if unit != "kg":
            raise WrongUnit(f"{sku} is sold by the unit, not weighed: scan it without weighing")
        if isinstance(item, VariableMeasureScan):
            raise WrongUnit("a scale label carries its own weight or price: scan it unweighed")
        if scan.quantity != 1:
            raise WrongUnit("a weighing takes no quantity prefix: weigh the items together")
        if weight_kg <= 0:
            raise NothingWeighed(weight_kg)
        return ScannedLine(quantity=weight_kg)
    if isinstance(item, VariableMeasureScan):
        if item.kind is MeasureKind.WEIGHT:
            if unit != "kg" or item.weight_kg is None:
                raise WrongUnit(f"{sku} is sold by the unit: its code cannot carry a weight")
            return ScannedLine(quantity=item.weight_kg * scan.quantity)
        if unit != "each" or item.price is None:
            raise WrongUnit(f"{sku} is sold by weight: a price label cannot say how much it weighs")
        return ScannedLine(quantity=scan.quantity, unit_price=item.price.amount)
    if unit == "kg":
        raise WeightNeeded(sku)
    return ScannedLine(quantity=scan.quantity)
