"""Quarantine retries: count and time of retries, an index to list a store's quarantine.

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("sync_event") as batch:
        batch.add_column(sa.Column("retries", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("last_retry_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        op.f("ix_sync_event_store_id_status_received_at"),
        "sync_event",
        ["store_id", "status", "received_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sync_event_store_id_status_received_at"), table_name="sync_event")
    with op.batch_alter_table("sync_event") as batch:
        batch.drop_column("last_retry_at")
        batch.drop_column("retries")
