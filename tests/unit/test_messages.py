"""Wire messages: typed events, quarantine reasons, decimal strings, forward compatibility."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from sync.errors import MalformedEvent, UnknownEventKind, UnsupportedSchemaVersion
from sync.messages import PushRequest, RawEvent, SaleCompleted, TenderV1, parse_event


def sale_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "sale_id": str(uuid.uuid4()),
        "receipt_number": "T1-0000001",
        "till_id": "T1",
        "business_day": "2010-12-01",
        "business_time": "2010-12-01T08:26:00+00:00",
        "currency": "GBP",
        "lines": [
            {
                "line_no": 1,
                "sku": "85123A",
                "quantity": 6,
                "unit_price": "2.55",
                "line_total": "15.30",
            }
        ],
        "tenders": [
            {"tender_no": 1, "kind": "cash", "amount": "15.30", "tendered": "20", "change": "4.70"}
        ],
        "total": "15.30",
    }
    payload.update(overrides)
    return payload


def raw(
    kind: str = "sale.completed", version: int = 1, payload: dict[str, Any] | None = None
) -> RawEvent:
    return RawEvent(
        event_id=uuid.uuid4(),
        store_id="store-1",
        node_id="node-1",
        seq=1,
        schema_version=version,
        hlc="001291191960000-000000-node-1",
        occurred_at=datetime(2010, 12, 1, 8, 26, tzinfo=UTC),
        kind=kind,
        payload=sale_payload() if payload is None else payload,
    )


def test_a_sale_event_parses_into_its_typed_payload_with_exact_decimals() -> None:
    event = parse_event(raw())
    assert isinstance(event, SaleCompleted)
    assert event.payload.lines[0].line_total == Decimal("15.30")


@pytest.mark.parametrize(
    ("event", "error"),
    [
        (raw(kind="drawer.exploded", payload={}), UnknownEventKind),
        (raw(version=6), UnsupportedSchemaVersion),
        (raw(payload=sale_payload(lines=[])), MalformedEvent),
        (raw(payload=sale_payload(total=15.3)), MalformedEvent),  # a float is not money
    ],
)
def test_events_that_cannot_be_applied_say_why(event: RawEvent, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        parse_event(event)
    assert str(event.event_id) in str(caught.value)


def test_decimal_strings_round_trip_through_json() -> None:
    tender = TenderV1(
        tender_no=1,
        kind="cash",
        amount=Decimal("0.10"),
        tendered=Decimal("1"),
        change=Decimal("0.90"),
    )
    assert '"amount":"0.10"' in tender.model_dump_json()
    assert TenderV1.model_validate_json(tender.model_dump_json()) == tender


def test_a_newer_peer_may_add_fields() -> None:
    body = {
        "protocol_version": 1,
        "store_id": "store-1",
        "node_id": "node-1",
        "sent_at": "2026-01-01T00:00:00+00:00",
        "events": [],
        "compression": "zstd",
    }
    assert PushRequest.model_validate(body).events == []
    event = parse_event(raw(payload=sale_payload(loyalty_points=12)))
    assert isinstance(event, SaleCompleted)


def test_naive_times_are_refused_on_the_wire() -> None:
    with pytest.raises(ValidationError):
        RawEvent.model_validate({**raw().model_dump(), "occurred_at": "2010-12-01T08:26:00"})


def test_a_version_1_reader_ignores_terms_and_version_2_reads_them() -> None:
    payload = sale_payload()
    payload["lines"][0]["terms"] = {"discount": "1.00", "tax": "2.38", "tax_code": "STD"}
    old = parse_event(raw(version=1, payload=payload))
    new = parse_event(raw(version=2, payload=payload))
    assert isinstance(old, SaleCompleted) and isinstance(new, SaleCompleted)
    assert not hasattr(old.payload.lines[0], "terms")
    read = new.payload.lines[0]
    assert hasattr(read, "terms") and read.terms.tax == Decimal("2.38")


def return_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "return_id": str(uuid.uuid4()),
        "receipt_number": "T1-0000002",
        "till_id": "T1",
        "business_day": "2010-12-01",
        "business_time": "2010-12-01T09:00:00+00:00",
        "currency": "GBP",
        "reason": "faulty",
        "lines": [
            {"line_no": 1, "sku": "C", "quantity": 2, "unit_price": "10", "line_total": "20"}
        ],
        "refunds": [
            {"tender_no": 1, "kind": "cash", "amount": "20", "tendered": "20", "change": "0"}
        ],
        "total": "20",
    }
    payload.update(overrides)
    return payload


def test_a_return_of_version_3_must_name_the_refund_it_makes() -> None:
    request_id = uuid.uuid4()
    made = parse_event(raw("return.recorded", 3, return_payload(refund_request_id=str(request_id))))
    assert getattr(made.payload, "refund_request_id", None) == request_id
    with pytest.raises(MalformedEvent, match="refund_request_id"):
        parse_event(raw("return.recorded", 3, return_payload()))
    # A version-2 reader's view of the same return: no approval is closed by it.
    assert not hasattr(
        parse_event(raw("return.recorded", 2, return_payload())).payload, "refund_request_id"
    )


def test_a_refund_request_must_ask_for_money() -> None:
    request = {
        "request_id": str(uuid.uuid4()),
        "till_id": "T1",
        "requested_by": "cashier-7",
        "reason": "faulty",
        "currency": "GBP",
        "amount": "0",
        "lines": [{"sku": "C", "quantity": 1, "unit_price": "0", "line_total": "0"}],
        "business_time": "2010-12-01T09:00:00+00:00",
    }
    with pytest.raises(MalformedEvent, match="more than zero"):
        parse_event(raw("refund.requested", 1, request))
    with pytest.raises(UnsupportedSchemaVersion):
        parse_event(raw("refund.requested", 2, request))


def test_only_a_version_3_sale_may_charge_a_trade_account_and_name_its_b2b_order() -> None:
    order_id = uuid.uuid4()
    split = [
        {
            "tender_no": 1,
            "kind": "on_account",
            "amount": "10.30",
            "tendered": "10.30",
            "change": "0",
        },
        {"tender_no": 2, "kind": "cash", "amount": "5.00", "tendered": "5.00", "change": "0"},
    ]
    handover = parse_event(
        raw(version=3, payload=sale_payload(tenders=split, b2b_order_id=str(order_id)))
    )
    assert isinstance(handover, SaleCompleted)
    assert getattr(handover.payload, "b2b_order_id", None) == order_id
    assert [tender.kind for tender in handover.payload.tenders] == ["on_account", "cash"]
    # Later versions extend version 3 for every sale: the order id is optional there.
    assert getattr(parse_event(raw(version=3)).payload, "b2b_order_id", 0) is None
    # Version 2 knows cash only: an on-account tender there is refused, not read as cash.
    with pytest.raises(MalformedEvent, match="tenders"):
        parse_event(raw(version=2, payload=sale_payload(tenders=split)))


def b2b_cart(**overrides: Any) -> dict[str, Any]:
    cart: dict[str, Any] = {
        "order_id": str(uuid.uuid4()),
        "till_id": "T1",
        "customer_id": "trade-42",
        "submitted_by": "cashier-7",
        "currency": "GBP",
        "total": "25.50",
        "lines": [
            {"line_no": 1, "sku": "A", "quantity": 10, "unit_price": "2.55", "line_total": "25.50"}
        ],
        "business_time": "2010-12-01T09:00:00+00:00",
    }
    cart.update(overrides)
    return cart


def test_a_b2b_cart_must_add_up_and_a_payment_must_cover_exactly_its_total() -> None:
    assert parse_event(raw("b2b.cart_submitted", 1, b2b_cart())).kind == "b2b.cart_submitted"
    with pytest.raises(MalformedEvent, match="lines' sum"):
        parse_event(raw("b2b.cart_submitted", 1, b2b_cart(total="25.00")))
    with pytest.raises(MalformedEvent, match="customer_id"):
        parse_event(raw("b2b.cart_submitted", 1, b2b_cart(customer_id="")))
    payment = {
        "order_id": str(uuid.uuid4()),
        "composed_by": "cashier-7",
        "tenders": [{"kind": "on_account", "amount": "20.50"}, {"kind": "cash", "amount": "5"}],
        "total": "25.50",
        "business_time": "2010-12-01T09:30:00+00:00",
    }
    assert parse_event(raw("b2b.payment_composed", 1, payment)).kind == "b2b.payment_composed"
    with pytest.raises(MalformedEvent, match="sum to the total"):
        parse_event(raw("b2b.payment_composed", 1, {**payment, "total": "26.00"}))
    with pytest.raises(MalformedEvent, match="more than zero"):
        parse_event(
            raw(
                "b2b.payment_composed",
                1,
                {**payment, "tenders": [{"kind": "cash", "amount": "0"}], "total": "0"},
            )
        )
    with pytest.raises(MalformedEvent, match="kind"):
        parse_event(
            raw(
                "b2b.payment_composed",
                1,
                {**payment, "tenders": [{"kind": "cheque", "amount": "25.50"}]},
            )
        )
