"""Node credentials: proposed by the node at enrolment, dated, confirmed by their first use.

The enrolment token keeps the SHA-256 of the credential the node proposed (a lost answer is
repeated with the same proposal), no longer an attempt id from which the credential was
derived. A node's credential has an issue time (its maximum age counts from it) and the node a
confirmation time (its first authenticated request, which ends the repeat of its enrolment).
Nodes enrolled before the upgrade count as confirmed, and their credentials as issued at the
upgrade, so that a maximum age set afterwards never locks an existing store out at once.

Revision ID: 0019
Revises: 0018
"""

from datetime import UTC, datetime
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0019"
down_revision: Union[str, Sequence[str], None] = "0018"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("enrolment_token") as batch:
        batch.add_column(sa.Column("used_by_credential_hash", sa.String(length=64), nullable=True))
        batch.drop_column("used_by_attempt")
    with op.batch_alter_table("node") as batch:
        batch.add_column(
            sa.Column("credential_issued_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    node = sa.table(
        "node",
        sa.column("credential_issued_at", sa.DateTime(timezone=True)),
        sa.column("confirmed_at", sa.DateTime(timezone=True)),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        node.update().values(credential_issued_at=datetime.now(UTC), confirmed_at=node.c.created_at)
    )
    with op.batch_alter_table("node") as batch:
        batch.alter_column("credential_issued_at", nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("node") as batch:
        batch.drop_column("confirmed_at")
        batch.drop_column("credential_issued_at")
    with op.batch_alter_table("enrolment_token") as batch:
        batch.add_column(sa.Column("used_by_attempt", sa.String(length=64), nullable=True))
        batch.drop_column("used_by_credential_hash")
