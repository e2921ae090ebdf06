"""Tax and promotions at the till: the arithmetic a line goes through after its unit price.

Shelf prices include tax (VAT-style retail pricing), so tax never changes what the customer
pays: it is the share of the line's net total that is tax, recorded per line for the receipt
and for HQ. A promotion takes a percentage off the line. Both come from the hub, versioned;
a line records the versions it used, as it records its price version.

Rounding is the project's one rule, ROUND_HALF_UP to the currency's minor unit
(`shared.money.quantize`), applied once per line and per quantity share, never to a sum.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, localcontext

from shared.money import Money
from shared.quantity import LineQuantity

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class TaxRate:
    """A tax code's rate in percent ("20" is 20 %), as HQ published it in `version`."""

    code: str
    rate: Decimal
    version: int


@dataclass(frozen=True, slots=True)
class Promotion:
    """`percent_off` (0 < p <= 100) off the SKUs it names while `starts_at <= t < ends_at`."""

    promotion_id: str
    version: int
    percent_off: Decimal
    starts_at: datetime
    ends_at: datetime | None = None

    def in_force(self, at: datetime) -> bool:
        return self.starts_at <= at and (self.ends_at is None or at < self.ends_at)


@dataclass(frozen=True, slots=True)
class LinePricing:
    """What a line of `quantity` x `unit_price` comes to: its discount, net total and the tax
    included in the net. All share the sign of the quantity."""

    discount: Money
    total: Money
    tax: Money


def best_promotion(promotions: Iterable[Promotion], at: datetime) -> Promotion | None:
    """The promotion in force at `at` that takes the most off; ties go to the lowest id.

    Promotions do not stack: a customer gets the best one, never two (the rule most tills
    apply when promotions are not grouped).
    """
    in_force = [promotion for promotion in promotions if promotion.in_force(at)]
    if not in_force:
        return None
    return min(in_force, key=lambda p: (-p.percent_off, p.promotion_id))


def price_line(gross: Money, promotion: Promotion | None, tax: TaxRate | None) -> LinePricing:
    """Apply `promotion` then included `tax` to a line's `gross` (quantity x unit price).

    discount = gross x percent_off / 100; total = gross - discount;
    tax = total x rate / (100 + rate), each rounded HALF_UP to the minor unit.
    """
    currency = gross.currency
    with localcontext() as context:
        context.prec = 40
        discount = (
            Money(gross.amount * promotion.percent_off / _HUNDRED, currency)
            if promotion is not None
            else Money.zero(currency)
        )
        total = gross - discount
        included = (
            Money(total.amount * tax.rate / (_HUNDRED + tax.rate), currency)
            if tax is not None and tax.rate != 0
            else Money.zero(currency)
        )
    return LinePricing(discount=discount, total=total, tax=included)


def share(amount: Money, before: LineQuantity, taken: LineQuantity, whole: LineQuantity) -> Money:
    """The part of `amount` that `taken` of `whole` units carry, after `before` units already
    took theirs: round(amount x (before + taken) / whole) - round(amount x before / whole).

    Shares taken one return at a time add up to exactly `amount` when all `whole` units are
    taken, so a receipt line is never refunded a penny more than it was paid. Raises
    ValueError unless 0 <= before and before + taken <= whole.
    """
    if whole <= 0 or before < 0 or taken < 0 or before + taken > whole:
        raise ValueError(f"cannot take {taken} after {before} of {whole} units")
    with localcontext() as context:
        context.prec = 40

        def upto(units: LineQuantity) -> Money:
            return Money(amount.amount * units / whole, amount.currency)

        return upto(before + taken) - upto(before)
