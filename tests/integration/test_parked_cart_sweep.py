"""The edge job that voids carts left parked past their business day, on a real SQLite file at
the node's clock (the store's calendar, Europe/London)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import timedelta
from typing import Any

import sqlite_utils

from edge.domain.audit import Acting
from edge.domain.staff import Role, StaffMember
from edge.jobs.parked_carts import sweep_parked_carts
from edge.service import parking, selling
from shared.clock import ManualClock
from tests.support import Edge

CASHIER = StaffMember("1001", "Ann Cashier", Role.CASHIER, pin_hash="")


def audit_events(edge: Edge) -> list[dict[str, Any]]:
    """The audit events in the edge's outbox, read from the file as an auditor would."""
    database = sqlite_utils.Database(sqlite3.connect(f"file:{edge.path}?mode=ro", uri=True))
    rows = database.query("SELECT payload FROM outbox WHERE kind = 'audit.recorded' ORDER BY seq")
    return [json.loads(str(row["payload"])) for row in rows]


async def park_a_cart(store: Edge, till_id: str) -> uuid.UUID:
    runtime, identity = store.runtime, store.runtime.identity
    assert identity is not None
    acting = Acting(till_id, CASHIER, uuid.uuid4())
    cart, _ = await runtime.write(
        lambda uow: selling.open_cart_and_scan(
            selling.OpenCart(till_id=till_id),
            [selling.LineInput(sku="A", quantity=2)],
            uow,
            identity=identity,
            clock=runtime.clock,
            authority=None,
        )
    )
    await runtime.write(
        lambda uow: parking.park_cart(cart.cart_id, uow, acting=acting, identity=identity)
    )
    return cart.cart_id


async def test_carts_parked_on_a_past_business_day_are_voided_and_audited(store: Edge) -> None:
    clock = store.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.set(clock.now().replace(hour=22))  # 22:00 on 1 December, London
    yesterday = await park_a_cart(store, "T1")
    swept = await sweep_parked_carts(store.runtime.transactions, lambda: store.runtime.identity)
    assert swept == []  # the day is not over yet
    clock.advance(timedelta(hours=2, minutes=1))  # 00:01 on 2 December
    await store.sign_in("T2")  # T2's shift opens; T1's stays open
    today = await park_a_cart(store, "T2")

    swept = await sweep_parked_carts(store.runtime.transactions, lambda: store.runtime.identity)

    assert swept == [yesterday]
    left = await store.runtime.read(parking.parked_carts)
    assert [(cart.cart_id, cart.till_id) for cart in left] == [(today, "T2")]
    voided = await store.runtime.read(lambda uow: selling.get_cart(yesterday, uow))
    assert voided.status == "voided"
    events = [event for event in audit_events(store) if event["kind"] == "parked_cart_voided"]
    assert len(events) == 1
    (event,) = events
    assert (event["subject"], event["till_id"], event["staff_code"]) == (str(yesterday), "T1", None)
    assert event["details"]["parked_by"] == "1001"
    assert event["details"]["total"] == "5.10"
    assert event["business_day"] == "2010-12-02"
    again = await sweep_parked_carts(store.runtime.transactions, lambda: store.runtime.identity)
    assert again == []


async def test_the_sweep_does_nothing_before_the_node_is_enrolled(store: Edge) -> None:
    assert await sweep_parked_carts(store.runtime.transactions, lambda: None) == []
