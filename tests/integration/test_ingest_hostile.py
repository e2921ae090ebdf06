"""What a hostile or buggy node can send the hub: every batch is refused whole (409/422, with
nothing applied) or answered 200 with each bad event quarantined with its reason; never a 500.
On PostgreSQL and on the embedded SQLite hub, whose columns refuse different things."""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.test_hub_sync import enrol, push, sales
from tests.support import Hub, event, push_body

JSON = dict[str, Any]


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def any_hub(request: pytest.FixtureRequest) -> Hub:
    hub: Hub = request.getfixturevalue("hub" if request.param == "postgresql" else "sqlite_hub")
    return hub


@pytest.fixture
async def node(any_hub: Hub) -> dict[str, str]:
    await any_hub.import_items({"85123A": "2.55", "71053": "3.39"})
    return await enrol(any_hub)


async def state(hub: Hub) -> tuple[object, ...]:
    """What a push may change: the report, the inbox (quarantine), the node's ack."""
    nodes = (await hub.client.get("/v1/stores/store-1/nodes", headers=hub.admin)).json()
    quarantine = (await hub.client.get("/v1/quarantine", headers=hub.admin)).json()
    return (await hub.report(), quarantine, [item["acked_seq"] for item in nodes])


def at(seq: int, change: Callable[[JSON], None]) -> Callable[[list[JSON]], None]:
    """A change of the event at `seq` (1-based) of a batch."""

    def apply(batch: list[JSON]) -> None:
        change(batch[seq - 1])

    return apply


def setter(*path: Any, value: Any) -> Callable[[JSON], None]:
    def apply(item: JSON) -> None:
        target: Any = item
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return apply


def second_event_id_reused(batch: list[JSON]) -> None:
    batch[2]["event_id"] = batch[1]["event_id"]


def one_event_twice_altered(batch: list[JSON]) -> None:
    twin = copy.deepcopy(batch[1])
    twin["payload"]["till_id"] = "T9"
    batch.append(twin)


BATCH_REFUSALS = {
    "seq beyond int64": (at(3, setter("seq", value=2**63)), 422, "validation_error"),
    "schema_version beyond int32": (
        at(2, setter("schema_version", value=2**31)),
        422,
        "validation_error",
    ),
    "NUL in the kind": (
        at(2, setter("kind", value="sale.\u0000completed")),
        422,
        "malformed_batch",
    ),
    "NUL in the HLC": (at(2, setter("hlc", value="1\u00002")), 422, "validation_error"),
    "occurred_at beyond year 9999 in UTC": (
        at(2, setter("occurred_at", value="9999-12-31T23:59:59-14:00")),
        422,
        "malformed_batch",
    ),
    "occurred_at before year 1 in UTC": (
        at(2, setter("occurred_at", value="0001-01-01T00:00:00+14:00")),
        422,
        "malformed_batch",
    ),
    "one event id under two seqs": (second_event_id_reused, 409, "event_id_reused"),
    "one event twice with different content": (one_event_twice_altered, 422, "malformed_batch"),
}


@pytest.mark.parametrize("case", list(BATCH_REFUSALS))
async def test_a_batch_the_inbox_cannot_hold_is_refused_whole(
    any_hub: Hub, node: dict[str, str], case: str
) -> None:
    spoil, status, error = BATCH_REFUSALS[case]
    await push(any_hub, node, sales(node, 1))
    before = await state(any_hub)
    batch = sales(node, 3, start=2)
    spoil(batch)
    response = await push(any_hub, node, batch)
    assert (response.status_code, response.json()["error"]) == (status, error), response.text
    assert await state(any_hub) == before  # nothing of the batch applied


async def test_a_batch_sent_at_no_instant_in_utc_is_refused(
    any_hub: Hub, node: dict[str, str]
) -> None:
    body = push_body(node, sales(node, 2)) | {"sent_at": "9999-12-31T23:59:59-14:00"}
    response = await any_hub.client.post(
        "/v1/sync/push", json=body, headers={"Authorization": node["authorization"]}
    )
    assert (response.status_code, response.json()["error"]) == (422, "malformed_batch")
    assert await any_hub.report() == []


def line(field: str, value: Any) -> Callable[[JSON], None]:
    return setter("payload", "lines", 0, field, value=value)


def terms(**values: Any) -> Callable[[JSON], None]:
    def apply(item: JSON) -> None:
        item["schema_version"] = 2
        item["payload"]["lines"][0]["terms"] = values

    return apply


QUARANTINES = {
    "line_no beyond int32": (
        line("line_no", 2**31),
        "lines.0.line_no: Input should be less than or equal to 2147483647",
    ),
    "price_version beyond int32": (
        line("price_version", 2**31),
        "lines.0.price_version: Input should be less than or equal to 2147483647",
    ),
    "promotion_version beyond int32": (
        terms(promotion_version=2**31),
        "promotion_version: Input should be less than or equal to 2147483647",
    ),
    "tax_version beyond int64": (terms(tax_version=2**70), "tax_version"),
    "tax rate beyond NUMERIC": (
        terms(tax_rate="1E+999999"),
        "lines.0.terms.tax_rate: Value error, a percentage must be",
    ),
    "tender_no beyond int32": (
        setter("payload", "tenders", 0, "tender_no", value=2**31),
        "tenders.0.tender_no: Input should be less than or equal to 2147483647",
    ),
    "unit price beyond NUMERIC": (
        line("unit_price", "1E+999999999"),
        "lines.0.unit_price: Value error, a number must be a decimal string",
    ),
    "unit price below NUMERIC's places": (
        line("unit_price", "1E-99999"),
        "lines.0.unit_price: Value error, a number must be a decimal string",
    ),
    "line total of a billion digits": (
        line("line_total", "1E+999999999"),
        "lines.0.line_total: Value error",
    ),
    "business time beyond year 9999 in UTC": (
        setter("payload", "business_time", value="9999-12-31T23:59:59-14:00"),
        "business time 9999-12-31T23:59:59-14:00 is out of range",
    ),
    "an unknown currency": (setter("payload", "currency", value="XXX"), "unknown currency 'XXX'"),
    "a sale with no lines": (setter("payload", "lines", value=[]), "lines"),
}


