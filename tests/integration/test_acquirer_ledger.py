"""The simulated acquirer's money invariants over random sequences of charges, refunds,
retries and restarts (hypothesis), on a real SQLite file: a refund never exceeds what its
payment captured, a retried key never moves money twice, and the settlement report adds up
to exactly what moved."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.money import Money
from vectis.acquirer.clock import AcquirerClock
from vectis.acquirer.rules import CARD_DECLINED, CARD_HELD_FOR_REVIEW
from vectis.acquirer.service import Acquirer
from vectis.acquirer.store import AcquirerStore

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CARDS = ["4242424242424242", "5555555555554444", CARD_DECLINED, CARD_HELD_FOR_REVIEW]


def money(minor: int) -> Decimal:
    return Money.from_minor(minor, "GBP").amount


charge = st.tuples(st.just("charge"), st.integers(1, 5000), st.sampled_from(CARDS))
refund = st.tuples(st.just("refund"), st.integers(0, 9), st.integers(1, 3000))
retry = st.tuples(st.just("retry"), st.integers(0, 30), st.just(0))
restart = st.tuples(st.just("restart"), st.just(0), st.just(0))
steps = st.lists(st.one_of(charge, refund, retry, restart), min_size=1, max_size=30)


@dataclass
class Model:
    """What the test expects to have moved, kept by the test itself."""

    captured: dict[str, int] = field(default_factory=dict)
    refunded: dict[str, int] = field(default_factory=dict)
    sent: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(steps)
def test_no_sequence_of_charges_refunds_and_retries_moves_money_wrongly(
    plan: list[tuple[str, int, Any]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "acquirer.db"
        clock = AcquirerClock(manual=True, start=DAY)
        store = AcquirerStore(path)
        acquirer = Acquirer(store, clock)
        model = Model()
        payments: list[str] = []

        def send(key: str, call: tuple[Any, ...]) -> tuple[int, dict[str, Any]]:
            if call[0] == "charge":
                _, minor, card = call
                return acquirer.create_payment(
                    money(int(minor)), "GBP", str(card), True, key, f"S{len(key) % 3}/T1/{key}"
                )
            _, payment_id, minor = call
            return acquirer.refund(str(payment_id), money(int(minor)), key)

        for number, (kind, a, b) in enumerate(plan):
            if kind == "restart":
                store.close()
                store = AcquirerStore(path)
                acquirer = Acquirer(store, clock)
                continue
            if kind == "retry":
                if not model.sent:
                    continue
                key, earlier = model.sent[a % len(model.sent)]
                status, body = send(key, earlier)
                assert status == 200 and body["replayed"] is True
                continue
            key = f"op:{number}"
            if kind == "charge":
                call: tuple[Any, ...] = ("charge", a, b)
            else:
                if not payments:
                    continue
                call = ("refund", payments[a % len(payments)], b)
            status, body = send(key, call)
            assert status == 201 and body["replayed"] is False
            model.sent.append((key, call))
            if kind == "charge":
                if body["status"] == "captured":
                    payments.append(str(body["payment_id"]))
                    model.captured[str(body["payment_id"])] = a
                else:
                    assert body["decline_code"] is not None
                continue
            payment_id = str(call[1])
            left = model.captured[payment_id] - model.refunded.get(payment_id, 0)
            if b <= left:
                assert body["status"] == "refunded"
                model.refunded[payment_id] = model.refunded.get(payment_id, 0) + b
            else:
                assert (body["status"], body["decline_code"]) == (
                    "declined",
                    "refund_exceeds_capture",
                )

        for payment_id, captured in model.captured.items():
            stored = store.payment(payment_id)
            assert stored is not None
            assert stored["captured_minor"] == captured
            assert stored["refunded_minor"] == model.refunded.get(payment_id, 0) <= captured
        report = acquirer.settlement(DAY.date().isoformat(), None, None)
        captured_total = sum(model.captured.values())
        refunded_total = sum(model.refunded.values())
        assert report["captured"] == str(money(captured_total))
        assert report["refunded"] == str(money(refunded_total))
        assert report["net"] == str(money(captured_total - refunded_total))
        by_store = report["by_reference"].values()
        assert sum(Decimal(totals["net"]) for totals in by_store) == Decimal(report["net"])
        moved_keys = [item["idempotency_key"] for item in report["items"]]
        assert len(moved_keys) == len(set(moved_keys))
        store.close()
