"""The inbox's secondary indexes cover only what is looked up: quarantined and retried events.

The index on (store_id, status, received_at) took an entry for every event received, though
only the quarantine inbox (status 'quarantined') and a bootstrap's list of retried events
(retries > 0) look events up by store. Two partial indexes serve those, and an event applied
at once (nearly all) adds an entry to neither.

Revision ID: 0016
Revises: 0015
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0016"
down_revision: Union[str, Sequence[str], None] = "0015"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

QUARANTINED = sa.text("status = 'quarantined'")
RETRIED = sa.text("retries > 0")


def upgrade() -> None:
    op.drop_index("ix_sync_event_store_id_status_received_at", table_name="sync_event")
    op.create_index(
        "ix_sync_event_quarantined",
        "sync_event",
        ["store_id", "received_at", "node_id", "seq"],
        postgresql_where=QUARANTINED,
        sqlite_where=QUARANTINED,
    )
    op.create_index(
        "ix_sync_event_retried",
        "sync_event",
        ["store_id", "event_id"],
        postgresql_where=RETRIED,
        sqlite_where=RETRIED,
    )


def downgrade() -> None:
    op.drop_index("ix_sync_event_retried", table_name="sync_event")
    op.drop_index("ix_sync_event_quarantined", table_name="sync_event")
    op.create_index(
        "ix_sync_event_store_id_status_received_at",
        "sync_event",
        ["store_id", "status", "received_at"],
    )
