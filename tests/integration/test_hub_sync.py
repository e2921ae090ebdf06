"""The hub's side of sync on real PostgreSQL: idempotent ingest, acks, gaps, refusals, the feed."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from tests.support import Hub, event, push_body, sale_payload


async def enrol(hub: Hub, store_id: str = "store-1") -> dict[str, str]:
    """Create the store and enrol a node; returns its store_id, node_id and auth header."""
    await hub.create_store(store_id)
    token = await hub.token(store_id)
    response = await hub.client.post(
        "/v1/sync/enrol", json={"protocol_version": 1, "token": token, "node_name": "till-pc"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return {
        "store_id": store_id,
        "node_id": body["node_id"],
        "authorization": f"Bearer {body['credential']}",
    }


async def push(hub: Hub, node: dict[str, str], events: list[dict[str, Any]]) -> Any:
    return await hub.client.post(
        "/v1/sync/push",
        json=push_body(node, events),
        headers={"Authorization": node["authorization"]},
    )


async def ledger_state(hub: Hub) -> tuple[object, ...]:
    """Everything a push may change: the report, the stock and the inbox size."""
    stock = (await hub.client.get("/v1/stores/store-1/stock", headers=hub.admin)).json()
    nodes = (await hub.client.get("/v1/stores/store-1/nodes", headers=hub.admin)).json()
    return (await hub.report(), stock, [node["acked_seq"] for node in nodes])


@pytest.fixture
async def node(hub: Hub) -> dict[str, str]:
    await hub.import_items({"85123A": "2.55", "71053": "3.39"})
    return await enrol(hub)


def sales(node: dict[str, str], count: int, start: int = 1) -> list[dict[str, Any]]:
    return [
        event(
            node, seq, sale_payload(f"T1-{seq:07d}", [("85123A", 6, "2.55"), ("71053", 2, "3.39")])
        )
        for seq in range(start, start + count)
    ]


async def test_the_same_batch_pushed_twice_changes_nothing(hub: Hub, node: dict[str, str]) -> None:
    batch = sales(node, 5)
    first = (await push(hub, node, batch)).json()
    assert (first["acked_seq"], first["accepted"], first["duplicates"]) == (5, 5, 0)
    after_first = await ledger_state(hub)
    second = (await push(hub, node, batch)).json()
    assert (second["acked_seq"], second["accepted"], second["duplicates"]) == (5, 0, 5)
    assert await ledger_state(hub) == after_first
    (row,) = await hub.report()
    assert (row["invoices"], row["lines"], row["units"], row["revenue"]) == (5, 10, 40, "110.40")


async def test_two_copies_of_one_request_at_once_apply_once(hub: Hub, node: dict[str, str]) -> None:
    batch = sales(node, 20)
    responses = await asyncio.gather(*(push(hub, node, batch) for _ in range(3)))
    assert all(response.status_code == 200 for response in responses)
    assert sorted(response.json()["accepted"] for response in responses) == [0, 0, 20]
    (row,) = await hub.report()
    assert row["invoices"] == 20


async def test_events_above_a_gap_are_deferred_until_it_is_filled(
    hub: Hub, node: dict[str, str]
) -> None:
    batch = sales(node, 5)
    gapped = (await push(hub, node, [batch[0], batch[1], batch[3], batch[4]])).json()
    assert (gapped["acked_seq"], gapped["accepted"], gapped["deferred"]) == (2, 2, 2)
    assert gapped["missing"] == [{"first": 3, "last": 3}]
    (row,) = await hub.report()
    assert row["invoices"] == 2  # a node's events apply in seq order: 4 and 5 wait for 3
    filled = (await push(hub, node, [batch[2]])).json()
    assert (filled["acked_seq"], filled["missing"]) == (3, [])
    rest = (await push(hub, node, batch[3:])).json()  # the node sends the deferred again
    assert (rest["acked_seq"], rest["accepted"], rest["deferred"]) == (5, 2, 0)
    (row,) = await hub.report()
    assert row["invoices"] == 5


async def test_a_push_whose_earlier_push_never_comes_is_deferred_after_its_wait(
    hub: Hub, node: dict[str, str]
) -> None:
    batch = sales(node, 5)
    late = (await push(hub, node, batch[3:])).json()  # 1-3 lost on the way
    assert (late["acked_seq"], late["accepted"], late["deferred"]) == (0, 0, 2)
    assert late["missing"] == [{"first": 1, "last": 3}]
    assert await hub.report() == []  # nothing applied out of order


async def test_a_push_behind_pushes_that_keep_coming_waits_as_long_as_the_ack_moves(
    hub: Hub, node: dict[str, str]
) -> None:
    """The hub gives up on a push's turn after `push_order_wait_s` (0.5 s here) without
    progress, not after 0.5 s in all: a push behind eight that arrive one every 0.15 s (more
    than a second together, as a cold hub's first pushes of a catch-up may take) waits for
    them and is applied, instead of being deferred and sent again."""
    batch = sales(node, 9)
    later = asyncio.create_task(push(hub, node, batch[8:]))
    for item in batch[:8]:
        await asyncio.sleep(0.15)
        assert not later.done()
        assert (await push(hub, node, [item])).json()["deferred"] == 0
    answer = (await later).json()
    assert (answer["acked_seq"], answer["accepted"], answer["deferred"]) == (9, 1, 0)
    (row,) = await hub.report()
    assert row["invoices"] == 9


async def test_pushes_in_flight_together_apply_in_seq_order_whatever_order_they_arrive(
    hub: Hub, node: dict[str, str]
) -> None:
    """An edge keeps several pushes in flight; one that reaches the hub before the push
    ahead of it waits for it, so stock moves in the order the till sold: the oversold flags
    fall on the last two sales, not on the first ones."""
    counted = await hub.client.post(
        "/v1/erp/stock",
        json={"location_id": "store-1", "counts": [{"sku": "85123A", "on_hand": 18}]},
        headers=hub.admin,
    )
    assert counted.status_code == 200, counted.text
    batch = sales(node, 5)  # 6 of 85123A each: 18 on hand cover seqs 1 to 3
    later = asyncio.create_task(push(hub, node, batch[3:]))
    await asyncio.sleep(0.1)
    assert not later.done()  # seq 4 follows a gap: it waits for its turn
    earlier = (await push(hub, node, batch[:3])).json()
    assert earlier["acked_seq"] == 3
    answer = (await later).json()
    assert (answer["acked_seq"], answer["accepted"], answer["deferred"]) == (5, 2, 0)
    response = await hub.client.get(
        "/v1/exceptions", params={"kind": "oversold"}, headers=hub.admin
    )
    flagged = {item["document_id"] for item in response.json() if item["sku"] == "85123A"}
    assert flagged == {item["payload"]["sale_id"] for item in batch[3:]}


async def test_a_forked_seq_is_refused_whole_and_nothing_of_the_batch_is_applied(
    hub: Hub, node: dict[str, str]
) -> None:
    await push(hub, node, sales(node, 2))
    before = await ledger_state(hub)
    forked = sales(node, 3, start=2)  # seq 2 again, under a new event id
    response = await push(hub, node, forked)
    assert response.status_code == 409 and response.json()["error"] == "seq_conflict"
    assert await ledger_state(hub) == before


async def test_a_store_can_write_only_its_own_events(hub: Hub, node: dict[str, str]) -> None:
    other = await enrol(hub, "store-2")
    stranger = sales(other, 1)
    response = await push(hub, node, stranger)
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    mixed = sales(node, 1) + [event(other, 2, sale_payload("T1-0000002", [("85123A", 1, "2.55")]))]
    assert (await push(hub, node, mixed)).status_code == 403
    assert await hub.report() == []


async def test_an_event_the_hub_cannot_apply_is_quarantined_without_blocking_those_behind_it(
    hub: Hub, node: dict[str, str]
) -> None:
    batch = sales(node, 3)
    batch[1] = event(node, 2, {"drawer": "opened"}, kind="drawer.opened")
    response = (await push(hub, node, batch)).json()
    assert response["acked_seq"] == 3
    assert [(item["seq"], item["reason"]) for item in response["rejected"]] == [
        (2, "unknown event kind 'drawer.opened'")
    ]
    (row,) = await hub.report()
    assert row["invoices"] == 2


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer vxn_not-a-credential"}, 401)],
)
async def test_sync_needs_a_valid_store_credential(
    hub: Hub, node: dict[str, str], headers: dict[str, str], status: int
) -> None:
    response = await hub.client.post(
        "/v1/sync/push", json=push_body(node, sales(node, 1)), headers=headers
    )
    assert response.status_code == status and response.json()["error"] == "unauthenticated"
    assert (await hub.client.get("/v1/sync/feed", headers=headers)).status_code == status


async def test_an_enrolment_token_works_once(hub: Hub) -> None:
    await hub.create_store("store-1")
    token = await hub.token("store-1")
    body = {"protocol_version": 1, "token": token, "node_name": "till-pc"}
    assert (await hub.client.post("/v1/sync/enrol", json=body)).status_code == 200
    again = await hub.client.post("/v1/sync/enrol", json=body)
    assert again.status_code == 401


async def test_oversized_and_malformed_requests_are_refused_and_change_nothing(
    hub: Hub, node: dict[str, str]
) -> None:
    huge = sales(node, 1)
    huge[0]["payload"]["lines"] = huge[0]["payload"]["lines"] * 15000
    response = await push(hub, node, huge)
    assert response.status_code == 413 and response.json()["error"] == "request_too_large"
    broken = await hub.client.post(
        "/v1/sync/push",
        content=b"{not json",
        headers={"Authorization": node["authorization"], "Content-Type": "application/json"},
    )
    assert broken.status_code == 422
    naive = push_body(node, sales(node, 1))
    naive["sent_at"] = "2010-12-01T10:00:00"
    refused = await hub.client.post(
        "/v1/sync/push", json=naive, headers={"Authorization": node["authorization"]}
    )
    assert refused.status_code == 422 and "timezone" in refused.json()["detail"].lower()
    assert await hub.report() == []


async def test_a_malformed_sale_is_quarantined_and_the_rest_of_the_batch_recorded(
    hub: Hub, node: dict[str, str]
) -> None:
    batch = sales(node, 3)
    lines = batch[1]["payload"]["lines"]
    lines[1]["line_no"] = 1  # two lines numbered 1: it cannot be put in the ledger as it is
    response = (await push(hub, node, batch)).json()
    assert response["acked_seq"] == 3
    assert [(item["seq"], item["reason"]) for item in response["rejected"]] == [
        (2, "line numbers repeat")
    ]
    (row,) = await hub.report()
    assert row["invoices"] == 2


async def test_a_sale_the_database_refuses_is_quarantined_alone(
    hub: Hub, node: dict[str, str]
) -> None:
    # A NUL character, which PostgreSQL text columns refuse, is refused by the wire message
    # (shared.bounds): the event is quarantined with the reason, the others applied.
    batch = sales(node, 3)
    batch[1]["payload"]["lines"][0]["description"] = "BAD\u0000ROW"
    response = await push(hub, node, batch)
    assert response.status_code == 200, response.text
    (rejected,) = response.json()["rejected"]
    assert rejected["seq"] == 2 and "control characters" in rejected["reason"]
    assert response.json()["acked_seq"] == 3
    (row,) = await hub.report()
    assert row["invoices"] == 2


async def test_stock_is_opening_count_plus_movements(hub: Hub, node: dict[str, str]) -> None:
    opening = await hub.client.post(
        "/v1/erp/stock",
        json={
            "location_id": "store-1",
            "counts": [{"sku": "85123A", "on_hand": 100}, {"sku": "NOPE", "on_hand": 1}],
        },
        headers=hub.admin,
    )
    assert opening.json()["unknown_skus"] == ["NOPE"]
    await push(hub, node, sales(node, 3))
    stock = (await hub.client.get("/v1/stores/store-1/stock", headers=hub.admin)).json()
    assert stock == {"85123A": 100 - 18, "71053": -6}  # a sale is never refused for lack of stock


async def test_the_feed_pages_with_a_cursor_and_never_skips_a_late_commit(
    hub: Hub, node: dict[str, str], pg_url: str
) -> None:
    headers = {"Authorization": node["authorization"]}

    async def read(cursor: str | None) -> dict[str, Any]:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await hub.client.get("/v1/sync/feed", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page

    cursor: str | None = None
    keys: list[str] = []
    while True:
        page = await read(cursor)
        keys += [f"{entry['entity']}:{entry['key']}" for entry in page["entries"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert keys == [
        "product:85123A",
        "price:default:85123A",
        "product:71053",
        "price:default:71053",
        "store:store-1",
    ]

    # Transaction A writes first but commits last; B commits in between.
    dsn = pg_url.replace("postgresql+asyncpg", "postgresql")
    slow, fast = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    insert = (
        "INSERT INTO feed_entry (txid, store_id, entity, entity_key, version, op, payload, created_at) "
        "VALUES (pg_current_xact_id()::text::bigint, NULL, 'product', $1, 1, 'upsert', "
        '\'{"sku": "X"}\'::jsonb, now())'
    )
    try:
        slow_transaction = slow.transaction()
        await slow_transaction.start()
        await slow.execute(insert, "late")
        await fast.execute(insert, "early")
        assert (await read(cursor))[
            "entries"
        ] == []  # not even "early": "late" may still land before it
        await slow_transaction.commit()
    finally:
        await slow.close()
        await fast.close()
    page = await read(cursor)
    assert [entry["key"] for entry in page["entries"]] == ["late", "early"]


async def test_a_cursor_the_hub_never_issued_is_refused(hub: Hub, node: dict[str, str]) -> None:
    response = await hub.client.get(
        "/v1/sync/feed",
        params={"cursor": "garbage"},
        headers={"Authorization": node["authorization"]},
    )
    assert response.status_code == 422 and response.json()["error"] == "invalid_cursor"


async def test_an_event_id_reused_under_another_seq_is_refused_whole(
    hub: Hub, node: dict[str, str]
) -> None:
    first = sales(node, 1)
    assert (await push(hub, node, first)).status_code == 200
    before = await ledger_state(hub)
    (second,) = sales(node, 1, start=2)
    second["event_id"] = first[0]["event_id"]  # a node bug: one event id, two seqs
    response = await push(hub, node, [second])
    assert response.status_code == 409 and response.json()["error"] == "event_id_reused"
    assert await ledger_state(hub) == before  # nothing of the batch applied


async def test_a_second_event_for_a_recorded_sale_or_receipt_is_quarantined(
    hub: Hub, node: dict[str, str]
) -> None:
    (original,) = sales(node, 1)
    assert (await push(hub, node, [original])).status_code == 200
    before = await hub.report()
    same_sale = event(node, 2, dict(original["payload"]))
    same_receipt = event(node, 3, sale_payload("T1-0000001", [("85123A", 1, "2.55")]))
    unknown_field = event(
        node,
        4,
        {
            "entity": "customer",
            "key": "C-1",
            "fields": {"shoe_size": {"value": "9", "hlc": "001291197600000-000001-x"}},
        },
        kind="record.updated",
    )
    response = (await push(hub, node, [same_sale, same_receipt, unknown_field])).json()
    assert response["acked_seq"] == 4  # received, acknowledged: nothing blocks what follows
    reasons = {item["seq"]: item["reason"] for item in response["rejected"]}
    assert set(reasons) == {2, 3, 4}
    assert "already recorded" in reasons[2] and "T1-0000001" in reasons[3]
    assert "shoe_size" in reasons[4]
    assert await hub.report() == before  # the first sale counted once, nothing else


async def test_impossible_amounts_and_currencies_are_quarantined_not_a_refused_batch(
    hub: Hub, node: dict[str, str]
) -> None:
    (huge,) = sales(node, 1)
    payload: Any = huge["payload"]
    payload["lines"][0]["terms"] = {"discount": "1e30", "tax": "0"}
    huge["schema_version"] = 2
    (odd_tax,) = sales(node, 1, start=2)
    odd_tax["schema_version"] = 2
    odd_tax["payload"]["lines"][0]["terms"] = {"tax": "99.00"}
    strange_cash = event(
        node,
        3,
        {
            "movement_id": "0193b3a2-0000-7000-8000-000000000001",
            "till_id": "T1",
            "kind": "float",
            "amount": "10.00",
            "currency": "XYZ",
            "reason": "",
            "business_day": "2010-12-01",
            "business_time": "2010-12-01T09:00:00+00:00",
        },
        kind="cash.moved",
    )
    (fine,) = sales(node, 1, start=4)
    response = await push(hub, node, [huge, odd_tax, strange_cash, fine])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["acked_seq"] == 4
    reasons = {item["seq"]: item["reason"] for item in body["rejected"]}
    assert set(reasons) == {1, 2, 3}, reasons
    assert "decimal string" in reasons[1] and "not a share" in reasons[2] and "XYZ" in reasons[3]
    assert (await hub.report())[0]["invoices"] == 1  # the good sale behind them is in
