"""Errors of the sync protocol and its client.

SyncError
+-- EventRejected                   one event the hub cannot apply (travels per event)
|   +-- UnknownEventKind
|   +-- UnsupportedSchemaVersion
|   +-- MalformedEvent
+-- HubRequestFailed                the client's view of a failed request
    +-- HubUnreachable              connect error or timeout: back off and retry
    +-- HubServerError              5xx: back off and retry
    +-- HubRejected                 4xx: retrying the same request will not help
        +-- AuthenticationFailed    401
        +-- Forbidden               403
        +-- ProtocolConflict        409
        +-- RequestTooLarge         413
        +-- CursorCompacted         410
"""

from __future__ import annotations

from uuid import UUID


class SyncError(Exception):
    """Base of sync errors."""


class EventRejected(SyncError):
    """An event that cannot be applied; `reason` is stored with it in quarantine."""

    def __init__(self, event_id: UUID, seq: int, reason: str) -> None:
        super().__init__(f"event {event_id} (seq {seq}) rejected: {reason}")
        self.event_id = event_id
        self.seq = seq
        self.reason = reason


class UnknownEventKind(EventRejected):
    """The event's kind is not known to this reader."""

    def __init__(self, event_id: UUID, seq: int, kind: str) -> None:
        super().__init__(event_id, seq, f"unknown event kind {kind!r}")
        self.kind = kind


class UnsupportedSchemaVersion(EventRejected):
    """The event was written by a newer schema than this reader supports."""

    def __init__(self, event_id: UUID, seq: int, kind: str, version: int, supported: int) -> None:
        super().__init__(
            event_id, seq, f"{kind} schema version {version} is newer than supported {supported}"
        )
        self.kind = kind
        self.version = version
        self.supported = supported


class MalformedEvent(EventRejected):
    """The payload does not validate against its schema."""


class HubRequestFailed(SyncError):
    """A request to the hub did not succeed."""


class HubUnreachable(HubRequestFailed):
    """No answer from the hub: connection refused, reset, or timed out."""


class HubServerError(HubRequestFailed):
    """The hub answered 5xx."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(f"hub error {status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


class HubRejected(HubRequestFailed):
    """The hub refused the request (4xx); `error` is its machine-readable code."""

    def __init__(self, status_code: int, error: str, detail: str) -> None:
        super().__init__(f"hub refused ({status_code} {error}): {detail}")
        self.status_code = status_code
        self.error = error
        self.detail = detail


class AuthenticationFailed(HubRejected):
    """401: the credential or token is missing, wrong, expired or revoked."""


class Forbidden(HubRejected):
    """403: the credential is valid but not for this store or node."""


class ProtocolConflict(HubRejected):
    """409: the request contradicts what the hub holds (protocol version, seq reuse)."""


class RequestTooLarge(HubRejected):
    """413: the batch is over the hub's size limit."""


class CursorCompacted(HubRejected):
    """410: the feed below this cursor was compacted away: bootstrap from a snapshot."""
