"""Identifiers: UUIDv7 (RFC 9562), time-ordered so primary-key indexes stay append-mostly.

Ids are made where the fact is born (the edge), never by the hub, so two nodes can never
collide the way integer keys do across devices.
"""

from __future__ import annotations

import uuid

from uuid_utils.compat import uuid7


def new_id() -> uuid.UUID:
    """A new UUIDv7 (RFC 9562 section 5.7): 48-bit Unix milliseconds, then random bits."""
    return uuid7()


def stable_id(namespace: uuid.UUID, name: str) -> uuid.UUID:
    """A deterministic UUIDv5 of `name` in `namespace`, for client-chosen idempotent ids."""
    return uuid.uuid5(namespace, name)
