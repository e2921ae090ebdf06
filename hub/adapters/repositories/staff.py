"""Staff (HQ's records and the stores they work at) and the tills' audit entries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.adapters.repositories.sql import is_postgres, upsert
from hub.domain.staff import StaffRecord, TillAuditEntry, TillAuditFilter


class StaffRepository:
    """Staff members and their stores (current and former)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, staff_code: str, *, lock: bool = False) -> StaffRecord | None:
        """The staff member, their row locked until the transaction ends if `lock`
        (PostgreSQL)."""
        staff = tables.staff
        statement = select(staff).where(staff.c.staff_code == staff_code)
        if lock and is_postgres(self._connection):
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        if row is None:
            return None
        stores = await self._stores_of([staff_code])
        return _record(row, stores.get(staff_code, {}))

    async def add(self, record: StaffRecord) -> None:
        """Insert a new staff member and their stores. Raises IntegrityError (caught by the
        caller's savepoint) if the staff code is taken."""
        await self._connection.execute(
            tables.staff.insert().values(
                staff_code=record.staff_code,
                name=record.name,
                role=record.role,
                active=record.active,
                version=record.version,
                created_at=record.created_at,
                updated_at=record.updated_at,
            )
        )
        await self.set_stores(record.staff_code, record.stores)

    async def update(self, record: StaffRecord) -> None:
        """Write the member's name, role, active flag, version and stores."""
        staff = tables.staff
        await self._connection.execute(
            update(staff)
            .where(staff.c.staff_code == record.staff_code)
            .values(
                name=record.name,
                role=record.role,
                active=record.active,
                version=record.version,
                updated_at=record.updated_at,
            )
        )
        await self.set_stores(record.staff_code, record.stores)

    async def set_stores(self, staff_code: str, stores: Iterable[str]) -> None:
        """`stores` become the member's current stores; any other they had stays as a former
        store (its row kept, `current` false)."""
        link = tables.staff_store
        current = sorted(set(stores))
        await self._connection.execute(
            update(link)
            .where(link.c.staff_code == staff_code, link.c.store_id.not_in(current))
            .values(current=False)
        )
        if current:
            statement = upsert(self._connection, link)
            await self._connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["staff_code", "store_id"], set_={"current": True}
                ),
                [
                    {"staff_code": staff_code, "store_id": store, "current": True}
                    for store in current
                ],
            )

    async def works_at(self, staff_code: str, store_id: str) -> bool:
        """Whether the member is active and works at `store_id` now."""
        staff, link = tables.staff, tables.staff_store
        statement = select(
            exists().where(
                staff.c.staff_code == staff_code,
                staff.c.active.is_(True),
                link.c.staff_code == staff.c.staff_code,
                link.c.store_id == store_id,
                link.c.current.is_(True),
            )
        )
        return bool((await self._connection.execute(statement)).scalar_one())

    async def page(
        self, *, store_id: str | None, after: str, limit: int, former: bool = False
    ) -> list[StaffRecord]:
        """Staff by staff code after `after`, at most `limit`; with `store_id`, those who work
        there now (and, if `former`, those who did)."""
        staff, link = tables.staff, tables.staff_store
        statement = select(staff).where(staff.c.staff_code > after)
        if store_id is not None:
            conditions = [link.c.staff_code == staff.c.staff_code, link.c.store_id == store_id]
            if not former:
                conditions.append(link.c.current.is_(True))
            statement = statement.where(exists().where(*conditions))
        rows = list(
            await self._connection.execute(statement.order_by(staff.c.staff_code).limit(limit))
        )
        stores = await self._stores_of([row.staff_code for row in rows])
        return [_record(row, stores.get(row.staff_code, {})) for row in rows]

    async def _stores_of(self, codes: list[str]) -> dict[str, dict[str, bool]]:
        """Store id -> current, per staff code."""
        if not codes:
            return {}
        link = tables.staff_store
        rows = await self._connection.execute(
            select(link.c.staff_code, link.c.store_id, link.c.current)
            .where(link.c.staff_code.in_(codes))
            .order_by(link.c.staff_code, link.c.store_id)
        )
        found: dict[str, dict[str, bool]] = {}
        for row in rows:
            found.setdefault(row.staff_code, {})[row.store_id] = bool(row.current)
        return found


