"""The refund request's and the B2B order's state machines: random sequences of steps only ever
take the moves the approvals allow, final statuses stay final, a replayed step changes nothing."""

from __future__ import annotations

import subprocess
import sys
import uuid
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.domain import b2b, refunds
from hub.domain.b2b import B2BStatus, B2BStep
from hub.domain.refunds import RefundStatus
from hub.errors import (
    B2BNotAwaitingDecision,
    RefundAlreadyDecided,
    SelfApproval,
    StatusChangeRefused,
)
from sync import messages

# The moves of docs/refund-approvals.md and docs/b2b-approvals.md, written out again here so
# that the tests do not check the domain's tables against themselves.
REFUND_MOVES = {
    ("pending", "approved"),
    ("pending", "rejected"),
    ("pending", "expired"),
    ("approved", "executed"),
    ("approved", "lapsed"),
}
B2B_MOVES = {
    ("cart_submitted", "cart_approved"),
    ("cart_submitted", "cart_rejected"),
    ("cart_submitted", "expired"),
    ("cart_approved", "payment_composed"),
    ("cart_approved", "lapsed"),
    ("payment_composed", "payment_approved"),
    ("payment_composed", "cart_approved"),  # HQ rejected the payment
    ("payment_composed", "expired"),
    ("payment_approved", "placed"),
    ("payment_approved", "blocked"),
    ("placed", "fulfilled"),
    ("placed", "lapsed"),
}
REFUND_FINAL = {"rejected", "expired", "executed", "lapsed"}
B2B_FINAL = {"cart_rejected", "blocked", "fulfilled", "expired", "lapsed"}

# A step is what one side does: the workflow records an outcome, ingest or placing takes a step
# of its own. ("record", x) goes through the idempotent path; ("take", x) must be allowed.
refund_steps = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.sampled_from(sorted(refunds.WORKFLOW_OUTCOMES))),
        st.just(("take", RefundStatus.EXECUTED)),
    ),
    max_size=12,
)
b2b_steps = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.sampled_from(sorted(b2b.WORKFLOW_STEPS))),
        st.tuples(
            st.just("take"),
            st.sampled_from(
                [B2BStep.PAYMENT_COMPOSED, B2BStep.PLACED, B2BStep.BLOCKED, B2BStep.FULFILLED]
            ),
        ),
    ),
    max_size=16,
)


def test_the_statuses_are_the_wire_statuses() -> None:
    assert {status.value for status in RefundStatus} == set(get_args(messages.RefundStatus))
    assert {status.value for status in B2BStatus} == set(get_args(messages.B2BStatus))
    assert {status.value for status in refunds.FINAL} == REFUND_FINAL
    assert {status.value for status in b2b.FINAL} == B2B_FINAL


@given(refund_steps)
def test_a_refund_request_only_takes_allowed_moves(steps: list[tuple[str, RefundStatus]]) -> None:
    status = RefundStatus.PENDING
    visited = [status]
    for kind, target in steps:
        before = status
        if kind == "record":
            transition = refunds.record_outcome(before, target)
            status = transition.status
            assert transition.changed == (status != before)
            # The workflow's activity retried after its write committed: nothing changes.
            assert refunds.record_outcome(status, target) == refunds.Transition(status, False)
        else:
            try:
                status = refunds.move(before, target)
            except StatusChangeRefused:
                assert not refunds.can_move(before, target)
        if before in REFUND_FINAL:
            assert status == before
        if status != before:
            assert (before.value, status.value) in REFUND_MOVES
            assert status not in visited  # no status is ever entered twice
            visited.append(status)


@given(b2b_steps)
def test_a_b2b_order_only_takes_allowed_moves(steps: list[tuple[str, B2BStep]]) -> None:
    status = B2BStatus.CART_SUBMITTED
    for kind, step in steps:
        before = status
        if kind == "record":
            transition = b2b.record_step(before, step)
            status = transition.status
            assert transition.changed == b2b.can_take(before, step) == (status != before)
            assert b2b.record_step(status, step) == b2b.Transition(status, False)
        else:
            try:
                status = b2b.take(before, step)
            except StatusChangeRefused:
                assert not b2b.can_take(before, step)
        if before in B2B_FINAL:
            assert status == before
        if status != before:
            assert (before.value, status.value) in B2B_MOVES
        if step == B2BStep.PAYMENT_REJECTED and status != before:
            assert status == B2BStatus.CART_APPROVED  # back for another payment
        # HQ is asked for a decision exactly while the order waits for one.
        phase = b2b.awaiting(status)
        assert (phase is not None) == (
            status in (B2BStatus.CART_SUBMITTED, B2BStatus.PAYMENT_COMPOSED)
        )


