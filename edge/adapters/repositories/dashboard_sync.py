"""Repository of the dashboard's sync, stock and exception views (edge.service.dashboard_sync):
the outbox depth sampled through the day, the store's tills, stock levels net of what sold
here since HQ's count, and what the store should act on (declined offline cards, overdrafts).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    union,
)

from edge.adapters import tables

_SAMPLE = tables.outbox_depth_sample


@dataclasses.dataclass(frozen=True, slots=True)
class DepthSample:
    """The outbox at one run of the sync agent: events waiting, the oldest's age in seconds
    (None: none waited), and whether the last exchange with the hub had succeeded."""

    at: datetime
    pending: int
    oldest_age_s: int | None
    online: bool


@dataclasses.dataclass(frozen=True, slots=True)
class StockRow:
    """A tracked SKU's stock here: `hq_on_hand` the hub's last count in the feed (None: HQ
    has sent none), `sold_since` units sold less units returned on this node in documents the
    hub has not acknowledged yet, and `level` = hq_on_hand - sold_since (None without a count)."""

    sku: str
    description: str | None
    gtin: str | None
    hq_on_hand: int | None
    sold_since: int
    level: int | None


@dataclasses.dataclass(frozen=True, slots=True)
class StockPage:
    """One page of stock rows (by SKU) and how many rows match in all."""

    rows: list[StockRow]
    total: int


@dataclasses.dataclass(frozen=True, slots=True)
class DeclinedCard:
    """A card taken offline that the acquirer later declined (`outcome` declined) or that was
    not forwarded in time (`outcome` expired): the sale stands, unpaid. Amount in minor units."""

    tender_id: str
    till_id: str
    amount_minor: int
    currency: str
    outcome: str
    decline_code: str | None
    brand: str | None
    last4: str | None
    taken_at: datetime
    settled_at: datetime | None
    receipt_number: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class Overdraft:
    """A gift card or store credit this store knows below zero (minor units): spent offline
    beyond what HQ then held, or the hub's own balance, once heard, below zero."""

    kind: str
    account: str
    balance_minor: int
    spent_offline_minor: int
    as_of: datetime


