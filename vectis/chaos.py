"""A seeded chaos policy for the fault proxy: the network between a store and the hub at its worst.

Per HTTP request going up, and per response coming down, a seeded random draw decides:
requests dropped (the connection reset before the hub sees them), delayed, or duplicated (a
copy delivered again later on another connection: a replay that also arrives out of order);
responses dropped (the hub did the work, the store never hears), cut in the middle, or
delayed. The same seed draws the same sequence of decisions.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from vectis.proxy import RESET, AbortConnection, Chunk, Direction

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ChaosRates:
    """Chance of each fault per request or per response; delays in seconds."""

    drop_request: float = 0.04
    delay_request: float = 0.08
    duplicate_request: float = 0.05
    drop_response: float = 0.04
    cut_response: float = 0.03
    delay_response: float = 0.08
    max_delay_s: float = 0.3
    max_duplicate_delay_s: float = 2.0


def _whole_request(buffer: bytes) -> int | None:
    """Length of the first complete HTTP/1.1 request in `buffer`, or None if it is partial."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    match = _CONTENT_LENGTH.search(buffer[: end + 2])
    length = end + 4 + (int(match.group(1)) if match else 0)
    return length if len(buffer) >= length else None


class ChaosPolicy:
    """A FaultPolicy for one link; `counts` tells which faults it applied."""

    def __init__(
        self, seed: int, upstream_host: str, upstream_port: int, rates: ChaosRates | None = None
    ) -> None:
        self._random = random.Random(seed)
        self._upstream = (upstream_host, upstream_port)
        self._rates = rates or ChaosRates()
        self._buffers: dict[int, bytearray] = {}
        self._awaiting_response: set[int] = set()
        self._duplicates: set[asyncio.Task[None]] = set()
        self.counts: Counter[str] = Counter()

    async def on_chunk(self, chunk: Chunk) -> Sequence[bytes]:
        if chunk.direction is Direction.UP:
            return await self._request(chunk)
        return await self._response(chunk)

    async def _request(self, chunk: Chunk) -> Sequence[bytes]:
        buffer = self._buffers.setdefault(chunk.connection_id, bytearray())
        buffer += chunk.data
        length = _whole_request(bytes(buffer))
        if length is None:
            return ()  # hold it back until the request is whole: never half-deliver one
        request = bytes(buffer[:length])
        del buffer[:length]
        rates = self._rates
        draw = self._random.random()
        if draw < rates.drop_request:
            self.counts["drop_request"] += 1
            raise AbortConnection
        draw -= rates.drop_request
        if draw < rates.duplicate_request:
            self.counts["duplicate_request"] += 1
            delay_s = self._random.uniform(0, rates.max_duplicate_delay_s)
            task = asyncio.create_task(self._deliver_again(request, delay_s))
            self._duplicates.add(task)
            task.add_done_callback(self._duplicates.discard)
        elif draw - rates.duplicate_request < rates.delay_request:
            self.counts["delay_request"] += 1
            await asyncio.sleep(self._random.uniform(0, rates.max_delay_s))
        self._awaiting_response.add(chunk.connection_id)
        return (request,)

    async def _response(self, chunk: Chunk) -> Sequence[bytes]:
        if chunk.connection_id not in self._awaiting_response:
            return (chunk.data,)
        self._awaiting_response.discard(chunk.connection_id)
        rates = self._rates
        draw = self._random.random()
        if draw < rates.drop_response:
            self.counts["drop_response"] += 1
            raise AbortConnection
        draw -= rates.drop_response
        if draw < rates.cut_response:
            self.counts["cut_response"] += 1
            return (chunk.data[: max(1, len(chunk.data) // 2)], RESET)
        if draw - rates.cut_response < rates.delay_response:
            self.counts["delay_response"] += 1
            await asyncio.sleep(self._random.uniform(0, rates.max_delay_s))
        return (chunk.data,)

    async def _deliver_again(self, request: bytes, delay_s: float) -> None:
        """The same request again, later, on its own connection; its answer goes nowhere."""
        await asyncio.sleep(delay_s)
        with contextlib.suppress(OSError, asyncio.TimeoutError):
            reader, writer = await asyncio.open_connection(*self._upstream)
            try:
                writer.write(request)
                await writer.drain()
                await asyncio.wait_for(reader.read(1 << 20), timeout=30)
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

    async def close(self) -> None:
        for task in list(self._duplicates):
            task.cancel()
        for task in list(self._duplicates):
            with contextlib.suppress(asyncio.CancelledError):
                await task
