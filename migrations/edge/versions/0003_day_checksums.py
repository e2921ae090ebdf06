"""Day checksums: this node's totals per business day and the hub's verdict.

Revision ID: 0003
Revises: 0002
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("node") as batch:
        batch.add_column(sa.Column("checksum_seq", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "day_checksum",
        sa.Column("business_day", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total_minor", sa.Integer(), nullable=False),
        sa.Column("id_hash", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hub_count", sa.Integer(), nullable=False),
        sa.Column("hub_total_minor", sa.Integer(), nullable=False),
        sa.Column("hub_id_hash", sa.String(length=16), nullable=False),
        sa.Column("checked_at", sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('matched', 'mismatch')", name=op.f("ck_day_checksum_status")),
        sa.PrimaryKeyConstraint("business_day", name=op.f("pk_day_checksum")),
    )


def downgrade() -> None:
    op.drop_table("day_checksum")
    with op.batch_alter_table("node") as batch:
        batch.drop_column("checksum_seq")
