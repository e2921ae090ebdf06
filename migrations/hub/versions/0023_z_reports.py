"""Z reports: each till's Z kept once, checked against the ledger; Z alerts name their till.

Revision ID: 0023
Revises: 0022
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0023"
down_revision: Union[str, Sequence[str], None] = "0022"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("integrity_alert") as batch:
        batch.add_column(sa.Column("till_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("z_number", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("details", sa.Text(), nullable=True))
    op.create_table(
        "z_report",
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("till_id", sa.String(length=32), nullable=False),
        sa.Column("z_number", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("documents", sa.BigInteger(), nullable=False),
        sa.Column("net_sales_minor", sa.BigInteger(), nullable=False),
        sa.Column("tax_minor", sa.BigInteger(), nullable=False),
        sa.Column("expected_cash_minor", sa.BigInteger(), nullable=False),
        sa.Column("counted_cash_minor", sa.BigInteger(), nullable=False),
        sa.Column("variance_minor", sa.BigInteger(), nullable=False),
        sa.Column("grand_total_minor", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("hub_documents", sa.BigInteger(), nullable=True),
        sa.Column("hub_net_sales_minor", sa.BigInteger(), nullable=True),
        sa.Column("hub_tax_minor", sa.BigInteger(), nullable=True),
        sa.Column("hub_expected_cash_minor", sa.BigInteger(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'mismatch')", name=op.f("ck_z_report_status")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["store.store_id"], name=op.f("fk_z_report_store_id_store")
        ),
        sa.PrimaryKeyConstraint("shift_id", name=op.f("pk_z_report")),
        sa.UniqueConstraint("event_id", name=op.f("uq_z_report_event_id")),
        sa.UniqueConstraint(
            "node_id", "till_id", "z_number", name=op.f("uq_z_report_node_id_till_id_z_number")
        ),
    )
    op.create_index(
        op.f("ix_z_report_store_id_business_day"), "z_report", ["store_id", "business_day"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_z_report_store_id_business_day"), table_name="z_report")
    op.drop_table("z_report")
    with op.batch_alter_table("integrity_alert") as batch:
        batch.drop_column("details")
        batch.drop_column("z_number")
        batch.drop_column("till_id")
