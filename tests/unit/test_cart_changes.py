"""Cart operations on their own: park and recall, a new quantity, line and cart discounts (tax
worked out again on what is paid), price overrides with a reason code."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edge.domain.cart import Cart, CartHead, CartLine, Parking, PricedItem, TenderRequest
from edge.domain.cart_changes import (
    InvalidDiscountReason,
    InvalidPriceReason,
    LineVoided,
    change_quantity,
    discount_cart,
    discount_line,
    override_price,
)
from edge.domain.discounts import Discount, DiscountExceedsCart, DiscountExceedsLine
from edge.domain.pricing import Promotion, TaxRate
from edge.errors import CartClosed, CartParked
from shared.money import Money

NOW = datetime(2010, 12, 1, 9, 0, tzinfo=UTC)
VAT = TaxRate("STD", Decimal(20), 1)
HALF_OFF = Promotion("P1", 1, Decimal(50), NOW)
HEART = PricedItem("85123A", "WHITE HANGING HEART", Decimal("2.55"), 3, tax=VAT)
LANTERN = PricedItem("71053", "WHITE METAL LANTERN", Decimal("3.39"), 1, tax=VAT)
MUG = PricedItem("22633", "MUG", Decimal("10.00"), 2, tax=VAT, promotion=HALF_OFF)


def gbp(text: str) -> Money:
    return Money.of(text, "GBP")


def cart(*items: tuple[PricedItem, int]) -> Cart:
    basket = Cart(cart_id=uuid.uuid4(), till_id="T1", currency="GBP", opened_at=NOW)
    for item, quantity in items:
        basket.add_line(uuid.uuid4(), item, quantity)
    return basket


def included_tax(total: Money) -> int:
    """20 % VAT included in `total`, HALF_UP to the penny."""
    return Money.of(total.amount * 20 / 120, "GBP").minor


def test_a_parked_cart_takes_no_scan_and_no_payment_until_it_is_recalled_at_another_till() -> None:
    basket = cart((HEART, 2))
    basket.park(Parking(NOW, "1001", "Ann"))
    head = CartHead(basket.cart_id, "T1", "GBP", basket.status, 1, 1, basket.total())
    with pytest.raises(CartParked):
        head.scan(uuid.uuid4(), HEART, 1)
    with pytest.raises(CartParked):
        basket.add_line(uuid.uuid4(), HEART, 1)
    with pytest.raises(CartParked):
        basket.checkout(
            sale_id=uuid.uuid4(), receipt_number="T1-1", business_time=NOW,
            business_day=date(2010, 12, 1), tenders=[TenderRequest("cash", gbp("10"))],
        )  # fmt: skip
    basket.recall("T2")
    assert (basket.status, basket.till_id, basket.parked) == ("open", "T2", None)
    basket.add_line(uuid.uuid4(), HEART, 1)
    assert basket.total() == gbp("7.65")
    with pytest.raises(CartClosed):
        basket.recall("T3")  # open, not parked


def test_a_line_discount_is_off_the_total_kept_apart_and_the_tax_is_on_what_is_paid() -> None:
    basket = cart((HEART, 4))  # 10.20, VAT 1.70
    line = basket.lines[0]
    changed, amount = discount_line(line, Discount.percent("10"), "loyal customer", "GBP")
    assert amount == gbp("1.02")
    assert changed.total("GBP") == gbp("9.18")
    assert (changed.manual_discount_minor, changed.terms.discount_minor) == (102, 102)
    assert changed.discount_reason == "loyal customer"
    assert changed.terms.tax_minor == included_tax(gbp("9.18")) == 153


def test_a_line_discount_replaces_the_one_before_and_adds_to_the_promotion() -> None:
    basket = cart((MUG, 2))  # 20.00 less 50 % = 10.00
    line = basket.lines[0]
    once, _ = discount_line(line, Discount.amount("3.00"), "scratched", "GBP")
    twice, amount = discount_line(once, Discount.amount("1.00"), "scratched", "GBP")
    assert amount == gbp("1.00")
    assert twice.total("GBP") == gbp("9.00")
    assert (twice.manual_discount_minor, twice.terms.discount_minor) == (100, 1100)
    assert twice.terms.promotion_id == "P1"


def test_a_line_discount_above_the_line_or_without_a_reason_is_refused() -> None:
    line = cart((HEART, 1)).lines[0]
    with pytest.raises(DiscountExceedsLine):
        discount_line(line, Discount.amount("2.56"), "why not", "GBP")
    with pytest.raises(InvalidDiscountReason):
        discount_line(line, Discount.amount("1.00"), "  ", "GBP")


def test_a_cart_discount_is_spread_over_the_lines_and_sums_to_the_discount() -> None:
    basket = cart((HEART, 1), (LANTERN, 1), (HEART, 2))  # 2.55 + 3.39 + 5.10 = 11.04
    spread = discount_cart(basket.lines, Discount.amount("1.00"), "staff", "GBP")
    assert sum(share.minor for _, share in spread) == 100
    assert [share.minor for _, share in spread] == [23, 31, 46]
    for line, share in spread:
        assert line.manual_discount_minor == share.minor
        assert line.terms.tax_minor == included_tax(line.total("GBP"))


def test_a_cart_discount_skips_voided_lines_and_lines_of_units_given_back() -> None:
    basket = cart((HEART, 2), (LANTERN, 1), (HEART, -1))
    basket.void_line(basket.lines[1].line_id)
    spread = discount_cart(basket.lines, Discount.percent("100"), "free", "GBP")
    assert [(line.position, share) for line, share in spread] == [(1, gbp("5.10"))]


def test_a_cart_discount_above_the_cart_is_refused() -> None:
    basket = cart((HEART, 1))
    with pytest.raises(DiscountExceedsCart):
        discount_cart(basket.lines, Discount.amount("2.56"), "too much", "GBP")


def test_a_new_quantity_prices_the_line_again_and_drops_its_manual_discount() -> None:
    line = cart((MUG, 2)).lines[0]
    discounted, _ = discount_line(line, Discount.amount("1.00"), "dent", "GBP")
    three = change_quantity(discounted, MUG, 3, "GBP")
    assert three.total("GBP") == gbp("15.00")  # 30.00 less the promotion's 50 %
    assert (three.manual_discount_minor, three.discount_reason) == (0, None)
    assert three.terms.tax_minor == 250
    assert (three.line_id, three.position) == (line.line_id, line.position)


def test_a_new_quantity_keeps_the_lines_price_and_an_override_with_its_reason() -> None:
    line = cart((HEART, 1)).lines[0]
    dearer = PricedItem("85123A", "WHITE HANGING HEART", Decimal("2.99"), 4, tax=VAT)
    assert change_quantity(line, dearer, 2, "GBP").unit_price == Decimal("2.55")
    overridden = override_price(line, MUG, Decimal("2.00"), "damaged", None, "GBP")
    two = change_quantity(overridden, MUG, 2, "GBP")
    assert (two.price_source, two.price_reason, two.total("GBP")) == (
        "override", "damaged", gbp("4.00"),
    )  # fmt: skip
    assert two.terms.promotion_id is None


def test_a_price_override_needs_a_known_reason_and_a_note_for_other() -> None:
    line = cart((MUG, 1)).lines[0]
    with pytest.raises(InvalidPriceReason):
        override_price(line, MUG, Decimal("8.00"), "because", None, "GBP")
    with pytest.raises(InvalidPriceReason):
        override_price(line, MUG, Decimal("8.00"), "other", " ", "GBP")
    changed = override_price(line, MUG, Decimal("8.00"), "other", "customer's coupon", "GBP")
    assert (changed.price_source, changed.price_reason, changed.price_note) == (
        "override", "other", "customer's coupon",
    )  # fmt: skip
    assert changed.total("GBP") == gbp("8.00")  # no promotion on an overridden price
    assert changed.terms.tax_minor == 133


def test_a_voided_line_takes_no_change() -> None:
    basket = cart((HEART, 1))
    basket.void_line(basket.lines[0].line_id)
    line = basket.lines[0]
    with pytest.raises(LineVoided):
        discount_line(line, Discount.amount("1.00"), "x", "GBP")
    with pytest.raises(LineVoided):
        change_quantity(line, HEART, 2, "GBP")


def test_the_sale_carries_the_manual_discount_and_the_price_reason() -> None:
    basket = cart((HEART, 2), (MUG, 1))
    discounted, _ = discount_line(basket.lines[0], Discount.amount("0.10"), "dent", "GBP")
    overridden = override_price(basket.lines[1], MUG, Decimal("4.00"), "price_match", None, "GBP")
    basket.lines = [discounted, overridden]
    sale = basket.checkout(
        sale_id=uuid.uuid4(), receipt_number="T1-1", business_time=NOW,
        business_day=date(2010, 12, 1), tenders=[TenderRequest("cash", gbp("9.00"))],
    )  # fmt: skip
    assert sale.total == gbp("9.00")
    first, second = sale.lines
    assert (first.manual_discount_minor, first.discount_reason, first.terms.discount_minor) == (
        10, "dent", 10,
    )  # fmt: skip
    assert (second.price_source, second.price_reason) == ("override", "price_match")


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2)


@st.composite
def carts_and_discounts(draw: st.DrawFn) -> tuple[list[CartLine], Discount]:
    basket = Cart(cart_id=uuid.uuid4(), till_id="T1", currency="GBP", opened_at=NOW)
    for position in range(draw(st.integers(1, 8))):
        item = PricedItem(f"S{position}", None, draw(prices), 1, tax=VAT)
        basket.add_line(uuid.uuid4(), item, draw(st.integers(-3, 20).filter(bool)))
    total = sum(max(line.total("GBP").minor, 0) for line in basket.lines)
    if draw(st.booleans()):
        discount = Discount.percent(draw(st.decimals(Decimal("0.01"), Decimal(100), places=2)))
    else:
        cents = draw(st.integers(1, max(total, 1)))
        discount = Discount.amount(Money.from_minor(cents, "GBP").amount)
    return basket.lines, discount


@given(carts_and_discounts())
def test_a_cart_discount_never_takes_a_line_below_zero_and_sums_exactly(
    case: tuple[list[CartLine], Discount],
) -> None:
    lines, discount = case
    eligible = [line for line in lines if line.total("GBP").minor > 0]
    if not eligible:
        return
    before = Money.sum((line.total("GBP") for line in eligible), "GBP")
    spread = discount_cart(lines, discount, "test", "GBP")
    after = {line.line_id: line for line, _ in spread}
    taken = sum(share.minor for _, share in spread)
    assert taken == discount.of(before).minor
    for line in eligible:
        changed = after.get(line.line_id, line)
        assert changed.total("GBP").minor >= 0
        assert changed.terms.tax_minor == included_tax(changed.total("GBP"))
    assert all(line.line_id in {e.line_id for e in eligible} for line, _ in spread)


def test_the_api_takes_exactly_the_price_reasons_of_the_domain() -> None:
    from typing import get_args

    from edge.api.schemas.till import PriceReason
    from edge.domain.cart_changes import PRICE_REASONS

    assert get_args(PriceReason) == PRICE_REASONS
