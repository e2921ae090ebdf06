"""Tax rates and promotions from the hub; the terms each cart, sale and return line was priced with.

Also makes the node download its store's state again (see `upgrade`).

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

_LINE_TABLES = ("cart_line", "sale_line", "return_line")


def _terms() -> list[sa.Column]:
    return [
        sa.Column("discount_minor", sa.Integer(), server_default="0", nullable=False),
        sa.Column("promotion_id", sa.String(length=64), nullable=True),
        sa.Column("promotion_version", sa.Integer(), nullable=True),
        sa.Column("tax_minor", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tax_code", sa.String(length=32), nullable=True),
        sa.Column("tax_rate", sa.Text(), nullable=True),
        sa.Column("tax_version", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    op.add_column("product", sa.Column("tax_code", sa.String(length=32), nullable=True))
    for table in _LINE_TABLES:
        for column in _terms():
            op.add_column(table, column)
    op.create_table(
        "tax_rate",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("rate", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_tax_rate")),
    )
    op.create_table(
        "promotion",
        sa.Column("promotion_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("percent_off", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.Text(), nullable=False),
        sa.Column("ends_at", sa.Text(), nullable=True),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("promotion_id", name=op.f("pk_promotion")),
    )
    op.create_table(
        "promotion_sku",
        sa.Column("promotion_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["promotion_id"],
            ["promotion.promotion_id"],
            name=op.f("fk_promotion_sku_promotion_id_promotion"),
        ),
        sa.PrimaryKeyConstraint("promotion_id", "sku", name=op.f("pk_promotion_sku")),
    )
    op.create_index(op.f("ix_promotion_sku_sku"), "promotion_sku", ["sku"])
    # This software reads feed fields and entities the old one skipped (products' tax codes,
    # tax rates, promotions) while its cursor moved past them. Download the store's state
    # again: product versions to 0 so the snapshot's copies apply in full, and the feed
    # position forgotten (any download under way restarts too). The outbox is untouched.
    op.execute("UPDATE product SET version = 0")
    op.execute("UPDATE node SET feed_cursor = NULL, bootstrap_position = NULL, bootstrap_after = NULL")


def downgrade() -> None:
    op.drop_index(op.f("ix_promotion_sku_sku"), table_name="promotion_sku")
    op.drop_table("promotion_sku")
    op.drop_table("promotion")
    op.drop_table("tax_rate")
    with op.batch_alter_table("product") as batch:
        batch.drop_column("tax_code")
    for table in _LINE_TABLES:
        with op.batch_alter_table(table) as batch:
            for column in _terms():
                batch.drop_column(column.name)
