"""Tables of card settlement at the hub: each store's card money of a UTC day against the
acquirer's settlement (hub.domain.settlements). Part of the same metadata as
hub.adapters.tables (which re-exports them)."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, Date, Index, String, Table

from hub.adapters.metadata import metadata
from hub.adapters.types import UtcDateTime

# The latest reconciliation of a store's card money on a UTC day: the hub's figures, the
# acquirer's, and whether they agree (`mismatch` also raised an integrity alert). Money in
# minor units, positive. No foreign key to `store`: an acquirer may settle money under a store
# id the hub does not know, and that is exactly a mismatch to keep.
card_settlement = Table(
    "card_settlement",
    metadata,
    Column("store_id", String(64), primary_key=True),
    Column("settlement_day", Date, primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("hub_captured_minor", BigInteger, nullable=False),
    Column("hub_refunded_minor", BigInteger, nullable=False),
    Column("hub_count", BigInteger, nullable=False),
    Column("acquirer_captured_minor", BigInteger, nullable=False),
    Column("acquirer_refunded_minor", BigInteger, nullable=False),
    Column("acquirer_count", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reconciled_at", UtcDateTime, nullable=False),
    Index(None, "settlement_day"),
    CheckConstraint("status IN ('matched', 'mismatch')", name="status"),
)
