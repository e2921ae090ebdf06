"""Tenders beyond cash: a tender's id, account (gift card number or store-credit customer),
card as recorded (status, acquirer id, brand, last four digits, offline deadline) and, for a
refund, the sale's tender it pays back; the gift card a cart or sale line loads.

Revision ID: 0019
Revises: 0018
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0019"
down_revision: Union[str, Sequence[str], None] = "0018"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_TENDER_COLUMNS = (
    ("tender_id", sa.String(36)),
    ("account", sa.String(64)),
    ("card_status", sa.String(16)),
    ("card_transaction_id", sa.String(64)),
    ("card_brand", sa.String(32)),
    ("card_last4", sa.String(4)),
    ("card_deadline", sa.Text()),
    ("original_tender_no", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("tender") as batch:
        for name, kind in _TENDER_COLUMNS:
            batch.add_column(sa.Column(name, kind))
    for table in ("cart_line", "sale_line"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("gift_card_number", sa.String(19)))


def downgrade() -> None:
    for table in ("cart_line", "sale_line"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("gift_card_number")
    with op.batch_alter_table("tender") as batch:
        for name, _ in reversed(_TENDER_COLUMNS):
            batch.drop_column(name)
