"""The hub-authoritative catalogue: products and versioned prices, published to every store's feed.

An import is an upsert: a product or price whose content is unchanged keeps its version and
publishes nothing; a changed one gets version + 1 and one feed entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from hub.adapters.database import HubDatabase
from hub.adapters.repository import CatalogueRepository, FeedRepository, PriceRecord, ProductRecord
from hub.errors import InvalidRequest
from shared.clock import Clock
from shared.money import minor_units
from sync.messages import PriceV1, ProductV1


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    """One product and its price on one price list, as HQ or an ERP sends it."""

    sku: str
    description: str | None
    kind: Literal["stock", "non_stock", "gift_card"]
    track_inventory: bool
    unit_price: Decimal
    currency: str
    gtin: str | None = None
    price_list: str = "default"


@dataclass(frozen=True, slots=True)
class ImportResult:
    received: int
    products_changed: int
    prices_changed: int


async def import_catalogue(
    items: list[CatalogueItem], db: HubDatabase, clock: Clock
) -> ImportResult:
    """Upsert products and prices in one transaction and publish the changes.

    One SKU may appear once per price list, with the same product details each time. Raises
    InvalidRequest for a repeated (SKU, price list) or differing details, or a negative price;
    UnknownCurrency for a currency code without known minor units.
    """
    seen: set[tuple[str, str]] = set()
    first_of_sku: dict[str, CatalogueItem] = {}
    for item in items:
        if (item.sku, item.price_list) in seen:
            raise InvalidRequest(
                f"SKU {item.sku!r} appears twice on price list {item.price_list!r}"
            )
        seen.add((item.sku, item.price_list))
        first = first_of_sku.setdefault(item.sku, item)
        if _product_fields(first) != _product_fields(item):
            raise InvalidRequest(
                f"SKU {item.sku!r} has different product details on two price lists"
            )
        if item.unit_price < 0 or not item.unit_price.is_finite():
            raise InvalidRequest(
                f"SKU {item.sku!r}: unit price {item.unit_price} must be zero or more"
            )
        minor_units(item.currency)
    now = clock.now()
    async with db.write() as connection:
        catalogue = CatalogueRepository(connection)
        skus = [item.sku for item in items]
        products = await catalogue.products(skus)
        price_lists = {item.price_list for item in items}
        prices: dict[tuple[str, str], PriceRecord] = {}
        for price_list in price_lists:
            for sku, record in (await catalogue.prices(skus, price_list)).items():
                prices[(sku, price_list)] = record
        product_rows: list[dict[str, Any]] = []
        price_rows: list[dict[str, Any]] = []
        feed_rows: list[dict[str, Any]] = []
        for item in items:
            # A SKU on several price lists is one product: publish it once.
            publishes_product = first_of_sku[item.sku] is item
            product = ProductV1(
                sku=item.sku,
                description=item.description,
                kind=item.kind,
                track_inventory=item.track_inventory,
                gtin=item.gtin,
            )
            current = products.get(item.sku)
            if publishes_product and (current is None or _product_changed(current, product)):
                version = (current.version if current else 0) + 1
                product_rows.append({**product.model_dump(), "version": version, "updated_at": now})
                feed_rows.append(
                    _feed_row("product", item.sku, version, product.model_dump(mode="json"), now)
                )
            current_price = prices.get((item.sku, item.price_list))
            if (
                current_price is None
                or current_price.unit_price != item.unit_price
                or current_price.currency != item.currency
            ):
                version = (current_price.version if current_price else 0) + 1
                price = PriceV1(
                    sku=item.sku,
                    price_list=item.price_list,
                    unit_price=item.unit_price,
                    currency=item.currency,
                    version=version,
                )
                price_rows.append({**price.model_dump(), "updated_at": now})
                feed_rows.append(
                    _feed_row(
                        "price",
                        f"{item.price_list}:{item.sku}",
                        version,
                        price.model_dump(mode="json"),
                        now,
                    )
                )
        # Product rows first: prices reference them.
        if product_rows:
            await catalogue.upsert_products(product_rows)
        if price_rows:
            await catalogue.upsert_prices(price_rows)
        await FeedRepository(connection).append(feed_rows)
    return ImportResult(len(items), len(product_rows), len(price_rows))


def _product_fields(item: CatalogueItem) -> tuple[object, ...]:
    return (item.description, item.kind, item.track_inventory, item.gtin)


def _product_changed(current: ProductRecord, product: ProductV1) -> bool:
    return (
        current.description != product.description
        or current.kind != product.kind
        or current.track_inventory != product.track_inventory
        or current.gtin != product.gtin
    )


def _feed_row(
    entity: str, key: str, version: int, payload: dict[str, Any], now: Any
) -> dict[str, Any]:
    return {
        "store_id": None,
        "entity": entity,
        "entity_key": key,
        "version": version,
        "op": "upsert",
        "payload": payload,
        "created_at": now,
    }
