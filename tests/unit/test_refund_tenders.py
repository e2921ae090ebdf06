"""Refunds to the original tender: each tender of a sale paid back in proportion, never beyond
what it paid, a return without a receipt in cash or store credit."""

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.domain.cart import TenderRequest, settle_tenders
from edge.domain.documents import (
    CardDetails,
    Return,
    ReturnRecorded,
    Sale,
    SaleCompleted,
    SaleLine,
    Tender,
    TenderKind,
)
from edge.domain.refund_tenders import (
    RefundChoice,
    RefundPart,
    plan_refund,
    refund_tender_id,
    refund_tenders,
    refunded_by_tender,
    with_choice,
)
from edge.domain.returns import ReturnItem, make_return
from edge.payments.errors import RefundTenderRefused
from edge.wire import encode
from shared.money import Money

NOW = datetime(2010, 12, 1, 9, 0, tzinfo=UTC)
DAY = date(2010, 12, 1)


def gbp(text: str) -> Money:
    return Money.of(text, "GBP")


def minor(amount: int) -> Money:
    return Money.from_minor(amount, "GBP")


VISA = CardDetails(status="captured", transaction_id="pay_1", brand="visa", last4="1111")


def tenders(*parts: tuple[TenderKind, str], due: str) -> tuple[Tender, ...]:
    """A sale's tenders as the till settles them, with the accounts and card a real one has."""
    requests = [
        TenderRequest(
            kind,
            gbp(amount),
            tender_id=uuid.uuid4() if kind != "cash" else None,
            account={"gift_card": "6006001234567890", "store_credit": "C-100"}.get(kind),
            card_details=VISA if kind == "card" else None,
        )
        for kind, amount in parts
    ]
    return settle_tenders(gbp(due), requests)


def sale_of(lines: list[tuple[int, int]], paid: tuple[Tender, ...]) -> Sale:
    """A sale of `lines` (quantity, line total in minor units) paid by `paid`."""
    total = minor(sum(total for _, total in lines))
    return Sale(
        sale_id=uuid.uuid4(),
        receipt_number="T1-0000001",
        cart_id=None,
        till_id="T1",
        business_time=NOW,
        business_day=DAY,
        currency="GBP",
        customer_id="C-100",
        external_reference=None,
        lines=tuple(
            SaleLine(
                line_no=number,
                sku=f"SKU{number}",
                description=None,
                quantity=quantity,
                unit_price=Decimal(total) / 100 / quantity,
                line_total=minor(total),
                price_version=1,
                price_source="catalogue",
            )
            for number, (quantity, total) in enumerate(lines, start=1)
        ),
        tenders=paid,
        total=total,
    )


def return_of(
    sale: Sale,
    items: list[tuple[int, int]],
    earlier: list[Return],
    *,
    return_id: uuid.UUID | None = None,
    refund: RefundChoice | None = None,
) -> Return:
    """A receipted return of `items` (line number, units) after the `earlier` returns."""
    returned: dict[int, int] = {}
    for made in earlier:
        for line in made.lines:
            assert line.original_line_no is not None
            returned[line.original_line_no] = returned.get(line.original_line_no, 0) + int(
                line.quantity
            )
    return make_return(
        return_id=return_id or uuid.uuid4(),
        receipt_number="T1-0000002",
        till_id="T1",
        business_time=NOW,
        business_day=DAY,
        currency="GBP",
        reason="changed mind",
        items=[ReturnItem(f"SKU{line}", units, original_line_no=line) for line, units in items],
        original=sale,
        already_returned=returned,
        refund=refund,
        refunded_so_far=refunded_by_tender(sale.tenders, earlier),
    ).sales_return


def test_a_split_sale_is_refunded_to_each_tender_in_proportion() -> None:
    # 60.00 by card, 30.00 from a gift card, 10.00 in cash (20.00 handed over, 10.00 change).
    paid = tenders(("card", "60.00"), ("gift_card", "30.00"), ("cash", "20.00"), due="100.00")
    parts = plan_refund(paid, {}, gbp("25.00"))
    assert [(p.original_tender_no, p.kind, p.amount) for p in parts] == [
        (1, "card", gbp("15.00")),
        (2, "gift_card", gbp("7.50")),
        (3, "cash", gbp("2.50")),
    ]
    assert parts[0].transaction_id == "pay_1"
    assert parts[1].account == "6006001234567890"


def test_cash_is_refunded_net_of_the_change_it_gave() -> None:
    # 50.00 cash handed over for a 10.00 sale paid 5.00 by card: the cash paid 5.00, not 50.
    paid = tenders(("card", "5.00"), ("cash", "50.00"), due="10.00")
    parts = plan_refund(paid, {}, gbp("10.00"))
    assert [(p.kind, p.amount) for p in parts] == [("card", gbp("5.00")), ("cash", gbp("5.00"))]


