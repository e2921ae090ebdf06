"""What the hub checks in what it records: a sale line's arithmetic, recorded for HQ (the
exception queue) without changing what the till recorded; on PostgreSQL and the embedded
SQLite hub."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.integration.test_exceptions import exceptions
from tests.integration.test_hub_sync import enrol, push
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
