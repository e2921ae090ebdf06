"""End-of-day checksums: both sides sum each day three ways; a loss at the hub raises an alert."""

from __future__ import annotations

from sqlalchemy import text

from tests.support import Edge, Hub


async def test_day_totals_match_and_a_sale_missing_from_the_ledger_raises_an_alert(
    hub: Hub, store: Edge
) -> None:
    await store.sell([("A", 2)])
    await store.client.post(
        "/v1/returns",
        json={"till_id": "T1", "reason": "faulty", "lines": [{"sku": "A", "quantity": 1}]},
    )
    await store.client.put("/v1/clock", json={"now": "2010-12-02T09:00:00+00:00"})
    lost = await store.sell([("C", 1)])
    status = await store.sync()
    assert status["integrity"] == {"matched_days": 2, "mismatched_days": 0}

    # The ledger loses a recorded sale (a bad restore, a bug): only the checksum can tell.
    async with hub.runtime.database.write() as connection:
        for table in ("sale_line", "tender", "sale_document"):
            await connection.execute(
                text(f"DELETE FROM {table} WHERE document_id = :id"), {"id": lost["sale_id"]}
            )
    await store.sell([("B", 1)])  # the next sale that day makes the day due for checking
    status = await store.sync()
    assert status["integrity"] == {"matched_days": 1, "mismatched_days": 1}
    (day,) = (await store.client.get("/v1/sync/integrity")).json()
    assert (day["business_day"], day["count"], day["hub_count"]) == ("2010-12-02", 2, 1)

    (alert,) = (await hub.client.get("/v1/integrity/alerts", headers=hub.admin)).json()
    assert alert["business_day"] == "2010-12-02" and alert["store_id"] == "store-1"
    assert (alert["edge"]["total_minor"] - alert["hub"]["total_minor"]) == 1000  # the lost 10.00
    assert "vectis_hub_open_integrity_alerts 1.0" in (await hub.client.get("/metrics")).text

    # HQ finds the cause and closes the alert: it leaves the open list and the gauge.
    path = f"/v1/integrity/alerts/{alert['alert_id']}/resolve"
    note = {"resolution": "restored sale from the node's outbox"}
    closed = await hub.client.post(path, json=note, headers=hub.admin)
    assert closed.status_code == 200 and closed.json()["resolution"] == note["resolution"]
    assert (await hub.client.post(path, json=note, headers=hub.admin)).status_code == 200
    other = await hub.client.post(path, json={"resolution": "other"}, headers=hub.admin)
    assert other.status_code == 409 and other.json()["error"] == "already_resolved"
    assert (await hub.client.get("/v1/integrity/alerts", headers=hub.admin)).json() == []
    assert "vectis_hub_open_integrity_alerts 0.0" in (await hub.client.get("/metrics")).text
    missing = await hub.client.post(
        "/v1/integrity/alerts/999999/resolve", json=note, headers=hub.admin
    )
    assert missing.status_code == 404 and missing.json()["error"] == "alert_not_found"
    absurd = await hub.client.post(
        "/v1/integrity/alerts/99999999999999999999/resolve", json=note, headers=hub.admin
    )
    assert absurd.status_code == 422  # not a server error


async def test_a_cash_movement_lost_at_the_hub_is_caught_by_the_day_checksum(
    hub: Hub, store: Edge
) -> None:
    await store.sell([("A", 2)])
    for kind, amount, reason in [("float", "100.00", "opening"), ("pickup", "40.00", "to safe")]:
        response = await store.client.post(
            "/v1/cash-movements",
            json={"till_id": "T1", "kind": kind, "amount": amount, "reason": reason},
        )
        assert response.status_code == 201, response.text
    pickup = response.json()
    status = await store.sync()
    assert status["integrity"] == {"matched_days": 1, "mismatched_days": 0}

    async with hub.runtime.database.write() as connection:
        await connection.execute(
            text("DELETE FROM cash_movement WHERE movement_id = :id"),
            {"id": pickup["movement_id"]},
        )
    await store.client.post(
        "/v1/cash-movements",
        json={"till_id": "T1", "kind": "paid_in", "amount": "1.00", "reason": "float top-up"},
    )  # the day is due for checking again
    status = await store.sync()
    assert status["integrity"] == {"matched_days": 0, "mismatched_days": 1}
    (alert,) = (await hub.client.get("/v1/integrity/alerts", headers=hub.admin)).json()
    assert alert["edge"]["count"] - alert["hub"]["count"] == 1
    assert alert["edge"]["total_minor"] - alert["hub"]["total_minor"] == -4000  # the pickup