def test_the_odd_penny_goes_by_the_largest_remainder_and_the_last_return_squares_up() -> None:
    paid = tenders(("card", "0.02"), ("store_credit", "0.01"), due="0.03")
    sale = sale_of([(3, 3)], paid)
    first = return_of(sale, [(1, 1)], [])
    second = return_of(sale, [(1, 1)], [first])
    third = return_of(sale, [(1, 1)], [first, second])
    refunded = [[(t.kind, t.amount.minor) for t in r.refunds] for r in (first, second, third)]
    # 1 of 3 pennies: card's exact share 0.67, credit's 0.33: the card's penny.
    assert refunded == [[("card", 1)], [("card", 1)], [("store_credit", 1)]]


def test_a_tender_refunded_in_full_takes_no_more() -> None:
    paid = tenders(("card", "6.00"), ("cash", "4.00"), due="10.00")
    with pytest.raises(RefundTenderRefused):
        plan_refund(paid, {1: gbp("6.00"), 2: gbp("3.00")}, gbp("1.01"))
    parts = plan_refund(paid, {1: gbp("6.00"), 2: gbp("3.00")}, gbp("1.00"))
    assert [(p.kind, p.amount) for p in parts] == [("cash", gbp("1.00"))]


def test_refund_tenders_name_their_tender_and_have_ids_derived_from_the_return() -> None:
    return_id = uuid.uuid4()
    parts = [
        RefundPart(1, "card", gbp("3.00"), transaction_id="pay_1", brand="visa", last4="1111"),
        RefundPart(2, "cash", gbp("1.00")),
    ]
    card, cash = refund_tenders(return_id, parts)
    assert card.tender_id == uuid.uuid5(return_id, "refund:1") == refund_tender_id(return_id, 1)
    assert card.card == CardDetails("stored", "pay_1", "visa", "1111")
    assert (card.original_tender_no, cash.original_tender_no) == (1, 2)
    assert cash.tender_id == uuid.uuid5(return_id, "refund:2")
    assert cash.change.is_zero() and cash.tendered == cash.amount


def test_a_refund_all_in_cash_is_recorded_as_cash_refunds_always_were() -> None:
    paid = tenders(("cash", "10.00"), due="10.00")
    sale = sale_of([(2, 1000)], paid)
    made = return_of(sale, [(1, 1)], [])
    (refund,) = made.refunds
    assert (refund.kind, refund.amount, refund.tender_id, refund.original_tender_no) == (
        "cash",
        gbp("5.00"),
        None,
        None,
    )
    # ... and still counts against the sale's cash tender.
    assert refunded_by_tender(sale.tenders, [made]) == {1: gbp("5.00")}


def test_store_credit_on_a_receipted_return_takes_only_the_cash_part() -> None:
    paid = tenders(("card", "6.00"), ("cash", "4.00"), due="10.00")
    sale = sale_of([(1, 1000)], paid)
    made = return_of(sale, [(1, 1)], [], refund=RefundChoice("store_credit"))
    assert [(t.kind, t.amount, t.account, t.original_tender_no) for t in made.refunds] == [
        ("card", gbp("6.00"), None, 1),
        ("store_credit", gbp("4.00"), "C-100", 2),
    ]


def test_store_credit_is_asked_a_customer_only_for_a_cash_part() -> None:
    by_card = plan_refund(tenders(("card", "10.00"), due="10.00"), {}, gbp("4.00"))
    assert with_choice(by_card, RefundChoice("store_credit"), None) == by_card
    by_cash = plan_refund(tenders(("cash", "10.00"), due="10.00"), {}, gbp("4.00"))
    with pytest.raises(RefundTenderRefused):
        with_choice(by_cash, RefundChoice("store_credit"), None)


def no_receipt(refund: RefundChoice | None, customer_id: str | None = None) -> Return:
    return make_return(
        return_id=uuid.uuid4(),
        receipt_number="T1-0000002",
        till_id="T1",
        business_time=NOW,
        business_day=DAY,
        currency="GBP",
        reason="faulty",
        items=[ReturnItem("X", 2, Decimal("2.50"))],
        original=None,
        already_returned={},
        refund=refund,
        customer_id=customer_id,
    ).sales_return


def test_a_return_without_a_receipt_refunds_cash_or_store_credit_to_a_customer() -> None:
    (cash,) = no_receipt(None).refunds
    assert (cash.kind, cash.amount) == ("cash", gbp("5.00"))
    (credit,) = no_receipt(RefundChoice("store_credit"), customer_id="C-7").refunds
    assert (credit.kind, credit.amount, credit.account) == ("store_credit", gbp("5.00"), "C-7")
    assert credit.tender_id is not None and credit.original_tender_no is None
    (other,) = no_receipt(RefundChoice("store_credit", "C-9"), customer_id="C-7").refunds
    assert other.account == "C-9"
    with pytest.raises(RefundTenderRefused):
        no_receipt(RefundChoice("store_credit"))


