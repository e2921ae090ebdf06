"""A push's wait for its turn: a node's events apply in seq order only, so a push whose first
seq follows a gap waits for the node's pushes ahead of it (see `hub.service.ingest`)."""

from __future__ import annotations

import asyncio
import time


class NotYourTurn(Exception):
    """The push follows a gap: wait for the node's earlier push, which may be in flight."""


class TurnWait:
    """A push's wait for its turn: it goes on while the node's ack moved within the last
    `order_wait_s` seconds (the pushes ahead are being applied, however many and however
    slow), and gives up after `order_wait_s` seconds without progress (a push ahead was
    lost). Polls back off from 1 ms to 20 ms."""

    def __init__(self, order_wait_s: float) -> None:
        self._order_wait_s = order_wait_s
        self._deadline = time.monotonic() + order_wait_s
        self._acked: int | None = None
        self._pause_s = 0.001

    def goes_on(self, acked: int) -> bool:
        """Whether to wait longer, the node's ack being `acked` now."""
        if self._acked is not None and acked > self._acked:
            self._deadline = time.monotonic() + self._order_wait_s
        self._acked = acked
        return time.monotonic() < self._deadline

    async def pause(self) -> None:
        await asyncio.sleep(self._pause_s)
        self._pause_s = min(self._pause_s * 2, 0.02)
