"""Weighed items: a product's unit of measure (`each` or `kg`), the unit of every cart, sale
and return line (its quantity then stored in thousandths of a kg), an index on the GTIN.

Revision ID: 0018
Revises: 0017
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0018"
down_revision: Union[str, Sequence[str], None] = "0017"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_LINES = ("cart_line", "sale_line", "return_line")


def upgrade() -> None:
    with op.batch_alter_table("product") as batch:
        batch.add_column(
            sa.Column("unit", sa.String(8), nullable=False, server_default="each")
        )
    op.create_index("ix_product_gtin", "product", ["gtin"])
    for table in _LINES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("unit", sa.String(8), nullable=False, server_default="each")
            )


def downgrade() -> None:
    for table in _LINES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("unit")
    op.drop_index("ix_product_gtin", "product")
    with op.batch_alter_table("product") as batch:
        batch.drop_column("unit")
