"""Edits of records both sides may edit (customers, store settings), each field HLC-stamped."""

from __future__ import annotations

from pydantic import Field

from shared.bounds import FieldName, FieldText, Reference, Stamp
from sync.messages.base import Payload


class StampedValue(Payload):
    value: FieldText | None
    hlc: Stamp
    base: Stamp | None = Field(default=None, description="Stamp of the value this edit replaced")


class RecordUpdatedV1(Payload):
    """Fields of a record both sides may edit (sync.records), each with the HLC of its edit."""

    entity: FieldName
    key: Reference
    fields: dict[FieldName, StampedValue] = Field(max_length=32)
