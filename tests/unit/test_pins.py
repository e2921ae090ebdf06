"""Staff PINs: the 4-8 digit rule, argon2id hashes that verify on a till in well under 100 ms,
and the check that says when a stored hash should be replaced."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from shared.pins import (
    InvalidPin,
    InvalidPinHash,
    RecentPins,
    check_pin,
    hash_pin,
    is_trivial_pin,
    needs_rehash,
    verify_pin,
)


@pytest.mark.parametrize("pin", ["1234", "0000", "0123", "12345678", "9999"])
def test_four_to_eight_digits_are_a_pin(pin):
    assert check_pin(pin) == pin


@pytest.mark.parametrize(
    "pin", ["", "123", "123456789", "12a4", "12 34", "１２３４", "-123", "12.5"]
)
def test_anything_else_is_refused_with_a_stable_code(pin):
    with pytest.raises(InvalidPin) as refused:
        check_pin(pin)
    assert refused.value.code == "invalid_pin"
    assert pin == "" or pin not in str(refused.value)


def test_the_demo_pins_hash_and_verify():
    for pin in ("1234", "9999"):
        pin_hash = hash_pin(pin)
        assert pin_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert pin not in pin_hash
        assert verify_pin(pin_hash, pin)


def test_a_wrong_pin_does_not_verify():
    pin_hash = hash_pin("1234")
    assert not verify_pin(pin_hash, "1235")
    assert not verify_pin(pin_hash, "01234")
    assert not verify_pin(pin_hash, "12")  # not a PIN at all: simply wrong


def test_the_same_pin_hashes_differently_each_time():
    assert hash_pin("1234") != hash_pin("1234")


def test_hashing_refuses_what_is_not_a_pin():
    with pytest.raises(InvalidPin):
        hash_pin("12345678901")


@pytest.mark.parametrize("damaged", ["", "1234", "$2b$12$notargon", "$argon2id$v=19$junk"])
def test_a_damaged_stored_hash_is_an_error_not_a_wrong_pin(damaged):
    with pytest.raises(InvalidPinHash) as refused:
        verify_pin(damaged, "1234")
    assert refused.value.code == "invalid_pin_hash"


def test_a_hash_with_other_parameters_still_verifies_and_asks_for_a_rehash():
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("4321")
    assert verify_pin(old, "4321")
    assert needs_rehash(old)
    assert not needs_rehash(hash_pin("4321"))


@pytest.mark.parametrize(
    ("pin", "trivial"),
    [
        ("0000", True),
        ("99999", True),
        ("1234", True),
        ("3456", True),
        ("9876", True),
        ("43210", True),
        ("1357", False),
        ("1243", False),
        ("9012", False),  # wraps round: not a run
        ("2580", False),
    ],
)
def test_trivial_pins_are_told_apart(pin, trivial):
    assert is_trivial_pin(pin) is trivial


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_right_pin_verified_lately_is_not_hashed_again_and_a_wrong_one_always_is():
    clock, pin_hash = _Clock(), hash_pin("9999")
    recent = RecentPins(ttl_s=600, clock=clock)
    assert verify_pin(pin_hash, "9999", recent)
    assert recent.seen(pin_hash, "9999")
    assert not recent.seen(pin_hash, "9998")
    assert not verify_pin(pin_hash, "9998", recent)  # a wrong PIN is never taken as seen
    assert not recent.seen(pin_hash, "9998")
    clock.now += 599
    assert verify_pin(pin_hash, "9999", recent)
    clock.now += 2  # 601 s since argon2id said yes: checked in full again
    assert not recent.seen(pin_hash, "9999")


def test_a_new_pin_hash_for_the_same_pin_is_checked_in_full():
    recent = RecentPins()
    old, new = hash_pin("9999"), hash_pin("4826")
    assert verify_pin(old, "9999", recent)
    assert not verify_pin(new, "9999", recent)  # the PIN was reset: the old one is wrong
    assert not recent.seen(hash_pin("9999"), "9999")  # another salt: another entry


def test_the_cache_keeps_no_pin_and_forgets_the_oldest():
    recent = RecentPins(size=2)
    hashes = [hash_pin(pin) for pin in ("4826", "5937", "6048")]
    for pin_hash, pin in zip(hashes, ("4826", "5937", "6048"), strict=True):
        recent.remember(pin_hash, pin)
    assert not recent.seen(hashes[0], "4826")
    assert recent.seen(hashes[2], "6048")
    assert all(b"4826" not in digest and b"6048" not in digest for digest in recent._verified)


def test_a_damaged_hash_is_an_error_even_after_a_right_pin_elsewhere():
    recent = RecentPins()
    assert verify_pin(hash_pin("1234"), "1234", recent)
    with pytest.raises(InvalidPinHash):
        verify_pin("$argon2id$v=19$junk", "1234", recent)
