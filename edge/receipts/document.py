"""The receipt documents a till prints: sales, returns, X and Z reports (frozen, checked on creation).

The caller computes every figure (the cart, the VAT per rate, the shift's totals); a document
only checks that they agree with each other and refuses one that does not
(`InconsistentReceipt`), so a receipt never prints a total its lines and VAT do not add up to.
Money is `shared.money.Money` throughout; quantities are an int (pieces) or a Decimal with
exactly 3 places in a unit of measure (kg).

Sign convention: a return's quantities, line totals, discounts, VAT and total are negative, as
the ledger holds them; its tenders are negative too (money paid back), and change is never
negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, localcontext
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from edge.domain.shifts import ShiftTotals, XReport, ZReport
from edge.receipts.errors import InconsistentReceipt
from shared.money import Money

WEIGHT_PLACES = 3


class ReceiptKind(StrEnum):
    """What a sale-shaped receipt is."""

    SALE = "sale"
    RETURN = "return"


class ReportKind(StrEnum):
    """X: a read-only reading of the open shift. Z: the closing report, numbered per till."""

    X = "x_report"
    Z = "z_report"


@dataclass(frozen=True, slots=True)
class Store:
    """What the store settings give every receipt: header and footer lines, currency, time zone.

    `time_zone` is an IANA name ("Europe/London"); times print in it. Raises
    InconsistentReceipt for an unknown zone.
    """

    header_lines: tuple[str, ...]
    footer_lines: tuple[str, ...]
    currency: str
    time_zone: str

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InconsistentReceipt(f"unknown time zone {self.time_zone!r}") from None
        Money.zero(self.currency)  # UnknownCurrency for a currency without minor units

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One line: `quantity` x `unit_price` less `discount` is `line_total`.

    `quantity` is an int (pieces) with `unit` None, or a Decimal with 3 places with its `unit`
    ("kg"). `discount` (same sign as the line, zero when none) is shown under the line with
    `discount_label`. `price_overridden` marks a price a supervisor set by hand.
    `exact_unit_price` is the unit price when it carries more places than the currency (the
    catalogue has 0.001 GBP items; `unit_price` is then its rounding): the gross is figured
    from it, as the till priced the line. Raises InconsistentReceipt when the figures
    disagree (the gross is rounded ROUND_HALF_UP to the currency, as `shared.money` does).
    """

    description: str
    sku: str
    quantity: int | Decimal
    unit_price: Money
    line_total: Money
    unit: str | None = None
    discount: Money | None = None
    discount_label: str = ""
    price_overridden: bool = False
    exact_unit_price: Decimal | None = None

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int | Decimal):
            raise InconsistentReceipt(f"{self.sku}: quantity must be an int or a Decimal")
        if isinstance(self.quantity, Decimal):
            if self.unit is None or not self.unit.strip():
                raise InconsistentReceipt(f"{self.sku}: a weighed quantity needs its unit")
            exponent = self.quantity.as_tuple().exponent
            if not self.quantity.is_finite() or exponent != -WEIGHT_PLACES:
                raise InconsistentReceipt(
                    f"{self.sku}: weighed quantity {self.quantity} must have exactly "
                    f"{WEIGHT_PLACES} decimal places"
                )
        elif self.unit is not None:
            raise InconsistentReceipt(f"{self.sku}: a count of pieces has no unit")
        if self.quantity == 0:
            raise InconsistentReceipt(f"{self.sku}: quantity is zero")
        currency = self.unit_price.currency
        if self.exact_unit_price is not None and Money(self.exact_unit_price, currency) != (
            self.unit_price
        ):
            raise InconsistentReceipt(f"{self.sku}: the exact unit price is not the unit price")
        gross = self.gross
        discount = self.discount if self.discount is not None else Money.zero(currency)
        if not discount.is_zero() and not self.discount_label.strip():
            raise InconsistentReceipt(f"{self.sku}: a discount needs its label")
        if gross - discount != self.line_total:
            raise InconsistentReceipt(
                f"{self.sku}: {self.quantity} x {self.unit_price.amount} - {discount.amount} "
                f"is {(gross - discount).amount}, not {self.line_total.amount}"
            )

    @property
    def gross(self) -> Money:
        """The line before its discount."""
        with localcontext() as context:
            context.prec = 40
            return Money(self.price * self.quantity, self.unit_price.currency)

    @property
    def price(self) -> Decimal:
        """The unit price the line was priced at (exact, when it has more places)."""
        return (
            self.exact_unit_price if self.exact_unit_price is not None else self.unit_price.amount
        )


@dataclass(frozen=True, slots=True)
class VatRate:
    """VAT at one `rate` (percent, Decimal("20") for 20%): `net` + `tax` = `gross`."""

    rate: Decimal
    net: Money
    tax: Money
    gross: Money

    def __post_init__(self) -> None:
        if self.net + self.tax != self.gross:
            raise InconsistentReceipt(
                f"VAT {self.rate}%: net {self.net.amount} + tax {self.tax.amount} "
                f"is not gross {self.gross.amount}"
            )


