"""The HQ audit trail: record a change HQ asked for, and read the trail.

An entry is written in a transaction of its own once the change's answer is known (by
hub.api.audit, after the route's own transaction committed or rolled back): a failing audit
write can never undo the change, and an entry's status is the answer the caller got, so no
entry says a change succeeded that did not.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.domain.audit import AuditActor, AuditEntry


@dataclass(frozen=True, slots=True)
class RecordAction:
    """`actor` asked for `method` on `route` (its template) with path parameters `target`,
    in request `request_id`, and was answered `status`."""

    actor: AuditActor
    method: str
    route: str
    status: int
    request_id: str
    target: dict[str, str] = field(default_factory=dict)


async def record_action(command: RecordAction, uow: HubUnitOfWork) -> AuditEntry:
    """Write the entry, stamped now (UTC); returns it with its id. Raises DatabaseUnavailable
    or what the database raises: the caller logs it, the change stands."""
    entry = AuditEntry(
        entry_id=0,
        recorded_at=uow.now(),
        request_id=command.request_id,
        key_id=command.actor.key_id,
        actor=command.actor.name,
        method=command.method,
        route=command.route,
        target=dict(command.target),
        status=command.status,
    )
    async with uow.write() as tx:
        entry_id = await tx.audit.add(entry)
    return replace(entry, entry_id=entry_id)


async def audit_trail(
    *,
    after_id: int = 0,
    limit: int = 100,
    key_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    uow: HubUnitOfWork,
) -> list[AuditEntry]:
    """Entries after `after_id` (the last `entry_id` seen), oldest first, at most `limit`;
    only key `key_id`'s, and only from `since` (included) to `until` (excluded), when given."""
    async with uow.read() as tx:
        return await tx.audit.page(
            after_id=after_id, limit=limit, key_id=key_id, since=since, until=until
        )
