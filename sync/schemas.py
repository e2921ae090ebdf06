"""JSON Schemas of every sync message, as published in docs/schemas (see `vectis schemas`).

A test regenerates them and fails when the files differ, so the published contract can never
drift from the code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from sync import messages


class SaleCompletedVersion2(messages.EnvelopeFields):
    """A `sale.completed` event of schema version 2 (lines with their promotion and tax)."""

    kind: Literal["sale.completed"]
    payload: messages.SaleCompletedV2


class ReturnRecordedVersion2(messages.EnvelopeFields):
    """A `return.recorded` event of schema version 2 (lines with their promotion and tax)."""

    kind: Literal["return.recorded"]
    payload: messages.ReturnRecordedV2


class ReturnRecordedVersion3(messages.EnvelopeFields):
    """A `return.recorded` event of schema version 3 (a refund HQ approved)."""

    kind: Literal["return.recorded"]
    payload: messages.ReturnRecordedV3


class SaleCompletedVersion3(messages.EnvelopeFields):
    """A `sale.completed` event of schema version 3 (the handover of a B2B order)."""

    kind: Literal["sale.completed"]
    payload: messages.SaleCompletedV3


class SaleCompletedVersion4(messages.EnvelopeFields):
    """A `sale.completed` event of schema version 4 (weighed lines: decimal quantities and
    their unit)."""

    kind: Literal["sale.completed"]
    payload: messages.SaleCompletedV4


class ReturnRecordedVersion4(messages.EnvelopeFields):
    """A `return.recorded` event of schema version 4 (weighed lines: decimal quantities and
    their unit)."""

    kind: Literal["return.recorded"]
    payload: messages.ReturnRecordedV4


class SaleCompletedVersion5(messages.EnvelopeFields):
    """A `sale.completed` event of schema version 5 (card, gift-card and store-credit tenders;
    lines that load gift cards)."""

    kind: Literal["sale.completed"]
    payload: messages.SaleCompletedV5


class ReturnRecordedVersion5(messages.EnvelopeFields):
    """A `return.recorded` event of schema version 5 (refunds to a card, a gift card or store
    credit, each naming the sale's tender it pays back)."""

    kind: Literal["return.recorded"]
    payload: messages.ReturnRecordedV5


# File stem -> model. Events are published per kind and schema version.
MESSAGES: dict[str, type[BaseModel]] = {
    "push-request": messages.PushRequest,
    "push-response": messages.PushResponse,
    "raw-event": messages.RawEvent,
    "event.sale.completed.v1": messages.SaleCompleted,
    "event.sale.completed.v2": SaleCompletedVersion2,
    "event.sale.completed.v3": SaleCompletedVersion3,
    "event.sale.completed.v4": SaleCompletedVersion4,
    "event.sale.completed.v5": SaleCompletedVersion5,
    "event.return.recorded.v1": messages.ReturnRecorded,
    "event.return.recorded.v2": ReturnRecordedVersion2,
    "event.return.recorded.v3": ReturnRecordedVersion3,
    "event.return.recorded.v4": ReturnRecordedVersion4,
    "event.return.recorded.v5": ReturnRecordedVersion5,
    "event.refund.requested.v1": messages.RefundRequested,
    "event.b2b.cart_submitted.v1": messages.B2BCartSubmitted,
    "event.b2b.payment_composed.v1": messages.B2BPaymentComposed,
    "event.record.updated.v1": messages.RecordUpdated,
    "event.cash.moved.v1": messages.CashMoved,
    "event.audit.recorded.v1": messages.AuditRecorded,
    "event.shift.closed.v1": messages.ShiftClosed,
    "event.card.settled.v1": messages.CardSettled,
    "feed-page": messages.FeedPage,
    "snapshot-page": messages.SnapshotPage,
    "feed.product.v1": messages.ProductV1,
    "feed.price.v1": messages.PriceV1,
    "feed.stock_level.v1": messages.StockLevelV1,
    "feed.store.v1": messages.StoreFeedConfigV1,
    "feed.event_status.v1": messages.EventStatusV1,
    "feed.customer.v1": messages.RecordUpdatedV1,
    "feed.store_settings.v1": messages.RecordUpdatedV1,
    "feed.tax_rate.v1": messages.TaxRateV1,
    "feed.promotion.v1": messages.PromotionV1,
    "feed.refund_decision.v1": messages.RefundDecisionV1,
    "feed.b2b_approval.v1": messages.B2BApprovalV1,
    "feed.staff.v1": messages.StaffV1,
    "feed.staff_pin.v1": messages.RecordUpdatedV1,
    "enrol-request": messages.EnrolRequest,
    "enrol-response": messages.EnrolResponse,
    "credential-rotated": messages.CredentialRotated,
    "checksum-request": messages.ChecksumRequest,
    "checksum-response": messages.ChecksumResponse,
    "error": messages.ErrorBody,
}


def render() -> dict[str, str]:
    """File name -> JSON text of each schema, with the protocol version stamped in."""
    rendered = {}
    for stem, model in MESSAGES.items():
        schema: dict[str, Any] = model.model_json_schema(mode="validation")
        schema["$id"] = f"https://vectis-edge.invalid/schemas/{stem}.json"
        schema["x-protocol-version"] = messages.PROTOCOL_VERSION
        rendered[f"{stem}.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return rendered


def write(directory: Path) -> list[Path]:
    """Write every schema into `directory`, removing stale ones; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    wanted = render()
    for existing in directory.glob("*.json"):
        if existing.name not in wanted:
            existing.unlink()
    written = []
    for name, text in wanted.items():
        path = directory / name
        path.write_text(text)
        written.append(path)
    return written


def stale(directory: Path) -> list[str]:
    """Names of schema files that are missing, different or no longer generated."""
    wanted = render()
    present = (
        {path.name: path.read_text() for path in directory.glob("*.json")}
        if directory.exists()
        else {}
    )
    differing = [name for name, text in wanted.items() if present.get(name) != text]
    extra = [name for name in present if name not in wanted]
    return sorted(differing + extra)
