"""The HQ audit trail (audit_entry), and API key names unique ignoring case (api_key.name_key).

`name_key` is the name case-folded (hub.domain.stores.api_key_name_key). Keys already
sharing a name (ignoring case) keep the oldest one's name; each later one is renamed
"<name> (<first 8 characters of its key id>)", so that every key can still be told apart.

Revision ID: 0020
Revises: 0019
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0020"
down_revision: Union[str, Sequence[str], None] = "0019"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _fill_name_keys() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT key_id, name FROM api_key ORDER BY created_at, key_id")
    ).all()
    taken: set[str] = set()
    for key_id, name in rows:
        if name.casefold() in taken:
            suffix = f" ({key_id[:8]})"
            name = name[: 64 - len(suffix)] + suffix
        taken.add(name.casefold())
        connection.execute(
            sa.text("UPDATE api_key SET name = :name, name_key = :name_key WHERE key_id = :key_id"),
            {"name": name, "name_key": name.casefold(), "key_id": key_id},
        )


def upgrade() -> None:
    with op.batch_alter_table("api_key") as batch:
        batch.add_column(sa.Column("name_key", sa.String(length=256), nullable=True))
    _fill_name_keys()
    with op.batch_alter_table("api_key") as batch:
        batch.alter_column("name_key", existing_type=sa.String(length=256), nullable=False)
        batch.create_unique_constraint(op.f("uq_api_key_name_key"), ["name_key"])
    op.create_table(
        "audit_entry",
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=36), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("route", sa.String(length=200), nullable=False),
        sa.Column("target", sa.JSON(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_audit_entry")),
    )
    op.create_index(op.f("ix_audit_entry_key_id_entry_id"), "audit_entry", ["key_id", "entry_id"], unique=False)
    op.create_index(op.f("ix_audit_entry_recorded_at"), "audit_entry", ["recorded_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_entry_recorded_at"), table_name="audit_entry")
    op.drop_index(op.f("ix_audit_entry_key_id_entry_id"), table_name="audit_entry")
    op.drop_table("audit_entry")
    with op.batch_alter_table("api_key") as batch:
        batch.drop_constraint(op.f("uq_api_key_name_key"), type_="unique")
        batch.drop_column("name_key")
