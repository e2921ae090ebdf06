"""A push is typed a slice at a time: the hub's event loop runs between slices, so a large
batch being typed does not hold up another push's transaction (the node's turn, the critical
path of a catch-up) in the same process; and typing by slices gives exactly what typing at
once gives."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from hub.service import ingest
from hub.service.ingest import classify_events, classify_in_slices
from sync.messages import RawEvent
from tests.support import event, sale_payload

NODE = {"store_id": "store-1", "node_id": "node-1"}
NOW = datetime(2010, 12, 1, 10, tzinfo=UTC)


def _batch(count: int) -> list[RawEvent]:
    """`count` events: mostly sales, with every seventh of a kind no handler knows and every
    eleventh a sale whose line does not add up (both quarantined), so the quarantined come
    first in the outcome, out of upload order."""
    events = []
    for seq in range(1, count + 1):
        payload = sale_payload(f"R{seq}", [("A", 2, "2.55")])
        if seq % 11 == 0:
            payload["lines"][0]["line_total"] = "9.99"
        raw = event(NODE, seq, payload, kind="sale.mystery" if seq % 7 == 0 else "sale.completed")
        events.append(RawEvent.model_validate(raw))
    return events


async def test_typing_by_slices_gives_what_typing_at_once_gives() -> None:
    batch = _batch(5 * ingest._SLICE + 3)

    sliced = await classify_in_slices(batch, NOW)
    at_once = classify_events(batch, NOW)

    assert [(item.raw.seq, item.reason, item.document) for item in sliced] == [
        (item.raw.seq, item.reason, item.document) for item in at_once
    ]
    quarantined = [item.raw.seq for item in sliced if item.reason is not None]
    assert quarantined[:3] == [7, 11, 14]
    assert len(sliced) == len(batch)


async def test_the_event_loop_runs_between_slices_of_a_large_batch() -> None:
    batch = _batch(16 * ingest._SLICE)
    turns = 0
    typed = False

    async def another_push() -> None:  # stands for a transaction's next step, ready to run
        nonlocal turns
        while not typed:
            turns += 1
            await asyncio.sleep(0)

    other = asyncio.create_task(another_push())
    await asyncio.sleep(0)  # the other task starts
    started = turns
    await classify_in_slices(batch, NOW)
    typed = True
    await other

    assert turns - started >= 15  # once between each two of the 16 slices
