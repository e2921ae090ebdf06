"""The store manager's dashboard: its sign-in sessions and the outbox's depth sampled
through the day.

Revision ID: 0021
Revises: 0020
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0021"
down_revision: Union[str, Sequence[str], None] = "0020"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "dashboard_session",
        sa.Column("session_id", sa.String(36), primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("staff_code", sa.String(12), nullable=False),
        sa.Column("started_at", sa.Text(), nullable=False),
        sa.Column("last_seen_at", sa.Text(), nullable=False),
        sa.Column("ended_at", sa.Text()),
        sa.Column("end_reason", sa.String(16)),
    )
    op.create_index(
        "ix_dashboard_session_staff_code_ended_at", "dashboard_session", ["staff_code", "ended_at"]
    )
    op.create_table(
        "outbox_depth_sample",
        sa.Column("at", sa.Text(), primary_key=True),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("oldest_age_s", sa.Integer()),
        sa.Column("online", sa.Integer(), nullable=False),
        sa.CheckConstraint("pending >= 0", name="pending"),
    )


def downgrade() -> None:
    op.drop_table("outbox_depth_sample")
    op.drop_index("ix_dashboard_session_staff_code_ended_at", "dashboard_session")
    op.drop_table("dashboard_session")
