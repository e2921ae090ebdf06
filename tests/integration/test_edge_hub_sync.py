"""An edge on a SQLite file and a hub on PostgreSQL, in one process: the whole sync loop."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.support import Edge, Hub, close_edge, make_edge, money


async def edge_sales(edge: Edge) -> tuple[int, Decimal]:
    report = (
        await edge.client.get("/v1/reports/day", params={"business_day": "2010-12-01"})
    ).json()
    return report["sales"], money(report["revenue"])


async def hub_sales(hub: Hub) -> tuple[int, Decimal]:
    rows = await hub.report("store")
    if not rows:
        return 0, Decimal(0)
    (row,) = rows
    return int(str(row["invoices"])), money(row["revenue"])


@asynccontextmanager
async def own_store(hub: Hub, tmp_path: Path, **settings: Any) -> AsyncIterator[Edge]:
    """store-1 with items A (2.55) and B (0.85), and its edge made with `settings`."""
    await hub.create_store("store-1")
    await hub.import_items({"A": "2.55", "B": "0.85"})
    store = await make_edge(tmp_path / "store-1.db", hub, await hub.token("store-1"), **settings)
    try:
        yield store
    finally:
        await close_edge(store)


async def test_the_edge_sells_offline_and_its_backlog_drains_exactly_once(
    hub: Hub, store: Edge
) -> None:
    await store.sell([("A", 2)])
    await store.sync()
    store.link.online = False
    for _ in range(25):
        await store.sell([("A", 1), ("B", 3)])
    status = await store.sync()
    assert status["sync"]["online"] is False
    assert status["outbox"]["pending"] == 25
    assert status["sync"]["last_error"]
    store.link.online = True
    status = await store.sync()
    assert status["outbox"]["pending"] == 0 and status["sync"]["online"] is True
    assert (
        await hub_sales(hub)
        == await edge_sales(store)
        == (26, Decimal("5.10") + 25 * Decimal("5.10"))
    )


@pytest.mark.parametrize("pipeline", [1, 3])
async def test_a_backlog_drains_with_at_most_the_pipeline_of_pushes_in_flight(
    hub: Hub, tmp_path: Path, pipeline: int
) -> None:
    """`push_pipeline` bounds the uploads on the way at once (1: one at a time); pushes held
    back on the wire are overtaken by later ones, and every sale still arrives once."""
    async with own_store(hub, tmp_path, push_batch_events=2, push_pipeline=pipeline) as store:
        store.link.online = False
        for _ in range(20):
            await store.sell([("A", 1), ("B", 3)])
        store.link.online = True
        store.link.most_in_flight = 0
        store.link.delays = [0.05, 0.0, 0.02, 0.0] * 3  # the first pushes come late
        status = await store.sync()
        assert status["outbox"]["pending"] == 0
        assert store.link.most_in_flight == pipeline
        assert await hub_sales(hub) == await edge_sales(store) == (20, 20 * Decimal("5.10"))


async def test_a_batch_resent_after_its_acknowledgement_was_lost_is_not_counted_twice(
    hub: Hub, store: Edge
) -> None:
    start = (await store.sync())["outbox"]["acked_seq"]  # the sign-in's audit event
    for _ in range(3):
        await store.sell([("C", 1)])
    store.link.lose_responses = 1  # the hub applies the batch; the edge never hears back
    status = await store.sync()
    assert status["outbox"]["acked_seq"] == start
    assert await hub_sales(hub) == (3, Decimal("30.00"))
    status = await store.sync()
    assert status["outbox"]["acked_seq"] == start + 3
    assert await hub_sales(hub) == (3, Decimal("30.00"))


async def test_a_push_lost_ahead_of_others_in_flight_is_sent_again_at_once_not_after_a_wait(
    hub: Hub, tmp_path: Path
) -> None:
    """The first push of a pipeline never reaches the hub (a connection that failed as the link
    came back) while the two after it do: they wait at the hub for it. The edge sends it again
    at once, so they are applied in that cycle, none deferred, and the cycle succeeds."""
    async with own_store(hub, tmp_path, push_batch_events=2, push_pipeline=3) as store:
        store.link.online = False
        for _ in range(6):
            await store.sell([("A", 1)])
        store.link.online = True
        store.link.lose_pushes = 1
        status = await store.sync()
        assert status["outbox"]["pending"] == 0
        assert status["sync"]["online"] is True and status["sync"]["consecutive_failures"] == 0
        assert await hub_sales(hub) == await edge_sales(store) == (6, Decimal("15.30"))


async def test_sales_rung_up_while_a_push_is_on_the_way_wait_for_the_next_cycle_unless_they_fill_a_batch(
    hub: Hub, tmp_path: Path
) -> None:
    """A till that sells without a pause: a round pushes what was queued when it began, and
    the sales rung up meanwhile go in the next cycle's push, not in a push of a few events
    each time one is answered; except a full batch, which goes at once (a backlog still
    growing)."""
    async with own_store(hub, tmp_path, push_batch_events=3, push_pipeline=1) as store:
        agent = store.runtime.agent
        assert agent is not None
        start = (await store.sync())["outbox"]["pending"]
        await store.sell([("A", 1)])
        assert (await store.sync())["outbox"]["pending"] == start  # one sale, one event
        for rung_up_meanwhile, pushes, left in ((1, 1, 1), (4, 2, 1)):
            await store.sell([("A", 1)])
            store.link.answered, store.link.delays = 0, [0.3]
            round_ = asyncio.create_task(agent.run_cycle())
            await asyncio.sleep(0.1)  # the push is on the way
            for _ in range(rung_up_meanwhile):
                await store.sell([("B", 1)])
            await round_
            waiting = (await store.client.get("/v1/status")).json()["outbox"]["pending"]
            assert (store.link.answered, waiting) == (pushes, left)
            status = await store.sync()
            assert status["outbox"]["pending"] == 0
            assert store.link.answered == pushes + 1  # the rest in one push
        books = (8, 3 * Decimal("2.55") + 5 * Decimal("0.85"))  # 3 of A, 5 of B
        assert await hub_sales(hub) == await edge_sales(store) == books


async def test_an_idle_store_pushes_empty_once_an_interval_after_a_failure_and_when_asked(
    hub: Hub, tmp_path: Path
) -> None:
    """With nothing to upload, a scheduled cycle makes the empty push (the handshake, where
    both sides measure the clock skew) only once the last answered push is
    `handshake_interval_s` old, or after a failed cycle; a sync asked for always makes it."""
    settings = {"handshake_interval_s": 3600.0, "backoff_base_s": 0.01, "backoff_cap_s": 0.01}
    async with own_store(hub, tmp_path, **settings) as store:
        agent = store.runtime.agent
        assert agent is not None
        await store.sync()
        store.link.answered = 0
        for _ in range(3):
            await agent.run_cycle()
        assert store.link.answered == 0
        await store.sell([("A", 1)])
        await agent.run_cycle()
        assert store.link.answered == 1  # a sale to upload goes at once
        await store.sync()
        assert store.link.answered == 2  # asked for: the handshake
        store.link.online = False
        await agent.run_cycle()
        store.link.online = True
        await asyncio.sleep(0.05)  # the back-off
        await agent.run_cycle()
        assert store.link.answered == 3  # after a failed cycle: the handshake
        await agent.run_cycle()
        assert store.link.answered == 3
        assert await hub_sales(hub) == await edge_sales(store) == (1, Decimal("2.55"))


async def test_sync_now_while_a_failing_cycle_is_under_way_runs_after_it_not_after_its_back_off(
    hub: Hub, tmp_path: Path
) -> None:
    """A manager (or the agent noticing the link is back) asks to sync now while a cycle is
    still on the way and about to fail: the forced cycle waits for it and then runs, instead
    of returning at once and leaving the backlog to wait out the back-off (30 s here)."""
    async with own_store(hub, tmp_path, backoff_base_s=30.0, backoff_cap_s=60.0) as store:
        for _ in range(3):
            await store.sell([("A", 1)])
        agent = store.runtime.agent
        assert agent is not None
        store.link.delays = [0.2]  # the scheduled cycle's push is slow, and its answer lost
        store.link.lose_responses = 1
        scheduled = asyncio.create_task(agent.run_cycle())
        await asyncio.sleep(0.05)
        status = await store.sync()  # POST /v1/sync/run, during the scheduled cycle
        await scheduled
        assert status["outbox"]["pending"] == 0
        assert status["sync"]["online"] is True
        assert await hub_sales(hub) == await edge_sales(store) == (3, Decimal("7.65"))


async def test_catalogue_changes_reach_the_till_with_their_price_version(
    hub: Hub, store: Edge
) -> None:
    await hub.import_items({"A": "2.99", "D": "4.00"})
    await store.sync()
    item = (await store.client.get("/v1/catalogue/A")).json()
    assert (money(item["unit_price"]), item["price_version"]) == (Decimal("2.99"), 2)
    sale = await store.sell([("A", 1), ("D", 1)])
    assert [line["price_version"] for line in sale["lines"]] == [2, 1]


async def test_an_edge_restarted_on_its_file_keeps_its_identity_outbox_and_hlc(
    hub: Hub, store: Edge, tmp_path: Path
) -> None:
    await store.sell([("A", 1)])
    last_hlc = await store.runtime.database.read(
        lambda connection: connection.execute(text("SELECT last_hlc FROM node")).scalar_one()
    )
    await close_edge(store)
    reopened = await make_edge(store.path, hub, token=None)
    try:
        status = await reopened.sync()
        last_seq = status["outbox"]["last_seq"]
        assert status["store_id"] == "store-1" and status["outbox"]["acked_seq"] == last_seq
        await reopened.sign_in()
        await reopened.sell([("B", 1)])
        assert reopened.runtime.hlc is not None
        newest = await reopened.runtime.database.read(
            lambda connection: connection.execute(
                text("SELECT hlc FROM outbox WHERE seq = :seq"), {"seq": last_seq + 1}
            ).scalar_one()
        )
        assert newest > last_hlc
        await reopened.sync()
        assert await hub_sales(hub) == (2, Decimal("3.40"))
    finally:
        await close_edge(reopened)


async def test_an_edge_without_a_valid_token_sells_nothing_and_says_why(
    hub: Hub, tmp_path: Path
) -> None:
    await hub.create_store("store-1")
    edge = await make_edge(tmp_path / "lost.db", hub, token=None)
    try:
        edge.runtime.settings = edge.runtime.settings.model_copy(update={"enrolment_token": None})
        status = await edge.sync()
        assert status["enrolled"] is False
        refused = await edge.client.post("/v1/carts", json={"till_id": "T1"})
        assert refused.status_code == 409 and refused.json()["error"] == "not_enrolled"
        assert (await edge.client.get("/ready")).status_code == 503
    finally:
        await close_edge(edge)


async def test_the_sqlite_hub_reconciles_the_same_way(sqlite_hub: Hub, tmp_path: Path) -> None:
    await sqlite_hub.create_store("store-1")
    await sqlite_hub.import_items({"A": "2.55"})
    edge = await make_edge(tmp_path / "s.db", sqlite_hub, await sqlite_hub.token("store-1"))
    try:
        for _ in range(4):
            await edge.sell([("A", 3)])
        edge.link.lose_responses = 1
        await edge.sync()
        await edge.sync()
        assert await hub_sales(sqlite_hub) == (4, Decimal("30.60"))
        cart = str(uuid.uuid4())
        assert (
            await edge.client.post("/v1/carts", json={"cart_id": cart, "till_id": "T1"})
        ).status_code == 201
    finally:
        await close_edge(edge)
