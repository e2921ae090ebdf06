"""Refund approvals: the store's refund limit, requests waiting for HQ, and HQ's decisions.

Revision ID: 0009
Revises: 0008
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0009"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("node") as batch:
        batch.add_column(sa.Column("refund_approval_over_minor", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("store_version", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("sales_return") as batch:
        batch.add_column(sa.Column("refund_request_id", sa.String(length=36), nullable=True))
        batch.create_index(
            op.f("ix_sales_return_refund_request_id"), ["refund_request_id"], unique=True
        )
    op.create_table(
        "refund_request",
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("till_id", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("original_sale_id", sa.String(length=36), nullable=True),
        sa.Column("original_receipt_number", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("business_time", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("executed_return_id", sa.String(length=36), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'expired', 'executed', 'lapsed')",
            name=op.f("ck_refund_request_status"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_refund_request")),
    )
    op.create_index(op.f("ix_refund_request_status"), "refund_request", ["status"])
    # This software reads what the old one skipped while its cursor moved past it (the
    # store's refund limit, refund decisions): download the store's state again. The store
    # configuration's version starts at 0, so the snapshot's copy applies. Outbox untouched.
    op.execute("UPDATE node SET feed_cursor = NULL, bootstrap_position = NULL, bootstrap_after = NULL")


def downgrade() -> None:
    op.drop_index(op.f("ix_refund_request_status"), table_name="refund_request")
    op.drop_table("refund_request")
    with op.batch_alter_table("sales_return") as batch:
        batch.drop_index(op.f("ix_sales_return_refund_request_id"))
        batch.drop_column("refund_request_id")
    with op.batch_alter_table("node") as batch:
        batch.drop_column("store_version")
        batch.drop_column("refund_approval_over_minor")
