"""The errors each hub route answers, as its OpenAPI document says (sync.openapi applies it).

`BY_DEPENDENCY`: what the caller's authentication refuses. `BY_ROUTE`: what the route's use
case refuses, by "METHOD /path". Every route with parameters or a body also documents 422
`validation_error`, and one with a body 413 `request_too_large` and 422 `invalid_json`.
A route's errors change here when its use case's do; tests/integration/test_openapi.py checks that
every route documents its authentication errors and that the table names no route twice or
none that is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI

from hub import errors as e
from hub.api.deps import (
    get_runtime,
    guard_enrolment,
    require_admin,
    require_erp,
    require_hq,
    require_hq_person,
    require_node,
    require_rotating_node,
)
from hub.api.errors import status_of
from sync.openapi import ErrorKind, document_errors

BY_DEPENDENCY: dict[Callable[..., Any], Sequence[ErrorKind]] = {
    get_runtime: (e.DatabaseUnavailable,),
    require_hq: (e.Unauthenticated, e.PermissionDenied, e.TooManyAttempts),
    require_hq_person: (e.Unauthenticated, e.PermissionDenied, e.TooManyAttempts),
    require_admin: (e.Unauthenticated, e.TooManyAttempts),
    require_erp: (e.Unauthenticated, e.TooManyAttempts),
    require_node: (e.Unauthenticated, e.TooManyAttempts),
    require_rotating_node: (e.Unauthenticated, e.TooManyAttempts),
    guard_enrolment: (e.TooManyAttempts,),
}

DECISION: Sequence[ErrorKind] = (e.SelfApproval, e.StatusChangeRefused, e.WorkflowsUnavailable)

BY_ROUTE: dict[str, Sequence[ErrorKind]] = {
    # sync
    "POST /v1/sync/enrol": (e.Unauthenticated, e.ProtocolVersionMismatch, e.CredentialInUse),
    "POST /v1/sync/push": (
        e.MalformedBatch,
        e.PermissionDenied,
        e.ProtocolVersionMismatch,
        e.SeqConflict,
        e.EventIdReused,
    ),
    "POST /v1/sync/credentials/rotate": (e.NodeNotFound,),
    "POST /v1/sync/checksums": (e.PermissionDenied, e.ProtocolVersionMismatch),
    "GET /v1/sync/snapshot": (e.StoreNotFound, e.InvalidCursor),
    "GET /v1/sync/feed": (e.CursorCompacted, e.InvalidCursor),
    "GET /v1/sync/stored-value/{kind}/{account}": (e.AccountNotFound,),
    # gift cards and store credit
    "GET /v1/gift-cards/{number}": (e.AccountNotFound,),
    "GET /v1/store-credit/{customer_id}": (e.AccountNotFound,),
    # stores, nodes, API keys, the feed
    "POST /v1/stores": (e.StoreExists, e.UnknownTimezone),
    "GET /v1/stores/{store_id}": (e.StoreNotFound,),
    "POST /v1/stores/{store_id}/enrolment-tokens": (e.StoreNotFound,),
    "GET /v1/stores/{store_id}/nodes": (e.StoreNotFound,),
    "POST /v1/stores/{store_id}/nodes/{node_id}/revoke": (e.StoreNotFound, e.NodeNotFound),
    "POST /v1/api-keys": (e.ApiKeyNameTaken,),
    "DELETE /v1/api-keys/{key_id}": (e.ApiKeyNotFound,),
    # ERP: catalogue and stock
    "POST /v1/catalogue/import": (e.InvalidRequest,),
    "POST /v1/erp/stock": (e.StoreNotFound, e.InvalidRequest),
    "GET /v1/erp/stock/movements": (e.InvalidCursor,),
    "GET /v1/stores/{store_id}/stock": (e.StoreNotFound,),
    # the queues HQ works through
    "GET /v1/events/{event_id}": (e.EventNotFound,),
    "POST /v1/quarantine/{event_id}/retry": (e.EventNotFound, e.EventNotQuarantined),
    "POST /v1/stores/{store_id}/quarantine/retry": (e.StoreNotFound,),
    "POST /v1/exceptions/{exception_id}/resolve": (e.ExceptionNotFound, e.AlreadyResolved),
    "POST /v1/integrity/alerts/{alert_id}/resolve": (e.AlertNotFound, e.AlreadyResolved),
    "POST /v1/settlements/{day}/reconcile": (
        e.AcquirerNotConfigured,
        e.InvalidRequest,
        e.AcquirerUnavailable,
    ),
    # shared records, pricing
    "PUT /v1/records/{entity}/{key}": (e.StoreNotFound, e.InvalidRequest, e.PinNotEditableHere),
    "GET /v1/records/{entity}/{key}": (e.RecordNotFound, e.PinNotEditableHere),
    # staff
    "POST /v1/staff": (e.StaffCodeTaken, e.UnknownStores, e.InvalidPin),
    "GET /v1/staff": (e.StoreNotFound,),
    "GET /v1/staff/{staff_code}": (e.StaffNotFound,),
    "PATCH /v1/staff/{staff_code}": (e.StaffNotFound, e.UnknownStores),
    "POST /v1/staff/{staff_code}/pin": (e.StaffNotFound, e.InvalidPin),
    "GET /v1/audit": (e.InvalidRequest,),
    "PUT /v1/tax-rates/{code}": (e.InvalidRequest,),
    "PUT /v1/promotions/{promotion_id}": (e.InvalidRequest,),
    # approvals
    "GET /v1/refund-requests/{request_id}": (e.RefundRequestNotFound,),
    "POST /v1/refund-requests/{request_id}/decision": (
        e.RefundRequestNotFound,
        e.RefundAlreadyDecided,
        *DECISION,
    ),
    "PUT /v1/stores/{store_id}/refund-policy": (e.StoreNotFound, e.InvalidRequest),
    "GET /v1/stores/{store_id}/till-limits": (e.StoreNotFound,),
    "PUT /v1/stores/{store_id}/till-limits": (e.StoreNotFound, e.InvalidRequest),
    "GET /v1/b2b-orders/{order_id}": (e.B2BOrderNotFound,),
    "POST /v1/b2b-orders/{order_id}/cart-decision": (
        e.B2BOrderNotFound,
        e.B2BNotAwaitingDecision,
        *DECISION,
    ),
    "POST /v1/b2b-orders/{order_id}/payment-decision": (
        e.B2BOrderNotFound,
        e.B2BNotAwaitingDecision,
        *DECISION,
    ),
}


def install(app: FastAPI) -> None:
    """Document every route's errors in `app`'s OpenAPI document (after its routers)."""
    document_errors(app, by_dependency=BY_DEPENDENCY, by_route=BY_ROUTE, status_of=status_of)
