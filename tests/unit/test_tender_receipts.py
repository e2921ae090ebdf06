"""What paper says of tenders beyond cash: a card by brand and last 4 (stored offline while it
waits), a gift card masked, store credit by customer, and each kind's total on the X report."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from edge.domain.cash_count import CashCount
from edge.domain.documents import CardDetails, Sale, SaleLine, Tender
from edge.domain.shifts import SaleRecord, open_shift, record_sale, x_report
from edge.receipts.document import ShiftReport, Store
from edge.receipts.text import render_text
from edge.service.receipts import sale_receipt, tender_details
from shared.money import Money

AT = datetime(2026, 7, 3, 10, 0, tzinfo=UTC)
STORE = Store(header_lines=("Vectis",), footer_lines=(), currency="GBP", time_zone="UTC")


def gbp(text: str) -> Money:
    return Money.of(text, "GBP")


def tender(number: int, kind: str, amount: str, **extra: object) -> Tender:
    return Tender(number, kind, gbp(amount), gbp(amount), gbp("0"), **extra)  # type: ignore[arg-type]


def test_a_split_sale_receipt_names_each_tender_and_never_a_whole_number() -> None:
    sale = Sale(
        sale_id=uuid.uuid4(),
        receipt_number="T1-0000001",
        cart_id=None,
        till_id="T1",
        business_time=AT,
        business_day=date(2026, 7, 3),
        currency="GBP",
        customer_id=None,
        external_reference=None,
        lines=(SaleLine(1, "C", "Lantern", 3, Decimal("10.00"), gbp("30.00"), 1, "catalogue"),),
        tenders=(
            tender(1, "card", "12.00", card=CardDetails("stored", None, "mastercard", "4444")),
            tender(2, "gift_card", "8.00", account="6006001234567890"),
            tender(3, "store_credit", "5.00", account="C-100"),
            Tender(4, "cash", gbp("5.00"), gbp("10.00"), gbp("5.00")),
        ),
        total=gbp("30.00"),
    )
    text = render_text(sale_receipt(sale, STORE), 32)
    lines = [line.strip() for line in text.splitlines()]
    card_at = next(i for i, line in enumerate(lines) if line.startswith("Card "))
    assert lines[card_at + 1 : card_at + 3] == ["MASTERCARD ****4444", "stored offline"]
    assert "Card ****7890" in lines and "Customer C-100" in lines
    assert "6006001234567890" not in text
    assert max(len(line) for line in text.splitlines()) <= 32


def test_a_captured_card_prints_no_offline_mark_and_cash_prints_nothing_more() -> None:
    captured = tender(1, "card", "1.00", card=CardDetails("captured", "pay_1", "visa", "1111"))
    assert tender_details(captured) == ("VISA ****1111",)
    assert tender_details(tender(2, "cash", "1.00")) == ()


def test_the_x_report_totals_each_tender_kind_net_of_refunds() -> None:
    shift = open_shift(
        None, shift_id="s1", till_id="T1", staff_code="1001", at=AT,
        opening_float=CashCount.of("GBP", {}),
    )  # fmt: skip
    sale = SaleRecord(
        "T1-1", AT, gbp("30.00"),
        (("card", gbp("12.00")), ("gift_card", gbp("8.00")), ("store_credit", gbp("5.00")),
         ("cash", gbp("10.00"))),
        gbp("5.00"),
    )  # fmt: skip
    refund = SaleRecord(
        "T1-2", AT, gbp("-10.00"),
        (("card", gbp("-4.00")), ("gift_card", gbp("-2.67")), ("store_credit", gbp("-1.66")),
         ("cash", gbp("-1.67"))),
        gbp("0"),
    )  # fmt: skip
    shift = record_sale(record_sale(shift, sale), refund)
    report = x_report(shift, AT)
    assert dict(report.totals.tenders) == {
        "card": gbp("8.00"),
        "cash": gbp("8.33"),
        "gift_card": gbp("5.33"),
        "store_credit": gbp("3.34"),
    }
    text = render_text(ShiftReport.from_shift(report, store=STORE, business_day=AT.date()))
    for label in ("Card", "Gift card", "Store credit", "Cash"):
        assert any(line.startswith(label + " ") for line in text.splitlines()), text
