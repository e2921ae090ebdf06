"""A new edge bootstraps from a snapshot in resumable chunks; an edge behind a compacted feed
bootstraps again and keeps its un-uploaded sales."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import httpx

from tests.support import Hub, close_edge, make_edge, money


async def catalogue_size(client: httpx.AsyncClient) -> dict[str, int]:
    status = (await client.get("/v1/status")).json()
    counts: dict[str, int] = status["catalogue"]
    return counts


async def test_a_bootstrap_cut_midway_resumes_from_its_last_chunk(hub: Hub, tmp_path: Path) -> None:
    await hub.create_store("store-1")
    await hub.import_items({f"SKU{number:03d}": "1.00" for number in range(40)})
    token = await hub.token("store-1")
    edge = await make_edge(tmp_path / "new.db", hub, token, sync_now=False, snapshot_chunk_size=10)
    try:
        edge.link.cut_after = 4  # enrol, then three chunks, then the line drops
        status = await edge.sync()
        assert status["sync"]["online"] is False
        partial = await catalogue_size(edge.client)
        assert 0 < partial["products"] + partial["prices"] < 81
        edge.link.cut_after = None
        edge.link.online = True
        await edge.sync()
        assert await catalogue_size(edge.client) == {"products": 40, "prices": 40}
        chunks = edge.link.paths.count("/v1/sync/snapshot")
        assert chunks == 9  # 40 products + 40 prices + the store, 10 a chunk: nothing fetched twice
        assert "/v1/sync/feed" in edge.link.paths  # then it follows the feed
    finally:
        await close_edge(edge)


async def test_the_next_chunk_is_asked_for_while_the_edge_applies_the_one_it_holds(
    hub: Hub, tmp_path: Path
) -> None:
    await hub.create_store("store-1")
    await hub.import_items({f"SKU{number:03d}": "1.00" for number in range(40)})
    token = await hub.token("store-1")
    path = tmp_path / "new.db"
    edge = await make_edge(path, hub, token, sync_now=False, snapshot_chunk_size=10)
    held_at_ask: list[int] = []  # products in the edge's file as each chunk is asked for

    def count_products(request: httpx.Request) -> None:
        if request.url.path == "/v1/sync/snapshot":
            with closing(sqlite3.connect(path)) as file:
                held_at_ask.append(file.execute("SELECT count(*) FROM product").fetchone()[0])

    edge.link.on_request = count_products
    try:
        await edge.sync()
        assert await catalogue_size(edge.client) == {"products": 40, "prices": 40}
        # One at a time, the n-th ask (from 0) would find n chunks of 10 products written:
        # [0, 10, 20, 30, 40, 40...]. One chunk ahead, an ask goes out while the chunk before
        # it is written (the write races the ask, so compare them all, not one). The requests
        # are the nine of a download one at a time, none twice.
        one_at_a_time = [min(10 * asked, 40) for asked in range(len(held_at_ask))]
        assert any(held < serial for held, serial in zip(held_at_ask, one_at_a_time, strict=True))
        assert held_at_ask == sorted(held_at_ask) and len(held_at_ask) == 9
    finally:
        await close_edge(edge)


async def test_an_edge_behind_a_compacted_feed_bootstraps_again_and_keeps_its_sales(
    hub: Hub, tmp_path: Path
) -> None:
    await hub.create_store("store-1")
    await hub.import_items({"A": "2.00", "B": "3.00"})
    edge = await make_edge(tmp_path / "store.db", hub, await hub.token("store-1"))
    try:
        edge.link.online = False
        for _ in range(5):
            await edge.sell([("A", 1)])  # sold offline, not uploaded yet
        await hub.import_items({"A": "2.50", "B": "3.50"})  # HQ reprices meanwhile
        compacted = await hub.client.post(
            "/v1/feed/compact", json={"older_than_s": 0}, headers=hub.admin
        )
        assert compacted.status_code == 200 and compacted.json()["deleted"] > 0
        edge.link.online = True
        status = await edge.sync()
        assert status["outbox"]["pending"] == 0
        assert "/v1/sync/snapshot" in edge.link.paths[edge.link.paths.index("/v1/sync/feed") :]
        price = (await edge.client.get("/v1/catalogue/A")).json()
        assert money(price["unit_price"]) == Decimal("2.50")
        (row,) = await hub.report("store")
        assert (row["invoices"], row["revenue"]) == (5, "10.00")
    finally:
        await close_edge(edge)
