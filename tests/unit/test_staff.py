"""Staff at the till: who may do what, sign-in with lockout, manager overrides and PIN changes,
as a cashier or manager meets them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from edge.api.errors import status_of
from edge.domain.staff import (
    PERMISSIONS,
    DiscountThreshold,
    Locked,
    LockoutPolicy,
    NotPermitted,
    OverrideApproved,
    OverrideBySelf,
    Permission,
    PinChanged,
    PinFailed,
    PinNotAccepted,
    Role,
    SignedIn,
    SignInState,
    StaffEvent,
    StaffLocked,
    StaffMember,
    Unlocked,
    WrongPin,
    allows,
    approve_override,
    change_pin,
    sign_in,
    unlock,
)
from shared.errors import InvalidTimestamp
from shared.pins import hash_pin, verify_pin

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FRESH = SignInState()

CASHIER = StaffMember("1001", "Ada Cashier", Role.CASHIER, hash_pin("1234"))
OTHER_CASHIER = StaffMember("1002", "Bo Cashier", Role.CASHIER, hash_pin("2468"))
SUPERVISOR = StaffMember("5001", "Cy Supervisor", Role.SUPERVISOR, hash_pin("5555"))
MANAGER = StaffMember("9001", "Di Manager", Role.MANAGER, hash_pin("9999"))


def fail(member, state, times, start=T0, step=timedelta(minutes=1)):
    events: list[StaffEvent] = []
    for n in range(times):
        outcome = sign_in(member, state, "0000", start + n * step)
        state = outcome.state
        events.extend(outcome.events)
    return state, events


# --- the permissions table ---------------------------------------------------------------


def test_a_cashier_voids_a_line_and_reprints_but_nothing_else_on_their_own():
    assert {p for p in Permission if allows(Role.CASHIER, p)} == {
        Permission.VOID_LINE,
        Permission.REPRINT,
    }


def test_only_a_manager_unlocks_staff_or_closes_another_cashiers_shift():
    for permission in (Permission.UNLOCK_STAFF, Permission.CLOSE_OTHER_SHIFT):
        assert allows(Role.MANAGER, permission)
        assert not allows(Role.SUPERVISOR, permission)
        assert not allows(Role.CASHIER, permission)


def test_each_role_may_do_all_the_role_below_it_may():
    assert PERMISSIONS[Role.CASHIER] <= PERMISSIONS[Role.SUPERVISOR] <= PERMISSIONS[Role.MANAGER]
    assert PERMISSIONS[Role.MANAGER] == frozenset(Permission)


@pytest.mark.parametrize(
    ("percent", "amount", "allowed"),
    [
        (Decimal("10"), None, True),
        (Decimal("10.01"), None, False),
        (None, Decimal("5.00"), True),
        (None, Decimal("5.01"), False),
        (None, None, False),
        (Decimal("1"), Decimal("1"), False),
    ],
)
def test_a_cashier_gives_a_discount_up_to_the_stores_threshold(percent, amount, allowed):
    given = {"discount_percent": percent, "discount_amount": amount}
    assert allows(Role.CASHIER, Permission.DISCOUNT_ABOVE_THRESHOLD, **given) is allowed
    assert allows(Role.SUPERVISOR, Permission.DISCOUNT_ABOVE_THRESHOLD, **given)


def test_the_threshold_is_the_stores_setting():
    strict = DiscountThreshold(percent_max=Decimal(0), amount_max=Decimal("0.50"))
    discount = Permission.DISCOUNT_ABOVE_THRESHOLD
    assert not allows(Role.CASHIER, discount, discount_percent=Decimal(5), threshold=strict)
    assert allows(Role.CASHIER, discount, discount_amount=Decimal("0.50"), threshold=strict)


def test_the_table_in_the_docs_is_the_table_in_the_code():
    text = (Path(__file__).parents[2] / "docs" / "counter.md").read_text(encoding="utf-8")
    section = text.split("## Staff and permissions", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and (code := re.fullmatch(r"`(\w+)`", cells[0])):
            rows[code.group(1)] = cells[1:]
    assert set(rows) == {p.value for p in Permission}
    for permission, marks in rows.items():
        for role, mark in zip((Role.CASHIER, Role.SUPERVISOR, Role.MANAGER), marks, strict=True):
            assert (mark == "yes") is (Permission(permission) in PERMISSIONS[role]), permission


# --- sign-in and lockout -----------------------------------------------------------------


def test_the_right_pin_signs_in():
    outcome = sign_in(CASHIER, FRESH, "1234", T0)
    assert outcome.accepted
    assert outcome.events == (SignedIn("1001", T0),)
    assert outcome.state == FRESH


def test_a_wrong_pin_is_counted_and_names_no_pin():
    outcome = sign_in(CASHIER, FRESH, "4321", T0)
    assert not outcome.accepted
    assert outcome.events == (PinFailed("1001", T0, 1),)
    assert "4321" not in repr(outcome)


def test_five_wrong_pins_lock_for_fifteen_minutes():
    state, events = fail(CASHIER, FRESH, 5)
    fifth = T0 + timedelta(minutes=4)
    until = fifth + timedelta(minutes=15)
    assert events[-2:] == [PinFailed("1001", fifth, 5), Locked("1001", fifth, until)]
    assert state.locked_at(fifth)
    with pytest.raises(StaffLocked) as refused:
        sign_in(CASHIER, state, "1234", until - timedelta(seconds=1))
    assert refused.value.code == "staff_locked"
    assert refused.value.until == until


def test_four_wrong_pins_do_not_lock():
    state, events = fail(CASHIER, FRESH, 4)
    assert not any(isinstance(event, Locked) for event in events)
    assert sign_in(CASHIER, state, "1234", T0 + timedelta(minutes=5)).accepted


def test_the_lock_runs_out_and_the_count_starts_again():
    state, _ = fail(CASHIER, FRESH, 5)
    until = state.locked_until
    assert until is not None
    assert sign_in(CASHIER, state, "1234", until).accepted
    assert sign_in(CASHIER, state, "0000", until).events == (PinFailed("1001", until, 1),)


def test_wrong_pins_spread_beyond_the_window_do_not_lock():
    state, events = fail(CASHIER, FRESH, 10, step=timedelta(minutes=4))
    assert not any(isinstance(event, Locked) for event in events)
    assert len(state.failures) == 4  # those within the last 15 minutes


def test_a_right_pin_resets_the_count():
    state, _ = fail(CASHIER, FRESH, 4)
    state = sign_in(CASHIER, state, "1234", T0 + timedelta(minutes=5)).state
    state, events = fail(CASHIER, state, 4, start=T0 + timedelta(minutes=6))
    assert not state.locked_at(T0 + timedelta(minutes=10))
    assert events[-1] == PinFailed("1001", T0 + timedelta(minutes=9), 4)


def test_the_stores_own_lockout_settings():
    policy = LockoutPolicy(max_failures=2, lock_for=timedelta(minutes=1))
    state = sign_in(CASHIER, FRESH, "0000", T0, policy).state
    outcome = sign_in(CASHIER, state, "0000", T0, policy)
    assert outcome.events[-1] == Locked("1001", T0, T0 + timedelta(minutes=1))


def test_another_staff_members_lock_is_their_own():
    locked, _ = fail(CASHIER, FRESH, 5)
    assert sign_in(OTHER_CASHIER, FRESH, "2468", T0 + timedelta(minutes=5)).accepted
    assert locked.locked_at(T0 + timedelta(minutes=5))


def test_a_naive_time_is_refused():
    with pytest.raises(InvalidTimestamp):
        sign_in(CASHIER, FRESH, "1234", datetime(2026, 3, 2, 9, 0))


@pytest.mark.parametrize("bad", [0, -1])
def test_a_lockout_needs_at_least_one_failure(bad):
    with pytest.raises(ValueError):
        LockoutPolicy(max_failures=bad)


# --- unlock ------------------------------------------------------------------------------


def test_a_manager_unlocks_a_locked_cashier():
    state, _ = fail(CASHIER, FRESH, 5)
    at = T0 + timedelta(minutes=6)
    outcome = unlock(CASHIER, state, MANAGER, at)
    assert outcome.events == (Unlocked("1001", at, "9001"),)
    assert sign_in(CASHIER, outcome.state, "1234", at).accepted


def test_unlocking_someone_not_locked_records_nothing():
    state, _ = fail(CASHIER, FRESH, 2)
    outcome = unlock(CASHIER, state, MANAGER, T0 + timedelta(minutes=3))
    assert outcome.events == ()
    assert outcome.state == FRESH


@pytest.mark.parametrize("by", [SUPERVISOR, OTHER_CASHIER])
def test_only_a_manager_may_unlock(by):
    state, _ = fail(CASHIER, FRESH, 5)
    with pytest.raises(NotPermitted) as refused:
        unlock(CASHIER, state, by, T0 + timedelta(minutes=6))
    assert refused.value.code == "not_permitted"


# --- manager override --------------------------------------------------------------------


def test_a_supervisor_approves_a_cart_void_with_both_names_recorded():
    at = T0 + timedelta(hours=1)
    outcome = approve_override(CASHIER, SUPERVISOR, FRESH, "5555", Permission.VOID_CART, at)
    record = OverrideApproved(
        Permission.VOID_CART, "1001", "Ada Cashier", "5001", "Cy Supervisor", Role.SUPERVISOR, at
    )
    assert outcome.accepted
    assert outcome.override == record
    assert outcome.events == (record,)


def test_a_supervisor_cannot_approve_what_only_a_manager_may_do():
    with pytest.raises(NotPermitted):
        approve_override(CASHIER, SUPERVISOR, FRESH, "5555", Permission.CLOSE_OTHER_SHIFT, T0)


def test_another_cashier_cannot_approve():
    with pytest.raises(NotPermitted):
        approve_override(CASHIER, OTHER_CASHIER, FRESH, "2468", Permission.VOID_CART, T0)


def test_a_manager_cannot_approve_their_own_action():
    with pytest.raises(OverrideBySelf) as refused:
        approve_override(MANAGER, MANAGER, FRESH, "9999", Permission.NO_SALE, T0)
    assert refused.value.code == "override_by_self"


def test_a_wrong_approver_pin_counts_against_the_approver_and_locks_them():
    state = FRESH
    for n in range(5):
        outcome = approve_override(
            CASHIER, MANAGER, state, "1111", Permission.PAID_OUT, T0 + timedelta(seconds=n)
        )
        assert not outcome.accepted and outcome.override is None
        state = outcome.state
    assert isinstance(outcome.events[-1], Locked)
    assert outcome.events[-1].staff_code == "9001"
    with pytest.raises(StaffLocked):
        approve_override(
            CASHIER, MANAGER, state, "9999", Permission.PAID_OUT, T0 + timedelta(minutes=1)
        )


def test_a_locked_approver_cannot_approve_even_with_the_right_pin():
    state, _ = fail(MANAGER, FRESH, 5)
    with pytest.raises(StaffLocked):
        approve_override(
            CASHIER, MANAGER, state, "9999", Permission.PAID_OUT, T0 + timedelta(minutes=5)
        )


def test_a_large_discount_needs_an_approver_who_may_give_it():
    assert not allows(
        Role.CASHIER, Permission.DISCOUNT_ABOVE_THRESHOLD, discount_percent=Decimal(25)
    )
    outcome = approve_override(
        CASHIER,
        MANAGER,
        FRESH,
        "9999",
        Permission.DISCOUNT_ABOVE_THRESHOLD,
        T0,
        discount_percent=Decimal(25),
    )
    assert outcome.accepted


# --- PIN change --------------------------------------------------------------------------


def test_a_staff_member_changes_their_pin_with_the_old_one_first():
    outcome = change_pin(CASHIER, FRESH, "1234", "8531", T0)
    assert outcome.accepted
    assert outcome.events == (PinChanged("1001", T0),)
    assert outcome.new_pin_hash is not None
    assert verify_pin(outcome.new_pin_hash, "8531")
    assert "8531" not in repr(outcome)


def test_a_wrong_old_pin_changes_nothing_and_counts():
    outcome = change_pin(CASHIER, FRESH, "1111", "8531", T0)
    assert not outcome.accepted
    assert outcome.new_pin_hash is None
    assert outcome.events == (PinFailed("1001", T0, 1),)


@pytest.mark.parametrize("new_pin", ["0000", "5678", "4321", "123", "12a45", "1234"])
def test_a_weak_malformed_or_unchanged_new_pin_is_refused(new_pin):
    with pytest.raises(PinNotAccepted) as refused:
        change_pin(CASHIER, FRESH, "1234", new_pin, T0)
    assert refused.value.code == "pin_not_accepted"


def test_a_locked_staff_member_cannot_change_their_pin():
    state, _ = fail(CASHIER, FRESH, 5)
    with pytest.raises(StaffLocked):
        change_pin(CASHIER, state, "1234", "8531", T0 + timedelta(minutes=5))


def test_a_wrong_pin_and_a_role_not_allowed_answer_401_and_403_not_500() -> None:
    assert (status_of(WrongPin), status_of(NotPermitted)) == (401, 403)
