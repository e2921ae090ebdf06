"""The hub-authoritative catalogue: products, versioned prices, tax rates and promotions,
published to every store's feed.

An import or a put is an upsert: an item whose content is unchanged keeps its version and
publishes nothing; a changed one gets version + 1 and one feed entry. Stores never edit
these: a till records on each sale line the versions it priced the line with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.domain.catalogue import (
    PriceRecord,
    ProductKind,
    ProductRecord,
    PromotionRecord,
    TaxRateRecord,
)
from hub.domain.feed import FeedEntry
from hub.errors import InvalidRequest
from shared.money import minor_units
from shared.quantity import Unit
from sync.messages import PriceV1, ProductV1, PromotionV1, TaxRateV1


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    """One product and its price on one price list, as HQ or an ERP sends it."""

    sku: str
    description: str | None
    kind: ProductKind
    track_inventory: bool
    unit_price: Decimal
    currency: str
    gtin: str | None = None
    unit: Unit = "each"  # how it is sold: whole units, or by weight in kg
    price_list: str = "default"
    tax_code: str | None = None
    # False when the import did not mention a tax code: the product keeps the one it has, so
    # an integration written before tax codes existed does not clear them with a price update.
    tax_code_given: bool = True


@dataclass(frozen=True, slots=True)
class ImportResult:
    received: int
    products_changed: int
    prices_changed: int


# An import writing this many rows or more refreshes the planner's statistics of the
# catalogue at once (see HubUnitOfWork.refresh_statistics); below it, autovacuum's pass will do.
BULK_ROWS = 100


@dataclass(frozen=True, slots=True)
class ImportCatalogue:
    """Upsert `items`, products with their price on a price list, as HQ or an ERP sends them."""

    items: list[CatalogueItem]


async def import_catalogue(command: ImportCatalogue, uow: HubUnitOfWork) -> ImportResult:
    """Upsert products and prices in one transaction and publish the changes; returns how many
    items came and how many products and prices changed.

    One SKU may appear once per price list, with the same product details each time. Raises
    InvalidRequest for a repeated (SKU, price list) or differing details, or a negative price;
    UnknownCurrency for a currency code without known minor units; InvalidRequest for a
    tax code that has no rate yet. An import of BULK_ROWS rows or more ends by refreshing
    the planner's statistics of products and prices.
    """
    items = command.items
    seen: set[tuple[str, str]] = set()
    first_of_sku: dict[str, CatalogueItem] = {}
    by_sku: dict[str, list[CatalogueItem]] = {}
    for item in items:
        if (item.sku, item.price_list) in seen:
            raise InvalidRequest(
                f"SKU {item.sku!r} appears twice on price list {item.price_list!r}"
            )
        seen.add((item.sku, item.price_list))
        first = first_of_sku.setdefault(item.sku, item)
        by_sku.setdefault(item.sku, []).append(item)
        codes = {other.tax_code for other in by_sku[item.sku] if other.tax_code_given}
        if _product_fields(first) != _product_fields(item) or len(codes) > 1:
            raise InvalidRequest(
                f"SKU {item.sku!r} has different product details on two price lists"
            )
        if item.unit_price < 0 or not item.unit_price.is_finite():
            raise InvalidRequest(
                f"SKU {item.sku!r}: unit price {item.unit_price} must be zero or more"
            )
        minor_units(item.currency)
    now = uow.now()
    named = {item.tax_code for item in items if item.tax_code_given and item.tax_code is not None}
    async with uow.write() as tx:
        catalogue = tx.catalogue
        if named:
            unknown = named - {row.code for row in await catalogue.tax_rates()}
            if unknown:
                raise InvalidRequest(
                    f"tax codes {sorted(unknown)} have no rate: put them first "
                    "(PUT /v1/tax-rates/{code}), or a till would sell those items untaxed"
                )
        skus = [item.sku for item in items]
        products = await catalogue.products(skus)
        price_lists = {item.price_list for item in items}
        prices: dict[tuple[str, str], PriceRecord] = {}
        for price_list in price_lists:
            for sku, record in (await catalogue.prices(skus, price_list)).items():
                prices[(sku, price_list)] = record
        product_rows: list[ProductRecord] = []
        price_rows: list[PriceRecord] = []
        for item in items:
            # A SKU on several price lists is one product: publish it once.
            publishes_product = first_of_sku[item.sku] is item
            current = products.get(item.sku)
            given = next((other for other in by_sku[item.sku] if other.tax_code_given), None)
            if given is not None:
                tax_code = given.tax_code
            else:
                tax_code = current.tax_code if current is not None else None
            product = ProductV1(
                sku=item.sku,
                description=item.description,
                kind=item.kind,
                track_inventory=item.track_inventory,
                gtin=item.gtin,
                tax_code=tax_code,
                unit=item.unit,
            )
            if publishes_product and (current is None or _product_changed(current, product)):
                version = (current.version if current else 0) + 1
                product_rows.append(
                    ProductRecord(
                        sku=product.sku,
                        description=product.description,
                        kind=product.kind,
                        track_inventory=product.track_inventory,
                        gtin=product.gtin,
                        version=version,
                        tax_code=product.tax_code,
                        unit=product.unit,
                    )
                )
                tx.publish(
                    _feed_entry("product", item.sku, version, product.model_dump(mode="json"), now)
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
                price_rows.append(
                    PriceRecord(
                        price.sku, price.price_list, price.unit_price, price.currency, version
                    )
                )
                tx.publish(
                    _feed_entry(
                        "price",
                        f"{item.price_list}:{item.sku}",
                        version,
                        price.model_dump(mode="json"),
                        now,
                    )
                )
        # Product rows first: prices reference them.
        await catalogue.upsert_products(product_rows, now)
        await catalogue.upsert_prices(price_rows, now)
    if len(product_rows) + len(price_rows) >= BULK_ROWS:
        await uow.refresh_statistics("product", "price")
    return ImportResult(len(items), len(product_rows), len(price_rows))


def _product_fields(item: CatalogueItem) -> tuple[object, ...]:
    return (item.description, item.kind, item.track_inventory, item.gtin, item.unit)


def _product_changed(current: ProductRecord, product: ProductV1) -> bool:
    return (
        current.description != product.description
        or current.kind != product.kind
        or current.track_inventory != product.track_inventory
        or current.gtin != product.gtin
        or current.tax_code != product.tax_code
        or current.unit != product.unit
    )


def _feed_entry(
    entity: str, key: str, version: int, payload: dict[str, Any], now: datetime
) -> FeedEntry:
    """An entry every store's feed carries (the catalogue is the same for all)."""
    return FeedEntry(
        store_id=None,
        entity=entity,
        entity_key=key,
        version=version,
        payload=payload,
        created_at=now,
    )


