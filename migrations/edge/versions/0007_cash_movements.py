"""Cash movements of the drawer besides sales and refunds (float, paid-in, paid-out, pickup).

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "cash_movement",
        sa.Column("movement_id", sa.String(length=36), nullable=False),
        sa.Column("till_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("business_time", sa.Text(), nullable=False),
        sa.Column("business_day", sa.String(length=10), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("movement_id", name=op.f("pk_cash_movement")),
    )
    op.create_index(op.f("ix_cash_movement_business_day"), "cash_movement", ["business_day"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cash_movement_business_day"), table_name="cash_movement")
    op.drop_table("cash_movement")
