"""The store's till limits as a till applies them: the line and sale caps, the refund limits.

The limits and their defaults are shared.till_limits'; these are the checks. A line or sale
beyond its cap is refused (422); a refund above a limit is not refused but needs HQ's
approval first (409, edge.service.refunds).
"""

from __future__ import annotations

from decimal import Decimal

from edge.domain.documents import Return
from edge.errors import LineOverCap, RefundAbovePrice, SaleOverCap
from shared.money import Money
from shared.till_limits import TillLimits


def check_line(sku: str, quantity: int | Decimal, total: Money, limits: TillLimits) -> None:
    """A line of `quantity` units (negative: given back) totalling `total` is within the
    per-line caps. Raises LineOverCap."""
    if not -limits.line_quantity_max <= quantity <= limits.line_quantity_max:
        raise LineOverCap(sku, "quantity", str(quantity), str(limits.line_quantity_max))
    if abs(total) > limits.line_amount_max:
        raise LineOverCap(sku, "total", str(total.amount), str(limits.line_amount_max.amount))


def check_sale_total(total: Money, limits: TillLimits) -> None:
    """A sale (or an open cart) totalling `total` is within the per-sale cap. Raises
    SaleOverCap."""
    if total > limits.sale_total_max:
        raise SaleOverCap(str(total.amount), str(limits.sale_total_max.amount))


def check_no_receipt_line(
    sku: str,
    quantity: int | Decimal,
    unit_price: Decimal,
    total: Money,
    catalogue_price: Decimal | None,
    limits: TillLimits,
) -> None:
    """One line of a refund without a receipt: refunding per unit no more than the
    catalogue's current price (`catalogue_price`; None: the SKU has no
    price, and the cashier's price stands, bounded by the no-receipt refund limit), unless
    the store allows it, and within the per-line caps. Raises RefundAbovePrice, LineOverCap."""
    if (
        catalogue_price is not None
        and unit_price > catalogue_price
        and not limits.no_receipt_above_catalogue_price
    ):
        raise RefundAbovePrice(sku, str(unit_price), str(catalogue_price))
    check_line(sku, quantity, total, limits)


def approval_needed(sales_return: Return, limits: TillLimits) -> tuple[Money, str] | None:
    """The limit a refund is above, and its name, if it needs HQ's approval: the refund limit,
    or for a refund without a receipt the lower of it and the no-receipt limit. None: the
    till may make it."""
    total = sales_return.total
    if total > limits.refund_approval_over:
        return limits.refund_approval_over, "refund limit"
    if sales_return.original_sale_id is None and total > limits.no_receipt_refund_over:
        return limits.no_receipt_refund_over, "limit for a refund without a receipt"
    return None
