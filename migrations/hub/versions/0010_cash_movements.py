"""Cash movements of the drawers besides sales and refunds (float, paid-in, paid-out, pickup).

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
    op.create_table(
        "cash_movement",
        sa.Column("movement_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("till_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("business_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('float', 'paid_in', 'paid_out', 'pickup')", name=op.f("ck_cash_movement_kind")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_cash_movement_positive")),
        sa.ForeignKeyConstraint(
            ["store_id"], ["store.store_id"], name=op.f("fk_cash_movement_store_id_store")
        ),
        sa.PrimaryKeyConstraint("movement_id", name=op.f("pk_cash_movement")),
        sa.UniqueConstraint("event_id", name=op.f("uq_cash_movement_event_id")),
    )
    op.create_index(
        op.f("ix_cash_movement_store_id_business_day"),
        "cash_movement",
        ["store_id", "business_day"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_cash_movement_store_id_business_day"), table_name="cash_movement")
    op.drop_table("cash_movement")
