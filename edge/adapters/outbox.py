"""The outbox: domain events turned into wire payloads and appended in the business transaction.

`append` assigns each event the node's next seq (gap-free: the counter lives in the same
SQLite transaction as the sale) and an HLC timestamp. Nothing is published from here; the
sync agent reads the table and uploads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from edge.adapters import tables
from edge.domain.documents import (
    NO_TERMS,
    B2BCartSubmitted,
    B2BLine,
    B2BPaymentComposed,
    CashMoved,
    DomainEvent,
    LineTerms,
    RecordEdited,
    RefundRequested,
    Return,
    ReturnRecorded,
    Sale,
    SaleCompleted,
    Tender,
)
from shared.clock import HybridLogicalClock
from shared.ids import new_id
from shared.money import Money
from sync.messages import (
    B2BCartSubmittedV1,
    B2BLineV1,
    B2BPaymentComposedV1,
    B2BTenderPlanV1,
    CashMovedV1,
    LineTermsV1,
    RecordUpdatedV1,
    RefundLineV1,
    RefundRequestedV1,
    ReturnLineV1,
    ReturnLineV2,
    ReturnRecordedV1,
    ReturnRecordedV2,
    ReturnRecordedV3,
    SaleCompletedV1,
    SaleCompletedV2,
    SaleCompletedV3,
    SaleLineV1,
    SaleLineV2,
    StampedValue,
    TenderV1,
    TenderV2,
)

_RESERVE_SEQS = (
    update(tables.node)
    .values(last_seq=tables.node.c.last_seq + bindparam("count"))
    .returning(tables.node.c.last_seq)
)
_INSERT = tables.outbox.insert()
_REMEMBER_HLC = update(tables.node).values(last_hlc=bindparam("stamp"))


@dataclass(frozen=True, slots=True)
class OutboxRow:
    seq: int
    event_id: str
    kind: str
    schema_version: int
    hlc: str
    occurred_at: str
    payload: str
    size_bytes: int


def _tender(tender: Tender, model: type[TenderV1] = TenderV1) -> TenderV1:
    return model(
        tender_no=tender.tender_no,
        kind=tender.kind,
        amount=tender.amount.amount,
        tendered=tender.tendered.amount,
        change=tender.change.amount,
    )


def terms_payload(terms: LineTerms, currency: str) -> LineTermsV1 | None:
    """A line's promotion and tax as they travel (and as the till API shows them); None for a
    line with neither."""
    if terms == NO_TERMS:
        return None
    return LineTermsV1(
        discount=Money.from_minor(terms.discount_minor, currency).amount,
        promotion_id=terms.promotion_id,
        promotion_version=terms.promotion_version,
        tax=Money.from_minor(terms.tax_minor, currency).amount,
        tax_code=terms.tax_code,
        tax_rate=terms.tax_rate,
        tax_version=terms.tax_version,
    )


def sale_payload(sale: Sale) -> SaleCompletedV1:
    """Version 3 when it hands a B2B order over (its tenders may be on account); else version
    2 when a line carries a promotion or tax; else version 1: the lowest version that says
    everything, so a hub not yet upgraded still applies every sale it can read and
    quarantines (until its upgrade) only those it would misread."""
    lines = [
        {
            "line_no": line.line_no,
            "sku": line.sku,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "line_total": line.line_total.amount,
            "price_version": line.price_version,
            "price_source": line.price_source,
        }
        for line in sale.lines
    ]
    lines_with_terms = [
        SaleLineV2(**fields, terms=terms_payload(line.terms, sale.currency))
        for fields, line in zip(lines, sale.lines, strict=True)
    ]
    if sale.b2b_order_id is not None:
        return SaleCompletedV3(
            **_sale_fields(sale, TenderV2), lines=lines_with_terms, b2b_order_id=sale.b2b_order_id
        )
    if any(line.terms != NO_TERMS for line in sale.lines):
        return SaleCompletedV2(**_sale_fields(sale), lines=lines_with_terms)
    return SaleCompletedV1(**_sale_fields(sale), lines=[SaleLineV1(**fields) for fields in lines])


def b2b_line_payload(line: B2BLine, currency: str) -> B2BLineV1:
    """A B2B cart line as it travels (and as the node keeps it: edge.adapters.repositories.b2b_orders)."""
    return B2BLineV1(
        line_no=line.line_no,
        sku=line.sku,
        description=line.description,
        quantity=line.quantity,
        unit_price=line.unit_price,
        line_total=line.line_total.amount,
        price_version=line.price_version,
        terms=terms_payload(line.terms, currency),
    )


def _sale_fields(sale: Sale, tender: type[TenderV1] = TenderV1) -> dict[str, Any]:
    return {
        "sale_id": sale.sale_id,
        "receipt_number": sale.receipt_number,
        "till_id": sale.till_id,
        "business_day": sale.business_day,
        "business_time": sale.business_time,
        "currency": sale.currency,
        "customer_id": sale.customer_id,
        "external_reference": sale.external_reference,
        "tenders": [_tender(item, tender) for item in sale.tenders],
        "total": sale.total.amount,
    }


def return_payload(sales_return: Return) -> ReturnRecordedV1:
    """Version 3 when it makes a refund HQ approved; else version 2 when a line carries a share
    of a promotion or tax; else version 1."""
    lines = [
        {
            "line_no": line.line_no,
            "sku": line.sku,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "line_total": line.line_total.amount,
            "original_line_no": line.original_line_no,
            "price_version": line.price_version,
        }
        for line in sales_return.lines
    ]
    if sales_return.refund_request_id is None and all(
        line.terms == NO_TERMS for line in sales_return.lines
    ):
        return ReturnRecordedV1(
            **_return_fields(sales_return), lines=[ReturnLineV1(**fields) for fields in lines]
        )
    lines_with_terms = [
        ReturnLineV2(**fields, terms=terms_payload(line.terms, sales_return.currency))
        for fields, line in zip(lines, sales_return.lines, strict=True)
    ]
    if sales_return.refund_request_id is not None:
        return ReturnRecordedV3(
            **_return_fields(sales_return),
            lines=lines_with_terms,
            refund_request_id=sales_return.refund_request_id,
        )
    return ReturnRecordedV2(**_return_fields(sales_return), lines=lines_with_terms)


def _return_fields(sales_return: Return) -> dict[str, Any]:
    return {
        "return_id": sales_return.return_id,
        "receipt_number": sales_return.receipt_number,
        "till_id": sales_return.till_id,
        "business_day": sales_return.business_day,
        "business_time": sales_return.business_time,
        "currency": sales_return.currency,
        "customer_id": sales_return.customer_id,
        "original_sale_id": sales_return.original_sale_id,
        "external_reference": sales_return.external_reference,
        "reason": sales_return.reason,
        "refunds": [_tender(tender) for tender in sales_return.refunds],
        "total": sales_return.total.amount,
    }


_SALE_VERSIONS: dict[type[SaleCompletedV1], int] = {SaleCompletedV2: 2, SaleCompletedV3: 3}
_RETURN_VERSIONS: dict[type[ReturnRecordedV1], int] = {ReturnRecordedV2: 2, ReturnRecordedV3: 3}


def encode(event: DomainEvent) -> tuple[str, int, datetime, dict[str, Any]]:
    """(kind, schema version, business time, JSON-ready payload) of a domain event."""
    if isinstance(event, SaleCompleted):
        sale = sale_payload(event.sale)
        return (
            "sale.completed",
            _SALE_VERSIONS.get(type(sale), 1),
            event.sale.business_time,
            sale.model_dump(mode="json"),
        )
    if isinstance(event, ReturnRecorded):
        document = event.sales_return
        recorded = return_payload(document)
        return (
            "return.recorded",
            _RETURN_VERSIONS.get(type(recorded), 1),
            document.business_time,
            recorded.model_dump(mode="json"),
        )
    if isinstance(event, RecordEdited):
        payload = RecordUpdatedV1(
            entity=event.entity,
            key=event.key,
            fields={
                name: StampedValue(value=field.value, hlc=field.hlc, base=field.base)
                for name, field in event.fields.items()
            },
        )
        return "record.updated", 1, event.edited_at, payload.model_dump(mode="json")
    if isinstance(event, CashMoved):
        movement = event.movement
        cash = CashMovedV1(
            movement_id=movement.movement_id,
            till_id=movement.till_id,
            kind=movement.kind,
            amount=movement.amount.amount,
            currency=movement.amount.currency,
            reason=movement.reason,
            business_day=movement.business_day,
            business_time=movement.business_time,
        )
        return "cash.moved", 1, movement.business_time, cash.model_dump(mode="json")
    if isinstance(event, RefundRequested):
        request = event.request
        currency = request.amount.currency
        asked = RefundRequestedV1(
            request_id=request.request_id,
            till_id=request.till_id,
            requested_by=request.requested_by,
            reason=request.reason,
            currency=currency,
            amount=request.amount.amount,
            original_sale_id=request.original_sale_id,
            original_receipt_number=request.original_receipt_number,
            customer_id=request.customer_id,
            lines=[
                RefundLineV1(
                    sku=line.sku,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    line_total=line.line_total.amount,
                    original_line_no=line.original_line_no,
                )
                for line in request.lines
            ],
            business_time=request.business_time,
        )
        return "refund.requested", 1, request.business_time, asked.model_dump(mode="json")
    if isinstance(event, B2BCartSubmitted):
        order = event.order
        currency = order.total.currency
        cart = B2BCartSubmittedV1(
            order_id=order.order_id,
            till_id=order.till_id,
            customer_id=order.customer_id,
            submitted_by=order.submitted_by,
            reference=order.reference,
            currency=currency,
            total=order.total.amount,
            lines=[b2b_line_payload(line, currency) for line in order.lines],
            business_time=order.business_time,
        )
        return "b2b.cart_submitted", 1, order.business_time, cart.model_dump(mode="json")
    if isinstance(event, B2BPaymentComposed):
        payment = B2BPaymentComposedV1(
            order_id=event.order_id,
            composed_by=event.composed_by,
            tenders=[
                B2BTenderPlanV1(kind=tender.kind, amount=tender.amount.amount)
                for tender in event.tenders
            ],
            total=event.total.amount,
            business_time=event.business_time,
        )
        return "b2b.payment_composed", 1, event.business_time, payment.model_dump(mode="json")
    raise TypeError(f"no wire encoding for {type(event).__name__}")


def append(
    connection: Connection,
    events: list[DomainEvent],
    hlc: HybridLogicalClock,
    now: datetime,
) -> list[int]:
    """Append `events` to the outbox inside the caller's transaction; return their seqs."""
    if not events:
        return []
    result = connection.execute(_RESERVE_SEQS, {"count": len(events)})
    last_seq = result.scalar_one()
    first_seq = last_seq - len(events) + 1
    rows = []
    stamp = None
    for offset, domain_event in enumerate(events):
        kind, version, occurred_at, payload = encode(domain_event)
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        stamp = hlc.tick()
        rows.append(
            {
                "seq": first_seq + offset,
                "event_id": str(new_id()),
                "kind": kind,
                "schema_version": version,
                "hlc": stamp.encode(),
                "occurred_at": occurred_at.isoformat(),
                "payload": text,
                "size_bytes": len(text.encode()) + 256,
                "created_at": now.isoformat(),
            }
        )
    connection.execute(_INSERT, rows)
    assert stamp is not None
    connection.execute(_REMEMBER_HLC, {"stamp": stamp.encode()})
    return [row["seq"] for row in rows]


