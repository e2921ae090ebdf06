"""Card settlement at the hub without an acquirer configured (with one: tests/e2e)."""

from __future__ import annotations

from tests.support import Hub


async def test_without_an_acquirer_reconciling_says_so_and_keeps_nothing(hub: Hub) -> None:
    response = await hub.client.post("/v1/settlements/2026-12-01/reconcile", headers=hub.admin)
    assert response.status_code == 409
    assert response.json()["error"] == "acquirer_not_configured"
    assert "VECTIS_HUB_ACQUIRER_URL" in response.json()["detail"]
    kept = await hub.client.get("/v1/settlements", headers=hub.admin)
    assert kept.status_code == 200 and kept.json()["settlements"] == []
    for bad_day in ("20261201", "2026-02-30", "0"):
        refused = await hub.client.post(f"/v1/settlements/{bad_day}/reconcile", headers=hub.admin)
        assert (refused.status_code, refused.json()["error"]) == (422, "validation_error")
    for query in ({"from": "x"}, {"limit": 0}, {"status": "lost"}, {"offset": -1}):
        refused = await hub.client.get("/v1/settlements", params=query, headers=hub.admin)
        assert refused.status_code == 422, query
