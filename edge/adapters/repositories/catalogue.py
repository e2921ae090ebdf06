"""Repository of the catalogue kept on the node: products, prices, tax rates, promotions, stock."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, bindparam, func, select

from edge.adapters import tables
from edge.adapters.repositories.sql import upsert
from edge.domain.cart import PricedItem
from edge.domain.pricing import Promotion, TaxRate, best_promotion
from sync.messages import PriceV1, ProductV1, PromotionV1, StockLevelV1, TaxRateV1

# Statements on the selling path are built once: building a select costs about 3x running it.
_PRICED_ITEM = (
    select(
        tables.product.c.sku,
        tables.product.c.description,
        tables.price.c.unit_price,
        tables.price.c.version,
        tables.tax_rate.c.code.label("tax_code"),
        tables.tax_rate.c.rate.label("tax_rate"),
        tables.tax_rate.c.version.label("tax_version"),
    )
    .select_from(tables.product)
    .outerjoin(
        tables.price,
        (tables.price.c.sku == tables.product.c.sku)
        & (tables.price.c.price_list == bindparam("list_name")),
    )
    .outerjoin(tables.tax_rate, tables.tax_rate.c.code == tables.product.c.tax_code)
    .where(tables.product.c.sku == bindparam("sku_key"))
)
_PROMOTIONS_OF_SKU = (
    select(tables.promotion)
    .join(
        tables.promotion_sku,
        tables.promotion_sku.c.promotion_id == tables.promotion.c.promotion_id,
    )
    .where(tables.promotion_sku.c.sku == bindparam("sku_key"), tables.promotion.c.active == 1)
)


class CatalogueRepository:
    """The store's catalogue as last read from the hub's feed, and stock levels."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def priced_item(
        self, sku: str, price_list: str = "default", at: datetime | None = None
    ) -> PricedItem | None:
        """The SKU's price, its tax rate and, if `at` is given, the best promotion in force
        then; None for a SKU not in the catalogue."""
        row = self._connection.execute(
            _PRICED_ITEM, {"sku_key": sku, "list_name": price_list}
        ).first()
        if row is None:
            return None
        tax = (
            TaxRate(row.tax_code, Decimal(row.tax_rate), row.tax_version)
            if row.tax_code is not None
            else None
        )
        promotion = best_promotion(self.promotions_of(sku), at) if at is not None else None
        if row.unit_price is None:
            return PricedItem(row.sku, row.description, None, None, tax, promotion)
        return PricedItem(
            row.sku, row.description, Decimal(row.unit_price), row.version, tax, promotion
        )

    def on_hand(self, location_id: str, sku: str) -> int | None:
        """The hub's count of `sku` at `location_id` as of the last feed read (sales not yet
        uploaded are not in it); None when the hub published none."""
        value = self._connection.execute(
            select(tables.stock_level.c.on_hand).where(
                tables.stock_level.c.location_id == location_id, tables.stock_level.c.sku == sku
            )
        ).scalar_one_or_none()
        return int(value) if value is not None else None

    def promotions_of(self, sku: str) -> list[Promotion]:
        """The active promotions naming `sku`, whatever their dates."""
        return [
            Promotion(
                promotion_id=row.promotion_id,
                version=row.version,
                percent_off=Decimal(row.percent_off),
                starts_at=datetime.fromisoformat(row.starts_at),
                ends_at=datetime.fromisoformat(row.ends_at) if row.ends_at else None,
            )
            for row in self._connection.execute(_PROMOTIONS_OF_SKU, {"sku_key": sku})
        ]

    def upsert_products(self, products: list[tuple[ProductV1, int]]) -> None:
        """Store (product, feed version) pairs in one statement; a version held already, or a
        newer one, is kept."""
        rows = [
            {
                "sku": product.sku,
                "description": product.description,
                "kind": product.kind,
                "track_inventory": int(product.track_inventory),
                "gtin": product.gtin,
                "tax_code": product.tax_code,
                "version": version,
            }
            for product, version in products
        ]
        upsert(self._connection, tables.product, rows, ["sku"])

    def upsert_prices(self, prices: list[PriceV1]) -> None:
        """Store prices in one statement, each unless its version or a newer one is held."""
        rows = [
            {
                "sku": price.sku,
                "price_list": price.price_list,
                "unit_price": str(price.unit_price),
                "currency": price.currency,
                "version": price.version,
            }
            for price in prices
        ]
        upsert(self._connection, tables.price, rows, ["sku", "price_list"])

    def upsert_stock_levels(self, levels: list[tuple[StockLevelV1, int]]) -> None:
        """Store (stock level, feed version) pairs in one statement, newer versions only."""
        rows = [
            {
                "location_id": level.location_id,
                "sku": level.sku,
                "on_hand": level.on_hand,
                "version": version,
            }
            for level, version in levels
        ]
        upsert(self._connection, tables.stock_level, rows, ["location_id", "sku"])

    def upsert_tax_rates(self, rates: list[TaxRateV1]) -> None:
        """Store tax rates in one statement, newer versions only."""
        rows = [
            {"code": rate.code, "rate": str(rate.rate), "version": rate.version} for rate in rates
        ]
        upsert(self._connection, tables.tax_rate, rows, ["code"])

    def upsert_promotion(self, promotion: PromotionV1) -> None:
        """Store a promotion and the SKUs it names, unless a newer version is already here."""
        promotion_id = promotion.promotion_id
        current = self._connection.execute(
            select(tables.promotion.c.version).where(
                tables.promotion.c.promotion_id == promotion_id
            )
        ).scalar_one_or_none()
        if current is not None and current >= promotion.version:
            return
        row = {
            "promotion_id": promotion_id,
            "name": promotion.name,
            "percent_off": str(promotion.percent_off),
            "starts_at": promotion.starts_at.isoformat(),
            "ends_at": promotion.ends_at.isoformat() if promotion.ends_at else None,
            "active": int(promotion.active),
            "version": promotion.version,
        }
        upsert(self._connection, tables.promotion, [row], ["promotion_id"])
        self._connection.execute(
            tables.promotion_sku.delete().where(tables.promotion_sku.c.promotion_id == promotion_id)
        )
        if promotion.skus:
            self._connection.execute(
                tables.promotion_sku.insert(),
                [{"promotion_id": promotion_id, "sku": sku} for sku in sorted(set(promotion.skus))],
            )

    def counts(self) -> dict[str, int]:
        result = {}
        for name, table in (("products", tables.product), ("prices", tables.price)):
            count = (self._connection.execute(select(func.count()).select_from(table))).scalar_one()
            result[name] = int(count)
        return result

    def search(self, text: str, limit: int, at: datetime | None = None) -> list[PricedItem]:
        """Items whose SKU or description contains `text` (literally: % and _ match themselves),
        with the promotion in force at `at`."""
        literal = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{literal}%"
        result = self._connection.execute(
            select(tables.product.c.sku)
            .where(
                tables.product.c.sku.like(pattern, escape="\\")
                | tables.product.c.description.like(pattern, escape="\\")
            )
            .order_by(tables.product.c.sku)
            .limit(limit)
        )
        items = []
        for (sku,) in result:
            item = self.priced_item(sku, at=at)
            if item is not None:
                items.append(item)
        return items
