"""The cart aggregate: lines scanned at a till, voided, then checked out against tenders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from edge.domain.documents import (
    NO_TERMS,
    CardDetails,
    LineTerms,
    PriceSource,
    Sale,
    SaleLine,
    Tender,
    TenderKind,
)
from edge.domain.pricing import Promotion, TaxRate, price_line
from edge.errors import (
    CartClosed,
    CartParked,
    EmptyCart,
    InsufficientTender,
    InvalidPrice,
    InvalidQuantity,
    InvalidTender,
    LineNotFound,
    NegativeTotal,
    UnknownSku,
)
from shared.bounds import MAX_AMOUNT, MAX_PRICE, PRICE_PLACES
from shared.money import Money, line_total
from shared.quantity import LineQuantity, QuantityRefused, Unit, quantity_of

CartStatus = Literal["open", "parked", "checked_out", "voided"]

# A sanity cap, not a business limit: the data holds a single line of 80,995 units.
MAX_LINE_QUANTITY = 1_000_000


@dataclass(frozen=True, slots=True)
class PricedItem:
    """What the catalogue says about a SKU at the moment it is scanned: its price, the tax
    rate of its tax code and the best promotion in force then (if any)."""

    sku: str
    description: str | None
    unit_price: Decimal | None
    price_version: int | None
    tax: TaxRate | None = None
    promotion: Promotion | None = None
    unit: Unit = "each"  # how the product is sold: whole units, or by weight in kg
    kind: str = "stock"  # stock, non_stock, or gift_card (a line loads a gift card)


@dataclass(frozen=True, slots=True)
class TenderRequest:
    """Money offered by the customer: cash; a card, gift card or store credit; or (a B2B
    order's handover only) a charge to the trade customer's account.

    `tender_id` keys a card, gift-card or store-credit tender (the acquirer's idempotency
    key, the hub's ledger movement): the till derives it from the cart and the tender's
    place unless the client chose one. `card` is the card as the terminal read it (never
    kept once forwarded); `account` the gift card's number or the store-credit customer's
    id; `card_details` what the acquirer (or, offline, the till) recorded once it was taken.
    """

    kind: TenderKind
    amount: Money
    tender_id: UUID | None = None
    account: str | None = None
    card: str | None = None
    card_details: CardDetails | None = None
    offline: bool = False  # a gift card or store credit taken without the hub's answer


@dataclass(slots=True)
class CartLine:
    line_id: UUID
    position: int
    sku: str
    description: str | None
    quantity: LineQuantity  # an int for `each`, a Decimal of kg (3 places) for `kg`
    unit_price: Decimal
    price_version: int | None
    price_source: PriceSource
    voided: bool = False
    terms: LineTerms = NO_TERMS
    unit: Unit = "each"
    # The hand-given part of terms.discount_minor, its reason, and why the price was
    # overridden (edge.domain.cart_changes); SaleLine carries them on.
    manual_discount_minor: int = 0
    discount_reason: str | None = None
    price_reason: str | None = None
    price_note: str | None = None
    gift_card_number: str | None = None  # a gift-card item: the card the line loads

    def total(self, currency: str) -> Money:
        """quantity x unit price, less the discount (the promotion's and a manual one)."""
        gross = line_total(self.quantity, self.unit_price, currency)
        if not self.terms.discount_minor:
            return gross
        return gross - Money.from_minor(self.terms.discount_minor, currency)


@dataclass(slots=True)
class Cart:
    """An open basket at one till. Lines are never deleted, only voided (audit trail)."""

    cart_id: UUID
    till_id: str
    currency: str
    opened_at: datetime
    customer_id: str | None = None
    status: CartStatus = "open"
    lines: list[CartLine] = field(default_factory=list)
    sale_id: UUID | None = None
    parked: Parking | None = None

    def _require_open(self) -> None:
        require_open(self.cart_id, self.status)

    def park(self, parking: Parking) -> None:
        """Put the open cart aside (status `parked`): nothing can be scanned onto it or paid
        until it is recalled. Raises CartClosed (CartParked if parked already)."""
        self._require_open()
        self.status = "parked"
        self.parked = parking

    def recall(self, till_id: str) -> None:
        """Take the parked cart up again at `till_id` (any till of the node): it is open there.
        Raises CartClosed (not parked: open, checked out or voided)."""
        if self.status != "parked":
            raise CartClosed(str(self.cart_id), f"{self.status}, not parked")
        self.status = "open"
        self.till_id = till_id
        self.parked = None

    def active_lines(self) -> list[CartLine]:
        return [line for line in self.lines if not line.voided]

    def total(self) -> Money:
        return Money.sum((line.total(self.currency) for line in self.active_lines()), self.currency)

    def find_line(self, line_id: UUID) -> CartLine | None:
        return next((line for line in self.lines if line.line_id == line_id), None)

    def add_line(
        self,
        line_id: UUID,
        item: PricedItem,
        quantity: LineQuantity,
        price_override: Decimal | None = None,
    ) -> CartLine:
        """Add `quantity` of `item`; see `new_line` for the rules and errors."""
        self._require_open()
        line = new_line(line_id, len(self.lines) + 1, item, quantity, self.currency, price_override)
        check_document_total(self.total() + line.total(self.currency))
        self.lines.append(line)
        return line

    def void_line(self, line_id: UUID) -> CartLine:
        """Void a line (it stays on the cart's record). Raises CartClosed, LineNotFound."""
        self._require_open()
        line = self.find_line(line_id)
        if line is None:
            raise LineNotFound(str(self.cart_id), str(line_id))
        line.voided = True
        return line

    def void(self) -> None:
        """Abandon the whole cart, open or parked. Raises CartClosed."""
        if self.status != "parked":
            self._require_open()
        self.status = "voided"

    def checkout(
        self,
        *,
        sale_id: UUID,
        receipt_number: str,
        business_time: datetime,
        business_day: date,
        tenders: list[TenderRequest],
        external_reference: str | None = None,
    ) -> Sale:
        """Close the cart into a Sale (recorded, with its SaleCompleted event, by
        edge.service.selling.record_sale).

        Cash tendered beyond the total is change. A zero total needs no tender.
        Raises CartClosed, EmptyCart, NegativeTotal, InsufficientTender.
        """
        self._require_open()
        lines = self.active_lines()
        if not lines:
            raise EmptyCart(str(self.cart_id))
        sale = make_sale(
            sale_id=sale_id,
            receipt_number=receipt_number,
            cart_id=self.cart_id,
            till_id=self.till_id,
            business_time=business_time,
            business_day=business_day,
            currency=self.currency,
            customer_id=self.customer_id,
            external_reference=external_reference,
            lines=tuple(
                SaleLine(
                    line_no=number,
                    sku=line.sku,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    line_total=line.total(self.currency),
                    price_version=line.price_version,
                    price_source=line.price_source,
                    terms=line.terms,
                    unit=line.unit,
                    manual_discount_minor=line.manual_discount_minor,
                    discount_reason=line.discount_reason,
                    price_reason=line.price_reason,
                    price_note=line.price_note,
                    gift_card_number=line.gift_card_number,
                )
                for number, line in enumerate(lines, start=1)
            ),
            tenders=tenders,
        )
        self.status = "checked_out"
        self.sale_id = sale_id
        return sale


@dataclass(slots=True)
class CartHead:
    """A cart without its lines: enough to scan onto it in constant time, however long it is.

    `line_count` counts every line ever scanned (positions); `active_count` and `total` only
    the lines not voided.
    """

    cart_id: UUID
    till_id: str
    currency: str
    status: CartStatus
    line_count: int
    active_count: int
    total: Money

    def scan(
        self,
        line_id: UUID,
        item: PricedItem,
        quantity: LineQuantity,
        price_override: Decimal | None = None,
    ) -> CartLine:
        """Add a line to the open cart. Raises CartClosed (CartParked), InvalidQuantity,
        InvalidPrice."""
        require_open(self.cart_id, self.status)
        line = new_line(line_id, self.line_count + 1, item, quantity, self.currency, price_override)
        total = self.total + line.total(self.currency)
        check_document_total(total)
        self.line_count += 1
        self.active_count += 1
        self.total = total
        return line


@dataclass(frozen=True, slots=True)
class Parking:
    """When a cart was parked (the node's clock, aware) and by whom (staff code and name)."""

    at: datetime
    staff_code: str
    staff_name: str


@dataclass(frozen=True, slots=True)
class ParkedCart:
    """A parked cart as the node lists it: where and by whom it was parked, its total and its
    number of lines not voided."""

    cart_id: UUID
    till_id: str
    customer_id: str | None
    parking: Parking
    total: Money
    line_count: int


def require_open(cart_id: UUID, status: CartStatus) -> None:
    """Raises CartParked for a parked cart (recall it first), CartClosed for one checked out
    or voided."""
    if status == "parked":
        raise CartParked(str(cart_id))
    if status != "open":
        raise CartClosed(str(cart_id), status)


@dataclass(frozen=True, slots=True)
class LinePrice:
    """What the till charges for a line: the unit price it used and where that came from, the
    promotion and tax terms, and `total` (quantity x unit_price, less the discount); `quantity`
    as the item's unit takes it (an int, or a 3-place Decimal of kg)."""

    quantity: LineQuantity
    unit_price: Decimal
    price_source: PriceSource
    terms: LineTerms
    total: Money


def price_item(
    item: PricedItem, quantity: LineQuantity, currency: str, price_override: Decimal | None = None
) -> LinePrice:
    """Price `quantity` x `item` as the till does; a negative quantity gives units back.

    `price_override` replaces the catalogue unit price (the line records that it did); an
    item without a catalogue price can only be sold with one. The item's promotion applies
    to catalogue prices only (an override is the price the cashier decided); its tax rate
    applies to every line (edge.domain.pricing). The quantity must suit the item's unit
    (`line_quantity`). Raises InvalidQuantity (zero, beyond MAX_LINE_QUANTITY, a fraction of
    an `each` item, more than 3 places of a kg), InvalidPrice (negative), UnknownSku (no price
    at all).
    """
    quantity = line_quantity(quantity, item.unit)
    if quantity == 0 or not -MAX_LINE_QUANTITY <= quantity <= MAX_LINE_QUANTITY:
        raise InvalidQuantity(quantity, f"must be non-zero and at most {MAX_LINE_QUANTITY}")
    if price_override is not None and (not price_override.is_finite() or price_override < 0):
        raise InvalidPrice(f"price override {price_override} must be zero or more")
    unit_price = price_override if price_override is not None else item.unit_price
    if unit_price is None:
        raise UnknownSku(item.sku, "has no price on the store's price list")
    check_unit_price(unit_price)
    overridden = price_override is not None and price_override != item.unit_price
    promotion = None if overridden else item.promotion
    priced = price_line(line_total(quantity, unit_price, currency), promotion, item.tax)
    check_document_total(priced.total)
    terms = LineTerms(
        discount_minor=priced.discount.minor,
        promotion_id=promotion.promotion_id if promotion else None,
        promotion_version=promotion.version if promotion else None,
        tax_minor=priced.tax.minor,
        tax_code=item.tax.code if item.tax else None,
        tax_rate=item.tax.rate if item.tax else None,
        tax_version=item.tax.version if item.tax else None,
    )
    return LinePrice(
        quantity=quantity,
        unit_price=unit_price,
        price_source="override" if overridden else "catalogue",
        terms=terms,
        total=priced.total,
    )


def line_quantity(quantity: LineQuantity, unit: Unit) -> LineQuantity:
    """`quantity` as `unit` takes it (shared.quantity.quantity_of): an int for `each`, a
    3-place Decimal for `kg`. Raises InvalidQuantity for a fraction of an `each` item or more
    than 3 decimal places of a kilogram."""
    try:
        return quantity_of(quantity, unit)
    except QuantityRefused as refused:
        raise InvalidQuantity(quantity, refused.reason) from None


def check_unit_price(unit_price: Decimal) -> None:
    """Raises InvalidPrice for a unit price beyond shared.bounds.Price (a catalogue price
    cached before the hub bounded them, say): the ledger could not hold it."""
    exponent = unit_price.as_tuple().exponent
    if (
        not unit_price.is_finite()
        or not isinstance(exponent, int)
        or exponent < -PRICE_PLACES
        or abs(unit_price) > MAX_PRICE
    ):
        raise InvalidPrice(
            f"unit price {unit_price} is beyond {MAX_PRICE} or has more than "
            f"{PRICE_PLACES} decimal places"
        )


def check_document_total(total: Money) -> None:
    """Raises InvalidPrice for a line or document total beyond shared.bounds.MAX_AMOUNT: a
    sanity cap that keeps every total, and any day's sum of them, inside 64-bit minor units."""
    if abs(total.amount) > MAX_AMOUNT:
        raise InvalidPrice(f"a total of {total} is more than {MAX_AMOUNT}, the most one may be")


def new_line(
    line_id: UUID,
    position: int,
    item: PricedItem,
    quantity: LineQuantity,
    currency: str,
    price_override: Decimal | None = None,
) -> CartLine:
    """A cart line of `quantity` x `item`, priced by `price_item` (see it for the rules).
    Raises InvalidQuantity, InvalidPrice, UnknownSku."""
    priced = price_item(item, quantity, currency, price_override)
    return CartLine(
        line_id=line_id,
        position=position,
        sku=item.sku,
        description=item.description,
        quantity=priced.quantity,
        unit_price=priced.unit_price,
        price_version=item.price_version,
        price_source=priced.price_source,
        terms=priced.terms,
        unit=item.unit,
    )


def make_sale(
    *,
    sale_id: UUID,
    receipt_number: str,
    cart_id: UUID | None,
    till_id: str,
    business_time: datetime,
    business_day: date,
    currency: str,
    customer_id: str | None,
    external_reference: str | None,
    lines: tuple[SaleLine, ...],
    tenders: list[TenderRequest],
    b2b_order_id: UUID | None = None,
) -> Sale:
    """A completed sale of `lines` paid by `tenders`: every sale is made here, from a cart's
    checkout or a B2B order's handover. The total is the sum of the line totals; the tenders
    settle it (`settle_tenders`). Raises NegativeTotal, InvalidTender, InsufficientTender.
    """
    total = Money.sum((line.line_total for line in lines), currency)
    if total.is_negative():
        raise NegativeTotal(str(total))
    return Sale(
        sale_id=sale_id,
        receipt_number=receipt_number,
        cart_id=cart_id,
        till_id=till_id,
        business_time=business_time,
        business_day=business_day,
        currency=currency,
        customer_id=customer_id,
        external_reference=external_reference,
        lines=lines,
        tenders=settle_tenders(total, tenders),
        total=total,
        b2b_order_id=b2b_order_id,
    )


def settle_tenders(due: Money, tenders: list[TenderRequest]) -> tuple[Tender, ...]:
    """Apply `tenders` to `due`; the cash beyond it is change.

    Every tender but cash (on account, card, gift card, store credit) is charged exactly as
    asked (`tendered` equals `amount`, no change), whatever its place in the list: together
    they may not pass `due`. Cash tenders cover the rest in order, and cash beyond it is
    change: change only ever comes from cash. Returns the settled tenders (amount applied +
    change, with their ids, accounts and card details), in the order given. Raises
    InvalidTender for a tender of zero or less or non-cash tenders beyond `due`,
    InsufficientTender when the tendered sum is below `due`.
    """
    for tender in tenders:
        if not tender.amount.amount > 0:
            raise InvalidTender(
                f"a {tender.kind} tender must be more than zero, got {tender.amount}"
            )
    on_account = Money.sum(
        (tender.amount for tender in tenders if tender.kind != "cash"), due.currency
    )
    if on_account > due:
        raise InvalidTender(f"non-cash tenders of {on_account} exceed the {due} due")
    offered = Money.sum((tender.amount for tender in tenders), due.currency)
    if offered < due:
        raise InsufficientTender(str(due), str(offered))
    remaining = due - on_account
    settled: list[Tender] = []
    for number, tender in enumerate(tenders, start=1):
        if tender.kind == "cash":
            applied = tender.amount if tender.amount <= remaining else remaining
            remaining = remaining - applied
        else:
            applied = tender.amount
        settled.append(
            Tender(
                tender_no=number,
                kind=tender.kind,
                amount=applied,
                tendered=tender.amount,
                change=tender.amount - applied,
                tender_id=tender.tender_id,
                account=tender.account,
                card=tender.card_details,
            )
        )
    return tuple(settled)
