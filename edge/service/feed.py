"""Feed appliers: what the node does with each entity of the hub's feed (and snapshot).

One applier per entity, registered by its name with `@applies` (sync.messages.FEED_ENTITIES):
adding an entity is one function and its registration. Catalogue entities (products, prices,
stock levels, tax rates) go into the page's catalogue batch, written once per page with one
statement per table (edge.adapters.repositories.catalogue.CatalogueBatch); the others are
applied as they come.

Rows keep the highest version seen and records merge by HLC, so an entry applied twice or
late changes nothing. An entity this node does not know (a newer hub's) is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from edge.adapters.repositories.catalogue import CatalogueBatch
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
    StaffV1,
    StockLevelV1,
    StoreFeedConfigV1,
    TaxRateV1,
)
from sync.records import RECORD_FIELDS

log = logging.getLogger("vectis.edge.sync")

Entry = FeedEntry | SnapshotItem


@dataclass(frozen=True, slots=True)
class ApplyContext:
    """What every applier of one page of entries (a feed page, a snapshot chunk) works with:
    the page's unit of work, its catalogue batch (written when the page's entries are all
    applied), and the time that stamps the conflicts a merge logs. Not the wire's page
    (sync.messages.FeedPage), whose entries these are."""

    uow: EdgeUnitOfWork
    catalogue: CatalogueBatch
    now: datetime


Applier = Callable[[Entry, ApplyContext], None]

_APPLIERS: dict[str, Applier] = {}


def applies(*entities: str) -> Callable[[Applier], Applier]:
    """Register the decorated function as the applier of `entities`."""

    def register(applier: Applier) -> Applier:
        for entity in entities:
            _APPLIERS[entity] = applier
        return applier

    return register


def known_entities() -> set[str]:
    """The feed entities this node applies."""
    return set(_APPLIERS)


def apply_feed_entries(entries: Sequence[Entry], uow: EdgeUnitOfWork, *, now: datetime) -> None:
    """Apply feed entries (or snapshot items) in the caller's transaction, each by its
    entity's applier. `now` stamps the conflicts a merge of shared records logs. Raises
    pydantic's ValidationError for a payload its entity's model refuses.
    """
    context = ApplyContext(uow, uow.catalogue.batch(), now)
    for entry in entries:
        applier = _APPLIERS.get(entry.entity)
        if applier is None:
            # An entity of a newer hub: skipped, the cursor moves on (protocol evolution).
            log.debug("skipping feed entity %r this node does not know", entry.entity)
            continue
        applier(entry, context)
    context.catalogue.write()


@applies("product")
def _product(entry: Entry, context: ApplyContext) -> None:
    context.catalogue.add_product(ProductV1.model_validate(entry.payload), entry.version)


@applies("price")
def _price(entry: Entry, context: ApplyContext) -> None:
    context.catalogue.add_price(PriceV1.model_validate(entry.payload))


@applies("stock_level")
def _stock_level(entry: Entry, context: ApplyContext) -> None:
    context.catalogue.add_stock_level(StockLevelV1.model_validate(entry.payload), entry.version)


@applies("tax_rate")
def _tax_rate(entry: Entry, context: ApplyContext) -> None:
    context.catalogue.add_tax_rate(TaxRateV1.model_validate(entry.payload))


@applies("promotion")
def _promotion(entry: Entry, context: ApplyContext) -> None:
    context.uow.catalogue.upsert_promotion(PromotionV1.model_validate(entry.payload))


@applies("store")
def _store(entry: Entry, context: ApplyContext) -> None:
    context.uow.node.update_store(StoreFeedConfigV1.model_validate(entry.payload), entry.version)


@applies("refund_decision")
def _refund_decision(entry: Entry, context: ApplyContext) -> None:
    decision = RefundDecisionV1.model_validate(entry.payload)
    context.uow.refunds.apply_decision(refund_request_of(decision, entry.version))


@applies("b2b_approval")
def _b2b_approval(entry: Entry, context: ApplyContext) -> None:
    approval = B2BApprovalV1.model_validate(entry.payload)
    context.uow.b2b_orders.apply_approval(b2b_order_of(approval, entry.version))


@applies("staff")
def _staff(entry: Entry, context: ApplyContext) -> None:
    member = StaffV1.model_validate(entry.payload)
    identity = context.uow.node.identity()
    works_here = identity is None or identity.store_id in member.stores
    context.uow.staff.upsert(
        member.staff_code, member.name, member.role, member.active and works_here, entry.version
    )


@applies(*RECORD_FIELDS)
def _record(entry: Entry, context: ApplyContext) -> None:
    record = RecordUpdatedV1.model_validate(entry.payload)
    apply_record(entry.entity, record, context.uow, now=context.now)


@applies("event_status")
def _event_status(entry: Entry, context: ApplyContext) -> None:
    status = EventStatusV1.model_validate(entry.payload)
    context.uow.outbox.mark_status(status.event_id, status.status)
