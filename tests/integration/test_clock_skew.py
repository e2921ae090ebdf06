"""Clocks: skew is measured at every sync handshake and reported on both sides, never used for order."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from shared.clock import ManualClock
from tests.integration.test_hub_sync import enrol
from tests.support import Edge, Hub, push_body

YEAR_MS = 365 * 24 * 3600 * 1000
HOUR_MS = 3600 * 1000


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
    skew = status["sync"]["skew_ms"]
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
    assert (await store.sync())["outbox"]["pending"] == 0
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
    assert status["outbox"]["pending"] == 0
    (after,) = (await hub.client.get("/v1/stores/store-1/nodes", headers=hub.admin)).json()
    assert abs((before["skew_ms"] - after["skew_ms"]) - YEAR_MS) < 60_000
    assert abs(status["sync"]["skew_ms"] - after["skew_ms"]) < 60_000


async def test_each_push_reports_the_skew_estimate_of_the_push_before(
    hub: Hub, store: Edge
) -> None:
    await store.sync()
    assert store.runtime.agent is not None
    estimate = store.runtime.agent.status.skew_ms  # of the last push
    await store.sync()  # an empty outbox: one handshake push
    body = json.loads(store.link.pushes[-1][0])
    earlier = json.loads(store.link.pushes[-2][0])
    assert body["previous_round_trip"] == {"sent_at": earlier["sent_at"], "skew_ms": estimate}


async def test_the_hub_takes_the_transit_out_of_its_one_way_measure(hub: Hub) -> None:
    await transit_taken_out(hub)


async def test_the_sqlite_hub_takes_the_transit_out_the_same_way(sqlite_hub: Hub) -> None:
    await transit_taken_out(sqlite_hub)  # the send time read back from text compares equal


async def transit_taken_out(hub: Hub) -> None:
    node = await enrol(hub)
    sent = datetime.now(UTC) - timedelta(hours=3)  # a node three hours slow

    async def pushed(sent_at: datetime, round_trip: object = None) -> int:
        body = {**push_body(node, []), "sent_at": sent_at.isoformat()}
        if round_trip is not None:
            body["previous_round_trip"] = round_trip
        response = await hub.client.post(
            "/v1/sync/push", json=body, headers={"Authorization": node["authorization"]}
        )
        assert response.status_code == 200, response.text
        (found,) = (await hub.client.get("/v1/stores/store-1/nodes", headers=hub.admin)).json()
        return int(found["skew_ms"])

    one_way = await pushed(sent)  # the first push: one way, as received
    assert abs(one_way - 3 * HOUR_MS) < 5_000
    # The node's round trip said the transit of that push was 20 s (a slow link): the next
    # figure is the one-way measure less 20 s, even though the node's clock jumped meanwhile.
    jumped = datetime.now(UTC) - timedelta(hours=1)
    round_trip = {"sent_at": sent.isoformat(), "skew_ms": one_way - 20_000}
    assert abs(await pushed(jumped, round_trip) - (HOUR_MS - 20_000)) < 5_000
    # An estimate of another push than the last one is not used: one way again.
    stale = {"sent_at": sent.isoformat(), "skew_ms": 0}
    assert abs(await pushed(jumped, stale) - HOUR_MS) < 5_000
    malformed = await hub.client.post(
        "/v1/sync/push",
        json={**push_body(node, []), "previous_round_trip": {"skew_ms": "soon"}},
        headers={"Authorization": node["authorization"]},
    )
    assert malformed.status_code == 422
