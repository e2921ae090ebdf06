"""Line arithmetic: the exception queue gains `line_arithmetic`, a sale line whose total is not
its quantity x unit price less its discount (the sale is recorded as rung up).

Revision ID: 0018
Revises: 0017
"""
from typing import Sequence, Union

from alembic import op

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
    "'b2b_problem', 'line_arithmetic')"
)


def upgrade() -> None:
    with op.batch_alter_table("sale_exception") as batch:
        batch.drop_constraint(op.f("ck_sale_exception_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_sale_exception_kind"), KINDS_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM sale_exception WHERE kind = 'line_arithmetic'")
    with op.batch_alter_table("sale_exception") as batch:
        batch.drop_constraint(op.f("ck_sale_exception_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_sale_exception_kind"), KINDS_BEFORE)
