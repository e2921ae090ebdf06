"""Cart operations: parked carts (status `parked`, when and by whom), a line's manual discount
and its reason, and a price override's reason code, on cart and sale lines.

Revision ID: 0016
Revises: 0014
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0016"
down_revision: Union[str, Sequence[str], None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_OLD_STATUS = "status IN ('open', 'checked_out', 'voided')"
_NEW_STATUS = "status IN ('open', 'parked', 'checked_out', 'voided')"


def _manual_columns() -> list[sa.Column]:
    return [
        sa.Column("manual_discount_minor", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("discount_reason", sa.Text(), nullable=True),
        sa.Column("price_reason", sa.String(length=32), nullable=True),
        sa.Column("price_note", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("cart", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_cart_status"), type_="check")
        batch.create_check_constraint(op.f("ck_cart_status"), _NEW_STATUS)
        batch.add_column(sa.Column("parked_at", sa.Text(), nullable=True))
        batch.add_column(sa.Column("parked_by_code", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("parked_by_name", sa.Text(), nullable=True))
        batch.create_index("ix_cart_status", ["status"])
    for table in ("cart_line", "sale_line"):
        with op.batch_alter_table(table) as batch:
            for column in _manual_columns():
                batch.add_column(column)


def downgrade() -> None:
    for table in ("sale_line", "cart_line"):
        with op.batch_alter_table(table) as batch:
            for column in reversed(_manual_columns()):
                batch.drop_column(column.name)
    # A cart parked when the software is rolled back is voided: the old code knows no parking.
    op.execute("UPDATE cart SET status = 'voided' WHERE status = 'parked'")
    with op.batch_alter_table("cart", recreate="always") as batch:
        batch.drop_index("ix_cart_status")
        batch.drop_column("parked_by_name")
        batch.drop_column("parked_by_code")
        batch.drop_column("parked_at")
        batch.drop_constraint(op.f("ck_cart_status"), type_="check")
        batch.create_check_constraint(op.f("ck_cart_status"), _OLD_STATUS)
