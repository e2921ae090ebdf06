"""Clocks: skew is measured at every sync handshake and reported on both sides, never used for order."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from shared.clock import ManualClock
from tests.support import Edge, Hub

YEAR_MS = 365 * 24 * 3600 * 1000


def gauge(text: str, name: str) -> float:
    for family in text_string_to_metric_families(text):
        if family.name == name:
            return float(family.samples[0].value)
    raise AssertionError(f"no metric {name}")


async def test_a_node_years_slow_is_reported_at_both_ends_and_loses_nothing(
    hub: Hub, store: Edge
) -> None:
    # The test node's clock reads December 2010; the hub's reads now.
    first = await store.sell([("A", 1)])
    status = await store.sync()
    skew = status["sync"]["skew_ms"]  # type: ignore[index]
    assert isinstance(skew, int) and skew > 10 * YEAR_MS
    edge_metrics = (await store.client.get("/metrics")).text
    assert gauge(edge_metrics, "vectis_edge_clock_skew_milliseconds") == skew
    (node,) = (await hub.client.get("/v1/stores/store-1/nodes", headers=hub.admin)).json()
    assert abs(node["skew_ms"] - skew) < 60_000  # the same skew, seen from the hub
    hub_metrics = (await hub.client.get("/metrics")).text
    assert gauge(hub_metrics, "vectis_hub_max_node_clock_skew_milliseconds") == node["skew_ms"]

    # The node's clock jumps back an hour (an NTP correction): order is by seq, not by clock,
    # so the sale stamped earlier than the one before it is still taken exactly once.
    clock = store.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.allow_backwards = True
    clock.set(clock.now() - timedelta(hours=1))
    second = await store.sell([("B", 2)])
    assert (await store.sync())["outbox"]["pending"] == 0  # type: ignore[index]
    ledger = await hub.client.get(
        "/v1/reports/sales", params={"group_by": "store_day"}, headers=hub.admin
    )
    (day,) = ledger.json()["rows"]
    assert day["invoices"] == 2
    assert first["sale_id"] != second["sale_id"]


async def test_skew_is_measured_at_every_sync_even_with_nothing_to_upload(
    hub: Hub, store: Edge
) -> None:
    await store.sync()  # caught up: the outbox is empty
    (before,) = (await hub.client.get("/v1/stores/store-1/nodes", headers=hub.admin)).json()
    clock = store.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=365))  # the node's clock is corrected by a year
    status = await store.sync()
    assert status["outbox"]["pending"] == 0  # type: ignore[index]
    (after,) = (await hub.client.get("/v1/stores/store-1/nodes", headers=hub.admin)).json()
    assert abs((before["skew_ms"] - after["skew_ms"]) - YEAR_MS) < 60_000
    assert abs(status["sync"]["skew_ms"] - after["skew_ms"]) < 60_000  # type: ignore[index]
