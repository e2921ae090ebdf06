"""Tables of the counter at the hub: staff and the stores they work at, the tills' audit
trail, and Z reports with their ledger check. Part of the same metadata as
hub.adapters.tables (which re-exports them)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from hub.adapters.metadata import metadata
from hub.adapters.types import UtcDateTime

# The Z reports the tills made, each kept once (by shift), and what the ledger said of them:
# `status` confirmed (the ledger's net sales, tax and expected cash for the till and period
# agree) or mismatch (an integrity alert was raised). Money in minor units, signed.
z_report = Table(
    "z_report",
    metadata,
    Column("shift_id", Uuid, primary_key=True),
    Column("store_id", String(64), ForeignKey("store.store_id"), nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("till_id", String(32), nullable=False),
    Column("z_number", Integer, nullable=False),
    Column("business_day", Date, nullable=False),
    Column("period_start", UtcDateTime, nullable=False),
    Column("period_end", UtcDateTime, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("documents", BigInteger, nullable=False),
    Column("net_sales_minor", BigInteger, nullable=False),
    Column("tax_minor", BigInteger, nullable=False),
    Column("expected_cash_minor", BigInteger, nullable=False),
    Column("counted_cash_minor", BigInteger, nullable=False),
    Column("variance_minor", BigInteger, nullable=False),
    Column("grand_total_minor", BigInteger, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("hub_documents", BigInteger),
    Column("hub_net_sales_minor", BigInteger),
    Column("hub_tax_minor", BigInteger),
    Column("hub_expected_cash_minor", BigInteger),
    Column("received_at", UtcDateTime, nullable=False),
    UniqueConstraint("node_id", "till_id", "z_number"),
    Index(None, "store_id", "business_day"),
    CheckConstraint("status IN ('pending', 'confirmed', 'mismatch')", name="status"),
)

# Staff: HQ's records of who works at the stores (hub.service.staff). The PIN is not here:
# only its argon2id hash, as the shared record `staff_pin` (shared_record), never the PIN.
staff = Table(
    "staff",
    metadata,
    Column("staff_code", String(12), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    # One more per change published to the feed (every store of theirs gets that version).
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("role IN ('cashier', 'supervisor', 'manager')", name="role"),
)

# The stores a staff member works at (`current`), and those they worked at: a store taken
# off their list keeps its row, so its snapshot still says they may no longer sign in there.
staff_store = Table(
    "staff_store",
    metadata,
    Column("staff_code", String(12), ForeignKey("staff.staff_code"), primary_key=True),
    Column("store_id", String(64), ForeignKey("store.store_id"), primary_key=True),
    Column("current", Boolean, nullable=False),
    Index(None, "store_id", "staff_code"),
)

# What the tills audited (`audit.recorded` events), each kept once by its audit id.
till_audit = Table(
    "till_audit",
    metadata,
    Column(
        "entry_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("audit_id", Uuid, nullable=False, unique=True),
    Column("event_id", Uuid, nullable=False),
    Column("store_id", String(64), nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("till_id", String(32)),
    Column("staff_code", String(12)),
    Column("staff_name", String(200)),
    Column("approver_code", String(12)),
    Column("approver_name", String(200)),
    Column("at", UtcDateTime, nullable=False),
    Column("business_day", Date, nullable=False),
    Column("subject", String(64)),
    Column("details", JSON, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Index(None, "store_id", "entry_id"),
    Index(None, "staff_code", "entry_id"),
    Index(None, "approver_code", "entry_id"),
    Index(None, "at"),
)
