"""Repository of carts and their lines (the till's baskets before checkout)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from edge.adapters import tables
from edge.adapters.repositories.driver import DriverInsert, DriverQuery
from edge.adapters.repositories.shifts import open_shift_of
from edge.adapters.repositories.sql import manual_of, manual_row, terms_of, terms_row
from edge.domain.cart import Cart, CartHead, CartLine, ParkedCart, Parking
from edge.errors import IdReused
from shared.money import Money
from shared.quantity import from_stored, to_stored

# Statements on the selling path are built once: building a select costs about 3x running it.
_CART = select(tables.cart).where(tables.cart.c.cart_id == bindparam("cart_key"))
_CART_LINES = (
    select(tables.cart_line)
    .where(tables.cart_line.c.cart_id == bindparam("cart_key"))
    .order_by(tables.cart_line.c.position)
)
_INSERT_CART_LINE = DriverInsert(tables.cart_line)
_CART_HEAD = select(
    tables.cart,
    select(func.count())
    .where(tables.cart_line.c.cart_id == tables.cart.c.cart_id)
    .scalar_subquery()
    .label("line_count"),
    select(func.count())
    .where(tables.cart_line.c.cart_id == tables.cart.c.cart_id, tables.cart_line.c.voided == 0)
    .scalar_subquery()
    .label("active_count"),
    select(func.coalesce(func.sum(tables.cart_line.c.line_total_minor), 0))
    .where(tables.cart_line.c.cart_id == tables.cart.c.cart_id, tables.cart_line.c.voided == 0)
    .scalar_subquery()
    .label("total_minor"),
).where(tables.cart.c.cart_id == bindparam("cart_key"))
_CART_HEAD_QUERY = DriverQuery(_CART_HEAD)  # on every scan
_PARKED = (
    select(
        tables.cart,
        select(func.count())
        .where(tables.cart_line.c.cart_id == tables.cart.c.cart_id, tables.cart_line.c.voided == 0)
        .scalar_subquery()
        .label("active_count"),
        select(func.coalesce(func.sum(tables.cart_line.c.line_total_minor), 0))
        .where(tables.cart_line.c.cart_id == tables.cart.c.cart_id, tables.cart_line.c.voided == 0)
        .scalar_subquery()
        .label("total_minor"),
    )
    .where(tables.cart.c.status == "parked")
    .order_by(tables.cart.c.parked_at, tables.cart.c.cart_id)
)
_CART_LINES_BY_ID = select(tables.cart_line).where(
    tables.cart_line.c.line_id.in_(bindparam("line_keys", expanding=True))
)
# A scan sends one line: that lookup runs by the driver (an expanding IN cannot).
_CART_LINE_BY_ID = DriverQuery(
    select(tables.cart_line).where(tables.cart_line.c.line_id == bindparam("line_key"))
)


class CartRepository:
    """Carts and their lines; a line id is unique across every cart."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, cart_id: UUID) -> Cart | None:
        key = {"cart_key": str(cart_id)}
        row = self._connection.execute(_CART, key).first()
        if row is None:
            return None
        lines = self._connection.execute(_CART_LINES, key)
        return Cart(
            cart_id=UUID(row.cart_id),
            till_id=row.till_id,
            currency=row.currency,
            opened_at=datetime.fromisoformat(row.opened_at),
            customer_id=row.customer_id,
            status=row.status,
            sale_id=UUID(row.sale_id) if row.sale_id else None,
            lines=[_cart_line(line) for line in lines],
            parked=_parking(row),
        )

    def price_approver(self, cart_id: UUID) -> str | None:
        """The staff code whose override approved price changes on the cart, if any."""
        found = self._connection.execute(
            select(tables.cart.c.price_approved_by).where(tables.cart.c.cart_id == str(cart_id))
        ).scalar_one_or_none()
        return str(found) if found is not None else None

    def approve_prices(self, cart_id: UUID, staff_code: str) -> None:
        self._connection.execute(
            update(tables.cart)
            .where(tables.cart.c.cart_id == str(cart_id))
            .values(price_approved_by=staff_code)
        )

    def head(self, cart_id: UUID) -> CartHead | None:
        """The cart's header with its line count and total, without loading its lines."""
        row = _CART_HEAD_QUERY.first(self._connection, {"cart_key": str(cart_id)})
        if row is None:
            return None
        return CartHead(
            cart_id=UUID(row.cart_id),
            till_id=row.till_id,
            currency=row.currency,
            status=row.status,
            line_count=int(row.line_count),
            active_count=int(row.active_count),
            total=Money.from_minor(int(row.total_minor), row.currency),
        )

    def lines_by_id(self, line_ids: list[UUID]) -> dict[UUID, tuple[UUID, CartLine]]:
        """Lines with these ids anywhere, with the cart each belongs to."""
        if not line_ids:
            return {}
        rows: Sequence[Any]
        if len(line_ids) == 1:
            rows = _CART_LINE_BY_ID.all(self._connection, {"line_key": str(line_ids[0])})
        else:
            rows = self._connection.execute(
                _CART_LINES_BY_ID, {"line_keys": [str(line_id) for line_id in line_ids]}
            ).all()
        return {UUID(row.line_id): (UUID(row.cart_id), _cart_line(row)) for row in rows}

    def add(self, cart: Cart) -> None:
        self._connection.execute(
            tables.cart.insert().values(
                cart_id=str(cart.cart_id),
                till_id=cart.till_id,
                status=cart.status,
                currency=cart.currency,
                customer_id=cart.customer_id,
                opened_at=cart.opened_at.isoformat(),
                shift_id=open_shift_of(cart.till_id),
            )
        )
        self.add_lines(cart.cart_id, cart.currency, cart.lines)

    def add_lines(self, cart_id: UUID, currency: str, lines: Sequence[CartLine]) -> None:
        """Insert lines. Raises IdReused if a line id exists already (on any cart)."""
        rows = [
            {
                "line_id": str(line.line_id),
                "cart_id": str(cart_id),
                "position": line.position,
                "sku": line.sku,
                "description": line.description,
                "quantity": to_stored(line.quantity, line.unit),
                "unit": line.unit,
                "unit_price": str(line.unit_price),
                "line_total_minor": line.total(currency).minor,
                "price_version": line.price_version,
                "price_source": line.price_source,
                "voided": int(line.voided),
                **terms_row(line.terms),
                **manual_row(line),
            }
            for line in lines
        ]
        if not rows:
            return
        try:
            _INSERT_CART_LINE.run(self._connection, rows)
        except IntegrityError as error:
            if "cart_line.line_id" in str(error.orig):
                raise IdReused(
                    "cart line", ", ".join(str(line.line_id) for line in lines)
                ) from None
            raise

    def void_line(self, line_id: UUID) -> None:
        self._connection.execute(
            update(tables.cart_line)
            .where(tables.cart_line.c.line_id == str(line_id))
            .values(voided=1)
        )

    def update_line(self, line: CartLine, currency: str) -> None:
        """Store a line changed after its scan (quantity, price, discount)."""
        self._connection.execute(
            update(tables.cart_line)
            .where(tables.cart_line.c.line_id == str(line.line_id))
            .values(
                quantity=to_stored(line.quantity, line.unit),
                unit=line.unit,
                unit_price=str(line.unit_price),
                line_total_minor=line.total(currency).minor,
                price_version=line.price_version,
                price_source=line.price_source,
                **terms_row(line.terms),
                **manual_row(line),
            )
        )

    def set_status(self, cart: Cart) -> None:
        """Store a parked or recalled cart: its status, till and parking."""
        parking = cart.parked
        self._connection.execute(
            update(tables.cart)
            .where(tables.cart.c.cart_id == str(cart.cart_id))
            .values(
                status=cart.status,
                till_id=cart.till_id,
                parked_at=parking.at.isoformat() if parking else None,
                parked_by_code=parking.staff_code if parking else None,
                parked_by_name=parking.staff_name if parking else None,
            )
        )

    def parked(self) -> list[ParkedCart]:
        """Every parked cart of the node, the longest parked first."""
        rows = self._connection.execute(_PARKED)
        return [
            ParkedCart(
                cart_id=UUID(row.cart_id),
                till_id=row.till_id,
                customer_id=row.customer_id,
                parking=Parking(
                    datetime.fromisoformat(row.parked_at), row.parked_by_code, row.parked_by_name
                ),
                total=Money.from_minor(int(row.total_minor), row.currency),
                line_count=int(row.active_count),
            )
            for row in rows
        ]

    def close(self, cart: Cart, closed_at: datetime) -> None:
        self._connection.execute(
            update(tables.cart)
            .where(tables.cart.c.cart_id == str(cart.cart_id))
            .values(
                status=cart.status,
                closed_at=closed_at.isoformat(),
                sale_id=str(cart.sale_id) if cart.sale_id else None,
            )
        )


def _parking(row: Row[Any]) -> Parking | None:
    if row.parked_at is None:
        return None
    return Parking(datetime.fromisoformat(row.parked_at), row.parked_by_code, row.parked_by_name)


def _cart_line(row: Row[Any]) -> CartLine:
    return CartLine(
        line_id=UUID(row.line_id),
        position=row.position,
        sku=row.sku,
        description=row.description,
        quantity=from_stored(row.quantity, row.unit),
        unit_price=Decimal(row.unit_price),
        price_version=row.price_version,
        price_source=row.price_source,
        voided=bool(row.voided),
        terms=terms_of(row),
        unit=row.unit,
        **manual_of(row),
    )
