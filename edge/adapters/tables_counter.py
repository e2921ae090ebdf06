"""Tables of the counter in the edge node's SQLite file: staff from HQ's feed, their sign-in
state and till sessions, shifts with their no-sales and Z reports, and receipt prints.
Part of the same metadata as edge.adapters.tables (which re-exports them)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)

from edge.adapters.metadata import metadata

# A till's shifts (edge.domain.shifts): opened with a float, closed by a Z report. At most one
# open shift per till, by a partial unique index. `float_counts` is the float counted by
# denomination as JSON ({"20": 3}), NULL when only its total was given.
shift = Table(
    "shift",
    metadata,
    Column("shift_id", String(36), primary_key=True),
    Column("till_id", String(32), nullable=False),
    Column("opened_by", String(12), nullable=False),
    Column("opened_by_name", Text),
    Column("opened_at", Text, nullable=False),
    Column("business_day", String(10), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("float_minor", Integer, nullable=False),
    Column("float_counts", Text),
    Column("closed_at", Text),
    Column("closed_by", String(12)),
    Column("z_number", Integer),
    Index(None, "till_id", "opened_at"),
    Index(
        "uq_shift_open_till",
        "till_id",
        unique=True,
        sqlite_where=text("closed_at IS NULL"),
    ),
)

# The Z reports: numbered per till from 1, consecutive, never reused: the number is taken
# (last + 1) and the row written in the transaction that closes the shift, so a crash leaves
# neither. `report` is the ZReportV1 payload as JSON; `grand_total_minor` never resets.
z_report = Table(
    "z_report",
    metadata,
    Column("till_id", String(32), primary_key=True),
    Column("z_number", Integer, primary_key=True),
    Column("shift_id", String(36), ForeignKey("shift.shift_id"), nullable=False, unique=True),
    Column("business_day", String(10), nullable=False),
    Column("closed_at", Text, nullable=False),
    Column("net_sales_minor", Integer, nullable=False),
    Column("grand_total_minor", Integer, nullable=False),
    Column("report", Text, nullable=False),
    Column("event_seq", Integer, nullable=False),
    Index(None, "closed_at"),
)

# Drawer opens with no sale, counted in the shift's X and Z.
no_sale = Table(
    "no_sale",
    metadata,
    Column("no_sale_id", String(36), primary_key=True),
    Column("shift_id", String(36), ForeignKey("shift.shift_id"), nullable=False),
    Column("till_id", String(32), nullable=False),
    Column("staff_code", String(12), nullable=False),
    Column("at", Text, nullable=False),
    Index(None, "shift_id"),
)

# Staff of this store as HQ's feed publishes them (`staff`); their PIN hashes are the shared
# record `staff_pin` (shared_record), never here and never a PIN.
staff = Table(
    "staff",
    metadata,
    Column("staff_code", String(12), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("role IN ('cashier', 'supervisor', 'manager')", name="role"),
)

# Each staff member's sign-in state at this node: recent wrong PINs and a lock.
staff_sign_in = Table(
    "staff_sign_in",
    metadata,
    Column("staff_code", String(12), primary_key=True),
    Column("failures", Text, nullable=False, server_default="[]"),
    Column("locked_until", Text),
)

# Till sessions: a staff member signed in at a till; the token is kept only as its SHA-256.
till_session = Table(
    "till_session",
    metadata,
    Column("session_id", String(36), primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("till_id", String(32), nullable=False),
    Column("staff_code", String(12), nullable=False),
    Column("started_at", Text, nullable=False),
    Column("ended_at", Text),
    Column("end_reason", String(16)),
    Index(None, "till_id", "ended_at"),
)

# The paper of each receipt: whether the original printed, why not, and the copies made
# (edge.domain.printing). A document without a row has never been printed or reprinted.
receipt_print = Table(
    "receipt_print",
    metadata,
    Column("document_id", String(36), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("staff_name", String(200)),
    Column("printed_at", Text),
    Column("last_error", Text),
    Column("reprints", Integer, nullable=False, server_default="0"),
    CheckConstraint("kind IN ('sale', 'return')", name="kind"),
    CheckConstraint("reprints >= 0", name="reprints"),
)
