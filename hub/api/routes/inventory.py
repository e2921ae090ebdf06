"""Catalogue import and ERP stock push (`pushExternalStock`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from hub.api.deps import ErpCaller, HqCaller, RuntimeDep
from hub.api.schemas import (
    CatalogueImportIn,
    CatalogueImportOut,
    MovementOut,
    MovementPageOut,
    StockPushIn,
    StockPushOut,
)
from hub.service.catalogue import CatalogueItem, ImportCatalogue, import_catalogue
from hub.service.stock import (
    PushExternalStock,
    StockCount,
    movement_export,
    push_external_stock,
    stock_levels,
)
from shared.bounds import Identifier

router = APIRouter(prefix="/v1", tags=["Catalogue and stock"])


@router.post("/catalogue/import", response_model=CatalogueImportOut)
async def import_items(
    body: CatalogueImportIn, runtime: RuntimeDep, _: ErpCaller
) -> CatalogueImportOut:
    """Upsert products and prices (HQ or ERP). Changed items are published to every store."""
    result = await import_catalogue(
        ImportCatalogue(
            [
                CatalogueItem(
                    sku=item.sku,
                    description=item.description,
                    kind=item.kind,
                    track_inventory=item.track_inventory
                    if item.track_inventory is not None
                    else item.kind == "stock",
                    unit_price=item.unit_price,
                    currency=item.currency,
                    gtin=item.gtin,
                    unit=item.unit,
                    price_list=item.price_list,
                    tax_code=item.tax_code,
                    tax_code_given="tax_code" in item.model_fields_set,
                )
                for item in body.items
            ]
        ),
        runtime.uow,
    )
    return CatalogueImportOut(
        received=result.received,
        products_changed=result.products_changed,
        prices_changed=result.prices_changed,
    )


@router.post("/erp/stock", response_model=StockPushOut)
async def push_stock(body: StockPushIn, runtime: RuntimeDep, _: ErpCaller) -> StockPushOut:
    """Absolute on-hand counts of one location, recorded as movements (pushExternalStock)."""
    result = await push_external_stock(
        PushExternalStock(
            body.location_id,
            [StockCount(count.sku, count.on_hand) for count in body.counts],
            body.external_reference,
            body.as_of,
        ),
        runtime.uow,
    )
    return StockPushOut(
        received=result.received,
        adjusted=result.adjusted,
        unknown_skus=result.unknown_skus,
        untracked_skus=result.untracked_skus,
    )


@router.get("/erp/stock/movements", response_model=MovementPageOut)
async def movements(
    runtime: RuntimeDep,
    _: ErpCaller,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    location_id: Annotated[Identifier | None, Query()] = None,
) -> MovementPageOut:
    """Every stock movement (sales, returns, ERP counts) after `cursor`, in an order no late
    commit can jump. Keep the cursor of the last one read; send it as `as_of` with a count."""
    page = await movement_export(
        cursor=cursor, limit=limit, location_id=location_id, uow=runtime.uow
    )
    return MovementPageOut(
        movements=[
            MovementOut(
                cursor=record.cursor,
                movement_id=record.movement_id,
                location_id=record.location_id,
                sku=record.sku,
                quantity_delta=record.quantity_delta,
                reason=record.reason,
                document_id=record.document_id,
                external_reference=record.external_reference,
                recorded_at=record.recorded_at,
            )
            for record in page.movements
        ],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@router.get("/stores/{store_id}/stock", response_model=dict[str, int])
async def get_stock(
    store_id: Annotated[Identifier, Path()], runtime: RuntimeDep, _: HqCaller
) -> dict[str, int]:
    """On-hand units per SKU at the store: opening counts plus every movement since."""
    return await stock_levels(store_id, runtime.uow)
