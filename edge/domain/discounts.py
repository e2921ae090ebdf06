"""Discounts at the till: a line discount, and a cart discount spread over the lines.

A discount is a percent (0 < p <= 100, at most 2 places) or an amount (> 0, no more places
than the currency has). Everything is worked in integer minor units (shared.money); a
percent of an amount is rounded once, by shared.money.quantize (ROUND_HALF_UP).

A cart discount is spread over the lines in proportion to their totals by the largest
remainder method (Hamilton's method, as used for seat apportionment): each line first gets
the floor of its exact share, then the minor units left over go one each to the lines with
the largest remainders, earlier lines first on a tie. So the shares sum exactly to the
discount, each is within one minor unit of its exact share, and no line goes below zero.
Whether the cashier may give a discount at all is edge.domain.staff's question, not this
module's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from edge.errors import Invalid
from shared.money import Money, minor_units, quantize, to_decimal

PERCENT_PLACES = 2
_HUNDRED = Decimal(100)


class InvalidDiscount(Invalid):
    """A discount of zero or less, a percent above 100, or more decimal places than allowed."""

    code = "invalid_discount"


class DiscountExceedsLine(Invalid):
    """A line discount larger than the line's total."""

    code = "discount_exceeds_line"

    def __init__(self, discount: str, line_total: str) -> None:
        super().__init__(f"a discount of {discount} is more than the line's {line_total}")
        self.discount = discount
        self.line_total = line_total


class DiscountExceedsCart(Invalid):
    """A cart discount larger than the total of the lines it is spread over."""

    code = "discount_exceeds_cart"

    def __init__(self, discount: str, cart_total: str) -> None:
        super().__init__(f"a discount of {discount} is more than the cart's {cart_total}")
        self.discount = discount
        self.cart_total = cart_total


class DiscountKind(StrEnum):
    """How a discount is given: a percent of the total, or an amount off it."""

    PERCENT = "percent"
    AMOUNT = "amount"


@dataclass(frozen=True, slots=True)
class Discount:
    """A percent (`value` 12.5 is 12.5 %) or an amount in the currency (`value` 5.00).

    Build with `Discount.percent("10")` or `Discount.amount("5.00")`; `check` validates
    against a currency. Raises InvalidDiscount (InvalidAmount for a float or not a number).
    """

    kind: DiscountKind
    value: Decimal

    @classmethod
    def percent(cls, value: Decimal | int | str) -> Discount:
        return cls(DiscountKind.PERCENT, to_decimal(value))

    @classmethod
    def amount(cls, value: Decimal | int | str) -> Discount:
        return cls(DiscountKind.AMOUNT, to_decimal(value))

    def check(self, currency: str) -> None:
        """Raises InvalidDiscount unless the value is > 0 (and <= 100 for a percent), with at
        most 2 places for a percent or the currency's minor units for an amount."""
        places = PERCENT_PLACES if self.kind is DiscountKind.PERCENT else minor_units(currency)
        if self.value <= 0:
            raise InvalidDiscount(f"a discount of {self.value} is not above zero")
        if self.kind is DiscountKind.PERCENT and self.value > _HUNDRED:
            raise InvalidDiscount(f"a discount of {self.value} % is above 100 %")
        if self.value != self.value.quantize(Decimal(1).scaleb(-places)):
            raise InvalidDiscount(f"a discount of {self.value} has more than {places} places")

    def of(self, total: Money) -> Money:
        """The discount on `total` in its currency: an amount as it is, a percent rounded to
        the minor unit (ROUND_HALF_UP). Raises InvalidDiscount."""
        self.check(total.currency)
        if self.kind is DiscountKind.AMOUNT:
            return Money(self.value, total.currency)
        return Money(quantize(total.amount * self.value / _HUNDRED, total.currency), total.currency)


def line_discount(line_total: Money, discount: Discount) -> Money:
    """The discount on one line of `line_total` (>= 0): at most the whole line (100 %, or the
    line's amount). Raises InvalidDiscount, DiscountExceedsLine."""
    if line_total.is_negative():
        raise InvalidDiscount("a line discount is given on a line of zero or more only")
    amount = discount.of(line_total)
    if amount > line_total:
        raise DiscountExceedsLine(str(amount.amount), str(line_total.amount))
    return amount


def allocate_minor(discount_minor: int, line_totals_minor: Sequence[int]) -> list[int]:
    """Spread `discount_minor` over lines of `line_totals_minor` (minor units, each >= 0) by
    the largest remainder method: floors of the exact shares, then one more unit each to the
    largest remainders, earlier lines first on a tie. Returns one share per line, summing to
    `discount_minor`, each between 0 and its line's total. Raises InvalidDiscount (a negative
    discount or line), DiscountExceedsCart (more than the lines' sum)."""
    if discount_minor < 0:
        raise InvalidDiscount(f"a discount of {discount_minor} minor units is below zero")
    if any(total < 0 for total in line_totals_minor):
        raise InvalidDiscount("a cart discount is spread over lines of zero or more only")
    cart_total = sum(line_totals_minor)
    if discount_minor > cart_total:
        raise DiscountExceedsCart(str(discount_minor), str(cart_total))
    if discount_minor == 0:
        return [0] * len(line_totals_minor)
    shares: list[int] = []
    remainders: list[int] = []
    for total in line_totals_minor:
        share, remainder = divmod(discount_minor * total, cart_total)
        shares.append(share)
        remainders.append(remainder)
    left_over = discount_minor - sum(shares)
    # Largest remainder first; on a tie the earlier line (sorted is stable).
    by_remainder = sorted(range(len(shares)), key=lambda index: -remainders[index])
    for index in by_remainder[:left_over]:
        shares[index] += 1
    return shares


def allocate_cart_discount(line_totals: Sequence[Money], discount: Discount) -> list[Money]:
    """The cart discount each line carries, in line order (see `allocate_minor`): `discount`
    taken of the lines' sum, then spread over them. Lines are in one currency, each >= 0.
    Raises InvalidDiscount (also for no lines), DiscountExceedsCart, CurrencyMismatch."""
    if not line_totals:
        raise InvalidDiscount("a cart discount needs at least one line")
    currency = line_totals[0].currency
    cart_total = Money.sum(line_totals, currency)
    amount = discount.of(cart_total)
    if amount > cart_total:
        raise DiscountExceedsCart(str(amount.amount), str(cart_total.amount))
    shares = allocate_minor(amount.minor, [total.minor for total in line_totals])
    return [Money.from_minor(share, currency) for share in shares]
