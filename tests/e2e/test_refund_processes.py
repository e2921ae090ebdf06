"""Refund approval across real processes: a hub process whose lifespan runs the workflow
worker, a real Temporal server, an edge process syncing on its own. The hub is killed with
SIGKILL while a request waits for HQ: the restarted hub decides it, and the refund is made."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import TillSession
from vectis.ops.postgres import TemporaryCluster
from vectis.ops.temporal import TemporalDevServer
from vectis.replay.catalogue import CatalogueItem
from vectis.replay.hq import DEMO_STAFF, HqClient
from vectis.replay.stack import Stack


@pytest.fixture
async def stack(
    tmp_path: Path, postgres: TemporaryCluster, temporal: TemporalDevServer
) -> AsyncIterator[Stack]:
    started = Stack(work_dir=tmp_path)
    try:
        await started.start_hub(
            "postgres",
            database_url=postgres.create_database(f"e2e_{uuid.uuid4().hex[:12]}"),
            settings={
                "VECTIS_HUB_TEMPORAL_ADDRESS": temporal.address,
                "VECTIS_HUB_TEMPORAL_TASK_QUEUE": f"e2e-{uuid.uuid4().hex[:12]}",
            },
        )
        yield started
    finally:
        await started.aclose()


async def _until(fetch: Any, check: Any, timeout_s: float = 60) -> Any:
    for _ in range(int(timeout_s * 10)):
        value = await fetch()
        if check(value):
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"not reached in {timeout_s} s: {value}")


async def test_a_refund_is_approved_across_a_hub_crash_and_made(stack: Stack) -> None:
    hq = HqClient(stack.hub_url, stack.admin_token)
    admin = {"Authorization": f"Bearer {stack.admin_token}"}
    try:
        await hq.ensure_store("store-1", "Store 1", "Europe/London", "GBP")
        for member in DEMO_STAFF:
            await hq.ensure_staff(member, ["store-1"])
        await hq.import_catalogue(
            [CatalogueItem("SKU1", "kettle", "stock", True, Decimal("40.00"))], "GBP"
        )
        async with httpx.AsyncClient(
            base_url=stack.hub_url, headers=admin, trust_env=False, timeout=60
        ) as hub:
            policy = await hub.put(
                "/v1/stores/store-1/refund-policy", json={"approval_over": "50.00"}
            )
            assert policy.status_code == 200, policy.text
            edge = await stack.start_edge(
                1,
                "store-1",
                await hq.enrolment_token("store-1"),
                datetime(2010, 12, 1, 9, 0, tzinfo=UTC),
                sync_interval_s=0.2,
            )
            async with httpx.AsyncClient(base_url=edge.url, trust_env=False, timeout=30) as till:
                await _until(
                    lambda: till.get("/v1/status"),
                    lambda response: response.json()["catalogue"]["prices"] >= 1,
                )
                cashier = DEMO_STAFF[0]
                till.auth = TillSession("T2", cashier.staff_code, cashier.pin)
                await _until(  # HQ's staff reach the till with its feed
                    lambda: till.get("/v1/till-sessions/current"),
                    lambda response: response.status_code == 200,
                )
                opened = await till.post("/v1/shifts", json={"till_id": "T2", "float_total": "0"})
                assert opened.status_code == 201, opened.text
                asked = await till.post(
                    "/v1/refund-requests",
                    json={
                        "till_id": "T2",
                        "reason": "two kettles, both faulty",
                        "requested_by": "cashier-7",
                        "lines": [{"sku": "SKU1", "quantity": 2, "unit_price": "40.00"}],
                    },
                )
                assert asked.status_code == 201, asked.text
                request_id = asked.json()["request_id"]
                await _until(
                    lambda: hub.get(f"/v1/refund-requests/{request_id}"),
                    lambda response: response.status_code == 200,
                )

                assert stack.hub_process is not None
                stack.hub_process.kill()
                await stack.restart_hub()
                decided = await hub.post(
                    f"/v1/refund-requests/{request_id}/decision", json={"approved": True}
                )
                assert decided.status_code == 200, decided.text

                await _until(
                    lambda: till.get(f"/v1/refund-requests/{request_id}"),
                    lambda response: response.json()["status"] == "approved",
                )
                made = await till.post(
                    f"/v1/refund-requests/{request_id}/complete", json={"till_id": "T2"}
                )
                assert made.status_code == 201, made.text
                closed = await _until(
                    lambda: hub.get(f"/v1/refund-requests/{request_id}"),
                    lambda response: response.json()["status"] == "executed",
                )
                assert closed.json()["executed_return_id"] == made.json()["return_id"]
    finally:
        await hq.aclose()
