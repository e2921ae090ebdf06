"""The returns desk's calls to the edge (docs/api.md: `GET /v1/sales/by-receipt/{receipt}`,
`POST /v1/returns`, "Refund approvals") and the parts of their answers the desk shows.

Every call that records something carries an id the till chose before sending it
(`return_id`, `request_id`), so the same call retried after no answer records nothing twice.
`approval` is a manager's override (staff code, PIN) from `OverrideDialog`, sent as the
override headers on that one request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from uuid import UUID

from pydantic import TypeAdapter

from pos_ui.client import TillClient
from pos_ui.dialogs.override import override_headers
from pos_ui.models import Answer


class ReceiptLine(Answer):
    """A line of the receipt: what was sold, at what it was paid."""

    line_no: int
    sku: str
    description: str | None = None
    quantity: Decimal
    unit_price: Decimal
    line_total: Decimal


class CardRef(Answer):
    status: str | None = None
    brand: str | None = None
    last4: str | None = None


class PaidTender(Answer):
    """A tender of a sale, or a refund tender of a return (`original_tender_no` set)."""

    tender_no: int
    kind: str
    amount: Decimal
    account: str | None = None
    card: CardRef | None = None
    original_tender_no: int | None = None


class Receipt(Answer):
    """`GET /v1/sales/by-receipt/{receipt}`: the sale a receipt names."""

    sale_id: UUID
    receipt_number: str
    total: Decimal
    customer_id: str | None = None
    lines: list[ReceiptLine]
    tenders: list[PaidTender]


class ReturnLine(Answer):
    sku: str
    description: str | None = None
    quantity: Decimal
    line_total: Decimal


class Returned(Answer):
    """`ReturnOut`: the return recorded, its receipt number and each refund tender."""

    return_id: UUID
    receipt_number: str
    original_sale_id: UUID | None = None
    lines: list[ReturnLine]
    refunds: list[PaidTender]
    total: Decimal
    tax: Decimal = Decimal(0)
    refund_request_id: UUID | None = None


class RequestLine(Answer):
    """A line of a refund request: the units asked for (`original_line_no`: of the receipt)."""

    sku: str
    quantity: Decimal
    original_line_no: int | None = None


class RefundRequest(Answer):
    """`RefundRequestOut`: a refund asked of HQ and where it stands."""

    request_id: UUID
    status: str
    heard_from_hub: bool = False
    amount: Decimal
    requested_by: str | None = None
    reason: str | None = None
    original_sale_id: UUID | None = None
    original_receipt_number: str | None = None
    lines: list[RequestLine] = []
    decided_by: str | None = None
    decided_at: datetime | None = None
    notes: str | None = None
    executed_return_id: UUID | None = None

    @property
    def decided(self) -> bool:
        """HQ has answered (or the request is over): nothing more to wait for."""
        return self.status != "pending"


async def sale_by_receipt(client: TillClient, receipt: str) -> Receipt:
    """The sale of a receipt barcode as scanned (`R:T1-0000042`) or its number as typed.
    Raises EdgeRefused (404 `sale_not_found`, 422 `bad_receipt_barcode`)."""
    path = f"/v1/sales/by-receipt/{quote(receipt.strip(), safe='')}"
    return await client.call(Receipt, "GET", path)


async def record_return(
    client: TillClient,
    return_id: UUID,
    body: Mapping[str, Any],
    approval: tuple[str, str] | None = None,
) -> Returned:
    """`POST /v1/returns` of `body` (without `till_id` and `return_id`: added here). Raises
    EdgeRefused (403 `not_permitted`, 409 `refund_needs_approval`, 422 ...)."""
    payload = {**body, "till_id": client.till_id, "return_id": str(return_id)}
    return await client.call(
        Returned, "POST", "/v1/returns", json=payload, headers=override_headers(approval)
    )


async def ask_hq(
    client: TillClient,
    request_id: UUID,
    body: Mapping[str, Any],
    requested_by: str,
) -> RefundRequest:
    """`POST /v1/refund-requests`: ask HQ to approve the refund `body` would make."""
    payload = {
        **body,
        "till_id": client.till_id,
        "request_id": str(request_id),
        "requested_by": requested_by,
    }
    return await client.call(RefundRequest, "POST", "/v1/refund-requests", json=payload)


async def refund_request(client: TillClient, request_id: UUID) -> RefundRequest:
    """Where the request stands on this node (404 `refund_request_not_found`)."""
    return await client.call(RefundRequest, "GET", f"/v1/refund-requests/{request_id}")


_REQUESTS = TypeAdapter(list[RefundRequest])


async def open_requests_for(client: TillClient, sale_id: UUID) -> list[RefundRequest]:
    """The refund requests against sale `sale_id` this node holds that are still to be
    decided or made (`pending`, `approved`), newest first. Reads the node's 500 newest
    requests (`GET /v1/refund-requests?limit=500`): an older one is not found."""
    response = await client.request("GET", "/v1/refund-requests", params={"limit": 500})
    return [
        request
        for request in _REQUESTS.validate_python(response.json())
        if request.original_sale_id == sale_id and request.status in ("pending", "approved")
    ]


async def complete_refund(
    client: TillClient,
    request_id: UUID,
    return_id: UUID,
    refund: Mapping[str, Any] | None = None,
    approval: tuple[str, str] | None = None,
) -> Returned:
    """Make an approved refund (`POST /v1/refund-requests/{id}/complete`). Raises
    EdgeRefused (409 `refund_not_approved`, 403 `not_permitted` for store credit...)."""
    payload: dict[str, Any] = {"till_id": client.till_id, "return_id": str(return_id)}
    if refund is not None:
        payload["refund"] = dict(refund)
    return await client.call(
        Returned,
        "POST",
        f"/v1/refund-requests/{request_id}/complete",
        json=payload,
        headers=override_headers(approval),
    )


TENDER_WORDS = {
    "cash": "Cash refund",
    "card": "Card refund",
    "gift_card": "Gift card refund",
    "store_credit": "Store credit refund",
    "on_account": "Account refund",
}


def refund_tender_text(tender: PaidTender) -> str:
    """One refund tender as the return receipt names it: `Card refund 8.87 VISA ****4242`."""
    words = f"{TENDER_WORDS.get(tender.kind, tender.kind)} {tender.amount:.2f}"
    if tender.card is not None:
        if tender.card.brand or tender.card.last4:
            words += f"  {tender.card.brand or ''} ****{tender.card.last4 or ''}".rstrip()
        if tender.card.status == "stored":
            words += "  stored offline"
    elif tender.kind == "gift_card" and tender.account:
        words += f"  Card ****{tender.account[-4:]}"
    elif tender.kind == "store_credit" and tender.account:
        words += f"  Customer {tender.account}"
    return words
