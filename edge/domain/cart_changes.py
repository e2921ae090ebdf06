"""Changes to a cart's lines after the scan: a new quantity, a manual discount (on a line, or
a cart discount spread over the lines), a price override with a reason code.

Pure: each function takes a line (and what the catalogue says of its SKU where the line is
priced again) and returns the changed line; the permission question is edge.service.staff's.

A manual discount is kept inside the line's `terms.discount_minor` (off the line's total, so
the sale, the wire and the hub's ledger carry it as they carry a promotion's) and apart in
`manual_discount_minor` with its reason (for receipts and reports). The tax included in the
line is worked out again on the discounted total (edge.domain.pricing.price_line), so the
tax the customer is told of is the tax in what they pay.

A line priced again (a new quantity, a new price) loses its manual discount: an amount given
on 3 units is no longer the right amount on 1. The cashier gives it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from edge.domain.cart import CartLine, PricedItem, check_document_total, new_line
from edge.domain.discounts import Discount, allocate_cart_discount, line_discount
from edge.domain.documents import LineTerms
from edge.domain.pricing import TaxRate, price_line
from edge.errors import Conflict, Invalid
from shared.money import Money
from shared.quantity import LineQuantity

# Why a price was overridden (docs/counter.md, "Cart operations"). `other` needs a note.
PRICE_REASONS: tuple[str, ...] = (
    "price_match",
    "damaged",
    "mispriced_shelf",
    "manager_discretion",
    "other",
)
MAX_REASON_LENGTH = 200


class LineVoided(Conflict):
    """The line is voided: it cannot be changed or discounted."""

    code = "line_voided"

    def __init__(self, line_id: str) -> None:
        super().__init__(f"line {line_id} is voided")
        self.line_id = line_id


class InvalidPriceReason(Invalid):
    """A price override without a known reason code, or `other` without a note."""

    code = "invalid_price_reason"


class InvalidDiscountReason(Invalid):
    """A manual discount without a reason."""

    code = "invalid_discount_reason"


def check_price_reason(reason_code: str | None, note: str | None) -> None:
    """Raises InvalidPriceReason unless `reason_code` is one of PRICE_REASONS and, for
    `other`, a note of 1-200 characters comes with it."""
    if reason_code not in PRICE_REASONS:
        raise InvalidPriceReason(
            f"a price override needs a reason code, one of {', '.join(PRICE_REASONS)}; "
            f"got {reason_code!r}"
        )
    if reason_code == "other" and not (note and note.strip()):
        raise InvalidPriceReason("a price override for reason `other` needs a note")


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text or len(text) > MAX_REASON_LENGTH:
        raise InvalidDiscountReason(
            f"a discount needs a reason of 1 to {MAX_REASON_LENGTH} characters"
        )
    return text


def _tax_of(terms: LineTerms) -> TaxRate | None:
    if terms.tax_code is None or terms.tax_rate is None:
        return None
    return TaxRate(terms.tax_code, terms.tax_rate, terms.tax_version or 0)


def _require_active(line: CartLine) -> None:
    if line.voided:
        raise LineVoided(str(line.line_id))


def before_manual(line: CartLine, currency: str) -> Money:
    """The line's total before any manual discount (quantity x unit price less the
    promotion's discount)."""
    return line.total(currency) + Money.from_minor(line.manual_discount_minor, currency)


def with_manual_discount(
    line: CartLine, discount_minor: int, reason: str | None, currency: str
) -> CartLine:
    """`line` with a manual discount of `discount_minor` (>= 0, replacing any before) and its
    reason: the discount kept inside terms.discount_minor, the included tax worked out again
    on the new total (price_line, ROUND_HALF_UP). Raises InvalidPrice (a total beyond
    the cap)."""
    promotion_minor = line.terms.discount_minor - line.manual_discount_minor
    total = before_manual(line, currency) - Money.from_minor(discount_minor, currency)
    check_document_total(total)
    tax = price_line(total, None, _tax_of(line.terms)).tax
    terms = replace(
        line.terms, discount_minor=promotion_minor + discount_minor, tax_minor=tax.minor
    )
    return replace(
        line,
        terms=terms,
        manual_discount_minor=discount_minor,
        discount_reason=reason if discount_minor else None,
    )


def discount_line(
    line: CartLine, discount: Discount, reason: str, currency: str
) -> tuple[CartLine, Money]:
    """Give `discount` (a percent or an amount) on one line, replacing any manual discount it
    had; worked on the line's total before manual discounts. Returns the line and the amount
    taken off. Raises LineVoided, InvalidDiscountReason, InvalidDiscount (also for a line of
    units given back), DiscountExceedsLine."""
    _require_active(line)
    text = _reason(reason)
    amount = line_discount(before_manual(line, currency), discount)
    return with_manual_discount(line, amount.minor, text, currency), amount


def discount_cart(
    lines: Sequence[CartLine], discount: Discount, reason: str, currency: str
) -> list[tuple[CartLine, Money]]:
    """Give `discount` on the cart: taken of the sum of the active lines' totals above zero
    (after their own manual discounts) and spread over them by the largest remainder method
    (edge.domain.discounts.allocate_cart_discount), added to each line's manual discount. No
    line goes below zero and the shares sum exactly to the discount. Returns the changed
    lines with their shares (a line whose share is zero is left out). Raises
    InvalidDiscountReason, InvalidDiscount (no line above zero), DiscountExceedsCart."""
    text = _reason(reason)
    eligible = [line for line in lines if not line.voided and line.total(currency).minor > 0]
    shares = allocate_cart_discount([line.total(currency) for line in eligible], discount)
    changed = []
    for line, share in zip(eligible, shares, strict=True):
        if share.is_zero():
            continue
        joined = text if not line.discount_reason else f"{line.discount_reason}; {text}"
        new = with_manual_discount(
            line, line.manual_discount_minor + share.minor, joined[:MAX_REASON_LENGTH], currency
        )
        changed.append((new, share))
    return changed


def change_quantity(
    line: CartLine, item: PricedItem, quantity: LineQuantity, currency: str
) -> CartLine:
    """`line` with `quantity` units, priced as a scan of `item` would be (its promotion and
    tax rate), at the line's own unit price and price version; an overridden price stays
    overridden, with its reason. The manual discount is dropped (see the module's note).
    Raises LineVoided, InvalidQuantity, InvalidPrice."""
    _require_active(line)
    kept = replace(item, unit_price=line.unit_price, price_version=line.price_version)
    if line.price_source != "override":
        return new_line(line.line_id, line.position, kept, quantity, currency)
    changed = new_line(
        line.line_id, line.position, replace(kept, promotion=None), quantity, currency
    )
    return replace(
        changed,
        price_source="override",
        price_reason=line.price_reason,
        price_note=line.price_note,
    )


def override_price(
    line: CartLine,
    item: PricedItem,
    unit_price: Decimal,
    reason_code: str,
    note: str | None,
    currency: str,
) -> CartLine:
    """`line` at `unit_price` instead of the catalogue's (no promotion then: the override is
    the price the cashier decided), with the reason. The manual discount is dropped. Raises
    LineVoided, InvalidPriceReason, InvalidPrice."""
    _require_active(line)
    check_price_reason(reason_code, note)
    unpromoted = replace(item, promotion=None)
    changed = new_line(line.line_id, line.position, unpromoted, line.quantity, currency, unit_price)
    return replace(
        changed,
        price_version=line.price_version,
        price_source="override",
        price_reason=reason_code,
        price_note=note.strip() if note and note.strip() else None,
    )
