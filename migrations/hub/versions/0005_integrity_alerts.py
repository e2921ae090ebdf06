"""Integrity alerts: day totals of a node that did not match the hub's.

Revision ID: 0005
Revises: 0004
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "integrity_alert",
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("edge_count", sa.BigInteger(), nullable=False),
        sa.Column("edge_total_minor", sa.BigInteger(), nullable=False),
        sa.Column("edge_id_hash", sa.String(length=16), nullable=False),
        sa.Column("hub_count", sa.BigInteger(), nullable=False),
        sa.Column("hub_total_minor", sa.BigInteger(), nullable=False),
        sa.Column("hub_id_hash", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_integrity_alert")),
    )
    op.create_index(op.f("ix_integrity_alert_node_id_business_day"), "integrity_alert", ["node_id", "business_day"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_integrity_alert_node_id_business_day"), table_name="integrity_alert")
    op.drop_table("integrity_alert")
