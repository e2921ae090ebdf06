"""A load generator for the hub: pre-built HTTP/1.1 requests written on raw asyncio streams.

A benchmark must measure the hub, not its client: httpx spends about a millisecond of CPU per
request, which on a two-core machine is stolen from the server being measured. Requests here
are bytes built before the clock starts; the generator only writes them and reads answers.
`sale_events` builds the sale events a simulated edge pushes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared.ids import new_id
from shared.money import line_total


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes


def post_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The bytes of a keep-alive JSON POST."""
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
        "",
        "",
    ]
    return "\r\n".join(lines).encode() + body


class Connection:
    """One kept-alive connection that sends a request and waits for its reply."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def send(self, request: bytes) -> Reply:
        """Write one request, read one response (Content-Length bodies). Raises OSError."""
        self._writer.write(request)
        await self._writer.drain()
        status_line = await self._reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self._reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        return Reply(status, await self._reader.readexactly(length))

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