def pending(connection: Connection, after_seq: int, limit: int) -> list[OutboxRow]:
    """Outbox rows with seq > `after_seq`, oldest first, at most `limit`."""
    result = connection.execute(
        select(tables.outbox)
        .where(tables.outbox.c.seq > after_seq)
        .order_by(tables.outbox.c.seq)
        .limit(limit)
    )
    return [
        OutboxRow(
            seq=row.seq,
            event_id=row.event_id,
            kind=row.kind,
            schema_version=row.schema_version,
            hlc=row.hlc,
            occurred_at=row.occurred_at,
            payload=row.payload,
            size_bytes=row.size_bytes,
        )
        for row in result
    ]


def mark_quarantined(connection: Connection, rejected: list[tuple[int, str]]) -> None:
    """Record that the hub stored these seqs (with reasons) but could not apply them."""
    if rejected:
        connection.execute(
            update(tables.outbox)
            .where(tables.outbox.c.seq == bindparam("rejected_seq"))
            .values(hub_status="quarantined", hub_reason=bindparam("reason")),
            [{"rejected_seq": seq, "reason": reason} for seq, reason in rejected],
        )


def mark_status(connection: Connection, event_id: str, status: str) -> None:
    """The hub's later word on an event (HQ retried it)."""
    connection.execute(
        update(tables.outbox)
        .where(tables.outbox.c.event_id == event_id)
        .values(
            hub_status=status,
            hub_reason=None if status == "applied" else tables.outbox.c.hub_reason,
        )
    )


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    seq: int
    event_id: str
    kind: str
    occurred_at: str
    reason: str | None


