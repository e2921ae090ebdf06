"""Feed appliers: what the node does with each entity of the hub's feed (and snapshot).

One applier per entity, registered by its name (sync.messages.FEED_ENTITIES): adding an
entity is one function and one registration. Two kinds:

- `@applies(entity)`: applied entry by entry, as the page goes (store configuration, refund
  decisions, B2B approvals, shared records, promotions, event statuses).
- `@applies_in_bulk(entity, write)`: decoded entry by entry, then written once per page with
  one statement (products, prices, stock levels, tax rates): a snapshot of 100,000 SKUs is a
  hundred statements, not 100,000. Within a page only the newest version of each key is kept.

Rows keep the highest version seen and records merge by HLC, so an entry applied twice or
late changes nothing. An entity this node does not know (a newer hub's) is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.service.records import apply_record
from edge.wire import b2b_order_of, refund_request_of
from sync.messages import (
    B2BApprovalV1,
    EventStatusV1,
    FeedEntry,
    PriceV1,
    ProductV1,
    PromotionV1,
    RecordUpdatedV1,
    RefundDecisionV1,
    SnapshotItem,
    StockLevelV1,
    StoreConfigV1,
    TaxRateV1,
)
from sync.records import RECORD_FIELDS

log = logging.getLogger("vectis.edge.sync")

Entry = FeedEntry | SnapshotItem
T = TypeVar("T")

Applier = Callable[[Entry, EdgeUnitOfWork, datetime], None]
Decoder = Callable[[Entry], tuple[Hashable, int, T]]
Writer = Callable[[EdgeUnitOfWork], Callable[[list[T]], None]]


@dataclass(frozen=True, slots=True)
class BulkApplier(Generic[T]):
    """`decode(entry)` gives (key, version, item); `writer(uow)` the repository method that
    stores a page's newest item of each key in one statement."""

    decode: Decoder[T]
    writer: Writer[T]


_APPLIERS: dict[str, Applier] = {}
_BULK_APPLIERS: dict[str, BulkApplier[Any]] = {}


def applies(*entities: str) -> Callable[[Applier], Applier]:
    """Register the decorated function as the applier of `entities`."""

    def register(applier: Applier) -> Applier:
        for entity in entities:
            _APPLIERS[entity] = applier
        return applier

    return register


def applies_in_bulk(entity: str, writer: Writer[T]) -> Callable[[Decoder[T]], Decoder[T]]:
    """Register the decorated decoder, with `writer`, as the bulk applier of `entity`."""

    def register(decode: Decoder[T]) -> Decoder[T]:
        _BULK_APPLIERS[entity] = BulkApplier(decode, writer)
        return decode

    return register


def known_entities() -> set[str]:
    """The feed entities this node applies."""
    return set(_APPLIERS) | set(_BULK_APPLIERS)


def apply_feed_entries(entries: Sequence[Entry], uow: EdgeUnitOfWork, *, now: datetime) -> None:
    """Apply feed entries (or snapshot items) in the caller's transaction: catalogue, prices,
    tax rates, promotions, stock levels, store configuration, refund decisions, B2B
    approvals, event statuses, and shared records merged field by field
    (edge.service.records). `now` stamps the conflicts a merge logs. Raises pydantic's
    ValidationError for a payload its entity's model refuses.
    """
    newest: dict[str, dict[Hashable, tuple[int, Any]]] = {}
    for entry in entries:
        bulk = _BULK_APPLIERS.get(entry.entity)
        if bulk is not None:
            key, version, item = bulk.decode(entry)
            held = newest.setdefault(entry.entity, {})
            # Feed order is the order transactions wrote, not version order (two writers of
            # one key can commit with their versions the other way round).
            if key not in held or held[key][0] < version:
                held[key] = (version, item)
            continue
        applier = _APPLIERS.get(entry.entity)
        if applier is None:
            # An entity of a newer hub: skipped, the cursor moves on (protocol evolution).
            log.debug("skipping feed entity %r this node does not know", entry.entity)
            continue
        applier(entry, uow, now)
    for entity, bulk in _BULK_APPLIERS.items():
        if entity in newest:
            bulk.writer(uow)([item for _, item in newest[entity].values()])


# Applied in bulk, in this order at the end of a page.


@applies_in_bulk("product", lambda uow: uow.catalogue.upsert_products)
def _product(entry: Entry) -> tuple[Hashable, int, tuple[ProductV1, int]]:
    product = ProductV1.model_validate(entry.payload)
    return product.sku, entry.version, (product, entry.version)


@applies_in_bulk("price", lambda uow: uow.catalogue.upsert_prices)
def _price(entry: Entry) -> tuple[Hashable, int, PriceV1]:
    price = PriceV1.model_validate(entry.payload)
    return (price.sku, price.price_list), price.version, price


@applies_in_bulk("stock_level", lambda uow: uow.catalogue.upsert_stock_levels)
def _stock_level(entry: Entry) -> tuple[Hashable, int, tuple[StockLevelV1, int]]:
    level = StockLevelV1.model_validate(entry.payload)
    return (level.location_id, level.sku), entry.version, (level, entry.version)


@applies_in_bulk("tax_rate", lambda uow: uow.catalogue.upsert_tax_rates)
def _tax_rate(entry: Entry) -> tuple[Hashable, int, TaxRateV1]:
    rate = TaxRateV1.model_validate(entry.payload)
    return rate.code, rate.version, rate


# Applied entry by entry.


@applies("store")
def _store(entry: Entry, uow: EdgeUnitOfWork, _now: datetime) -> None:
    uow.node.update_store(StoreConfigV1.model_validate(entry.payload), entry.version)


@applies("refund_decision")
def _refund_decision(entry: Entry, uow: EdgeUnitOfWork, _now: datetime) -> None:
    decision = RefundDecisionV1.model_validate(entry.payload)
    uow.refunds.apply_decision(refund_request_of(decision, entry.version))


@applies("b2b_approval")
def _b2b_approval(entry: Entry, uow: EdgeUnitOfWork, _now: datetime) -> None:
    approval = B2BApprovalV1.model_validate(entry.payload)
    uow.b2b_orders.apply_approval(b2b_order_of(approval, entry.version))


@applies(*RECORD_FIELDS)
def _record(entry: Entry, uow: EdgeUnitOfWork, now: datetime) -> None:
    apply_record(entry.entity, RecordUpdatedV1.model_validate(entry.payload), uow, now=now)


@applies("promotion")
def _promotion(entry: Entry, uow: EdgeUnitOfWork, _now: datetime) -> None:
    uow.catalogue.upsert_promotion(PromotionV1.model_validate(entry.payload))


@applies("event_status")
def _event_status(entry: Entry, uow: EdgeUnitOfWork, _now: datetime) -> None:
    status = EventStatusV1.model_validate(entry.payload)
    uow.outbox.mark_status(str(status.event_id), status.status)
