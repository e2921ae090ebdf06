"""Edits of records both sides may edit (customers, store settings), each field HLC-stamped."""

from __future__ import annotations

from pydantic import Field

from sync.messages.base import Payload


class StampedValue(Payload):
    value: str | None = Field(max_length=200)
    hlc: str = Field(max_length=96)
    base: str | None = Field(
        default=None, max_length=96, description="Stamp of the value this edit replaced"
    )


class RecordUpdatedV1(Payload):
    """Fields of a record both sides may edit (sync.records), each with the HLC of its edit."""

    entity: str = Field(max_length=32)
    key: str = Field(min_length=1, max_length=64)
    fields: dict[str, StampedValue]
