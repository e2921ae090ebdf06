"""The change feed: its entries, and positions in it (a cursor "txid-position", ordered as a pair).

On PostgreSQL `txid` is the writing transaction's id; readers only see rows whose txid is
below the oldest transaction still running, and page in (txid, position) order, so a row from
a transaction that commits late still sorts after everything already read. See
docs/sync-protocol.md, "The change feed".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple

from hub.errors import InvalidCursor
from shared.bounds import INT64_MAX

_CURSOR = re.compile(r"^(\d{1,19})-(\d{1,19})$")


@dataclass(frozen=True, order=True, slots=True)
class FeedPosition:
    txid: int
    position: int

    def encode(self) -> str:
        """The cursor string; the start of the feed encodes as ""."""
        if self.txid < 0:
            return ""
        return f"{self.txid}-{self.position}"

    @classmethod
    def parse(cls, cursor: str | None) -> FeedPosition:
        """The position after which to read; None or "" means the beginning. Raises InvalidCursor."""
        if not cursor:
            return START
        match = _CURSOR.fullmatch(cursor)
        if match is None or max(int(match.group(1)), int(match.group(2))) > INT64_MAX:
            raise InvalidCursor(cursor)
        return cls(int(match.group(1)), int(match.group(2)))


START = FeedPosition(-1, 0)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One change a store's feed carries: `entity` `entity_key` at `version` (readers keep the
    newest), `op` upsert or delete, and `payload` the entity's wire form as JSON (a
    `sync.messages` payload model dumped in JSON mode). `store_id` None: every store reads it
    (catalogue, tax rates, promotions, customers)."""

    store_id: str | None
    entity: str
    entity_key: str
    version: int
    payload: dict[str, Any]
    created_at: datetime
    op: Literal["upsert", "delete"] = "upsert"


class StoredFeedEntry(NamedTuple):
    """A feed entry as a reader gets it: its position (`txid`, `position`) and content."""

    txid: int
    position: int
    entity: str
    entity_key: str
    op: str
    version: int
    payload: dict[str, Any]
