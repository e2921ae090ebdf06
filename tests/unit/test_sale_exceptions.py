"""Rules of the exception queue: what makes a recorded sale odd."""

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal

from hub.domain.ledger import LedgerDocument, LedgerLine, LedgerTender
from hub.domain.sale_exceptions import (
    CurrentPrice,
    line_arithmetic,
    oversold,
    price_drift,
    tender_problems,
    unknown_skus,
)

NOW = datetime(2010, 12, 1, 10, 0, tzinfo=UTC)


def document(
    lines: list[tuple[str, int, str, int, str]],
    tenders: list[tuple[int, int, int]] | None = None,
    kind: Literal["sale", "return"] = "sale",
) -> LedgerDocument:
    """Lines of (sku, quantity, unit price, price version, price source); tenders (amount, tendered, change) in pence."""
    ledger_lines = tuple(
        LedgerLine(
            number,
            sku,
            None,
            quantity,
            Decimal(price),
            int(Decimal(price) * quantity * 100),
            version,
            source,
        )
        for number, (sku, quantity, price, version, source) in enumerate(lines, start=1)
    )
    total = sum(line.line_total_minor for line in ledger_lines)
    settled = tenders if tenders is not None else [(total, total, 0)]
    return LedgerDocument(
        uuid.uuid4(),
        kind,
        "store-1",
        "n1",
        uuid.uuid4(),
        "T1-1",
        "T1",
        None,
        None,
        None,
        date(2010, 12, 1),
        NOW,
        "GBP",
        total,
        ledger_lines,
        tuple(
            LedgerTender(number, "cash", *amounts)
            for number, amounts in enumerate(settled, start=1)
        ),
    )


def test_a_sku_the_hub_does_not_know_is_an_exception() -> None:
    (found,) = unknown_skus(
        [document([("A", 1, "1.00", 1, "catalogue"), ("GHOST", 1, "1.00", 1, "catalogue")])], {"A"}
    )
    assert (found.kind, found.sku) == ("unknown_sku", "GHOST")


def test_only_the_sales_that_take_stock_below_zero_are_oversold() -> None:
    first = document([("A", 3, "1.00", 1, "catalogue")])
    second = document([("A", 4, "1.00", 1, "catalogue")])
    third = document([("A", 1, "1.00", 1, "catalogue")])
    found = oversold([first, second, third], {"A"}, {("store-1", "A"): 5})
    assert [item.document_id for item in found] == [second.document_id, third.document_id]
    assert "4 sold with 2 on hand; -2 now" in found[0].detail
    assert oversold([first], set(), {}) == []  # untracked items are never oversold


def test_an_old_catalogue_price_is_drift_but_an_override_is_not() -> None:
    stale = document([("A", 1, "1.00", 1, "catalogue")])
    overridden = document([("A", 1, "0.80", 1, "override")])
    current = {"A": CurrentPrice(Decimal("1.20"), 2)}
    (found,) = price_drift([stale, overridden], current)
    assert found.document_id == stale.document_id and "version 1 (1.00)" in found.detail
    assert price_drift([stale], {"A": CurrentPrice(Decimal("1.00"), 2)}) == []  # same price


def test_tenders_that_do_not_settle_the_sale_are_an_exception() -> None:
    good = document([("A", 2, "1.00", 1, "catalogue")], [(200, 500, 300)])
    short = document([("A", 2, "1.00", 1, "catalogue")], [(150, 150, 0)])
    wrong_change = document([("A", 2, "1.00", 1, "catalogue")], [(200, 500, 200)])
    found = tender_problems([good, short, wrong_change])
    assert [item.document_id for item in found] == [short.document_id, wrong_change.document_id]


def test_a_charge_to_a_trade_account_is_only_for_a_b2b_handover_and_gives_no_change() -> None:
    sale = document([("A", 2, "1.00", 1, "catalogue")])
    on_account = (LedgerTender(1, "on_account", 200, 200, 0),)
    handover = replace(sale, tenders=on_account, b2b_order_id=uuid.uuid4())
    stray = replace(sale, tenders=on_account)
    with_change = replace(handover, tenders=(LedgerTender(1, "on_account", 200, 300, 100),))
    found = tender_problems([handover, stray, with_change])
    assert [item.document_id for item in found] == [stray.document_id, with_change.document_id]
    assert "outside a B2B order's handover" in found[0].detail
    assert "gives change from an account" in found[1].detail


def test_a_line_total_is_checked_as_we_round_net_of_its_discount() -> None:
    # 3 x 0.335 = 1.005 rounds HALF_UP to 101 pence; -3 x 0.335 to -101 (a line given back).
    sale = document([("A", 3, "0.335", 1, "catalogue"), ("A", -3, "0.335", 1, "catalogue")])
    right = (
        sale.lines[0]._replace(line_total_minor=101),
        sale.lines[1]._replace(line_total_minor=-101),
    )
    assert line_arithmetic([replace(sale, lines=right)]) == []
    wrong = (right[0]._replace(line_total_minor=100), right[1])
    (found,) = line_arithmetic([replace(sale, lines=wrong)])
    assert (found.kind, found.sku) == ("line_arithmetic", "A")
    assert (
        found.detail
        == "line 1: 3 x 0.335 less 0 discount is 101 minor units, the till recorded 100"
    )
    discounted = (right[0]._replace(discount_minor=11, line_total_minor=90), right[1])
    assert line_arithmetic([replace(sale, lines=discounted)]) == []


def test_a_return_against_a_receipt_is_not_checked_line_by_line() -> None:
    # Its line refunds a share of the sold line, rounded apart: not quantity x price.
    refund = document([("A", -1, "0.335", 1, "catalogue")], kind="return")
    odd = (refund.lines[0]._replace(line_total_minor=-33),)
    assert len(line_arithmetic([replace(refund, lines=odd)])) == 1
    against = replace(refund, lines=odd, original_document_id=uuid.uuid4())
    assert line_arithmetic([against]) == []
