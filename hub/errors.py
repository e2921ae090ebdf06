"""Errors of the hub. HTTP statuses are mapped only in hub/api.

HubError
+-- StorageRefused           the database refused a row (ingest quarantines the event)
+-- Unauthenticated          401: missing, unknown, expired or revoked secret
+-- TooManyAttempts          429: too many failed authentications from a source or for a key
|   +-- CredentialExpired    a node credential past its maximum age (rotatable in its grace)
+-- PermissionDenied         403: a valid caller acting outside its store or scope
|   +-- SelfApproval         an approver deciding their own refund request or B2B order
+-- NotFound                 404
|   +-- StoreNotFound, NodeNotFound, ApiKeyNotFound, ProductNotFound, RecordNotFound
|   +-- EventNotFound, ExceptionNotFound, AlertNotFound
|   +-- RefundRequestNotFound, B2BOrderNotFound
|   +-- StaffNotFound
+-- Conflict                 409
|   +-- StoreExists
|   +-- ApiKeyNameTaken      another API key has this name (case-insensitively)
|   +-- CredentialInUse      an enrolment proposing a credential another node holds
|   +-- ProtocolVersionMismatch
|   +-- SeqConflict          one seq, two different event ids: the node's log forked
|   +-- EventIdReused        one event id under two seqs
|   +-- EventNotQuarantined  retrying an event that is applied
|   +-- AlreadyResolved      an exception or alert resolved before with another resolution
|   +-- RefundAlreadyDecided a refund request that is no longer pending
|   +-- B2BNotAwaitingDecision a B2B order not awaiting that decision
|   +-- StatusChangeRefused  a refund request or B2B order asked to move where it cannot
|   +-- StaffCodeTaken       another staff member has this staff code
+-- Gone                     410
|   +-- CursorCompacted      the feed below this cursor is gone: bootstrap
+-- InvalidRequest           422
|   +-- MalformedBatch       a push the inbox cannot hold as sent: nothing of it is applied
|   +-- InvalidCursor
|   +-- UnknownTimezone
|   +-- InvalidPin           a PIN that is not 4 to 8 digits (never echoed)
|   +-- UnknownStores        staff assigned to a store the hub does not know
|   +-- PinNotEditableHere   a staff PIN through the generic shared-record routes
+-- WorkflowsUnavailable     503: the workflow service (Temporal) is not configured or down
+-- DatabaseUnavailable      503: the hub's database cannot be reached
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID


class HubError(Exception):
    """Base of hub errors; `code` is stable for API clients."""

    code = "hub_error"


class StorageRefused(HubError):
    """The database refused a row (a NUL character, a duplicate key); `table` None if unknown."""

    code = "storage_refused"

    def __init__(self, table: str | None, reason: str) -> None:
        super().__init__(f"{table}: {reason}" if table else reason)
        self.table = table
        self.reason = reason


class Unauthenticated(HubError):
    """The request carries no valid credential for what it asks; `reason` says why, for logs
    and metrics (`missing_secret`, `unknown_secret`, `revoked`, `wrong_kind`), never to the
    caller. `key_id` is the API key's id when the secret named a known one."""

    code = "unauthenticated"

    def __init__(
        self, message: str, *, reason: str = "unknown_secret", key_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.key_id = key_id


class TooManyAttempts(HubError):
    """Too many failed authentications from this source or with this key, lately: the request
    is refused before its secret is checked; `retry_after_s` (whole seconds, >= 1) says when
    the next attempt may pass."""

    code = "too_many_attempts"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed authentications: retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


class CredentialExpired(Unauthenticated):
    """A node credential past its maximum age; `rotatable`: still within its grace period, when
    the rotate endpoint accepts it (and only that endpoint)."""

    code = "credential_expired"

    def __init__(self, expired_at: datetime | None, *, rotatable: bool) -> None:
        then = f" at {expired_at.isoformat()}" if expired_at is not None else ""
        advice = (
            "rotate it (POST /v1/sync/credentials/rotate)"
            if rotatable
            else "its grace period is over too: enrol the node again with a new token"
        )
        super().__init__(f"store credential expired{then}: {advice}", reason="credential_expired")
        self.expired_at = expired_at
        self.rotatable = rotatable


class PermissionDenied(HubError):
    """The caller is authenticated but may not do this."""

    code = "forbidden"


class NotFound(HubError):
    """What the request names does not exist."""

    code = "not_found"


class StoreNotFound(NotFound):
    """No store with this id."""

    code = "store_not_found"

    def __init__(self, store_id: str) -> None:
        super().__init__(f"store {store_id} not found")
        self.store_id = store_id


class NodeNotFound(NotFound):
    """No node with this id in this store."""

    code = "node_not_found"

    def __init__(self, store_id: str, node_id: str) -> None:
        super().__init__(f"node {node_id} of store {store_id} not found")
        self.store_id = store_id
        self.node_id = node_id


class ApiKeyNotFound(NotFound):
    """No API key with this id."""

    code = "api_key_not_found"

    def __init__(self, key_id: str) -> None:
        super().__init__(f"API key {key_id} not found")
        self.key_id = key_id


class ExceptionNotFound(NotFound):
    """No sale exception with this id."""

    code = "exception_not_found"

    def __init__(self, exception_id: int) -> None:
        super().__init__(f"exception {exception_id} not found")
        self.exception_id = exception_id


class AccountNotFound(NotFound):
    """No gift card with this number, or no store credit for this customer, at the hub."""

    code = "unknown_account"

    def __init__(self, kind: str, account: str) -> None:
        super().__init__(f"no {kind.replace('_', ' ')} account {account}")
        self.kind = kind
        self.account = account


class RecordNotFound(NotFound):
    """No shared record (customer, store settings) with this entity and key."""

    code = "record_not_found"

    def __init__(self, entity: str, key: str) -> None:
        super().__init__(f"no {entity} {key!r}")
        self.entity = entity
        self.key = key


class ProductNotFound(NotFound):
    """No product with this SKU in the catalogue."""

    code = "product_not_found"

    def __init__(self, sku: str) -> None:
        super().__init__(f"SKU {sku!r} not found")
        self.sku = sku


class StaffNotFound(NotFound):
    """No staff member with this staff code."""

    code = "staff_not_found"

    def __init__(self, staff_code: str) -> None:
        super().__init__(f"no staff member with staff code {staff_code}")
        self.staff_code = staff_code


class Conflict(HubError):
    """The request contradicts the state the hub holds."""

    code = "conflict"


class ApiKeyNameTaken(Conflict):
    """An API key with this name, compared case-insensitively, exists (revoked ones too)."""

    code = "api_key_name_taken"

    def __init__(self, name: str) -> None:
        super().__init__(f"an API key named {name!r} exists already (names ignore case)")
        self.name = name


class StaffCodeTaken(Conflict):
    """Another staff member already has this staff code (codes are unique across stores)."""

    code = "staff_code_taken"

    def __init__(self, staff_code: str) -> None:
        super().__init__(f"staff code {staff_code} is taken")
        self.staff_code = staff_code


class StoreExists(Conflict):
    """A store with this id exists already."""

    code = "store_exists"

    def __init__(self, store_id: str) -> None:
        super().__init__(f"store {store_id} already exists")
        self.store_id = store_id


class CredentialInUse(Conflict):
    """An enrolment proposing the hash of a credential another node holds (the node must make
    a new secret; a random one never collides)."""

    code = "credential_in_use"

    def __init__(self) -> None:
        super().__init__("the proposed credential is in use: propose a new random one")


class ProtocolVersionMismatch(Conflict):
    """The node speaks a protocol version this hub does not."""

    code = "protocol_version"

    def __init__(self, received: int, supported: int) -> None:
        super().__init__(f"protocol version {received} is not supported (hub speaks {supported})")
        self.received = received
        self.supported = supported


class SeqConflict(Conflict):
    """A seq the hub holds under another event id: the node's outbox has forked (restored file)."""

    code = "seq_conflict"

    def __init__(self, node_id: str, seq: int, held: str, received: str) -> None:
        super().__init__(
            f"node {node_id} seq {seq} is event {held} at the hub but {received} was sent; "
            "the node's outbox was probably restored from an old copy"
        )
        self.node_id = node_id
        self.seq = seq


class EventIdReused(Conflict):
    """An event id the hub holds under another seq, or sent under two seqs in one batch: ids
    must never be reused."""

    code = "event_id_reused"

    def __init__(self, node_id: str, seq: int, event_id: str, other_seq: int | None = None) -> None:
        super().__init__(
            f"node {node_id} sent event {event_id} as seq {seq}, but the hub holds it under another seq"
            if other_seq is None
            else f"node {node_id} sent event {event_id} as seq {other_seq} and as seq {seq} "
            "in one batch"
        )
        self.node_id = node_id
        self.seq = seq
        self.event_id = event_id


class EventNotFound(NotFound):
    """No event with this id in the hub's inbox."""

    code = "event_not_found"

    def __init__(self, event_id: UUID) -> None:
        super().__init__(f"event {event_id} not found")
        self.event_id = event_id


class AlreadyResolved(Conflict):
    """An exception or alert closed before with another resolution: the first one stands."""

    code = "already_resolved"

    def __init__(self, what: str, number: int, resolution: str | None) -> None:
        super().__init__(f"{what} {number} was already resolved: {resolution!r}")


class AlertNotFound(NotFound):
    """No integrity alert with this id."""

    code = "alert_not_found"

    def __init__(self, alert_id: int) -> None:
        super().__init__(f"integrity alert {alert_id} not found")


class EventNotQuarantined(Conflict):
    """The event is applied already; there is nothing to retry."""

    code = "event_not_quarantined"

    def __init__(self, event_id: UUID) -> None:
        super().__init__(f"event {event_id} is applied, not quarantined")
        self.event_id = event_id


class Gone(HubError):
    """What the request asks for existed but was deleted."""

    code = "gone"


class CursorCompacted(Gone):
    """The feed below this cursor was compacted away: the reader bootstraps from a snapshot."""

    code = "cursor_compacted"

    def __init__(self, cursor: str, floor: str) -> None:
        super().__init__(
            f"feed entries up to {floor} were compacted; cursor {cursor!r} is behind them: "
            "bootstrap from a snapshot"
        )
        self.cursor = cursor
        self.floor = floor


class InvalidRequest(HubError):
    """The request is well formed but asks for something the hub cannot do."""

    code = "invalid_request"


class MalformedBatch(InvalidRequest):
    """A push the hub's inbox cannot hold as sent (an envelope value beyond its columns, one
    event twice with different content): the whole batch is refused, nothing applied."""

    code = "malformed_batch"

    def __init__(self, node_id: str, seq: int | None, reason: str) -> None:
        super().__init__(
            f"node {node_id}" + (f" seq {seq}" if seq is not None else "") + f": {reason}"
        )
        self.node_id = node_id
        self.seq = seq
        self.reason = reason


class InvalidCursor(InvalidRequest):
    """A feed, snapshot or movement cursor this hub did not issue."""

    code = "invalid_cursor"

    def __init__(self, cursor: str) -> None:
        super().__init__(f"feed cursor {cursor!r} is not one this hub issued")
        self.cursor = cursor


class UnknownTimezone(InvalidRequest):
    """A time zone name that is not in the IANA database."""

    code = "unknown_timezone"

    def __init__(self, timezone: str) -> None:
        super().__init__(f"unknown IANA time zone {timezone!r}")
        self.timezone = timezone


class InvalidPin(InvalidRequest):
    """A PIN that is not 4 to 8 ASCII digits. The message gives the reason, never the PIN."""

    code = "invalid_pin"

    def __init__(self, reason: str) -> None:
        super().__init__(f"a PIN is 4 to 8 digits: {reason}")
        self.reason = reason


class UnknownStores(InvalidRequest):
    """Staff assigned to stores the hub does not know."""

    code = "unknown_store"

    def __init__(self, store_ids: list[str]) -> None:
        super().__init__(f"no such store: {', '.join(store_ids)}")
        self.store_ids = store_ids


class PinNotEditableHere(InvalidRequest):
    """A staff member's PIN hash asked of the generic shared-record routes: HQ sets a PIN
    with POST /v1/staff/{staff_code}/pin, and no route shows its hash."""

    code = "pin_not_editable_here"

    def __init__(self) -> None:
        super().__init__(
            "a staff PIN is set with POST /v1/staff/{staff_code}/pin; its hash is never shown"
        )


class SelfApproval(PermissionDenied):
    """An approver deciding a refund request or B2B order they asked for themselves."""

    code = "self_approval"

    def __init__(self, request_id: UUID, approver: str, what: str = "refund") -> None:
        super().__init__(f"{approver} asked for {what} {request_id}: someone else must decide it")


class RefundRequestNotFound(NotFound):
    """No refund request with this id."""

    code = "refund_request_not_found"

    def __init__(self, request_id: UUID) -> None:
        super().__init__(f"refund request {request_id} not found")
        self.request_id = request_id


class RefundAlreadyDecided(Conflict):
    """A refund request that is no longer pending (decided, expired, made or lapsed)."""

    code = "refund_already_decided"

    def __init__(self, request_id: UUID, status: str) -> None:
        super().__init__(f"refund request {request_id} is {status}, no longer pending")
        self.request_id = request_id
        self.status = status


class B2BOrderNotFound(NotFound):
    """No B2B order with this id."""

    code = "b2b_order_not_found"

    def __init__(self, order_id: UUID) -> None:
        super().__init__(f"B2B order {order_id} not found")
        self.order_id = order_id


class B2BNotAwaitingDecision(Conflict):
    """A B2B order whose status is not the one awaiting this decision (cart or payment)."""

    code = "b2b_not_awaiting_decision"

    def __init__(self, order_id: UUID, status: str, phase: str) -> None:
        super().__init__(f"B2B order {order_id} is {status}, not awaiting a {phase} decision")
        self.order_id = order_id
        self.status = status


class StatusChangeRefused(Conflict):
    """A refund request or B2B order asked to take a step its state machine does not have
    from where it is (hub/domain/refunds.py, hub/domain/b2b.py)."""

    code = "status_change_refused"

    def __init__(self, entity: str, status: str, step: str) -> None:
        super().__init__(f"a {entity} that is {status} cannot take the step {step}")
        self.entity = entity
        self.status = status
        self.step = step


class WorkflowsUnavailable(HubError):
    """The hub cannot reach its workflow service (Temporal), or has none configured."""

    code = "workflows_unavailable"


class DatabaseUnavailable(HubError):
    """The hub's database cannot be reached (stopped, restarting, or the network to it is
    down). The request's transaction was rolled back, unless the database went away during
    its commit: then it may have committed, and a client repeats only what is safe to repeat."""

    code = "database_unavailable"
