"""Sales are never refused; what is odd about them waits in the exception queue."""

from __future__ import annotations

from typing import Any

from tests.integration.test_hub_sync import enrol, push
from tests.support import Edge, Hub, event, sale_payload


async def exceptions(hub: Hub, **params: str) -> list[dict[str, Any]]:
    response = await hub.client.get("/v1/exceptions", params=params, headers=hub.admin)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def test_a_sale_made_offline_at_an_old_price_is_recorded_with_a_price_drift(
    hub: Hub, store: Edge
) -> None:
    store.link.online = False
    sale = await store.sell([("A", 2)])  # at 2.55, price version 1
    await hub.import_items({"A": "2.99"})  # HQ raises the price meanwhile
    store.link.online = True
    await store.sync()
    (found,) = await exceptions(hub, kind="price_drift")
    assert (found["document_id"], found["store_id"]) == (sale["sale_id"], "store-1")
    assert (await hub.report("store"))[0]["revenue"] == "5.10"  # the sale stands as rung up


async def test_overselling_unknown_skus_and_bad_tenders_are_flagged_and_resolvable(
    hub: Hub,
) -> None:
    await hub.import_items({"A": "1.00"})
    node = await enrol(hub)
    await hub.client.post(
        "/v1/erp/stock",
        json={"location_id": "store-1", "counts": [{"sku": "A", "on_hand": 5}]},
        headers=hub.admin,
    )
    short = sale_payload("T1-0000003", [("A", 1, "1.00")])
    short["tenders"][0]["amount"] = "0.50"
    response = await push(
        hub,
        node,
        [
            event(node, 1, sale_payload("T1-0000001", [("A", 8, "1.00")])),
            event(node, 2, sale_payload("T1-0000002", [("GHOST", 1, "4.00")])),
            event(node, 3, short),
        ],
    )
    assert response.json()["rejected"] == []  # all three are recorded
    found = await exceptions(hub)
    # 8 sold with 5 on hand, then 1 more: two oversold lines; the ghost SKU; the short tender.
    assert sorted(item["kind"] for item in found) == [
        "oversold",
        "oversold",
        "tender_problem",
        "unknown_sku",
    ]
    assert (await hub.report("store"))[0]["invoices"] == 3
    oversold = next(item for item in found if item["kind"] == "oversold")
    resolved = await hub.client.post(
        f"/v1/exceptions/{oversold['exception_id']}/resolve",
        json={"resolution": "stock counted, ERP corrected"},
        headers=hub.admin,
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    path = f"/v1/exceptions/{oversold['exception_id']}/resolve"
    retried = await hub.client.post(
        path, json={"resolution": "stock counted, ERP corrected"}, headers=hub.admin
    )
    assert retried.status_code == 200 and retried.json() == resolved.json()  # a retry
    overwrite = await hub.client.post(path, json={"resolution": "never mind"}, headers=hub.admin)
    assert overwrite.status_code == 409 and overwrite.json()["error"] == "already_resolved"
    assert len(await exceptions(hub)) == 3
    assert len(await exceptions(hub, status="all")) == 4
    missing = await hub.client.post(
        "/v1/exceptions/999999/resolve", json={"resolution": "x"}, headers=hub.admin
    )
    assert missing.status_code == 404


async def test_the_sqlite_hub_flags_overselling_the_same_way(sqlite_hub: Hub) -> None:
    # The counters move through another statement there (no arrays): the same levels result.
    await sqlite_hub.import_items({"A": "1.00", "B": "1.00"})
    node = await enrol(sqlite_hub)  # creates store-1
    await sqlite_hub.client.post(
        "/v1/erp/stock",
        json={"location_id": "store-1", "counts": [{"sku": "A", "on_hand": 5}]},
        headers=sqlite_hub.admin,
    )
    response = await push(
        sqlite_hub,
        node,
        [
            event(node, 1, sale_payload("T1-0000001", [("A", 4, "1.00"), ("B", 1, "1.00")])),
            event(node, 2, sale_payload("T1-0000002", [("A", 2, "1.00")])),
        ],
    )
    assert response.json()["rejected"] == []
    found = await exceptions(sqlite_hub, kind="oversold")
    # A: 5 -> 1 -> -1 (the second sale); B had no count: 0 -> -1.
    assert sorted(str(item["sku"]) for item in found) == ["A", "B"]