def _record(row: Row[Any], stores: dict[str, bool]) -> StaffRecord:
    return StaffRecord(
        staff_code=row.staff_code,
        name=row.name,
        role=row.role,
        active=bool(row.active),
        stores=tuple(store for store, current in stores.items() if current),
        version=int(row.version),
        created_at=row.created_at,
        updated_at=row.updated_at,
        former_stores=tuple(store for store, current in stores.items() if not current),
    )


class TillAuditRepository:
    """The tills' audit entries, each kept once by its audit id."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, entry: TillAuditEntry) -> bool:
        """Keep the entry (its `entry_id` is ignored); False if its audit id is held already."""
        statement = upsert(self._connection, tables.till_audit).values(**_audit_row(entry))
        result = await self._connection.execute(
            statement.on_conflict_do_nothing(index_elements=["audit_id"])
        )
        return bool(result.rowcount)

    async def add_all(self, entries: Sequence[TillAuditEntry]) -> None:
        """Keep each entry whose audit id is not held yet, in order, in one executemany (a
        second copy of an audit id, in `entries` or held already, adds nothing)."""
        if not entries:
            return
        statement = upsert(self._connection, tables.till_audit)
        await self._connection.execute(
            statement.on_conflict_do_nothing(index_elements=["audit_id"]),
            [_audit_row(entry) for entry in entries],
        )

    async def page(
        self, where: TillAuditFilter, *, after_id: int, limit: int
    ) -> list[TillAuditEntry]:
        """Entries after `after_id` that meet `where`, oldest entry first, at most `limit`."""
        audit = tables.till_audit
        statement = select(audit).where(audit.c.entry_id > after_id)
        if where.store_id is not None:
            statement = statement.where(audit.c.store_id == where.store_id)
        if where.staff is not None:
            statement = statement.where(
                or_(audit.c.staff_code == where.staff, audit.c.approver_code == where.staff)
            )
        if where.kind is not None:
            statement = statement.where(audit.c.kind == where.kind)
        if where.till_id is not None:
            statement = statement.where(audit.c.till_id == where.till_id)
        if where.since is not None:
            statement = statement.where(audit.c.at >= where.since)
        if where.until is not None:
            statement = statement.where(audit.c.at < where.until)
        rows = await self._connection.execute(statement.order_by(audit.c.entry_id).limit(limit))
        return [_audit_entry(row) for row in rows]


def _audit_entry(row: Row[Any]) -> TillAuditEntry:
    return TillAuditEntry(
        entry_id=int(row.entry_id),
        audit_id=row.audit_id,
        event_id=row.event_id,
        store_id=row.store_id,
        node_id=row.node_id,
        kind=row.kind,
        till_id=row.till_id,
        staff_code=row.staff_code,
        staff_name=row.staff_name,
        approver_code=row.approver_code,
        approver_name=row.approver_name,
        at=row.at,
        business_day=row.business_day,
        subject=row.subject,
        details=dict(row.details),
        received_at=row.received_at,
    )


def _audit_row(entry: TillAuditEntry) -> dict[str, Any]:
    return {
        "audit_id": entry.audit_id,
        "event_id": entry.event_id,
        "store_id": entry.store_id,
        "node_id": entry.node_id,
        "kind": entry.kind,
        "till_id": entry.till_id,
        "staff_code": entry.staff_code,
        "staff_name": entry.staff_name,
        "approver_code": entry.approver_code,
        "approver_name": entry.approver_name,
        "at": entry.at,
        "business_day": entry.business_day,
        "subject": entry.subject,
        "details": entry.details,
        "received_at": entry.received_at,
    }
