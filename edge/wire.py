"""Domain objects to `sync.messages` payloads and back: the edge's one translation to the wire.

Outbound, `encode` turns a domain event into what the outbox stores (kind, schema version,
business time, JSON-ready payload) through a registry: one encoder per domain event class,
registered with `@encode.register`, so a new event kind is one function. Inbound, the
`*_of` functions (edge.wire_inbound, re-exported here) turn what the hub's feed carries
(refund decisions, B2B approvals, lines and their terms) into domain objects for the
repositories.

It lives beside the layers (`edge/wire.py`, not under `adapters/`) because it does no I/O and
three layers use it: the outbox and the repositories (B2B lines are kept in their wire form),
the feed appliers of the service layer, and the till API, which shows a line's terms as they
travel. Under `adapters/` the API would have to import an adapter to do that.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import singledispatch
from typing import Any, NamedTuple
from uuid import UUID

from edge.domain.audit import Audited
from edge.domain.documents import (
    NO_TERMS,
    B2BCartSubmitted,
    B2BLine,
    B2BPaymentComposed,
    CardSettled,
    CashMoved,
    DomainEvent,
    RecordEdited,
    RefundRequested,
    Return,
    ReturnRecorded,
    Sale,
    SaleCompleted,
    Tender,
    ZReportMade,
)
from edge.domain.shifts import ZReport
from edge.wire_lines import sale_needs_v4, weighed, weighed_return_lines, weighed_sale_lines
from edge.wire_lines import terms_payload as terms_payload  # re-exported: the API shows terms
from edge.wire_tenders import return_needs_v5, return_v5, sale_needs_v5, sale_v5
from shared.money import Money
from sync.messages import (
    AuditRecordedV1,
    B2BCartSubmittedV1,
    B2BLineV1,
    B2BPaymentComposedV1,
    B2BTenderPlanV1,
    CardSettledV1,
    CashMovedV1,
    RecordUpdatedV1,
    RefundLineV1,
    RefundRequestedV1,
    ReturnLineV1,
    ReturnLineV2,
    ReturnRecordedV1,
    ReturnRecordedV2,
    ReturnRecordedV3,
    ReturnRecordedV4,
    ReturnRecordedV5,
    SaleCompletedV1,
    SaleCompletedV2,
    SaleCompletedV3,
    SaleCompletedV4,
    SaleCompletedV5,
    SaleLineV1,
    SaleLineV2,
    StampedValue,
    TaxAtRateV1,
    TenderTotalV1,
    TenderV1,
    TenderV2,
    ZReportV1,
)


class WireEvent(NamedTuple):
    """A domain event as the outbox stores it; `payload` is ready for `json.dumps`."""

    kind: str
    schema_version: int
    occurred_at: datetime
    payload: dict[str, Any]


@singledispatch
def encode(event: DomainEvent) -> WireEvent:
    """The wire form of `event`, by the encoder registered for its class.

    Raises TypeError for a class with no encoder.
    """
    raise TypeError(f"no wire encoding for {type(event).__name__}")


# Outbound: domain -> wire.


def _tender(tender: Tender, model: type[TenderV1] = TenderV1) -> TenderV1:
    return model(
        tender_no=tender.tender_no,
        kind=tender.kind,
        amount=tender.amount.amount,
        tendered=tender.tendered.amount,
        change=tender.change.amount,
    )


def sale_payload(sale: Sale) -> SaleCompletedV1:
    """Version 5 when a tender is a card, gift card or store credit, or a line loads a gift
    card (edge.wire_tenders); else version 4 when a line is weighed (its quantity decimal text in kg) or carries a
    manual discount or a price-override reason code (`sale_needs_v4`); else version 3
    when it hands a B2B order over (its tenders may be on account); else version 2 when a
    line carries a promotion or tax; else version 1: the lowest version that says
    everything, so a hub not yet upgraded still applies every sale it can read and
    quarantines (until its upgrade) only those it would misread."""
    if sale_needs_v5(sale):
        return sale_v5(sale, _sale_fields(sale, None))
    if sale_needs_v4(sale):
        return SaleCompletedV4(
            **_sale_fields(sale, TenderV2),
            lines=weighed_sale_lines(sale),
            b2b_order_id=sale.b2b_order_id,
        )
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


def _sale_fields(sale: Sale, tender: type[TenderV1] | None = TenderV1) -> dict[str, Any]:
    """The fields every version shares; tenders as `tender` (None: left to the caller)."""
    return {
        "sale_id": sale.sale_id,
        "receipt_number": sale.receipt_number,
        "till_id": sale.till_id,
        "business_day": sale.business_day,
        "business_time": sale.business_time,
        "currency": sale.currency,
        "customer_id": sale.customer_id,
        "external_reference": sale.external_reference,
        "tenders": [_tender(item, tender) for item in sale.tenders] if tender else [],
        "total": sale.total.amount,
    }


def return_payload(sales_return: Return) -> ReturnRecordedV1:
    """Version 4 when a line is weighed; else version 3 when it makes a refund HQ approved;
    else version 2 when a line carries a share of a promotion or tax; else version 1.
    Version 5 first, when a refund goes to a card, gift card or store credit (or names the
    sale's tender it pays back)."""
    if return_needs_v5(sales_return):
        return return_v5(sales_return, _return_fields(sales_return, v5=True))
    if weighed(sales_return.lines):
        return ReturnRecordedV4(
            **_return_fields(sales_return),
            lines=weighed_return_lines(sales_return),
            refund_request_id=sales_return.refund_request_id,
        )
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


def _return_fields(sales_return: Return, *, v5: bool = False) -> dict[str, Any]:
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
        "refunds": [] if v5 else [_tender(tender) for tender in sales_return.refunds],
        "total": sales_return.total.amount,
    }


