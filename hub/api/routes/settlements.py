"""HQ's card settlement: each store's card money of a UTC day against the acquirer's
settlement report, reconciled on demand or daily, and the verdicts kept."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from hub.api.deps import HqCaller, RuntimeDep
from hub.domain.settlements import CardMoney, CardSettlement
from hub.service import settlements
from shared.bounds import Cursor, Day, Identifier
from shared.money import Money

router = APIRouter(prefix="/v1/settlements", tags=["Integrity"])


class CardMoneyOut(BaseModel):
    captured: str = Field(description="Card sales captured, decimal text")
    refunded: str = Field(description="Card refunds, positive, decimal text")
    net: str = Field(description="captured less refunded")
    count: int = Field(description="Captures and refunds behind the figures")

    @classmethod
    def of(cls, money: CardMoney, currency: str) -> CardMoneyOut:
        def text(minor: int) -> str:
            return str(Money.from_minor(minor, currency).amount)

        return cls(
            captured=text(money.captured_minor),
            refunded=text(money.refunded_minor),
            net=text(money.net_minor),
            count=money.count,
        )


class SettlementOut(BaseModel):
    store_id: str
    day: date = Field(description="The UTC day the money moved at the acquirer")
    currency: str
    status: Literal["matched", "mismatch"] = Field(
        description="mismatch: captured or refunded differ (an integrity alert was raised)"
    )
    hub: CardMoneyOut = Field(description="The card tenders the store's tills recorded")
    acquirer: CardMoneyOut = Field(description="What the acquirer settled for the store")
    difference: str = Field(description="acquirer net less hub net (negative: short)")
    reconciled_at: datetime

    @classmethod
    def of(cls, verdict: CardSettlement) -> SettlementOut:
        return cls(
            store_id=verdict.store_id,
            day=verdict.day,
            currency=verdict.currency,
            status=verdict.status,
            hub=CardMoneyOut.of(verdict.hub, verdict.currency),
            acquirer=CardMoneyOut.of(verdict.acquirer, verdict.currency),
            difference=str(Money.from_minor(verdict.difference_minor, verdict.currency).amount),
            reconciled_at=verdict.reconciled_at,
        )


class ReconciledOut(BaseModel):
    day: date
    settlements: list[SettlementOut] = Field(description="One per store with card money")


class SettlementPageOut(BaseModel):
    settlements: list[SettlementOut]
    next_offset: int = Field(description="Pass as `offset` for the next page")


@router.post("/{day}/reconcile", response_model=ReconciledOut)
async def reconcile(runtime: RuntimeDep, _: HqCaller, day: Annotated[Day, Path()]) -> ReconciledOut:
    """Reconcile UTC `day`: per store, the hub's card money (card tenders captured online,
    cards forwarded later and settled `captured`, less card refunds) against the acquirer's
    settlement report; keeps each verdict (replacing the day's earlier ones) and raises an
    integrity alert per mismatch. Safe to repeat. 409 `acquirer_not_configured`; 422
    `invalid_request` (a day after today, UTC); 503
    `acquirer_unavailable`: it did not answer with a report (nothing kept)."""
    verdicts = await settlements.reconcile_day(
        settlements.ReconcileDay(day), runtime.uow, runtime.acquirer
    )
    return ReconciledOut(day=day, settlements=[SettlementOut.of(v) for v in verdicts])


@router.get("", response_model=SettlementPageOut)
async def list_settlements(
    runtime: RuntimeDep,
    _: HqCaller,
    first_day: Annotated[Day | None, Query(alias="from")] = None,
    last_day: Annotated[Day | None, Query(alias="to")] = None,
    store_id: Annotated[Identifier | None, Query()] = None,
    status: Literal["matched", "mismatch"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[Cursor, Query()] = 0,
) -> SettlementPageOut:
    """The kept reconciliations by UTC day (from/to inclusive), then store."""
    rows = await settlements.list_settlements(
        first_day=first_day,
        last_day=last_day,
        store_id=store_id,
        status=status,
        limit=limit,
        offset=offset,
        uow=runtime.uow,
    )
    return SettlementPageOut(
        settlements=[SettlementOut.of(row) for row in rows], next_offset=offset + len(rows)
    )
