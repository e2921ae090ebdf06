"""Migrations build exactly the schema the code declares, on PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from edge.adapters.tables import metadata as edge_metadata
from hub.adapters.tables import metadata as hub_metadata
from migrations.runner import upgrade_edge, upgrade_hub
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
