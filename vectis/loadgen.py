"""A load generator for the hub: pre-built HTTP/1.1 requests written on raw asyncio streams.

A benchmark must measure the hub, not its client: httpx spends about a millisecond of CPU per
request, which on a two-core machine is stolen from the server being measured. Requests here
are bytes built before the clock starts; the generator only writes them and reads answers
(parsed by httptools: `vectis.http1`, the replay's tills' client too).
`sale_events` builds the sale events a simulated edge pushes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared.ids import new_id
from shared.money import line_total
from vectis.http1 import Answer, ConnectionFailed, request_bytes


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes


def post_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The bytes of a keep-alive JSON POST (`vectis.http1.request_bytes`)."""
    return request_bytes(
        "POST", f"{host}:{port}", path, body, {"Content-Type": "application/json", **headers}
    )


class Connection:
    """One kept-alive connection that sends a request and waits for its reply, read by
    `vectis.http1.Answer` (Content-Length or chunked bodies)."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._peer = peer
        self._open = True

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    async def send(self, request: bytes) -> Reply:
        """Write one request (whole bytes, `post_request`), read its reply. Raises
        ConnectionFailed (the reply cut off or not HTTP, or the server closed the connection
        after an earlier reply), OSError."""
        if not self._open:
            raise ConnectionFailed(f"{self._peer} closed the connection after the last reply")
        self._writer.write(request)
        await self._writer.drain()
        answer = Answer()
        while not answer.feed(await self._reader.read(65536), self._peer):
            pass
        self._open = answer.keep_alive
        return Reply(answer.status, answer.body)

    async def close(self) -> None:
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except OSError:
            pass


def sale_events(
    nodes: list[dict[str, str]], batches: int, batch: int
) -> list[list[list[dict[str, Any]]]]:
    """Sale events, per node per batch, as an edge would upload them: `batches` batches of
    `batch` `sale.completed` events (version 3, four lines, paid in cash) for each of `nodes`
    ({"store_id", "node_id"}), seq from 1 per node."""
    work = []
    for node in nodes:
        per_node = []
        seq = 0
        for _ in range(batches):
            events = []
            for _ in range(batch):
                seq += 1
                lines: list[dict[str, Any]] = []
                for offset in range(4):
                    price = Decimal("2.55")
                    lines.append(
                        {
                            "line_no": offset + 1,
                            "sku": f"SKU{(seq + offset) % 500:06d}",
                            "quantity": offset + 1,
                            "unit_price": str(price),
                            "line_total": str(line_total(offset + 1, price, "GBP").amount),
                            "price_version": 1,
                        }
                    )
                total = sum((Decimal(line["line_total"]) for line in lines), Decimal(0))
                events.append(
                    {
                        "event_id": str(new_id()),
                        "store_id": node["store_id"],
                        "node_id": node["node_id"],
                        "seq": seq,
                        "schema_version": 3,
                        "hlc": f"001294045200000-{seq:06d}-{node['node_id']}",
                        "occurred_at": "2011-01-03T10:00:00+00:00",
                        "kind": "sale.completed",
                        "payload": {
                            "sale_id": str(new_id()),
                            "receipt_number": f"T1-{seq:07d}",
                            "till_id": "T1",
                            "business_day": "2011-01-03",
                            "business_time": "2011-01-03T10:00:00+00:00",
                            "currency": "GBP",
                            "lines": lines,
                            "tenders": [
                                {
                                    "tender_no": 1,
                                    "kind": "cash",
                                    "amount": str(total),
                                    "tendered": str(total),
                                    "change": "0",
                                }
                            ],
                            "total": str(total),
                        },
                    }
                )
            per_node.append(events)
        work.append(per_node)
    return work
