"""Tables of tenders beyond cash in the edge node's SQLite file: the till's card payment log
and the stored-value balances the store last knew. Part of the same metadata as
edge.adapters.tables (which re-exports them)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Index, Integer, String, Table, Text

from edge.adapters.metadata import metadata

# Every card charge or refund the till asked for, written before the acquirer is asked (so
# a capture whose answer was lost, or a SIGKILL between capture and commit, is found again
# and settled exactly once with the same idempotency key). `status`: pending (asked, no
# answer known), captured / refunded (online), declined, stored (taken offline: forwarded
# later), settled (a stored one forwarded or expired: `outcome`), reversed (captured for a
# cart that was never checked out, paid back). `card_token` is kept only while the payment
# may still be sent (pending, stored) and cleared after.
card_payment = Table(
    "card_payment",
    metadata,
    Column("tender_id", String(36), primary_key=True),
    Column("operation", String(8), nullable=False),
    Column("till_id", String(32), nullable=False),
    Column("cart_id", String(36)),
    Column("document_id", String(36)),
    Column("tender_no", Integer),
    Column("amount_minor", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("card_token", String(64)),
    Column("original_transaction_id", String(64)),
    Column("status", String(16), nullable=False),
    Column("outcome", String(16)),
    Column("transaction_id", String(64)),
    Column("decline_code", String(64)),
    Column("brand", String(32)),
    Column("last4", String(4)),
    Column("taken_at", Text, nullable=False),
    Column("deadline", Text),
    Column("settled_at", Text),
    Index(None, "status", "taken_at"),
    Index(None, "cart_id"),
    CheckConstraint("operation IN ('charge', 'refund')", name="operation"),
    CheckConstraint(
        "status IN ('pending', 'captured', 'refunded', 'declined', 'stored', 'settled', "
        "'reversed')",
        name="status",
    ),
    CheckConstraint("amount_minor > 0", name="positive"),
)

# The balance of a gift card or a customer's store credit as this store last knew it
# (`balance_minor` after the hub's last answer and this store's movements since), and what it
# spent of it offline since that answer (`spent_offline_minor`): the offline rule's inputs.
stored_value = Table(
    "stored_value",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("account", String(64), primary_key=True),
    Column("balance_minor", Integer, nullable=False),
    Column("spent_offline_minor", Integer, nullable=False, server_default="0"),
    Column("as_of", Text, nullable=False),
    Column("blocked", Integer, nullable=False, server_default="0"),
    CheckConstraint("kind IN ('gift_card', 'store_credit')", name="kind"),
)
