"""Repository of records both sides may edit (sync.records) and their conflict log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from edge.adapters import tables


class RecordRepository:
    """Records both sides may edit (sync.records), and the log of values that lost a merge."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, entity: str, key: str) -> tuple[dict[str, Any], int] | None:
        """(fields as stored JSON, version), or None."""
        record = tables.shared_record
        row = self._connection.execute(
            select(record.c.fields, record.c.version).where(
                record.c.entity == entity, record.c.record_key == key
            )
        ).first()
        return (json.loads(row.fields), int(row.version)) if row else None

    def save(
        self, entity: str, key: str, fields: dict[str, Any], version: int, now: datetime
    ) -> None:
        values = {
            "fields": json.dumps(fields, separators=(",", ":"), ensure_ascii=False),
            "version": version,
            "updated_at": now.isoformat(),
        }
        statement = sqlite_insert(tables.shared_record).values(
            entity=entity, record_key=key, **values
        )
        self._connection.execute(
            statement.on_conflict_do_update(index_elements=["entity", "record_key"], set_=values)
        )

    def log_conflicts(self, rows: list[dict[str, Any]]) -> None:
        """Insert conflicts; one already logged (same field, same losing stamp) is skipped."""
        if rows:
            statement = sqlite_insert(tables.record_conflict).on_conflict_do_nothing()
            self._connection.execute(statement, rows)

    def conflicts(
        self, entity: str | None, key: str | None, after_id: int, limit: int
    ) -> list[Row[Any]]:
        conflict = tables.record_conflict
        statement = select(conflict).where(conflict.c.conflict_id > after_id)
        if entity is not None:
            statement = statement.where(conflict.c.entity == entity)
        if key is not None:
            statement = statement.where(conflict.c.record_key == key)
        return list(
            self._connection.execute(statement.order_by(conflict.c.conflict_id).limit(limit))
        )

    def count_conflicts(self) -> int:
        statement = select(func.count()).select_from(tables.record_conflict)
        return int(self._connection.execute(statement).scalar_one())
