"""Clock skew from the round trip: a node's last push, as the hub measured it one way.

The hub keeps the node's send time and its one-way measure (receipt minus send) of the last
push, so that when the node reports its round-trip estimate for that push, the hub can take
out the transit (see sync.protocol.hub_skew_ms).

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
    with op.batch_alter_table("node") as batch:
        batch.add_column(sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("one_way_ms", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("node") as batch:
        batch.drop_column("one_way_ms")
        batch.drop_column("last_sent_at")
