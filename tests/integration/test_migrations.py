"""Migrations build exactly the schema the code declares, on PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest
import sqlite_utils
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from edge.adapters.tables import metadata as edge_metadata
from hub.adapters.tables import metadata as hub_metadata
from migrations.runner import alembic_config, upgrade_edge, upgrade_hub
from vectis.ops.postgres import TemporaryCluster


def differences(connection: Connection, metadata: MetaData) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


# The outbox's partial index on its audit events' business day (edge migration 0022) is on
# an expression, which SQLAlchemy neither declares nor reflects on SQLite: checked by name.
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index ix_outbox_audit_day"
)
def test_the_edge_migration_matches_the_edge_tables(tmp_path: Path) -> None:
    path = tmp_path / "edge.db"
    upgrade_edge(path)
    upgrade_edge(path)  # running it again is harmless
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert differences(connection, edge_metadata) == []
        indexes = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox'"
        ).scalars()
        assert "ix_outbox_audit_day" in set(indexes)
    engine.dispose()


def test_an_edge_of_refund_approvals_takes_b2b_orders_keeps_its_sales_and_reads_the_feed_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "edge.db"
    upgrade_edge(path, "0009")
    with closing(sqlite_utils.Database(path)) as database:
        database.table("node").insert(
            {
                "id": 1,
                "store_id": "store-1",
                "node_id": "node-1",
                "node_name": "till",
                "store_name": "store-1",
                "timezone": "Europe/London",
                "currency": "GBP",
                "credential": "secret",
                "enrolled_at": "2010-12-01T08:00:00+00:00",
                "feed_cursor": "c-41",
            }
        )
        database.table("sale").insert(sale("s-1", "T1-0000001", 255, seq=1))
    upgrade_edge(path)
    with closing(sqlite_utils.Database(path)) as database:
        # The old software's cursor moved past the b2b_approval entries it skipped.
        assert [node["feed_cursor"] for node in database.table("node").rows] == [None]
        assert [
            (row["receipt_number"], row["b2b_order_id"]) for row in database.table("sale").rows
        ] == [("T1-0000001", None)]
        assert database.table("b2b_order").count == 0
        database.table("sale").insert(sale("s-2", "T1-0000002", 100, seq=2, b2b_order_id="order-1"))
        with pytest.raises(sqlite3.IntegrityError):  # an order is handed over once per node
            database.table("sale").insert(
                sale("s-3", "T1-0000003", 100, seq=3, b2b_order_id="order-1")
            )
    command.downgrade(alembic_config("edge", f"sqlite:///{path}"), "0009")
    with closing(sqlite_utils.Database(path)) as database:
        assert [row["sale_id"] for row in database.table("sale").rows] == ["s-1", "s-2"]


def sale(
    sale_id: str, receipt_number: str, total_minor: int, *, seq: int, **more: str
) -> dict[str, object]:
    """A `sale` row of an edge's file, as the till software of that schema wrote it."""
    return {
        "sale_id": sale_id,
        "receipt_number": receipt_number,
        "till_id": "T1",
        "business_time": "2010-12-01T09:00:00+00:00",
        "business_day": "2010-12-01",
        "currency": "GBP",
        "total_minor": total_minor,
        "event_seq": seq,
        **more,
    }


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_the_hub_migration_matches_the_hub_tables(
    backend: str, postgres: TemporaryCluster, tmp_path: Path
) -> None:
    if backend == "postgresql":
        url = postgres.create_database(f"migrate_{uuid.uuid4().hex[:12]}")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    await asyncio.to_thread(upgrade_hub, url)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences, hub_metadata) == []
    finally:
        await engine.dispose()
