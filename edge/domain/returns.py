"""Returns: goods taken back against a stored receipt, or without one (an unreferenced return)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from edge.domain.cart import (
    MAX_LINE_QUANTITY,
    check_document_total,
    check_unit_price,
    line_quantity,
)
from edge.domain.documents import NO_TERMS, LineTerms, Return, ReturnLine, ReturnRecorded, Sale
from edge.domain.pricing import TaxRate, price_line, share
from edge.domain.refund_tenders import (
    RefundChoice,
    no_receipt_refund,
    plan_refund,
    refund_tenders,
    with_choice,
)
from edge.errors import InvalidQuantity, InvalidReturn, ReturnExceedsSale
from shared.money import Money, line_total
from shared.quantity import LineQuantity, Unit


@dataclass(frozen=True, slots=True)
class ReturnItem:
    """One line of a return request.

    Against a receipt, name the receipt line (`original_line_no`); the price is the one paid.
    Without a receipt, `unit_price` is the refund per unit (the service defaults it to the
    current catalogue price, and `tax` to the SKU's current tax rate); `make_return` refuses
    such a line without a price. `quantity` is whole units, or kg for a weighed product (its
    unit: the receipt line's, or without a receipt `unit`, the catalogue's).
    """

    sku: str
    quantity: LineQuantity
    unit_price: Decimal | None = None
    description: str | None = None
    original_line_no: int | None = None
    price_version: int | None = None
    tax: TaxRate | None = None
    unit: Unit = "each"


def make_return(
    *,
    return_id: UUID,
    receipt_number: str,
    till_id: str,
    business_time: datetime,
    business_day: date,
    currency: str,
    reason: str,
    items: list[ReturnItem],
    original: Sale | None,
    already_returned: Mapping[int, LineQuantity],
    refund: RefundChoice | None = None,
    refunded_so_far: Mapping[int, Money] | None = None,
    customer_id: str | None = None,
    external_reference: str | None = None,
) -> ReturnRecorded:
    """Build a Return and its event.

    `already_returned` maps original line numbers to units returned before, so a receipt
    can never be refunded twice over. A receipt line refunds its share of what was paid for
    it (after its promotion) and of the tax in it (`edge.domain.pricing.share`), so returning
    a line's units one at a time refunds exactly the line.

    The refund goes back to the original tenders (edge.domain.refund_tenders): against a
    receipt each of the sale's tenders is paid back in proportion (`plan_refund`, bounded by
    `refunded_so_far`: what earlier returns paid back per sale tender number), and `refund`
    store credit turns its cash parts into store credit; without one, the whole refund is
    cash or, by `refund`, store credit to a customer. Raises InvalidReturn, InvalidQuantity,
    ReturnExceedsSale, RefundTenderRefused.
    """
    if not reason.strip():
        raise InvalidReturn("a return needs a reason")
    if not items:
        raise InvalidReturn("a return needs at least one line")
    returned = dict(already_returned)
    lines = tuple(
        _return_line(number, item, currency, original, returned)
        for number, item in enumerate(items, start=1)
    )
    total = Money.sum((line.line_total for line in lines), currency)
    check_document_total(total)
    customer = (
        customer_id if customer_id is not None else (original.customer_id if original else None)
    )
    if original is None:
        parts = no_receipt_refund(total, refund, customer)
    else:
        planned = plan_refund(original.tenders, refunded_so_far or {}, total)
        parts = with_choice(planned, refund, customer)
    sales_return = Return(
        return_id=return_id,
        receipt_number=receipt_number,
        till_id=till_id,
        original_sale_id=original.sale_id if original else None,
        business_time=business_time,
        business_day=business_day,
        currency=currency,
        customer_id=customer,
        external_reference=external_reference,
        reason=reason.strip(),
        lines=lines,
        refunds=refund_tenders(return_id, parts),
        total=total,
    )
    return ReturnRecorded(sales_return)


def _return_line(
    number: int,
    item: ReturnItem,
    currency: str,
    original: Sale | None,
    returned: dict[int, LineQuantity],
) -> ReturnLine:
    """One return line; against a receipt, adds its units to `returned`."""
    if item.quantity <= 0 or item.quantity > MAX_LINE_QUANTITY:
        raise InvalidQuantity(item.quantity, "units returned must be positive")
    if original is None:
        quantity = line_quantity(item.quantity, item.unit)
        if item.unit_price is None or not item.unit_price.is_finite() or item.unit_price < 0:
            raise InvalidReturn(f"line {number}: a return without a receipt needs a unit price")
        check_unit_price(item.unit_price)
        priced = price_line(line_total(quantity, item.unit_price, currency), None, item.tax)
        return ReturnLine(
            line_no=number,
            sku=item.sku,
            description=item.description,
            quantity=quantity,
            unit=item.unit,
            unit_price=item.unit_price,
            line_total=priced.total,
            original_line_no=None,
            price_version=item.price_version,
            terms=LineTerms(
                tax_minor=priced.tax.minor,
                tax_code=item.tax.code,
                tax_rate=item.tax.rate,
                tax_version=item.tax.version,
            )
            if item.tax is not None
            else NO_TERMS,
        )
    sold = next((line for line in original.lines if line.line_no == item.original_line_no), None)
    if sold is None or sold.sku != item.sku:
        raise InvalidReturn(
            f"line {number}: receipt {original.receipt_number} has no line "
            f"{item.original_line_no} for SKU {item.sku!r}"
        )
    quantity = line_quantity(item.quantity, sold.unit)
    before = returned.get(sold.line_no, 0)
    returnable = sold.quantity - before
    if quantity > returnable:
        raise ReturnExceedsSale(sold.line_no, quantity, max(returnable, 0))
    returned[sold.line_no] = before + quantity
    terms = sold.terms
    refund = share(sold.line_total, before, quantity, sold.quantity)
    if terms != NO_TERMS:
        terms = LineTerms(
            discount_minor=share(
                Money.from_minor(terms.discount_minor, currency),
                before,
                quantity,
                sold.quantity,
            ).minor,
            promotion_id=terms.promotion_id,
            promotion_version=terms.promotion_version,
            tax_minor=share(
                Money.from_minor(terms.tax_minor, currency), before, quantity, sold.quantity
            ).minor,
            tax_code=terms.tax_code,
            tax_rate=terms.tax_rate,
            tax_version=terms.tax_version,
        )
    return ReturnLine(
        line_no=number,
        sku=sold.sku,
        description=sold.description,
        quantity=quantity,
        unit=sold.unit,
        unit_price=sold.unit_price,
        line_total=refund,
        original_line_no=sold.line_no,
        price_version=sold.price_version,
        terms=terms,
    )
