"""Pure rules of the sync protocol: batches, acknowledgements, gaps, back-off, skew."""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.messages import SeqRange
from sync.protocol import (
    Backoff,
    contiguous_high_water,
    estimate_skew_ms,
    hub_skew_ms,
    missing_ranges,
    take_batch,
)


@dataclass
class Row:
    size_bytes: int


@pytest.mark.parametrize(
    ("sizes", "max_events", "max_bytes", "taken"),
    [
        ([10, 10, 10], 2, 1000, 2),  # bounded by count
        ([400, 400, 400], 10, 1000, 2),  # bounded by bytes
        ([5000, 10], 10, 1000, 1),  # an oversized event still goes, alone
        ([], 10, 1000, 0),
    ],
)
def test_batches_are_bounded_by_count_and_bytes(
    sizes: list[int], max_events: int, max_bytes: int, taken: int
) -> None:
    assert len(take_batch([Row(size) for size in sizes], max_events, max_bytes)) == taken


@pytest.mark.parametrize(
    ("acked", "received", "high", "gaps"),
    [
        (0, [1, 2, 3], 3, []),
        (0, [2, 3], 0, [SeqRange(first=1, last=1)]),
        (5, [6, 8, 9, 12], 6, [SeqRange(first=7, last=7), SeqRange(first=10, last=11)]),
        (5, [1, 2, 3], 5, []),  # replays below the ack change nothing
    ],
)
def test_ack_is_the_highest_contiguous_seq_and_gaps_are_reported(
    acked: int, received: list[int], high: int, gaps: list[SeqRange]
) -> None:
    assert contiguous_high_water(acked, received) == high
    assert missing_ranges(high, received) == gaps


@given(seqs=st.lists(st.integers(min_value=1, max_value=200), max_size=100))
def test_ack_never_covers_a_seq_that_was_not_received(seqs: list[int]) -> None:
    high = contiguous_high_water(0, seqs)
    assert set(range(1, high + 1)) <= set(seqs)
    assert high + 1 not in seqs
    missing = {seq for gap in missing_ranges(high, seqs) for seq in range(gap.first, gap.last + 1)}
    above = {seq for seq in seqs if seq > high}
    assert missing.isdisjoint(above)
    if above:
        assert missing | above == set(range(high + 1, max(above) + 1))


def test_backoff_grows_then_caps_and_resets() -> None:
    backoff = Backoff(base_s=0.5, cap_s=4.0, rng=random.Random(7))
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    for ceiling in ceilings:
        assert 0.0 <= backoff.next_delay_s() <= ceiling
    backoff.reset()
    assert backoff.next_delay_s() <= 0.5


def test_skew_is_measured_from_the_midpoint_of_the_round_trip() -> None:
    sent = datetime(2026, 1, 1, tzinfo=UTC)
    received = sent + timedelta(milliseconds=200)
    hub_time = sent + timedelta(milliseconds=100) + timedelta(seconds=3)
    assert estimate_skew_ms(sent, received, hub_time) == 3000


def test_the_hub_takes_the_transit_of_the_previous_push_out_of_its_one_way_figure() -> None:
    # One way: skew 3 s plus 150 ms of transit; the transit measured at the push before: 150.
    assert hub_skew_ms(3150, 150) == 3000
    assert hub_skew_ms(3150, None) == 3150  # nothing reported: one way stands
    # A round trip that made the transit negative (an asymmetric link) takes nothing away.
    assert hub_skew_ms(3150, -40) == 3150
