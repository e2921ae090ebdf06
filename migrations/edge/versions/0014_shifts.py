"""Shifts: a till's shift with its float, its Z report (numbered per till, never reused) and
its no-sales; carts, sales, returns and cash movements name the shift they were made in.

Revision ID: 0014
Revises: 0013
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0014"
down_revision: Union[str, Sequence[str], None] = "0013"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_IN_A_SHIFT = ("cart", "sale", "sales_return", "cash_movement")


def upgrade() -> None:
    op.create_table(
        "shift",
        sa.Column("shift_id", sa.String(length=36), nullable=False),
        sa.Column("till_id", sa.String(length=32), nullable=False),
        sa.Column("opened_by", sa.String(length=12), nullable=False),
        sa.Column("opened_by_name", sa.Text(), nullable=True),
        sa.Column("opened_at", sa.Text(), nullable=False),
        sa.Column("business_day", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("float_minor", sa.Integer(), nullable=False),
        sa.Column("float_counts", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.Text(), nullable=True),
        sa.Column("closed_by", sa.String(length=12), nullable=True),
        sa.Column("z_number", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("shift_id", name=op.f("pk_shift")),
    )
    op.create_index(op.f("ix_shift_till_id_opened_at"), "shift", ["till_id", "opened_at"])
    op.create_index(
        "uq_shift_open_till",
        "shift",
        ["till_id"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "z_report",
        sa.Column("till_id", sa.String(length=32), nullable=False),
        sa.Column("z_number", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.String(length=36), nullable=False),
        sa.Column("business_day", sa.String(length=10), nullable=False),
        sa.Column("closed_at", sa.Text(), nullable=False),
        sa.Column("net_sales_minor", sa.Integer(), nullable=False),
        sa.Column("grand_total_minor", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.shift_id"], name=op.f("fk_z_report_shift_id_shift")
        ),
        sa.PrimaryKeyConstraint("till_id", "z_number", name=op.f("pk_z_report")),
        sa.UniqueConstraint("shift_id", name=op.f("uq_z_report_shift_id")),
    )
    op.create_index(op.f("ix_z_report_closed_at"), "z_report", ["closed_at"])
    op.create_table(
        "no_sale",
        sa.Column("no_sale_id", sa.String(length=36), nullable=False),
        sa.Column("shift_id", sa.String(length=36), nullable=False),
        sa.Column("till_id", sa.String(length=32), nullable=False),
        sa.Column("staff_code", sa.String(length=12), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.shift_id"], name=op.f("fk_no_sale_shift_id_shift")
        ),
        sa.PrimaryKeyConstraint("no_sale_id", name=op.f("pk_no_sale")),
    )
    op.create_index(op.f("ix_no_sale_shift_id"), "no_sale", ["shift_id"])
    for table in _IN_A_SHIFT:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("shift_id", sa.String(length=36), nullable=True))
        op.create_index(op.f(f"ix_{table}_shift_id"), table, ["shift_id"])


def downgrade() -> None:
    for table in reversed(_IN_A_SHIFT):
        op.drop_index(op.f(f"ix_{table}_shift_id"), table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("shift_id")
    op.drop_index(op.f("ix_no_sale_shift_id"), table_name="no_sale")
    op.drop_table("no_sale")
    op.drop_index(op.f("ix_z_report_closed_at"), table_name="z_report")
    op.drop_table("z_report")
    op.drop_index("uq_shift_open_till", table_name="shift")
    op.drop_index(op.f("ix_shift_till_id_opened_at"), table_name="shift")
    op.drop_table("shift")
