"""B2B orders: submitted at a till, approved by HQ in four phases on a real Temporal server,
carried back to the store's tills by its feed, handed over once, and checked at the hub."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio import workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.worker import Worker

from hub.domain.b2b import B2BStep, RecordB2BStep
from hub.service import b2b
from hub.workflows.b2b_approval.activities import B2BActivities
from hub.workflows.b2b_approval.workflows import PLACE_ORDER, workflow_id
from tests.support import Edge, Hub, close_edge, make_edge, make_hub
from vectis.ops.temporal import TemporalDevServer

CART = [{"sku": "A", "quantity": 10}, {"sku": "C", "quantity": 2}]  # 25.50 + 20.00


async def _setup(hub: Hub, tmp_path: Path) -> Edge:
    await hub.create_store("store-1")
    await hub.import_items({"A": "2.55", "C": "10.00"})
    return await make_edge(tmp_path / "store-1.db", hub, await hub.token("store-1"))


async def _submit(
    edge: Edge, items: list[dict[str, Any]] | None = None, by: str = "cashier-7"
) -> dict[str, Any]:
    response = await edge.client.post(
        "/v1/b2b-orders",
        json={
            "till_id": "T1",
            "customer_id": "trade-42",
            "submitted_by": by,
            "reference": "PO-881",
            "lines": items or CART,
        },
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _compose(edge: Edge, order_id: str, tenders: list[tuple[str, str]]) -> Any:
    return await edge.client.post(
        f"/v1/b2b-orders/{order_id}/payment",
        json={
            "composed_by": "cashier-7",
            "tenders": [{"kind": kind, "amount": amount} for kind, amount in tenders],
        },
    )


async def _decide(
    hub: Hub, order_id: str, phase: str, approved: bool, headers: dict[str, str] | None = None
) -> Any:
    return await hub.client.post(
        f"/v1/b2b-orders/{order_id}/{phase}-decision",
        json={"approved": approved, "notes": f"{phase} checked"},
        headers=headers or hub.admin,
    )


async def _local(edge: Edge, order_id: str) -> dict[str, Any]:
    response = await edge.client.get(f"/v1/b2b-orders/{order_id}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _at_hub(hub: Hub, order_id: str) -> dict[str, Any]:
    response = await hub.client.get(f"/v1/b2b-orders/{order_id}", headers=hub.admin)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _workflow_result(hub: Hub, order_id: str) -> str:
    assert hub.runtime.workflows is not None
    client = await hub.runtime.workflows.client()
    handle = client.get_workflow_handle(workflow_id(order_id))
    return str(await asyncio.wait_for(handle.result(), timeout=30))


async def _exceptions(hub: Hub) -> list[dict[str, Any]]:
    response = await hub.client.get(
        "/v1/exceptions", params={"kind": "b2b_problem"}, headers=hub.admin
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def test_an_order_goes_through_all_four_phases_and_is_handed_over_once(
    workflow_hub: Hub, tmp_path: Path
) -> None:
    hub = workflow_hub
    edge = await _setup(hub, tmp_path)
    try:
        order = await _submit(edge)
        order_id = order["order_id"]
        assert (order["status"], order["total"]) == ("cart_submitted", "45.50")
        early = await _compose(edge, order_id, [("cash", "45.50")])
        assert early.status_code == 409, early.text

        await edge.sync()
        inbox = await hub.client.get(
            "/v1/b2b-orders", params={"status": "cart_submitted"}, headers=hub.admin
        )
        (waiting,) = inbox.json()["orders"]
        assert (waiting["order_id"], waiting["store_id"], waiting["total"]) == (
            order_id,
            "store-1",
            "45.50",
        )
        assert [line["line_total"] for line in waiting["lines"]] == ["25.50", "20.00"]

        # Whoever submitted the cart cannot approve it, even with an HQ key.
        key = await hub.client.post(
            "/v1/api-keys", json={"name": "cashier-7", "scope": "hq"}, headers=hub.admin
        )
        own = {"Authorization": f"Bearer {key.json()['key']}"}
        refused = await _decide(hub, order_id, "cart", True, own)
        assert refused.status_code == 403 and refused.json()["error"] == "self_approval"
        wrong_phase = await _decide(hub, order_id, "payment", True)
        assert wrong_phase.status_code == 409
        assert wrong_phase.json()["error"] == "b2b_not_awaiting_decision"

        approved = await _decide(hub, order_id, "cart", True)
        assert approved.status_code == 200, approved.text
        assert (approved.json()["status"], approved.json()["cart_decided_by"]) == (
            "cart_approved",
            "admin",
        )
        assert (await _decide(hub, order_id, "cart", False)).status_code == 409

        await edge.sync()
        assert (await _local(edge, order_id))["status"] == "cart_approved"
        short = await _compose(edge, order_id, [("on_account", "40.00")])
        assert short.status_code == 422, short.text
        composed = await _compose(edge, order_id, [("on_account", "40.00"), ("cash", "5.50")])
        assert composed.status_code == 200, composed.text
        await edge.sync()

        # HQ refuses that much credit: the order goes back for another payment.
        rejected = await _decide(hub, order_id, "payment", False)
        assert rejected.status_code == 200, rejected.text
        assert (rejected.json()["status"], rejected.json()["payment_rejections"]) == (
            "cart_approved",
            1,
        )
        assert rejected.json()["tenders"] == []
        await edge.sync()
        local = await _local(edge, order_id)
        assert (local["status"], local["notes"]) == ("cart_approved", "payment checked")
        recomposed = await _compose(edge, order_id, [("on_account", "20.00"), ("cash", "25.50")])
        assert recomposed.status_code == 200, recomposed.text
        await edge.sync()
        assert (await _at_hub(hub, order_id))["status"] == "payment_composed"

        placed = await _decide(hub, order_id, "payment", True)
        assert placed.status_code == 200, placed.text
        assert (placed.json()["status"], placed.json()["order_number"]) == (
            "placed",
            "store-1-B00001",
        )

        await edge.sync()
        assert (await _local(edge, order_id))["status"] == "placed"
        handed = await edge.client.post(
            f"/v1/b2b-orders/{order_id}/complete", json={"till_id": "T1", "cash_tendered": "30.00"}
        )
        assert handed.status_code == 201, handed.text
        sale = handed.json()
        assert sale["total"] == "45.50"
        assert sorted((tender["kind"], tender["amount"]) for tender in sale["tenders"]) == [
            ("cash", "25.50"),
            ("on_account", "20.00"),
        ]
        again = await edge.client.post(
            f"/v1/b2b-orders/{order_id}/complete", json={"till_id": "T1"}
        )
        assert again.status_code == 200 and again.json()["sale_id"] == sale["sale_id"]

        await edge.sync()
        at_hub = await _at_hub(hub, order_id)
        assert (at_hub["status"], at_hub["fulfilled_sale_id"]) == ("fulfilled", sale["sale_id"])
        assert await _workflow_result(hub, order_id) == "fulfilled"
        (day,) = await hub.report()
        assert (day["invoices"], day["revenue"]) == (1, "45.50")
        assert await _exceptions(hub) == []
        await edge.sync()
        assert (await _local(edge, order_id))["status"] == "fulfilled"
    finally:
        await close_edge(edge)


async def test_a_price_changed_since_the_cart_was_approved_blocks_the_order(
    workflow_hub: Hub, tmp_path: Path
) -> None:
    hub = workflow_hub
    edge = await _setup(hub, tmp_path)
    try:
        order_id = (await _submit(edge))["order_id"]
        await edge.sync()
        assert (await _decide(hub, order_id, "cart", True)).status_code == 200
        await edge.sync()
        assert (await _compose(edge, order_id, [("cash", "45.50")])).status_code == 200
        await edge.sync()
        await hub.import_items({"C": "12.00"})  # the catalogue price moves on meanwhile
        blocked = await _decide(hub, order_id, "payment", True)
        assert blocked.status_code == 200, blocked.text
        assert blocked.json()["status"] == "blocked"
        assert "C 10.00" in blocked.json()["notes"] and blocked.json()["order_number"] is None
        assert await _workflow_result(hub, order_id) == "blocked"
        await edge.sync()
        assert (await _local(edge, order_id))["status"] == "blocked"
        refused = await edge.client.post(
            f"/v1/b2b-orders/{order_id}/complete", json={"till_id": "T1"}
        )
        assert refused.status_code == 409
    finally:
        await close_edge(edge)


async def test_undecided_carts_expire_and_unpaid_approvals_lapse_and_late_payments_wait_in_quarantine(
    pg_url: str, temporal: TemporalDevServer, tmp_path: Path
) -> None:
    hub = await make_hub(
        pg_url,
        temporal_address=temporal.address,
        temporal_task_queue=f"hub-{uuid.uuid4().hex[:12]}",
        b2b_decide_within_s=4,
        b2b_valid_for_s=2,
    )
    edge = await _setup(hub, tmp_path)
    try:
        ignored = (await _submit(edge))["order_id"]
        unpaid = (await _submit(edge, [{"sku": "A", "quantity": 1}]))["order_id"]
        await edge.sync()
        assert (await _decide(hub, unpaid, "cart", True)).status_code == 200
        await edge.sync()  # the till hears of the approval...
        assert await _workflow_result(hub, unpaid) == "lapsed"  # ...but pays too late
        late = await _compose(edge, unpaid, [("cash", "2.55")])
        assert late.status_code == 200, late.text
        await edge.sync()
        assert await _workflow_result(hub, ignored) == "expired"
        assert (await _decide(hub, ignored, "cart", True)).status_code == 409

        quarantine = await hub.client.get("/v1/quarantine", headers=hub.admin)
        (held,) = quarantine.json()
        assert held["kind"] == "b2b.payment_composed"
        assert "lapsed, not awaiting a payment" in held["reason"]
        await edge.sync()
        assert (await _local(edge, ignored))["status"] == "expired"
        assert (await _local(edge, unpaid))["status"] == "lapsed"
        assert (await _at_hub(hub, unpaid))["tenders"] == []
    finally:
        await close_edge(edge)
        await hub.client.aclose()
        await hub.runtime.stop()


async def test_a_placed_order_reaches_a_new_node_in_its_snapshot_and_a_second_handover_is_flagged(
    workflow_hub: Hub, tmp_path: Path
) -> None:
    """The order travels with the store's state; a node enrolled later can hand it over. Two
    nodes offline could both hand it over: the hub records both sales (the goods left twice)
    and raises a b2b_problem on the second."""
    hub = workflow_hub
    first = await _setup(hub, tmp_path)
    try:
        order_id = (await _submit(first))["order_id"]
        await first.sync()
        assert (await _decide(hub, order_id, "cart", True)).status_code == 200
        await first.sync()
        assert (await _compose(first, order_id, [("on_account", "45.50")])).status_code == 200
        await first.sync()
        assert (await _decide(hub, order_id, "payment", True)).json()["status"] == "placed"

        second = await make_edge(tmp_path / "second.db", hub, await hub.token("store-1"))
        try:
            held = await _local(second, order_id)
            assert (held["status"], held["customer_id"], held["total"]) == (
                "placed",
                "trade-42",
                "45.50",
            )
            await first.sync()
            sales = []
            for edge in (second, first):
                await edge.sign_in("T2")  # its shift opens there
                handed = await edge.client.post(
                    f"/v1/b2b-orders/{order_id}/complete", json={"till_id": "T2"}
                )
                assert handed.status_code == 201, handed.text
                sales.append(handed.json()["sale_id"])
            await second.sync()
            await first.sync()
        finally:
            await close_edge(second)
        at_hub = await _at_hub(hub, order_id)
        assert (at_hub["status"], at_hub["fulfilled_sale_id"]) == ("fulfilled", sales[0])
        (problem,) = await _exceptions(hub)
        assert (problem["kind"], problem["document_id"]) == ("b2b_problem", sales[1])
        assert "was fulfilled by sale" in problem["detail"]
    finally:
        await close_edge(first)


async def test_an_order_survives_a_hub_restart_between_phases(
    pg_url: str, temporal: TemporalDevServer, tmp_path: Path
) -> None:
    queue = f"hub-{uuid.uuid4().hex[:12]}"
    hub = await make_hub(pg_url, temporal_address=temporal.address, temporal_task_queue=queue)
    edge = await _setup(hub, tmp_path)
    try:
        order_id = (await _submit(edge))["order_id"]
        await edge.sync()
        assert (await _decide(hub, order_id, "cart", True)).status_code == 200
        await edge.sync()
        await hub.client.aclose()
        await hub.runtime.stop()
        # The payment is composed while the hub is down; a new hub process on the same
        # database and task queue ingests it and the workflow goes on.
        assert (await _compose(edge, order_id, [("cash", "45.50")])).status_code == 200
        hub = await make_hub(pg_url, temporal_address=temporal.address, temporal_task_queue=queue)
        edge.link.inner = hub.transport
        await edge.sync()
        placed = await _decide(hub, order_id, "payment", True)
        assert placed.status_code == 200, placed.text
        assert placed.json()["status"] == "placed"
        await edge.sync()
        handed = await edge.client.post(
            f"/v1/b2b-orders/{order_id}/complete", json={"till_id": "T1"}
        )
        assert handed.status_code == 201, handed.text
        await edge.sync()
        assert await _workflow_result(hub, order_id) == "fulfilled"
    finally:
        await close_edge(edge)
        await hub.client.aclose()
        await hub.runtime.stop()


async def test_without_the_workflow_service_orders_wait_and_decisions_answer_503(
    hub: Hub, tmp_path: Path
) -> None:
    edge = await _setup(hub, tmp_path)
    try:
        order_id = (await _submit(edge))["order_id"]
        await edge.sync()
        assert (await _at_hub(hub, order_id))["status"] == "cart_submitted"
        refused = await _decide(hub, order_id, "cart", True)
        assert refused.status_code == 503
        assert refused.json()["error"] == "workflows_unavailable"
        assert (await _at_hub(hub, order_id))["status"] == "cart_submitted"
        metrics = await hub.client.get("/metrics")
        assert "vectis_hub_b2b_orders_awaiting_hq 1.0" in metrics.text
    finally:
        await close_edge(edge)


@workflow.defn(name="LegacyPlaceOrder", sandboxed=False)
class LegacyPlaceOrder:
    """The step of b46d833's B2BOrderApproval this needs: `place_b2b_order` scheduled with the
    order id alone, a JSON string in the history; one attempt, so that an input the worker
    cannot read fails the test instead of being retried for ever."""

    @workflow.run
    async def run(self, order_id: str) -> str:
        placed: str = await workflow.execute_activity(
            PLACE_ORDER,
            order_id,
            result_type=str,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_attempts=1),
        )
        return placed


async def test_an_order_approved_for_payment_before_an_upgrade_is_placed_after_it(
    hub: Hub, temporal: TemporalDevServer, tmp_path: Path
) -> None:
    edge = await _setup(hub, tmp_path)
    try:
        order_id = (await _submit(edge))["order_id"]
        await edge.sync()
        uow = hub.runtime.uow
        approve_cart = RecordB2BStep(uuid.UUID(order_id), B2BStep.CART_APPROVED, "hq-anna")
        assert await b2b.record_status(approve_cart, uow) == "cart_approved"
        await edge.sync()
        assert (await _compose(edge, order_id, [("cash", "45.50")])).status_code == 200
        await edge.sync()
        approve_payment = RecordB2BStep(uuid.UUID(order_id), B2BStep.PAYMENT_APPROVED, "hq-anna")
        assert await b2b.record_status(approve_payment, uow) == "payment_approved"

        client = await Client.connect(temporal.address)
        queue = f"legacy-{uuid.uuid4().hex[:12]}"
        async with Worker(
            client,
            task_queue=queue,
            workflows=[LegacyPlaceOrder],
            activities=[B2BActivities(uow).place],
        ):
            placed = await client.execute_workflow(
                LegacyPlaceOrder.run, order_id, id=f"legacy-place-{order_id}", task_queue=queue
            )

        assert placed == "placed"
        at_hub = await _at_hub(hub, order_id)
        assert (at_hub["status"], at_hub["order_number"]) == ("placed", "store-1-B00001")
        await edge.sync()
        assert (await _local(edge, order_id))["status"] == "placed"
    finally:
        await close_edge(edge)
