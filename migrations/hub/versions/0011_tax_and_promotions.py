"""Tax rates and promotions, hub-authoritative and versioned; the terms each sale line was priced with.

Revision ID: 0011
Revises: 0010
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_DECIMAL = sa.Numeric(precision=18, scale=6).with_variant(sa.String(length=40), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.add_column("product", sa.Column("tax_code", sa.String(length=32), nullable=True))
    op.create_table(
        "tax_rate",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("rate", _DECIMAL, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_tax_rate")),
    )
    op.create_table(
        "promotion",
        sa.Column("promotion_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("skus", _JSON, nullable=False),
        sa.Column("percent_off", _DECIMAL, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("promotion_id", name=op.f("pk_promotion")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # On SQLite these columns are text, compared as text: the hub checks the range itself.
        op.create_check_constraint("ck_tax_rate_rate", "tax_rate", "rate >= 0 AND rate <= 100")
        op.create_check_constraint(
            "ck_promotion_percent_off", "promotion", "percent_off > 0 AND percent_off <= 100"
        )
    for column in (
        sa.Column("discount_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("promotion_id", sa.String(length=64), nullable=True),
        sa.Column("promotion_version", sa.Integer(), nullable=True),
        sa.Column("tax_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tax_code", sa.String(length=32), nullable=True),
        sa.Column("tax_rate", _DECIMAL, nullable=True),
        sa.Column("tax_version", sa.Integer(), nullable=True),
    ):
        op.add_column("sale_line", column)


def downgrade() -> None:
    with op.batch_alter_table("sale_line") as batch:
        for name in (
            "tax_version",
            "tax_rate",
            "tax_code",
            "tax_minor",
            "promotion_version",
            "promotion_id",
            "discount_minor",
        ):
            batch.drop_column(name)
    op.drop_table("promotion")
    op.drop_table("tax_rate")
    with op.batch_alter_table("product") as batch:
        batch.drop_column("tax_code")
