"""Enrolment attempts: a node may repeat its enrolment after the answer was lost.

Revision ID: 0008
Revises: 0007
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("enrolment_token") as batch:
        batch.add_column(sa.Column("used_by_attempt", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enrolment_token") as batch:
        batch.drop_column("used_by_attempt")
