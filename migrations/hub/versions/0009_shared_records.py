"""Records both sides may edit (customers, store settings) and the log of overwritten values.

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
    op.create_table(
        "shared_record",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entity", "record_key", name=op.f("pk_shared_record")),
    )
    op.create_table(
        "record_conflict",
        sa.Column("conflict_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("kept_value", sa.Text(), nullable=True),
        sa.Column("kept_hlc", sa.String(length=96), nullable=False),
        sa.Column("lost_value", sa.Text(), nullable=True),
        sa.Column("lost_hlc", sa.String(length=96), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conflict_id", name=op.f("pk_record_conflict")),
        sa.UniqueConstraint("entity", "record_key", "field", "lost_hlc", name=op.f("uq_record_conflict_entity_record_key_field_lost_hlc")),
    )


def downgrade() -> None:
    op.drop_table("record_conflict")
    op.drop_table("shared_record")
