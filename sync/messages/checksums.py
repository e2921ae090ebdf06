"""Day checksums: a node's totals of each business day and the hub's verdict on each."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.bounds import Count, Int32, Int64
from sync.messages.base import Identifier, Message


class DayChecksumV1(Message):
    """One node's documents of one business day, as `sync.protocol.day_totals` sums them."""

    business_day: date
    count: Count
    total_minor: Int64
    id_hash: str = Field(pattern=r"^[0-9a-f]{16}$")


class ChecksumRequest(Message):
    protocol_version: Int32
    store_id: Identifier
    node_id: Identifier
    days: list[DayChecksumV1] = Field(max_length=400)


class DayVerdict(Message):
    business_day: date
    status: Literal["matched", "mismatch"]
    hub: DayChecksumV1


class ChecksumResponse(Message):
    protocol_version: int
    days: list[DayVerdict]
