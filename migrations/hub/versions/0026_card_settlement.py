"""Card settlement: each store's card money of a UTC day against the acquirer's settlement;
an index of the inbox's `card.settled` events by time received.

Revision ID: 0026
Revises: 0025
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0026"
down_revision: Union[str, Sequence[str], None] = "0025"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "card_settlement",
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("settlement_day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("hub_captured_minor", sa.BigInteger(), nullable=False),
        sa.Column("hub_refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("hub_count", sa.BigInteger(), nullable=False),
        sa.Column("acquirer_captured_minor", sa.BigInteger(), nullable=False),
        sa.Column("acquirer_refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("acquirer_count", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('matched', 'mismatch')", name=op.f("ck_card_settlement_status")
        ),
        sa.PrimaryKeyConstraint("store_id", "settlement_day", name=op.f("pk_card_settlement")),
    )
    op.create_index(
        op.f("ix_card_settlement_settlement_day"), "card_settlement", ["settlement_day"]
    )
    op.create_index(
        "ix_sync_event_card_settled",
        "sync_event",
        ["received_at"],
        postgresql_where=sa.text("kind = 'card.settled'"),
        sqlite_where=sa.text("kind = 'card.settled'"),
    )


def downgrade() -> None:
    op.drop_index("ix_sync_event_card_settled", table_name="sync_event")
    op.drop_index(op.f("ix_card_settlement_settlement_day"), table_name="card_settlement")
    op.drop_table("card_settlement")
