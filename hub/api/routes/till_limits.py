"""Till limits: what a store's tills may ring up or pay out on their own (HQ sets them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from hub.api.deps import HqCaller, RuntimeDep
from hub.domain.stores import StoreRecord
from hub.errors import InvalidRequest
from hub.service import till_limits
from shared.bounds import MAX_AMOUNT
from shared.money import DecimalText, Money
from shared.till_limits import LINE_QUANTITY_CEILING

router = APIRouter(prefix="/v1", tags=["Till limits"])

# The most any line or document may hold at a till (shared.bounds.MAX_AMOUNT): a limit above
# it would never apply.
_MAX_LIMIT = MAX_AMOUNT
Limit = Annotated[DecimalText, Field(ge=0, le=_MAX_LIMIT)]


class TillLimitsIn(BaseModel):
    """Every limit at once: one left out or null takes its default (GET shows them)."""

    model_config = ConfigDict(extra="forbid")
    refund_approval_over: Limit | None = Field(
        default=None, description="A refund above this needs HQ's approval (default 250.00)"
    )
    no_receipt_refund_over: Limit | None = Field(
        default=None,
        description="A refund without a receipt above this needs HQ's approval (default 100.00)",
    )
    line_quantity_max: int | None = Field(
        default=None,
        ge=1,
        le=LINE_QUANTITY_CEILING,
        description="Units on one line of a sale or of a refund without a receipt, at most "
        "(default 9999)",
    )
    line_amount_max: Limit | None = Field(
        default=None, description="One line's total, at most (default 10000.00)"
    )
    sale_total_max: Limit | None = Field(
        default=None, description="One sale's total, at most (default 25000.00)"
    )
    no_receipt_above_catalogue_price: bool | None = Field(
        default=None,
        description="Whether a refund without a receipt may refund more per unit than the "
        "catalogue's current price (default false)",
    )


class TillLimitsInForce(BaseModel):
    refund_approval_over: DecimalText
    no_receipt_refund_over: DecimalText
    line_quantity_max: int
    line_amount_max: DecimalText
    sale_total_max: DecimalText
    no_receipt_above_catalogue_price: bool


class TillLimitsOut(BaseModel):
    store_id: str
    currency: str
    config_version: int
    set_by_hq: TillLimitsIn = Field(description="What HQ set; null: the default applies")
    in_force: TillLimitsInForce = Field(description="The limits the store's tills apply")


@router.get("/stores/{store_id}/till-limits", response_model=TillLimitsOut)
async def get_till_limits(store_id: str, runtime: RuntimeDep, _: HqCaller) -> TillLimitsOut:
    """The store's till limits: what HQ set, and what its tills apply (defaults included)."""
    return _out(await till_limits.get_till_limits(store_id, runtime.uow))


@router.put("/stores/{store_id}/till-limits", response_model=TillLimitsOut)
async def put_till_limits(
    store_id: str, body: TillLimitsIn, runtime: RuntimeDep, _: HqCaller
) -> TillLimitsOut:
    """Set every till limit of the store at once (one left out: its default); reaches its
    tills through the store's feed."""
    try:
        store = await till_limits.set_till_limits(
            till_limits.SetTillLimits(store_id, **body.model_dump()), runtime.uow
        )
    except ValueError as error:
        raise InvalidRequest(str(error)) from None
    return _out(store)


def _out(store: StoreRecord) -> TillLimitsOut:
    currency = store.currency
    held = store.limits
    force = held.in_force(currency)

    def amount(minor: int | None) -> Decimal | None:
        return Money.from_minor(minor, currency).amount if minor is not None else None

    return TillLimitsOut(
        store_id=store.store_id,
        currency=currency,
        config_version=store.config_version,
        set_by_hq=TillLimitsIn(
            refund_approval_over=amount(held.refund_approval_over_minor),
            no_receipt_refund_over=amount(held.no_receipt_refund_over_minor),
            line_quantity_max=held.line_quantity_max,
            line_amount_max=amount(held.line_amount_max_minor),
            sale_total_max=amount(held.sale_total_max_minor),
            no_receipt_above_catalogue_price=held.no_receipt_above_catalogue_price,
        ),
        in_force=TillLimitsInForce(
            refund_approval_over=force.refund_approval_over.amount,
            no_receipt_refund_over=force.no_receipt_refund_over.amount,
            line_quantity_max=force.line_quantity_max,
            line_amount_max=force.line_amount_max.amount,
            sale_total_max=force.sale_total_max.amount,
            no_receipt_above_catalogue_price=force.no_receipt_above_catalogue_price,
        ),
    )
