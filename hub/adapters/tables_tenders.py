"""Tables of tenders at the hub: each document's tenders (with what a card, gift card or
store credit says of it), and the stored-value ledgers (gift cards, store credit). Part of
the same metadata as hub.adapters.tables (which re-exports them). Money in minor units."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
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

tender = Table(
    "tender",
    metadata,
    Column("document_id", Uuid, ForeignKey("sale_document.document_id"), primary_key=True),
    Column("tender_no", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("tendered_minor", BigInteger, nullable=False),
    Column("change_minor", BigInteger, nullable=False),
    # Version 5 of the sale and return events (issue 14): what a card, gift-card or
    # store-credit tender moved. NULL for cash and for documents of older versions.
    Column("tender_id", Uuid),
    # gift_card: the card's number; store_credit: the customer id.
    Column("account", String(64)),
    # As the document recorded it (captured, refunded, stored), then what `card.settled`
    # said of a stored one (captured, refunded, declined, expired).
    Column("card_status", String(16)),
    Column("card_transaction_id", String(64)),
    Column("card_brand", String(64)),
    Column("card_last4", String(64)),
    Column("card_deadline", UtcDateTime),
    # A refund: the original sale's tender it pays back.
    Column("original_tender_no", Integer),
    CheckConstraint(
        "card_status IN ('captured', 'refunded', 'stored', 'declined', 'expired')",
        name="card_status",
    ),
)

# A gift card (keyed by its number) or a customer's store credit (keyed by the customer id):
# its balance is the sum of its movements, kept here so two stores' uploads spending one
# card serialise on this row and an overdraft is seen.
stored_value_account = Table(
    "stored_value_account",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("account", String(64), primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("balance_minor", BigInteger, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False, server_default="active"),
    # The store that activated the gift card (or first issued the credit), and when.
    Column("store_id", String(64)),
    Column("activated_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("kind IN ('gift_card', 'store_credit')", name="kind"),
    CheckConstraint("status IN ('active', 'blocked')", name="status"),
)

# Every movement of a stored-value account, signed (+ loads it, - spends it), once per
# (document, tender or line): a retried or doubled upload moves nothing twice.
stored_value_movement = Table(
    "stored_value_movement",
    metadata,
    Column(
        "movement_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("kind", String(16), nullable=False),
    Column("account", String(64), nullable=False),
    Column("movement", String(16), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("balance_after_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("document_id", Uuid, nullable=False),
    # 'tender' (tender_no) or 'line' (line_no: a gift card's activation).
    Column("source", String(8), nullable=False),
    Column("number", Integer, nullable=False),
    Column("store_id", String(64), nullable=False),
    Column("business_time", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("document_id", "source", "number"),
    Index(None, "kind", "account", "movement_id"),
    CheckConstraint(
        "movement IN ('activation', 'redemption', 'refund', 'adjustment', 'issue', 'spend')",
        name="movement",
    ),
    CheckConstraint("source IN ('tender', 'line')", name="source"),
)
