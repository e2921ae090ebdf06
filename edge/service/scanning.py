"""Use cases of the scan field and the scale: ring up what was scanned, read a till's scale,
find a sale by its receipt barcode.

A scan is parsed (edge.domain.barcodes), its code found in the catalogue (SKU, GTIN, or a
variable-measure item by prefix and item reference), turned into a line
(edge.domain.scanning) and added as `edge.service.selling.add_lines` adds any line: the same
caps, prices, promotions and taxes. The scale is read before the write transaction opens, so
a slow scale never holds the node's writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.barcodes import (
    GtinScan,
    ReceiptScan,
    Scan,
    ScannedItem,
    ScanSettings,
    SkuScan,
    parse_receipt_barcode,
    parse_scan,
)
from edge.domain.cart import CartHead, CartLine
from edge.domain.documents import Sale
from edge.domain.scanning import (
    NoScale,
    ReceiptNotAnItem,
    ScaleUnavailable,
    UnknownCode,
    line_of_scan,
    scanned_code,
)
from edge.errors import CartNotFound, IdReused, SaleNotFound
from edge.scale.client import ScaleClient, ScaleConfig
from edge.scale.errors import ScaleError, ScaleTimeout
from edge.scale.protocol import ScaleReading
from edge.service.selling import AddLines, LineInput, TillAuthority, add_lines


@dataclass(frozen=True, slots=True)
class ScanCode:
    """Ring up `code` (what the scan field sent) on cart `cart_id`. `scan_id` is the
    client's id for this scan (the line's id): a retried scan returns the same line.
    `weight_kg` is the scale's stable net weight when the till weighed the item;
    `gift_card_number` the card a gift-card item loads."""

    cart_id: UUID
    code: str
    scan_id: UUID | None = None
    weight_kg: Decimal | None = None
    gift_card_number: str | None = None


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The cart's head after the scan, the line the scan made, whether it is new (False: a
    retried `scan_id`), and what the scan was read as (None for a retry)."""

    head: CartHead
    line: CartLine
    added: bool
    scanned: ScannedItem | None


def retried_scan(cart_id: UUID, scan_id: UUID | None, uow: EdgeUnitOfWork) -> CartLine | None:
    """The line a scan with `scan_id` made on this cart before, if any. Raises IdReused when
    the id names a line of another cart."""
    if scan_id is None:
        return None
    known = uow.carts.lines_by_id([scan_id])
    if scan_id not in known:
        return None
    owner, line = known[scan_id]
    if owner != cart_id:
        raise IdReused("cart line", str(scan_id))
    return line


def scan_code(
    command: ScanCode,
    uow: EdgeUnitOfWork,
    settings: ScanSettings,
    *,
    authority: TillAuthority | None,
) -> ScanResult:
    """Add the line `command.code` rings up (docs/counter.md, "Barcodes") to the open cart.

    Raises CartNotFound, ScanError (422: `empty_scan`, `bad_check_digit`,
    `bad_quantity_prefix`, `bad_variable_measure`, `measure_check_digit`, `bad_sku`,
    `bad_receipt_barcode`), ReceiptNotAnItem, UnknownCode (404), WeightNeeded, WrongUnit,
    NothingWeighed, and what `add_lines` raises (CartClosed, InvalidQuantity, InvalidPrice,
    LineOverCap, SaleOverCap, IdReused).
    """
    head = uow.carts.head(command.cart_id)
    if head is None:
        raise CartNotFound(str(command.cart_id))
    retried = retried_scan(command.cart_id, command.scan_id, uow)
    if retried is not None:
        return ScanResult(head, retried, False, None)
    parsed = parse_scan(command.code, settings)
    if isinstance(parsed, ReceiptScan):
        raise ReceiptNotAnItem(parsed.receipt_number)
    sku = _sku_of(parsed, uow)
    item = uow.catalogue.priced_item(sku)
    if item is None:
        raise UnknownCode(scanned_code(parsed))
    scanned = line_of_scan(parsed, sku, item.unit, command.weight_kg)
    line = LineInput(
        sku,
        scanned.quantity,
        command.scan_id,
        scanned.unit_price,
        label_price=scanned.unit_price is not None,
        gift_card_number=command.gift_card_number,
    )
    added = add_lines(AddLines(command.cart_id, [line]), uow, authority=authority)
    return ScanResult(added.head, added.lines[0], True, parsed.item)


def _sku_of(scan: Scan, uow: EdgeUnitOfWork) -> str:
    """The SKU a parsed scan names. A GTIN the catalogue does not know is tried as a SKU
    (stores that key products by their digits). Raises UnknownCode."""
    item = scan.item
    if isinstance(item, SkuScan):
        return item.sku
    if isinstance(item, GtinScan):
        sku = uow.catalogue.sku_of_gtin(item.gtin14)
        if sku is None and uow.catalogue.priced_item(item.scanned) is not None:
            sku = item.scanned
    else:
        sku = uow.catalogue.sku_of_measure_key(item.lookup_key)
    if sku is None:
        raise UnknownCode(scanned_code(scan))
    return sku


async def read_scale(till_id: str, config: ScaleConfig | None) -> ScaleReading:
    """A stable reading of the scale of `till_id` (net and tare in kg, 3 places).

    Raises NoScale (none configured), ScaleUnstable (409: still moving after the client's
    attempts), ScaleOverload, ScaleUnderload (422) and ScaleUnavailable (503: not reached, no
    answer in time, an error or an answer that cannot be read).
    """
    if config is None:
        raise NoScale(till_id)
    try:
        return await ScaleClient(config).read()
    except (ScaleTimeout, ScaleError) as error:
        raise ScaleUnavailable(till_id, str(error)) from None


def sale_by_receipt(text: str, uow: EdgeUnitOfWork) -> Sale:
    """The sale of this node with receipt number `text`, or with the receipt barcode's
    number (`R:T1-0000042`, as the returns desk scans it). Raises BadReceiptBarcode, SaleNotFound.
    """
    number = parse_receipt_barcode(text).receipt_number if text[:2].upper() == "R:" else text
    sale = uow.sales.by_receipt(number)
    if sale is None:
        raise SaleNotFound(number)
    return sale