def b2b_line_payload(line: B2BLine, currency: str) -> B2BLineV1:
    """A B2B cart line as it travels (and as the node keeps it:
    edge.adapters.repositories.b2b_orders)."""
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


_SALE_VERSIONS: dict[type[SaleCompletedV1], int] = {
    SaleCompletedV2: 2,
    SaleCompletedV3: 3,
    SaleCompletedV4: 4,
    SaleCompletedV5: 5,
}
_RETURN_VERSIONS: dict[type[ReturnRecordedV1], int] = {
    ReturnRecordedV2: 2,
    ReturnRecordedV3: 3,
    ReturnRecordedV4: 4,
    ReturnRecordedV5: 5,
}


@encode.register
def _sale_completed(event: SaleCompleted) -> WireEvent:
    sale = sale_payload(event.sale)
    return WireEvent(
        "sale.completed",
        _SALE_VERSIONS.get(type(sale), 1),
        event.sale.business_time,
        sale.model_dump(mode="json"),
    )


@encode.register
def _return_recorded(event: ReturnRecorded) -> WireEvent:
    document = event.sales_return
    recorded = return_payload(document)
    return WireEvent(
        "return.recorded",
        _RETURN_VERSIONS.get(type(recorded), 1),
        document.business_time,
        recorded.model_dump(mode="json"),
    )


@encode.register
def _record_edited(event: RecordEdited) -> WireEvent:
    payload = RecordUpdatedV1(
        entity=event.entity,
        key=event.key,
        fields={
            name: StampedValue(value=field.value, hlc=field.hlc, base=field.base)
            for name, field in event.fields.items()
        },
    )
    return WireEvent("record.updated", 1, event.edited_at, payload.model_dump(mode="json"))


@encode.register
def _audited(event: Audited) -> WireEvent:
    audit = AuditRecordedV1(
        audit_id=event.audit_id,
        kind=event.kind,
        till_id=event.till_id,
        staff_code=event.staff_code,
        staff_name=event.staff_name,
        approver_code=event.approver_code,
        approver_name=event.approver_name,
        at=event.at,
        business_day=event.business_day,
        subject=event.subject,
        details=dict(event.details),
    )
    return WireEvent("audit.recorded", 1, event.at, audit.model_dump(mode="json"))


@encode.register
def _cash_moved(event: CashMoved) -> WireEvent:
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
    return WireEvent("cash.moved", 1, movement.business_time, cash.model_dump(mode="json"))


