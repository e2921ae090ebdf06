"""The bootstrap's floor in `vectis bench sync`: the rows a real snapshot wrote into a new
edge's file are written again, all of them and unchanged, into a file the edge can open."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from edge.adapters.repositories.catalogue import CatalogueRepository
from tests.support import Hub, close_edge, make_edge
from vectis.bench_boot_floor import BOOTSTRAP_TABLES, bootstrap_copy, bootstrap_done

# Tables a new edge writes that are not the snapshot's (its own events, the outbox's depth
# sampled for the dashboard, the migration's version): the floor leaves them out.
NOT_THE_SNAPSHOTS = {"alembic_version", "outbox", "enrolment_attempt", "outbox_depth_sample"}


def table_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    connection = sqlite3.connect(path)
    try:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: connection.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()  # noqa: S608
            for name in names
        }
    finally:
        connection.close()


async def bootstrapped_edge(hub: Hub, path: Path) -> None:
    """A new edge of store-1 pulls its snapshot: products, prices, a tax rate, a promotion,
    stock levels, staff and their PINs (shared records), the store's settings."""
    await hub.create_store("store-1", demo_staff=True)
    await hub.import_items({f"SKU{number:03d}": f"{number + 1}.25" for number in range(300)})
    admin = hub.admin
    assert (
        await hub.client.put("/v1/tax-rates/STD", json={"rate": "20"}, headers=admin)
    ).is_success
    promotion = {
        "name": "Spring",
        "skus": ["SKU001", "SKU002"],
        "percent_off": "10",
        "starts_at": "2010-12-01T00:00:00+00:00",
    }
    assert (await hub.client.put("/v1/promotions/P1", json=promotion, headers=admin)).is_success
    counts = [{"sku": f"SKU{number:03d}", "on_hand": number} for number in range(50)]
    stock = {"location_id": "store-1", "counts": counts}
    assert (await hub.client.post("/v1/erp/stock", json=stock, headers=admin)).is_success
    edge = await make_edge(path, hub, await hub.token("store-1"), sync_now=False)
    try:
        await edge.sync()
    finally:
        await close_edge(edge)


async def test_the_floor_writes_every_row_the_snapshot_wrote_into_a_file_the_edge_opens(
    sqlite_hub: Hub, tmp_path: Path
) -> None:
    source = tmp_path / "new-store.db"
    await bootstrapped_edge(sqlite_hub, source)
    assert bootstrap_done(source)
    target = tmp_path / "floor.db"

    run = await bootstrap_copy(source, target, rows_per_commit=97)

    written, read = table_rows(target), table_rows(source)
    snapshot = {name: rows for name, rows in read.items() if rows and name not in NOT_THE_SNAPSHOTS}
    # What the snapshot filled, at least: a table left out of the floor would be missing here.
    assert {"product", "price", "stock_level", "tax_rate", "promotion", "promotion_sku"} <= set(
        snapshot
    )
    assert {"staff", "shared_record", "node"} <= set(snapshot)
    assert set(snapshot) <= set(BOOTSTRAP_TABLES)
    assert {name: rows for name, rows in written.items() if rows and name != "alembic_version"} == (
        snapshot
    )
    assert run.rows == sum(len(rows) for rows in snapshot.values())
    assert run.rows_by_table["product"] == 300 and run.rows_by_table["price"] == 300

    connection = sqlite3.connect(target)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as opened:
            item = CatalogueRepository(opened).priced_item("SKU007")
    finally:
        engine.dispose()
    assert item is not None and str(item.unit_price) == "8.25"
