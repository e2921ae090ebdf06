"""HQ's view of the tills' Z reports, each as the till made it and what the ledger said."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from hub.api.deps import HqCaller, RuntimeDep
from hub.domain.z_reports import KeptZReport
from hub.service import z_reports
from shared.bounds import Cursor, Identifier
from shared.money import Money
from sync.messages import ZReportV1

router = APIRouter(prefix="/v1/z-reports", tags=["Integrity"])


class LedgerCheckOut(BaseModel):
    status: str = Field(description="confirmed, mismatch (an integrity alert), or pending")
    documents: int | None = None
    net_sales: str | None = None
    tax: str | None = None
    expected_cash: str | None = None


class ZReportOut(BaseModel):
    store_id: str
    node_id: str
    report: ZReportV1 = Field(description="The Z report as the till made it")
    ledger: LedgerCheckOut = Field(description="The ledger's figures for its till and period")

    @classmethod
    def of(cls, kept: KeptZReport) -> ZReportOut:
        def money(minor: int) -> str:
            return str(Money.from_minor(minor, kept.currency).amount)

        ledger = kept.ledger
        return cls(
            store_id=kept.store_id,
            node_id=kept.node_id,
            report=ZReportV1.model_validate(kept.payload),
            ledger=LedgerCheckOut(status=kept.status)
            if ledger is None
            else LedgerCheckOut(
                status=kept.status,
                documents=ledger.documents,
                net_sales=money(ledger.net_sales_minor),
                tax=money(ledger.tax_minor),
                expected_cash=money(ledger.expected_cash_minor),
            ),
        )


class ZReportPageOut(BaseModel):
    z_reports: list[ZReportOut]
    next_offset: int = Field(description="Pass as `offset` for the next page")


@router.get("", response_model=ZReportPageOut)
async def list_z_reports(
    runtime: RuntimeDep,
    _: HqCaller,
    store_id: Annotated[Identifier | None, Query()] = None,
    first_day: Annotated[date | None, Query(alias="from")] = None,
    last_day: Annotated[date | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[Cursor, Query()] = 0,
) -> ZReportPageOut:
    """The tills' Z reports, by store, business day (from/to inclusive), till and Z number,
    each with the ledger's check (a mismatch is also an integrity alert)."""
    rows = await z_reports.list_z_reports(
        store_id=store_id,
        first_day=first_day,
        last_day=last_day,
        limit=limit,
        offset=offset,
        uow=runtime.uow,
    )
    return ZReportPageOut(
        z_reports=[ZReportOut.of(row) for row in rows], next_offset=offset + len(rows)
    )
