"""Bootstrap from a snapshot: where a download stands, and versioned stock levels.

Revision ID: 0004
Revises: 0003
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("node") as batch:
        batch.add_column(sa.Column("bootstrap_position", sa.Text(), nullable=True))
        batch.add_column(sa.Column("bootstrap_after", sa.Text(), nullable=True))
    with op.batch_alter_table("stock_level") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("stock_level") as batch:
        batch.drop_column("version")
    with op.batch_alter_table("node") as batch:
        batch.drop_column("bootstrap_after")
        batch.drop_column("bootstrap_position")
