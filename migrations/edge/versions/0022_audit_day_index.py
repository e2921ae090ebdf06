"""The dashboard's audit trail: the outbox's audit events indexed by business day.

The Staff and audit page counts and lists one business day's `audit.recorded` events out of
the outbox, which keeps every row: without this partial index on the payload's business day
each page read every row ever written (edge.adapters.repositories.dashboard_audit).

Revision ID: 0022
Revises: 0021
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0022"
down_revision: Union[str, Sequence[str], None] = "0021"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_outbox_audit_day ON outbox "
        "(json_extract(payload, '$.business_day')) WHERE kind = 'audit.recorded'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_outbox_audit_day")
