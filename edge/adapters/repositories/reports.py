"""Read models over the node's documents: the X report of a trading day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Connection, Table, case, func, select

from edge.adapters import tables
from edge.domain.reports import DaySummary


def _each(lines: Table) -> ColumnElement[int]:
    """A line's whole units (`each` lines; weighed lines count none)."""
    return case((lines.c.unit == "each", lines.c.quantity), else_=0)


def _weight(lines: Table) -> ColumnElement[int]:
    """A weighed line's thousandths of a kg (shared.quantity.to_stored); others none."""
    return case((lines.c.unit == "kg", lines.c.quantity), else_=0)


class ReportRepository:
    """Sums over the node's sales, returns and cash movements."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def day_summary(self, business_day: date) -> DaySummary:
        """Counts and minor-unit sums of one trading day's documents on this node."""
        connection = self._connection
        day = business_day.isoformat()
        sales = (
            connection.execute(
                select(
                    func.count(func.distinct(tables.sale.c.sale_id)),
                    func.count(),
                    func.coalesce(func.sum(_each(tables.sale_line)), 0),
                    func.coalesce(func.sum(tables.sale_line.c.line_total_minor), 0),
                    func.coalesce(func.sum(_weight(tables.sale_line)), 0),
                )
                .select_from(tables.sale)
                .join(tables.sale_line, tables.sale_line.c.sale_id == tables.sale.c.sale_id)
                .where(tables.sale.c.business_day == day)
            )
        ).one()
        returns = (
            connection.execute(
                select(
                    func.count(func.distinct(tables.sales_return.c.return_id)),
                    func.count(),
                    func.coalesce(func.sum(_each(tables.return_line)), 0),
                    func.coalesce(func.sum(tables.return_line.c.line_total_minor), 0),
                    func.coalesce(func.sum(_weight(tables.return_line)), 0),
                )
                .select_from(tables.sales_return)
                .join(
                    tables.return_line,
                    tables.return_line.c.return_id == tables.sales_return.c.return_id,
                )
                .where(tables.sales_return.c.business_day == day)
            )
        ).one()
        cash: dict[str, int] = {
            row.kind: int(row.total)
            for row in connection.execute(
                select(
                    tables.cash_movement.c.kind,
                    func.sum(tables.cash_movement.c.amount_minor).label("total"),
                )
                .where(tables.cash_movement.c.business_day == day)
                .group_by(tables.cash_movement.c.kind)
            )
        }
        return DaySummary(
            sales=int(sales[0]),
            returns=int(returns[0]),
            lines=int(sales[1]) + int(returns[1]),
            units=int(sales[2]) - int(returns[2]),
            weight_g=int(sales[4]) - int(returns[4]),
            revenue_minor=int(sales[3]) - int(returns[3]),
            returns_minor=int(returns[3]),
            cash_in_minor=int(cash.get("float", 0)) + int(cash.get("paid_in", 0)),
            cash_out_minor=int(cash.get("paid_out", 0)) + int(cash.get("pickup", 0)),
        )