def quarantined(connection: Connection, limit: int) -> list[QuarantinedRow]:
    rows = connection.execute(
        select(tables.outbox)
        .where(tables.outbox.c.hub_status == "quarantined")
        .order_by(tables.outbox.c.seq)
        .limit(limit)
    )
    return [
        QuarantinedRow(row.seq, row.event_id, row.kind, row.occurred_at, row.hub_reason)
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class OutboxStats:
    last_seq: int
    acked_seq: int
    pending: int
    oldest_pending_created_at: str | None
    quarantined: int = 0


def stats(connection: Connection) -> OutboxStats:
    node_row = (connection.execute(select(tables.node.c.last_seq, tables.node.c.acked_seq))).first()
    if node_row is None:
        return OutboxStats(0, 0, 0, None)
    oldest = (
        connection.execute(
            select(func.min(tables.outbox.c.created_at)).where(
                tables.outbox.c.seq == node_row.acked_seq + 1
            )
        )
    ).scalar_one_or_none()
    quarantined_count = connection.execute(
        select(func.count()).where(tables.outbox.c.hub_status == "quarantined")
    ).scalar_one()
    return OutboxStats(
        last_seq=node_row.last_seq,
        acked_seq=node_row.acked_seq,
        pending=node_row.last_seq - node_row.acked_seq,
        oldest_pending_created_at=oldest,
        quarantined=int(quarantined_count),
    )
