"""Till limits: what a store's till may ring up or pay out on its own, and their safe defaults.

HQ sets a store's limits (`PUT /v1/stores/{store_id}/till-limits` at the hub); the store's
feed carries them to its nodes. A limit HQ has not set takes its default below, at the hub and
at every till alike, online or offline: a fresh store can never ring up an unlimited sale or
pay out an unlimited refund. The defaults are those of a high-street shop trading in pounds,
euros or dollars; they are amounts of the store's own currency (250 of a yen is not much: HQ
sets other limits for such a store). See docs/security.md ("Safe defaults at the till").

Where each limit is enforced: edge.service.selling (the line and sale caps), edge.service.
returns (the refund limit and the rules of a refund without a receipt), hub.service.refunds
(the hub's second look at each refund it ingests).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared.money import Money

DEFAULT_REFUND_APPROVAL_OVER = Decimal("250.00")
"""A refund above this needs HQ's approval first (docs/refund-approvals.md)."""
DEFAULT_NO_RECEIPT_REFUND_OVER = Decimal("100.00")
"""A refund without a receipt above this needs HQ's approval first."""
DEFAULT_LINE_QUANTITY_MAX = 9_999
"""Units on one line of a sale or of a refund without a receipt, at most."""
DEFAULT_LINE_AMOUNT_MAX = Decimal("10000.00")
"""One line's total (after its promotion), at most, in a sale or a refund without a receipt."""
DEFAULT_SALE_TOTAL_MAX = Decimal("25000.00")
"""One sale's total, at most."""

LINE_QUANTITY_CEILING = 1_000_000
"""What HQ may set `line_quantity_max` to, at most (the till's sanity cap on a line)."""


@dataclass(frozen=True, slots=True)
class TillLimits:
    """A store's limits in force, in its currency.

    `refund_approval_over`: a refund (any return) above it needs HQ's approval.
    `no_receipt_refund_over`: a refund without a receipt above it needs HQ's approval.
    `line_quantity_max`, `line_amount_max`: one line of a sale, or of a refund without a
    receipt, at most (units; its total after promotion, in absolute value).
    `sale_total_max`: one sale's total at most.
    `no_receipt_above_catalogue_price`: whether a refund without a receipt may refund more
    per unit than the catalogue's current price (False: never; a wholesaler's counter whose
    prices are agreed per customer may need True).
    """

    refund_approval_over: Money
    no_receipt_refund_over: Money
    line_quantity_max: int
    line_amount_max: Money
    sale_total_max: Money
    no_receipt_above_catalogue_price: bool


@dataclass(frozen=True, slots=True)
class TillLimitOverrides:
    """The limits HQ set for a store, as the hub and each node store them: integer minor units
    of the store's currency (units for `line_quantity_max`); None: HQ did not set it, the
    default applies."""

    refund_approval_over_minor: int | None = None
    no_receipt_refund_over_minor: int | None = None
    line_quantity_max: int | None = None
    line_amount_max_minor: int | None = None
    sale_total_max_minor: int | None = None
    no_receipt_above_catalogue_price: bool | None = None

    def in_force(self, currency: str) -> TillLimits:
        """The limits in force for a store trading in `currency`: each one HQ set, else its
        default. Raises UnknownCurrency."""

        def amount(minor: int | None, default: Decimal) -> Money:
            return (
                Money.of(default, currency) if minor is None else Money.from_minor(minor, currency)
            )

        return TillLimits(
            refund_approval_over=amount(
                self.refund_approval_over_minor, DEFAULT_REFUND_APPROVAL_OVER
            ),
            no_receipt_refund_over=amount(
                self.no_receipt_refund_over_minor, DEFAULT_NO_RECEIPT_REFUND_OVER
            ),
            line_quantity_max=(
                DEFAULT_LINE_QUANTITY_MAX
                if self.line_quantity_max is None
                else self.line_quantity_max
            ),
            line_amount_max=amount(self.line_amount_max_minor, DEFAULT_LINE_AMOUNT_MAX),
            sale_total_max=amount(self.sale_total_max_minor, DEFAULT_SALE_TOTAL_MAX),
            no_receipt_above_catalogue_price=bool(self.no_receipt_above_catalogue_price),
        )
