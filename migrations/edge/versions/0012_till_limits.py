"""Till limits: the line, sale and no-receipt refund limits HQ set for the store (null: default).

Revision ID: 0012
Revises: 0011
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0012"
down_revision: Union[str, Sequence[str], None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("node") as batch:
        batch.add_column(sa.Column("no_receipt_refund_over_minor", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("line_quantity_max", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("line_amount_max_minor", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("sale_total_max_minor", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("no_receipt_above_catalogue_price", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("node") as batch:
        batch.drop_column("no_receipt_above_catalogue_price")
        batch.drop_column("sale_total_max_minor")
        batch.drop_column("line_amount_max_minor")
        batch.drop_column("line_quantity_max")
        batch.drop_column("no_receipt_refund_over_minor")
