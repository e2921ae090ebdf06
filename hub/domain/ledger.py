"""The sales ledger: how a sale or return event becomes signed ledger rows and stock movements.

Signs: a sale's quantities and totals are as sold (a line given back inside a sale is already
negative); a return's are negated, so every report is a plain sum. Amounts are integer minor
units of the document's currency. A line's quantity is in its unit (shared.quantity): whole
units (an int) for `each`, kg to 3 places (a Decimal) for `kg`, from version 4 of the sale and
return events; a document counts the two apart (`units`, `weight_g`), so integer data sums as
it always did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, localcontext
from typing import Any, Literal, NamedTuple
from uuid import UUID

from shared.money import to_minor
from shared.quantity import LineQuantity, quantity_of, to_stored
from sync.messages import (
    CashMoved,
    LineTermsV1,
    ReturnLineV1,
    ReturnLineV2,
    ReturnLineV4,
    ReturnRecorded,
    ReturnRecordedV3,
    SaleCompleted,
    SaleCompletedV3,
    SaleLineV1,
    SaleLineV2,
    SaleLineV4,
    SaleLineV5,
    TenderV1,
    TenderV3,
)

DocumentKind = Literal["sale", "return"]


# A ledger line and a tender are named tuples, not frozen dataclasses: as immutable, and made
# in a quarter of the time (a frozen dataclass sets each of its fields through object's
# __setattr__). Ingest makes one for each line and tender of every sale it receives.
class LedgerLine(NamedTuple):
    line_no: int
    sku: str
    description: str | None
    quantity: LineQuantity  # an int for `each`, a Decimal of kg (3 places) for `kg`
    unit_price: Decimal
    line_total_minor: int
    price_version: int | None
    price_source: str
    # The promotion and tax the till priced the line with (sync.messages.LineTermsV1).
    discount_minor: int = 0
    promotion_id: str | None = None
    promotion_version: int | None = None
    tax_minor: int = 0
    tax_code: str | None = None
    tax_rate: Decimal | None = None
    tax_version: int | None = None
    unit: str = "each"
    # A gift-card item's line (version 5): the card its line_total loads.
    gift_card_number: str | None = None


class LedgerTender(NamedTuple):
    tender_no: int
    kind: str
    amount_minor: int
    tendered_minor: int
    change_minor: int
    # Version 5 (sync.messages.TenderV3): what a card, gift-card or store-credit tender moved.
    tender_id: UUID | None = None
    account: str | None = None  # gift card number, or store-credit customer id
    card_status: str | None = None  # captured | refunded | stored (then card.settled's word)
    card_transaction_id: str | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    card_deadline: datetime | None = None
    original_tender_no: int | None = None  # a refund: the sale's tender it pays back


@dataclass(frozen=True, slots=True)
class LedgerDocument:
    document_id: UUID
    kind: DocumentKind
    store_id: str
    node_id: str
    event_id: UUID
    receipt_number: str
    till_id: str
    external_reference: str | None
    original_document_id: UUID | None
    customer_id: str | None
    business_day: date
    business_time: datetime
    currency: str
    total_minor: int
    lines: tuple[LedgerLine, ...]
    tenders: tuple[LedgerTender, ...]
    refund_request_id: UUID | None = None  # a return making a refund HQ approved
    b2b_order_id: UUID | None = None  # a sale handing over a B2B order HQ placed

    @property
    def units(self) -> int:
        """Whole units of the `each` lines (signed); weighed lines count none."""
        return sum(int(line.quantity) for line in self.lines if line.unit == "each")

    @property
    def weight_g(self) -> int:
        """Thousandths of a kg of the weighed lines (signed), exact."""
        return sum(to_stored(line.quantity, "kg") for line in self.lines if line.unit == "kg")


def _quantity(line: SaleLineV1 | ReturnLineV1) -> tuple[LineQuantity, str]:
    """A wire line's quantity in its unit (version 4 carries one; before, whole units)."""
    if isinstance(line, SaleLineV4 | ReturnLineV4):
        return quantity_of(line.quantity, line.unit), line.unit
    return line.quantity, "each"


def _minor(amount: Decimal, currency: str) -> int:
    return to_minor(amount, currency)


