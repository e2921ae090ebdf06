"""Repository of day checksums: this node's documents per business day and the hub's verdicts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from edge.adapters import tables
from edge.domain.documents import DRAWER_SIGN
from edge.domain.reports import CheckedDays, DayCheck


class IntegrityRepository:
    """This node's documents per business day, and the hub's verdicts on them."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def days_between(self, after_seq: int, up_to_seq: int) -> list[date]:
        """Business days of documents and cash movements whose events have seqs in
        (after_seq, up_to_seq], in order."""
        days: set[str] = set()
        for table in (tables.sale, tables.sales_return, tables.cash_movement):
            rows = self._connection.execute(
                select(table.c.business_day)
                .where(table.c.event_seq > after_seq, table.c.event_seq <= up_to_seq)
                .distinct()
            )
            days.update(row.business_day for row in rows)
        return sorted(date.fromisoformat(day) for day in days)

    def last_seq_of_day(self, business_day: date) -> int:
        """The highest seq of the day's documents' and cash movements' events (0: none)."""
        day = business_day.isoformat()
        last = 0
        for table in (tables.sale, tables.sales_return, tables.cash_movement):
            value = self._connection.execute(
                select(func.max(table.c.event_seq)).where(table.c.business_day == day)
            ).scalar_one_or_none()
            last = max(last, int(value or 0))
        return last

    def day_events(self, business_day: date) -> list[tuple[str, int]]:
        """(event id, signed amount in minor units) of the day's sales (+ total), returns
        (- total) and cash movements (their effect on the drawer: + float and paid-in, -
        paid-out and pickup): what sync.protocol.day_totals sums."""
        day = business_day.isoformat()
        events: list[tuple[str, int]] = []
        for table, sign in ((tables.sale, 1), (tables.sales_return, -1)):
            rows = self._connection.execute(
                select(tables.outbox.c.event_id, table.c.total_minor)
                .join(tables.outbox, tables.outbox.c.seq == table.c.event_seq)
                .where(table.c.business_day == day)
            )
            events.extend((row.event_id, sign * int(row.total_minor)) for row in rows)
        movement = tables.cash_movement
        rows = self._connection.execute(
            select(tables.outbox.c.event_id, movement.c.kind, movement.c.amount_minor)
            .join(tables.outbox, tables.outbox.c.seq == movement.c.event_seq)
            .where(movement.c.business_day == day)
        )
        events.extend((row.event_id, DRAWER_SIGN[row.kind] * int(row.amount_minor)) for row in rows)
        return events

    def checksum_seq(self) -> int:
        value = self._connection.execute(select(tables.node.c.checksum_seq)).scalar_one_or_none()
        return int(value or 0)

    def set_checksum_seq(self, seq: int) -> None:
        self._connection.execute(update(tables.node).values(checksum_seq=seq))

    def record(self, checks: list[DayCheck]) -> None:
        """Keep each day's latest check (one row per business day)."""
        if not checks:
            return
        rows = [
            {
                "business_day": check.business_day.isoformat(),
                "count": check.count,
                "total_minor": check.total_minor,
                "id_hash": check.id_hash,
                "status": check.status,
                "hub_count": check.hub_count,
                "hub_total_minor": check.hub_total_minor,
                "hub_id_hash": check.hub_id_hash,
                "checked_at": check.checked_at.isoformat(),
            }
            for check in checks
        ]
        statement = sqlite_insert(tables.day_checksum)
        self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["business_day"],
                set_={name: statement.excluded[name] for name in rows[0] if name != "business_day"},
            ),
            rows,
        )

    def summary(self) -> CheckedDays:
        rows = self._connection.execute(
            select(tables.day_checksum.c.status, func.count()).group_by(
                tables.day_checksum.c.status
            )
        )
        counts = {status: int(count) for status, count in rows}
        return CheckedDays(matched=counts.get("matched", 0), mismatched=counts.get("mismatch", 0))

    def mismatches(self, limit: int) -> list[DayCheck]:
        """Days whose totals the hub's ledger disagrees with, oldest first, at most `limit`."""
        rows = self._connection.execute(
            select(tables.day_checksum)
            .where(tables.day_checksum.c.status == "mismatch")
            .order_by(tables.day_checksum.c.business_day)
            .limit(limit)
        )
        return [
            DayCheck(
                business_day=date.fromisoformat(row.business_day),
                count=row._mapping["count"],  # `row.count` is the tuple's method
                total_minor=row.total_minor,
                id_hash=row.id_hash,
                status=row.status,
                hub_count=row.hub_count,
                hub_total_minor=row.hub_total_minor,
                hub_id_hash=row.hub_id_hash,
                checked_at=datetime.fromisoformat(row.checked_at),
            )
            for row in rows
        ]
