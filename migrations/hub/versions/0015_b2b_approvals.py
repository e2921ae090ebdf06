"""B2B order approvals: the orders tills submit, HQ's decisions on cart and payment.

Revision ID: 0015
Revises: 0014
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0015"
down_revision: Union[str, Sequence[str], None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

KINDS_BEFORE = "kind IN ('unknown_sku', 'oversold', 'price_drift', 'tender_problem', 'refund_problem')"
KINDS_AFTER = (
    "kind IN ('unknown_sku', 'oversold', 'price_drift', 'tender_problem', 'refund_problem', "
    "'b2b_problem')"
)
STATUSES = (
    "status IN ('cart_submitted', 'cart_approved', 'cart_rejected', 'payment_composed', "
    "'payment_approved', 'placed', 'blocked', 'fulfilled', 'expired', 'lapsed')"
)


def upgrade() -> None:
    with op.batch_alter_table("store") as batch:
        batch.add_column(
            sa.Column("b2b_orders_placed", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("sale_exception") as batch:
        batch.drop_constraint(op.f("ck_sale_exception_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_sale_exception_kind"), KINDS_AFTER)
    op.create_table(
        "b2b_order",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("till_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("business_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="cart_submitted", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("workflow_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signal_pending", sa.String(length=16), nullable=True),
        sa.Column("cart_decided_by", sa.String(length=64), nullable=True),
        sa.Column("cart_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenders", sa.JSON(), nullable=True),
        sa.Column("composed_by", sa.String(length=64), nullable=True),
        sa.Column("composed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_decided_by", sa.String(length=64), nullable=True),
        sa.Column("payment_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_rejections", sa.Integer(), server_default="0", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("order_number", sa.String(length=64), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fulfilled_sale_id", sa.Uuid(), nullable=True),
        sa.Column("fulfilled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(STATUSES, name=op.f("ck_b2b_order_status")),
        sa.CheckConstraint("total_minor > 0", name=op.f("ck_b2b_order_positive")),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_b2b_order")),
        sa.UniqueConstraint("order_number", name=op.f("uq_b2b_order_order_number")),
    )
    op.create_index(
        op.f("ix_b2b_order_status_store_id_received_at"),
        "b2b_order",
        ["status", "store_id", "received_at"],
    )
    op.create_index(op.f("ix_b2b_order_workflow_started_at"), "b2b_order", ["workflow_started_at"])
    op.create_index(op.f("ix_b2b_order_signal_pending"), "b2b_order", ["signal_pending"])


def downgrade() -> None:
    op.drop_index(op.f("ix_b2b_order_signal_pending"), table_name="b2b_order")
    op.drop_index(op.f("ix_b2b_order_workflow_started_at"), table_name="b2b_order")
    op.drop_index(op.f("ix_b2b_order_status_store_id_received_at"), table_name="b2b_order")
    op.drop_table("b2b_order")
    op.execute("DELETE FROM sale_exception WHERE kind = 'b2b_problem'")
    with op.batch_alter_table("sale_exception") as batch:
        batch.drop_constraint(op.f("ck_sale_exception_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_sale_exception_kind"), KINDS_BEFORE)
    with op.batch_alter_table("store") as batch:
        batch.drop_column("b2b_orders_placed")
