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
    bad_day = await hub.client.post("/v1/settlements/20261201/reconcile", headers=hub.admin)
    assert bad_day.status_code == 422
