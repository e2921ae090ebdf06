"""Repositories of the hub: all of its SQL. Each takes the caller's connection; none commits."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, NamedTuple
from uuid import UUID

import asyncpg
from sqlalchemy import (
    Row,
    Table,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert

from hub.adapters import tables
from hub.domain.feed import FeedPosition
from hub.domain.ledger import CashEntry, LedgerDocument, StockMovement
from hub.domain.sale_exceptions import SaleException
from hub.errors import InvalidRequest, StorageRefused
from sync.messages import DayChecksumV1


def _insert(connection: AsyncConnection, table: Any) -> Any:
    """A dialect INSERT that supports ON CONFLICT."""
    if connection.dialect.name == "postgresql":
        return postgres_insert(table)
    return sqlite_insert(table)


def _is_postgres(connection: AsyncConnection) -> bool:
    return connection.dialect.name == "postgresql"


async def visible_horizon(connection: AsyncConnection) -> int | None:
    """Oldest transaction id still running (PostgreSQL; None on SQLite): every row written by a
    transaction below it is final, so a reader paging in (txid, id) order below it never skips
    a row that commits late. Read it in the same REPEATABLE READ snapshot as the rows.
    """
    if not _is_postgres(connection):
        return None
    result = await connection.exec_driver_sql(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
    )
    return int(result.scalar_one())


def _one_of(connection: AsyncConnection, column: Any, values: Sequence[Any]) -> Any:
    """`column IN values`; on PostgreSQL `column = ANY(array)`, one parameter however many
    values (SQLAlchemy renders an IN list value by value, which showed in ingest profiles).
    """
    if _is_postgres(connection):
        return column == any_(bindparam(None, value=list(values), type_=ARRAY(column.type)))
    return column.in_(values)


async def _write_rows(
    connection: AsyncConnection,
    table: Table,
    columns: Sequence[str],
    records: Sequence[tuple[Any, ...]],
) -> None:
    """Insert `records` (tuples of values in `columns` order) into `table` in the caller's
    transaction.

    On PostgreSQL with binary COPY: building an executemany row by row costs several times the
    database's own work (measured: it was a third of the hub's CPU at ingest), and so did
    building a dict per row before the tuple. Values must already be of the column's Python
    type (UUID, aware datetime, Decimal, JSON as text).
    """
    if not records:
        return
    if not _is_postgres(connection):
        await connection.execute(
            table.insert(), [dict(zip(columns, row, strict=True)) for row in records]
        )
        return
    raw = await connection.get_raw_connection()
    try:
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table.name, columns=list(columns), records=records
        )
    except (asyncpg.PostgresError, ValueError) as error:
        # ValueError: asyncpg's client-side DataError, a value it cannot encode for the column
        # (out of range); a lost connection is neither, and stays a failure of the request.
        raise StorageRefused(table.name, str(error).splitlines()[0]) from error


@dataclass(frozen=True, slots=True)
class StoreRecord:
    store_id: str
    name: str
    timezone: str
    currency: str
    created_at: datetime
    refund_approval_over_minor: int | None = None
    config_version: int = 1


class StoreRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, store: StoreRecord) -> bool:
        """Insert; False if the id exists."""
        statement = (
            _insert(self._connection, tables.store)
            .values(
                store_id=store.store_id,
                name=store.name,
                timezone=store.timezone,
                currency=store.currency,
                created_at=store.created_at,
            )
            .on_conflict_do_nothing(index_elements=["store_id"])
        )
        result = await self._connection.execute(statement)
        return bool(result.rowcount)

    async def get(self, store_id: str) -> StoreRecord | None:
        row = (
            await self._connection.execute(
                select(tables.store).where(tables.store.c.store_id == store_id)
            )
        ).first()
        return _store(row) if row else None

    async def all(self) -> list[StoreRecord]:
        rows = await self._connection.execute(
            select(tables.store).order_by(tables.store.c.store_id)
        )
        return [_store(row) for row in rows]

    async def set_refund_policy(
        self, store_id: str, approval_over_minor: int | None
    ) -> StoreRecord | None:
        """Set the store's refund limit, next config version; returns the store (None: none)."""
        store = tables.store
        row = (
            await self._connection.execute(
                update(store)
                .where(store.c.store_id == store_id)
                .values(
                    refund_approval_over_minor=approval_over_minor,
                    config_version=store.c.config_version + 1,
                )
                .returning(store)
            )
        ).first()
        return _store(row) if row else None


def _store(row: Row[Any]) -> StoreRecord:
    return StoreRecord(
        row.store_id,
        row.name,
        row.timezone,
        row.currency,
        row.created_at,
        row.refund_approval_over_minor,
        row.config_version,
    )


@dataclass(frozen=True, slots=True)
class NodeRecord:
    node_id: str
    store_id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None
    acked_seq: int
    last_push_at: datetime | None
    skew_ms: int | None


class EnrolmentRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add_token(
        self, token_hash: str, store_id: str, created_at: datetime, expires_at: datetime
    ) -> None:
        await self._connection.execute(
            tables.enrolment_token.insert().values(
                token_hash=token_hash,
                store_id=store_id,
                created_at=created_at,
                expires_at=expires_at,
            )
        )

    async def consume_token(
        self, token_hash: str, node_id: str, attempt: str | None, now: datetime
    ) -> str | None:
        """Mark the token used, atomically; its store id, or None if unknown, used or expired."""
        result = await self._connection.execute(
            update(tables.enrolment_token)
            .where(
                tables.enrolment_token.c.token_hash == token_hash,
                tables.enrolment_token.c.used_at.is_(None),
                tables.enrolment_token.c.expires_at > now,
            )
            .values(used_at=now, used_by_node_id=node_id, used_by_attempt=attempt)
            .returning(tables.enrolment_token.c.store_id)
        )
        store_id: str | None = result.scalar_one_or_none()
        return store_id

    async def repeated_attempt(
        self, token_hash: str, attempt: str, since: datetime
    ) -> tuple[str, str] | None:
        """(store id, node id) if this very attempt spent the token since `since`."""
        row = (
            await self._connection.execute(
                select(
                    tables.enrolment_token.c.store_id, tables.enrolment_token.c.used_by_node_id
                ).where(
                    tables.enrolment_token.c.token_hash == token_hash,
                    tables.enrolment_token.c.used_by_attempt == attempt,
                    tables.enrolment_token.c.used_at >= since,
                )
            )
        ).first()
        return (row.store_id, row.used_by_node_id) if row else None

    async def add_node(
        self, node_id: str, store_id: str, name: str, credential_hash: str, now: datetime
    ) -> None:
        await self._connection.execute(
            tables.node.insert().values(
                node_id=node_id,
                store_id=store_id,
                name=name,
                credential_hash=credential_hash,
                created_at=now,
            )
        )


