"""What the hub checks in what it records: a sale line's arithmetic, and an event re-sent under
a held seq and event id with other content. Both are recorded for HQ (the exception queue),
neither changes what the till recorded; on PostgreSQL and the embedded SQLite hub."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.test_exceptions import exceptions
from tests.integration.test_hub_sync import enrol, push, sales
from tests.support import Hub, event, sale_payload

JSON = dict[str, Any]


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def any_hub(request: pytest.FixtureRequest) -> Hub:
    hub: Hub = request.getfixturevalue("hub" if request.param == "postgresql" else "sqlite_hub")
    return hub


@pytest.fixture
async def node(any_hub: Hub) -> dict[str, str]:
    await any_hub.import_items({"A": "0.335", "B": "2.00"})
    return await enrol(any_hub)


def recorded_as(payload: JSON, totals: list[str]) -> JSON:
    """`payload` with these line totals, its total their sum, paid exactly in cash: only the
    lines' own arithmetic can be wrong."""
    for item, amount in zip(payload["lines"], totals, strict=True):
        item["line_total"] = amount
    total = str(sum(Decimal(amount) for amount in totals))
    payload["total"] = total
    payload["tenders"][0] |= {"amount": total, "tendered": total}
    return payload


async def test_a_line_that_does_not_add_up_is_booked_as_rung_and_flagged(
    any_hub: Hub, node: dict[str, str]
) -> None:
    # 3 x 0.335 = 1.005, which rounds (HALF_UP) to 1.01; the till said 1.00 for it.
    wrong = recorded_as(
        sale_payload("T1-0000001", [("A", 3, "0.335"), ("B", 2, "2.00")]),
        [
            "1.00",
            "4.00",
        ],
    )
    right = sale_payload("T1-0000002", [("A", 3, "0.335")])
    assert right["lines"][0]["line_total"] == "1.01"
    response = await push(any_hub, node, [event(node, 1, wrong), event(node, 2, right)])
    assert response.status_code == 200 and response.json()["rejected"] == []
    (row,) = await any_hub.report()
    assert (row["invoices"], row["revenue"]) == (2, "6.01")  # money taken is a fact
    (flagged,) = await exceptions(any_hub, kind="line_arithmetic")
    assert flagged["document_id"] == wrong["sale_id"] and flagged["sku"] == "A"
    assert flagged["detail"] == (
        "line 1: 3 x 0.335 less 0 discount is 101 minor units, the till recorded 100"
    )


async def test_a_discounted_line_is_checked_net_of_its_discount(
    any_hub: Hub, node: dict[str, str]
) -> None:
    def discounted(receipt: str, line_total: str) -> JSON:
        payload = recorded_as(sale_payload(receipt, [("B", 2, "2.00")]), [line_total])
        payload["lines"][0]["terms"] = {
            "discount": "0.40",
            "promotion_id": "P",
            "promotion_version": 1,
        }
        return event(node, int(receipt[-1]), payload) | {"schema_version": 2}

    response = await push(any_hub, node, [discounted("T1-1", "3.60"), discounted("T1-2", "4.00")])
    assert response.json()["rejected"] == []
    (flagged,) = await exceptions(any_hub, kind="line_arithmetic")
    assert flagged["detail"].endswith("less 40 discount is 360 minor units, the till recorded 400")


async def test_a_line_given_back_inside_a_sale_is_checked_with_its_sign(
    any_hub: Hub, node: dict[str, str]
) -> None:
    payload = sale_payload("T1-0000001", [("B", 3, "2.00"), ("B", -1, "2.00")])
    assert [item["line_total"] for item in payload["lines"]] == ["6.00", "-2.00"]
    response = await push(any_hub, node, [event(node, 1, payload)])
    assert response.json()["rejected"] == []
    assert await exceptions(any_hub, kind="line_arithmetic") == []
    (row,) = await any_hub.report()
    assert (row["units"], row["revenue"]) == (2, "4.00")


def gauge(text: str, name: str) -> float:
    for family in text_string_to_metric_families(text):
        if family.name == name:
            return float(family.samples[0].value)
    raise AssertionError(f"no metric {name}")


async def altered_count(hub: Hub) -> float:
    return gauge((await hub.client.get("/metrics")).text, "vectis_hub_events_altered")


async def test_an_altered_resend_stays_a_duplicate_and_hq_hears_of_it(
    any_hub: Hub, node: dict[str, str]
) -> None:
    batch = sales(node, 3)
    await push(any_hub, node, batch)
    before = await any_hub.report()
    identical = await push(any_hub, node, copy.deepcopy(batch))
    assert identical.json()["duplicates"] == 3
    assert await exceptions(any_hub, kind="altered_resend") == []  # a plain re-send is silent
    assert await altered_count(any_hub) == 0
    altered = copy.deepcopy(batch)
    altered[1]["payload"]["lines"][0]["quantity"] = 600
    for _ in range(2):  # the node retries: HQ hears of it once
        response = (await push(any_hub, node, altered)).json()
        assert (response["accepted"], response["duplicates"], response["acked_seq"]) == (0, 3, 3)
    assert await any_hub.report() == before  # the held event stands
    (flagged,) = await exceptions(any_hub, kind="altered_resend")
    assert flagged["document_id"] == batch[1]["event_id"] and flagged["store_id"] == "store-1"
    assert flagged["detail"].startswith(
        f"event {batch[1]['event_id']} (seq 2) was sent again with other content"
    )
    assert await altered_count(any_hub) == 2
    shown = await any_hub.client.get(f"/v1/events/{batch[1]['event_id']}", headers=any_hub.admin)
    assert shown.json()["payload"]["lines"][0]["quantity"] == 6


async def test_a_resend_is_compared_by_content_not_by_spelling(
    any_hub: Hub, node: dict[str, str]
) -> None:
    (sale,) = sales(node, 1)
    await push(any_hub, node, [sale])
    reordered = dict(reversed(list(sale.items())))
    reordered["payload"] = dict(reversed(list(sale["payload"].items())))
    reordered["occurred_at"] = "2010-12-01T11:00:00+01:00"  # the same instant
    response = (await push(any_hub, node, [reordered])).json()
    assert response["duplicates"] == 1
    assert await exceptions(any_hub, kind="altered_resend") == []


async def test_an_event_held_before_digests_is_compared_by_its_stored_content(
    hub: Hub, pg_url: str
) -> None:
    await hub.import_items({"85123A": "2.55", "71053": "3.39"})
    node = await enrol(hub)
    batch = sales(node, 2)
    await push(hub, node, batch)
    connection = await asyncpg.connect(pg_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute("UPDATE sync_event SET content_sha256 = NULL")  # as 0017 left it
    finally:
        await connection.close()
    assert (await push(hub, node, copy.deepcopy(batch))).json()["duplicates"] == 2
    assert await exceptions(hub, kind="altered_resend") == []
    batch[0]["payload"]["till_id"] = "T9"
    assert (await push(hub, node, batch)).json()["duplicates"] == 2
    (flagged,) = await exceptions(hub, kind="altered_resend")
    assert flagged["document_id"] == batch[0]["event_id"]
