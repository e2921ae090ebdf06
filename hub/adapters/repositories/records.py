"""Records both sides may edit (customers, store settings) and the log of values that lost a
merge."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.adapters.repositories.sql import is_postgres, json_value, upsert
from hub.domain.records import ConflictRecord, SharedRecord
from sync.records import FieldConflict, conflict_rows


class RecordRepository:
    """Records both sides may edit, and the log of values that lost a merge."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, entity: str, key: str, *, lock: bool = False) -> SharedRecord | None:
        """The record, its row locked until the transaction ends if `lock` (PostgreSQL)."""
        record = tables.shared_record
        statement = select(record.c.fields, record.c.version).where(
            record.c.entity == entity, record.c.record_key == key
        )
        if lock and is_postgres(self._connection):
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        if row is None:
            return None
        return SharedRecord(entity, key, json_value(row.fields), int(row.version))

    async def save(
        self, entity: str, key: str, fields: dict[str, Any], version: int, now: datetime
    ) -> None:
        """Insert or replace the record's fields (as `sync.records.to_json` gives them)."""
        statement = upsert(self._connection, tables.shared_record).values(
            entity=entity, record_key=key, fields=fields, version=version, updated_at=now
        )
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["entity", "record_key"],
                set_={"fields": fields, "version": version, "updated_at": now},
            )
        )

    async def log_conflicts(
        self, entity: str, key: str, conflicts: Sequence[FieldConflict], now: datetime
    ) -> None:
        """Log the losing values of a merge; one already logged (same field, same losing
        stamp) is skipped."""
        if conflicts:
            rows = [row | {"recorded_at": now} for row in conflict_rows(entity, key, [*conflicts])]
            statement = upsert(self._connection, tables.record_conflict)
            await self._connection.execute(statement.on_conflict_do_nothing(), rows)

    async def conflicts(
        self, entity: str | None, key: str | None, after_id: int, limit: int
    ) -> list[ConflictRecord]:
        conflict = tables.record_conflict
        statement = select(
            conflict.c.conflict_id,
            conflict.c.entity,
            conflict.c.record_key,
            conflict.c.field,
            conflict.c.kept_value,
            conflict.c.kept_hlc,
            conflict.c.lost_value,
            conflict.c.lost_hlc,
            conflict.c.recorded_at,
        ).where(conflict.c.conflict_id > after_id)
        if entity is not None:
            statement = statement.where(conflict.c.entity == entity)
        if key is not None:
            statement = statement.where(conflict.c.record_key == key)
        rows = await self._connection.execute(
            statement.order_by(conflict.c.conflict_id).limit(limit)
        )
        return [ConflictRecord(*row) for row in rows]

    async def count_conflicts(self) -> int:
        statement = select(func.count()).select_from(tables.record_conflict)
        return int((await self._connection.execute(statement)).scalar_one())

    async def records_after(
        self, store_id: str, entity: str, key: str, limit: int
    ) -> list[SharedRecord]:
        """Shared records this store holds (every customer, its own settings, the PIN hashes
        of the staff who work there now) after (`entity`, `key`): a keyset page for
        snapshots."""
        record, link = tables.shared_record, tables.staff_store
        statement = (
            select(record.c.entity, record.c.record_key, record.c.fields, record.c.version)
            .where(
                tuple_(record.c.entity, record.c.record_key) > tuple_(entity, key),
                or_(
                    record.c.entity.not_in(["store_settings", "staff_pin"]),
                    and_(record.c.entity == "store_settings", record.c.record_key == store_id),
                    and_(
                        record.c.entity == "staff_pin",
                        exists().where(
                            link.c.staff_code == record.c.record_key,
                            link.c.store_id == store_id,
                            link.c.current.is_(True),
                        ),
                    ),
                ),
            )
            .order_by(record.c.entity, record.c.record_key)
            .limit(limit)
        )
        return [
            SharedRecord(row.entity, row.record_key, json_value(row.fields), int(row.version))
            for row in await self._connection.execute(statement)
        ]
