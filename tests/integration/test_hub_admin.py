"""HQ and ERP calls on the hub: catalogue versions, reports by currency, who may call what."""

from __future__ import annotations

from tests.support import Hub


async def import_items(hub: Hub, items: list[dict[str, str]]) -> dict[str, object]:
    response = await hub.client.post(
        "/v1/catalogue/import", json={"items": items}, headers=hub.admin
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_an_unchanged_import_publishes_nothing_and_a_change_bumps_the_version(
    hub: Hub,
) -> None:
    first = await import_items(hub, [{"sku": "A", "unit_price": "1.00", "currency": "GBP"}])
    again = await import_items(hub, [{"sku": "A", "unit_price": "1.00", "currency": "GBP"}])
    changed = await import_items(hub, [{"sku": "A", "unit_price": "1.10", "currency": "GBP"}])
    assert (first["products_changed"], first["prices_changed"]) == (1, 1)
    assert (again["products_changed"], again["prices_changed"]) == (0, 0)
    assert (changed["products_changed"], changed["prices_changed"]) == (0, 1)


async def test_one_sku_on_two_price_lists_is_one_product(hub: Hub) -> None:
    items = [
        {"sku": "A", "description": "mug", "unit_price": "1.00", "currency": "GBP"},
        {
            "sku": "A",
            "description": "mug",
            "unit_price": "0.80",
            "currency": "GBP",
            "price_list": "wholesale",
        },
    ]
    body = await import_items(hub, items)
    assert (body["products_changed"], body["prices_changed"]) == (1, 2)
    items[1]["description"] = "cup"
    response = await hub.client.post(
        "/v1/catalogue/import", json={"items": items}, headers=hub.admin
    )
    assert response.status_code == 422 and "different product details" in response.json()["detail"]


async def test_the_report_is_per_currency(hub: Hub) -> None:
    rows = (
        await hub.client.get("/v1/reports/sales", params={"currency": "EUR"}, headers=hub.admin)
    ).json()["rows"]
    assert rows == []
    unknown = await hub.client.get(
        "/v1/reports/sales", params={"currency": "XXX"}, headers=hub.admin
    )
    assert unknown.status_code == 422


async def test_api_keys_give_hq_and_erp_what_they_need_and_no_more(hub: Hub) -> None:
    async def key(scope: str) -> dict[str, str]:
        response = await hub.client.post(
            "/v1/api-keys", json={"name": scope, "scope": scope}, headers=hub.admin
        )
        assert response.status_code == 201
        return {"Authorization": f"Bearer {response.json()['key']}"}

    erp, hq = await key("erp"), await key("hq")
    item = {"items": [{"sku": "A", "unit_price": "1.00", "currency": "GBP"}]}
    assert (
        await hub.client.post("/v1/catalogue/import", json=item, headers=erp)
    ).status_code == 200
    assert (await hub.client.get("/v1/reports/sales", headers=erp)).status_code == 403
    assert (await hub.client.get("/v1/reports/sales", headers=hq)).status_code == 200
    assert (
        await hub.client.post("/v1/api-keys", json={"name": "x", "scope": "hq"}, headers=hq)
    ).status_code == 401
    store = {"store_id": "s-1", "name": "S", "timezone": "Mars/Olympus", "currency": "GBP"}
    refused = await hub.client.post("/v1/stores", json=store, headers=hq)
    assert refused.status_code == 422 and refused.json()["error"] == "unknown_timezone"


async def test_a_bulk_import_refreshes_the_planners_statistics_at_once(hub: Hub) -> None:
    """Until autovacuum's next pass the planner would think the catalogue empty, and the
    prepared statement that checks every uploaded sale against it went 12 times slower."""

    async def statistics() -> dict[str, tuple[int, float]]:
        async with hub.runtime.database.read() as connection:
            rows = await connection.exec_driver_sql(
                "SELECT stats.relname, analyze_count, reltuples FROM pg_stat_user_tables AS stats "
                "JOIN pg_class ON pg_class.oid = relid WHERE stats.relname IN ('product', 'price')"
            )
            # By name: SQLAlchemy types a driver-level result as one column of Any.
            return {
                row["relname"]: (row["analyze_count"], row["reltuples"]) for row in rows.mappings()
            }

    before = await statistics()
    await import_items(hub, [{"sku": "A", "unit_price": "1.00", "currency": "GBP"}])
    assert await statistics() == before  # a small change waits for autovacuum
    await import_items(
        hub,
        [
            {"sku": f"S{number:03d}", "unit_price": "1.00", "currency": "GBP"}
            for number in range(60)
        ],
    )
    after = await statistics()
    for table in ("product", "price"):
        assert after[table][0] == before[table][0] + 1
        assert after[table][1] == 61  # the planner now knows the rows are there
