"""Records both sides may edit (customers, store settings) as the hub holds them, and the
values that lost a merge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SharedRecord:
    """A record's fields as stored (`sync.records.to_json`: value and HLC stamp per field) at
    its `version` (one more per change published)."""

    entity: str
    key: str
    fields: dict[str, Any]
    version: int


@dataclass(frozen=True, slots=True)
class ConflictRecord:
    """A value that lost a field-level merge to a newer edit (`kept_*`), with both stamps."""

    conflict_id: int
    entity: str
    key: str
    field: str
    kept_value: str | None
    kept_hlc: str
    lost_value: str | None
    lost_hlc: str
    recorded_at: datetime
