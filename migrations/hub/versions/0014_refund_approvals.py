"""Refund approvals: a store's refund limit, the requests and HQ's decisions.

Revision ID: 0014
Revises: 0013
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0014"
down_revision: Union[str, Sequence[str], None] = "0013"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

KINDS_BEFORE = "kind IN ('unknown_sku', 'oversold', 'price_drift', 'tender_problem')"
KINDS_AFTER = "kind IN ('unknown_sku', 'oversold', 'price_drift', 'tender_problem', 'refund_problem')"


def upgrade() -> None:
    with op.batch_alter_table("store") as batch:
        batch.add_column(sa.Column("refund_approval_over_minor", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("config_version", sa.Integer(), server_default="1", nullable=False)
        )
    with op.batch_alter_table("sale_exception") as batch:
        batch.drop_constraint(op.f("ck_sale_exception_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_sale_exception_kind"), KINDS_AFTER)
    op.create_table(
        "refund_request",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("till_id", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("original_sale_id", sa.Uuid(), nullable=True),
        sa.Column("original_receipt_number", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("business_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("workflow_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("executed_return_id", sa.Uuid(), nullable=True),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'expired', 'executed', 'lapsed')",
            name=op.f("ck_refund_request_status"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_refund_request")),
    )
    op.create_index(
        op.f("ix_refund_request_status_store_id_received_at"),
        "refund_request",
        ["status", "store_id", "received_at"],
    )
    op.create_index(
        op.f("ix_refund_request_workflow_started_at"), "refund_request", ["workflow_started_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_refund_request_workflow_started_at"), table_name="refund_request")
    op.drop_index(
        op.f("ix_refund_request_status_store_id_received_at"), table_name="refund_request"
    )
    op.drop_table("refund_request")
    op.execute("DELETE FROM sale_exception WHERE kind = 'refund_problem'")
    with op.batch_alter_table("sale_exception") as batch:
        batch.drop_constraint(op.f("ck_sale_exception_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_sale_exception_kind"), KINDS_BEFORE)
    with op.batch_alter_table("store") as batch:
        batch.drop_column("config_version")
        batch.drop_column("refund_approval_over_minor")
