"""B2B order approval: trade customers' orders waiting for HQ, and the sales that hand them over.

Revision ID: 0010
Revises: 0009
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0010"
down_revision: Union[str, Sequence[str], None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("sale") as batch:
        batch.add_column(sa.Column("b2b_order_id", sa.String(length=36), nullable=True))
        batch.create_index(op.f("ix_sale_b2b_order_id"), ["b2b_order_id"], unique=True)
    op.create_table(
        "b2b_order",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("till_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_minor", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("business_time", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tenders", sa.Text(), server_default="[]", nullable=False),
        sa.Column("composed_by", sa.String(length=64), nullable=True),
        sa.Column("cart_decided_by", sa.String(length=64), nullable=True),
        sa.Column("payment_decided_by", sa.String(length=64), nullable=True),
        sa.Column("payment_rejections", sa.Integer(), server_default="0", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("order_number", sa.String(length=64), nullable=True),
        sa.Column("fulfilled_sale_id", sa.String(length=36), nullable=True),
        sa.CheckConstraint(
            "status IN ('cart_submitted', 'cart_approved', 'cart_rejected', 'payment_composed', "
            "'payment_approved', 'placed', 'blocked', 'fulfilled', 'expired', 'lapsed')",
            name=op.f("ck_b2b_order_status"),
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_b2b_order")),
    )
    op.create_index(op.f("ix_b2b_order_status"), "b2b_order", ["status"])
    # The old software skipped b2b_approval feed entries while its cursor moved past them
    # (orders of other tills of the store, HQ's decisions): download the store's state again.
    # The outbox is untouched.
    op.execute("UPDATE node SET feed_cursor = NULL, bootstrap_position = NULL, bootstrap_after = NULL")


def downgrade() -> None:
    op.drop_index(op.f("ix_b2b_order_status"), table_name="b2b_order")
    op.drop_table("b2b_order")
    with op.batch_alter_table("sale") as batch:
        batch.drop_index(op.f("ix_sale_b2b_order_id"))
        batch.drop_column("b2b_order_id")
