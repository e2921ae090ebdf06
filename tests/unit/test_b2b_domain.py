"""B2B orders' rules: priced as the till prices a cart, paid exactly, handed over as approved."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edge.domain.b2b import check_payment, hand_over, price_order
from edge.domain.cart import PricedItem, TenderRequest, new_line, settle_tenders
from edge.domain.documents import B2BOrder, Sale, StoredB2BOrder, TenderKind, TenderPlan
from edge.domain.pricing import Promotion, TaxRate
from edge.domain.refund_tenders import RefundChoice
from edge.domain.returns import ReturnItem, make_return
from edge.errors import (
    InsufficientTender,
    InvalidB2BOrder,
    InvalidQuantity,
    InvalidTender,
    PaymentMismatch,
    UnknownSku,
)
from edge.payments.errors import RefundTenderRefused
from shared.money import Money

NOW = datetime(2010, 12, 1, 9, 0, tzinfo=UTC)
STANDARD = TaxRate("STD", Decimal(20), 1)
XMAS = Promotion("XMAS", 2, Decimal("12.5"), NOW)
HEART = PricedItem("85123A", "WHITE HANGING HEART", Decimal("2.55"), 3, STANDARD, XMAS)
LANTERN = PricedItem("71053", "WHITE METAL LANTERN", Decimal("3.39"), 1, STANDARD)
POSTAGE = PricedItem("POST", "POSTAGE", Decimal("18.00"), 4)


def gbp(text: str | int) -> Money:
    return Money.of(text, "GBP")


def placed(total: str, plan: list[tuple[TenderKind, str]]) -> StoredB2BOrder:
    """A placed order of one zero-rated line of `total`, paid as `plan`."""
    lines, priced_total = price_order([(PricedItem("X", None, Decimal(total), 1), 1)], "GBP")
    order = B2BOrder(
        order_id=uuid.uuid4(),
        till_id="T1",
        customer_id="TRADE-1",
        submitted_by="cashier-7",
        reference="PO-1",
        total=priced_total,
        lines=lines,
        business_time=NOW,
    )
    return StoredB2BOrder(
        order=order,
        status="placed",
        version=5,
        tenders=tuple(TenderPlan(kind, gbp(amount)) for kind, amount in plan),
        composed_by="cashier-7",
        cart_decided_by="hq",
        payment_decided_by="hq",
        payment_rejections=0,
        notes=None,
        order_number="SO-1",
        fulfilled_sale_id=None,
    )


def handed(stored: StoredB2BOrder, cash: str | None = None) -> Sale:
    return hand_over(
        stored,
        sale_id=uuid.uuid4(),
        receipt_number="T1-0000001",
        till_id="T1",
        business_time=NOW,
        business_day=date(2010, 12, 1),
        cash_tendered=gbp(cash) if cash is not None else None,
    )


@pytest.mark.parametrize(("item", "quantity"), [(HEART, 12), (LANTERN, 7), (POSTAGE, 1)])
def test_a_b2b_line_is_priced_as_the_same_line_of_a_till_cart(
    item: PricedItem, quantity: int
) -> None:
    (line,), total = price_order([(item, quantity)], "GBP")
    scanned = new_line(uuid.uuid4(), 1, item, quantity, "GBP")
    assert (line.unit_price, line.price_version, line.terms) == (
        scanned.unit_price,
        scanned.price_version,
        scanned.terms,
    )
    assert line.line_total == scanned.total("GBP") == total


@pytest.mark.parametrize(
    ("items", "error"),
    [
        ([], InvalidB2BOrder),
        ([(HEART, 0)], InvalidQuantity),
        ([(HEART, -1)], InvalidQuantity),
        ([(HEART, 1_000_001)], InvalidQuantity),
        ([(PricedItem("W", None, None, None), 1)], UnknownSku),
        ([(PricedItem("FREE", None, Decimal(0), 1), 3)], InvalidB2BOrder),
    ],
)
def test_a_b2b_cart_the_hub_would_refuse_is_refused_at_the_till(
    items: list[tuple[PricedItem, int]], error: type[Exception]
) -> None:
    with pytest.raises(error):
        price_order(items, "GBP")


@pytest.mark.parametrize(
    ("tenders", "error"),
    [
        ([], InvalidTender),
        ([("on_account", "50.00"), ("cash", "0")], InvalidTender),
        ([("on_account", "60.00"), ("cash", "-10.00")], InvalidTender),
        ([("on_account", "49.99")], PaymentMismatch),
        ([("on_account", "40.00"), ("cash", "10.01")], PaymentMismatch),
        ([("cash", "5.00")] * 11, InvalidTender),
    ],
)
def test_a_payment_must_be_positive_parts_making_exactly_the_total(
    tenders: list[tuple[TenderKind, str]], error: type[Exception]
) -> None:
    with pytest.raises(error):
        check_payment(gbp("50.00"), [TenderPlan(kind, gbp(amount)) for kind, amount in tenders])


def test_the_handover_charges_the_account_as_approved_and_gives_change_from_cash_only() -> None:
    stored = placed("63.49", [("cash", "10.00"), ("on_account", "50.00"), ("cash", "3.49")])
    sale = handed(stored, "20.00")
    tenders = [(t.kind, t.amount.amount, t.tendered.amount, t.change.amount) for t in sale.tenders]
    assert tenders == [
        ("cash", Decimal("10.00"), Decimal("10.00"), Decimal("0.00")),
        ("on_account", Decimal("50.00"), Decimal("50.00"), Decimal("0.00")),
        ("cash", Decimal("3.49"), Decimal("10.00"), Decimal("6.51")),
    ]
    assert sale.total == stored.order.total
    assert sale.b2b_order_id == stored.order.order_id
    assert sale.external_reference == "SO-1"


@pytest.mark.parametrize(
    ("plan", "cash", "error"),
    [
        ([("on_account", "50.00"), ("cash", "13.49")], "13.48", InsufficientTender),
        ([("on_account", "63.49")], "5.00", InvalidTender),
        ([("on_account", "60.00")], None, PaymentMismatch),
        ([], None, InvalidTender),
    ],
)
def test_a_handover_not_paid_as_approved_is_refused(
    plan: list[tuple[TenderKind, str]], cash: str | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        handed(placed("63.49", plan), cash)


def test_an_on_account_tender_never_gives_change_wherever_it_stands() -> None:
    due = gbp("100.00")
    for tenders in (
        [TenderRequest("cash", gbp("50")), TenderRequest("on_account", gbp("60"))],
        [TenderRequest("on_account", gbp("60")), TenderRequest("cash", gbp("50"))],
    ):
        settled = {tender.kind: tender for tender in settle_tenders(due, tenders)}
        assert settled["on_account"].change.is_zero()
        assert settled["on_account"].tendered == settled["on_account"].amount == gbp("60")
        assert (settled["cash"].amount, settled["cash"].change) == (gbp("40"), gbp("10"))
    with pytest.raises(InvalidTender):
        settle_tenders(due, [TenderRequest("on_account", gbp("100.01"))])


def test_a_refund_without_a_receipt_is_never_credited_to_an_account() -> None:
    with pytest.raises(RefundTenderRefused):
        make_return(
            return_id=uuid.uuid4(),
            receipt_number="T1-0000002",
            till_id="T1",
            business_time=NOW,
            business_day=date(2010, 12, 1),
            currency="GBP",
            reason="faulty",
            items=[ReturnItem("X", 1, Decimal("5.00"))],
            original=None,
            already_returned={},
            refund=RefundChoice(kind="on_account"),  # type: ignore[arg-type]
        )


@given(
    parts=st.lists(
        st.tuples(st.sampled_from(["cash", "on_account"]), st.integers(1, 100_000)),
        min_size=1,
        max_size=10,
    ),
    extra_minor=st.integers(0, 10_000),
)
def test_any_approved_payment_settles_the_total_with_change_only_from_cash(
    parts: list[tuple[TenderKind, int]], extra_minor: int
) -> None:
    total = sum(amount for _, amount in parts)
    stored = placed(
        str(Money.from_minor(total, "GBP").amount),
        [(kind, str(Money.from_minor(amount, "GBP").amount)) for kind, amount in parts],
    )
    cash_minor = sum(amount for kind, amount in parts if kind == "cash")
    extra = extra_minor if cash_minor else 0
    sale = handed(stored, str(Money.from_minor(cash_minor + extra, "GBP").amount))
    tenders = sale.tenders
    assert [tender.kind for tender in tenders] == [kind for kind, _ in parts]
    assert sum(tender.amount.minor for tender in tenders) == total
    assert sum(tender.change.minor for tender in tenders) == extra
    assert all(t.change.is_zero() and t.tendered == t.amount for t in tenders if t.kind != "cash")
    assert [tender.amount.minor for tender in tenders] == [amount for _, amount in parts]
