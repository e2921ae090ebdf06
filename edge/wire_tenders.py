"""Version 5 of sales and returns on the wire: tenders beyond cash (edge.wire writes it only
for a document with a card, gift-card or store-credit tender, or a line loading a gift
card), and the `card.settled` payload of a card taken or refunded offline."""

from __future__ import annotations

from typing import Any

from edge.domain.documents import ELECTRONIC_KINDS, Return, Sale, Tender
from edge.wire_lines import weighed_return_lines, weighed_sale_lines
from sync.messages import (
    CardTenderV1,
    ReturnRecordedV5,
    SaleCompletedV5,
    SaleLineV5,
    TenderV3,
)


def sale_needs_v5(sale: Sale) -> bool:
    """Whether a sale travels as version 5: a card, gift-card or store-credit tender, or a
    line loading a gift card."""
    return any(tender.kind in ELECTRONIC_KINDS for tender in sale.tenders) or any(
        line.gift_card_number for line in sale.lines
    )


def return_needs_v5(sales_return: Return) -> bool:
    """Whether a return travels as version 5: a refund to a card, gift card or store credit,
    or one that names the sale's tender it pays back."""
    return any(
        tender.kind in ELECTRONIC_KINDS or tender.original_tender_no is not None
        for tender in sales_return.refunds
    )


def tender_v3(tender: Tender) -> TenderV3:
    card = tender.card
    return TenderV3(
        tender_no=tender.tender_no,
        kind=tender.kind,
        amount=tender.amount.amount,
        tendered=tender.tendered.amount,
        change=tender.change.amount,
        tender_id=tender.tender_id,
        account=tender.account,
        card=None
        if card is None
        else CardTenderV1(
            status=card.status,
            transaction_id=card.transaction_id,
            brand=card.brand,
            last4=card.last4,
            deadline=card.deadline,
        ),
        original_tender_no=tender.original_tender_no,
    )


def sale_v5(sale: Sale, fields: dict[str, Any]) -> SaleCompletedV5:
    """The sale as version 5 (`fields`: edge.wire's common sale fields)."""
    lines = [
        SaleLineV5(**line.model_dump(), gift_card_number=source.gift_card_number)
        for line, source in zip(weighed_sale_lines(sale), sale.lines, strict=True)
    ]
    return SaleCompletedV5(
        **{**fields, "tenders": [tender_v3(tender) for tender in sale.tenders]},
        lines=lines,
        b2b_order_id=sale.b2b_order_id,
    )


def return_v5(sales_return: Return, fields: dict[str, Any]) -> ReturnRecordedV5:
    """The return as version 5 (`fields`: edge.wire's common return fields)."""
    return ReturnRecordedV5(
        **{**fields, "refunds": [tender_v3(tender) for tender in sales_return.refunds]},
        lines=weighed_return_lines(sales_return),
        refund_request_id=sales_return.refund_request_id,
    )
