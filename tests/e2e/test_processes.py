"""Real processes on loopback: a hub on PostgreSQL, edge nodes on SQLite files, a real proxy.

The edge is killed with SIGKILL in the middle of uploading, and restarted on its file: nothing
sold is lost, nothing is counted twice.
"""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import subprocess
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlite_utils

from tests.support import TillSession
from vectis.ops.postgres import TemporaryCluster
from vectis.proxy import Chunk, Direction
from vectis.replay.catalogue import CatalogueItem
from vectis.replay.hq import DEMO_STAFF, HqClient
from vectis.replay.stack import EdgeHandle, Stack

SALES = 120


@pytest.fixture
async def stack(tmp_path: Path, postgres: TemporaryCluster) -> AsyncIterator[Stack]:
    started = Stack(work_dir=tmp_path)
    try:
        await started.start_hub(
            "postgres", database_url=postgres.create_database(f"e2e_{uuid.uuid4().hex[:12]}")
        )
        yield started
    finally:
        await started.aclose()


async def start_store(
    stack: Stack, settings: dict[str, str] | None = None
) -> tuple[EdgeHandle, HqClient]:
    """store-1 with the demo staff and 20 items at 1.25, its edge process started (with
    `settings`: more VECTIS_EDGE_* variables) and its catalogue downloaded."""
    hq = HqClient(stack.hub_url, stack.admin_token)
    await hq.ensure_store("store-1", "Store 1", "Europe/London", "GBP")
    for member in DEMO_STAFF:
        await hq.ensure_staff(member, ["store-1"])
    await hq.import_catalogue(
        [
            CatalogueItem(f"SKU{number}", f"item {number}", "stock", True, Decimal("1.25"))
            for number in range(20)
        ],
        "GBP",
    )
    edge = await stack.start_edge(
        1,
        "store-1",
        await hq.enrolment_token("store-1"),
        datetime(2010, 12, 1, 9, 0, tzinfo=UTC),
        sync_interval_s=0.2,
        settings={"VECTIS_EDGE_PUSH_BATCH_EVENTS": "5", **(settings or {})},
    )
    async with httpx.AsyncClient(base_url=edge.url, trust_env=False) as client:
        for _ in range(200):
            status = (await client.get("/v1/status")).json()
            if status["catalogue"]["prices"] >= 20:
                break
            await asyncio.sleep(0.1)
    return edge, hq


async def sell(edge: EdgeHandle, count: int) -> None:
    cashier = DEMO_STAFF[0]
    async with httpx.AsyncClient(base_url=edge.url, trust_env=False, timeout=30) as client:
        client.auth = TillSession("T1", cashier.staff_code, cashier.pin)
        shift = await client.get("/v1/shifts/current", params={"till_id": "T1"})
        if shift.status_code == 409:  # the till's first sales: open its shift
            opened = await client.post("/v1/shifts", json={"till_id": "T1", "float_total": "0"})
            assert opened.status_code == 201, opened.text
        for number in range(count):
            cart_id = str(uuid.uuid4())
            lines = [
                {"sku": f"SKU{(number + offset) % 20}", "quantity": offset + 1}
                for offset in range(3)
            ]
            opened = await client.post(
                "/v1/carts", json={"cart_id": cart_id, "till_id": "T1", "lines": lines}
            )
            assert opened.status_code == 201, opened.text
            paid = await client.post(
                f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"amount": "10"}]}
            )
            assert paid.status_code == 201, paid.text


def edge_books(edge: EdgeHandle) -> dict[str, Any]:
    """The edge's own records, read straight from its SQLite file."""
    database = sqlite_utils.Database(
        sqlite3.connect(f"file:{edge.database_path}?mode=ro", uri=True)
    )
    (row,) = database.query("SELECT count(*) AS sales, sum(total_minor) AS minor FROM sale")
    (node,) = database.query("SELECT last_seq, acked_seq FROM node")
    return {"sales": row["sales"], "revenue": Decimal(row["minor"]) / 100, **node}


async def hub_books(hq: HqClient) -> dict[str, Any]:
    report = await hq.sales_report(None, None)
    totals = report.by_store.get("store-1")
    return {
        "sales": totals.invoices if totals else 0,
        "revenue": totals.revenue if totals else Decimal(0),
    }


async def wait_drained(edge: EdgeHandle, timeout_s: float = 60) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=edge.url, trust_env=False) as client:
        for _ in range(int(timeout_s * 10)):
            status: dict[str, Any] = (await client.get("/v1/status")).json()
            if status["outbox"]["pending"] == 0:
                return status
            await asyncio.sleep(0.1)
    raise AssertionError(f"outbox did not drain: {status['outbox']}")


async def test_an_edge_killed_mid_upload_loses_nothing_and_doubles_nothing(stack: Stack) -> None:
    edge, hq = await start_store(stack)
    try:
        await edge.proxy.set_online(False)
        await sell(edge, SALES)
        assert edge_books(edge)["acked_seq"] == 0
        # The hub will apply the next batch, but its answer never reaches the edge: then the
        # edge dies before it could record anything.
        edge.proxy.drop_responses(1)
        await edge.proxy.set_online(True)
        await edge.proxy.wait_until(lambda: edge.proxy.responses_dropped >= 1, timeout_s=30)
        edge.process.kill()
        mid = await hub_books(hq)
        assert 0 < mid["sales"] < SALES, "the kill should land in the middle of the upload"
        # The file survived the kill; the restarted edge re-sends what was not acknowledged.
        await edge.restart()
        await wait_drained(edge)
        local = edge_books(edge)
        assert local["sales"] == SALES and local["acked_seq"] == local["last_seq"]
        assert await hub_books(hq) == {"sales": SALES, "revenue": local["revenue"]}
    finally:
        await hq.aclose()


