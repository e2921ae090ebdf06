"""Receipt prints: whether each receipt's original printed, why not, and its copies (reprints).

Revision ID: 0017
Revises: 0016
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0017"
down_revision: Union[str, Sequence[str], None] = "0016"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "receipt_print",
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("staff_name", sa.String(length=200), nullable=True),
        sa.Column("printed_at", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("reprints", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("kind IN ('sale', 'return')", name=op.f("ck_receipt_print_kind")),
        sa.CheckConstraint("reprints >= 0", name=op.f("ck_receipt_print_reprints")),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_receipt_print")),
    )


def downgrade() -> None:
    op.drop_table("receipt_print")
