"""Staff from HQ's feed, their sign-in state at this node, and till sessions.

Revision ID: 0013
Revises: 0012
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0013"
down_revision: Union[str, Sequence[str], None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("staff_code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "role IN ('cashier', 'supervisor', 'manager')", name=op.f("ck_staff_role")
        ),
        sa.PrimaryKeyConstraint("staff_code", name=op.f("pk_staff")),
    )
    op.create_table(
        "staff_sign_in",
        sa.Column("staff_code", sa.String(12), nullable=False),
        sa.Column("failures", sa.Text(), server_default="[]", nullable=False),
        sa.Column("locked_until", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("staff_code", name=op.f("pk_staff_sign_in")),
    )
    op.create_table(
        "till_session",
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("till_id", sa.String(32), nullable=False),
        sa.Column("staff_code", sa.String(12), nullable=False),
        sa.Column("started_at", sa.Text(), nullable=False),
        sa.Column("ended_at", sa.Text(), nullable=True),
        sa.Column("end_reason", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_till_session")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_till_session_token_sha256")),
    )
    op.create_index(
        op.f("ix_till_session_till_id_ended_at"), "till_session", ["till_id", "ended_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_till_session_till_id_ended_at"), table_name="till_session")
    op.drop_table("till_session")
    op.drop_table("staff_sign_in")
    op.drop_table("staff")