@dataclass(frozen=True, slots=True)
class Published:
    """What a put left in force, and whether it changed anything (and so was published)."""

    version: int
    changed: bool


def _plain(value: Decimal) -> Decimal:
    """`value` without trailing zeros and never in exponent form: 20.000000 -> 20, 17.50 -> 17.5."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal  # type: ignore[operator]


def tax_rate_payload(rate: TaxRateRecord) -> TaxRateV1:
    """The rate as the feed carries it."""
    return TaxRateV1(code=rate.code, rate=_plain(rate.rate), version=rate.version)


def promotion_payload(promotion: PromotionRecord) -> PromotionV1:
    """The promotion as the feed carries it."""
    return PromotionV1(
        promotion_id=promotion.promotion_id,
        name=promotion.name,
        skus=promotion.skus,
        percent_off=_plain(promotion.percent_off),
        starts_at=promotion.starts_at,
        ends_at=promotion.ends_at,
        active=promotion.active,
        version=promotion.version,
    )


@dataclass(frozen=True, slots=True)
class PutTaxRate:
    """Tax code `code` taxes at `rate` percent (0 to 100, at most 4 decimal places)."""

    code: str
    rate: Decimal


async def put_tax_rate(command: PutTaxRate, uow: HubUnitOfWork) -> Published:
    """Set a tax code's rate and publish it to every store; returns the version in force and
    whether it changed (the same rate again publishes nothing).

    Products name their tax code (`CatalogueItem.tax_code`); prices include the tax, so a new
    rate changes the tax recorded on later sale lines, not what customers pay. Raises
    InvalidRequest for a rate outside 0..100 or with more than 4 decimal places.
    """
    code, rate = command.code, command.rate
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(100):
        raise InvalidRequest(f"tax rate {rate} must be between 0 and 100 percent")
    if rate.as_tuple().exponent < -4:  # type: ignore[operator]
        raise InvalidRequest(f"tax rate {rate} has more than 4 decimal places")
    now = uow.now()
    async with uow.write() as tx:
        await tx.catalogue.lock(f"tax_rate:{code}")
        current = await tx.catalogue.tax_rate(code)
        if current is not None and current.rate == rate:
            return Published(current.version, changed=False)
        version = (current.version if current else 0) + 1
        payload = TaxRateV1(code=code, rate=_plain(rate), version=version)
        await tx.catalogue.put_tax_rate(TaxRateRecord(code, rate, version), now)
        tx.publish(_feed_entry("tax_rate", code, version, payload.model_dump(mode="json"), now))
    return Published(version, changed=True)


@dataclass(frozen=True, slots=True)
class PutPromotion:
    """Promotion `promotion_id` as HQ sends it: `percent_off` (0 < p <= 100) off the catalogue
    price of `skus` from `starts_at` until `ends_at` (exclusive; None: open-ended); `active`
    False ends it."""

    promotion_id: str
    name: str
    skus: list[str]
    percent_off: Decimal
    starts_at: datetime
    ends_at: datetime | None = None
    active: bool = True


async def put_promotion(command: PutPromotion, uow: HubUnitOfWork) -> Published:
    """Create or change a promotion and publish it to every store; returns the version in
    force and whether it changed (the same terms again publish nothing).

    Raises InvalidRequest for a percentage outside (0, 100], naive or inverted dates, or no
    SKUs.
    """
    promotion_id = command.promotion_id
    if not command.percent_off.is_finite() or not Decimal(0) < command.percent_off <= Decimal(100):
        raise InvalidRequest(f"percent off {command.percent_off} must be above 0 and at most 100")
    if command.percent_off.as_tuple().exponent < -4:  # type: ignore[operator]
        raise InvalidRequest(f"percent off {command.percent_off} has more than 4 decimal places")
    if command.starts_at.tzinfo is None or (
        command.ends_at is not None and command.ends_at.tzinfo is None
    ):
        raise InvalidRequest("promotion dates need a time zone offset")
    if command.ends_at is not None and command.ends_at <= command.starts_at:
        raise InvalidRequest("a promotion must end after it starts")
    skus = sorted(set(command.skus))
    if not skus:
        raise InvalidRequest("a promotion needs at least one SKU")
    now = uow.now()
    async with uow.write() as tx:
        await tx.catalogue.lock(f"promotion:{promotion_id}")
        current = await tx.catalogue.promotion(promotion_id)
        content = (
            command.name,
            skus,
            command.percent_off,
            command.starts_at,
            command.ends_at,
            command.active,
        )
        if current is not None:
            before = promotion_payload(current)
            if content == (
                before.name,
                before.skus,
                before.percent_off,
                before.starts_at,
                before.ends_at,
                before.active,
            ):
                return Published(current.version, changed=False)
        version = (current.version if current else 0) + 1
        payload = PromotionV1(
            promotion_id=promotion_id,
            name=command.name,
            skus=skus,
            percent_off=_plain(command.percent_off),
            starts_at=command.starts_at,
            ends_at=command.ends_at,
            active=command.active,
            version=version,
        )
        await tx.catalogue.put_promotion(
            PromotionRecord(
                promotion_id=promotion_id,
                name=command.name,
                skus=skus,
                percent_off=command.percent_off,
                starts_at=command.starts_at,
                ends_at=command.ends_at,
                active=command.active,
                version=version,
            ),
            now,
        )
        tx.publish(
            _feed_entry("promotion", promotion_id, version, payload.model_dump(mode="json"), now)
        )
    return Published(version, changed=True)


async def tax_rates(uow: HubUnitOfWork) -> list[TaxRateV1]:
    """Every tax code and its rate in force, by code."""
    async with uow.read() as tx:
        return [tax_rate_payload(rate) for rate in await tx.catalogue.tax_rates()]


async def promotions(uow: HubUnitOfWork) -> list[PromotionV1]:
    """Every promotion, ended ones included, by id."""
    async with uow.read() as tx:
        return [promotion_payload(promotion) for promotion in await tx.catalogue.promotions()]