@pytest.mark.parametrize("status", list(RefundStatus))
def test_hq_decides_only_a_pending_request_it_did_not_ask_for(status: RefundStatus) -> None:
    request_id = uuid.uuid4()
    if status != RefundStatus.PENDING:
        with pytest.raises(RefundAlreadyDecided):
            refunds.check_decision(request_id, status, "cashier-7", "admin")
        return
    refunds.check_decision(request_id, status, "cashier-7", "admin")
    with pytest.raises(SelfApproval):
        refunds.check_decision(request_id, status, "cashier-7", "cashier-7")


@pytest.mark.parametrize("status", list(B2BStatus))
@pytest.mark.parametrize("phase", ["cart", "payment"])
def test_hq_decides_only_the_phase_an_order_awaits_and_not_its_own(
    status: B2BStatus, phase: b2b.Phase
) -> None:
    order_id = uuid.uuid4()
    if b2b.awaiting(status) != phase:
        with pytest.raises(B2BNotAwaitingDecision):
            b2b.check_decision(order_id, status, phase, "admin", "cashier-7", "cashier-8")
        return
    b2b.check_decision(order_id, status, phase, "admin", "cashier-7", "cashier-8")
    with pytest.raises(SelfApproval):
        b2b.check_decision(order_id, status, phase, "cashier-7", "cashier-7", "cashier-8")
    if phase == "payment":
        with pytest.raises(SelfApproval):
            b2b.check_decision(order_id, status, phase, "cashier-8", "cashier-7", "cashier-8")
    else:  # who composes a payment later may still decide the cart
        b2b.check_decision(order_id, status, phase, "cashier-8", "cashier-7", None)


def test_steps_the_workflows_do_not_record_are_refused() -> None:
    for outcome in (RefundStatus.PENDING, RefundStatus.EXECUTED):
        with pytest.raises(StatusChangeRefused):
            refunds.record_outcome(RefundStatus.PENDING, outcome)
    for step in (B2BStep.PAYMENT_COMPOSED, B2BStep.PLACED, B2BStep.BLOCKED, B2BStep.FULFILLED):
        with pytest.raises(StatusChangeRefused):
            b2b.record_step(B2BStatus.CART_APPROVED, step)


def test_every_order_can_reach_a_final_status() -> None:
    """The workflow's timers end every order; the machine has no status it cannot leave."""
    reachable_final: set[B2BStatus] = set(b2b.FINAL)
    changed = True
    while changed:
        changed = False
        for sources, target in b2b.STEPS.values():
            for source in sources:
                if target in reachable_final and source not in reachable_final:
                    reachable_final.add(source)
                    changed = True
    assert reachable_final == set(B2BStatus)


def test_a_decision_names_the_step_it_records() -> None:
    assert refunds.RefundDecision(True, "admin").outcome == RefundStatus.APPROVED
    assert refunds.RefundDecision(False, "admin").outcome == RefundStatus.REJECTED
    steps = {
        (phase, approved): b2b.B2BDecision(phase, approved, "admin").step
        for phase in ("cart", "payment")
        for approved in (True, False)
    }
    assert steps == {
        ("cart", True): B2BStep.CART_APPROVED,
        ("cart", False): B2BStep.CART_REJECTED,
        ("payment", True): B2BStep.PAYMENT_APPROVED,
        ("payment", False): B2BStep.PAYMENT_REJECTED,
    }
    assert {b2b.decided_phase(step) for step in B2BStep} == {"cart", "payment", None}


def test_the_state_machines_import_only_the_standard_library() -> None:
    """Temporal's workflow sandbox loads them again for every workflow run."""
    probe = (
        "import sys; before = set(sys.modules); "
        "import hub.domain.refunds, hub.domain.b2b; "
        "print('\\n'.join(sorted({name.split('.')[0] for name in set(sys.modules) - before})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.split()
    assert "hub" in loaded
    assert [name for name in loaded if name != "hub" and name not in sys.stdlib_module_names] == []
