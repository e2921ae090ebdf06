"""Ingest integrity: a digest of each received event's content, and two kinds of exception.

`sync_event.content_sha256` lets the hub tell a plain re-send of an event it holds from an
altered one (NULL for events received before; the hub then digests the stored payload). The
exception queue gains `line_arithmetic` (a sale line whose total is not its quantity x unit
price less its discount) and `altered_resend` (an event re-sent with other content).

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

KINDS_BEFORE = (
    "kind IN ('unknown_sku', 'oversold', 'price_drift', 'tender_problem', 'refund_problem', "
    "'b2b_problem')"
)
KINDS_AFTER = (
    "kind IN ('unknown_sku', 'oversold', 'price_drift', 'tender_problem', 'refund_problem', "
    "'b2b_problem', 'line_arithmetic', 'altered_resend')"
)


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: no copy of the inbox, however large.
    op.add_column("sync_event", sa.Column("content_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("sale_exception") as batch:
        batch.drop_constraint(op.f("ck_sale_exception_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_sale_exception_kind"), KINDS_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM sale_exception WHERE kind IN ('line_arithmetic', 'altered_resend')")
    with op.batch_alter_table("sale_exception") as batch:
        batch.drop_constraint(op.f("ck_sale_exception_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_sale_exception_kind"), KINDS_BEFORE)
    with op.batch_alter_table("sync_event") as batch:
        batch.drop_column("content_sha256")