class PushState(NamedTuple):
    """A node's acknowledged seq, and its last push as the hub measured it (None before)."""

    acked_seq: int
    last_sent_at: datetime | None
    one_way_ms: int | None


class NodeRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def by_credential(self, credential_hash: str) -> tuple[NodeRecord, bool] | None:
        """The node holding this credential, and whether it is its pending next one."""
        node = tables.node
        row = (
            await self._connection.execute(
                select(node).where(
                    or_(
                        node.c.credential_hash == credential_hash,
                        node.c.next_credential_hash == credential_hash,
                    )
                )
            )
        ).first()
        if row is None:
            return None
        return _node(row), row.next_credential_hash == credential_hash

    async def set_next_credential(self, node_id: str, credential_hash: str, now: datetime) -> None:
        await self._connection.execute(
            update(tables.node)
            .where(tables.node.c.node_id == node_id)
            .values(next_credential_hash=credential_hash, credential_rotated_at=now)
        )

    async def promote_next_credential(self, node_id: str, credential_hash: str) -> None:
        """The node used its next credential: it becomes the only one; the old stops working."""
        await self._connection.execute(
            update(tables.node)
            .where(
                tables.node.c.node_id == node_id,
                tables.node.c.next_credential_hash == credential_hash,
            )
            .values(credential_hash=credential_hash, next_credential_hash=None)
        )

    async def revoke(self, store_id: str, node_id: str, now: datetime) -> bool:
        result = await self._connection.execute(
            update(tables.node)
            .where(
                tables.node.c.node_id == node_id,
                tables.node.c.store_id == store_id,
                tables.node.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return bool(result.rowcount)

    async def get(self, node_id: str) -> NodeRecord | None:
        row = (
            await self._connection.execute(
                select(tables.node).where(tables.node.c.node_id == node_id)
            )
        ).first()
        return _node(row) if row else None

    async def for_store(self, store_id: str) -> list[NodeRecord]:
        rows = await self._connection.execute(
            select(tables.node)
            .where(tables.node.c.store_id == store_id)
            .order_by(tables.node.c.created_at)
        )
        return [_node(row) for row in rows]

    async def max_abs_skew_ms(self) -> int | None:
        """The largest clock skew, either way, measured at the last push of a live node."""
        node = tables.node
        statement = select(func.max(func.abs(node.c.skew_ms))).where(node.c.revoked_at.is_(None))
        value = (await self._connection.execute(statement)).scalar_one_or_none()
        return int(value) if value is not None else None

    async def lock_push_state(self, node_id: str) -> PushState:
        """The node's acknowledged seq and its last push as measured, locking its row for this
        transaction (PostgreSQL)."""
        node = tables.node
        statement = select(node.c.acked_seq, node.c.last_sent_at, node.c.one_way_ms).where(
            node.c.node_id == node_id
        )
        if _is_postgres(self._connection):
            statement = statement.with_for_update()
        acked_seq, last_sent_at, one_way_ms = (await self._connection.execute(statement)).one()
        return PushState(int(acked_seq), last_sent_at, one_way_ms)

    async def record_push(
        self,
        node_id: str,
        acked_seq: int,
        now: datetime,
        skew_ms: int,
        sent_at: datetime,
        one_way_ms: int,
    ) -> None:
        await self._connection.execute(
            update(tables.node)
            .where(tables.node.c.node_id == node_id)
            .values(
                acked_seq=acked_seq,
                last_push_at=now,
                skew_ms=skew_ms,
                last_sent_at=sent_at,
                one_way_ms=one_way_ms,
            )
        )


def _node(row: Row[Any]) -> NodeRecord:
    return NodeRecord(
        node_id=row.node_id,
        store_id=row.store_id,
        name=row.name,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        acked_seq=row.acked_seq,
        last_push_at=row.last_push_at,
        skew_ms=row.skew_ms,
    )


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    key_id: str
    name: str
    scope: Literal["hq", "erp"]
    revoked_at: datetime | None


class ApiKeyRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, key_id: str, name: str, scope: str, key_hash: str, now: datetime) -> None:
        await self._connection.execute(
            tables.api_key.insert().values(
                key_id=key_id, name=name, scope=scope, key_hash=key_hash, created_at=now
            )
        )

    async def all(self) -> list[ApiKeyRecord]:
        rows = await self._connection.execute(
            select(tables.api_key).order_by(tables.api_key.c.created_at)
        )
        return [ApiKeyRecord(row.key_id, row.name, row.scope, row.revoked_at) for row in rows]

    async def revoke(self, key_id: str, now: datetime) -> bool:
        result = await self._connection.execute(
            update(tables.api_key)
            .where(tables.api_key.c.key_id == key_id, tables.api_key.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return bool(result.rowcount)

    async def by_hash(self, key_hash: str) -> ApiKeyRecord | None:
        row = (
            await self._connection.execute(
                select(tables.api_key).where(tables.api_key.c.key_hash == key_hash)
            )
        ).first()
        return ApiKeyRecord(row.key_id, row.name, row.scope, row.revoked_at) if row else None


@dataclass(frozen=True, slots=True)
class ProductRecord:
    sku: str
    description: str | None
    kind: str
    track_inventory: bool
    gtin: str | None
    version: int
    tax_code: str | None = None


@dataclass(frozen=True, slots=True)
class PriceRecord:
    sku: str
    price_list: str
    unit_price: Decimal
    currency: str
    version: int


class CatalogueRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def products(self, skus: Sequence[str]) -> dict[str, ProductRecord]:
        found: dict[str, ProductRecord] = {}
        for chunk in _chunks(skus, 5000):
            rows = await self._connection.execute(
                select(tables.product).where(_one_of(self._connection, tables.product.c.sku, chunk))
            )
            for row in rows:
                found[row.sku] = ProductRecord(
                    row.sku,
                    row.description,
                    row.kind,
                    row.track_inventory,
                    row.gtin,
                    row.version,
                    row.tax_code,
                )
        return found

    async def sale_terms(
        self, skus: Sequence[str], price_list: str
    ) -> dict[str, tuple[bool, PriceRecord | None]]:
        """What ingest checks a sale against, in one query: per SKU in the catalogue, whether
        its inventory is tracked, and its price on `price_list` (None without one)."""
        product, price = tables.product, tables.price
        found: dict[str, tuple[bool, PriceRecord | None]] = {}
        for chunk in _chunks(skus, 5000):
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
                .where(_one_of(self._connection, product.c.sku, chunk))
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
        for chunk in _chunks(skus, 5000):
            rows = await self._connection.execute(
                select(tables.price).where(
                    _one_of(self._connection, tables.price.c.sku, chunk),
                    tables.price.c.price_list == price_list,
                )
            )
            for row in rows:
                found[row.sku] = PriceRecord(
                    row.sku, row.price_list, row.unit_price, row.currency, row.version
                )
        return found

    async def lock(self, name: str) -> None:
        """Hold a lock on `name` until the transaction ends, so that two first writes of the
        same new key (where `FOR UPDATE` has no row to lock) run one after the other. On
        SQLite every write transaction is serialised already."""
        if _is_postgres(self._connection):
            await self._connection.execute(
                select(func.pg_advisory_xact_lock(func.hashtextextended(name, 0)))
            )

    async def tax_rate(self, code: str) -> Row[Any] | None:
        found = await self._connection.execute(
            select(tables.tax_rate).where(tables.tax_rate.c.code == code)
        )
        return found.first()

    async def tax_rates(self) -> list[Row[Any]]:
        found = await self._connection.execute(
            select(tables.tax_rate).order_by(tables.tax_rate.c.code)
        )
        return list(found.all())

    async def put_tax_rate(self, row: dict[str, Any]) -> None:
        statement = _insert(self._connection, tables.tax_rate)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["code"],
                set_={name: statement.excluded[name] for name in row if name != "code"},
            ),
            [row],
        )

    async def promotion(self, promotion_id: str) -> Row[Any] | None:
        found = await self._connection.execute(
            select(tables.promotion).where(tables.promotion.c.promotion_id == promotion_id)
        )
        return found.first()

    async def promotions(self) -> list[Row[Any]]:
        found = await self._connection.execute(
            select(tables.promotion).order_by(tables.promotion.c.promotion_id)
        )
        return list(found.all())

    async def put_promotion(self, row: dict[str, Any]) -> None:
        statement = _insert(self._connection, tables.promotion)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["promotion_id"],
                set_={name: statement.excluded[name] for name in row if name != "promotion_id"},
            ),
            [row],
        )

    async def upsert_products(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        statement = _insert(self._connection, tables.product)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["sku"],
                set_={name: statement.excluded[name] for name in rows[0] if name != "sku"},
            ),
            rows,
        )

    async def upsert_prices(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        statement = _insert(self._connection, tables.price)
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


class InboxRow(NamedTuple):
    """A received event as the inbox (`sync_event`) stores it."""

    event_id: UUID
    node_id: str
    store_id: str
    seq: int
    kind: str
    schema_version: int
    hlc: str
    occurred_at: datetime
    received_at: datetime
    status: Literal["applied", "quarantined"]
    status_reason: str | None
    payload: str  # the payload's JSON text, as received


# The predicates of the inbox's partial indexes, written as they are (a bound parameter would
# hide from PostgreSQL's planner that the index covers the query).
_QUARANTINED = tables.sync_event.c.status == literal_column("'quarantined'")
_RETRIED = tables.sync_event.c.retries > literal_column("0")


class EventRepository:
    """The inbox of received events, keyed by event id and by (node, seq)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def held(self, node_id: str, seqs: Sequence[int]) -> dict[int, UUID]:
        """Event ids the hub already holds for these seqs of the node."""
        held: dict[int, UUID] = {}
        for chunk in _chunks(sorted(set(seqs)), 5000):
            rows = await self._connection.execute(
                select(tables.sync_event.c.seq, tables.sync_event.c.event_id).where(
                    tables.sync_event.c.node_id == node_id,
                    _one_of(self._connection, tables.sync_event.c.seq, chunk),
                )
            )
            held.update({row.seq: row.event_id for row in rows})
        return held

    async def known_event_ids(self, event_ids: Sequence[UUID]) -> set[UUID]:
        known: set[UUID] = set()
        for chunk in _chunks(list(event_ids), 5000):
            rows = await self._connection.execute(
                select(tables.sync_event.c.event_id).where(
                    _one_of(self._connection, tables.sync_event.c.event_id, chunk)
                )
            )
            known.update(row.event_id for row in rows)
        return known

    async def seqs_after(self, node_id: str, seq: int) -> list[int]:
        rows = await self._connection.execute(
            select(tables.sync_event.c.seq)
            .where(tables.sync_event.c.node_id == node_id, tables.sync_event.c.seq > seq)
            .order_by(tables.sync_event.c.seq)
        )
        return [row.seq for row in rows]

    async def quarantined(
        self,
        store_id: str | None,
        limit: int,
        after: datetime | None,
        after_event: UUID | None = None,
    ) -> list[Row[Any]]:
        """Quarantined events, oldest first (by receipt, then node and seq), optionally of one
        store, received after `after`, and after the event `after_event` in that order (a
        keyset: events of one batch share their receipt time, so a time alone would skip the
        rest of a batch cut by a page)."""
        event = tables.sync_event
        statement = select(event).where(_QUARANTINED)
        if store_id is not None:
            statement = statement.where(event.c.store_id == store_id)
        if after is not None:
            statement = statement.where(event.c.received_at > after)
        if after_event is not None:
            last = await self.get(after_event)
            if last is None:
                raise InvalidRequest(f"after_event {after_event} names no received event")
            statement = statement.where(
                tuple_(event.c.received_at, event.c.node_id, event.c.seq)
                > tuple_(last.received_at, last.node_id, last.seq)
            )
        statement = statement.order_by(event.c.received_at, event.c.node_id, event.c.seq).limit(
            limit
        )
        return list((await self._connection.execute(statement)).all())

    async def count_quarantined(self) -> int:
        statement = select(func.count()).where(_QUARANTINED)
        return int((await self._connection.execute(statement)).scalar_one())

    async def get(self, event_id: UUID, *, lock: bool = False) -> Row[Any] | None:
        statement = select(tables.sync_event).where(tables.sync_event.c.event_id == event_id)
        if lock and _is_postgres(self._connection):
            statement = statement.with_for_update()
        return (await self._connection.execute(statement)).first()

    async def set_status(
        self, event_id: UUID, status: str, reason: str | None, retried_at: datetime
    ) -> None:
        await self._connection.execute(
            update(tables.sync_event)
            .where(tables.sync_event.c.event_id == event_id)
            .values(
                status=status,
                status_reason=reason,
                retries=tables.sync_event.c.retries + 1,
                last_retry_at=retried_at,
            )
        )

    async def add(self, rows: list[InboxRow]) -> None:
        """Insert inbox rows."""
        if _is_postgres(self._connection):
            await _write_rows(self._connection, tables.sync_event, InboxRow._fields, rows)
        elif rows:
            decoded = [{**row._asdict(), "payload": json.loads(row.payload)} for row in rows]
            await self._connection.execute(tables.sync_event.insert(), decoded)


_DOCUMENT_COLUMNS = (
    "document_id",
    "kind",
    "store_id",
    "node_id",
    "event_id",
    "receipt_number",
    "till_id",
    "external_reference",
    "original_document_id",
    "customer_id",
    "business_day",
    "business_time",
    "currency",
    "total_minor",
    "line_count",
    "units",
)
_LINE_COLUMNS = (
    "document_id",
    "line_no",
    "sku",
    "description",
    "quantity",
    "unit_price",
    "line_total_minor",
    "price_version",
    "price_source",
    "discount_minor",
    "promotion_id",
    "promotion_version",
    "tax_minor",
    "tax_code",
    "tax_rate",
    "tax_version",
)
_TENDER_COLUMNS = (
    "document_id",
    "tender_no",
    "kind",
    "amount_minor",
    "tendered_minor",
    "change_minor",
)


class LedgerRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def existing_documents(self, document_ids: Sequence[UUID]) -> set[UUID]:
        found: set[UUID] = set()
        for chunk in _chunks(list(document_ids), 5000):
            rows = await self._connection.execute(
                select(tables.sale_document.c.document_id).where(
                    _one_of(self._connection, tables.sale_document.c.document_id, chunk)
                )
            )
            found.update(row.document_id for row in rows)
        return found

    async def existing_receipts(self, node_id: str, receipt_numbers: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(receipt_numbers), 5000):
            rows = await self._connection.execute(
                select(tables.sale_document.c.receipt_number).where(
                    tables.sale_document.c.node_id == node_id,
                    _one_of(self._connection, tables.sale_document.c.receipt_number, chunk),
                )
            )
            found.update(row.receipt_number for row in rows)
        return found

    async def add(self, documents: Sequence[LedgerDocument]) -> None:
        if not documents:
            return
        await _write_rows(
            self._connection,
            tables.sale_document,
            _DOCUMENT_COLUMNS,
            [
                (
                    document.document_id,
                    document.kind,
                    document.store_id,
                    document.node_id,
                    document.event_id,
                    document.receipt_number,
                    document.till_id,
                    document.external_reference,
                    document.original_document_id,
                    document.customer_id,
                    document.business_day,
                    document.business_time,
                    document.currency,
                    document.total_minor,
                    len(document.lines),
                    document.units,
                )
                for document in documents
            ],
        )
        await _write_rows(
            self._connection,
            tables.sale_line,
            _LINE_COLUMNS,
            [
                (
                    document.document_id,
                    line.line_no,
                    line.sku,
                    line.description,
                    line.quantity,
                    line.unit_price,
                    line.line_total_minor,
                    line.price_version,
                    line.price_source,
                    line.discount_minor,
                    line.promotion_id,
                    line.promotion_version,
                    line.tax_minor,
                    line.tax_code,
                    line.tax_rate,
                    line.tax_version,
                )
                for document in documents
                for line in document.lines
            ],
        )
        await _write_rows(
            self._connection,
            tables.tender,
            _TENDER_COLUMNS,
            [
                (
                    document.document_id,
                    tender.tender_no,
                    tender.kind,
                    tender.amount_minor,
                    tender.tendered_minor,
                    tender.change_minor,
                )
                for document in documents
                for tender in document.tenders
            ],
        )

    async def event_totals(
        self, node_id: str, days: Sequence[date]
    ) -> dict[date, list[tuple[str, int]]]:
        """(event id, signed amount in minor units) of a node's documents (their signed total)
        and cash movements (their effect on the drawer), by business day; as the edge's
        `IntegrityRepository.day_events`."""
        document = tables.sale_document
        movement = tables.cash_movement
        drawer = case(
            (movement.c.kind.in_(("paid_out", "pickup")), -movement.c.amount_minor),
            else_=movement.c.amount_minor,
        )
        statement = union_all(
            select(document.c.business_day, document.c.event_id, document.c.total_minor).where(
                document.c.node_id == node_id,
                _one_of(self._connection, document.c.business_day, list(days)),
            ),
            select(movement.c.business_day, movement.c.event_id, drawer).where(
                movement.c.node_id == node_id,
                _one_of(self._connection, movement.c.business_day, list(days)),
            ),
        )
        found: dict[date, list[tuple[str, int]]] = {}
        for business_day, event_id, amount in await self._connection.execute(statement):
            found.setdefault(business_day, []).append((str(event_id), int(amount)))
        return found

    async def sales_report(
        self,
        group_by: Literal["day", "store", "store_day"],
        first_day: date | None,
        last_day: date | None,
        store_id: str | None,
        currency: str,
    ) -> list[dict[str, Any]]:
        """Per group, over documents in `currency`: invoices, lines, units (net), revenue_minor
        (net), returns_minor (positive), tax_minor (included in revenue, net of refunds),
        discount_minor (promotions, net of refunds).
        """
        document = tables.sale_document
        keys: list[Any] = {
            "day": [document.c.business_day],
            "store": [document.c.store_id],
            "store_day": [document.c.store_id, document.c.business_day],
        }[group_by]
        statement = (
            select(
                *keys,
                func.count().label("invoices"),
                func.coalesce(func.sum(document.c.line_count), 0).label("lines"),
                func.coalesce(func.sum(document.c.units), 0).label("units"),
                func.coalesce(func.sum(document.c.total_minor), 0).label("revenue_minor"),
                func.coalesce(
                    func.sum(case((document.c.kind == "return", -document.c.total_minor), else_=0)),
                    0,
                ).label("returns_minor"),
            )
            .group_by(*keys)
            .order_by(*keys)
        )
        conditions = [document.c.currency == currency]
        if first_day is not None:
            conditions.append(document.c.business_day >= first_day)
        if last_day is not None:
            conditions.append(document.c.business_day <= last_day)
        if store_id is not None:
            conditions.append(document.c.store_id == store_id)
        statement = statement.where(and_(*conditions))
        rows = [dict(row._mapping) for row in await self._connection.execute(statement)]
        # Tax and promotion discounts live on the lines: one more grouped pass, joined.
        line = tables.sale_line
        terms = (
            select(
                *keys,
                func.coalesce(func.sum(line.c.tax_minor), 0).label("tax_minor"),
                func.coalesce(func.sum(line.c.discount_minor), 0).label("discount_minor"),
            )
            .select_from(line.join(document, document.c.document_id == line.c.document_id))
            .where(and_(*conditions))
            .group_by(*keys)
        )
        width = len(keys)
        found = {
            tuple(row[:width]): (int(row.tax_minor), int(row.discount_minor))
            for row in await self._connection.execute(terms)
        }
        for row in rows:
            tax, discount = found.get(tuple(row[key.name] for key in keys), (0, 0))
            row["tax_minor"], row["discount_minor"] = tax, discount
        return rows


class CashRepository:
    """Cash movements of the drawers, recorded as they happened."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, entry: CashEntry, now: datetime) -> None:
        """Raises StorageRefused when the movement id is already recorded (by another event)."""
        exists = await self._connection.execute(
            select(tables.cash_movement.c.event_id).where(
                tables.cash_movement.c.movement_id == entry.movement_id
            )
        )
        held = exists.scalar_one_or_none()
        if held is not None:
            raise StorageRefused(
                "cash_movement", f"movement {entry.movement_id} is already recorded"
            )
        await self._connection.execute(
            tables.cash_movement.insert().values(
                movement_id=entry.movement_id,
                store_id=entry.store_id,
                node_id=entry.node_id,
                event_id=entry.event_id,
                till_id=entry.till_id,
                kind=entry.kind,
                amount_minor=entry.amount_minor,
                currency=entry.currency,
                reason=entry.reason,
                business_day=entry.business_day,
                business_time=entry.business_time,
                recorded_at=now,
            )
        )

    async def report(
        self, first_day: date | None, last_day: date | None, store_id: str | None, currency: str
    ) -> list[Row[Any]]:
        """Per store and business day: the minor-unit sum of each kind of movement."""
        movement = tables.cash_movement

        def total(kind: str) -> Any:
            return func.coalesce(
                func.sum(case((movement.c.kind == kind, movement.c.amount_minor), else_=0)), 0
            ).label(kind)

        conditions = [movement.c.currency == currency]
        if first_day is not None:
            conditions.append(movement.c.business_day >= first_day)
        if last_day is not None:
            conditions.append(movement.c.business_day <= last_day)
        if store_id is not None:
            conditions.append(movement.c.store_id == store_id)
        statement = (
            select(
                movement.c.store_id,
                movement.c.business_day,
                func.count().label("movements"),
                total("float"),
                total("paid_in"),
                total("paid_out"),
                total("pickup"),
            )
            .where(and_(*conditions))
            .group_by(movement.c.store_id, movement.c.business_day)
            .order_by(movement.c.store_id, movement.c.business_day)
        )
        return list((await self._connection.execute(statement)).all())


class ExceptionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, exceptions: Sequence[SaleException], now: datetime) -> None:
        await _write_rows(
            self._connection,
            tables.sale_exception,
            ("document_id", "store_id", "kind", "sku", "detail", "status", "created_at"),
            [
                (item.document_id, item.store_id, item.kind, item.sku, item.detail, "open", now)
                for item in exceptions
            ],
        )

    async def page(
        self,
        *,
        status: str | None,
        store_id: str | None,
        kind: str | None,
        after_id: int,
        limit: int,
    ) -> list[Row[Any]]:
        exception = tables.sale_exception
        statement = select(exception).where(exception.c.exception_id > after_id)
        for column, value in (
            (exception.c.status, status),
            (exception.c.store_id, store_id),
            (exception.c.kind, kind),
        ):
            if value is not None:
                statement = statement.where(column == value)
        statement = statement.order_by(exception.c.exception_id).limit(limit)
        return list((await self._connection.execute(statement)).all())

    async def resolve(self, exception_id: int, resolution: str, now: datetime) -> Row[Any] | None:
        """Close an open exception; an already closed one is returned as it is (None: no such
        exception)."""
        exception = tables.sale_exception
        result = await self._connection.execute(
            update(exception)
            .where(exception.c.exception_id == exception_id, exception.c.status == "open")
            .values(status="resolved", resolution=resolution, resolved_at=now)
            .returning(*exception.c)
        )
        row = result.first()
        if row is not None:
            return row
        found = await self._connection.execute(
            select(exception).where(exception.c.exception_id == exception_id)
        )
        return found.first()

    async def count_open(self) -> int:
        statement = select(func.count()).where(tables.sale_exception.c.status == "open")
        return int((await self._connection.execute(statement)).scalar_one())


class IntegrityRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def raise_once(
        self, store_id: str, node_id: str, edge: DayChecksumV1, hub: DayChecksumV1, now: datetime
    ) -> None:
        """Record the mismatch unless an open alert already holds these very figures."""
        alert = tables.integrity_alert
        figures = {
            "edge_count": edge.count,
            "edge_total_minor": edge.total_minor,
            "edge_id_hash": edge.id_hash,
            "hub_count": hub.count,
            "hub_total_minor": hub.total_minor,
            "hub_id_hash": hub.id_hash,
        }
        existing = await self._connection.execute(
            select(alert.c.alert_id).where(
                alert.c.node_id == node_id,
                alert.c.business_day == edge.business_day,
                alert.c.resolved_at.is_(None),
                *(alert.c[name] == value for name, value in figures.items()),
            )
        )
        if existing.first() is None:
            await self._connection.execute(
                alert.insert().values(
                    store_id=store_id,
                    node_id=node_id,
                    business_day=edge.business_day,
                    created_at=now,
                    **figures,
                )
            )

    async def open_alerts(self, store_id: str | None, limit: int) -> list[Row[Any]]:
        alert = tables.integrity_alert
        statement = select(alert).where(alert.c.resolved_at.is_(None))
        if store_id is not None:
            statement = statement.where(alert.c.store_id == store_id)
        return list(
            (
                await self._connection.execute(statement.order_by(alert.c.alert_id).limit(limit))
            ).all()
        )

    async def resolve(self, alert_id: int, resolution: str, now: datetime) -> Row[Any] | None:
        """Close an open alert; an already closed one is returned as it is (None: no such
        alert)."""
        alert = tables.integrity_alert
        result = await self._connection.execute(
            update(alert)
            .where(alert.c.alert_id == alert_id, alert.c.resolved_at.is_(None))
            .values(resolution=resolution, resolved_at=now)
            .returning(*alert.c)
        )
        row = result.first()
        if row is not None:
            return row
        return (
            await self._connection.execute(select(alert).where(alert.c.alert_id == alert_id))
        ).first()

    async def count_open(self) -> int:
        statement = select(func.count()).where(tables.integrity_alert.c.resolved_at.is_(None))
        return int((await self._connection.execute(statement)).scalar_one())


