"""Use cases of the sync agent: enrol, push the outbox, pull the store's change feed.

Push reads the outbox after the acknowledged seq, so whatever was not acknowledged (a lost
response, a crash between send and ack, a gap the hub reported) is simply sent again; the hub
de-duplicates by event id. Pull applies a feed page and its cursor in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection

from edge.adapters import outbox
from edge.adapters.database import EdgeDatabase
from edge.adapters.repositories.b2b_orders import B2BOrderRepository
from edge.adapters.repositories.catalogue import CatalogueRepository
from edge.adapters.repositories.integrity import IntegrityRepository
from edge.adapters.repositories.node import NodeRepository
from edge.adapters.repositories.refunds import RefundRequestRepository
from edge.domain.node import NodeIdentity
from edge.errors import AlreadyEnrolled
from edge.service.records import apply_record_entry
from edge.wire import b2b_order_of, refund_request_of
from shared.clock import Clock
from shared.money import Money
from sync.client import HubClient
from sync.messages import (
    PROTOCOL_VERSION,
    B2BApprovalV1,
    ChecksumRequest,
    DayChecksumV1,
    EnrolRequest,
    EventStatusV1,
    FeedEntry,
    PriceV1,
    ProductV1,
    PromotionV1,
    PushRequest,
    RawEvent,
    RefundDecisionV1,
    RoundTripV1,
    SnapshotItem,
    StockLevelV1,
    StoreConfigV1,
    TaxRateV1,
)
from sync.protocol import day_totals, estimate_skew_ms, take_batch
from sync.records import RECORD_FIELDS

log = logging.getLogger("vectis.edge.sync")


async def enrol_node(
    database: EdgeDatabase, client: HubClient, *, token: str, node_name: str, clock: Clock
) -> NodeIdentity:
    """Exchange a one-time enrolment token for this node's identity and credential.

    Raises AlreadyEnrolled, or the client's errors (AuthenticationFailed for a used or
    unknown token, HubUnreachable).
    """
    current = await database.read(lambda connection: NodeRepository(connection).identity())
    if current is not None:
        raise AlreadyEnrolled(current.store_id)
    # The same token always gives the same attempt id, across restarts: a repeat after a lost
    # answer is recognised by the hub instead of refused as a spent token.
    attempt = hashlib.sha256(f"enrolment attempt:{token}".encode()).hexdigest()[:32]
    response = await client.enrol(
        EnrolRequest(
            protocol_version=PROTOCOL_VERSION, token=token, node_name=node_name, attempt=attempt
        )
    )
    identity = NodeIdentity(
        store_id=response.store.store_id,
        node_id=response.node_id,
        node_name=node_name,
        store_name=response.store.name,
        timezone=response.store.timezone,
        currency=response.store.currency,
    )
    enrolled_at = clock.now()
    await database.write(
        lambda connection: NodeRepository(connection).enrol(
            identity, response.credential, enrolled_at
        )
    )
    return identity


async def rotate_credential(database: EdgeDatabase, client: HubClient) -> None:
    """Get a new store credential from the hub and keep it, durably, before anything uses it.

    If the answer is lost the hub still accepts the old credential, so nothing is locked out;
    the hub retires the old one when the new one is first used. Raises the client's errors.
    """
    rotated = await client.rotate_credential()
    await database.write(
        lambda connection: NodeRepository(connection).set_credential(rotated.credential)
    )


@dataclass(frozen=True, slots=True)
class PushOutcome:
    sent: int
    acked_seq: int
    last_seq: int
    round_trip: RoundTripV1 | None  # the skew estimate of this push, when one was made

    @property
    def remaining(self) -> int:
        return max(self.last_seq - self.acked_seq, 0)


async def push_batch(
    database: EdgeDatabase,
    client: HubClient,
    identity: NodeIdentity,
    *,
    clock: Clock,
    max_events: int,
    max_bytes: int,
    handshake: bool = False,
    previous_round_trip: RoundTripV1 | None = None,
) -> PushOutcome:
    """Upload the next batch of unacknowledged outbox events and record the hub's ack.

    With nothing to upload, sends an empty push if `handshake` (so both sides measure the
    clock skew at every sync cycle, and the hub sees the node alive), else nothing.
    `previous_round_trip`, the estimate of the node's last push, goes with it: the hub takes
    the transit out of its own figure with it. Raises the client's errors; nothing is marked
    acknowledged unless the hub said so.
    """

    def read_pending(connection: Connection) -> tuple[outbox.OutboxStats, list[outbox.OutboxRow]]:
        stats = outbox.stats(connection)
        return stats, outbox.pending(connection, stats.acked_seq, max_events)

    stats, rows = await database.read(read_pending)
    batch = take_batch(rows, max_events, max_bytes)
    if not batch and not handshake:
        return PushOutcome(0, stats.acked_seq, stats.last_seq, None)
    sent_at = clock.now()
    request = PushRequest(
        protocol_version=PROTOCOL_VERSION,
        store_id=identity.store_id,
        node_id=identity.node_id,
        sent_at=sent_at,
        previous_round_trip=previous_round_trip,
        events=[_raw_event(row, identity) for row in batch],
    )
    response = await client.push(request)
    round_trip = RoundTripV1(
        sent_at=sent_at, skew_ms=estimate_skew_ms(sent_at, clock.now(), response.hub_time)
    )
    rejected = [(item.seq, item.reason) for item in response.rejected]

    def record(connection: Connection) -> None:
        NodeRepository(connection).advance_ack(response.acked_seq)
        outbox.mark_quarantined(connection, rejected)

    await database.write(record)
    return PushOutcome(
        sent=len(batch),
        acked_seq=max(response.acked_seq, stats.acked_seq),
        last_seq=stats.last_seq,
        round_trip=round_trip,
    )


def _raw_event(row: outbox.OutboxRow, identity: NodeIdentity) -> RawEvent:
    # The outbox row was validated when it was written; skip re-validation on the hot path.
    return RawEvent.model_construct(
        event_id=UUID(row.event_id),
        store_id=identity.store_id,
        node_id=identity.node_id,
        seq=row.seq,
        schema_version=row.schema_version,
        hlc=row.hlc,
        occurred_at=datetime.fromisoformat(row.occurred_at),
        kind=row.kind,
        payload=json.loads(row.payload),
    )


async def verify_days(
    database: EdgeDatabase, client: HubClient, identity: NodeIdentity, *, clock: Clock
) -> int:
    """Compare the totals of every fully uploaded business day with the hub's; returns how many
    days did not match (the hub raises an alert for each). Raises the client's errors.
    """

    def gather(connection: Connection) -> tuple[int, int, list[DayChecksumV1]]:
        integrity = IntegrityRepository(connection)
        acked = NodeRepository(connection).acked_seq()
        done = integrity.checksum_seq()
        ready: list[DayChecksumV1] = []
        mark = acked
        for day in integrity.days_between(done, acked):
            if integrity.last_seq_of_day(day) > acked:
                mark = done  # part of the day is still uploading: look again later
                continue
            totals = day_totals(integrity.day_events(day))
            ready.append(
                DayChecksumV1(
                    business_day=date.fromisoformat(day),
                    count=totals.count,
                    total_minor=totals.total_minor,
                    id_hash=totals.id_hash,
                )
            )
        return done, mark, ready

    done, mark, ready = await database.read(gather)
    if not ready:
        return 0
    response = await client.checksums(
        ChecksumRequest(
            protocol_version=PROTOCOL_VERSION,
            store_id=identity.store_id,
            node_id=identity.node_id,
            days=ready,
        )
    )
    checked_at = clock.now().isoformat()
    mine = {day.business_day: day for day in ready}
    rows = [
        {
            "business_day": verdict.business_day.isoformat(),
            "count": mine[verdict.business_day].count,
            "total_minor": mine[verdict.business_day].total_minor,
            "id_hash": mine[verdict.business_day].id_hash,
            "status": verdict.status,
            "hub_count": verdict.hub.count,
            "hub_total_minor": verdict.hub.total_minor,
            "hub_id_hash": verdict.hub.id_hash,
            "checked_at": checked_at,
        }
        for verdict in response.days
    ]

    def record(connection: Connection) -> None:
        integrity = IntegrityRepository(connection)
        integrity.record(rows)
        if mark > done:
            integrity.set_checksum_seq(mark)

    await database.write(record)
    return sum(verdict.status == "mismatch" for verdict in response.days)


async def bootstrap_chunk(
    database: EdgeDatabase, client: HubClient, *, page_size: int, clock: Clock
) -> bool:
    """Download and apply the next chunk of the store's snapshot; True once it is complete.

    Each chunk is applied with the resume key in one transaction, so a download cut short
    (network, crash) goes on from the last applied chunk. At the end the node follows the
    feed from the position the hub named in the first chunk. The outbox is never touched.
    """
    _, position, after = await database.read(
        lambda connection: NodeRepository(connection).bootstrap_state()
    )
    page = await client.snapshot(after, page_size)
    now = clock.now()
    start = position if position is not None else (page.position or "")

    def apply(connection: Connection) -> None:
        apply_feed_entries(connection, page.items, now)
        node = NodeRepository(connection)
        if page.has_more:
            node.record_bootstrap(start, page.next_after)
        else:
            node.finish_bootstrap(start)

    await database.write(apply, durable=False)
    return not page.has_more


async def needs_bootstrap(database: EdgeDatabase) -> bool:
    needed, _, _ = await database.read(
        lambda connection: NodeRepository(connection).bootstrap_state()
    )
    return needed


async def restart_bootstrap(database: EdgeDatabase) -> None:
    await database.write(lambda connection: NodeRepository(connection).restart_bootstrap())


@dataclass(frozen=True, slots=True)
class PullOutcome:
    applied: int
    has_more: bool
    cursor: str | None


async def pull_page(
    database: EdgeDatabase, client: HubClient, *, page_size: int, clock: Clock
) -> PullOutcome:
    """Fetch the next page of the store's feed and apply it with its cursor, atomically."""
    cursor = await database.read(lambda connection: NodeRepository(connection).feed_cursor())
    page = await client.feed(cursor, page_size)
    now = clock.now()
    if page.entries:

        def apply(connection: Connection) -> None:
            apply_feed_entries(connection, page.entries, now)
            NodeRepository(connection).set_feed_cursor(page.next_cursor)

        await database.write(apply, durable=False)
    return PullOutcome(applied=len(page.entries), has_more=page.has_more, cursor=page.next_cursor)


