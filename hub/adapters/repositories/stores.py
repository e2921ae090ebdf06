"""Stores, the enrolment of their nodes, the nodes and their credentials, and HQ's API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.adapters.repositories.sql import is_postgres, upsert
from hub.domain.stores import (
    ApiKeyRecord,
    NodeRecord,
    PushState,
    StoreRecord,
    api_key_name_key,
)
from shared.till_limits import TillLimitOverrides


class StoreRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, store: StoreRecord) -> bool:
        """Insert; False if the id exists."""
        statement = (
            upsert(self._connection, tables.store)
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

    async def set_limits(self, store_id: str, limits: TillLimitOverrides) -> StoreRecord | None:
        """Set the store's till limits, next config version; returns the store (None: none)."""
        store = tables.store
        row = (
            await self._connection.execute(
                update(store)
                .where(store.c.store_id == store_id)
                .values(
                    refund_approval_over_minor=limits.refund_approval_over_minor,
                    no_receipt_refund_over_minor=limits.no_receipt_refund_over_minor,
                    line_quantity_max=limits.line_quantity_max,
                    line_amount_max_minor=limits.line_amount_max_minor,
                    sale_total_max_minor=limits.sale_total_max_minor,
                    no_receipt_above_catalogue_price=limits.no_receipt_above_catalogue_price,
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
        TillLimitOverrides(
            refund_approval_over_minor=row.refund_approval_over_minor,
            no_receipt_refund_over_minor=row.no_receipt_refund_over_minor,
            line_quantity_max=row.line_quantity_max,
            line_amount_max_minor=row.line_amount_max_minor,
            sale_total_max_minor=row.sale_total_max_minor,
            no_receipt_above_catalogue_price=row.no_receipt_above_catalogue_price,
        ),
        row.config_version,
    )


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
        self, token_hash: str, node_id: str, credential_hash: str | None, now: datetime
    ) -> str | None:
        """Mark the token used by `node_id` (proposing `credential_hash`, None: none),
        atomically; its store id, or None if unknown, used or expired."""
        result = await self._connection.execute(
            update(tables.enrolment_token)
            .where(
                tables.enrolment_token.c.token_hash == token_hash,
                tables.enrolment_token.c.used_at.is_(None),
                tables.enrolment_token.c.expires_at > now,
            )
            .values(used_at=now, used_by_node_id=node_id, used_by_credential_hash=credential_hash)
            .returning(tables.enrolment_token.c.store_id)
        )
        store_id: str | None = result.scalar_one_or_none()
        return store_id

    async def repeated_enrolment(
        self, token_hash: str, credential_hash: str, now: datetime
    ) -> tuple[str, str] | None:
        """(store id, node id) if the token, not expired, was spent with this very proposal on
        a node that is neither confirmed (it never authenticated) nor revoked."""
        token, node = tables.enrolment_token, tables.node
        row = (
            await self._connection.execute(
                select(token.c.store_id, token.c.used_by_node_id)
                .join(node, node.c.node_id == token.c.used_by_node_id)
                .where(
                    token.c.token_hash == token_hash,
                    token.c.used_by_credential_hash == credential_hash,
                    token.c.expires_at > now,
                    node.c.credential_hash == credential_hash,
                    node.c.confirmed_at.is_(None),
                    node.c.revoked_at.is_(None),
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
                credential_issued_at=now,
                created_at=now,
            )
        )


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
        """The node used its next credential: it becomes the only one, its age counted from
        its issue; the old stops working."""
        node = tables.node
        await self._connection.execute(
            update(node)
            .where(node.c.node_id == node_id, node.c.next_credential_hash == credential_hash)
            .values(
                credential_hash=credential_hash,
                next_credential_hash=None,
                credential_issued_at=node.c.credential_rotated_at,
            )
        )

    async def confirm(self, node_id: str, now: datetime) -> None:
        """The node's first authenticated request: its enrolment cannot be repeated now."""
        node = tables.node
        await self._connection.execute(
            update(node)
            .where(node.c.node_id == node_id, node.c.confirmed_at.is_(None))
            .values(confirmed_at=now)
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
        if is_postgres(self._connection):
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
        credential_issued_at=row.credential_issued_at,
        next_credential_issued_at=(
            row.credential_rotated_at if row.next_credential_hash is not None else None
        ),
        confirmed_at=row.confirmed_at,
    )


class ApiKeyRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, key_id: str, name: str, scope: str, key_hash: str, now: datetime) -> bool:
        """Insert the key; False if its name is taken ignoring case (the unique index on the
        folded name decides, so two concurrent requests for one name cannot both succeed)."""
        statement = (
            upsert(self._connection, tables.api_key)
            .values(
                key_id=key_id,
                name=name,
                name_key=api_key_name_key(name),
                scope=scope,
                key_hash=key_hash,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["name_key"])
        )
        result = await self._connection.execute(statement)
        return bool(result.rowcount)

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
