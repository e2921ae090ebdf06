"""The hybrid logical clock (Kulkarni et al. 2014) and the driven clock."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.clock import HLCTimestamp, HybridLogicalClock, ManualClock, to_epoch_ms
from shared.errors import InvalidTimestamp

START = datetime(2010, 12, 1, 8, 26, tzinfo=UTC)


def test_hlc_ticks_are_strictly_increasing_even_when_the_wall_clock_stands_still() -> None:
    clock = HybridLogicalClock(ManualClock(START), "n1")
    readings = [clock.tick() for _ in range(5)]
    assert readings == sorted(readings)
    assert len(set(readings)) == 5
    assert {reading.wall_ms for reading in readings} == {to_epoch_ms(START)}


def test_hlc_never_goes_back_when_the_wall_clock_does() -> None:
    wall = ManualClock(START, allow_backwards=True)
    clock = HybridLogicalClock(wall, "n1")
    before = clock.tick()
    wall.set(START - timedelta(hours=1))
    assert clock.tick() > before


def test_hlc_receive_orders_after_the_remote_event() -> None:
    local = HybridLogicalClock(ManualClock(START), "n1")
    remote = HLCTimestamp(to_epoch_ms(START) + 60_000, 7, "hub")
    merged = local.receive(remote)
    assert (merged.wall_ms, merged.counter) > (remote.wall_ms, remote.counter)
    assert local.tick() > merged


def test_hlc_restored_after_restart_continues_after_its_last_reading() -> None:
    wall = ManualClock(START)
    first = HybridLogicalClock(wall, "n1")
    last = [first.tick() for _ in range(3)][-1]
    restarted = HybridLogicalClock(wall, "n1", last)
    assert restarted.tick() > last


@given(
    wall=st.integers(min_value=0, max_value=10**14),
    counter=st.integers(min_value=0, max_value=999_999),
    other_wall=st.integers(min_value=0, max_value=10**14),
    other_counter=st.integers(min_value=0, max_value=999_999),
)
def test_encoded_hlc_sorts_like_the_timestamps(
    wall: int, counter: int, other_wall: int, other_counter: int
) -> None:
    one, two = HLCTimestamp(wall, counter, "a"), HLCTimestamp(other_wall, other_counter, "a")
    assert (one.encode() < two.encode()) == (one < two)
    assert HLCTimestamp.parse(one.encode()) == one


@pytest.mark.parametrize("text", ["", "12-3-x", "001291191960000-000000-", "not an hlc"])
def test_malformed_hlc_is_refused(text: str) -> None:
    with pytest.raises(InvalidTimestamp):
        HLCTimestamp.parse(text)


def test_driven_clock_refuses_naive_times_and_going_backwards() -> None:
    clock = ManualClock(START)
    with pytest.raises(InvalidTimestamp):
        clock.set(datetime(2010, 12, 1, 9, 0))
    with pytest.raises(InvalidTimestamp):
        clock.set(START - timedelta(minutes=1))
    clock.set(START + timedelta(minutes=1))
    assert clock.now() == START + timedelta(minutes=1)
