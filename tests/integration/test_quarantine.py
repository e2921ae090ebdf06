"""The quarantine: visible at the hub and at the edge, retryable after a fix, never blocking."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from hub.service import ingest
from hub.service.ingest_handlers import HANDLERS
from sync import messages
from tests.integration.test_hub_sync import enrol, push
from tests.support import Edge, Hub, event, sale_payload


async def write_newer_sale(edge: Edge) -> str:
    """Append to the edge's outbox a sale in schema version 99, as much newer till software would."""
    identity = edge.runtime.identity
    assert identity is not None
    sale = await edge.sell([("A", 1)])
    event_id = str(uuid.uuid4())

    def append(connection: Connection) -> None:
        row = connection.execute(
            text("SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1")
        ).scalar_one()
        payload = json.loads(row)
        payload.update(
            sale_id=str(uuid.uuid4()),
            receipt_number=f"{sale['receipt_number']}-v2",
            loyalty_points=12,  # what version 99 added
        )
        seq = connection.execute(
            text("UPDATE node SET last_seq = last_seq + 1 RETURNING last_seq")
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO outbox (seq, event_id, kind, schema_version, hlc, occurred_at, payload, size_bytes, created_at) "
                "VALUES (:seq, :event_id, 'sale.completed', 99, :hlc, :at, :payload, 500, :at)"
            ),
            {
                "seq": seq,
                "event_id": event_id,
                "hlc": f"001291197600000-{seq:06d}-{identity.node_id}",
                "at": "2010-12-01T10:00:00+00:00",
                "payload": json.dumps(payload),
            },
        )

    await edge.runtime.database.write(append)
    return event_id


async def test_a_newer_event_waits_in_quarantine_and_is_applied_after_the_hub_is_upgraded(
    hub: Hub, store: Edge, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id = await write_newer_sale(store)
    await store.sell([("B", 2)])  # behind the quarantined one
    status = await store.sync()
    assert status["outbox"]["pending"] == 0 and status["outbox"]["quarantined"] == 1
    (local,) = (await store.client.get("/v1/sync/quarantine")).json()
    assert local["event_id"] == event_id and "newer than supported" in local["reason"]
    report = await hub.report("store")
    assert report[0]["invoices"] == 2  # the sales before and after it were applied

    listed = (
        await hub.client.get("/v1/quarantine", params={"store_id": "store-1"}, headers=hub.admin)
    ).json()
    assert [item["event_id"] for item in listed] == [event_id]
    detail = (await hub.client.get(f"/v1/events/{event_id}", headers=hub.admin)).json()
    assert detail["payload"]["loyalty_points"] == 12  # kept exactly as received
    assert detail["status"] == "quarantined"

    too_early = (
        await hub.client.post(f"/v1/quarantine/{event_id}/retry", headers=hub.admin)
    ).json()
    assert too_early["status"] == "quarantined"

    monkeypatch.setitem(messages.SCHEMA_VERSIONS, "sale.completed", 99)  # the hub is upgraded
    retried = await hub.client.post("/v1/stores/store-1/quarantine/retry", headers=hub.admin)
    assert [item["status"] for item in retried.json()] == ["applied"]
    assert (await hub.report("store"))[0]["invoices"] == 3
    again = await hub.client.post(f"/v1/quarantine/{event_id}/retry", headers=hub.admin)
    assert again.status_code == 409 and again.json()["error"] == "event_not_quarantined"

    status = await store.sync()  # the edge hears of it through its feed
    assert status["outbox"]["quarantined"] == 0
    assert (await store.client.get("/v1/sync/quarantine")).json() == []
    metrics = (await hub.client.get("/metrics")).text
    assert "vectis_hub_quarantine_events 0.0" in metrics


async def test_retrying_an_unknown_event_is_a_clear_404(hub: Hub) -> None:
    response = await hub.client.post(f"/v1/quarantine/{uuid.uuid4()}/retry", headers=hub.admin)
    assert response.status_code == 404 and response.json()["error"] == "event_not_found"


async def test_paging_the_quarantine_never_skips_an_event_of_the_same_batch(hub: Hub) -> None:
    node = await enrol(hub)
    newer = [event(node, seq, {"anything": seq}, kind="gift_card.sold") for seq in (1, 2, 3)]
    response = await push(hub, node, newer)  # one batch: one receipt time for all three
    assert response.status_code == 200, response.text
    seen: list[str] = []
    params: dict[str, int | str] = {"limit": 2}
    while True:
        page = (await hub.client.get("/v1/quarantine", params=params, headers=hub.admin)).json()
        if not page:
            break
        seen += [item["event_id"] for item in page]
        params["after_event"] = page[-1]["event_id"]
    assert seen == [item["event_id"] for item in newer]


async def test_paging_after_an_event_the_hub_never_received_is_a_clear_422(hub: Hub) -> None:
    response = await hub.client.get(
        "/v1/quarantine",
        params={"after_event": "0193b3a2-0000-7000-8000-00000000dead"},
        headers=hub.admin,
    )
    assert response.status_code == 422 and "names no received event" in response.text


async def test_a_node_that_bootstraps_again_still_hears_its_retried_events(
    hub: Hub, store: Edge, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id = await write_newer_sale(store)
    assert (await store.sync())["outbox"]["quarantined"] == 1
    monkeypatch.setitem(messages.SCHEMA_VERSIONS, "sale.completed", 99)  # the hub is upgraded
    retried = await hub.client.post(f"/v1/quarantine/{event_id}/retry", headers=hub.admin)
    assert retried.json()["status"] == "applied"
    # The feed entry that says so is compacted away before the node reads it.
    compacted = await hub.client.post(
        "/v1/feed/compact", json={"older_than_s": 0}, headers=hub.admin
    )
    assert compacted.status_code == 200, compacted.text
    status = await store.sync()  # 410, a new snapshot: it carries the outcome too
    assert status["outbox"]["quarantined"] == 0


async def test_an_event_whose_kind_has_no_handler_is_quarantined_and_blocks_nothing(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    await hub.import_items({"A": "2.55"})
    node = await enrol(hub)
    # A kind sync.messages parses that this hub's ingest has no handler for (yet).
    handlers = dict(HANDLERS)
    del handlers[messages.CashMoved]
    monkeypatch.setattr(ingest, "HANDLERS", handlers)
    movement = {
        "movement_id": str(uuid.uuid4()),
        "till_id": "T1",
        "kind": "paid_in",
        "amount": "5.00",
        "currency": "GBP",
        "reason": "change from the bank",
        "business_day": "2010-12-01",
        "business_time": "2010-12-01T10:00:00+00:00",
    }
    unhandled = event(node, 1, movement, kind="cash.moved")
    sale = event(node, 2, sale_payload("R1", [("A", 1, "2.55")]))

    response = await push(hub, node, [unhandled, sale])

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["acked_seq"] == 2
    assert [(item["seq"], item["reason"]) for item in body["rejected"]] == [
        (1, "no handler for kind cash.moved")
    ]
    assert (await hub.report("store"))[0]["invoices"] == 1  # the sale behind it is applied

    monkeypatch.undo()  # the hub is upgraded
    retried = await hub.client.post(
        f"/v1/quarantine/{unhandled['event_id']}/retry", headers=hub.admin
    )
    assert retried.json()["status"] == "applied"