def _terms(terms: LineTermsV1 | None, currency: str, sign: int) -> dict[str, Any]:
    """LedgerLine's promotion and tax fields; `sign` -1 for a return (money paid out)."""
    if terms is None:
        return {}
    return {
        "discount_minor": sign * _minor(terms.discount, currency),
        "promotion_id": terms.promotion_id,
        "promotion_version": terms.promotion_version,
        "tax_minor": sign * _minor(terms.tax, currency),
        "tax_code": terms.tax_code,
        "tax_rate": terms.tax_rate,
        "tax_version": terms.tax_version,
    }


def _tenders(tenders: Sequence[TenderV1], currency: str) -> tuple[LedgerTender, ...]:
    return tuple(
        LedgerTender(
            tender_no=tender.tender_no,
            kind=tender.kind,
            amount_minor=_minor(tender.amount, currency),
            tendered_minor=_minor(tender.tendered, currency),
            change_minor=_minor(tender.change, currency),
            **(_tender_v3(tender) if isinstance(tender, TenderV3) else {}),
        )
        for tender in tenders
    )


def _tender_v3(tender: TenderV3) -> dict[str, Any]:
    """LedgerTender's version-5 fields: account, card and the tender refunded."""
    card = tender.card
    return {
        "tender_id": tender.tender_id,
        "account": tender.account,
        "card_status": None if card is None else card.status,
        "card_transaction_id": None if card is None else card.transaction_id,
        "card_brand": None if card is None else card.brand,
        "card_last4": None if card is None else card.last4,
        "card_deadline": None if card is None else card.deadline,
        "original_tender_no": tender.original_tender_no,
    }


def document_of(event: SaleCompleted | ReturnRecorded) -> LedgerDocument:
    """The ledger document an event records. Amounts are recomputed to minor units exactly."""
    if isinstance(event, SaleCompleted):
        sale = event.payload
        currency = sale.currency
        return LedgerDocument(
            document_id=sale.sale_id,
            kind="sale",
            store_id=event.store_id,
            node_id=event.node_id,
            event_id=event.event_id,
            receipt_number=sale.receipt_number,
            till_id=sale.till_id,
            external_reference=sale.external_reference,
            original_document_id=None,
            customer_id=sale.customer_id,
            business_day=sale.business_day,
            business_time=sale.business_time,
            currency=currency,
            total_minor=_minor(sale.total, currency),
            lines=tuple(
                LedgerLine(
                    line_no=line.line_no,
                    sku=line.sku,
                    description=line.description,
                    quantity=quantity,
                    unit=unit,
                    unit_price=line.unit_price,
                    line_total_minor=_minor(line.line_total, currency),
                    price_version=line.price_version,
                    price_source=line.price_source,
                    **(_terms(line.terms, currency, 1) if isinstance(line, SaleLineV2) else {}),
                    gift_card_number=(
                        line.gift_card_number if isinstance(line, SaleLineV5) else None
                    ),
                )
                for line in sale.lines
                for quantity, unit in [_quantity(line)]
            ),
            tenders=_tenders(sale.tenders, currency),
            b2b_order_id=sale.b2b_order_id if isinstance(sale, SaleCompletedV3) else None,
        )
    document = event.payload
    currency = document.currency
    return LedgerDocument(
        document_id=document.return_id,
        kind="return",
        store_id=event.store_id,
        node_id=event.node_id,
        event_id=event.event_id,
        receipt_number=document.receipt_number,
        till_id=document.till_id,
        external_reference=document.external_reference,
        original_document_id=document.original_sale_id,
        customer_id=document.customer_id,
        business_day=document.business_day,
        business_time=document.business_time,
        currency=currency,
        total_minor=-_minor(document.total, currency),
        lines=tuple(
            LedgerLine(
                line_no=line.line_no,
                sku=line.sku,
                description=line.description,
                quantity=-quantity,
                unit=unit,
                unit_price=line.unit_price,
                line_total_minor=-_minor(line.line_total, currency),
                price_version=line.price_version,
                price_source="catalogue",
                **(_terms(line.terms, currency, -1) if isinstance(line, ReturnLineV2) else {}),
            )
            for line in document.lines
            for quantity, unit in [_quantity(line)]
        ),
        tenders=_tenders(document.refunds, currency),
        refund_request_id=(
            document.refund_request_id if isinstance(document, ReturnRecordedV3) else None
        ),
    )


@dataclass(frozen=True, slots=True)
class CashEntry:
    """A drawer's cash movement besides sales and refunds; `amount_minor` is positive."""

    movement_id: UUID
    store_id: str
    node_id: str
    event_id: UUID
    till_id: str
    kind: str
    amount_minor: int
    currency: str
    reason: str
    business_day: date
    business_time: datetime


