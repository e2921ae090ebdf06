"""The replay's tender mix: how each invoice of the file is paid, the same way every run."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from vectis.replay.dataset import (
    DatasetInvoice,
    DatasetLine,
    InvoiceKind,
    bundled_dataset,
    read_dataset,
    store_for,
)
from vectis.replay.tenders import (
    InvoicePlan,
    PlannedTender,
    TenderMix,
    card_number,
    gift_card_number,
    instead_in_cash,
    invoice_total,
    luhn_check_digit,
    plan_all,
    refused_kind,
    tender_body,
    tender_id,
)

LONDON = ZoneInfo("Europe/London")
START = datetime(2010, 12, 1, 9, 0, tzinfo=LONDON)


def invoice(
    number: str,
    customer: str | None,
    *lines: tuple[str, int, str],
    minutes: int = 0,
    kind: InvoiceKind = "sale",
) -> DatasetInvoice:
    moment = START + timedelta(minutes=minutes)
    return DatasetInvoice(
        invoice_no=number,
        kind=kind,
        business_time=moment,
        customer_id=customer,
        country="United Kingdom",
        lines=tuple(
            DatasetLine(
                row_number=minutes * 100 + position,
                invoice_no=number,
                stock_code=sku,
                description=None,
                quantity=quantity,
                invoice_time=moment,
                unit_price=Decimal(price),
                customer_id=customer,
                country="United Kingdom",
            )
            for position, (sku, quantity, price) in enumerate(lines, start=2)
        ),
    )


def paid(plan: InvoicePlan) -> Decimal:
    return sum((tender.amount for tender in plan.tenders), Decimal("0.00"))


def luhn_valid(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == number[-1]


@pytest.fixture(scope="module")
def real_plans() -> tuple[list[DatasetInvoice], dict[str, InvoicePlan]]:
    dataset = read_dataset(bundled_dataset())
    return dataset.invoices, plan_all(dataset.invoices)


def test_every_sale_of_the_real_data_is_paid_to_the_penny_and_returns_are_refunded_in_cash(
    real_plans: tuple[list[DatasetInvoice], dict[str, InvoicePlan]],
) -> None:
    invoices, plans = real_plans
    for document in invoices:
        plan = plans[document.invoice_no]
        total = invoice_total(document)
        if document.kind == "return" or total <= 0:
            assert plan.tenders == ()
        else:
            assert paid(plan) == total, document.invoice_no
            assert all(tender.amount > 0 for tender in plan.tenders)


def test_the_same_file_is_paid_the_same_way_on_every_run(
    real_plans: tuple[list[DatasetInvoice], dict[str, InvoicePlan]],
) -> None:
    invoices, plans = real_plans
    assert plan_all(invoices) == plans


def test_trade_customers_pay_by_their_own_card_and_walk_ins_by_cash_or_card(
    real_plans: tuple[list[DatasetInvoice], dict[str, InvoicePlan]],
) -> None:
    invoices, plans = real_plans
    cards_of: dict[str, set[str]] = {}
    walk_in: Counter[str] = Counter()
    for document in invoices:
        tenders = plans[document.invoice_no].tenders
        if not tenders:
            continue
        kinds = [tender.kind for tender in tenders]
        if document.customer_id is not None:
            assert "card" in kinds
            cards_of.setdefault(document.customer_id, set()).update(
                tender.card for tender in tenders if tender.card
            )
        elif kinds != ["card", "cash"]:
            walk_in[kinds[0]] += 1
    assert all(len(cards) == 1 for cards in cards_of.values())
    assert walk_in["cash"] > 10 and walk_in["card"] > 10


def test_one_sale_in_about_ten_is_split_between_card_and_whole_pounds_of_cash(
    real_plans: tuple[list[DatasetInvoice], dict[str, InvoicePlan]],
) -> None:
    invoices, plans = real_plans
    paid_sales = [plans[document.invoice_no] for document in invoices]
    paid_sales = [plan for plan in paid_sales if plan.tenders]
    splits = [plan for plan in paid_sales if [t.kind for t in plan.tenders] == ["card", "cash"]]
    assert 0.07 < len(splits) / len(paid_sales) < 0.13
    for plan in splits:
        card, cash = plan.tenders
        assert cash.amount == cash.amount.to_integral_value() and cash.amount >= 1
        assert card.amount > 0


def test_cards_are_valid_numbers_the_simulator_never_declines_by_number() -> None:
    numbers = {card_number(str(key)) for key in range(2000)}
    assert len(numbers) == 2000
    for number in numbers:
        assert len(number) == 16 and number[0] in "45" and luhn_valid(number)
        assert not number.startswith("40000000")
    assert {number[0] for number in numbers} == {"4", "5"}


DAY = 24 * 60


def test_a_gift_card_sold_is_numbered_and_its_holders_next_days_sale_redeems_half() -> None:
    bought = invoice("540001", "12345", ("gift_0001_20", 2, "16.67"), ("22423", 1, "12.75"))
    same_day = invoice("540002", "12345", ("85123A", 10, "2.55"), minutes=30)
    next_day = invoice("540003", "12345", ("85123A", 10, "2.55"), minutes=DAY)
    later = invoice("540004", "12345", ("85123A", 10, "2.55"), minutes=2 * DAY)
    stranger = invoice("540005", "99999", ("85123A", 10, "2.55"), minutes=DAY + 5)
    plans = plan_all([bought, same_day, next_day, stranger, later])

    # Two cards of 16.67 (a till loads one card a line), each with its own number.
    ((number, second),) = plans["540001"].gift_cards.values()
    assert number == gift_card_number("540001", bought.lines[0].row_number)
    assert second == gift_card_number("540001", bought.lines[0].row_number, 1) != number
    assert len(number) == 16 and number.isdigit()
    assert [tender.kind for tender in plans["540001"].tenders][0] == "card"

    redeeming = plans["540003"].tenders
    assert redeeming[0].kind == "gift_card" and redeeming[0].account == number
    assert redeeming[0].amount == Decimal("8.33")  # half of the first card's 16.67
    assert paid(plans["540003"]) == Decimal("25.50")
    # The holder's next sale on a later day redeems the second card; the same day or not
    # theirs: none.
    assert plans["540004"].tenders[0].account == second
    for other in ("540002", "540005"):
        assert all(tender.kind != "gift_card" for tender in plans[other].tenders)


def test_a_walk_ins_gift_card_is_redeemed_by_a_walk_in_at_the_same_store_on_a_later_day() -> None:
    gift = invoice("541003", None, ("gift_0001_10", 1, "10.00"))
    later = [
        invoice(f"5420{n:02d}", None, ("22423", 1, "12.75"), minutes=DAY + n) for n in range(20)
    ]
    plans = plan_all([gift, *later], stores=3)
    assert plans["541003"].gift_cards  # numbered, so the till can load it
    redeemed = [
        document
        for document in later
        if any(t.kind == "gift_card" for t in plans[document.invoice_no].tenders)
    ]
    (first,) = redeemed
    assert store_for(first, 3) == store_for(gift, 3)
    assert all(
        store_for(document, 3) != store_for(gift, 3) for document in later[: later.index(first)]
    )
    (tender,) = [t for t in plans[first.invoice_no].tenders if t.kind == "gift_card"]
    assert tender.amount == Decimal("5.00")


def test_a_redemption_never_exceeds_the_sale() -> None:
    mix = TenderMix()
    mix.plan(invoice("541001", "777", ("gift_0001_50", 4, "50.00")))
    small = mix.plan(invoice("541002", "777", ("22423", 1, "12.75"), minutes=DAY))
    assert [(t.kind, t.amount) for t in small.tenders] == [("gift_card", Decimal("12.75"))]


def test_a_cancelled_gift_card_line_loads_no_card() -> None:
    plan = TenderMix().plan(invoice("C541005", "777", ("gift_0001_10", -1, "10.00"), kind="return"))
    assert plan == InvoicePlan((), {})


def test_tender_ids_differ_between_invoices_and_places(
    real_plans: tuple[list[DatasetInvoice], dict[str, InvoicePlan]],
) -> None:
    _, plans = real_plans
    ids = [tender.tender_id for plan in plans.values() for tender in plan.tenders]
    assert len(ids) == len(set(ids))


def gift_then_card_then_cash() -> tuple[PlannedTender, ...]:
    return (
        PlannedTender("gift_card", Decimal("10.00"), tender_id("9", 1), account="6000000000000001"),
        PlannedTender("card", Decimal("20.50"), tender_id("9", 2), card=card_number("9")),
        PlannedTender("cash", Decimal("7.00"), tender_id("9", 3)),
    )


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("card_declined", "card"),
        ("offline_limit_reached", "card"),
        ("balance_too_low", "gift_card"),
        ("unknown_account", "gift_card"),
        ("insufficient_tender", None),
        ("cart_not_open", None),
    ],
)
def test_the_cashier_knows_which_tender_a_refusal_is_about(code: str, kind: str | None) -> None:
    assert refused_kind(code, gift_then_card_then_cash()) == kind


def test_above_the_offline_cap_without_a_card_the_gift_card_is_paid_in_cash() -> None:
    tenders = instead_in_cash("9", gift_then_card_then_cash(), "card")
    assert refused_kind("offline_limit_reached", tenders) == "gift_card"
    assert refused_kind("card_declined", tenders) is None


def test_a_refused_card_is_paid_in_cash_with_the_rest_of_the_cash_and_nothing_else_changes() -> (
    None
):
    planned = gift_then_card_then_cash()
    tenders = instead_in_cash("9", planned, "card")
    assert tenders[0] == planned[0]
    assert [(t.kind, t.amount) for t in tenders] == [
        ("gift_card", Decimal("10.00")),
        ("cash", Decimal("27.50")),
    ]
    assert tender_body(tenders[1]) == {"kind": "cash", "amount": "30"}
    assert tender_body(planned[1]) == {
        "kind": "card",
        "amount": "20.50",
        "tender_id": str(tender_id("9", 2)),
        "card": card_number("9"),
    }
    assert tender_body(planned[0])["account"] == "6000000000000001"
