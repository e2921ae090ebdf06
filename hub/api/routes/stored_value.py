"""Gift cards and store credit: the balance a store asks before a spend (its sync credential)
and HQ's view of an account with every movement."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from hub.api.deps import HqCaller, NodeCaller, RuntimeDep
from hub.domain.tenders import AccountRecord, StoredValueKind
from hub.service import stored_value
from shared.bounds import Identifier
from shared.money import Money
from sync.messages import StoredValueBalanceV1

router = APIRouter(tags=["Tenders"])

AccountPath = Annotated[Identifier, Path(description="A gift card's number or a customer id")]


def _money(minor: int, currency: str) -> str:
    return str(Money.from_minor(minor, currency).amount)


@router.get("/v1/sync/stored-value/{kind}/{account}", response_model=StoredValueBalanceV1)
async def balance(
    kind: Literal["gift_card", "store_credit"],
    account: AccountPath,
    runtime: RuntimeDep,
    _: NodeCaller,
) -> StoredValueBalanceV1:
    """A gift card's or a customer's store-credit balance after every movement the hub has
    recorded (any store's), for a till about to take it as a tender. 404 `unknown_account`:
    no movement ever named it (a gift card never activated)."""
    held = await stored_value.account_of(kind, account, runtime.uow)
    return StoredValueBalanceV1(
        kind=kind,
        account=account,
        balance=Money.from_minor(held.balance_minor, held.currency).amount,
        currency=held.currency,
        status="blocked" if held.status == "blocked" else "active",
        as_of=runtime.uow.now(),
    )


class MovementOut(BaseModel):
    at: datetime = Field(description="The business time of the document that moved it")
    kind: str = Field(
        description="gift cards: activation, redemption, refund, adjustment; "
        "store credit: issue, spend, refund, adjustment"
    )
    amount: str = Field(description="Signed: + loads the account, - spends it")
    balance_after: str
    document_id: UUID = Field(description="The sale or return that moved it")
    store_id: str


class AccountOut(BaseModel):
    balance: str
    currency: str
    status: str = Field(description="active or blocked")
    activated_at: datetime | None = Field(
        description="When it was first loaded (gift card) or issued (store credit)"
    )
    store_id: str | None = Field(description="The store that first loaded or issued it")
    movements: list[MovementOut] = Field(description="Oldest first (the newest 1000)")


class GiftCardOut(AccountOut):
    number: str


class StoreCreditOut(AccountOut):
    customer_id: str


def _account(history: stored_value.AccountHistory) -> dict[str, object]:
    held: AccountRecord = history.account
    return {
        "balance": _money(held.balance_minor, held.currency),
        "currency": held.currency,
        "status": held.status,
        "activated_at": held.activated_at,
        "store_id": held.store_id,
        "movements": [
            MovementOut(
                at=item.business_time,
                kind=item.movement,
                amount=_money(item.amount_minor, held.currency),
                balance_after=_money(item.balance_after_minor, held.currency),
                document_id=item.document_id,
                store_id=item.store_id,
            )
            for item in history.movements
        ],
    }


async def _history(
    kind: StoredValueKind, account: str, runtime: RuntimeDep
) -> stored_value.AccountHistory:
    return await stored_value.account_history(kind, account, 1000, runtime.uow)


@router.get("/v1/gift-cards/{number}", response_model=GiftCardOut)
async def gift_card(
    number: Annotated[Identifier, Path()], runtime: RuntimeDep, _: HqCaller
) -> GiftCardOut:
    """A gift card's balance and movements (activations, redemptions, refunds) across every
    store. 404 `unknown_account`."""
    history = await _history("gift_card", number, runtime)
    return GiftCardOut.model_validate({"number": number, **_account(history)})


@router.get("/v1/store-credit/{customer_id}", response_model=StoreCreditOut)
async def store_credit(
    customer_id: Annotated[Identifier, Path()], runtime: RuntimeDep, _: HqCaller
) -> StoreCreditOut:
    """A customer's store credit and its movements (issued by returns, spent as a tender,
    refunded back). 404 `unknown_account`."""
    history = await _history("store_credit", customer_id, runtime)
    return StoreCreditOut.model_validate({"customer_id": customer_id, **_account(history)})
