"""Weighed items: a product's unit of measure (`each` or `kg`); a ledger line's quantity
becomes NUMERIC(18, 6) with its unit (whole units, or kg to 3 places); a document counts the
thousandths of a kg of its weighed lines (`weight_g`) beside its whole units.

Revision ID: 0024
Revises: 0023
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0024"
down_revision: Union[str, Sequence[str], None] = "0023"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_DECIMAL = sa.Numeric(precision=18, scale=6).with_variant(sa.String(length=40), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("product") as batch:
        batch.add_column(sa.Column("unit", sa.String(8), nullable=False, server_default="each"))
    with op.batch_alter_table("sale_document") as batch:
        batch.add_column(sa.Column("weight_g", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("sale_line") as batch:
        batch.add_column(sa.Column("unit", sa.String(8), nullable=False, server_default="each"))
        batch.alter_column(
            "quantity",
            existing_type=sa.BigInteger(),
            type_=_DECIMAL,
            existing_nullable=False,
            postgresql_using="quantity::numeric(18, 6)",
        )


def downgrade() -> None:
    with op.batch_alter_table("sale_line") as batch:
        batch.alter_column(
            "quantity",
            existing_type=_DECIMAL,
            type_=sa.BigInteger(),
            existing_nullable=False,
            postgresql_using="round(quantity)::bigint",
        )
        batch.drop_column("unit")
    with op.batch_alter_table("sale_document") as batch:
        batch.drop_column("weight_g")
    with op.batch_alter_table("product") as batch:
        batch.drop_column("unit")
