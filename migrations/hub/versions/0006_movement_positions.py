"""Stock movements record their writing transaction, for an ERP export that skips nothing.

Revision ID: 0006
Revises: 0005
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("stock_movement") as batch:
        batch.add_column(sa.Column("txid", sa.BigInteger(), server_default="0", nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        # Every row written later, COPY included, records the transaction that wrote it.
        op.execute(
            "ALTER TABLE stock_movement ALTER COLUMN txid SET DEFAULT (pg_current_xact_id())::text::bigint"
        )
    op.create_index(op.f("ix_stock_movement_txid_movement_id"), "stock_movement", ["txid", "movement_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_stock_movement_txid_movement_id"), table_name="stock_movement")
    with op.batch_alter_table("stock_movement") as batch:
        batch.drop_column("txid")