def z_report_payload(report: ZReport, business_day: date, opening_float: Money) -> ZReportV1:
    """A Z report as it travels and as this node keeps it (edge.domain.shifts.ZReport)."""
    totals = report.totals
    return ZReportV1(
        shift_id=UUID(report.shift_id),
        till_id=report.till_id,
        z_number=report.z_number,
        opened_by=report.opened_by,
        closed_by=report.closed_by,
        period_start=report.period_start,
        period_end=report.period_end,
        business_day=business_day,
        currency=totals.currency,
        first_receipt_number=report.first_receipt_number,
        last_receipt_number=report.last_receipt_number,
        sales_count=totals.sales_count,
        sales=totals.sales.amount,
        returns_count=totals.returns_count,
        returns=totals.returns.amount,
        net_sales=totals.net_sales.amount,
        voids_count=totals.voids_count,
        voids=totals.voids.amount,
        discounts=totals.discounts.amount,
        overrides_count=totals.overrides_count,
        no_sales_count=totals.no_sales_count,
        tax=[
            TaxAtRateV1(rate=line.rate, net=line.net.amount, tax=line.tax.amount)
            for line in totals.tax
        ],
        tenders=[TenderTotalV1(kind=kind, amount=amount.amount) for kind, amount in totals.tenders],
        opening_float=opening_float.amount,
        float_cash=totals.float_cash.amount,
        change_given=totals.change_given.amount,
        paid_in=totals.paid_in.amount,
        paid_out=totals.paid_out.amount,
        pickups=totals.pickups.amount,
        counted={str(d): n for d, n in sorted(report.counted.counts.items(), reverse=True) if n},
        counted_cash=report.counted_cash.amount,
        expected_cash=report.expected_cash.amount,
        variance=report.variance.amount,
        previous_grand_total=report.previous_grand_total.amount,
        grand_total=report.grand_total.amount,
    )


@encode.register
def _z_report_made(event: ZReportMade) -> WireEvent:
    payload = z_report_payload(event.report, event.business_day, event.opening_float)
    return WireEvent("shift.closed", 1, event.report.period_end, payload.model_dump(mode="json"))


@encode.register
def _refund_requested(event: RefundRequested) -> WireEvent:
    request = event.request
    asked = RefundRequestedV1(
        request_id=request.request_id,
        till_id=request.till_id,
        requested_by=request.requested_by,
        reason=request.reason,
        currency=request.amount.currency,
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
    return WireEvent("refund.requested", 1, request.business_time, asked.model_dump(mode="json"))


@encode.register
def _b2b_cart_submitted(event: B2BCartSubmitted) -> WireEvent:
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
    return WireEvent("b2b.cart_submitted", 1, order.business_time, cart.model_dump(mode="json"))


@encode.register
def _b2b_payment_composed(event: B2BPaymentComposed) -> WireEvent:
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
    return WireEvent(
        "b2b.payment_composed", 1, event.business_time, payment.model_dump(mode="json")
    )


# Inbound: wire -> domain (edge.wire_inbound), re-exported for the layers that read the feed.
from edge.wire_inbound import b2b_line_of as b2b_line_of  # noqa: E402
from edge.wire_inbound import b2b_order_of as b2b_order_of  # noqa: E402
from edge.wire_inbound import refund_request_of as refund_request_of  # noqa: E402
from edge.wire_inbound import terms_of as terms_of  # noqa: E402
from edge.wire_inbound import z_report_of as z_report_of  # noqa: E402


@encode.register
def _card_settled(event: CardSettled) -> WireEvent:
    payload = CardSettledV1(
        tender_id=event.tender_id,
        document_id=event.document_id,
        document_kind=event.document_kind,
        tender_no=event.tender_no,
        till_id=event.till_id,
        outcome=event.outcome,
        amount=event.amount.amount,
        currency=event.amount.currency,
        transaction_id=event.transaction_id,
        decline_code=event.decline_code,
        taken_at=event.taken_at,
        deadline=event.deadline,
        settled_at=event.settled_at,
    )
    return WireEvent("card.settled", 1, event.settled_at, payload.model_dump(mode="json"))
