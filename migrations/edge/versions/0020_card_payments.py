"""The till's card payment log (every charge or refund asked of the acquirer, written before
it is asked) and the stored-value balances the store last knew.

Revision ID: 0020
Revises: 0019
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0020"
down_revision: Union[str, Sequence[str], None] = "0019"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "card_payment",
        sa.Column("tender_id", sa.String(36), primary_key=True),
        sa.Column("operation", sa.String(8), nullable=False),
        sa.Column("till_id", sa.String(32), nullable=False),
        sa.Column("cart_id", sa.String(36)),
        sa.Column("document_id", sa.String(36)),
        sa.Column("tender_no", sa.Integer()),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("card_token", sa.String(64)),
        sa.Column("original_transaction_id", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16)),
        sa.Column("transaction_id", sa.String(64)),
        sa.Column("decline_code", sa.String(64)),
        sa.Column("brand", sa.String(32)),
        sa.Column("last4", sa.String(4)),
        sa.Column("taken_at", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Text()),
        sa.Column("settled_at", sa.Text()),
        sa.CheckConstraint("operation IN ('charge', 'refund')", name="operation"),
        sa.CheckConstraint(
            "status IN ('pending', 'captured', 'refunded', 'declined', 'stored', 'settled', "
            "'reversed')",
            name="status",
        ),
        sa.CheckConstraint("amount_minor > 0", name="positive"),
    )
    op.create_index("ix_card_payment_status_taken_at", "card_payment", ["status", "taken_at"])
    op.create_index("ix_card_payment_cart_id", "card_payment", ["cart_id"])
    op.create_table(
        "stored_value",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("account", sa.String(64), primary_key=True),
        sa.Column("balance_minor", sa.Integer(), nullable=False),
        sa.Column("spent_offline_minor", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("as_of", sa.Text(), nullable=False),
        sa.Column("blocked", sa.Integer(), nullable=False, server_default="0"),
        sa.CheckConstraint("kind IN ('gift_card', 'store_credit')", name="kind"),
    )


def downgrade() -> None:
    op.drop_table("stored_value")
    op.drop_index("ix_card_payment_cart_id", "card_payment")
    op.drop_index("ix_card_payment_status_taken_at", "card_payment")
    op.drop_table("card_payment")