async def test_a_cut_link_queues_sales_and_the_same_batch_resent_changes_nothing(
    stack: Stack,
) -> None:
    edge, hq = await start_store(stack)
    try:
        await sell(edge, 10)
        await wait_drained(edge)
        before = await hub_books(hq)
        await edge.proxy.set_online(False)
        await sell(edge, 15)
        # the 15 sales, the sign-in of the client that rang them up and the end of the
        # session it replaced at that till (audit events)
        assert edge_books(edge)["last_seq"] - edge_books(edge)["acked_seq"] == 15 + 2
        edge.proxy.drop_responses(2)  # two acknowledgements lost in a row
        await edge.proxy.set_online(True)
        await wait_drained(edge)
        after = await hub_books(hq)
        assert after["sales"] == before["sales"] + 15 == 25
        assert after["revenue"] == edge_books(edge)["revenue"]
    finally:
        await hq.aclose()


class SlowAnswers:
    """Every answer of the hub takes 200 ms more: an upload of the backlog takes seconds."""

    async def on_chunk(self, chunk: Chunk) -> Sequence[bytes]:
        if chunk.direction is Direction.DOWN and chunk.index == 0:
            await asyncio.sleep(0.2)
        return (chunk.data,)


async def hub_acked(stack: Stack) -> int:
    async with httpx.AsyncClient(base_url=stack.hub_url, trust_env=False, timeout=5) as client:
        nodes = (
            await client.get(
                "/v1/stores/store-1/nodes", headers={"Authorization": f"Bearer {stack.admin_token}"}
            )
        ).json()
    return int(nodes[0]["acked_seq"])


async def test_the_hub_killed_mid_ingest_loses_nothing_and_doubles_nothing(stack: Stack) -> None:
    edge, hq = await start_store(stack)
    try:
        await edge.proxy.set_online(False)
        await sell(edge, SALES)
        edge.proxy.policy = SlowAnswers()
        await edge.proxy.set_online(True)
        await wait_until(lambda: hub_acked(stack), lambda acked: acked >= 10)
        assert await hub_acked(stack) < SALES, "the kill should land in the middle of the upload"
        assert stack.hub_process is not None
        stack.hub_process.kill()  # SIGKILL: whatever transaction was open is rolled back
        await stack.restart_hub()
        await wait_drained(edge, timeout_s=120)
        local = edge_books(edge)
        assert local["sales"] == SALES and local["acked_seq"] == local["last_seq"]
        assert await hub_books(hq) == {"sales": SALES, "revenue": local["revenue"]}
    finally:
        await hq.aclose()


async def wait_until(read: Any, check: Any, timeout_s: float = 60) -> None:
    for _ in range(int(timeout_s * 20)):
        if check(await read()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


async def test_postgresql_restarted_during_ingest_loses_nothing_and_doubles_nothing(
    tmp_path: Path,
) -> None:
    own = Stack(work_dir=tmp_path / "own")
    try:
        await own.start_hub("postgres", durable_postgres=False)
        assert own.postgres is not None
        edge, hq = await start_store(own)
        try:
            await edge.proxy.set_online(False)
            await sell(edge, SALES)
            edge.proxy.policy = SlowAnswers()
            await edge.proxy.set_online(True)
            await wait_until(lambda: hub_acked(own), lambda acked: acked >= 10)
            assert await hub_acked(own) < SALES, "the restart should land in the middle of ingest"
            await asyncio.to_thread(own.postgres.restart)  # every connection of the hub breaks
            await wait_drained(edge, timeout_s=120)
            local = edge_books(edge)
            assert local["sales"] == SALES and local["acked_seq"] == local["last_seq"]
            assert await hub_books(hq) == {"sales": SALES, "revenue": local["revenue"]}
        finally:
            await hq.aclose()
    finally:
        await own.aclose()


async def test_a_started_edge_shows_no_token_to_ps_and_its_token_is_dead_once_enrolled(
    stack: Stack,
) -> None:
    hq = HqClient(stack.hub_url, stack.admin_token)
    await hq.ensure_store("store-1", "Store 1", "Europe/London", "GBP")
    for member in DEMO_STAFF:
        await hq.ensure_staff(member, ["store-1"])
    token = await hq.enrolment_token("store-1")
    edge = await stack.start_edge(1, "store-1", token, datetime(2010, 12, 1, 9, 0, tzinfo=UTC))
    assert edge.process.pid is not None
    listing = subprocess.run(
        ["ps", "-ww", "-o", "args=", "-p", str(edge.process.pid)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--enrolment-token-file" in listing and token not in listing
    async with httpx.AsyncClient(base_url=edge.url, trust_env=False) as client:
        for _ in range(200):
            status = (await client.get("/v1/status")).json()
            if status["sync"]["last_success_at"] is not None:
                break
            await asyncio.sleep(0.1)
        assert status["enrolled"] is True
    assert stat.S_IMODE(edge.database_path.stat().st_mode) == 0o600
    async with httpx.AsyncClient(base_url=stack.hub_url, trust_env=False) as hub:
        again = await hub.post(
            "/v1/sync/enrol",
            json={"protocol_version": 1, "token": token, "node_name": "thief"},
        )
    assert again.status_code == 401