def _keep_newest(
    rows: dict[Any, dict[str, Any]], key: Any, version: int, row: dict[str, Any]
) -> None:
    """Keep `row` for `key` unless the page already holds a newer version: feed order is the
    order transactions wrote, not version order (two writers of one key can commit with their
    versions the other way round)."""
    held = rows.get(key)
    if held is None or held["version"] < version:
        rows[key] = row


def apply_feed_entries(
    connection: Connection, entries: Sequence[FeedEntry | SnapshotItem], now: datetime
) -> None:
    """Upsert catalogue, prices, tax rates, promotions, stock levels, store settings, refund
    decisions and B2B orders' approvals from feed entries (or snapshot items); merge shared
    records (customers, store settings) field by field (edge.service.records).

    Rows keep the highest version seen and records merge by HLC, so an entry applied twice or
    late changes nothing.
    """
    catalogue = CatalogueRepository(connection)
    products: dict[str, dict[str, Any]] = {}
    prices: dict[tuple[str, str], dict[str, Any]] = {}
    levels: dict[tuple[str, str], dict[str, Any]] = {}
    rates: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if entry.entity == "product":
            product = ProductV1.model_validate(entry.payload)
            _keep_newest(
                products,
                product.sku,
                entry.version,
                {
                    "sku": product.sku,
                    "description": product.description,
                    "kind": product.kind,
                    "track_inventory": int(product.track_inventory),
                    "gtin": product.gtin,
                    "tax_code": product.tax_code,
                    "version": entry.version,
                },
            )
        elif entry.entity == "price":
            price = PriceV1.model_validate(entry.payload)
            _keep_newest(
                prices,
                (price.sku, price.price_list),
                price.version,
                {
                    "sku": price.sku,
                    "price_list": price.price_list,
                    "unit_price": str(price.unit_price),
                    "currency": price.currency,
                    "version": price.version,
                },
            )
        elif entry.entity == "stock_level":
            level = StockLevelV1.model_validate(entry.payload)
            _keep_newest(
                levels,
                (level.location_id, level.sku),
                entry.version,
                {
                    "location_id": level.location_id,
                    "sku": level.sku,
                    "on_hand": level.on_hand,
                    "version": entry.version,
                },
            )
        elif entry.entity == "store":
            store = StoreConfigV1.model_validate(entry.payload)
            over = store.refund_approval_over
            NodeRepository(connection).update_store(
                store.name,
                store.timezone,
                store.currency,
                Money(over, store.currency).minor if over is not None else None,
                entry.version,
            )
        elif entry.entity == "refund_decision":
            decision = RefundDecisionV1.model_validate(entry.payload)
            RefundRequestRepository(connection).apply_decision(
                refund_request_of(decision, entry.version)
            )
        elif entry.entity == "b2b_approval":
            approval = B2BApprovalV1.model_validate(entry.payload)
            B2BOrderRepository(connection).apply_approval(b2b_order_of(approval, entry.version))
        elif entry.entity in RECORD_FIELDS:
            apply_record_entry(connection, entry.entity, entry.payload, now)
        elif entry.entity == "tax_rate":
            rate = TaxRateV1.model_validate(entry.payload)
            _keep_newest(
                rates,
                rate.code,
                rate.version,
                {"code": rate.code, "rate": str(rate.rate), "version": rate.version},
            )
        elif entry.entity == "promotion":
            promotion = PromotionV1.model_validate(entry.payload)
            catalogue.upsert_promotion(
                {
                    "promotion_id": promotion.promotion_id,
                    "name": promotion.name,
                    "percent_off": str(promotion.percent_off),
                    "starts_at": promotion.starts_at.isoformat(),
                    "ends_at": promotion.ends_at.isoformat() if promotion.ends_at else None,
                    "active": int(promotion.active),
                    "version": promotion.version,
                },
                promotion.skus,
            )
        elif entry.entity == "event_status":
            status = EventStatusV1.model_validate(entry.payload)
            outbox.mark_status(connection, str(status.event_id), status.status)
        else:
            # An entity of a newer hub: skipped, the cursor moves on (protocol evolution).
            log.debug("skipping feed entity %r this node does not know", entry.entity)
    catalogue.upsert_products(list(products.values()))
    catalogue.upsert_prices(list(prices.values()))
    catalogue.upsert_stock_levels(list(levels.values()))
    catalogue.upsert_tax_rates(list(rates.values()))
