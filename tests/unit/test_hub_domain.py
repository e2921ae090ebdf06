"""The hub's ledger signs and the feed cursor."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hub.domain.feed import START, FeedPosition
from hub.domain.ledger import document_of, movements_of, unstorable
from hub.errors import InvalidCursor
from sync.messages import ReturnLineV1, ReturnRecorded, ReturnRecordedV1, TenderV1

NOW = datetime(2010, 12, 1, 9, 0, tzinfo=UTC)


def test_a_return_is_recorded_with_negative_units_and_money_and_puts_stock_back() -> None:
    event = ReturnRecorded(
        event_id=uuid.uuid4(),
        store_id="store-1",
        node_id="n1",
        seq=4,
        schema_version=1,
        hlc="001291191960000-000000-n1",
        occurred_at=NOW,
        kind="return.recorded",
        payload=ReturnRecordedV1(
            return_id=uuid.uuid4(),
            receipt_number="T1-0000004",
            till_id="T1",
            business_day=NOW.date(),
            business_time=NOW,
            currency="GBP",
            reason="cancelled invoice",
            lines=[
                ReturnLineV1(
                    line_no=1,
                    sku="22633",
                    quantity=12,
                    unit_price=Decimal("1.85"),
                    line_total=Decimal("22.20"),
                )
            ],
            refunds=[
                TenderV1(
                    tender_no=1,
                    kind="cash",
                    amount=Decimal("22.20"),
                    tendered=Decimal("22.20"),
                    change=Decimal(0),
                )
            ],
            total=Decimal("22.20"),
        ),
    )
    document = document_of(event)
    assert (document.kind, document.total_minor, document.units) == ("return", -2220, -12)
    assert document.lines[0].line_total_minor == -2220
    (movement,) = movements_of(document, tracked={"22633"})
    assert (movement.quantity_delta, movement.reason) == (12, "return")
    assert movements_of(document, tracked=set()) == []


def test_feed_cursor_round_trip_and_order() -> None:
    assert FeedPosition.parse(FeedPosition(731, 12).encode()) == FeedPosition(731, 12)
    assert FeedPosition.parse(None) == START
    largest = FeedPosition(2**63 - 1, 2**63 - 1)
    assert FeedPosition.parse(largest.encode()) == largest
    assert START < FeedPosition(0, 1) < FeedPosition(0, 2) < FeedPosition(1, 1)


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "1.2",
        "-1-0",
        "1-",
        "99999999999999999999999-1",
        "9223372036854775808-1",  # 2^63: past BIGINT
        "1-9223372036854775808",
        "1-1\n",
    ],
)
def test_a_cursor_the_hub_did_not_issue_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        FeedPosition.parse(cursor)


@pytest.mark.parametrize(
    ("unit_price", "stored"),
    [
        ("2.55", True),
        ("999999999999.999999", True),
        ("1.0000000", True),  # seven places, the last a zero: NUMERIC(18, 6) holds it exactly
        ("1.0000001", False),  # it would be rounded
        ("1000000000000", False),  # beyond 10^12
        ("1E+3", True),
        ("1E-7", False),
    ],
)
def test_the_ledger_refuses_a_unit_price_it_would_round_or_overflow(
    unit_price: str, stored: bool
) -> None:
    event = ReturnRecorded(
        event_id=uuid.uuid4(),
        store_id="store-1",
        node_id="n1",
        seq=5,
        schema_version=1,
        hlc="001291191960000-000000-n1",
        occurred_at=NOW,
        kind="return.recorded",
        payload=ReturnRecordedV1.model_construct(
            return_id=uuid.uuid4(),
            receipt_number="T1-0000005",
            till_id="T1",
            business_day=NOW.date(),
            business_time=NOW,
            currency="GBP",
            reason="damaged",
            lines=[
                ReturnLineV1.model_construct(
                    line_no=1,
                    sku="SKU1",
                    description=None,
                    quantity=1,
                    unit_price=Decimal(unit_price),
                    line_total=Decimal("0"),
                    original_line_no=None,
                    price_version=None,
                )
            ],
            refunds=[],
            total=Decimal("0"),
        ),
    )
    problems = unstorable(document_of(event))
    assert (problems == []) is stored, problems
