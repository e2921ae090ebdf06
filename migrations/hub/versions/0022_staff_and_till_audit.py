"""Staff as HQ records (staff, staff_store) and the tills' audit trail (till_audit).

A staff member's PIN is kept only as its argon2id hash, in shared_record (entity
`staff_pin`); no column here holds a PIN.

Revision ID: 0022
Revises: 0021
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0022"
down_revision: Union[str, Sequence[str], None] = "0021"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("staff_code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('cashier', 'supervisor', 'manager')", name=op.f("ck_staff_role")
        ),
        sa.PrimaryKeyConstraint("staff_code", name=op.f("pk_staff")),
    )
    op.create_table(
        "staff_store",
        sa.Column("staff_code", sa.String(length=12), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_code"], ["staff.staff_code"], name=op.f("fk_staff_store_staff_code_staff")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["store.store_id"], name=op.f("fk_staff_store_store_id_store")
        ),
        sa.PrimaryKeyConstraint("staff_code", "store_id", name=op.f("pk_staff_store")),
    )
    op.create_index(
        op.f("ix_staff_store_store_id_staff_code"),
        "staff_store",
        ["store_id", "staff_code"],
        unique=False,
    )
    op.create_table(
        "till_audit",
        sa.Column(
            "entry_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("audit_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("till_id", sa.String(length=32), nullable=True),
        sa.Column("staff_code", sa.String(length=12), nullable=True),
        sa.Column("staff_name", sa.String(length=200), nullable=True),
        sa.Column("approver_code", sa.String(length=12), nullable=True),
        sa.Column("approver_name", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_till_audit")),
        sa.UniqueConstraint("audit_id", name=op.f("uq_till_audit_audit_id")),
    )
    for columns in (
        ["store_id", "entry_id"],
        ["staff_code", "entry_id"],
        ["approver_code", "entry_id"],
        ["at"],
    ):
        op.create_index(
            op.f("ix_till_audit_" + "_".join(columns)), "till_audit", columns, unique=False
        )


def downgrade() -> None:
    op.drop_table("till_audit")
    op.drop_index(op.f("ix_staff_store_store_id_staff_code"), table_name="staff_store")
    op.drop_table("staff_store")
    op.drop_table("staff")