@dataclass(frozen=True, slots=True)
class Tender:
    """A payment (or, on a return, a refund: negative) under its printed label ("Cash", "Card"),
    with the lines printed under it (`details`: a card's brand and last 4 digits, "stored
    offline", a gift card's masked number, a store-credit customer)."""

    label: str
    amount: Money
    details: tuple[str, ...] = ()


def _check_vat_total(vat: tuple[VatRate, ...], total: Money, what: str) -> None:
    gross = Money.sum((rate.gross for rate in vat), total.currency)
    if gross != total:
        raise InconsistentReceipt(
            f"the VAT summary adds up to {gross.amount}, the {what} is {total.amount}"
        )
    rates = [rate.rate for rate in vat]
    if len(set(rates)) != len(rates):
        raise InconsistentReceipt("a VAT rate appears twice in the summary")


def _check_time(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InconsistentReceipt(f"{what} must be an aware datetime")


@dataclass(frozen=True, slots=True)
class Receipt:
    """A sale or a return as printed.

    Checks (InconsistentReceipt otherwise): one currency throughout; the lines less the cart
    discount make `total`; the VAT summary's gross adds up to `total`; the tenders less
    `change` make `total`; `change` is not negative; a sale's total is not negative and a
    return's not positive; `issued_at` is aware; `copy_number` is 0 (the original) or more
    (the n-th reprint, printed as "COPY n").
    """

    kind: ReceiptKind
    store: Store
    till_id: str
    staff_name: str
    receipt_number: str
    issued_at: datetime
    lines: tuple[ReceiptLine, ...]
    vat: tuple[VatRate, ...]
    total: Money
    tenders: tuple[Tender, ...]
    change: Money
    cart_discount: Money | None = None
    cart_discount_label: str = ""
    copy_number: int = 0
    original_receipt_number: str | None = None

    def __post_init__(self) -> None:
        currency = self.store.currency
        _check_time(self.issued_at, "issued_at")
        if not self.lines:
            raise InconsistentReceipt("a receipt needs at least one line")
        if self.copy_number < 0:
            raise InconsistentReceipt("copy_number is 0 for the original, then 1, 2...")
        amounts = [self.total, self.change, *(line.line_total for line in self.lines)]
        amounts += [tender.amount for tender in self.tenders]
        amounts += [rate.gross for rate in self.vat]
        if self.cart_discount is not None:
            amounts.append(self.cart_discount)
        if any(amount.currency != currency for amount in amounts):
            raise InconsistentReceipt(f"every amount must be in the store's currency {currency}")
        if self.cart_discount is not None and not self.cart_discount.is_zero():
            if not self.cart_discount_label.strip():
                raise InconsistentReceipt("a cart discount needs its label")
        subtotal = self.subtotal
        expected = subtotal - self.discount_total
        if expected != self.total:
            raise InconsistentReceipt(
                f"the lines ({subtotal.amount}) less the cart discount "
                f"({self.discount_total.amount}) are {expected.amount}, not {self.total.amount}"
            )
        if self.kind is ReceiptKind.SALE and self.total.is_negative():
            raise InconsistentReceipt("a sale's total cannot be negative")
        if self.kind is ReceiptKind.RETURN and self.total.amount > 0:
            raise InconsistentReceipt("a return's total cannot be positive")
        _check_vat_total(self.vat, self.total, "total")
        if self.change.is_negative():
            raise InconsistentReceipt("change cannot be negative")
        tendered = Money.sum((tender.amount for tender in self.tenders), currency)
        if tendered - self.change != self.total:
            raise InconsistentReceipt(
                f"the tenders ({tendered.amount}) less change ({self.change.amount}) "
                f"are not the total ({self.total.amount})"
            )

    @property
    def subtotal(self) -> Money:
        """The sum of the line totals (after line discounts, before the cart discount)."""
        return Money.sum((line.line_total for line in self.lines), self.store.currency)

    @property
    def discount_total(self) -> Money:
        """The cart discount, zero when none."""
        return self.cart_discount or Money.zero(self.store.currency)


TENDER_LABELS = {
    "cash": "Cash",
    "card": "Card",
    "on_account": "On account",
    "gift_card": "Gift card",
    "store_credit": "Store credit",
}


def tender_label(name: str) -> str:
    """The printed label of a tender kind: "cash" is "Cash", "on_account" "On account"; a kind
    without a label of its own prints with its first letter capitalised."""
    return TENDER_LABELS.get(name, name.replace("_", " ").capitalize())


@dataclass(frozen=True, slots=True)
class ShiftReport:
    """An X report (read-only, any time) or a Z report (closes the shift), printed like a receipt.

    The figures are the shift's own (`edge.domain.shifts.ShiftTotals`, as its XReport and
    ZReport carry them): counts, sales, returns, voids, discounts, VAT per rate, each tender,
    the float, paid-in/out, pickups and the expected cash; nothing is copied or recomputed
    here. The report adds the period (aware datetimes), the business day, first and last
    receipt numbers (None when nothing was sold) and who ran it. A Z adds its number (1, 2...
    per till), the blind-counted cash and the grand total (never reset: the running sum of
    net sales over all the till's Z reports); an X carries none of these. Build one from the
    shift's report with `from_shift`. Raises InconsistentReceipt when the Z fields are
    missing, present on an X, or the figures disagree (VAT summary vs net sales, currency,
    period order).
    """

    kind: ReportKind
    store: Store
    till_id: str
    staff_name: str
    business_day: date
    period_start: datetime
    period_end: datetime
    first_receipt_number: str | None
    last_receipt_number: str | None
    totals: ShiftTotals
    counted_cash: Money | None = None
    z_number: int | None = None
    grand_total: Money | None = None
    copy_number: int = 0

    def __post_init__(self) -> None:
        _check_time(self.period_start, "period_start")
        _check_time(self.period_end, "period_end")
        if self.period_end < self.period_start:
            raise InconsistentReceipt("the period ends before it starts")
        if self.copy_number < 0:
            raise InconsistentReceipt("copy_number is 0 for the original, then 1, 2...")
        currency = self.store.currency
        totals = self.totals
        amounts = [totals.sales, totals.returns, totals.voids, totals.discounts]
        amounts += [totals.float_cash, totals.paid_in, totals.paid_out, totals.pickups]
        amounts += [totals.change_given, *(rate.gross for rate in self.vat)]
        amounts += [tender.amount for tender in self.tenders]
        amounts += [m for m in (self.counted_cash, self.grand_total) if m is not None]
        if totals.currency != currency or any(a.currency != currency for a in amounts):
            raise InconsistentReceipt(f"every amount must be in the store's currency {currency}")
        _check_vat_total(self.vat, totals.net_sales, "net sales")
        z_fields = (self.counted_cash, self.z_number, self.grand_total)
        if self.kind is ReportKind.Z:
            if any(value is None for value in z_fields):
                raise InconsistentReceipt(
                    "a Z report needs its number, counted cash and grand total"
                )
            if isinstance(self.z_number, bool) or not isinstance(self.z_number, int):
                raise InconsistentReceipt("the Z number is an int")
            if self.z_number < 1:
                raise InconsistentReceipt("Z numbers start at 1")
        elif any(value is not None for value in z_fields):
            raise InconsistentReceipt("an X report has no Z number, counted cash or grand total")

    @classmethod
    def from_shift(
        cls,
        report: XReport | ZReport,
        *,
        store: Store,
        business_day: date,
        staff_name: str | None = None,
        copy_number: int = 0,
    ) -> ShiftReport:
        """The printed form of a shift's X or Z report (edge.domain.shifts): its period, receipt
        numbers and totals as they are; a Z's number, counted cash and grand total.

        `business_day` is the store's (edge.domain.shifts.business_day of the opening time);
        `staff_name` names who ran the report (default: the staff code that opened the shift,
        or closed it for a Z). Raises InconsistentReceipt (see the class).
        """
        if isinstance(report, ZReport):
            return cls(
                kind=ReportKind.Z,
                store=store,
                till_id=report.till_id,
                staff_name=staff_name or report.closed_by,
                business_day=business_day,
                period_start=report.period_start,
                period_end=report.period_end,
                first_receipt_number=report.first_receipt_number,
                last_receipt_number=report.last_receipt_number,
                totals=report.totals,
                counted_cash=report.counted_cash,
                z_number=report.z_number,
                grand_total=report.grand_total,
                copy_number=copy_number,
            )
        return cls(
            kind=ReportKind.X,
            store=store,
            till_id=report.till_id,
            staff_name=staff_name or report.opened_by,
            business_day=business_day,
            period_start=report.period_start,
            period_end=report.at,
            first_receipt_number=report.first_receipt_number,
            last_receipt_number=report.last_receipt_number,
            totals=report.totals,
            copy_number=copy_number,
        )

    @property
    def vat(self) -> tuple[VatRate, ...]:
        """The shift's VAT per rate, lowest rate first; sales of items with no tax code count
        at 0 %, as on their receipts."""
        rates = {
            line.rate: VatRate(line.rate, line.net, line.tax, line.gross)
            for line in self.totals.tax
        }
        taxed = Money.sum((rate.gross for rate in rates.values()), self.totals.currency)
        untaxed = self.totals.net_sales - taxed
        if untaxed.amount:
            zero = Decimal(0)
            held = rates.get(zero)
            rates[zero] = (
                VatRate(zero, held.net + untaxed, held.tax, held.gross + untaxed)
                if held is not None
                else VatRate(zero, untaxed, Money.zero(untaxed.currency), untaxed)
            )
        return tuple(rates[rate] for rate in sorted(rates))

    @property
    def tenders(self) -> tuple[Tender, ...]:
        """Each tender of the shift (refunds netted), in the order of their kind's name."""
        return tuple(Tender(tender_label(name), amount) for name, amount in self.totals.tenders)

    @property
    def expected_cash(self) -> Money:
        """float + cash tenders - change + paid-in - paid-out - pickups (the shift's)."""
        return self.totals.expected_cash

    @property
    def variance(self) -> Money | None:
        """Counted less expected cash (negative: the drawer is short); None on an X report."""
        if self.counted_cash is None:
            return None
        return self.counted_cash - self.expected_cash


Document = Receipt | ShiftReport