# One statement for a batch's counters (PostgreSQL): arrays, not a row of parameters per key,
# and the level after each comes back, so the counters are not read and locked beforehand.
_MOVE_COUNTERS = """
INSERT INTO stock_level (location_id, sku, on_hand, dirty)
SELECT location_id, sku, delta, true
FROM unnest($1::varchar[], $2::varchar[], $3::bigint[]) AS moved (location_id, sku, delta)
ORDER BY location_id, sku
ON CONFLICT (location_id, sku)
DO UPDATE SET on_hand = stock_level.on_hand + excluded.on_hand, dirty = true
RETURNING location_id, sku, on_hand
"""


class StockRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add_movements(
        self, movements: Sequence[StockMovement], now: datetime
    ) -> dict[tuple[str, str], int]:
        """Record movements and add them to the per-(location, SKU) counters; returns each moved
        counter's level before them. On PostgreSQL the counters stay locked until the
        transaction ends, so nothing else moves them in between.
        """
        if not movements:
            return {}
        await _write_rows(
            self._connection,
            tables.stock_movement,
            (
                "location_id",
                "sku",
                "quantity_delta",
                "reason",
                "document_id",
                "external_reference",
                "recorded_at",
            ),
            [
                (
                    movement.location_id,
                    movement.sku,
                    movement.quantity_delta,
                    movement.reason,
                    movement.document_id,
                    movement.external_reference,
                    now,
                )
                for movement in movements
            ],
        )
        deltas: dict[tuple[str, str], int] = {}
        for movement in movements:
            key = (movement.location_id, movement.sku)
            deltas[key] = deltas.get(key, 0) + movement.quantity_delta
        # Sorted keys: concurrent batches lock counters in the same order, so cannot deadlock.
        keys = sorted(deltas)
        if _is_postgres(self._connection):
            raw = await self._connection.get_raw_connection()
            rows = await raw.driver_connection.fetch(  # type: ignore[union-attr]
                _MOVE_COUNTERS,
                [location_id for location_id, _ in keys],
                [sku for _, sku in keys],
                [deltas[key] for key in keys],
            )
            return {(row[0], row[1]): int(row[2]) - deltas[row[0], row[1]] for row in rows}
        statement = _insert(self._connection, tables.stock_level)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["location_id", "sku"],
                set_={
                    "on_hand": tables.stock_level.c.on_hand + statement.excluded.on_hand,
                    "dirty": True,
                },
            ),
            [
                {
                    "location_id": location_id,
                    "sku": sku,
                    "on_hand": deltas[location_id, sku],
                    "dirty": True,
                }
                for location_id, sku in keys
            ],
        )
        after = await self.levels_of(keys)
        return {key: level - deltas[key] for key, level in after.items()}

    async def has_unpublished(self, location_id: str) -> bool:
        level = tables.stock_level
        found = await self._connection.execute(
            select(level.c.sku).where(level.c.location_id == location_id, level.c.dirty).limit(1)
        )
        return found.first() is not None

    async def publish_unpublished(self, location_id: str, limit: int) -> list[Row[Any]]:
        """Take up to `limit` levels of `location_id` moved since they were last published:
        each gets version + 1 and is marked published; returns (sku, on_hand, version). Rows
        an ingest is moving right now are skipped (they will be moved, and dirty, again)."""
        level = tables.stock_level
        chosen = (
            select(level.c.sku)
            .where(level.c.location_id == location_id, level.c.dirty)
            .order_by(level.c.sku)
            .limit(limit)
        )
        if _is_postgres(self._connection):
            chosen = chosen.with_for_update(skip_locked=True)
        rows = await self._connection.execute(
            update(level)
            .where(level.c.location_id == location_id, level.c.sku.in_(chosen.scalar_subquery()))
            .values(version=level.c.version + 1, dirty=False)
            .returning(level.c.sku, level.c.on_hand, level.c.version)
        )
        return list(rows.all())

    async def levels(self, location_id: str, skus: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(list(skus), 5000):
            statement = select(tables.stock_level.c.sku, tables.stock_level.c.on_hand).where(
                tables.stock_level.c.location_id == location_id,
                _one_of(self._connection, tables.stock_level.c.sku, chunk),
            )
            if _is_postgres(self._connection):
                statement = statement.with_for_update()
            rows = await self._connection.execute(statement)
            found.update({row.sku: int(row.on_hand) for row in rows})
        return found

    async def movements_after(
        self, after: FeedPosition, limit: int, horizon: int | None, location_id: str | None
    ) -> list[Row[Any]]:
        """Movements after a position, in (txid, movement_id) order, below `horizon` (see feed)."""
        movement = tables.stock_movement
        statement = (
            select(movement)
            .where(
                tuple_(movement.c.txid, movement.c.movement_id) > tuple_(after.txid, after.position)
            )
            .order_by(movement.c.txid, movement.c.movement_id)
            .limit(limit)
        )
        if horizon is not None:
            statement = statement.where(movement.c.txid < horizon)
        if location_id is not None:
            statement = statement.where(movement.c.location_id == location_id)
        return list((await self._connection.execute(statement)).all())

    async def unseen_deltas(
        self, location_id: str, skus: Sequence[str], as_of: FeedPosition
    ) -> dict[str, int]:
        """Per SKU, the sum of sale and return movements after `as_of`: what an ERP that had
        read the movements up to `as_of` has not counted yet."""
        movement = tables.stock_movement
        found: dict[str, int] = {}
        for chunk in _chunks(list(skus), 5000):
            rows = await self._connection.execute(
                select(movement.c.sku, func.sum(movement.c.quantity_delta))
                .where(
                    movement.c.location_id == location_id,
                    _one_of(self._connection, movement.c.sku, chunk),
                    movement.c.reason != "erp_count",
                    tuple_(movement.c.txid, movement.c.movement_id)
                    > tuple_(as_of.txid, as_of.position),
                )
                .group_by(movement.c.sku)
            )
            found.update({sku: int(total) for sku, total in rows})
        return found

    async def levels_of(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Counters of (location, SKU) keys, locked until the transaction ends (PostgreSQL)."""
        by_location: dict[str, list[str]] = {}
        for location_id, sku in sorted(set(keys)):
            by_location.setdefault(location_id, []).append(sku)
        found: dict[tuple[str, str], int] = {}
        for location_id, skus in by_location.items():
            for sku, on_hand in (await self.levels(location_id, skus)).items():
                found[(location_id, sku)] = on_hand
        return found

    async def bump_versions(
        self, location_id: str, skus: Sequence[str]
    ) -> dict[str, tuple[int, int]]:
        """Increase the version of these counters, to publish them now; returns each one's
        (new version, on-hand units) as the counter holds it (a sale that created the counter
        while the caller waited for it is in it)."""
        level = tables.stock_level
        found: dict[str, tuple[int, int]] = {}
        for chunk in _chunks(list(skus), 5000):
            rows = await self._connection.execute(
                update(level)
                .where(
                    level.c.location_id == location_id,
                    _one_of(self._connection, level.c.sku, chunk),
                )
                .values(version=level.c.version + 1, dirty=False)
                .returning(level.c.sku, level.c.version, level.c.on_hand)
            )
            found.update({row.sku: (int(row.version), int(row.on_hand)) for row in rows})
        return found

    async def all_levels(self, location_id: str) -> dict[str, int]:
        rows = await self._connection.execute(
            select(tables.stock_level.c.sku, tables.stock_level.c.on_hand).where(
                tables.stock_level.c.location_id == location_id
            )
        )
        return {row.sku: int(row.on_hand) for row in rows}


class FeedRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def append(self, rows: list[dict[str, Any]]) -> None:
        """Append entries; on PostgreSQL each records the id of the writing transaction."""
        if not rows:
            return
        statement: Insert = tables.feed_entry.insert()
        if _is_postgres(self._connection):
            statement = statement.values(txid=literal_column("pg_current_xact_id()::text::bigint"))
        await self._connection.execute(statement, rows)

    async def visible_horizon(self) -> int | None:
        return await visible_horizon(self._connection)

    async def read(
        self, store_id: str, after: FeedPosition, limit: int, horizon: int | None
    ) -> list[Row[Any]]:
        entry = tables.feed_entry
        statement = (
            select(entry)
            .where(
                or_(entry.c.store_id.is_(None), entry.c.store_id == store_id),
                tuple_(entry.c.txid, entry.c.position) > tuple_(after.txid, after.position),
            )
            .order_by(entry.c.txid, entry.c.position)
            .limit(limit)
        )
        if horizon is not None:
            statement = statement.where(entry.c.txid < horizon)
        return list((await self._connection.execute(statement)).all())


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SnapshotRepository:
    """Keyset pages over the state a store's snapshot is made of, and the feed's floor."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def products_after(self, sku: str, limit: int) -> list[Row[Any]]:
        product = tables.product
        statement = select(product).where(product.c.sku > sku).order_by(product.c.sku).limit(limit)
        return list((await self._connection.execute(statement)).all())

    async def prices_after(self, price_list: str, sku: str, limit: int) -> list[Row[Any]]:
        price = tables.price
        statement = (
            select(price)
            .where(tuple_(price.c.price_list, price.c.sku) > tuple_(price_list, sku))
            .order_by(price.c.price_list, price.c.sku)
            .limit(limit)
        )
        return list((await self._connection.execute(statement)).all())

    async def levels_after(self, location_id: str, sku: str, limit: int) -> list[Row[Any]]:
        level = tables.stock_level
        statement = (
            select(level)
            .where(level.c.location_id == location_id, level.c.sku > sku)
            .order_by(level.c.sku)
            .limit(limit)
        )
        return list((await self._connection.execute(statement)).all())

    async def retried_events_after(
        self, store_id: str, event_id: UUID | None, limit: int
    ) -> list[Any]:
        """The store's events HQ retried out of quarantine (their outcome is news to the
        store), by event id."""
        event = tables.sync_event
        statement = (
            select(event.c.event_id, event.c.seq, event.c.status)
            .where(event.c.store_id == store_id, _RETRIED)
            .order_by(event.c.event_id)
            .limit(limit)
        )
        if event_id is not None:
            statement = statement.where(event.c.event_id > event_id)
        return list((await self._connection.execute(statement)).all())

    async def tax_rates_after(self, code: str, limit: int) -> list[Row[Any]]:
        rate = tables.tax_rate
        statement = select(rate).where(rate.c.code > code).order_by(rate.c.code).limit(limit)
        return list((await self._connection.execute(statement)).all())

    async def promotions_after(self, promotion_id: str, limit: int) -> list[Row[Any]]:
        promotion = tables.promotion
        statement = (
            select(promotion)
            .where(promotion.c.promotion_id > promotion_id)
            .order_by(promotion.c.promotion_id)
            .limit(limit)
        )
        return list((await self._connection.execute(statement)).all())

    async def records_after(
        self, store_id: str, entity: str, key: str, limit: int
    ) -> list[Row[Any]]:
        """Shared records this store holds: every customer, its own settings."""
        record = tables.shared_record
        statement = (
            select(record)
            .where(
                tuple_(record.c.entity, record.c.record_key) > tuple_(entity, key),
                or_(
                    record.c.entity != "store_settings",
                    record.c.record_key == store_id,
                ),
            )
            .order_by(record.c.entity, record.c.record_key)
            .limit(limit)
        )
        return list((await self._connection.execute(statement)).all())

    async def last_position(self, store_id: str, horizon: int | None) -> FeedPosition | None:
        """The newest feed entry this store can read now (below the horizon)."""
        entry = tables.feed_entry
        statement = (
            select(entry.c.txid, entry.c.position)
            .where(or_(entry.c.store_id.is_(None), entry.c.store_id == store_id))
            .order_by(entry.c.txid.desc(), entry.c.position.desc())
            .limit(1)
        )
        if horizon is not None:
            statement = statement.where(entry.c.txid < horizon)
        row = (await self._connection.execute(statement)).first()
        return FeedPosition(int(row.txid), int(row.position)) if row else None

    async def floor(self) -> FeedPosition | None:
        row = (await self._connection.execute(select(tables.feed_floor))).first()
        return FeedPosition(int(row.txid), int(row.position)) if row else None

    async def compact(
        self, older_than: datetime, horizon: int | None, now: datetime
    ) -> tuple[FeedPosition | None, int]:
        """Delete feed entries written before `older_than` (and below the horizon), oldest
        first, and raise the floor to the newest one deleted. Returns (floor, entries deleted)."""
        entry = tables.feed_entry
        statement = (
            select(entry.c.txid, entry.c.position)
            .where(entry.c.created_at < older_than)
            .order_by(entry.c.txid.desc(), entry.c.position.desc())
            .limit(1)
        )
        if horizon is not None:
            statement = statement.where(entry.c.txid < horizon)
        row = (await self._connection.execute(statement)).first()
        if row is None:
            return await self.floor(), 0
        floor = FeedPosition(int(row.txid), int(row.position))
        deleted = await self._connection.execute(
            entry.delete().where(
                tuple_(entry.c.txid, entry.c.position) <= tuple_(floor.txid, floor.position)
            )
        )
        values = {"id": 1, "txid": floor.txid, "position": floor.position, "compacted_at": now}
        statement_insert = _insert(self._connection, tables.feed_floor).values(**values)
        await self._connection.execute(
            statement_insert.on_conflict_do_update(
                index_elements=["id"],
                set_={"txid": floor.txid, "position": floor.position, "compacted_at": now},
            )
        )
        return floor, int(deleted.rowcount)


class RecordRepository:
    """Records both sides may edit, and the log of values that lost a merge."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(
        self, entity: str, key: str, *, lock: bool = False
    ) -> tuple[dict[str, Any], int] | None:
        record = tables.shared_record
        statement = select(record.c.fields, record.c.version).where(
            record.c.entity == entity, record.c.record_key == key
        )
        if lock and _is_postgres(self._connection):
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        if row is None:
            return None
        fields = row.fields if isinstance(row.fields, dict) else json.loads(row.fields)
        return fields, int(row.version)

    async def save(
        self, entity: str, key: str, fields: dict[str, Any], version: int, now: datetime
    ) -> None:
        statement = _insert(self._connection, tables.shared_record).values(
            entity=entity, record_key=key, fields=fields, version=version, updated_at=now
        )
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["entity", "record_key"],
                set_={"fields": fields, "version": version, "updated_at": now},
            )
        )

    async def log_conflicts(self, rows: list[dict[str, Any]]) -> None:
        """Insert conflicts; one already logged (same field, same losing stamp) is skipped."""
        if rows:
            statement = _insert(self._connection, tables.record_conflict)
            await self._connection.execute(statement.on_conflict_do_nothing(), rows)

    async def conflicts(
        self, entity: str | None, key: str | None, after_id: int, limit: int
    ) -> list[Row[Any]]:
        conflict = tables.record_conflict
        statement = select(conflict).where(conflict.c.conflict_id > after_id)
        if entity is not None:
            statement = statement.where(conflict.c.entity == entity)
        if key is not None:
            statement = statement.where(conflict.c.record_key == key)
        return list(
            (
                await self._connection.execute(
                    statement.order_by(conflict.c.conflict_id).limit(limit)
                )
            ).all()
        )

    async def count_conflicts(self) -> int:
        statement = select(func.count()).select_from(tables.record_conflict)
        return int((await self._connection.execute(statement)).scalar_one())


class RefundRepository:
    """Refund requests of the tills and HQ's decisions on them."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, row: dict[str, Any]) -> Row[Any]:
        """Insert one request (a plain INSERT: few, and with a JSON column); returns it."""
        request = tables.refund_request
        result = await self._connection.execute(request.insert().values(**row).returning(request))
        added: Row[Any] = result.one()
        return added

    async def get(self, request_id: UUID, *, lock: bool = False) -> Row[Any] | None:
        request = tables.refund_request
        statement = select(request).where(request.c.request_id == request_id)
        if lock and _is_postgres(self._connection):
            statement = statement.with_for_update()
        return (await self._connection.execute(statement)).first()

    async def change(self, request_id: UUID, **values: Any) -> Row[Any]:
        """Update the request, add one to its version; returns the new row."""
        request = tables.refund_request
        result = await self._connection.execute(
            update(request)
            .where(request.c.request_id == request_id)
            .values(version=request.c.version + 1, **values)
            .returning(request)
        )
        changed: Row[Any] = result.one()
        return changed

    async def page(
        self, *, status: str | None, store_id: str | None, after: UUID | None, limit: int
    ) -> list[Row[Any]]:
        request = tables.refund_request
        statement = select(request).order_by(request.c.request_id).limit(limit)
        if status is not None:
            statement = statement.where(request.c.status == status)
        if store_id is not None:
            statement = statement.where(request.c.store_id == store_id)
        if after is not None:
            statement = statement.where(request.c.request_id > after)
        return list(await self._connection.execute(statement))

    async def unstarted(self, limit: int) -> list[Row[Any]]:
        """Pending requests whose workflow has not been started yet."""
        request = tables.refund_request
        rows = await self._connection.execute(
            select(request)
            .where(request.c.workflow_started_at.is_(None), request.c.status == "pending")
            .order_by(request.c.received_at)
            .limit(limit)
        )
        return list(rows)

    async def mark_started(self, request_ids: list[UUID], now: datetime) -> None:
        if not request_ids:
            return
        request = tables.refund_request
        await self._connection.execute(
            update(request)
            .where(request.c.request_id.in_(request_ids))
            .values(workflow_started_at=now)
        )

    async def count(self, status: str) -> int:
        request = tables.refund_request
        return int(
            (
                await self._connection.execute(
                    select(func.count()).select_from(request).where(request.c.status == status)
                )
            ).scalar_one()
        )


class B2BOrderRepository:
    """B2B orders the tills submitted and HQ's four-phase approval of them."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, row: dict[str, Any]) -> Row[Any]:
        """Insert one order; returns it."""
        order = tables.b2b_order
        result = await self._connection.execute(order.insert().values(**row).returning(order))
        added: Row[Any] = result.one()
        return added

    async def get(self, order_id: UUID, *, lock: bool = False) -> Row[Any] | None:
        order = tables.b2b_order
        statement = select(order).where(order.c.order_id == order_id)
        if lock and _is_postgres(self._connection):
            statement = statement.with_for_update()
        return (await self._connection.execute(statement)).first()

    async def change(self, order_id: UUID, **values: Any) -> Row[Any]:
        """Update the order, add one to its version; returns the new row."""
        order = tables.b2b_order
        result = await self._connection.execute(
            update(order)
            .where(order.c.order_id == order_id)
            .values(version=order.c.version + 1, **values)
            .returning(order)
        )
        changed: Row[Any] = result.one()
        return changed

    async def next_order_number(self, store_id: str) -> int:
        """One more than the store's last B2B order number (the store row stays locked)."""
        store = tables.store
        result = await self._connection.execute(
            update(store)
            .where(store.c.store_id == store_id)
            .values(b2b_orders_placed=store.c.b2b_orders_placed + 1)
            .returning(store.c.b2b_orders_placed)
        )
        return int(result.scalar_one())

    async def page(
        self, *, status: str | None, store_id: str | None, after: UUID | None, limit: int
    ) -> list[Row[Any]]:
        order = tables.b2b_order
        statement = select(order).order_by(order.c.order_id).limit(limit)
        if status is not None:
            statement = statement.where(order.c.status == status)
        if store_id is not None:
            statement = statement.where(order.c.store_id == store_id)
        if after is not None:
            statement = statement.where(order.c.order_id > after)
        return list(await self._connection.execute(statement))

    async def unstarted(self, limit: int) -> list[Row[Any]]:
        """Submitted orders whose workflow has not been started yet."""
        order = tables.b2b_order
        rows = await self._connection.execute(
            select(order)
            .where(order.c.workflow_started_at.is_(None), order.c.status == "cart_submitted")
            .order_by(order.c.received_at)
            .limit(limit)
        )
        return list(rows)

    async def mark_started(self, order_ids: list[UUID], now: datetime) -> None:
        if not order_ids:
            return
        order = tables.b2b_order
        await self._connection.execute(
            update(order).where(order.c.order_id.in_(order_ids)).values(workflow_started_at=now)
        )

    async def unsignalled(self, limit: int) -> list[Row[Any]]:
        """Orders whose workflow runs but has still to hear of a till's step."""
        order = tables.b2b_order
        rows = await self._connection.execute(
            select(order)
            .where(order.c.signal_pending.is_not(None), order.c.workflow_started_at.is_not(None))
            .order_by(order.c.received_at)
            .limit(limit)
        )
        return list(rows)

    async def clear_signal(self, order_id: UUID, signal: str) -> None:
        """Forget the pending signal, unless a newer one replaced it meanwhile."""
        order = tables.b2b_order
        await self._connection.execute(
            update(order)
            .where(order.c.order_id == order_id, order.c.signal_pending == signal)
            .values(signal_pending=None)
        )

    async def count_awaiting_hq(self) -> int:
        """Orders waiting for HQ's decision on their cart or their payment."""
        order = tables.b2b_order
        return int(
            (
                await self._connection.execute(
                    select(func.count())
                    .select_from(order)
                    .where(order.c.status.in_(("cart_submitted", "payment_composed")))
                )
            ).scalar_one()
        )
