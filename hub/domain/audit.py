"""The HQ audit trail: who changed what at the hub, when, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ADMIN_TOKEN_NAME = "admin token"


@dataclass(frozen=True, slots=True)
class AuditActor:
    """Who made a request: an API key (its id and name), or the admin token (`key_id` None,
    `name` "admin token")."""

    key_id: str | None
    name: str

    @classmethod
    def admin(cls) -> AuditActor:
        return cls(None, ADMIN_TOKEN_NAME)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change asked of the hub by HQ, an ERP or the admin token: `method` and `route` (the
    route's template, `/v1/stores/{store_id}/nodes/{node_id}/revoke`), `target` (the path's
    parameters, `{"store_id": "store-7", ...}`, empty when the path has none), the answer's
    `status` (2xx: it happened; anything else: it did not), the request's id, and when (UTC).
    `entry_id` orders entries and is the paging cursor."""

    entry_id: int
    recorded_at: datetime
    request_id: str
    key_id: str | None
    actor: str
    method: str
    route: str
    target: dict[str, str]
    status: int
