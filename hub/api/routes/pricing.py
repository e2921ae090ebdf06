"""Tax rates and promotions: set by HQ, published to every store, never edited there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from hub.api.deps import HqCaller, RuntimeDep
from hub.api.schemas import PromotionIn, PromotionOut, TaxCode, TaxRateIn, TaxRateOut
from hub.service import catalogue
from shared.bounds import Identifier
from sync.messages import PromotionV1

router = APIRouter(prefix="/v1", tags=["Tax and promotions"])
PromotionId = Annotated[Identifier, Path()]


@router.put("/tax-rates/{code}", response_model=TaxRateOut)
async def put_tax_rate(
    code: Annotated[TaxCode, Path()], body: TaxRateIn, runtime: RuntimeDep, _: HqCaller
) -> TaxRateOut:
    """Set a tax code's rate; a changed rate gets the next version and reaches every store's
    feed. Products name their code in the catalogue import (`tax_code`)."""
    published = await catalogue.put_tax_rate(catalogue.PutTaxRate(code, body.rate), runtime.uow)
    return TaxRateOut(
        code=code, rate=body.rate, version=published.version, changed=published.changed
    )


@router.get("/tax-rates", response_model=list[TaxRateOut])
async def list_tax_rates(runtime: RuntimeDep, _: HqCaller) -> list[TaxRateOut]:
    return [
        TaxRateOut(code=rate.code, rate=rate.rate, version=rate.version)
        for rate in await catalogue.tax_rates(runtime.uow)
    ]


@router.put("/promotions/{promotion_id}", response_model=PromotionOut)
async def put_promotion(
    promotion_id: PromotionId, body: PromotionIn, runtime: RuntimeDep, _: HqCaller
) -> PromotionOut:
    """Create or change a percent-off promotion; `active: false` ends it. Tills give each line
    the best promotion in force when it is scanned; they do not stack."""
    published = await catalogue.put_promotion(
        catalogue.PutPromotion(
            promotion_id=promotion_id,
            name=body.name,
            skus=body.skus,
            percent_off=body.percent_off,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            active=body.active,
        ),
        runtime.uow,
    )
    return PromotionOut(
        promotion_id=promotion_id,
        name=body.name,
        skus=sorted(set(body.skus)),
        percent_off=body.percent_off,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        active=body.active,
        version=published.version,
        changed=published.changed,
    )


@router.get("/promotions", response_model=list[PromotionOut])
async def list_promotions(runtime: RuntimeDep, _: HqCaller) -> list[PromotionOut]:
    return [_out(promotion) for promotion in await catalogue.promotions(runtime.uow)]


def _out(promotion: PromotionV1) -> PromotionOut:
    return PromotionOut(
        promotion_id=promotion.promotion_id,
        name=promotion.name,
        skus=promotion.skus,
        percent_off=promotion.percent_off,
        starts_at=promotion.starts_at,
        ends_at=promotion.ends_at,
        active=promotion.active,
        version=promotion.version,
    )
