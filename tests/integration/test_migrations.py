"""Migrations build exactly the schema the code declares, on PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest
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


def test_the_edge_migration_matches_the_edge_tables(tmp_path: Path) -> None:
    path = tmp_path / "edge.db"
    upgrade_edge(path)
    upgrade_edge(path)  # running it again is harmless
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert differences(connection, edge_metadata) == []
    engine.dispose()


def test_an_edge_of_refund_approvals_takes_b2b_orders_keeps_its_sales_and_reads_the_feed_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "edge.db"
    upgrade_edge(path, "0009")
    with closing(sqlite3.connect(path)) as database, database:
        database.execute(
            "INSERT INTO node (id, store_id, node_id, node_name, store_name, timezone, currency,"
            " credential, enrolled_at, feed_cursor) VALUES (1, 'store-1', 'node-1', 'till',"
            " 'store-1', 'Europe/London', 'GBP', 'secret', '2010-12-01T08:00:00+00:00', 'c-41')"
        )
        database.execute(
            "INSERT INTO sale (sale_id, receipt_number, till_id, business_time, business_day,"
            " currency, total_minor, event_seq) VALUES ('s-1', 'T1-0000001', 'T1',"
            " '2010-12-01T09:00:00+00:00', '2010-12-01', 'GBP', 255, 1)"
        )
    upgrade_edge(path)
    with closing(sqlite3.connect(path)) as database, database:
        # The old software's cursor moved past the b2b_approval entries it skipped.
        assert database.execute("SELECT feed_cursor FROM node").fetchone() == (None,)
        assert database.execute("SELECT receipt_number, b2b_order_id FROM sale").fetchall() == [
            ("T1-0000001", None)
        ]
        assert database.execute("SELECT count(*) FROM b2b_order").fetchone() == (0,)
        handover = (
            "INSERT INTO sale (sale_id, receipt_number, till_id, business_time, business_day,"
            " currency, total_minor, event_seq, b2b_order_id) VALUES (?, ?, 'T1',"
            " '2010-12-01T10:00:00+00:00', '2010-12-01', 'GBP', 100, ?, 'order-1')"
        )
        database.execute(handover, ("s-2", "T1-0000002", 2))
        with pytest.raises(sqlite3.IntegrityError):  # an order is handed over once per node
            database.execute(handover, ("s-3", "T1-0000003", 3))
    command.downgrade(alembic_config("edge", f"sqlite:///{path}"), "0009")
    with closing(sqlite3.connect(path)) as database, database:
        assert [row[0] for row in database.execute("SELECT sale_id FROM sale")] == ["s-1", "s-2"]


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
