"""Node credentials: made by the node itself at enrolment, rotated on HQ's schedule.

`enrolment_attempt` keeps the credential the node proposed (by its hash) until the hub's
answer arrives, so a repeat after a lost answer or a restart proposes the same one; the node's
`credential_rotate_at` says when to rotate it (None: never, as for nodes enrolled before).

Revision ID: 0011
Revises: 0010
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("node") as batch:
        batch.add_column(sa.Column("credential_rotate_at", sa.Text(), nullable=True))
    op.create_table(
        "enrolment_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("credential", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_enrolment_attempt_single_attempt")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_attempt")),
    )


def downgrade() -> None:
    op.drop_table("enrolment_attempt")
    with op.batch_alter_table("node") as batch:
        batch.drop_column("credential_rotate_at")
