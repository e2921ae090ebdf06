"""Catalogue import and ERP stock push (`pushExternalStock`)."""

from __future__ import annotations

from fastapi import APIRouter

from hub.api.deps import ErpCaller, HqCaller, RuntimeDep
from hub.api.schemas import CatalogueImportIn, CatalogueImportOut, StockPushIn, StockPushOut
from hub.service.catalogue import CatalogueItem, import_catalogue
from hub.service.stock import StockCount, push_external_stock, stock_levels

router = APIRouter(prefix="/v1", tags=["Catalogue and stock"])


@router.post("/catalogue/import", response_model=CatalogueImportOut)
async def import_items(
    body: CatalogueImportIn, runtime: RuntimeDep, _: ErpCaller
) -> CatalogueImportOut:
    """Upsert products and prices (HQ or ERP). Changed items are published to every store."""
    result = await import_catalogue(
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
                price_list=item.price_list,
            )
            for item in body.items
        ],
        runtime.database,
        runtime.clock,
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
        body.location_id,
        [StockCount(count.sku, count.on_hand) for count in body.counts],
        runtime.database,
        runtime.clock,
        body.external_reference,
    )
    return StockPushOut(
        received=result.received,
        adjusted=result.adjusted,
        unknown_skus=result.unknown_skus,
        untracked_skus=result.untracked_skus,
    )


@router.get("/stores/{store_id}/stock", response_model=dict[str, int])
async def get_stock(store_id: str, runtime: RuntimeDep, _: HqCaller) -> dict[str, int]:
    """On-hand units per SKU at the store: opening counts plus every movement since."""
    return await stock_levels(store_id, runtime.database)