def cash_entry_of(event: CashMoved) -> CashEntry:
    movement = event.payload
    return CashEntry(
        movement_id=movement.movement_id,
        store_id=event.store_id,
        node_id=event.node_id,
        event_id=event.event_id,
        till_id=movement.till_id,
        kind=movement.kind,
        amount_minor=_minor(movement.amount, movement.currency),
        currency=movement.currency,
        reason=movement.reason,
        business_day=movement.business_day,
        business_time=movement.business_time,
    )


# Amounts the ledger takes, in minor units: far beyond any till, well inside 64 bits.
MAX_MINOR = 10**15
# What the ledger's other columns hold on both databases (PostgreSQL enforces them, SQLite
# would not): numbers and versions are INTEGER, unit prices and tax rates NUMERIC(18, 6).
MAX_INT32 = 2**31 - 1
PRICE_DIGITS = 12  # digits before the point
PRICE_PLACES = Decimal("0.000001")
PRICE_PLACES_COUNT = 6
MAX_TAX_CODE = 32


def _exact_price(value: Decimal) -> bool:
    """`value` fits NUMERIC(18, 6) exactly: under 10^12 in size, at most six decimal places."""
    # adjusted(), not abs(): no context, so "1E+999999999" cannot overflow the check itself.
    if not value.is_finite() or value.adjusted() >= PRICE_DIGITS:
        return False
    exponent = value.as_tuple().exponent  # an int: the value is finite
    if isinstance(exponent, int) and exponent >= -PRICE_PLACES_COUNT:  # six places or fewer
        return True
    with localcontext() as context:
        context.prec = 40
        return value == value.quantize(PRICE_PLACES)


def unstorable(document: LedgerDocument) -> list[str]:
    """What in `document` the ledger's columns cannot hold as sent, on either database: a line
    or tender number or a version beyond INTEGER, a unit price or tax rate that NUMERIC(18, 6)
    would refuse or round, a tax code over 32 characters, a business time out of range in UTC.
    Recording it anyway would fail on PostgreSQL and store something else on SQLite."""
    problems = []
    for line in document.lines:
        if (
            -MAX_INT32 - 1 <= line.line_no <= MAX_INT32
            and (line.price_version is None or -MAX_INT32 - 1 <= line.price_version <= MAX_INT32)
            and line.promotion_version is None
            and line.tax_version is None
            and line.tax_rate is None
            and line.tax_code is None
            and _exact_price(line.unit_price)
        ):
            continue  # a plain line that fits: nothing to say (the common case, checked fast)
        numbers = {
            "line_no": line.line_no,
            "price_version": line.price_version,
            "promotion_version": line.promotion_version,
            "tax_version": line.tax_version,
        }
        for name, value in numbers.items():
            if value is not None and not -MAX_INT32 - 1 <= value <= MAX_INT32:
                problems.append(f"line {line.line_no}: {name} {value} is beyond {MAX_INT32}")
        if not _exact_price(line.unit_price):
            problems.append(
                f"line {line.line_no}: unit price {line.unit_price} is not under 10^12 with at "
                "most 6 decimal places"
            )
        if line.tax_rate is not None and not _exact_price(line.tax_rate):
            problems.append(f"line {line.line_no}: tax rate {line.tax_rate} is out of range")
        if line.tax_code is not None and len(line.tax_code) > MAX_TAX_CODE:
            problems.append(f"line {line.line_no}: tax code is over {MAX_TAX_CODE} characters")
    problems += [
        f"tender_no {tender.tender_no} is beyond {MAX_INT32}"
        for tender in document.tenders
        if tender.tender_no > MAX_INT32
    ]
    try:
        document.business_time.astimezone(UTC)
    except OverflowError:
        problems.append(f"business time {document.business_time.isoformat()} is out of range")
    for tender in document.tenders:
        try:
            if tender.card_deadline is not None:
                tender.card_deadline.astimezone(UTC)
        except OverflowError:
            problems.append(f"tender {tender.tender_no}: its card deadline is out of range")
    return problems


