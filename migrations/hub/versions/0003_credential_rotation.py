"""Credential rotation: the next credential of a node, valid alongside the old until first used.

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
        batch.add_column(sa.Column("next_credential_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("credential_rotated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(op.f("uq_node_next_credential_hash"), ["next_credential_hash"])


def downgrade() -> None:
    with op.batch_alter_table("node") as batch:
        batch.drop_constraint(op.f("uq_node_next_credential_hash"), type_="unique")
        batch.drop_column("credential_rotated_at")
        batch.drop_column("next_credential_hash")
