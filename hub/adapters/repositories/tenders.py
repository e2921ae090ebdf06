"""Tenders beyond cash: a card tender as the ledger holds it (and what became of it), and the
gift-card and store-credit accounts with their movements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.adapters.repositories.sql import upsert, write_rows
from hub.domain.tenders import AccountRecord, HeldCardTender, Movement, MovementRecord


class TenderRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def card_tender(self, document_id: UUID, tender_no: int) -> HeldCardTender | None:
        tender, document = tables.tender, tables.sale_document
        row = (
            await self._connection.execute(
                select(
                    document.c.store_id,
                    document.c.kind.label("document_kind"),
                    document.c.currency,
                    tender.c.kind,
                    tender.c.amount_minor,
                    tender.c.tender_id,
                    tender.c.card_status,
                    tender.c.card_brand,
                    tender.c.card_last4,
                )
                .select_from(tender.join(document, document.c.document_id == tender.c.document_id))
                .where(tender.c.document_id == document_id, tender.c.tender_no == tender_no)
            )
        ).first()
        if row is None:
            return None
        return HeldCardTender(
            row.store_id,
            row.document_kind,
            row.currency,
            row.kind,
            row.amount_minor,
            row.tender_id,
            row.card_status,
            row.card_brand,
            row.card_last4,
        )

    async def settle_card(
        self, document_id: UUID, tender_no: int, outcome: str, transaction_id: str | None
    ) -> None:
        """Record what became of a stored card tender (and the acquirer's id, if it has one)."""
        tender = tables.tender
        values: dict[str, object] = {"card_status": outcome}
        if transaction_id is not None:
            values["card_transaction_id"] = transaction_id
        await self._connection.execute(
            update(tender)
            .where(tender.c.document_id == document_id, tender.c.tender_no == tender_no)
            .values(**values)
        )


class StoredValueRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def lock(
        self, first: Sequence[Movement], now: datetime
    ) -> dict[tuple[str, str], AccountRecord]:
        """The accounts these movements touch, made if new (in the first movement's currency)
        and locked (PostgreSQL: FOR UPDATE, in key order, so two uploads spending the same
        cards never deadlock and never both see the balance before the other's spend)."""
        account = tables.stored_value_account
        by_key = {item.key: item for item in reversed(first)}
        keys = sorted(by_key)
        insert = upsert(self._connection, account)
        await self._connection.execute(
            insert.on_conflict_do_nothing(index_elements=["kind", "account"]),
            [
                {
                    "kind": kind,
                    "account": number,
                    "currency": by_key[(kind, number)].currency,
                    "balance_minor": 0,
                    "status": "active",
                    "created_at": now,
                    "updated_at": now,
                }
                for kind, number in keys
            ],
        )
        found: dict[tuple[str, str], AccountRecord] = {}
        for kind, number in keys:
            row = (
                await self._connection.execute(
                    select(account)
                    .where(account.c.kind == kind, account.c.account == number)
                    .with_for_update()
                )
            ).one()
            found[(kind, number)] = _account(row)
        return found

    async def record(
        self,
        movements: Sequence[tuple[Movement, int]],
        accounts: Sequence[AccountRecord],
        now: datetime,
    ) -> None:
        """Write movements (each with the balance after it) and the accounts' new state."""
        await write_rows(
            self._connection,
            tables.stored_value_movement,
            (
                "kind",
                "account",
                "movement",
                "amount_minor",
                "balance_after_minor",
                "currency",
                "document_id",
                "source",
                "number",
                "store_id",
                "business_time",
                "recorded_at",
            ),
            [
                (
                    item.kind,
                    item.account,
                    item.movement,
                    item.amount_minor,
                    after,
                    item.currency,
                    item.document_id,
                    item.source,
                    item.number,
                    item.store_id,
                    item.business_time,
                    now,
                )
                for item, after in movements
            ],
        )
        table = tables.stored_value_account
        for held in accounts:
            await self._connection.execute(
                update(table)
                .where(table.c.kind == held.kind, table.c.account == held.account)
                .values(
                    balance_minor=held.balance_minor,
                    store_id=held.store_id,
                    activated_at=held.activated_at,
                    updated_at=now,
                )
            )

    async def get(self, kind: str, number: str) -> AccountRecord | None:
        account = tables.stored_value_account
        row = (
            await self._connection.execute(
                select(account).where(account.c.kind == kind, account.c.account == number)
            )
        ).first()
        return None if row is None else _account(row)

    async def movements(self, kind: str, number: str, limit: int) -> list[MovementRecord]:
        """An account's movements, oldest first (at most `limit`: the newest)."""
        movement = tables.stored_value_movement
        rows = await self._connection.execute(
            select(movement)
            .where(movement.c.kind == kind, movement.c.account == number)
            .order_by(movement.c.movement_id.desc())
            .limit(limit)
        )
        return [
            MovementRecord(
                row.movement,
                row.amount_minor,
                row.balance_after_minor,
                row.document_id,
                row.store_id,
                row.business_time,
            )
            for row in reversed(list(rows))
        ]


def _account(row: Row[Any]) -> AccountRecord:
    return AccountRecord(
        row.kind,
        row.account,
        row.currency,
        row.balance_minor,
        row.status,
        row.store_id,
        row.activated_at,
        row.updated_at,
    )
