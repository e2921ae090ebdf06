"""Till limits: the line, sale and no-receipt refund limits HQ sets per store (null: default).

A store's `refund_approval_over_minor` of NULL now means the default limit, not no limit.

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
    with op.batch_alter_table("store") as batch:
        batch.add_column(sa.Column("no_receipt_refund_over_minor", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("line_quantity_max", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("line_amount_max_minor", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("sale_total_max_minor", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("no_receipt_above_catalogue_price", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("store") as batch:
        batch.drop_column("no_receipt_above_catalogue_price")
        batch.drop_column("sale_total_max_minor")
        batch.drop_column("line_amount_max_minor")
        batch.drop_column("line_quantity_max")
        batch.drop_column("no_receipt_refund_over_minor")
