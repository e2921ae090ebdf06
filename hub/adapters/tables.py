"""Tables of the hub (SQLAlchemy Core), valid on PostgreSQL and SQLite. Migrations in migrations/hub.

Money is integer minor units, signed in the ledger (a return's lines and total are negative),
so every report is an exact integer SUM on either database.
"""

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
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)

from hub.adapters.metadata import metadata as metadata  # the one MetaData, re-exported
from hub.adapters.types import ExactDecimal, JsonDocument, UtcDateTime

store = Table(
    "store",
    metadata,
    Column("store_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # The till limits HQ set (shared.till_limits); NULL: the default applies.
    Column("refund_approval_over_minor", BigInteger),
    Column("no_receipt_refund_over_minor", BigInteger),
    Column("line_quantity_max", Integer),
    Column("line_amount_max_minor", BigInteger),
    Column("sale_total_max_minor", BigInteger),
    Column("no_receipt_above_catalogue_price", Boolean),
    # Version of the store's configuration as its feed carries it.
    Column("config_version", Integer, nullable=False, server_default="1"),
    # B2B orders placed so far: the last order number given.
    Column("b2b_orders_placed", Integer, nullable=False, server_default="0"),
)

# Only the SHA-256 of a token or credential is stored; the secret is shown once.
enrolment_token = Table(
    "enrolment_token",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("store_id", String(64), ForeignKey("store.store_id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    Column("used_by_node_id", String(64)),
    # The SHA-256 of the credential the node proposed with the token: the same proposal may
    # repeat (a lost answer) until the node's first authenticated request.
    Column("used_by_credential_hash", String(64)),
)

node = Table(
    "node",
    metadata,
    Column("node_id", String(64), primary_key=True),
    Column("store_id", String(64), ForeignKey("store.store_id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("credential_hash", String(64), nullable=False, unique=True),
    # A rotated credential waits here until the node first uses it; then it replaces the old.
    Column("next_credential_hash", String(64), unique=True),
    Column("credential_rotated_at", UtcDateTime),
    # When the current credential was issued: its maximum age counts from here.
    Column("credential_issued_at", UtcDateTime, nullable=False),
    # The node's first authenticated request: its enrolment can no longer be repeated.
    Column("confirmed_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Column("acked_seq", BigInteger, nullable=False, server_default="0"),
    Column("last_push_at", UtcDateTime),
    Column("skew_ms", BigInteger),
    # The last push as the hub measured it: the node's send time, receipt minus send.
    Column("last_sent_at", UtcDateTime),
    Column("one_way_ms", BigInteger),
    Index(None, "store_id"),
)

api_key = Table(
    "api_key",
    metadata,
    Column("key_id", String(36), primary_key=True),
    Column("name", String(64), nullable=False),
    # The name case-folded (hub.domain.stores.api_key_name_key): names are unique ignoring
    # case, revoked keys' too, so the audit trail's names stay unambiguous.
    Column("name_key", String(256), nullable=False, unique=True),
    Column("scope", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    CheckConstraint("scope IN ('hq', 'erp')", name="scope"),
)

product = Table(
    "product",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("description", Text),
    Column("kind", String(16), nullable=False),
    Column("track_inventory", Boolean, nullable=False),
    Column("gtin", String(14)),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("tax_code", String(32)),
    # How it is sold: `each` (whole units) or `kg` (by weight, shared.quantity).
    Column("unit", String(8), nullable=False, server_default="each"),
    CheckConstraint("kind IN ('stock', 'non_stock', 'gift_card')", name="kind"),
)

# Hub-authoritative, versioned like prices: a tax code's rate in percent.
tax_rate = Table(
    "tax_rate",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("rate", ExactDecimal, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # Numeric on PostgreSQL; on SQLite the column is text, which compares as text: the service
    # checks the range there (and here too).
    CheckConstraint("rate >= 0 AND rate <= 100", name="rate").ddl_if(dialect="postgresql"),
)

# Percent-off promotions on a list of SKUs, for every store.
promotion = Table(
    "promotion",
    metadata,
    Column("promotion_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("skus", JsonDocument, nullable=False),
    Column("percent_off", ExactDecimal, nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("percent_off > 0 AND percent_off <= 100", name="percent_off").ddl_if(
        dialect="postgresql"
    ),
)

price = Table(
    "price",
    metadata,
    Column("sku", String(64), ForeignKey("product.sku"), primary_key=True),
    Column("price_list", String(32), primary_key=True),
    Column("unit_price", ExactDecimal, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Every event received, applied or not: the inbox that makes replays harmless.
sync_event = Table(
    "sync_event",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("node_id", String(64), nullable=False),
    Column("store_id", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("hlc", String(96), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_reason", Text),
    Column("retries", Integer, nullable=False, server_default="0"),
    Column("last_retry_at", UtcDateTime),
    # json, not jsonb: the inbox keeps the exact text received, even what jsonb refuses (\u0000).
    Column("payload", JSON, nullable=False),
    # hub.domain.inbox.content_digest of the event as received (NULL: received before 0018);
    # a re-send under the same seq and id with another digest is altered, and flagged.
    Column("content_sha256", String(64)),
    UniqueConstraint("node_id", "seq"),
    CheckConstraint("status IN ('applied', 'quarantined')", name="status"),
    # Partial: the quarantine inbox and the events HQ retried are a sliver of the inbox, and an
    # event applied at once (nearly all) then adds no entry to either index.
    Index(
        "ix_sync_event_quarantined",
        "store_id",
        "received_at",
        "node_id",
        "seq",
        postgresql_where=text("status = 'quarantined'"),
        sqlite_where=text("status = 'quarantined'"),
    ),
    Index(
        "ix_sync_event_retried",
        "store_id",
        "event_id",
        postgresql_where=text("retries > 0"),
        sqlite_where=text("retries > 0"),
    ),
)

# The sales ledger: sales and returns; quantities and money signed (returns negative).
sale_document = Table(
    "sale_document",
    metadata,
    Column("document_id", Uuid, primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("store_id", String(64), ForeignKey("store.store_id"), nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("receipt_number", String(64), nullable=False),
    Column("till_id", String(32), nullable=False),
    Column("external_reference", String(64)),
    Column("original_document_id", Uuid),
    Column("customer_id", String(64)),
    Column("business_day", Date, nullable=False),
    Column("business_time", UtcDateTime, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("line_count", Integer, nullable=False),
    # Whole units of `each` lines, and thousandths of a kg of weighed lines (exact sums).
    Column("units", BigInteger, nullable=False),
    Column("weight_g", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("node_id", "receipt_number"),
    Index(None, "store_id", "business_day"),
    Index(None, "business_day"),
    CheckConstraint("kind IN ('sale', 'return')", name="kind"),
)

sale_line = Table(
    "sale_line",
    metadata,
    Column("document_id", Uuid, ForeignKey("sale_document.document_id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("description", Text),
    # In `unit`: whole units, or kg to 3 places (version 4 of the sale and return events).
    Column("quantity", ExactDecimal, nullable=False),
    Column("unit", String(8), nullable=False, server_default="each"),
    Column("unit_price", ExactDecimal, nullable=False),
    Column("line_total_minor", BigInteger, nullable=False),
    Column("price_version", Integer),
    Column("price_source", String(16), nullable=False),
    # The promotion and tax the till priced the line with; signed like line_total_minor.
    Column("discount_minor", BigInteger, nullable=False, server_default="0"),
    Column("promotion_id", String(64)),
    Column("promotion_version", Integer),
    Column("tax_minor", BigInteger, nullable=False, server_default="0"),
    Column("tax_code", String(32)),
    Column("tax_rate", ExactDecimal),
    Column("tax_version", Integer),
)

# What is odd about a recorded sale (unknown SKU, oversold, price drift, tender problem): the
# sale stands; a person resolves the exception.
# Cash into or out of a drawer besides sales and refunds: append-only facts like sales.
cash_movement = Table(
    "cash_movement",
    metadata,
    Column("movement_id", Uuid, primary_key=True),
    Column("store_id", String(64), ForeignKey("store.store_id"), nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("till_id", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", Text, nullable=False),
    Column("business_day", Date, nullable=False),
    Column("business_time", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index(None, "store_id", "business_day"),
    CheckConstraint("kind IN ('float', 'paid_in', 'paid_out', 'pickup')", name="kind"),
    CheckConstraint("amount_minor > 0", name="positive"),
)

sale_exception = Table(
    "sale_exception",
    metadata,
    Column(
        "exception_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("document_id", Uuid, nullable=False),
    Column("store_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("sku", String(64)),
    Column("detail", Text, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime),
    Column("resolution", Text),
    Index(None, "status", "store_id", "exception_id"),
    Index(None, "document_id"),
    CheckConstraint(
        "kind IN ('unknown_sku', 'oversold', 'price_drift', 'tender_problem', 'refund_problem', "
        "'b2b_problem', 'line_arithmetic', 'altered_resend', 'overdraft', 'card_declined', "
        "'card_expired')",
        name="kind",
    ),
    CheckConstraint("status IN ('open', 'resolved')", name="status"),
)

# A node's day totals that did not match the hub's: a sale lost, doubled or quarantined.
integrity_alert = Table(
    "integrity_alert",
    metadata,
    Column(
        "alert_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("store_id", String(64), nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("business_day", Date, nullable=False),
    Column("edge_count", BigInteger, nullable=False),
    Column("edge_total_minor", BigInteger, nullable=False),
    Column("edge_id_hash", String(16), nullable=False),
    Column("hub_count", BigInteger, nullable=False),
    Column("hub_total_minor", BigInteger, nullable=False),
    Column("hub_id_hash", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime),
    Column("resolution", Text),
    # A Z report's alert (NULL for a day's): its till and number, and what differed. Its
    # count and total are the Z's documents and net sales; its hashes digest the compared
    # figures, so the same difference is raised once.
    Column("till_id", String(32)),
    Column("z_number", Integer),
    Column("details", Text),
    Index(None, "node_id", "business_day"),
)

# Stock is a counter of movements per (location, SKU), never an overwritten number.
stock_movement = Table(
    "stock_movement",
    metadata,
    Column(
        "movement_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("location_id", String(64), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity_delta", BigInteger, nullable=False),
    Column("reason", String(16), nullable=False),
    Column("document_id", Uuid),
    Column("external_reference", String(128)),
    Column("recorded_at", UtcDateTime, nullable=False),
    # The writing transaction (PostgreSQL: a column default; 0 on SQLite), as in feed_entry:
    # the ERP's export pages in (txid, movement_id) order and never skips a late commit.
    Column("txid", BigInteger, nullable=False, server_default="0"),
    Index(None, "location_id", "sku", "movement_id"),
    Index(None, "txid", "movement_id"),
    CheckConstraint("reason IN ('sale', 'return', 'erp_count')", name="reason"),
)

stock_level = Table(
    "stock_level",
    metadata,
    Column("location_id", String(64), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("on_hand", BigInteger, nullable=False),
    # Bumped each time the level is published to the store's feed, so a reader keeps the newest.
    Column("version", Integer, nullable=False, server_default="0"),
    # Moved by a sale or return since it was last published: published when the store next
    # reads its feed (coalesced: one entry however many sales moved it).
    Column("dirty", Boolean, nullable=False, server_default=false()),
    Index(None, "location_id", "dirty"),
)

# Feed entries below this position were compacted away; a reader behind it re-bootstraps.
feed_floor = Table(
    "feed_floor",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("txid", BigInteger, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("compacted_at", UtcDateTime, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

# The change feed. `txid` is the writing PostgreSQL transaction (0 on SQLite, whose single
# writer commits in position order); readers page by (txid, position) below the oldest
# running transaction, so a row that commits late can never be skipped.
feed_entry = Table(
    "feed_entry",
    metadata,
    Column(
        "position",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("txid", BigInteger, nullable=False, server_default="0"),
    Column("store_id", String(64)),
    Column("entity", String(32), nullable=False),
    Column("entity_key", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("op", String(8), nullable=False),
    Column("payload", JsonDocument, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "txid", "position"),
    Index(None, "store_id"),
)

# Records both sides may edit (sync.records): fields with the HLC stamp of their last edit.
shared_record = Table(
    "shared_record",
    metadata,
    Column("entity", String(32), primary_key=True),
    Column("record_key", String(64), primary_key=True),
    Column("fields", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Every value that lost a field-level merge, so nothing typed at a till or at HQ vanishes.
record_conflict = Table(
    "record_conflict",
    metadata,
    Column(
        "conflict_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("entity", String(32), nullable=False),
    Column("record_key", String(64), nullable=False),
    Column("field", String(32), nullable=False),
    Column("kept_value", Text),
    Column("kept_hlc", String(96), nullable=False),
    Column("lost_value", Text),
    Column("lost_hlc", String(96), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("entity", "record_key", "field", "lost_hlc"),
)

# A till's request for HQ to approve a refund, and what became of it (hub.workflows).
refund_request = Table(
    "refund_request",
    metadata,
    Column("request_id", Uuid, primary_key=True),
    Column("store_id", String(64), nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("till_id", String(32), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("original_sale_id", Uuid),
    Column("original_receipt_number", String(64)),
    Column("customer_id", String(64)),
    Column("lines", JSON, nullable=False),
    Column("business_time", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    # Version of the decision as the store's feed carries it; each change adds one.
    Column("version", Integer, nullable=False, server_default="1"),
    # When its workflow was started; NULL: still to start (the sweeper starts it).
    Column("workflow_started_at", UtcDateTime),
    Column("decided_by", String(64)),
    Column("decided_at", UtcDateTime),
    Column("notes", Text),
    Column("executed_return_id", Uuid),
    Column("executed_at", UtcDateTime),
    CheckConstraint(
        "status IN ('pending', 'approved', 'rejected', 'expired', 'executed', 'lapsed')",
        name="status",
    ),
    Index(None, "status", "store_id", "received_at"),
    Index(None, "workflow_started_at"),
)

# A trade customer's order a till submitted, and HQ's four-phase approval of it (hub.workflows).
b2b_order = Table(
    "b2b_order",
    metadata,
    Column("order_id", Uuid, primary_key=True),
    Column("store_id", String(64), nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("till_id", String(32), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("submitted_by", String(64), nullable=False),
    Column("reference", String(64)),
    Column("currency", String(3), nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("lines", JSON, nullable=False),
    Column("business_time", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False, server_default="cart_submitted"),
    # Version of the order as the store's feed carries it; each change adds one.
    Column("version", Integer, nullable=False, server_default="1"),
    # When its workflow was started; NULL: still to start (the sweeper starts it).
    Column("workflow_started_at", UtcDateTime),
    # What the workflow has still to be told of (payment_composed, fulfilled); NULL: nothing.
    Column("signal_pending", String(16)),
    Column("cart_decided_by", String(64)),
    Column("cart_decided_at", UtcDateTime),
    Column("tenders", JSON),
    Column("composed_by", String(64)),
    Column("composed_at", UtcDateTime),
    Column("payment_decided_by", String(64)),
    Column("payment_decided_at", UtcDateTime),
    Column("payment_rejections", Integer, nullable=False, server_default="0"),
    Column("notes", Text),
    Column("order_number", String(64), unique=True),
    Column("placed_at", UtcDateTime),
    Column("fulfilled_sale_id", Uuid),
    Column("fulfilled_at", UtcDateTime),
    CheckConstraint(
        "status IN ('cart_submitted', 'cart_approved', 'cart_rejected', 'payment_composed', "
        "'payment_approved', 'placed', 'blocked', 'fulfilled', 'expired', 'lapsed')",
        name="status",
    ),
    CheckConstraint("total_minor > 0", name="positive"),
    Index(None, "status", "store_id", "received_at"),
    Index(None, "workflow_started_at"),
    Index(None, "signal_pending"),
)

# The HQ audit trail: one row per change HQ, an ERP or the admin token asked of the hub
# (POST, PUT, PATCH, DELETE outside /v1/sync), written after the answer (hub.api.audit).
audit_entry = Table(
    "audit_entry",
    metadata,
    Column(
        "entry_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("request_id", String(64), nullable=False),
    # The API key's id; NULL for the admin token.
    Column("key_id", String(36)),
    # The API key's name, or "admin token".
    Column("actor", String(64), nullable=False),
    Column("method", String(8), nullable=False),
    # The route's template, e.g. /v1/stores/{store_id}/nodes/{node_id}/revoke.
    Column("route", String(200), nullable=False),
    # The path's parameters, e.g. {"store_id": "store-7", "node_id": "..."}.
    Column("target", JSON, nullable=False),
    Column("status", Integer, nullable=False),
    Index(None, "key_id", "entry_id"),
    Index(None, "recorded_at"),
)


# The counter's tables (hub.adapters.tables_counter) and the tenders' (tables_tenders) live in
# modules of their own; they are this module's too, so every repository names a table as `tables.<name>`.
from hub.adapters.tables_counter import staff as staff  # noqa: E402
from hub.adapters.tables_counter import staff_store as staff_store  # noqa: E402
from hub.adapters.tables_counter import till_audit as till_audit  # noqa: E402
from hub.adapters.tables_counter import z_report as z_report  # noqa: E402
from hub.adapters.tables_tenders import (  # noqa: E402
    stored_value_account as stored_value_account,
)
from hub.adapters.tables_tenders import (  # noqa: E402
    stored_value_movement as stored_value_movement,
)
from hub.adapters.tables_tenders import tender as tender  # noqa: E402
