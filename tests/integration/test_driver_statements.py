"""The till's hottest statements run by the stdlib driver (edge.adapters.repositories.driver)
read and write exactly what SQLAlchemy's execution of the same statements does, on a real
edge's file with a cart, lines, a promotion-free catalogue and a signed-in session."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, literal_column, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from edge.adapters import tables
from edge.adapters.repositories import carts, catalogue, node, staff
from edge.adapters.repositories.driver import DriverInsert, DriverQuery
from edge.service.staff import token_digest
from tests.support import Edge


async def test_each_hot_query_reads_what_sqlalchemy_reads(store: Edge) -> None:
    cart = (await store.client.post("/v1/carts", json={"till_id": "T1", "lines": [
        {"sku": "A", "quantity": 2}, {"sku": "C", "quantity": 1}]})).json()  # fmt: skip
    assert store.client.auth is not None
    digest = token_digest(store.client.auth.session["token"])  # type: ignore[attr-defined]
    # The store's own till limits, so the Boolean column is read as a bool, not 0/1.
    await store.runtime.database.write(
        lambda c: c.execute(text("UPDATE node SET no_receipt_above_catalogue_price = 1"))
    )
    cases: list[tuple[DriverQuery, dict[str, Any]]] = [
        (carts._CART_HEAD_QUERY, {"cart_key": cart["cart_id"]}),
        (catalogue._PRICED_ITEM_QUERY, {"sku_key": "A", "list_name": "default"}),
        (catalogue._PRICED_ITEM_PROMOTED_QUERY, {"sku_key": "C", "list_name": "default"}),
        (node._TILL_LIMITS_QUERY, {}),
        (carts._CART_LINE_BY_ID, {"line_key": cart["lines"][0]["line_id"]}),
        (staff._SESSION_AND_STAFF, {"token_sha256": digest}),
    ]

    def compare(connection: Connection) -> list[tuple[Any, Any]]:
        pairs = []
        for query, parameters in cases:
            by_driver = query.all(connection, parameters)
            by_sqlalchemy = [tuple(row) for row in connection.execute(query.statement, parameters)]
            pairs.append(([tuple(row) for row in by_driver], by_sqlalchemy))
        return pairs

    for by_driver, by_sqlalchemy in await store.runtime.database.read(compare):
        assert by_driver == by_sqlalchemy and by_driver
    limits = await store.runtime.database.read(lambda c: node._TILL_LIMITS_QUERY.first(c))
    assert limits.no_receipt_above_catalogue_price is True
    head = await store.runtime.database.read(
        lambda c: carts._CART_HEAD_QUERY.first(c, {"cart_key": cart["cart_id"]})
    )
    assert (head.line_count, head.total_minor) == (2, 2 * 255 + 1000)


async def test_a_line_id_inserted_twice_is_refused_as_sqlalchemy_would(store: Edge) -> None:
    cart = (await store.client.post("/v1/carts", json={"till_id": "T1"})).json()
    line = (await store.client.post(f"/v1/carts/{cart['cart_id']}/lines",
                                    json={"lines": [{"sku": "B", "quantity": 1}]})).json()  # fmt: skip
    line_id = line["lines"][0]["line_id"]

    def insert_again(connection: Connection) -> None:
        row = (
            connection.execute(
                select(tables.cart_line).where(tables.cart_line.c.line_id == line_id)
            )
            .mappings()
            .one()
        )
        carts._INSERT_CART_LINE.run(connection, [dict(row)])

    with pytest.raises(IntegrityError, match=r"cart_line\.line_id"):
        await store.runtime.database.write(insert_again)


def test_what_the_driver_cannot_run_as_sqlalchemy_does_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="expanding"):
        DriverQuery(carts._CART_LINES_BY_ID)
    with pytest.raises(ValueError, match="share a name"):
        DriverQuery(select(tables.cart.c.cart_id, tables.cart_line.c.cart_id))
    with pytest.raises(ValueError, match="bind processing"):
        DriverInsert(tables.node)
    assert DriverQuery(select(tables.cart).where(tables.cart.c.cart_id == bindparam("k")))


async def test_the_drivers_errors_come_up_as_sqlalchemys(store: Edge) -> None:
    """What callers catch (read_here's fall-back on OperationalError, a line id taken) is
    SQLAlchemy's error, whether SQLAlchemy or the driver ran the statement."""
    missing = DriverQuery(select(literal_column("x")).select_from(text("no_such_table")))
    with pytest.raises(OperationalError, match="no such table"):
        await store.runtime.database.read(lambda c: missing.first(c))
