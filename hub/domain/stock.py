"""Stock as the hub holds it: the movement log and the per-(location, SKU) counters it adds up
to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class LoggedMovement:
    """A stock movement as logged: `quantity_delta` signed units, `txid` the writing
    transaction (PostgreSQL; 0 on SQLite) that orders the log for readers with the id."""

    movement_id: int
    txid: int
    location_id: str
    sku: str
    quantity_delta: int
    reason: str
    document_id: UUID | None
    external_reference: str | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class StockLevelRecord:
    """A counter: units on hand of a SKU at a location, at the version last published."""

    location_id: str
    sku: str
    on_hand: int
    version: int
