"""Event envelopes, raw and typed (a union on `kind`), each kind's newest version, parse_event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints, ValidationError

from shared.bounds import Int32, Seq, Stamp
from shared.clock import HLCTimestamp
from sync.errors import MalformedEvent, UnknownEventKind, UnsupportedSchemaVersion
from sync.messages.b2b import B2BCartSubmittedV1, B2BPaymentComposedV1
from sync.messages.base import Identifier, Message, Payload
from sync.messages.cash import CashMovedV1
from sync.messages.records import RecordUpdatedV1
from sync.messages.refunds import RefundRequestedV1
from sync.messages.sales import (
    ReturnLineV4,
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
    SaleLineV4,
    SaleLineV5,
    TenderV3,
)
from sync.messages.shifts import ZReportV1
from sync.messages.staff import AuditRecordedV1
from sync.messages.tenders import CardSettledV1
from sync.records import check_fields


class EnvelopeFields(Message):
    """What every uploaded event carries besides its payload."""

    event_id: UUID
    store_id: Identifier
    node_id: Identifier
    seq: Seq = Field(description="Gap-free per node, starting at 1")
    schema_version: Int32
    hlc: Stamp = Field(description="Hybrid logical clock, wall_ms-counter-node")
    occurred_at: AwareDatetime


class RawEvent(EnvelopeFields):
    """An envelope as it travels: the payload is not interpreted until `parse_event`."""

    kind: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    payload: dict[str, Any]


class SaleCompleted(EnvelopeFields):
    kind: Literal["sale.completed"]
    payload: SaleCompletedV1


class ReturnRecorded(EnvelopeFields):
    kind: Literal["return.recorded"]
    payload: ReturnRecordedV1


class RecordUpdated(EnvelopeFields):
    kind: Literal["record.updated"]
    payload: RecordUpdatedV1


class CashMoved(EnvelopeFields):
    kind: Literal["cash.moved"]
    payload: CashMovedV1


class RefundRequested(EnvelopeFields):
    kind: Literal["refund.requested"]
    payload: RefundRequestedV1


class AuditRecorded(EnvelopeFields):
    kind: Literal["audit.recorded"]
    payload: AuditRecordedV1


class B2BCartSubmitted(EnvelopeFields):
    kind: Literal["b2b.cart_submitted"]
    payload: B2BCartSubmittedV1


class B2BPaymentComposed(EnvelopeFields):
    kind: Literal["b2b.payment_composed"]
    payload: B2BPaymentComposedV1


class ShiftClosed(EnvelopeFields):
    kind: Literal["shift.closed"]
    payload: ZReportV1


class CardSettled(EnvelopeFields):
    kind: Literal["card.settled"]
    payload: CardSettledV1


Event = Annotated[
    SaleCompleted
    | ReturnRecorded
    | RecordUpdated
    | CashMoved
    | RefundRequested
    | B2BCartSubmitted
    | B2BPaymentComposed
    | AuditRecorded
    | ShiftClosed
    | CardSettled,
    Field(discriminator="kind"),
]
AnyEvent = (
    SaleCompleted
    | ReturnRecorded
    | RecordUpdated
    | CashMoved
    | RefundRequested
    | B2BCartSubmitted
    | B2BPaymentComposed
    | AuditRecorded
    | ShiftClosed
    | CardSettled
)


SCHEMA_VERSIONS: dict[str, int] = {
    "sale.completed": 5,
    "return.recorded": 5,
    "record.updated": 1,
    "cash.moved": 1,
    "refund.requested": 1,
    "b2b.cart_submitted": 1,
    "b2b.payment_composed": 1,
    "audit.recorded": 1,
    "shift.closed": 1,
    "card.settled": 1,
}


def parse_event(raw: RawEvent) -> AnyEvent:
    """Type a raw envelope.

    Raises UnknownEventKind, UnsupportedSchemaVersion (newer than this code) or MalformedEvent
    (the payload does not validate); each carries the event id and seq.
    """
    supported = SCHEMA_VERSIONS.get(raw.kind)
    if supported is None:
        raise UnknownEventKind(raw.event_id, raw.seq, raw.kind)
    if raw.schema_version > supported:
        raise UnsupportedSchemaVersion(
            raw.event_id, raw.seq, raw.kind, raw.schema_version, supported
        )
    # The envelope was validated as a RawEvent already: only the payload needs typing.
    fields = {name: getattr(raw, name) for name in EnvelopeFields.model_fields}
    if raw.kind == "sale.completed":
        model: type[SaleCompletedV1] = (
            SaleCompletedV5
            if raw.schema_version >= 5
            else SaleCompletedV4
            if raw.schema_version == 4
            else SaleCompletedV3
            if raw.schema_version == 3
            else SaleCompletedV2
            if raw.schema_version == 2
            else SaleCompletedV1
        )
        sale = _payload(model, raw)
        if isinstance(sale, SaleCompletedV4):
            _check_units(raw, sale.lines)
        if isinstance(sale, SaleCompletedV5):
            _check_tenders(raw, sale.tenders, ("captured", "stored"))
            _check_gift_card_lines(raw, sale.lines)
        return SaleCompleted.model_construct(**fields, kind="sale.completed", payload=sale)
    if raw.kind == "record.updated":
        record = _payload(RecordUpdatedV1, raw)
        try:
            check_fields(record.entity, {name: item.value for name, item in record.fields.items()})
            for item in record.fields.values():
                HLCTimestamp.parse(item.hlc)
                if item.base is not None:
                    HLCTimestamp.parse(item.base)
        except ValueError as error:
            raise MalformedEvent(raw.event_id, raw.seq, str(error)) from None
        return RecordUpdated.model_construct(**fields, kind="record.updated", payload=record)
    if raw.kind == "cash.moved":
        movement = _payload(CashMovedV1, raw)
        if not movement.amount > 0:
            raise MalformedEvent(raw.event_id, raw.seq, "a cash movement must be more than zero")
        return CashMoved.model_construct(**fields, kind="cash.moved", payload=movement)
    if raw.kind == "refund.requested":
        request = _payload(RefundRequestedV1, raw)
        if not request.amount > 0:
            raise MalformedEvent(raw.event_id, raw.seq, "a refund asked for must be more than zero")
        return RefundRequested.model_construct(**fields, kind="refund.requested", payload=request)
    if raw.kind == "b2b.cart_submitted":
        cart = _payload(B2BCartSubmittedV1, raw)
        if not cart.total > 0:
            raise MalformedEvent(raw.event_id, raw.seq, "a B2B cart's total must be more than zero")
        if sum((line.line_total for line in cart.lines), Decimal(0)) != cart.total:
            raise MalformedEvent(raw.event_id, raw.seq, "a B2B cart's total is not its lines' sum")
        return B2BCartSubmitted.model_construct(**fields, kind="b2b.cart_submitted", payload=cart)
    if raw.kind == "b2b.payment_composed":
        payment = _payload(B2BPaymentComposedV1, raw)
        if any(not tender.amount > 0 for tender in payment.tenders):
            raise MalformedEvent(raw.event_id, raw.seq, "every tender must be more than zero")
        if sum((tender.amount for tender in payment.tenders), Decimal(0)) != payment.total:
            raise MalformedEvent(raw.event_id, raw.seq, "the tenders do not sum to the total")
        return B2BPaymentComposed.model_construct(
            **fields, kind="b2b.payment_composed", payload=payment
        )
    if raw.kind == "audit.recorded":
        audit = _payload(AuditRecordedV1, raw)
        return AuditRecorded.model_construct(**fields, kind="audit.recorded", payload=audit)
    if raw.kind == "shift.closed":
        report = _payload(ZReportV1, raw)
        if report.period_end < report.period_start:
            raise MalformedEvent(raw.event_id, raw.seq, "a Z report's period ends before it starts")
        return ShiftClosed.model_construct(**fields, kind="shift.closed", payload=report)
    if raw.kind == "card.settled":
        settled = _payload(CardSettledV1, raw)
        _check_settled(raw, settled)
        return CardSettled.model_construct(**fields, kind="card.settled", payload=settled)
    returned: type[ReturnRecordedV1] = (
        ReturnRecordedV5
        if raw.schema_version >= 5
        else ReturnRecordedV4
        if raw.schema_version == 4
        else ReturnRecordedV3
        if raw.schema_version == 3
        else ReturnRecordedV2
        if raw.schema_version == 2
        else ReturnRecordedV1
    )
    document = _payload(returned, raw)
    if isinstance(document, ReturnRecordedV4):
        _check_units(raw, document.lines)
    if isinstance(document, ReturnRecordedV5):
        _check_tenders(raw, document.refunds, ("refunded", "stored"))
    return ReturnRecorded.model_construct(**fields, kind="return.recorded", payload=document)


def _check_units(raw: RawEvent, lines: Sequence[SaleLineV4 | ReturnLineV4]) -> None:
    """Raises MalformedEvent for a fraction of an `each` item (version 4 lines)."""
    for line in lines:
        if line.unit == "each" and line.quantity != line.quantity.to_integral_value():
            raise MalformedEvent(
                raw.event_id,
                raw.seq,
                f"line {line.line_no}: {line.quantity} of an item sold by the unit",
            )


def _check_tenders(
    raw: RawEvent, tenders: Sequence[TenderV3], card_statuses: tuple[str, ...]
) -> None:
    """Raises MalformedEvent for a version-5 tender that cannot say what it moved: a gift
    card or store credit without its account, a card tender without its card (or a card on
    another kind), a card status the document cannot have (a sale's card is captured or
    stored; a return's refunded or stored)."""
    for tender in tenders:
        where = f"tender {tender.tender_no}"
        if tender.kind in ("gift_card", "store_credit") and not tender.account:
            raise MalformedEvent(raw.event_id, raw.seq, f"{where}: {tender.kind} without account")
        if tender.kind == "card" and tender.card is None:
            raise MalformedEvent(raw.event_id, raw.seq, f"{where}: a card tender without card")
        if tender.kind != "card" and tender.card is not None:
            raise MalformedEvent(raw.event_id, raw.seq, f"{where}: card on a {tender.kind} tender")
        if tender.card is not None and tender.card.status not in card_statuses:
            raise MalformedEvent(
                raw.event_id, raw.seq, f"{where}: card status {tender.card.status} on a {raw.kind}"
            )


# What a stored card tender may become: a sale's is captured (or not), a return's refunded.
_SETTLED_OUTCOMES = {
    "sale": ("captured", "declined", "expired"),
    "return": ("refunded", "declined", "expired"),
}


def _check_settled(raw: RawEvent, settled: CardSettledV1) -> None:
    """Raises MalformedEvent for a `card.settled` that cannot be true: an amount not above
    zero, an outcome its document cannot have (a sale's card refunded, a return's captured),
    money moved without the acquirer's transaction id, a deadline before the card was taken."""
    if not settled.amount > 0:
        raise MalformedEvent(raw.event_id, raw.seq, "a settled card's amount must be above zero")
    if settled.outcome not in _SETTLED_OUTCOMES[settled.document_kind]:
        raise MalformedEvent(
            raw.event_id,
            raw.seq,
            f"a {settled.document_kind}'s card cannot be {settled.outcome}",
        )
    if settled.outcome in ("captured", "refunded") and not settled.transaction_id:
        raise MalformedEvent(
            raw.event_id, raw.seq, f"a card {settled.outcome} without its transaction_id"
        )
    try:
        for moment in (settled.taken_at, settled.deadline, settled.settled_at):
            moment.astimezone(UTC)
    except OverflowError:
        raise MalformedEvent(raw.event_id, raw.seq, "a time is out of range in UTC") from None
    if settled.deadline < settled.taken_at:
        raise MalformedEvent(raw.event_id, raw.seq, "a card's deadline is before it was taken")


def _check_gift_card_lines(raw: RawEvent, lines: Sequence[SaleLineV5]) -> None:
    """Raises MalformedEvent for a line loading a gift card with nothing (or less)."""
    for line in lines:
        if line.gift_card_number is not None and not line.line_total > 0:
            raise MalformedEvent(
                raw.event_id,
                raw.seq,
                f"line {line.line_no}: loads gift card with {line.line_total}, not more than zero",
            )


PayloadT = TypeVar("PayloadT", bound=Payload)


def _payload(model: type[PayloadT], raw: RawEvent) -> PayloadT:
    try:
        return model.model_validate(raw.payload)
    except ValidationError as error:
        raise MalformedEvent(raw.event_id, raw.seq, _summarize(error)) from None


def _summarize(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        location = ".".join(str(part) for part in item["loc"])
        parts.append(f"{location}: {item['msg']}")
    return "; ".join(parts)