@pytest.mark.parametrize("case", list(QUARANTINES))
async def test_an_event_the_ledger_cannot_hold_is_quarantined_alone(
    any_hub: Hub, node: dict[str, str], case: str
) -> None:
    spoil, reason = QUARANTINES[case]
    batch = sales(node, 3)
    spoil(batch[1])
    response = await push(any_hub, node, batch)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["acked_seq"] == 3 and body["accepted"] == 3
    (rejected,) = body["rejected"]
    assert rejected["seq"] == 2 and reason in rejected["reason"], rejected
    (row,) = await any_hub.report()
    assert row["invoices"] == 2  # the events behind it are applied and acknowledged
    again = (await push(any_hub, node, batch)).json()
    assert (again["accepted"], again["duplicates"], again["acked_seq"]) == (0, 3, 3)


def cash(node: dict[str, str], seq: int, **changes: Any) -> JSON:
    payload = {
        "movement_id": "0190a7c0-0000-7000-8000-00000000000" + str(seq),
        "till_id": "T1",
        "kind": "paid_in",
        "amount": "5.00",
        "currency": "GBP",
        "reason": "float top-up",
        "business_day": "2010-12-01",
        "business_time": "2010-12-01T10:00:00+00:00",
    } | changes
    return event(node, seq, payload, kind="cash.moved")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"business_time": "9999-12-31T23:59:59-14:00"}, "refused it"),
        ({"amount": "1E+999999999"}, "amount: Value error, a number must be a decimal string"),
    ],
)
async def test_a_cash_movement_the_hub_cannot_hold_is_quarantined_alone(
    any_hub: Hub, node: dict[str, str], changes: JSON, reason: str
) -> None:
    batch = [cash(node, 1), cash(node, 2, **changes), cash(node, 3)]
    response = await push(any_hub, node, batch)
    assert response.status_code == 200, response.text
    (rejected,) = response.json()["rejected"]
    assert rejected["seq"] == 2 and reason in rejected["reason"], rejected
    assert response.json()["acked_seq"] == 3
    report = await any_hub.client.get("/v1/reports/cash", headers=any_hub.admin)
    assert [row["movements"] for row in report.json()["rows"]] == [2]


def nul_description(item: JSON) -> None:
    # Passes every check of the hub's own; PostgreSQL's text refuses it: the ledger's batch
    # insert fails, and the hub records event by event, each in a savepoint.
    item["payload"]["lines"][0]["description"] = "BAD\u0000ROW"


SPOILERS: dict[str, Callable[[JSON], None]] = {
    name: spoil for name, (spoil, _) in QUARANTINES.items()
} | {"NUL the database refuses": nul_description}


@settings(
    max_examples=int(os.environ.get("VECTIS_INGEST_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(st.none() | st.sampled_from(sorted(SPOILERS)), min_size=1, max_size=10),
    data=st.data(),
)
async def test_every_well_formed_event_is_applied_once_whatever_the_batch_holds(
    hub: Hub, plan: list[str | None], data: st.DataObject
) -> None:
    """For any batch whose events are well formed or spoiled (as above), in any order, with
    one seq held back or none: the seqs below the gap are applied once (exactly the spoiled
    ones quarantined), those above it deferred (a node's events apply in seq order), the ack
    is the highest seq below the gap, and a push of everything fills it. On PostgreSQL,
    where the database refuses the most."""
    await hub.import_items({"85123A": "2.55", "71053": "3.39"})
    store_id = f"p-{uuid.uuid4().hex[:12]}"
    node = await enrol(hub, store_id)
    batch = sales(node, len(plan))
    for item, spoiler in zip(batch, plan, strict=True):
        if spoiler is not None:
            SPOILERS[spoiler](item)
    bad = {seq for seq, spoiler in enumerate(plan, start=1) if spoiler is not None}
    held_back = data.draw(st.none() | st.integers(1, len(plan)), label="held back")
    sent = data.draw(st.permutations([item for item in batch if item["seq"] != held_back]))

    async def invoices() -> int:
        rows = await hub.report("store")
        return sum(row["invoices"] for row in rows if row["store_id"] == store_id)

    response = await push(hub, node, sent)
    assert response.status_code == 200, response.text
    first = response.json()
    below = len(plan) if held_back is None else held_back - 1  # the seqs before the gap
    assert {item["seq"] for item in first["rejected"]} == {seq for seq in bad if seq <= below}
    assert (first["accepted"], first["deferred"]) == (below, len(sent) - below)
    assert first["acked_seq"] == below
    if held_back is not None and held_back < len(plan):
        assert first["missing"] == [{"first": held_back, "last": held_back}]
    assert await invoices() == len([seq for seq in range(1, below + 1) if seq not in bad])
    again = (await push(hub, node, batch)).json()  # everything, the held-back seq included
    assert again["acked_seq"] == len(plan) and again["missing"] == []
    assert again["duplicates"] == below and again["accepted"] == len(batch) - below
    assert await invoices() == len(plan) - len(bad)
