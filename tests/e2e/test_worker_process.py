"""Approvals with the workflow worker as a process of its own: a hub whose API runs no worker
(`run_workflow_worker=False`), `vectis hub worker` on the same PostgreSQL database, Temporal
server and task queue, a refund and a B2B order decided end to end, the worker stopped cleanly
by SIGTERM."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub.workflows.b2b_approval import workflows as b2b_approval
from hub.workflows.refund_approval import workflows as refund_approval
from tests.support import Hub, close_edge, make_edge, make_hub
from vectis.ops.processes import ServiceProcess
from vectis.ops.temporal import TemporalDevServer


@pytest.fixture
async def split_hub(
    pg_url: str, temporal: TemporalDevServer, tmp_path: Path
) -> AsyncIterator[tuple[Hub, ServiceProcess]]:
    queue = f"split-{uuid.uuid4().hex[:12]}"
    worker = ServiceProcess(
        "hub-worker",
        [
            "hub",
            "worker",
            "--database-url",
            pg_url,
            "--temporal-address",
            temporal.address,
            "--temporal-task-queue",
            queue,
        ],
        log_path=tmp_path / "worker.log",
    )
    hub = await make_hub(
        pg_url,
        temporal_address=temporal.address,
        temporal_task_queue=queue,
        run_workflow_worker=False,
    )
    try:
        worker.start()
        await worker.wait_logged("workflow worker polling task queue")
        yield hub, worker
    finally:
        worker.stop()
        await hub.client.aclose()
        await hub.runtime.stop()


async def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def _result(hub: Hub, workflow_id: str) -> str:
    assert hub.runtime.workflows is not None
    client = await hub.runtime.workflows.client()
    return str(await asyncio.wait_for(client.get_workflow_handle(workflow_id).result(), 30))


async def test_a_worker_of_its_own_runs_the_refund_and_b2b_approvals(
    split_hub: tuple[Hub, ServiceProcess], tmp_path: Path
) -> None:
    hub, worker = split_hub
    assert hub.runtime.runner is None  # nothing in the API's process executes workflows
    await hub.create_store("store-1")
    await hub.import_items({"A": "2.55", "C": "10.00"})
    await _ok(
        await hub.client.put(
            "/v1/stores/store-1/refund-policy", json={"approval_over": "15.00"}, headers=hub.admin
        )
    )
    edge = await make_edge(tmp_path / "store-1.db", hub, await hub.token("store-1"))
    try:
        # A refund: asked at the till, approved by HQ (the worker records it), made, closed.
        asked = await _ok(
            await edge.client.post(
                "/v1/refund-requests",
                json={
                    "till_id": "T1",
                    "reason": "faulty",
                    "requested_by": "cashier-7",
                    "lines": [{"sku": "C", "quantity": 2, "unit_price": "10.00"}],
                },
            ),
            201,
        )
        request_id = asked["request_id"]
        await edge.sync()
        decided = await _ok(
            await hub.client.post(
                f"/v1/refund-requests/{request_id}/decision",
                json={"approved": True},
                headers=hub.admin,
            )
        )
        assert (decided["status"], decided["decided_by"]) == ("approved", "admin")
        await edge.sync()
        await edge.sign_in("T2")  # the refund is made at another till, in its shift
        made = await _ok(
            await edge.client.post(
                f"/v1/refund-requests/{request_id}/complete", json={"till_id": "T2"}
            ),
            201,
        )
        await edge.sync()
        assert await _result(hub, refund_approval.workflow_id(request_id)) == "executed"
        closed = await _ok(
            await hub.client.get(f"/v1/refund-requests/{request_id}", headers=hub.admin)
        )
        assert (closed["status"], closed["executed_return_id"]) == ("executed", made["return_id"])

        # A B2B order: cart and payment approved, placed by the worker's activity, handed over.
        order = await _ok(
            await edge.client.post(
                "/v1/b2b-orders",
                json={
                    "till_id": "T2",
                    "customer_id": "trade-42",
                    "submitted_by": "cashier-7",
                    "lines": [{"sku": "A", "quantity": 10}, {"sku": "C", "quantity": 2}],
                },
            ),
            201,
        )
        order_id = order["order_id"]
        await edge.sync()
        cart = await _ok(
            await hub.client.post(
                f"/v1/b2b-orders/{order_id}/cart-decision",
                json={"approved": True},
                headers=hub.admin,
            )
        )
        assert cart["status"] == "cart_approved"
        await edge.sync()
        await _ok(
            await edge.client.post(
                f"/v1/b2b-orders/{order_id}/payment",
                json={
                    "composed_by": "cashier-7",
                    "tenders": [{"kind": "on_account", "amount": "45.50"}],
                },
            )
        )
        await edge.sync()
        placed = await _ok(
            await hub.client.post(
                f"/v1/b2b-orders/{order_id}/payment-decision",
                json={"approved": True},
                headers=hub.admin,
            )
        )
        assert (placed["status"], placed["order_number"]) == ("placed", "store-1-B00001")
        await edge.sync()
        sale = await _ok(
            await edge.client.post(f"/v1/b2b-orders/{order_id}/complete", json={"till_id": "T2"}),
            201,
        )
        await edge.sync()
        assert await _result(hub, b2b_approval.workflow_id(order_id)) == "fulfilled"
        at_hub = await _ok(await hub.client.get(f"/v1/b2b-orders/{order_id}", headers=hub.admin))
        assert (at_hub["status"], at_hub["fulfilled_sale_id"]) == ("fulfilled", sale["sale_id"])
    finally:
        await close_edge(edge)

    worker.stop()  # SIGTERM: stops polling, lets activities finish, exits 0
    assert worker.returncode() == 0, worker.log_tail()
    assert "hub workflow worker stopped" in worker.log_tail()
