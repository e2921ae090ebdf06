"""Tenders beyond cash at the till: offline card limits, the card payment log, forwarding,
and the balance enquiry of gift cards and store credit."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from edge.api.deps import IdentityDep, RuntimeDep
from edge.api.schemas.tenders import BalanceOut, CardPaymentOut, ForwardOut, OfflineCardsOut
from edge.api.session import SessionDep, SignedInRoute
from edge.jobs.card_forwarder import forward_card_payments
from edge.service import card_payments, staff, tendering
from shared.bounds import CustomerId, GiftCardNumber, TillId

router = APIRouter(prefix="/v1", tags=["Tenders"], route_class=SignedInRoute)

PaymentStatus = Literal[
    "pending", "captured", "refunded", "declined", "stored", "settled", "reversed"
]


@router.get("/tills/{till_id}/tenders", response_model=OfflineCardsOut)
async def offline_cards(
    till_id: Annotated[TillId, Path()],
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
) -> OfflineCardsOut:
    """The till's offline card position: the store's limits, what is taken offline and not
    yet forwarded, the headroom for one more and the oldest deadline. 401 `till_mismatch`
    for another till than the session's."""
    staff.require_till(session, till_id)
    status = await runtime.read(
        lambda uow: card_payments.offline_card_status(uow, identity, till_id)
    )
    return OfflineCardsOut.of(till_id, status, runtime.tender_ports.terminal is not None)


@router.get("/card-payments", response_model=list[CardPaymentOut])
async def card_payment_log(
    runtime: RuntimeDep,
    status: Annotated[list[PaymentStatus] | None, Query()] = None,
    till_id: Annotated[TillId | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CardPaymentOut]:
    """The card payments this node asked for, oldest first: by default those a manager acts
    on (stored offline, pending, declined, settled)."""
    wanted = status or ["pending", "stored", "declined", "settled"]
    payments = await runtime.read(
        lambda uow: uow.card_payments.with_status(wanted, till_id=till_id, limit=limit)
    )
    return [CardPaymentOut.of(payment) for payment in payments]


@router.post("/card-payments/forward", response_model=ForwardOut)
async def forward_now(runtime: RuntimeDep) -> ForwardOut:
    """Forward the cards taken offline now (the job does it every 15 s): expired ones are
    settled as expired, the others sent in order until the acquirer stops answering."""
    run = await forward_card_payments(
        runtime.transactions, lambda: runtime.identity, lambda: runtime.tender_ports.terminal
    )
    return ForwardOut.of(run)


@router.get("/gift-cards/{number}", response_model=BalanceOut)
async def gift_card_balance(
    number: Annotated[GiftCardNumber, Path()], runtime: RuntimeDep, identity: IdentityDep
) -> BalanceOut:
    """A gift card's balance: from the hub live, or the last one this store knew (offline),
    with what may be spent offline now. 404 `unknown_account`."""
    enquiry = await tendering.enquire_balance(
        "gift_card", number, runtime.transactions, runtime.tender_ports.ledger, identity
    )
    return BalanceOut.of(enquiry)


@router.get("/store-credit/{customer_id}", response_model=BalanceOut)
async def store_credit_balance(
    customer_id: Annotated[CustomerId, Path()], runtime: RuntimeDep, identity: IdentityDep
) -> BalanceOut:
    """A customer's store-credit balance, like a gift card's. 404 `unknown_account`."""
    enquiry = await tendering.enquire_balance(
        "store_credit", customer_id, runtime.transactions, runtime.tender_ports.ledger, identity
    )
    return BalanceOut.of(enquiry)
