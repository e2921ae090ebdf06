"""Repository of the catalogue kept on the node: products, prices, tax rates, promotions, stock."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from edge.adapters import tables
from edge.adapters.repositories.driver import DriverQuery
from edge.adapters.repositories.sql import upsert
from edge.domain.cart import PricedItem
from edge.domain.pricing import Promotion, TaxRate, best_promotion
from sync.messages import PriceV1, ProductV1, PromotionV1, StockLevelV1, TaxRateV1

# Statements on the selling path are built once: building a select costs about 3x running it.
_PRICED_ITEM = (
    select(
        tables.product.c.sku,
        tables.product.c.description,
        tables.product.c.unit,
        tables.product.c.kind,
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
# The same, with the active promotions naming the SKU (one row each; one row with no
# promotion when there is none): what a scan reads, in one statement instead of two.
_PRICED_ITEM_PROMOTED = (
    _PRICED_ITEM.add_columns(
        tables.promotion.c.promotion_id,
        tables.promotion.c.version.label("promotion_version"),
        tables.promotion.c.percent_off,
        tables.promotion.c.starts_at,
        tables.promotion.c.ends_at,
    )
    .outerjoin(tables.promotion_sku, tables.promotion_sku.c.sku == tables.product.c.sku)
    .outerjoin(
        tables.promotion,
        (tables.promotion.c.promotion_id == tables.promotion_sku.c.promotion_id)
        & (tables.promotion.c.active == 1),
    )
)
# Read at every scan: run by the driver (edge.adapters.repositories.driver).
_PRICED_ITEM_QUERY = DriverQuery(_PRICED_ITEM)
_PRICED_ITEM_PROMOTED_QUERY = DriverQuery(_PRICED_ITEM_PROMOTED)
_SKU_OF_GTIN = (
    select(tables.product.c.sku)
    .where(tables.product.c.gtin.in_(bindparam("forms", expanding=True)))
    .order_by(tables.product.c.sku)
    .limit(1)
)
_SKU_OF_GTIN_PREFIX = (
    select(tables.product.c.sku)
    .where(
        tables.product.c.gtin >= bindparam("low"),
        tables.product.c.gtin < bindparam("high"),
        func.length(tables.product.c.gtin).in_((13, 14)),
    )
    .order_by(tables.product.c.gtin)
    .limit(1)
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
        parameters = {"sku_key": sku, "list_name": price_list}
        if at is None:
            row = _PRICED_ITEM_QUERY.first(self._connection, parameters)
            if row is None:
                return None
            promotion = None
        else:
            rows = _PRICED_ITEM_PROMOTED_QUERY.all(self._connection, parameters)
            if not rows:
                return None
            row = rows[0]
            promotions = [_promotion(r, r.promotion_version) for r in rows if r.promotion_id]
            promotion = best_promotion(promotions, at)
        tax = (
            TaxRate(row.tax_code, Decimal(row.tax_rate), row.tax_version)
            if row.tax_code is not None
            else None
        )
        if row.unit_price is None:
            return PricedItem(
                row.sku, row.description, None, None, tax, promotion, row.unit, row.kind
            )
        return PricedItem(
            row.sku,
            row.description,
            Decimal(row.unit_price),
            row.version,
            tax,
            promotion,
            row.unit,
            row.kind,
        )

    def sku_of_gtin(self, gtin14: str) -> str | None:
        """The SKU of the product with this GTIN, given in its 14-digit form; the catalogue may
        hold it as GTIN-8, -12, -13 or -14 (a UPC-A and its EAN-13 form are one product).
        None for a GTIN not in the catalogue (an index on `product.gtin` finds it)."""
        forms = [
            gtin14[14 - length :]
            for length in (8, 12, 13, 14)
            if set(gtin14[: 14 - length]) <= {"0"}
        ]
        row = self._connection.execute(_SKU_OF_GTIN, {"forms": forms}).first()
        return row.sku if row is not None else None

    def sku_of_measure_key(self, key: str) -> str | None:
        """The SKU of the variable-measure item keyed by `key` (a template's prefix and the
        item reference: "2100123"): the product whose GTIN-13 starts with it (its value
        digits are whatever the catalogue holds, zeros as a rule), or whose 14-digit GTIN
        starts with "0" and then `key`. None when there is none."""
        for start in (key, "0" + key):
            # A range on the indexed column: every digit string that starts with `start`.
            row = self._connection.execute(
                _SKU_OF_GTIN_PREFIX, {"low": start, "high": start + ":"}
            ).first()
            if row is not None:
                return str(row.sku)
        return None

    def on_hand(self, location_id: str, sku: str) -> int | None:
        """The hub's count of `sku` at `location_id` as of the last feed read (sales not yet
        uploaded are not in it); None when the hub published none."""
        value = self._connection.execute(
            select(tables.stock_level.c.on_hand).where(
                tables.stock_level.c.location_id == location_id, tables.stock_level.c.sku == sku
            )
        ).scalar_one_or_none()
        return int(value) if value is not None else None

    def batch(self) -> CatalogueBatch:
        """A batch of products, prices, stock levels and tax rates, written by its `write`."""
        return CatalogueBatch(self._connection)

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


class CatalogueBatch:
    """Products, prices, stock levels and tax rates of one feed page (or snapshot chunk),
    written by `write` with one statement per table: a snapshot of 100,000 SKUs is a few
    hundred statements, not 300,000.

    Each `add_*` keeps only the newest version of its key seen in the batch (feed order is
    the order transactions wrote, not version order: two writers of one key can commit with
    their versions the other way round), and `write` keeps a version the file already holds
    as new. Entries are held as rows, not as the wire objects given: a page of pydantic
    objects kept alive until the write made the garbage collector run so often that applying
    a snapshot of 100,000 SKUs took a third longer (measured here).
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._products: dict[str, dict[str, Any]] = {}
        self._prices: dict[tuple[str, str], dict[str, Any]] = {}
        self._levels: dict[tuple[str, str], dict[str, Any]] = {}
        self._rates: dict[str, dict[str, Any]] = {}

    def add_product(self, product: ProductV1, version: int) -> None:
        """A product at `version` (the feed entry's: products carry none of their own)."""
        _keep_newest(
            self._products,
            product.sku,
            {
                "sku": product.sku,
                "description": product.description,
                "kind": product.kind,
                "track_inventory": int(product.track_inventory),
                "gtin": product.gtin,
                "tax_code": product.tax_code,
                "unit": product.unit,
                "version": version,
            },
        )

    def add_price(self, price: PriceV1) -> None:
        _keep_newest(
            self._prices,
            (price.sku, price.price_list),
            {
                "sku": price.sku,
                "price_list": price.price_list,
                "unit_price": str(price.unit_price),
                "currency": price.currency,
                "version": price.version,
            },
        )

    def add_stock_level(self, level: StockLevelV1, version: int) -> None:
        """The hub's count of a SKU at a location at `version` (the feed entry's)."""
        _keep_newest(
            self._levels,
            (level.location_id, level.sku),
            {
                "location_id": level.location_id,
                "sku": level.sku,
                "on_hand": level.on_hand,
                "version": version,
            },
        )

    def add_tax_rate(self, rate: TaxRateV1) -> None:
        _keep_newest(
            self._rates,
            rate.code,
            {"code": rate.code, "rate": str(rate.rate), "version": rate.version},
        )

    def write(self) -> None:
        """Upsert what was added, newer versions only, one statement per table."""
        upsert(self._connection, tables.product, list(self._products.values()), ["sku"])
        upsert(self._connection, tables.price, list(self._prices.values()), ["sku", "price_list"])
        upsert(
            self._connection,
            tables.stock_level,
            list(self._levels.values()),
            ["location_id", "sku"],
        )
        upsert(self._connection, tables.tax_rate, list(self._rates.values()), ["code"])


def _keep_newest(rows: dict[Any, dict[str, Any]], key: Any, row: dict[str, Any]) -> None:
    held = rows.get(key)
    if held is None or held["version"] < row["version"]:
        rows[key] = row


def _promotion(row: Any, version: int) -> Promotion:
    return Promotion(
        promotion_id=row.promotion_id,
        version=version,
        percent_off=Decimal(row.percent_off),
        starts_at=datetime.fromisoformat(row.starts_at),
        ends_at=datetime.fromisoformat(row.ends_at) if row.ends_at else None,
    )
