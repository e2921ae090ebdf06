"""Stock levels moved by sales are marked, and published to the store's feed when it reads it.

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
    op.add_column(
        "stock_level",
        sa.Column("dirty", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # Every level may have been moved by sales since it was last published: publish them all.
    op.execute("UPDATE stock_level SET dirty = true")
    op.create_index(
        op.f("ix_stock_level_location_id_dirty"), "stock_level", ["location_id", "dirty"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_stock_level_location_id_dirty"), table_name="stock_level")
    with op.batch_alter_table("stock_level") as batch:
        batch.drop_column("dirty")
