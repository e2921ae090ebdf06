"""The tills' audit trail at a real PostgreSQL hub: each `audit.recorded` event kept once
with its store, and listed by HQ with GET /v1/audit beside HQ's own changes (source
`store` / `hq`), filtered by store, staff (who did it or approved it), kind, till and time."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.test_hub_sync import enrol, push
from tests.support import JSON, Hub, event


def audited(
    kind: str,
    at: str,
    staff: str = "1001",
    *,
    approver: str | None = None,
    till: str = "T1",
    audit_id: str | None = None,
    **details: str,
) -> JSON:
    return {
        "audit_id": audit_id or str(uuid.uuid4()),
        "kind": kind,
        "till_id": till,
        "staff_code": staff,
        "staff_name": f"Staff {staff}",
        "approver_code": approver,
        "approver_name": f"Staff {approver}" if approver else None,
        "at": f"2010-12-01T{at}:00+00:00",
        "business_day": "2010-12-01",
        "subject": "cart-1",
        "details": details,
    }


async def listing(hub: Hub, **params: Any) -> JSON:
    response = await hub.client.get("/v1/audit", params=params, headers=hub.admin)
    assert response.status_code == 200, response.text
    page: JSON = response.json()
    return page


def kinds(page: JSON) -> list[tuple[str, str]]:
    return [(entry["store_id"], entry["kind"]) for entry in page["entries"]]


@pytest.fixture
async def trail(hub: Hub) -> dict[str, str]:
    """Two stores' tills audited a morning; returns the id of the override's audit."""
    first, second = await enrol(hub, "store-1"), await enrol(hub, "store-2")
    override = str(uuid.uuid4())
    one = [
        audited("sign_in", "09:00"),
        audited("line_void", "09:30"),
        audited(
            "override",
            "10:00",
            approver="9001",
            audit_id=override,
            permission="void_cart",
        ),
        audited("cart_void", "10:00", approver="9001", till="T2", amount="12.50"),
    ]
    two = [audited("sign_in", "09:15", staff="1002"), audited("no_sale", "11:00", staff="9001")]
    for node, payloads in ((first, one), (second, two)):
        events = [
            event(node, seq, payload, kind="audit.recorded")
            for seq, payload in enumerate(payloads, start=1)
        ]
        response = await push(hub, node, events)
        assert response.status_code == 200 and response.json()["rejected"] == [], response.text
    # The same audit again, in a new event (a till that re-sent it after a restore): kept once.
    again = event(
        first,
        5,
        audited("override", "10:00", approver="9001", audit_id=override),
        kind="audit.recorded",
    )
    assert (await push(hub, first, [again])).json()["acked_seq"] == 5
    return {"override": override}


async def test_each_till_audit_is_kept_once_with_its_store_and_hq_lists_them(
    hub: Hub, trail: dict[str, str]
) -> None:
    page = await listing(hub, source="store")

    assert page["source"] == "store"
    assert kinds(page) == [
        ("store-1", "sign_in"),
        ("store-1", "line_void"),
        ("store-1", "override"),
        ("store-1", "cart_void"),
        ("store-2", "sign_in"),
        ("store-2", "no_sale"),
    ]
    override = page["entries"][2]
    assert override["source"] == "store"
    assert override["audit_id"] == trail["override"]
    assert (override["staff_code"], override["approver_code"]) == ("1001", "9001")
    assert (override["staff_name"], override["approver_name"]) == ("Staff 1001", "Staff 9001")
    assert override["details"] == {"permission": "void_cart"}
    assert override["at"].startswith("2010-12-01T10:00:00")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(
            {"store_id": "store-2"}, [("store-2", "sign_in"), ("store-2", "no_sale")], id="store"
        ),
        pytest.param(
            {"staff": "9001"},
            [("store-1", "override"), ("store-1", "cart_void"), ("store-2", "no_sale")],
            id="staff-who-did-or-approved",
        ),
        pytest.param(
            {"store_id": "store-1", "staff": "9001", "kind": "cart_void"},
            [("store-1", "cart_void")],
            id="store-staff-kind",
        ),
        pytest.param(
            {"kind": "sign_in"}, [("store-1", "sign_in"), ("store-2", "sign_in")], id="kind"
        ),
        pytest.param({"till_id": "T2"}, [("store-1", "cart_void")], id="till"),
        pytest.param(
            {"source": "store", "from": "2010-12-01T09:15:00Z", "to": "2010-12-01T10:00:00Z"},
            [("store-1", "line_void"), ("store-2", "sign_in")],
            id="from-included-to-excluded",
        ),
    ],
)
async def test_hq_filters_the_tills_audit(
    hub: Hub, trail: dict[str, str], params: JSON, expected: list[tuple[str, str]]
) -> None:
    page = await listing(hub, **params)

    assert page["source"] == "store"
    assert kinds(page) == expected


async def test_hq_pages_through_the_tills_audit(hub: Hub, trail: dict[str, str]) -> None:
    seen: list[tuple[str, str]] = []
    after_id = 0
    while True:
        page = await listing(hub, store_id="store-1", limit=3, after_id=after_id)
        if not page["entries"]:
            break
        seen += kinds(page)
        after_id = page["next_after_id"]

    assert seen == [
        ("store-1", "sign_in"),
        ("store-1", "line_void"),
        ("store-1", "override"),
        ("store-1", "cart_void"),
    ]


async def test_without_a_till_filter_the_listing_is_hqs_own_changes_as_before(
    hub: Hub, trail: dict[str, str]
) -> None:
    page = await listing(hub)

    assert page["source"] == "hq"
    assert page["entries"] and {entry["source"] for entry in page["entries"]} == {"hq"}
    assert {entry["route"] for entry in page["entries"]} >= {"/v1/stores"}


@pytest.mark.parametrize(
    "params",
    [
        {"source": "hq", "store_id": "store-1"},
        {"source": "store", "key_id": "k"},
        {"from": "2010-12-01T09:00:00Z", "since": "2010-12-01T09:00:00Z"},
        {"kind": "sign_in", "to": "2010-12-01T09:00:00Z", "until": "2010-12-01T09:00:00Z"},
    ],
)
async def test_filters_of_two_trails_at_once_are_refused_clearly(hub: Hub, params: JSON) -> None:
    response = await hub.client.get("/v1/audit", params=params, headers=hub.admin)

    assert response.status_code == 422 and response.json()["error"] == "invalid_request"


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def any_hub(request: pytest.FixtureRequest) -> Hub:
    hub: Hub = request.getfixturevalue("hub" if request.param == "postgresql" else "sqlite_hub")
    return hub


async def test_a_batch_of_audits_is_kept_in_order_once_and_a_bad_one_is_quarantined_alone(
    any_hub: Hub,
) -> None:
    """Ingest keeps a batch's audits in one write; if the database refuses it, it keeps them
    one by one, so only the audit it cannot hold is quarantined (a time beyond the year
    9999 in UTC). The same audit id twice in one batch is kept once."""
    store_id = f"a-{uuid.uuid4().hex[:10]}"
    node = await enrol(any_hub, store_id)
    twice = str(uuid.uuid4())
    payloads = [
        audited("sign_in", "09:00", audit_id=twice),
        audited("line_void", "09:30"),
        audited("no_sale", "09:40") | {"at": "9999-12-31T23:59:59-14:00"},
        audited("sign_in", "09:00", audit_id=twice),
        audited("cart_void", "10:00", approver="9001", amount="12.50"),
    ]
    events = [
        event(node, seq, payload, kind="audit.recorded")
        for seq, payload in enumerate(payloads, start=1)
    ]
    response = await push(any_hub, node, events)

    assert response.status_code == 200, response.text
    assert response.json()["acked_seq"] == 5
    assert [rejected["seq"] for rejected in response.json()["rejected"]] == [3]
    page = await listing(any_hub, source="store", store_id=store_id)
    assert kinds(page) == [(store_id, "sign_in"), (store_id, "line_void"), (store_id, "cart_void")]
