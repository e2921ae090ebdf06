"""The hub-authoritative catalogue: products, prices per price list, tax rates, promotions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.adapters.repositories.sql import chunks, is_postgres, json_value, one_of, upsert
from hub.domain.catalogue import (
    PriceRecord,
    ProductRecord,
    PromotionRecord,
    TaxRateRecord,
)


class CatalogueRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def products(self, skus: Sequence[str]) -> dict[str, ProductRecord]:
        found: dict[str, ProductRecord] = {}
        for chunk in chunks(skus):
            rows = await self._connection.execute(
                select(tables.product).where(one_of(self._connection, tables.product.c.sku, chunk))
            )
            for row in rows:
                found[row.sku] = _product(row)
        return found

    async def sale_terms(
        self, skus: Sequence[str], price_list: str
    ) -> dict[str, tuple[bool, PriceRecord | None]]:
        """What ingest checks a sale against, in one query: per SKU in the catalogue, whether
        its inventory is tracked, and its price on `price_list` (None without one)."""
        product, price = tables.product, tables.price
        found: dict[str, tuple[bool, PriceRecord | None]] = {}
        for chunk in chunks(skus):
            rows = await self._connection.execute(
                select(
                    product.c.sku,
                    product.c.track_inventory,
                    price.c.unit_price,
                    price.c.currency,
                    price.c.version,
                )
                .select_from(
                    product.outerjoin(
                        price, and_(price.c.sku == product.c.sku, price.c.price_list == price_list)
                    )
                )
                .where(one_of(self._connection, product.c.sku, chunk))
            )
            for sku, tracked, unit_price, currency, version in rows:
                found[sku] = (
                    tracked,
                    None
                    if version is None
                    else PriceRecord(sku, price_list, unit_price, currency, version),
                )
        return found

    async def prices(self, skus: Sequence[str], price_list: str) -> dict[str, PriceRecord]:
        found: dict[str, PriceRecord] = {}
        for chunk in chunks(skus):
            rows = await self._connection.execute(
                select(tables.price).where(
                    one_of(self._connection, tables.price.c.sku, chunk),
                    tables.price.c.price_list == price_list,
                )
            )
            for row in rows:
                found[row.sku] = _price(row)
        return found

    async def lock(self, name: str) -> None:
        """Hold a lock on `name` until the transaction ends, so that two first writes of the
        same new key (where `FOR UPDATE` has no row to lock) run one after the other. On
        SQLite every write transaction is serialised already."""
        if is_postgres(self._connection):
            await self._connection.execute(
                select(func.pg_advisory_xact_lock(func.hashtextextended(name, 0)))
            )

    async def tax_rate(self, code: str) -> TaxRateRecord | None:
        found = await self._connection.execute(
            select(tables.tax_rate).where(tables.tax_rate.c.code == code)
        )
        row = found.first()
        return _tax_rate(row) if row else None

    async def tax_rates(self) -> list[TaxRateRecord]:
        found = await self._connection.execute(
            select(tables.tax_rate).order_by(tables.tax_rate.c.code)
        )
        return [_tax_rate(row) for row in found]

    async def put_tax_rate(self, rate: TaxRateRecord, updated_at: datetime) -> None:
        """Insert or replace the code's rate."""
        values = {
            "code": rate.code,
            "rate": rate.rate,
            "version": rate.version,
            "updated_at": updated_at,
        }
        statement = upsert(self._connection, tables.tax_rate)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["code"],
                set_={name: statement.excluded[name] for name in values if name != "code"},
            ),
            [values],
        )

    async def promotion(self, promotion_id: str) -> PromotionRecord | None:
        found = await self._connection.execute(
            select(tables.promotion).where(tables.promotion.c.promotion_id == promotion_id)
        )
        row = found.first()
        return _promotion(row) if row else None

    async def promotions(self) -> list[PromotionRecord]:
        found = await self._connection.execute(
            select(tables.promotion).order_by(tables.promotion.c.promotion_id)
        )
        return [_promotion(row) for row in found]

    async def put_promotion(self, promotion: PromotionRecord, updated_at: datetime) -> None:
        """Insert or replace the promotion."""
        values = {
            "promotion_id": promotion.promotion_id,
            "name": promotion.name,
            "skus": promotion.skus,
            "percent_off": promotion.percent_off,
            "starts_at": promotion.starts_at,
            "ends_at": promotion.ends_at,
            "active": promotion.active,
            "version": promotion.version,
            "updated_at": updated_at,
        }
        statement = upsert(self._connection, tables.promotion)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["promotion_id"],
                set_={name: statement.excluded[name] for name in values if name != "promotion_id"},
            ),
            [values],
        )

    async def upsert_products(
        self, products: Sequence[ProductRecord], updated_at: datetime
    ) -> None:
        """Insert or replace products, in one statement."""
        if not products:
            return
        rows = [
            {
                "sku": product.sku,
                "description": product.description,
                "kind": product.kind,
                "track_inventory": product.track_inventory,
                "gtin": product.gtin,
                "tax_code": product.tax_code,
                "unit": product.unit,
                "version": product.version,
                "updated_at": updated_at,
            }
            for product in products
        ]
        statement = upsert(self._connection, tables.product)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["sku"],
                set_={name: statement.excluded[name] for name in rows[0] if name != "sku"},
            ),
            rows,
        )

    async def upsert_prices(self, prices: Sequence[PriceRecord], updated_at: datetime) -> None:
        """Insert or replace prices, in one statement; their products must exist."""
        if not prices:
            return
        rows = [
            {
                "sku": price.sku,
                "price_list": price.price_list,
                "unit_price": price.unit_price,
                "currency": price.currency,
                "version": price.version,
                "updated_at": updated_at,
            }
            for price in prices
        ]
        statement = upsert(self._connection, tables.price)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["sku", "price_list"],
                set_={
                    name: statement.excluded[name]
                    for name in rows[0]
                    if name not in ("sku", "price_list")
                },
            ),
            rows,
        )

    async def count(self) -> int:
        return int(
            (
                await self._connection.execute(select(func.count()).select_from(tables.product))
            ).scalar_one()
        )

    # Keyset pages, for snapshots.

    async def products_after(self, sku: str, limit: int) -> list[ProductRecord]:
        product = tables.product
        statement = select(product).where(product.c.sku > sku).order_by(product.c.sku).limit(limit)
        return [_product(row) for row in await self._connection.execute(statement)]

    async def prices_after(self, price_list: str, sku: str, limit: int) -> list[PriceRecord]:
        price = tables.price
        statement = (
            select(price)
            .where(tuple_(price.c.price_list, price.c.sku) > tuple_(price_list, sku))
            .order_by(price.c.price_list, price.c.sku)
            .limit(limit)
        )
        return [_price(row) for row in await self._connection.execute(statement)]

    async def tax_rates_after(self, code: str, limit: int) -> list[TaxRateRecord]:
        rate = tables.tax_rate
        statement = select(rate).where(rate.c.code > code).order_by(rate.c.code).limit(limit)
        return [_tax_rate(row) for row in await self._connection.execute(statement)]

    async def promotions_after(self, promotion_id: str, limit: int) -> list[PromotionRecord]:
        promotion = tables.promotion
        statement = (
            select(promotion)
            .where(promotion.c.promotion_id > promotion_id)
            .order_by(promotion.c.promotion_id)
            .limit(limit)
        )
        return [_promotion(row) for row in await self._connection.execute(statement)]


def _product(row: Row[Any]) -> ProductRecord:
    return ProductRecord(
        row.sku,
        row.description,
        row.kind,
        row.track_inventory,
        row.gtin,
        row.version,
        row.tax_code,
        row.unit,
    )


def _price(row: Row[Any]) -> PriceRecord:
    return PriceRecord(row.sku, row.price_list, row.unit_price, row.currency, row.version)


def _tax_rate(row: Row[Any]) -> TaxRateRecord:
    return TaxRateRecord(row.code, row.rate, row.version)


def _promotion(row: Row[Any]) -> PromotionRecord:
    return PromotionRecord(
        promotion_id=row.promotion_id,
        name=row.name,
        skus=list(json_value(row.skus)),
        percent_off=row.percent_off,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        active=row.active,
        version=row.version,
    )