def problems_of(document: LedgerDocument) -> list[str]:
    """What makes a document impossible to record as it is (empty: it can be recorded):
    what the ledger cannot hold (`unstorable`), repeated line numbers, amounts beyond
    MAX_MINOR, tax or discount of the wrong size or sign, lines that do not add up to the total.

    These are structural faults, not business exceptions: a sale whose lines do not add up to
    its total cannot be put in the ledger without choosing which number to believe.
    """
    problems = unstorable(document)
    numbers = [line.line_no for line in document.lines]
    if len(set(numbers)) != len(numbers):
        problems.append("line numbers repeat")
    amounts = [document.total_minor] + [
        amount
        for line in document.lines
        for amount in (line.line_total_minor, line.discount_minor, line.tax_minor)
    ]
    if max(abs(amount) for amount in amounts) > MAX_MINOR:
        problems.append(f"an amount is beyond {MAX_MINOR} minor units")
        return problems
    for line in document.lines:
        # Tax is a share of what the line took, and shares its sign; so is a discount of it. A
        # returned unit's shares of tax and of the total are rounded apart (edge.domain.pricing.
        # share), so its tax may exceed its refund by one minor unit, never more.
        if (
            abs(line.tax_minor) > abs(line.line_total_minor) + 1
            or line.tax_minor * line.line_total_minor < 0
        ):
            problems.append(
                f"line {line.line_no}: tax {line.tax_minor} is not a share of its total "
                f"{line.line_total_minor}"
            )
        if line.discount_minor * line.quantity < 0:
            problems.append(
                f"line {line.line_no}: discount {line.discount_minor} has the wrong sign"
            )
    if sum(line.line_total_minor for line in document.lines) != document.total_minor:
        problems.append(
            f"lines add up to {sum(line.line_total_minor for line in document.lines)} minor units, "
            f"the total says {document.total_minor}"
        )
    return problems


class StockMovement(NamedTuple):  # a named tuple, as LedgerLine: one for each line sold
    """A change of on-hand units at a location; negative leaves the shelf."""

    location_id: str
    sku: str
    quantity_delta: int
    reason: Literal["sale", "return", "erp_count"]
    document_id: UUID | None
    external_reference: str | None = None


def movements_of(document: LedgerDocument, tracked: set[str]) -> list[StockMovement]:
    """Stock movements of a document for the SKUs whose inventory is tracked.

    A sale of n units moves -n; a return of n units (ledger quantity -n) moves +n. Weighed
    lines (kg) move nothing: stock levels count whole units.
    """
    reason: Literal["sale", "return"] = document.kind
    return [
        StockMovement(
            location_id=document.store_id,
            sku=line.sku,
            quantity_delta=-int(line.quantity),
            reason=reason,
            document_id=document.document_id,
        )
        for line in document.lines
        if line.sku in tracked and line.unit == "each"
    ]


def rebased_level(counted: int, unseen_delta: int) -> int:
    """The level an ERP count means once the movements it had not seen are added.

    The ERP counted (or computed) `counted` having processed every sale and return up to its
    watermark; `unseen_delta` sums those recorded after it. Whichever side synced first, each
    sale is in exactly one of the two.
    """
    return counted + unseen_delta


@dataclass(frozen=True, slots=True)
class SalesTotals:
    """One group of the sales report (its keys None when not grouped by them); amounts in
    minor units: `revenue_minor` net of returns, `returns_minor` positive, `tax_minor`
    included in revenue and `discount_minor` taken off it, both net of refunds.
    `tender_minor`: what each tender kind took, less what it paid back (see `tender_split`)."""

    store_id: str | None
    business_day: date | None
    invoices: int
    lines: int
    units: int
    revenue_minor: int
    returns_minor: int
    tax_minor: int
    discount_minor: int
    weight_g: int = 0  # thousandths of a kg of weighed items, net of returns
    tender_minor: Mapping[str, int] = field(default_factory=dict)


UNTENDERED = "untendered"


def tender_split(revenue_minor: int, tendered: Mapping[str, int]) -> dict[str, int]:
    """A group's net revenue by tender kind: `tendered` (kind -> minor units the group's sales
    took by that kind less its returns' refunds by it) in kind order, kinds at zero left out,
    plus `untendered` for what no tender accounts for (documents whose tenders do not add up
    to their total, each with a `tender_problem` exception), so the values always sum to
    `revenue_minor`."""
    split = {kind: amount for kind, amount in sorted(tendered.items()) if amount != 0}
    rest = revenue_minor - sum(split.values())
    if rest != 0:
        split[UNTENDERED] = rest
    return split


@dataclass(frozen=True, slots=True)
class CashTotals:
    """A store's drawer movements on one business day: their count and the sum of each kind,
    in minor units (all positive)."""

    store_id: str
    business_day: date
    movements: int
    float_minor: int
    paid_in_minor: int
    paid_out_minor: int
    pickup_minor: int
