"""Refunds above a store's limit: asked for at the till, decided by HQ on a real Temporal
server, carried back by the store's feed, made once, and checked again at the hub."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from hub.workflows.refund_approval.workflows import workflow_id
from tests.support import Edge, Hub, close_edge, make_edge, make_hub
from vectis.ops.temporal import TemporalDevServer


async def _setup(hub: Hub, tmp_path: Path, limit: str = "15.00") -> Edge:
    await hub.create_store("store-1")
    await hub.import_items({"A": "2.55", "C": "10.00"})
    response = await hub.client.put(
        "/v1/stores/store-1/refund-policy", json={"approval_over": limit}, headers=hub.admin
    )
    assert response.status_code == 200, response.text
    return await make_edge(tmp_path / "store-1.db", hub, await hub.token("store-1"))


async def _ask(
    edge: Edge, lines: list[dict[str, Any]], receipt: str | None = None, by: str = "cashier-7"
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "till_id": "T1",
        "reason": "faulty",
        "lines": lines,
        "requested_by": by,
    }
    if receipt:
        body["original_receipt_number"] = receipt
    response = await edge.client.post("/v1/refund-requests", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _decide(
    hub: Hub, request_id: str, approved: bool, headers: dict[str, str] | None = None
) -> Any:
    return await hub.client.post(
        f"/v1/refund-requests/{request_id}/decision",
        json={"approved": approved, "notes": "checked the receipt"},
        headers=headers or hub.admin,
    )


async def _local(edge: Edge, request_id: str) -> dict[str, Any]:
    response = await edge.client.get(f"/v1/refund-requests/{request_id}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _at_hub(hub: Hub, request_id: str) -> dict[str, Any]:
    response = await hub.client.get(f"/v1/refund-requests/{request_id}", headers=hub.admin)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _workflow_result(hub: Hub, request_id: str) -> str:
    assert hub.runtime.workflows is not None
    client = await hub.runtime.workflows.client()
    handle = client.get_workflow_handle(workflow_id(request_id))
    return str(await asyncio.wait_for(handle.result(), timeout=30))


async def _until(check: Any, timeout_s: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.2)


async def test_a_refund_above_the_limit_waits_for_hq_and_is_made_once_approved(
    workflow_hub: Hub, tmp_path: Path
) -> None:
    hub = workflow_hub
    edge = await _setup(hub, tmp_path)
    try:
        sale = await edge.sell([("C", 3)])
        receipt = str(sale["receipt_number"])
        over = {"till_id": "T1", "reason": "faulty", "original_receipt_number": receipt}
        response = await edge.client.post(
            "/v1/returns",
            json={**over, "lines": [{"sku": "C", "quantity": 2, "original_line_no": 1}]},
        )
        assert response.status_code == 409
        assert response.json()["error"] == "refund_needs_approval"
        under = await edge.client.post(
            "/v1/returns",
            json={**over, "lines": [{"sku": "C", "quantity": 1, "original_line_no": 1}]},
        )
        assert under.status_code == 201, under.text

        asked = await _ask(edge, [{"sku": "C", "quantity": 2, "original_line_no": 1}], receipt)
        request_id = asked["request_id"]
        assert (asked["status"], asked["amount"], asked["heard_from_hub"]) == (
            "pending",
            "20.00",
            False,
        )
        await edge.sign_in("T2")  # the refund is made at another till of the store
        early = await edge.client.post(
            f"/v1/refund-requests/{request_id}/complete", json={"till_id": "T2"}
        )
        assert early.status_code == 409 and early.json()["error"] == "refund_not_approved"

        await edge.sync()
        assert (await _local(edge, request_id))["heard_from_hub"] is True
        inbox = await hub.client.get("/v1/refund-requests", headers=hub.admin)
        (pending,) = inbox.json()["requests"]
        assert (pending["request_id"], pending["store_id"], pending["amount"]) == (
            request_id,
            "store-1",
            "20.00",
        )

        # The person who asked cannot decide, even with an HQ key.
        key = await hub.client.post(
            "/v1/api-keys", json={"name": "cashier-7", "scope": "hq"}, headers=hub.admin
        )
        own = {"Authorization": f"Bearer {key.json()['key']}"}
        refused = await _decide(hub, request_id, True, own)
        assert refused.status_code == 403 and refused.json()["error"] == "self_approval"

        decided = await _decide(hub, request_id, True)
        assert decided.status_code == 200, decided.text
        assert (decided.json()["status"], decided.json()["decided_by"]) == ("approved", "admin")
        again = await _decide(hub, request_id, False)
        assert again.status_code == 409

        await edge.sync()
        assert (await _local(edge, request_id))["status"] == "approved"
        return_id = str(uuid.uuid4())
        made = await edge.client.post(
            f"/v1/refund-requests/{request_id}/complete",
            json={"till_id": "T2", "return_id": return_id},
        )
        assert made.status_code == 201, made.text
        assert (made.json()["total"], made.json()["refund_request_id"]) == ("20.00", request_id)
        retried = await edge.client.post(
            f"/v1/refund-requests/{request_id}/complete", json={"till_id": "T2"}
        )
        assert retried.status_code == 200 and retried.json()["return_id"] == return_id

        await edge.sync()
        closed = await _at_hub(hub, request_id)
        assert (closed["status"], closed["executed_return_id"]) == ("executed", return_id)
        assert await _workflow_result(hub, request_id) == "executed"
        problems = await hub.client.get(
            "/v1/exceptions", params={"kind": "refund_problem"}, headers=hub.admin
        )
        assert problems.json() == []
        (day,) = await hub.report()
        assert day["returns"] == "30.00"  # 10.00 under the limit, 20.00 approved
    finally:
        await close_edge(edge)


async def test_a_rejected_refund_cannot_be_made(workflow_hub: Hub, tmp_path: Path) -> None:
    hub = workflow_hub
    edge = await _setup(hub, tmp_path)
    try:
        asked = await _ask(edge, [{"sku": "C", "quantity": 2, "unit_price": "10.00"}])
        await edge.sync()
        decided = await _decide(hub, asked["request_id"], False)
        assert decided.status_code == 200 and decided.json()["status"] == "rejected"
        await edge.sync()
        local = await _local(edge, asked["request_id"])
        assert (local["status"], local["notes"]) == ("rejected", "checked the receipt")
        refused = await edge.client.post(
            f"/v1/refund-requests/{asked['request_id']}/complete", json={"till_id": "T1"}
        )
        assert refused.status_code == 409
        assert await _workflow_result(hub, asked["request_id"]) == "rejected"
    finally:
        await close_edge(edge)


async def test_an_undecided_request_expires_and_an_unmade_approval_lapses(
    pg_url: str, temporal: TemporalDevServer, tmp_path: Path
) -> None:
    hub = await make_hub(
        pg_url,
        temporal_address=temporal.address,
        temporal_task_queue=f"hub-{uuid.uuid4().hex[:12]}",
        refund_decide_within_s=4,
        refund_valid_for_s=1,
    )
    edge = await _setup(hub, tmp_path)
    try:
        ignored = await _ask(edge, [{"sku": "C", "quantity": 2, "unit_price": "10.00"}])
        approved = await _ask(edge, [{"sku": "C", "quantity": 3, "unit_price": "10.00"}])
        await edge.sync()
        assert (await _decide(hub, approved["request_id"], True)).status_code == 200
        assert await _workflow_result(hub, approved["request_id"]) == "lapsed"
        assert await _workflow_result(hub, ignored["request_id"]) == "expired"
        late = await _decide(hub, ignored["request_id"], True)
        assert late.status_code == 409
        await edge.sync()
        assert (await _local(edge, ignored["request_id"]))["status"] == "expired"
        assert (await _local(edge, approved["request_id"]))["status"] == "lapsed"
        refused = await edge.client.post(
            f"/v1/refund-requests/{approved['request_id']}/complete", json={"till_id": "T1"}
        )
        assert refused.status_code == 409
    finally:
        await close_edge(edge)
        await hub.client.aclose()
        await hub.runtime.stop()


async def test_an_approval_made_at_two_nodes_is_counted_twice_and_flagged(
    workflow_hub: Hub, tmp_path: Path
) -> None:
    """Two nodes offline can both make one approval: the hub records both returns (money
    left both drawers) and raises a refund_problem on the second."""
    hub = workflow_hub
    first = await _setup(hub, tmp_path)
    second = await make_edge(tmp_path / "second.db", hub, await hub.token("store-1"))
    try:
        asked = await _ask(first, [{"sku": "C", "quantity": 3, "unit_price": "10.00"}])
        await first.sync()
        assert (await _decide(hub, asked["request_id"], True)).status_code == 200
        await first.sync()
        await second.sync()
        made_by: dict[int, str] = {}
        for number, edge in enumerate((first, second)):
            made = await edge.client.post(
                f"/v1/refund-requests/{asked['request_id']}/complete", json={"till_id": "T1"}
            )
            assert made.status_code == 201, made.text
            made_by[number] = made.json()["return_id"]
        await first.sync()
        await second.sync()
        # Each node still knows its own return: a retry there answers it, not a 409.
        for number, edge in enumerate((first, second)):
            retried = await edge.client.post(
                f"/v1/refund-requests/{asked['request_id']}/complete", json={"till_id": "T1"}
            )
            assert (retried.status_code, retried.json()["return_id"]) == (200, made_by[number])
        problems = await hub.client.get(
            "/v1/exceptions", params={"kind": "refund_problem"}, headers=hub.admin
        )
        (problem,) = problems.json()
        assert "was executed by return" in problem["detail"]
        (day,) = await hub.report()
        assert day["returns"] == "60.00"
    finally:
        await close_edge(second)
        await close_edge(first)


async def test_a_new_node_gets_the_limit_and_the_decisions_in_its_snapshot(
    workflow_hub: Hub, tmp_path: Path
) -> None:
    hub = workflow_hub
    first = await _setup(hub, tmp_path)
    try:
        asked = await _ask(first, [{"sku": "C", "quantity": 2, "unit_price": "10.00"}])
        await first.sync()
        assert (await _decide(hub, asked["request_id"], True)).status_code == 200
        second = await make_edge(tmp_path / "second.db", hub, await hub.token("store-1"))
        await second.sign_in("T9")
        try:
            assert (await _local(second, asked["request_id"]))["status"] == "approved"
            over = await second.client.post(
                "/v1/returns",
                json={
                    "till_id": "T9",
                    "reason": "faulty",
                    "lines": [{"sku": "C", "quantity": 2, "unit_price": "10.00"}],
                },
            )
            assert over.status_code == 409
            made = await second.client.post(
                f"/v1/refund-requests/{asked['request_id']}/complete", json={"till_id": "T9"}
            )
            assert made.status_code == 201, made.text
        finally:
            await close_edge(second)
    finally:
        await close_edge(first)


async def test_a_decision_survives_a_hub_restart(
    pg_url: str, temporal: TemporalDevServer, tmp_path: Path
) -> None:
    queue = f"hub-{uuid.uuid4().hex[:12]}"
    hub = await make_hub(pg_url, temporal_address=temporal.address, temporal_task_queue=queue)
    edge = await _setup(hub, tmp_path)
    try:
        asked = await _ask(edge, [{"sku": "C", "quantity": 2, "unit_price": "10.00"}])
        await edge.sync()
        await hub.client.aclose()
        await hub.runtime.stop()
        # A new hub process on the same database and task queue picks the workflow up.
        hub = await make_hub(pg_url, temporal_address=temporal.address, temporal_task_queue=queue)
        edge.link.inner = hub.transport
        assert (await _decide(hub, asked["request_id"], True)).status_code == 200
        await edge.sync()
        made = await edge.client.post(
            f"/v1/refund-requests/{asked['request_id']}/complete", json={"till_id": "T1"}
        )
        assert made.status_code == 201
        await edge.sync()
        assert await _workflow_result(hub, asked["request_id"]) == "executed"
    finally:
        await close_edge(edge)
        await hub.client.aclose()
        await hub.runtime.stop()


async def test_without_the_workflow_service_requests_wait_and_decisions_answer_503(
    hub: Hub, tmp_path: Path
) -> None:
    edge = await _setup(hub, tmp_path)
    try:
        asked = await _ask(edge, [{"sku": "C", "quantity": 2, "unit_price": "10.00"}])
        await edge.sync()
        assert (await _at_hub(hub, asked["request_id"]))["status"] == "pending"
        refused = await _decide(hub, asked["request_id"], True)
        assert refused.status_code == 503
        assert refused.json()["error"] == "workflows_unavailable"
        assert (await _at_hub(hub, asked["request_id"]))["status"] == "pending"
    finally:
        await close_edge(edge)


@pytest.mark.parametrize("limit", ["-1", "0.001"])
async def test_a_refund_limit_must_be_money_of_the_store(hub: Hub, limit: str) -> None:
    await hub.create_store("store-1")
    response = await hub.client.put(
        "/v1/stores/store-1/refund-policy", json={"approval_over": limit}, headers=hub.admin
    )
    assert response.status_code == 422


async def test_the_hub_is_ready_without_its_workflow_service_and_says_so(
    pg_url: str, tmp_path: Path
) -> None:
    hub = await make_hub(pg_url, temporal_address="127.0.0.1:1")  # nothing listens there
    try:
        ready = await hub.client.get("/ready")
        assert ready.status_code == 200
        checks = ready.json()["checks"]
        assert checks["database"]["ok"] is True and checks["workflows"]["ok"] is False
    finally:
        await hub.client.aclose()
        await hub.runtime.stop()
