"""The till's rules: lines, voids, tenders and change, returns against receipts."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from edge.domain.cart import Cart, CartHead, PricedItem, TenderRequest, settle_tenders
from edge.domain.documents import ReturnRecorded, Sale
from edge.domain.returns import ReturnItem, make_return
from edge.errors import (
    CartClosed,
    EmptyCart,
    InsufficientTender,
    InvalidPrice,
    InvalidQuantity,
    InvalidReturn,
    NegativeTotal,
    ReturnExceedsSale,
)
from shared.money import Money

NOW = datetime(2010, 12, 1, 9, 0, tzinfo=UTC)
HEART = PricedItem("85123A", "WHITE HANGING HEART", Decimal("2.55"), 3)
LANTERN = PricedItem("71053", "WHITE METAL LANTERN", Decimal("3.39"), 1)


def gbp(text: str) -> Money:
    return Money.of(text, "GBP")


def cart() -> Cart:
    return Cart(cart_id=uuid.uuid4(), till_id="T1", currency="GBP", opened_at=NOW)


def checkout(basket: Cart, *tendered: str) -> Sale:
    return basket.checkout(
        sale_id=uuid.uuid4(),
        receipt_number="T1-0000001",
        business_time=NOW,
        business_day=date(2010, 12, 1),
        tenders=[TenderRequest("cash", gbp(amount)) for amount in tendered],
    )


def test_cash_beyond_the_total_is_change() -> None:
    basket = cart()
    basket.add_line(uuid.uuid4(), HEART, 6)
    basket.add_line(uuid.uuid4(), LANTERN, 6)
    sale = checkout(basket, "20.00", "20.00")
    assert sale.total == gbp("35.64")
    assert [tender.change for tender in sale.tenders] == [gbp("0"), gbp("4.36")]
    assert basket.status == "checked_out"
    assert basket.sale_id == sale.sale_id


def test_a_price_override_is_charged_and_recorded_with_the_catalogue_version() -> None:
    basket = cart()
    line = basket.add_line(uuid.uuid4(), HEART, 32, Decimal("2.10"))
    assert line.total("GBP") == gbp("67.20")
    assert (line.price_source, line.price_version) == ("override", 3)
    same = basket.add_line(uuid.uuid4(), HEART, 1, Decimal("2.55"))
    assert same.price_source == "catalogue"


def test_voided_lines_stay_on_record_but_are_not_charged() -> None:
    basket = cart()
    keep = basket.add_line(uuid.uuid4(), HEART, 1)
    drop = basket.add_line(uuid.uuid4(), LANTERN, 1)
    basket.void_line(drop.line_id)
    assert basket.total() == gbp("2.55")
    sale = checkout(basket, "2.55")
    assert [line.sku for line in sale.lines] == [keep.sku]


@pytest.mark.parametrize("quantity", [0, 1_000_001, -1_000_001])
def test_zero_and_absurd_quantities_are_refused(quantity: int) -> None:
    with pytest.raises(InvalidQuantity):
        cart().add_line(uuid.uuid4(), HEART, quantity)


def test_negative_price_override_is_refused() -> None:
    with pytest.raises(InvalidPrice):
        cart().add_line(uuid.uuid4(), HEART, 1, Decimal("-1"))


def test_checkout_needs_lines_and_enough_money_and_a_non_negative_total() -> None:
    with pytest.raises(EmptyCart):
        checkout(cart())
    short = cart()
    short.add_line(uuid.uuid4(), HEART, 2)
    with pytest.raises(InsufficientTender):
        checkout(short, "5.00")
    negative = cart()
    negative.add_line(uuid.uuid4(), HEART, -2)
    with pytest.raises(NegativeTotal):
        checkout(negative)


def test_a_zero_total_sale_needs_no_tender() -> None:
    # The data's stock corrections: a negative quantity at price 0, sold as a sale line.
    basket = cart()
    basket.add_line(uuid.uuid4(), PricedItem("21777", None, Decimal("0"), 1), -10)
    sale = checkout(basket)
    assert sale.total == gbp("0") and sale.tenders == ()


def test_a_closed_cart_takes_nothing_more() -> None:
    basket = cart()
    basket.add_line(uuid.uuid4(), HEART, 1)
    checkout(basket, "5")
    with pytest.raises(CartClosed):
        basket.add_line(uuid.uuid4(), HEART, 1)
    with pytest.raises(CartClosed):
        checkout(basket, "5")


def test_scanning_onto_a_cart_head_keeps_count_and_total() -> None:
    head = CartHead(
        uuid.uuid4(), "T1", "GBP", "open", line_count=2, active_count=1, total=gbp("1.00")
    )
    line = head.scan(uuid.uuid4(), HEART, 2)
    assert (line.position, head.line_count, head.active_count, head.total) == (3, 3, 2, gbp("6.10"))


def test_tenders_are_applied_in_order() -> None:
    settled = settle_tenders(
        gbp("7.50"), [TenderRequest("cash", gbp("5")), TenderRequest("cash", gbp("5"))]
    )
    assert [(t.amount, t.change) for t in settled] == [
        (gbp("5"), gbp("0")),
        (gbp("2.50"), gbp("2.50")),
    ]


def test_a_receipt_cannot_be_refunded_twice_over() -> None:
    basket = cart()
    basket.add_line(uuid.uuid4(), HEART, 6)
    sale = checkout(basket, "20")

    def back(quantity: int, already: dict[int, int]) -> ReturnRecorded:
        return make_return(
            return_id=uuid.uuid4(),
            receipt_number="T1-0000002",
            till_id="T1",
            business_time=NOW,
            business_day=date(2010, 12, 1),
            currency="GBP",
            reason="damaged",
            items=[ReturnItem("85123A", quantity, original_line_no=1)],
            original=sale,
            already_returned=already,
        )

    event = back(4, {})
    assert event.sales_return.total == gbp("10.20")
    with pytest.raises(ReturnExceedsSale):
        back(3, {1: 4})
    with pytest.raises(InvalidReturn):
        make_return(
            return_id=uuid.uuid4(),
            receipt_number="x",
            till_id="T1",
            business_time=NOW,
            business_day=date(2010, 12, 1),
            currency="GBP",
            reason=" ",
            items=[ReturnItem("85123A", 1, Decimal("2.55"))],
            original=None,
            already_returned={},
        )


def test_units_returned_one_at_a_time_refund_exactly_what_the_line_cost() -> None:
    basket = cart()
    basket.add_line(uuid.uuid4(), PricedItem("TINY", None, Decimal("0.335"), 1), 3)
    sale = checkout(basket, "5")
    assert sale.total == gbp("1.01")  # 1.005 rounds half up
    refunds = []
    for already in range(3):
        event = make_return(
            return_id=uuid.uuid4(),
            receipt_number=f"T1-000001{already}",
            till_id="T1",
            business_time=NOW,
            business_day=date(2010, 12, 1),
            currency="GBP",
            reason="changed mind",
            items=[ReturnItem("TINY", 1, original_line_no=1)],
            original=sale,
            already_returned={1: already} if already else {},
        )
        refunds.append(event.sales_return.total)
    # Not 3 x 0.34 = 1.02: the shares add up to what was paid.
    assert refunds == [gbp("0.34"), gbp("0.33"), gbp("0.34")]
