"""An ERP count is rebased on the movements it had not seen: whichever side syncs first, the
stock ends the same, with no sale lost and none counted twice."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from hub.adapters.repositories import catalogue as repository
from hub.service.feed import publish_stock_levels
from tests.integration.test_hub_sync import enrol, push
from tests.support import Edge, Hub, close_edge, event, make_edge, sale_payload


async def erp_count(hub: Hub, on_hand: int, as_of: str | None) -> Any:
    body: dict[str, Any] = {"location_id": "store-1", "counts": [{"sku": "A", "on_hand": on_hand}]}
    if as_of is not None:
        body["as_of"] = as_of
    response = await hub.client.post("/v1/erp/stock", json=body, headers=hub.admin)
    assert response.status_code == 200, response.text
    return response.json()


async def erp_reads_movements(hub: Hub, cursor: str | None) -> tuple[str, int]:
    """What an ERP does: read the movements after its cursor and sum them into its book stock."""
    units = 0
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (
            await hub.client.get("/v1/erp/stock/movements", params=params, headers=hub.admin)
        ).json()
        units += sum(m["quantity_delta"] for m in page["movements"] if m["reason"] != "erp_count")
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return cursor, units


async def level(hub: Hub) -> int:
    stock = (await hub.client.get("/v1/stores/store-1/stock", headers=hub.admin)).json()
    return int(stock["A"])


@pytest.mark.parametrize(
    "order", ["sale_before_erp_read", "sale_between_read_and_count", "sale_after_count"]
)
async def test_the_stock_ends_the_same_whichever_side_syncs_first(hub: Hub, order: str) -> None:
    await hub.import_items({"A": "1.00"})
    node = await enrol(hub)
    await erp_count(hub, 100, None)  # opening stock
    cursor, _ = await erp_reads_movements(hub, None)
    erp_book = 100
    sale = [event(node, 1, sale_payload("T1-0000001", [("A", 3, "1.00")]))]

    if order == "sale_before_erp_read":
        await push(hub, node, sale)
    cursor, seen = await erp_reads_movements(hub, cursor)  # the ERP's nightly read
    erp_book += seen
    if order == "sale_between_read_and_count":
        await push(hub, node, sale)
    await erp_count(hub, erp_book, as_of=cursor)  # the ERP says: I hold erp_book, as of cursor
    if order == "sale_after_count":
        await push(hub, node, sale)

    assert await level(hub) == 97


async def test_a_cursor_the_hub_never_issued_is_refused(hub: Hub) -> None:
    await hub.create_store("store-1")
    await hub.import_items({"A": "1.00"})
    response = await hub.client.post(
        "/v1/erp/stock",
        json={
            "location_id": "store-1",
            "counts": [{"sku": "A", "on_hand": 1}],
            "as_of": "yesterday",
        },
        headers=hub.admin,
    )
    assert response.status_code == 422 and response.json()["error"] == "invalid_cursor"


async def test_sales_move_the_stock_level_every_till_of_the_store_sees(
    hub: Hub, store: Edge, tmp_path: Path
) -> None:
    counted = await hub.client.post(
        "/v1/erp/stock",
        json={"location_id": "store-1", "counts": [{"sku": "A", "on_hand": 50}]},
        headers=hub.admin,
    )
    assert counted.status_code == 200, counted.text
    await store.sync()
    assert (await store.client.get("/v1/catalogue/A")).json()["on_hand"] == 50
    second = await make_edge(tmp_path / "second-till.db", hub, await hub.token("store-1"))
    try:
        for _ in range(3):
            await store.sell([("A", 2)])
        await store.sync()  # uploads the sales, then reads the feed: the level comes back
        assert (await store.client.get("/v1/catalogue/A")).json()["on_hand"] == 44
        await second.sync()  # the other node of the store sees it too
        assert (await second.client.get("/v1/catalogue/A")).json()["on_hand"] == 44
        async with hub.runtime.database.read() as connection:
            entries = (
                await connection.execute(
                    text("SELECT count(*) FROM feed_entry WHERE entity = 'stock_level'")
                )
            ).scalar_one()
        assert entries == 2  # the count, then one entry for three sales: coalesced
    finally:
        await close_edge(second)


async def enrol_second_node(hub: Hub) -> dict[str, str]:
    """Another node of store-1, as a second till PC would be."""
    token = await hub.token("store-1")
    response = await hub.client.post(
        "/v1/sync/enrol", json={"protocol_version": 1, "token": token, "node_name": "till-2"}
    )
    body = response.json()
    return {
        "store_id": "store-1",
        "node_id": body["node_id"],
        "authorization": f"Bearer {body['credential']}",
    }


async def _erp(hub: Hub, sku: str, on_hand: int) -> None:
    response = await hub.client.post(
        "/v1/erp/stock",
        json={"location_id": "store-1", "counts": [{"sku": sku, "on_hand": on_hand}]},
        headers=hub.admin,
    )
    assert response.status_code == 200, response.text


async def test_a_level_published_twice_in_reverse_commit_order_ends_at_the_newest(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await hub.create_store("store-1")
    await hub.import_items({"A": "1.00"})
    await _erp(hub, "A", 100)
    edge = await make_edge(tmp_path / "e.db", hub, await hub.token("store-1"))
    try:
        other = await enrol_second_node(hub)
        sold = event(other, 1, sale_payload("T9-0000001", [("A", 3, "1.00")]))
        assert (await push(hub, other, [sold])).status_code == 200  # A is now 97, unpublished
        original = repository.CatalogueRepository.products

        async def products(self: Any, skus: Any) -> Any:
            monkeypatch.setattr(repository.CatalogueRepository, "products", original)
            # The ERP count's transaction takes its id (as when it locks an earlier SKU first);
            # meanwhile a till's feed read publishes A at the next version and commits.
            await self._connection.execute(text("SELECT pg_current_xact_id()"))
            assert await publish_stock_levels("store-1", hub.runtime.uow)
            return await original(self, skus)

        monkeypatch.setattr(repository.CatalogueRepository, "products", products)
        await _erp(hub, "A", 50)  # version + 2, written under the older transaction id
        await edge.sync()
        assert (await edge.client.get("/v1/catalogue/A")).json()["on_hand"] == 50
    finally:
        await close_edge(edge)


async def test_a_count_racing_the_first_sale_of_a_sku_publishes_what_the_hub_holds(
    hub: Hub, pg_url: str
) -> None:
    await hub.create_store("store-1")
    await hub.import_items({"A": "1.00"})
    raw = await asyncpg.connect(pg_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        first_sale = raw.transaction()
        await first_sale.start()
        # What ingest does for the first sale of A at the store, not committed yet.
        await raw.execute(
            "INSERT INTO stock_level (location_id, sku, on_hand, dirty) "
            "VALUES ('store-1', 'A', -3, true)"
        )
        count = asyncio.create_task(_erp(hub, "A", 100))
        await asyncio.sleep(0.5)
        assert not count.done()  # the count waits for the sale's row
        await first_sale.commit()
        await count
        published = await raw.fetch(
            "SELECT payload->>'on_hand' AS on_hand FROM feed_entry WHERE entity = 'stock_level'"
        )
        held = await raw.fetchval("SELECT on_hand FROM stock_level WHERE sku = 'A'")
    finally:
        await raw.close()
    assert [int(row["on_hand"]) for row in published] == [held]
