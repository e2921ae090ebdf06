"""Tables of the edge node's SQLite file (SQLAlchemy Core). Migrations in migrations/edge.

Money is stored as integer minor units (`*_minor`); unit prices, which may carry more places
than the currency, as decimal text; times as ISO 8601 text with their offset.
"""

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
    UniqueConstraint,
)

from edge.adapters.metadata import metadata as metadata  # the one MetaData, re-exported


def _manual() -> list[Column[object]]:
    """A line's manual discount (already inside `discount_minor`) and why, and the reason code
    of a price override (edge.domain.cart_changes)."""
    return [
        Column("manual_discount_minor", Integer, nullable=False, server_default="0"),
        Column("discount_reason", Text),
        Column("price_reason", String(32)),
        Column("price_note", Text),
    ]


def _terms() -> list[Column[object]]:
    """The promotion and tax a document line was priced with (edge.domain.documents.LineTerms)."""
    return [
        Column("discount_minor", Integer, nullable=False, server_default="0"),
        Column("promotion_id", String(64)),
        Column("promotion_version", Integer),
        Column("tax_minor", Integer, nullable=False, server_default="0"),
        Column("tax_code", String(32)),
        Column("tax_rate", Text),
        Column("tax_version", Integer),
    ]


# The node's identity, counters and sync position: exactly one row once enrolled.
node = Table(
    "node",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", String(64), nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("node_name", String(64), nullable=False),
    Column("store_name", Text, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("credential", Text, nullable=False),
    Column("enrolled_at", Text, nullable=False),
    Column("last_seq", Integer, nullable=False, server_default="0"),
    Column("last_hlc", Text),
    Column("receipt_counter", Integer, nullable=False, server_default="0"),
    Column("acked_seq", Integer, nullable=False, server_default="0"),
    Column("feed_cursor", Text),
    # Every event up to this seq belongs to a day whose totals the hub has compared.
    Column("checksum_seq", Integer, nullable=False, server_default="0"),
    # A snapshot being downloaded: the feed position to follow after it, and the last item.
    Column("bootstrap_position", Text),
    Column("bootstrap_after", Text),
    # A driven (replay) clock's last reading: it survives a restart, as a real clock would.
    Column("driven_time", Text),
    # The till limits HQ set, from the feed (shared.till_limits); NULL: the default applies.
    Column("refund_approval_over_minor", Integer),
    Column("no_receipt_refund_over_minor", Integer),
    Column("line_quantity_max", Integer),
    Column("line_amount_max_minor", Integer),
    Column("sale_total_max_minor", Integer),
    Column("no_receipt_above_catalogue_price", Boolean),
    Column("store_version", Integer, nullable=False, server_default="0"),
    # When to rotate the credential (this node's clock; HQ's maximum age); None: never.
    Column("credential_rotate_at", Text),
    CheckConstraint("id = 1", name="single_row"),
)

# An enrolment under way: the credential this node made for itself and proposed with the
# token (by its SHA-256), kept before the request goes so a repeat after a lost answer or a
# restart proposes the same one. Gone once the node is enrolled.
enrolment_attempt = Table(
    "enrolment_attempt",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("credential", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    CheckConstraint("id = 1", name="single_attempt"),
)

product = Table(
    "product",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("description", Text),
    Column("kind", String(16), nullable=False),
    Column("track_inventory", Integer, nullable=False),
    Column("gtin", String(14)),
    Column("version", Integer, nullable=False),
    Column("tax_code", String(32)),
    # How it is sold: `each` (whole units) or `kg` (by weight, shared.quantity).
    Column("unit", String(8), nullable=False, server_default="each"),
    # A scanned GTIN finds its product without a scan of the table.
    Index(None, "gtin"),
)

# Hub-authoritative and versioned, like prices: a tax code's rate in percent, as decimal text.
tax_rate = Table(
    "tax_rate",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("rate", Text, nullable=False),
    Column("version", Integer, nullable=False),
)

# Percent-off promotions and the SKUs each applies to.
promotion = Table(
    "promotion",
    metadata,
    Column("promotion_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("percent_off", Text, nullable=False),
    Column("starts_at", Text, nullable=False),
    Column("ends_at", Text),
    Column("active", Integer, nullable=False),
    Column("version", Integer, nullable=False),
)

promotion_sku = Table(
    "promotion_sku",
    metadata,
    Column("promotion_id", String(64), ForeignKey("promotion.promotion_id"), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Index(None, "sku"),
)

price = Table(
    "price",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("price_list", String(32), primary_key=True),
    Column("unit_price", Text, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("version", Integer, nullable=False),
)

stock_level = Table(
    "stock_level",
    metadata,
    Column("location_id", String(64), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("on_hand", Integer, nullable=False),
    Column("version", Integer, nullable=False, server_default="0"),
)

cart = Table(
    "cart",
    metadata,
    Column("cart_id", String(36), primary_key=True),
    Column("till_id", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("customer_id", String(64)),
    Column("opened_at", Text, nullable=False),
    Column("closed_at", Text),
    Column("sale_id", String(36)),
    # The till's shift open when the cart was opened (edge.domain.shifts).
    Column("shift_id", String(36)),
    # A parked cart: when, and who parked it (recalled at any till of the node).
    Column("parked_at", Text),
    Column("parked_by_code", String(12)),
    Column("parked_by_name", Text),
    # Whose override approved a price change on this cart: it holds for the rest of the cart.
    Column("price_approved_by", String(12)),
    CheckConstraint("status IN ('open', 'parked', 'checked_out', 'voided')", name="status"),
    Index(None, "shift_id"),
    Index(None, "status"),
)

cart_line = Table(
    "cart_line",
    metadata,
    Column("line_id", String(36), primary_key=True),
    Column("cart_id", String(36), ForeignKey("cart.cart_id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("description", Text),
    # Exact, as a scaled integer (shared.quantity.to_stored): units for `each`, thousandths of
    # a kilogram for `kg`.
    Column("quantity", Integer, nullable=False),
    Column("unit", String(8), nullable=False, server_default="each"),
    Column("unit_price", Text, nullable=False),
    Column("line_total_minor", Integer, nullable=False),
    Column("price_version", Integer),
    Column("price_source", String(16), nullable=False),
    Column("voided", Integer, nullable=False, server_default="0"),
    *_terms(),
    *_manual(),
    Column("gift_card_number", String(19)),  # a gift-card item: the card the line loads
    Index(None, "cart_id", "position"),
)

sale = Table(
    "sale",
    metadata,
    Column("sale_id", String(36), primary_key=True),
    Column("receipt_number", String(64), nullable=False, unique=True),
    Column("cart_id", String(36), unique=True),
    Column("till_id", String(32), nullable=False),
    Column("business_time", Text, nullable=False),
    Column("business_day", String(10), nullable=False),
    Column("customer_id", String(64)),
    Column("currency", String(3), nullable=False),
    Column("total_minor", Integer, nullable=False),
    Column("external_reference", String(64)),
    Column("event_seq", Integer, nullable=False),
    # The B2B order HQ placed that this sale hands over: a node hands an order over once.
    Column("b2b_order_id", String(36)),
    # The till's shift open when the sale was made (NULL: none, or made before shifts).
    Column("shift_id", String(36)),
    Index(None, "business_day"),
    Index(None, "b2b_order_id", unique=True),
    Index(None, "shift_id"),
)

sale_line = Table(
    "sale_line",
    metadata,
    Column("sale_id", String(36), ForeignKey("sale.sale_id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("description", Text),
    # Exact, as a scaled integer (shared.quantity.to_stored): units for `each`, thousandths of
    # a kilogram for `kg`.
    Column("quantity", Integer, nullable=False),
    Column("unit", String(8), nullable=False, server_default="each"),
    Column("unit_price", Text, nullable=False),
    Column("line_total_minor", Integer, nullable=False),
    Column("price_version", Integer),
    Column("price_source", String(16), nullable=False),
    *_terms(),
    *_manual(),
    Column("gift_card_number", String(19)),  # a gift-card item: the card the line loads
)

sales_return = Table(
    "sales_return",
    metadata,
    Column("return_id", String(36), primary_key=True),
    Column("receipt_number", String(64), nullable=False, unique=True),
    Column("till_id", String(32), nullable=False),
    Column("original_sale_id", String(36), ForeignKey("sale.sale_id")),
    Column("business_time", Text, nullable=False),
    Column("business_day", String(10), nullable=False),
    Column("customer_id", String(64)),
    Column("currency", String(3), nullable=False),
    Column("total_minor", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("external_reference", String(64)),
    Column("event_seq", Integer, nullable=False),
    # The approved refund request it made: one return per request on this node.
    Column("refund_request_id", String(36)),
    Column("shift_id", String(36)),
    Index(None, "business_day"),
    Index(None, "original_sale_id"),
    Index(None, "refund_request_id", unique=True),
    Index(None, "shift_id"),
)

return_line = Table(
    "return_line",
    metadata,
    Column("return_id", String(36), ForeignKey("sales_return.return_id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("description", Text),
    # Exact, as a scaled integer (shared.quantity.to_stored): units for `each`, thousandths of
    # a kilogram for `kg`.
    Column("quantity", Integer, nullable=False),
    Column("unit", String(8), nullable=False, server_default="each"),
    Column("unit_price", Text, nullable=False),
    Column("line_total_minor", Integer, nullable=False),
    Column("original_line_no", Integer),
    Column("price_version", Integer),
    *_terms(),
)

# Tenders of sales and refunds of returns; `document_id` is a sale_id or a return_id. `kind`
# is cash, or on_account (a B2B order's handover: tendered = amount, no change).
tender = Table(
    "tender",
    metadata,
    Column("document_id", String(36), primary_key=True),
    Column("tender_no", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("amount_minor", Integer, nullable=False),
    Column("tendered_minor", Integer, nullable=False),
    Column("change_minor", Integer, nullable=False),
    # Card, gift-card and store-credit tenders (issue 14): the id keying what it moved, the
    # gift card's number or store-credit customer, the card as recorded (never its number),
    # and for a refund the sale's tender it pays back.
    Column("tender_id", String(36)),
    Column("account", String(64)),
    Column("card_status", String(16)),
    Column("card_transaction_id", String(64)),
    Column("card_brand", String(32)),
    Column("card_last4", String(4)),
    Column("card_deadline", Text),
    Column("original_tender_no", Integer),
)

# This node's totals of each business day and what the hub said of them.
day_checksum = Table(
    "day_checksum",
    metadata,
    Column("business_day", String(10), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("total_minor", Integer, nullable=False),
    Column("id_hash", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("hub_count", Integer, nullable=False),
    Column("hub_total_minor", Integer, nullable=False),
    Column("hub_id_hash", String(16), nullable=False),
    Column("checked_at", Text, nullable=False),
    CheckConstraint("status IN ('matched', 'mismatch')", name="status"),
)

# Written in the same transaction as the fact it records; `seq` is gap-free from 1.
outbox = Table(
    "outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("kind", String(64), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("hlc", Text, nullable=False),
    Column("occurred_at", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    # What the hub said: NULL (received, or not yet sent), 'quarantined' with the reason,
    # 'applied' after HQ retried a quarantined event successfully.
    Column("hub_status", String(16)),
    Column("hub_reason", Text),
)

# Records both sides may edit (sync.records): fields with the HLC stamp of their last edit.
shared_record = Table(
    "shared_record",
    metadata,
    Column("entity", String(32), primary_key=True),
    Column("record_key", String(64), primary_key=True),
    Column("fields", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", Text, nullable=False),
)

# Every value that lost a field-level merge, so nothing typed at a till or at HQ vanishes.
record_conflict = Table(
    "record_conflict",
    metadata,
    Column("conflict_id", Integer, primary_key=True, autoincrement=True),
    Column("entity", String(32), nullable=False),
    Column("record_key", String(64), nullable=False),
    Column("field", String(32), nullable=False),
    Column("kept_value", Text),
    Column("kept_hlc", String(96), nullable=False),
    Column("lost_value", Text),
    Column("lost_hlc", String(96), nullable=False),
    Column("recorded_at", Text, nullable=False),
    UniqueConstraint("entity", "record_key", "field", "lost_hlc"),
)

# Cash into or out of a drawer besides sales and refunds (float, paid-in, paid-out, pickup).
cash_movement = Table(
    "cash_movement",
    metadata,
    Column("movement_id", String(36), primary_key=True),
    Column("till_id", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("amount_minor", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", Text, nullable=False),
    Column("business_time", Text, nullable=False),
    Column("business_day", String(10), nullable=False),
    Column("event_seq", Integer, nullable=False),
    Column("shift_id", String(36)),
    Index(None, "business_day"),
    Index(None, "shift_id"),
)

# Refunds above the store's limit: asked for here (or at another till of the store) and
# decided by HQ; `version` is the hub's (0: not yet heard from the hub).
refund_request = Table(
    "refund_request",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("till_id", String(32), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", Integer, nullable=False),
    Column("original_sale_id", String(36)),
    Column("original_receipt_number", String(64)),
    Column("customer_id", String(64)),
    Column("lines", Text, nullable=False),
    Column("business_time", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("decided_by", String(64)),
    Column("decided_at", Text),
    Column("notes", Text),
    Column("executed_return_id", String(36)),
    CheckConstraint(
        "status IN ('pending', 'approved', 'rejected', 'expired', 'executed', 'lapsed')",
        name="status",
    ),
    Index(None, "status"),
)

# B2B orders of the store: submitted here (or at another till of the store) and approved by HQ
# in four phases; `version` is the hub's (0: not yet heard from the hub). `lines` and `tenders`
# are JSON (edge.adapters.repositories.b2b_orders); `fulfilled_sale_id` is the sale of THIS
# node that handed the order over, never another node's.
b2b_order = Table(
    "b2b_order",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("till_id", String(32), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("submitted_by", String(64), nullable=False),
    Column("reference", String(64)),
    Column("currency", String(3), nullable=False),
    Column("total_minor", Integer, nullable=False),
    Column("lines", Text, nullable=False),
    Column("business_time", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("tenders", Text, nullable=False, server_default="[]"),
    Column("composed_by", String(64)),
    Column("cart_decided_by", String(64)),
    Column("payment_decided_by", String(64)),
    Column("payment_rejections", Integer, nullable=False, server_default="0"),
    Column("notes", Text),
    Column("order_number", String(64)),
    Column("fulfilled_sale_id", String(36)),
    CheckConstraint(
        "status IN ('cart_submitted', 'cart_approved', 'cart_rejected', 'payment_composed', "
        "'payment_approved', 'placed', 'blocked', 'fulfilled', 'expired', 'lapsed')",
        name="status",
    ),
    Index(None, "status"),
)


# The counter's tables live in their own module (edge.adapters.tables_counter); they are
# this module's too, so every repository names a table as `tables.<name>`.
from edge.adapters.tables_counter import no_sale as no_sale  # noqa: E402
from edge.adapters.tables_counter import receipt_print as receipt_print  # noqa: E402
from edge.adapters.tables_counter import shift as shift  # noqa: E402
from edge.adapters.tables_counter import staff as staff  # noqa: E402
from edge.adapters.tables_counter import staff_sign_in as staff_sign_in  # noqa: E402
from edge.adapters.tables_counter import till_session as till_session  # noqa: E402
from edge.adapters.tables_counter import z_report as z_report  # noqa: E402
from edge.adapters.tables_dashboard import dashboard_session as dashboard_session  # noqa: E402
from edge.adapters.tables_dashboard import (  # noqa: E402
    outbox_depth_sample as outbox_depth_sample,
)
from edge.adapters.tables_tenders import card_payment as card_payment  # noqa: E402
from edge.adapters.tables_tenders import stored_value as stored_value  # noqa: E402
