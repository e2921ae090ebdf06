"""Cash movements (float, paid-in, paid-out, pickup): append-only facts, like sales.

Made offline, retried, answered into the void: each reaches HQ exactly once, and HQ records
even an odd one (flagged in the exception queue) rather than refusing it.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.integration.test_exceptions import exceptions
from tests.integration.test_hub_sync import enrol, push
from tests.support import Edge, Hub, event


async def move(
    edge: Edge, kind: str, amount: str, reason: str = "", **extra: str
) -> dict[str, Any]:
    response = await edge.client.post(
        "/v1/cash-movements",
        json={"till_id": "T1", "kind": kind, "amount": amount, "reason": reason, **extra},
    )
    assert response.status_code in (200, 201), response.text
    movement: dict[str, Any] = response.json()
    return movement


async def cash_rows(hub: Hub) -> list[dict[str, Any]]:
    response = await hub.client.get("/v1/reports/cash", headers=hub.admin)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


async def test_drawer_movements_made_offline_reach_hq_once(hub: Hub, store: Edge) -> None:
    store.link.online = False
    float_in = await move(store, "float", "100.00", "opening float")
    retried_id = str(uuid.uuid4())
    paid_out = await move(store, "paid_out", "12.50", "window cleaner", movement_id=retried_id)
    again = await store.client.post(
        "/v1/cash-movements",
        json={
            "till_id": "T1",
            "kind": "paid_out",
            "amount": "12.50",
            "reason": "window cleaner",
            "movement_id": retried_id,
        },
    )
    assert again.status_code == 200 and again.json() == paid_out  # a retry, not a second one
    await move(store, "pickup", "50.00", "to the safe")
    await move(store, "paid_in", "5.00", "change from the bank")
    assert paid_out["drawer_effect"] == "-12.50" and float_in["drawer_effect"] == "100.00"

    day = float_in["business_day"]
    summary = (await store.client.get("/v1/reports/day", params={"business_day": day})).json()
    assert (summary["cash_in"], summary["cash_out"]) == ("105.00", "62.50")  # offline, too

    store.link.online = True
    store.link.lose_responses = 1  # the first upload's answer is lost: it is sent again
    await store.sync()
    status = await store.sync()
    assert status["outbox"]["pending"] == 0
    (row,) = await cash_rows(hub)
    assert row == {
        "store_id": "store-1",
        "business_day": day,
        "movements": 4,
        "floats": "100.00",
        "paid_in": "5.00",
        "paid_out": "12.50",
        "pickups": "50.00",
        "net": "42.50",
    }
    listed = (await store.client.get("/v1/cash-movements", params={"business_day": day})).json()
    assert [item["kind"] for item in listed] == ["float", "paid_out", "pickup", "paid_in"]


async def test_a_movement_the_till_cannot_make_is_refused_with_a_reason(store: Edge) -> None:
    before = (await store.client.get("/v1/status")).json()["outbox"]["last_seq"]
    for body, why in [
        ({"kind": "float", "amount": "0"}, "more than zero"),
        ({"kind": "float", "amount": "10.005"}, "decimal places"),
        ({"kind": "paid_out", "amount": "3.00"}, "needs a reason"),
    ]:
        response = await store.client.post("/v1/cash-movements", json={"till_id": "T1", **body})
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "invalid_cash_movement"
        assert why in response.json()["detail"]
    assert (
        await store.client.post(
            "/v1/cash-movements", json={"till_id": "T1", "kind": "float", "amount": 10.0}
        )
    ).status_code == 422  # a float number is not money
    absurd = await store.client.post(
        "/v1/cash-movements",
        json={"till_id": "T1", "kind": "float", "amount": "100000000000000000000"},
    )
    assert absurd.status_code == 422 and absurd.json()["error"] == "validation_error"
    status = (await store.client.get("/v1/status")).json()
    assert status["outbox"]["last_seq"] == before  # nothing half-written


async def test_hq_records_an_odd_movement_and_quarantines_a_reused_id(hub: Hub) -> None:
    node = await enrol(hub)
    movement_id = str(uuid.uuid4())

    def payload(currency: str, amount: str) -> dict[str, object]:
        return {
            "movement_id": movement_id,
            "till_id": "T1",
            "kind": "paid_in",
            "amount": amount,
            "currency": currency,
            "reason": "tourist paid in euros",
            "business_day": "2010-12-01",
            "business_time": "2010-12-01T10:00:00+00:00",
        }

    odd = event(node, 1, payload("EUR", "20.00"), kind="cash.moved")
    reused = event(node, 2, payload("GBP", "1.00"), kind="cash.moved")
    response = await push(hub, node, [odd, reused])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["acked_seq"] == 2
    assert [item["seq"] for item in body["rejected"]] == [2]
    assert "already recorded" in body["rejected"][0]["reason"]
    (flagged,) = await exceptions(hub, kind="tender_problem")
    assert flagged["document_id"] == movement_id and "EUR" in flagged["detail"]
    quarantined = (
        await hub.client.get("/v1/quarantine", params={"store_id": "store-1"}, headers=hub.admin)
    ).json()
    assert [item["seq"] for item in quarantined] == [2]