class DashboardSyncRepository:
    """Queries of the dashboard's sync, stock and exception views; never commits."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # The outbox depth samples -------------------------------------------------------------

    def latest_sample_at(self) -> datetime | None:
        value = self._connection.execute(select(func.max(_SAMPLE.c.at))).scalar_one_or_none()
        return datetime.fromisoformat(value) if value else None

    def add_sample(self, sample: DepthSample) -> None:
        self._connection.execute(
            _SAMPLE.insert().values(
                at=sample.at.isoformat(),
                pending=sample.pending,
                oldest_age_s=sample.oldest_age_s,
                online=int(sample.online),
            )
        )

    def delete_samples_before(self, before: datetime) -> int:
        """Delete samples older than `before`; returns how many went."""
        return int(
            self._connection.execute(
                delete(_SAMPLE).where(_SAMPLE.c.at < before.isoformat())
            ).rowcount
        )

    def samples_between(self, start: datetime, end: datetime) -> list[DepthSample]:
        """Samples with start <= at < end, oldest first (`at` compared as UTC text: callers
        pass UTC times, as the agent's clock writes them)."""
        rows = self._connection.execute(
            select(_SAMPLE)
            .where(_SAMPLE.c.at >= start.isoformat(), _SAMPLE.c.at < end.isoformat())
            .order_by(_SAMPLE.c.at)
        )
        return [
            DepthSample(
                at=datetime.fromisoformat(row.at),
                pending=row.pending,
                oldest_age_s=row.oldest_age_s,
                online=bool(row.online),
            )
            for row in rows
        ]

    # Tills ------------------------------------------------------------------------------

    def till_ids(self) -> list[str]:
        """Every till this node has seen: opened a shift, signed in or taken a card."""
        query = union(
            select(tables.shift.c.till_id),
            select(tables.till_session.c.till_id),
            select(tables.card_payment.c.till_id),
        )
        return sorted(str(row[0]) for row in self._connection.execute(query))

    # Stock ------------------------------------------------------------------------------

    def stock_page(
        self,
        location_id: str,
        *,
        query: str | None,
        at_most: int | None,
        limit: int,
        offset: int,
    ) -> StockPage:
        """Tracked SKUs sold by the unit, by SKU: those whose SKU, GTIN or description holds
        `query` (any case), and with `at_most` only those with a level at or below it."""
        level, statement = _stock_query(location_id, self._unacknowledged_since())
        conditions: list[ColumnElement[bool]] = [
            tables.product.c.track_inventory == 1,
            tables.product.c.unit == "each",
        ]
        if query:
            pattern = f"%{_escaped(query.lower())}%"
            conditions.append(
                or_(
                    func.lower(tables.product.c.sku).like(pattern, escape="\\"),
                    func.lower(tables.product.c.description).like(pattern, escape="\\"),
                    tables.product.c.gtin.like(pattern, escape="\\"),
                )
            )
        if at_most is not None:
            conditions.append(level <= at_most)
        statement = statement.where(*conditions)
        total = self._connection.execute(
            select(func.count()).select_from(statement.subquery())
        ).scalar_one()
        rows = self._connection.execute(
            statement.order_by(tables.product.c.sku).limit(limit).offset(offset)
        )
        return StockPage(
            rows=[
                StockRow(
                    sku=row.sku,
                    description=row.description,
                    gtin=row.gtin,
                    hq_on_hand=row.on_hand,
                    sold_since=int(row.sold_since),
                    level=None if row.level is None else int(row.level),
                )
                for row in rows
            ],
            total=int(total),
        )

    def _unacknowledged_since(self) -> str | None:
        """A business day no document waiting for HQ's acknowledgement is older than (None:
        nothing waits): the day the oldest waiting event was written, less two days (a
        business day may start before midnight's date: shifts' cut-off). `sale.event_seq` has
        no index; `business_day` has, and this keeps the stock query off a year of sales."""
        oldest = self._connection.execute(
            select(func.min(tables.outbox.c.created_at)).where(
                tables.outbox.c.seq > select(tables.node.c.acked_seq).scalar_subquery()
            )
        ).scalar_one_or_none()
        if oldest is None:
            return None
        return (datetime.fromisoformat(oldest).date() - timedelta(days=2)).isoformat()

    # Exceptions -------------------------------------------------------------------------

    def declined_offline_cards(self, limit: int) -> list[DeclinedCard]:
        """Cards taken offline that came to nothing (settled as declined or expired), newest
        first, at most `limit`, with the receipt of the sale they paid for."""
        payment = tables.card_payment
        receipt = func.coalesce(tables.sale.c.receipt_number, tables.sales_return.c.receipt_number)
        rows = self._connection.execute(
            select(payment, receipt.label("receipt_number"))
            .outerjoin(tables.sale, tables.sale.c.sale_id == payment.c.document_id)
            .outerjoin(
                tables.sales_return, tables.sales_return.c.return_id == payment.c.document_id
            )
            .where(payment.c.status == "settled", payment.c.outcome.in_(["declined", "expired"]))
            .order_by(payment.c.taken_at.desc())
            .limit(limit)
        )
        return [
            DeclinedCard(
                tender_id=row.tender_id,
                till_id=row.till_id,
                amount_minor=row.amount_minor,
                currency=row.currency,
                outcome=row.outcome,
                decline_code=row.decline_code,
                brand=row.brand,
                last4=row.last4,
                taken_at=datetime.fromisoformat(row.taken_at),
                settled_at=datetime.fromisoformat(row.settled_at) if row.settled_at else None,
                receipt_number=row.receipt_number,
            )
            for row in rows
        ]

    def overdrafts(self, limit: int) -> list[Overdraft]:
        """Stored-value accounts this store knows below zero, most overdrawn first."""
        value = tables.stored_value
        rows = self._connection.execute(
            select(value)
            .where(value.c.balance_minor < 0)
            .order_by(value.c.balance_minor, value.c.account)
            .limit(limit)
        )
        return [
            Overdraft(
                kind=row.kind,
                account=row.account,
                balance_minor=row.balance_minor,
                spent_offline_minor=row.spent_offline_minor,
                as_of=datetime.fromisoformat(row.as_of),
            )
            for row in rows
        ]


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _unacknowledged_units(since_day: str | None) -> Any:
    """Per SKU, units sold less units returned (by the unit) in this node's documents whose
    events the hub has not acknowledged: what HQ's count does not include yet. Only
    documents of `since_day` or later are looked at (None: none wait)."""
    acked = select(tables.node.c.acked_seq).scalar_subquery()
    recent_sale = tables.sale.c.business_day >= since_day if since_day is not None else false()
    recent_return = (
        tables.sales_return.c.business_day >= since_day if since_day is not None else false()
    )
    sold = (
        select(
            tables.sale_line.c.sku.label("sku"),
            tables.sale_line.c.quantity.label("units"),
        )
        .join(tables.sale, tables.sale.c.sale_id == tables.sale_line.c.sale_id)
        .where(recent_sale, tables.sale.c.event_seq > acked, tables.sale_line.c.unit == "each")
    )
    returned = (
        select(
            tables.return_line.c.sku.label("sku"),
            (literal(0) - tables.return_line.c.quantity).label("units"),
        )
        .join(
            tables.sales_return,
            tables.sales_return.c.return_id == tables.return_line.c.return_id,
        )
        .where(
            recent_return,
            tables.sales_return.c.event_seq > acked,
            tables.return_line.c.unit == "each",
        )
    )
    moved = sold.union_all(returned).subquery()
    return (
        select(moved.c.sku, func.sum(moved.c.units).label("units"))
        .group_by(moved.c.sku)
        .subquery("sold_since")
    )


def _stock_query(location_id: str, since_day: str | None) -> tuple[ColumnElement[Any], Select[Any]]:
    """(the level expression, the select of every product's stock row)."""
    sold = _unacknowledged_units(since_day)
    sold_since = func.coalesce(sold.c.units, 0)
    level = tables.stock_level.c.on_hand - sold_since
    statement = select(
        tables.product.c.sku,
        tables.product.c.description,
        tables.product.c.gtin,
        tables.stock_level.c.on_hand,
        sold_since.label("sold_since"),
        level.label("level"),
    ).select_from(
        tables.product.outerjoin(
            tables.stock_level,
            (tables.stock_level.c.sku == tables.product.c.sku)
            & (tables.stock_level.c.location_id == location_id),
        ).outerjoin(sold, sold.c.sku == tables.product.c.sku)
    )
    return level, statement
