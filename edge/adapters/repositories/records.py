"""Repository of records both sides may edit (sync.records) and their conflict log."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, func, or_, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from edge.adapters import tables
from edge.domain.reports import RecordConflict
from sync.records import FieldConflict, FieldValue, conflict_rows, from_json, to_json

_PHONE_PUNCTUATION = " -.()+/"


class RecordRepository:
    """Records both sides may edit (sync.records), and the log of values that lost a merge."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, entity: str, key: str) -> tuple[dict[str, FieldValue], int] | None:
        """(fields, version), or None for a record not held here."""
        record = tables.shared_record
        row = self._connection.execute(
            select(record.c.fields, record.c.version).where(
                record.c.entity == entity, record.c.record_key == key
            )
        ).first()
        return (from_json(json.loads(row.fields)), int(row.version)) if row else None

    def save(
        self,
        entity: str,
        key: str,
        fields: Mapping[str, FieldValue],
        version: int,
        now: datetime,
    ) -> None:
        values = {
            "fields": json.dumps(to_json(fields), separators=(",", ":"), ensure_ascii=False),
            "version": version,
            "updated_at": now.isoformat(),
        }
        statement = sqlite_insert(tables.shared_record).values(
            entity=entity, record_key=key, **values
        )
        self._connection.execute(
            statement.on_conflict_do_update(index_elements=["entity", "record_key"], set_=values)
        )

    def log_conflicts(
        self, entity: str, key: str, conflicts: list[FieldConflict], now: datetime
    ) -> None:
        """Log the values that lost a merge at `now`; one already logged (same field, same
        losing stamp) is skipped."""
        if conflicts:
            recorded_at = now.isoformat()
            rows = [
                row | {"recorded_at": recorded_at} for row in conflict_rows(entity, key, conflicts)
            ]
            statement = sqlite_insert(tables.record_conflict).on_conflict_do_nothing()
            self._connection.execute(statement, rows)

    def conflicts(
        self, entity: str | None, key: str | None, after_id: int, limit: int
    ) -> list[RecordConflict]:
        """Logged conflicts after `after_id`, oldest first, of `entity` and `key` if given."""
        conflict = tables.record_conflict
        statement = select(conflict).where(conflict.c.conflict_id > after_id)
        if entity is not None:
            statement = statement.where(conflict.c.entity == entity)
        if key is not None:
            statement = statement.where(conflict.c.record_key == key)
        return [
            RecordConflict(
                conflict_id=row.conflict_id,
                entity=row.entity,
                key=row.record_key,
                field=row.field,
                kept_value=row.kept_value,
                kept_hlc=row.kept_hlc,
                lost_value=row.lost_value,
                lost_hlc=row.lost_hlc,
                recorded_at=datetime.fromisoformat(row.recorded_at),
            )
            for row in self._connection.execute(
                statement.order_by(conflict.c.conflict_id).limit(limit)
            )
        ]

    def search(
        self, entity: str, text: str, fields: tuple[str, ...], limit: int
    ) -> list[tuple[str, dict[str, FieldValue]]]:
        """At most `limit` records of `entity` (key, fields) whose key or one of `fields`
        contains `text`, ignoring case (SQLite's LIKE: ASCII letters only; % and _ match
        themselves); a `phone` field also matches `text`'s digits with the phone's spaces,
        dashes, dots, brackets and plus signs left out. Ordered by name (any case), then key.
        A full scan of the entity's records (no index helps a contains search)."""
        record = tables.shared_record
        literal = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{literal}%"

        def value(field: str) -> ColumnElement[str]:
            return func.json_extract(record.c.fields, f"$.{field}.value")

        matches = [record.c.record_key.like(pattern, escape="\\")]
        matches += [value(field).like(pattern, escape="\\") for field in fields]
        digits = "".join(character for character in text if character.isdigit())
        if (
            "phone" in fields
            and len(digits) >= 3
            and not text.strip(_PHONE_PUNCTUATION + "0123456789")
        ):
            bare: ColumnElement[str] = value("phone")
            for character in _PHONE_PUNCTUATION:
                bare = func.replace(bare, character, "")
            matches.append(bare.like(f"%{digits}%"))
        statement = (
            select(record.c.record_key, record.c.fields)
            .where(record.c.entity == entity, or_(*matches))
            .order_by(func.lower(value("name")).nulls_last(), record.c.record_key)
            .limit(limit)
        )
        return [
            (row.record_key, from_json(json.loads(row.fields)))
            for row in self._connection.execute(statement)
        ]

    def count_conflicts(self) -> int:
        statement = select(func.count()).select_from(tables.record_conflict)
        return int(self._connection.execute(statement).scalar_one())
