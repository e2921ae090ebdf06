"""Sale exceptions: what is odd about a recorded sale, for a person to resolve.

Revision ID: 0004
Revises: 0003
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "sale_exception",
        sa.Column("exception_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('unknown_sku', 'oversold', 'price_drift', 'tender_problem')", name=op.f("ck_sale_exception_kind")),
        sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f("ck_sale_exception_status")),
        sa.PrimaryKeyConstraint("exception_id", name=op.f("pk_sale_exception")),
    )
    op.create_index(op.f("ix_sale_exception_status_store_id_exception_id"), "sale_exception", ["status", "store_id", "exception_id"], unique=False)
    op.create_index(op.f("ix_sale_exception_document_id"), "sale_exception", ["document_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sale_exception_document_id"), table_name="sale_exception")
    op.drop_index(op.f("ix_sale_exception_status_store_id_exception_id"), table_name="sale_exception")
    op.drop_table("sale_exception")
