"""The audit trail of a business day as this node's outbox holds it, for the store manager's
dashboard: `audit.recorded` events (sync.messages.AuditRecordedV1), counted per kind and
listed newest first.

The outbox keeps every row after the hub acknowledges it, so the trail of any business day
this node worked is here, offline too. Rows are read by their JSON payload (SQLite's
json_extract): the business day and kind the till recorded, never the upload's time.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Row, and_, func, literal_column, or_, select

from edge.adapters import tables
from edge.domain.audit import Audited

_outbox = tables.outbox


def _field(path: str) -> ColumnElement[Any]:
    # The JSON path inline, not bound: SQLite uses an index on an expression only when the
    # query spells the same expression (ix_outbox_audit_day, edge migration 0022: the
    # outbox's audit events by business day; a day's page reads that day's rows only).
    return func.json_extract(_outbox.c.payload, literal_column(f"'{path}'"))


_KIND = _field("$.kind")
_DAY = _field("$.business_day")
_STAFF = _field("$.staff_code")
_APPROVER = _field("$.approver_code")
_SUBJECT = _field("$.subject")
# Kinds whose subject is a staff code (the staff member the action was done to).
_STAFF_SUBJECT_KINDS = ("unlocked", "pin_reset")


class DashboardAuditRepository:
    """Reads the audit events of this node's outbox; never writes."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def kind_counts(self, business_day: date) -> dict[str, int]:
        """Audit events of `business_day` per kind (kinds with none are absent)."""
        rows = self._connection.execute(
            select(_KIND, func.count()).where(_of_day(business_day)).group_by(_KIND)
        )
        return {str(kind): int(count) for kind, count in rows}

    def count(self, business_day: date, *, kind: str | None, staff_code: str | None) -> int:
        """How many audit events of `business_day` match the filters (see `entries`)."""
        return int(
            self._connection.execute(
                select(func.count()).where(_matching(business_day, kind, staff_code))
            ).scalar_one()
        )

    def entries(
        self,
        business_day: date,
        *,
        kind: str | None,
        staff_code: str | None,
        offset: int,
        limit: int,
    ) -> list[Audited]:
        """Audit events of `business_day`, newest first (by outbox seq: the order they were
        written), `limit` of them after skipping `offset`. `kind`: only that kind;
        `staff_code`: what that staff member did, approved by override, or had done to them
        (an unlock, a PIN reset)."""
        rows = self._connection.execute(
            select(_outbox.c.payload)
            .where(_matching(business_day, kind, staff_code))
            .order_by(_outbox.c.seq.desc())
            .offset(offset)
            .limit(limit)
        )
        return [_audited(row) for row in rows]


def _of_day(business_day: date) -> ColumnElement[bool]:
    return and_(_outbox.c.kind == "audit.recorded", _DAY == business_day.isoformat())


def _matching(business_day: date, kind: str | None, staff_code: str | None) -> ColumnElement[bool]:
    condition = _of_day(business_day)
    if kind is not None:
        condition = and_(condition, _KIND == kind)
    if staff_code is not None:
        condition = and_(
            condition,
            or_(
                _STAFF == staff_code,
                _APPROVER == staff_code,
                and_(_KIND.in_(_STAFF_SUBJECT_KINDS), _SUBJECT == staff_code),
            ),
        )
    return condition


def _audited(row: Row[Any]) -> Audited:
    payload = json.loads(row.payload)
    return Audited(
        audit_id=UUID(payload["audit_id"]),
        kind=payload["kind"],
        at=datetime.fromisoformat(payload["at"]),
        business_day=date.fromisoformat(payload["business_day"]),
        till_id=payload.get("till_id"),
        staff_code=payload.get("staff_code"),
        staff_name=payload.get("staff_name"),
        approver_code=payload.get("approver_code"),
        approver_name=payload.get("approver_name"),
        subject=payload.get("subject"),
        details=dict(payload.get("details") or {}),
    )
