"""Tenders beyond cash (issue 14): a tender's card, gift-card and store-credit columns; the
gift-card and store-credit ledgers (an account per card or customer, a movement per document
and tender or line); three kinds of exception (`overdraft`, `card_declined`, `card_expired`).

Revision ID: 0025
Revises: 0024
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0025"
down_revision: Union[str, Sequence[str], None] = "0024"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

KINDS_BEFORE = (
    "kind IN ('unknown_sku', 'oversold', 'price_drift', 'tender_problem', 'refund_problem', "
    "'b2b_problem', 'line_arithmetic', 'altered_resend')"
)
KINDS_AFTER = (
    "kind IN ('unknown_sku', 'oversold', 'price_drift', 'tender_problem', 'refund_problem', "
    "'b2b_problem', 'line_arithmetic', 'altered_resend', 'overdraft', 'card_declined', "
    "'card_expired')"
)
CARD_STATUS = "card_status IN ('captured', 'refunded', 'stored', 'declined', 'expired')"


def upgrade() -> None:
    with op.batch_alter_table("tender") as batch:
        batch.add_column(sa.Column("tender_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("account", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("card_status", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("card_transaction_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("card_brand", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("card_last4", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("card_deadline", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("original_tender_no", sa.Integer(), nullable=True))
        batch.create_check_constraint(op.f("ck_tender_card_status"), CARD_STATUS)
    with op.batch_alter_table("sale_exception") as batch:
        batch.drop_constraint(op.f("ck_sale_exception_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_sale_exception_kind"), KINDS_AFTER)
    op.create_table(
        "stored_value_account",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('gift_card', 'store_credit')", name=op.f("ck_stored_value_account_kind")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'blocked')", name=op.f("ck_stored_value_account_status")
        ),
        sa.PrimaryKeyConstraint("kind", "account", name=op.f("pk_stored_value_account")),
    )
    op.create_table(
        "stored_value_movement",
        sa.Column(
            "movement_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("movement", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("balance_after_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("business_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "movement IN ('activation', 'redemption', 'refund', 'adjustment', 'issue', 'spend')",
            name=op.f("ck_stored_value_movement_movement"),
        ),
        sa.CheckConstraint(
            "source IN ('tender', 'line')", name=op.f("ck_stored_value_movement_source")
        ),
        sa.PrimaryKeyConstraint("movement_id", name=op.f("pk_stored_value_movement")),
        sa.UniqueConstraint(
            "document_id",
            "source",
            "number",
            name=op.f("uq_stored_value_movement_document_id_source_number"),
        ),
    )
    op.create_index(
        op.f("ix_stored_value_movement_kind_account_movement_id"),
        "stored_value_movement",
        ["kind", "account", "movement_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_stored_value_movement_kind_account_movement_id"),
        table_name="stored_value_movement",
    )
    op.drop_table("stored_value_movement")
    op.drop_table("stored_value_account")
    op.execute(
        "DELETE FROM sale_exception WHERE kind IN ('overdraft', 'card_declined', 'card_expired')"
    )
    with op.batch_alter_table("sale_exception") as batch:
        batch.drop_constraint(op.f("ck_sale_exception_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_sale_exception_kind"), KINDS_BEFORE)
    with op.batch_alter_table("tender") as batch:
        batch.drop_constraint(op.f("ck_tender_card_status"), type_="check")
        for column in (
            "original_tender_no",
            "card_deadline",
            "card_last4",
            "card_brand",
            "card_transaction_id",
            "card_status",
            "account",
            "tender_id",
        ):
            batch.drop_column(column)