KINDS: list[TenderKind] = ["card", "gift_card", "store_credit", "on_account"]


@st.composite
def sales(draw: st.DrawFn) -> Sale:
    """A sale of 1-4 lines paid by a random mix: some of card, gift card, store credit, on
    account for exact amounts, the rest in cash (with change, or none at all)."""
    lines = draw(
        st.lists(st.tuples(st.integers(1, 6), st.integers(1, 50_000)), min_size=1, max_size=4)
    )
    total = sum(amount for _, amount in lines)
    kinds = draw(st.lists(st.sampled_from(KINDS), max_size=4))
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=len(kinds), max_size=len(kinds))))
    bounds = [0, *cuts, total]
    amounts = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
    parts: list[tuple[TenderKind, str]] = [
        (kind, str(minor(amount).amount))
        for kind, amount in zip(kinds, amounts, strict=False)
        if amount > 0
    ]
    cash, change = amounts[-1], draw(st.integers(0, 5_000))
    if cash + change > 0:  # cash of 0 with change: handed over and all given back
        parts.append(("cash", str(minor(cash + change).amount)))
    paid = tenders(*parts, due=str(minor(total).amount))
    return sale_of(lines, paid)


@settings(max_examples=300, deadline=None)
@given(sale=sales(), data=st.data())
def test_no_tender_is_ever_refunded_beyond_what_it_paid(sale: Sale, data: st.DataObject) -> None:
    """Random partial returns (and retries of them) until the receipt is returned in full:
    each return's refunds sum to its total, a retry refunds exactly what it did (same
    tenders, same ids), no tender is refunded beyond what it paid, and the whole receipt
    pays every tender back exactly."""
    left = {line.line_no: int(line.quantity) for line in sale.lines}
    made: list[Return] = []
    partial_returns = data.draw(st.integers(0, 4), label="partial returns")
    for round_no in range(partial_returns + 1):
        last = round_no == partial_returns  # the last return takes back all that is left
        items = []
        for line_no, units in left.items():
            take = units if last else data.draw(st.integers(0, units), label=f"line {line_no}")
            if take:
                items.append((line_no, take))
        if not items:
            continue
        return_id = uuid.uuid4()
        refund = data.draw(st.sampled_from([None, RefundChoice("store_credit", "C-1")]))
        done = return_of(sale, items, made, return_id=return_id, refund=refund)
        assert Money.sum((t.amount for t in done.refunds), "GBP") == done.total
        retried = return_of(sale, items, made, return_id=return_id, refund=refund)
        assert retried.refunds == done.refunds
        made.append(done)
        for line_no, units in items:
            left[line_no] -= units
        so_far = refunded_by_tender(sale.tenders, made)
        for tender in sale.tenders:
            assert so_far.get(tender.tender_no, minor(0)) <= tender.amount
        for refund_tender in done.refunds:
            if refund_tender.original_tender_no is not None:
                original = sale.tenders[refund_tender.original_tender_no - 1]
                assert refund_tender.kind in (original.kind, "store_credit")
    so_far = refunded_by_tender(sale.tenders, made)
    assert {t.tender_no: so_far.get(t.tender_no, minor(0)) for t in sale.tenders} == {
        t.tender_no: t.amount for t in sale.tenders
    }


def test_a_receipt_refunded_in_full_refunds_no_more() -> None:
    paid = tenders(("card", "5.00"), ("cash", "5.00"), due="10.00")
    sale = sale_of([(1, 1000)], paid)
    made = return_of(sale, [(1, 1)], [])
    with pytest.raises(RefundTenderRefused):
        plan_refund(sale.tenders, refunded_by_tender(sale.tenders, [made]), gbp("0.01"))
    # a legacy cash refund (no tender named) counts as split by the plan
    legacy = replace(made, refunds=(replace(made.refunds[1], original_tender_no=None),))
    assert refunded_by_tender(sale.tenders, [legacy]) == {1: gbp("5.00"), 2: gbp("5.00")}


def test_a_split_sale_and_its_return_travel_as_version_5_with_their_tenders() -> None:
    paid = tenders(("card", "6.00"), ("gift_card", "4.00"), due="10.00")
    sale = sale_of([(2, 1000)], paid)
    made = return_of(sale, [(1, 1)], [])
    sold, returned = encode(SaleCompleted(sale)), encode(ReturnRecorded(made))
    assert (sold.schema_version, returned.schema_version) == (5, 5)
    assert [(t["kind"], t["account"]) for t in sold.payload["tenders"]] == [
        ("card", None),
        ("gift_card", "6006001234567890"),
    ]
    assert [
        (t["kind"], t["amount"], t["original_tender_no"]) for t in returned.payload["refunds"]
    ] == [
        ("card", "3.00", 1),
        ("gift_card", "2.00", 2),
    ]
    assert returned.payload["refunds"][0]["card"]["transaction_id"] == "pay_1"
