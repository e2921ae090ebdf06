"""Repository of the node itself: its identity, credential, counters, feed and snapshot position."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, select, update

from edge.adapters import tables
from edge.adapters.repositories.driver import DriverQuery
from edge.domain.node import NodeIdentity
from shared.money import Money
from shared.till_limits import TillLimitOverrides
from sync.messages import StoreFeedConfigV1

# The receipt counter moves at every checkout: built once (building costs about 3x running).
# Read at every scan: built once (SQLAlchemy neither builds nor keys it again per call).
_TILL_LIMITS = select(
    tables.node.c.refund_approval_over_minor,
    tables.node.c.no_receipt_refund_over_minor,
    tables.node.c.line_quantity_max,
    tables.node.c.line_amount_max_minor,
    tables.node.c.sale_total_max_minor,
    tables.node.c.no_receipt_above_catalogue_price,
)
_TILL_LIMITS_QUERY = DriverQuery(_TILL_LIMITS)  # on every scan
_NEXT_RECEIPT = (
    update(tables.node)
    .values(receipt_counter=tables.node.c.receipt_counter + 1)
    .returning(tables.node.c.receipt_counter)
)


class NodeRepository:
    """The node's single row: identity, credential, counters, feed and snapshot position."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def identity(self) -> NodeIdentity | None:
        row = (self._connection.execute(select(tables.node))).first()
        if row is None:
            return None
        return NodeIdentity(
            store_id=row.store_id,
            node_id=row.node_id,
            node_name=row.node_name,
            store_name=row.store_name,
            timezone=row.timezone,
            currency=row.currency,
        )

    def credential(self) -> str | None:
        return (self._connection.execute(select(tables.node.c.credential))).scalar_one_or_none()

    def last_hlc(self) -> str | None:
        return (self._connection.execute(select(tables.node.c.last_hlc))).scalar_one_or_none()

    def enrolment_attempt(self) -> tuple[str, str] | None:
        """(token hash, credential) of the enrolment under way; None: none."""
        row = self._connection.execute(
            select(tables.enrolment_attempt.c.token_hash, tables.enrolment_attempt.c.credential)
        ).first()
        return (row.token_hash, row.credential) if row else None

    def begin_enrolment(self, token_hash: str, credential: str, now: datetime) -> None:
        """Keep the credential proposed with the token of hash `token_hash` (replacing an
        attempt with another token)."""
        self._connection.execute(tables.enrolment_attempt.delete())
        self._connection.execute(
            tables.enrolment_attempt.insert().values(
                id=1, token_hash=token_hash, credential=credential, created_at=now.isoformat()
            )
        )

    def enrol(
        self,
        identity: NodeIdentity,
        credential: str,
        enrolled_at: datetime,
        rotate_at: datetime | None = None,
    ) -> None:
        """Become the node `identity` holding `credential`; the enrolment attempt is over."""
        self._connection.execute(tables.enrolment_attempt.delete())
        self._connection.execute(
            tables.node.insert().values(
                id=1,
                store_id=identity.store_id,
                node_id=identity.node_id,
                node_name=identity.node_name,
                store_name=identity.store_name,
                timezone=identity.timezone,
                currency=identity.currency,
                credential=credential,
                credential_rotate_at=rotate_at.isoformat() if rotate_at else None,
                enrolled_at=enrolled_at.isoformat(),
            )
        )

    def driven_time(self) -> datetime | None:
        """The driven clock's last time (remember_driven_time); None if it was never moved."""
        value = self._connection.execute(select(tables.node.c.driven_time)).scalar_one_or_none()
        return datetime.fromisoformat(value) if value else None

    def remember_driven_time(self, moment: datetime) -> None:
        self._connection.execute(update(tables.node).values(driven_time=moment.isoformat()))

    def set_credential(self, credential: str, rotate_at: datetime | None = None) -> None:
        self._connection.execute(
            update(tables.node).values(
                credential=credential,
                credential_rotate_at=rotate_at.isoformat() if rotate_at else None,
            )
        )

    def credential_rotate_at(self) -> datetime | None:
        """When the credential is due for rotation (this node's clock); None: never."""
        value = self._connection.execute(
            select(tables.node.c.credential_rotate_at)
        ).scalar_one_or_none()
        return datetime.fromisoformat(value) if value else None

    def update_store(self, config: StoreFeedConfigV1, version: int) -> None:
        """Take the store's configuration and till limits from the hub, only if `version` is
        newer than the one held (a snapshot's copy may be older than a feed entry applied)."""
        currency = config.currency
        limits = config.till_limits

        def minor(amount: Decimal | None) -> int | None:
            return Money(amount, currency).minor if amount is not None else None

        self._connection.execute(
            update(tables.node)
            .where(tables.node.c.store_version < version)
            .values(
                store_name=config.name,
                timezone=config.timezone,
                currency=currency,
                refund_approval_over_minor=minor(config.refund_approval_over),
                no_receipt_refund_over_minor=minor(limits.no_receipt_refund_over),
                line_quantity_max=limits.line_quantity_max,
                line_amount_max_minor=minor(limits.line_amount_max),
                sale_total_max_minor=minor(limits.sale_total_max),
                no_receipt_above_catalogue_price=limits.no_receipt_above_catalogue_price,
                store_version=version,
            )
        )

    def till_limits(self) -> TillLimitOverrides:
        """The till limits HQ set for the store, as last heard from the feed (None for each
        it did not set, and for all before the node has heard from HQ): `in_force(currency)`
        gives the limits to apply, defaults included."""
        row = _TILL_LIMITS_QUERY.first(self._connection)
        if row is None:
            return TillLimitOverrides()
        return TillLimitOverrides(
            refund_approval_over_minor=row.refund_approval_over_minor,
            no_receipt_refund_over_minor=row.no_receipt_refund_over_minor,
            line_quantity_max=row.line_quantity_max,
            line_amount_max_minor=row.line_amount_max_minor,
            sale_total_max_minor=row.sale_total_max_minor,
            no_receipt_above_catalogue_price=row.no_receipt_above_catalogue_price,
        )

    def next_receipt_number(self, till_id: str) -> str:
        """`<till>-<n>` with n counting every document of this node, never reused."""
        result = self._connection.execute(_NEXT_RECEIPT)
        return f"{till_id}-{result.scalar_one():07d}"

    def written_position(self) -> tuple[int, str | None]:
        """The last outbox seq written and the feed's cursor: where the node's file stands
        (any write of a use case moves one of them)."""
        row = self._connection.execute(
            select(tables.node.c.last_seq, tables.node.c.feed_cursor)
        ).first()
        return (int(row.last_seq), row.feed_cursor) if row is not None else (0, None)

    def acked_seq(self) -> int:
        value = (self._connection.execute(select(tables.node.c.acked_seq))).scalar_one_or_none()
        return int(value or 0)

    def advance_ack(self, acked_seq: int) -> None:
        """Raise the acknowledged seq (never lowers it: acks can arrive out of order)."""
        self._connection.execute(
            update(tables.node)
            .where(tables.node.c.acked_seq < acked_seq)
            .values(acked_seq=acked_seq)
        )

    def feed_cursor(self) -> str | None:
        return (self._connection.execute(select(tables.node.c.feed_cursor))).scalar_one_or_none()

    def bootstrap_state(self) -> tuple[bool, str | None, str | None]:
        """(needed, feed position to follow, resume key): a snapshot is needed when the node
        has no feed cursor yet or a download is under way."""
        row = self._connection.execute(
            select(
                tables.node.c.feed_cursor,
                tables.node.c.bootstrap_position,
                tables.node.c.bootstrap_after,
            )
        ).first()
        if row is None:
            return False, None, None
        needed = row.feed_cursor is None or row.bootstrap_position is not None
        return needed, row.bootstrap_position, row.bootstrap_after

    def record_bootstrap(self, position: str, after: str | None) -> None:
        self._connection.execute(
            update(tables.node).values(bootstrap_position=position, bootstrap_after=after)
        )

    def finish_bootstrap(self, position: str) -> None:
        self._connection.execute(
            update(tables.node).values(
                feed_cursor=position, bootstrap_position=None, bootstrap_after=None
            )
        )

    def restart_bootstrap(self) -> None:
        """Forget the feed position (it was compacted away); the outbox is untouched."""
        self._connection.execute(
            update(tables.node).values(
                feed_cursor=None, bootstrap_position=None, bootstrap_after=None
            )
        )

    def set_feed_cursor(self, cursor: str) -> None:
        self._connection.execute(update(tables.node).values(feed_cursor=cursor))
