"""Records both sides may edit (customers, store settings) at the edge: edit, merge, log.

A manager's edit here is stamped by this node's HLC, merged into the local copy, and sent to
the hub through the outbox. The hub's copy arrives on the feed and is merged by the same rule
(sync.records: field-level last-writer-wins, losing values kept in the conflict log), so the
store and HQ converge whatever order the edits cross in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from edge.adapters.repositories.records import RecordRepository
from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.documents import RecordEdited
from edge.domain.node import NodeIdentity
from edge.domain.reports import RecordConflict
from edge.errors import InvalidRecordEdit, RecordNotFound
from shared.clock import Clock
from sync.messages import RecordUpdatedV1
from sync.records import (
    RECORD_FIELDS,
    FieldValue,
    check_fields,
    merge_fields,
    newest_stamp,
    stamped_edit,
)


def merge_record(
    records: RecordRepository,
    entity: str,
    key: str,
    incoming: dict[str, FieldValue],
    now: datetime,
) -> dict[str, FieldValue]:
    """Merge `incoming` into the local copy in the caller's transaction and log the losers."""
    held = records.get(entity, key)
    held_fields = held[0] if held else {}
    known = {name: value for name, value in incoming.items() if name in RECORD_FIELDS[entity]}
    merged, conflicts = merge_fields(held_fields, known)
    records.log_conflicts(entity, key, conflicts, now)
    if merged != held_fields:
        records.save(entity, key, merged, (held[1] if held else 0) + 1, now)
    return merged


def apply_record(
    entity: str, record: RecordUpdatedV1, uow: EdgeUnitOfWork, *, now: datetime
) -> None:
    """Merge a record the hub published (feed or snapshot) into the local copy."""
    incoming = {
        name: FieldValue(item.value, item.hlc, item.base) for name, item in record.fields.items()
    }
    merge_record(uow.records, entity, record.key, incoming, now)


@dataclass(frozen=True, slots=True)
class EditRecord:
    entity: str
    key: str
    values: dict[str, str | None]


def edit_record(
    command: EditRecord, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> dict[str, FieldValue]:
    """Edit fields of a shared record here, and queue the edit for the hub, atomically.

    The edit's stamp follows every stamp the local copy holds, so it wins over what the
    manager saw; an HQ edit still travelling may be newer and win (the value typed here is
    then in the conflict log of both sides). A store edits only its own settings. Raises
    InvalidRecordEdit (unknown entity or field, value too long, another store's settings).
    """
    try:
        check_fields(command.entity, command.values)
    except ValueError as error:
        raise InvalidRecordEdit(str(error)) from None
    if command.entity == "staff_pin":
        raise InvalidRecordEdit(
            "a PIN is changed by its owner at a till (POST /v1/till-sessions/current/pin) "
            "or reset by HQ, never edited as a record"
        )
    if command.entity == "store_settings" and command.key != identity.store_id:
        raise InvalidRecordEdit(f"this node may edit only the settings of {identity.store_id}")
    held = uow.records.get(command.entity, command.key)
    held_fields = held[0] if held else {}
    stamp = uow.stamp(after=newest_stamp(held_fields))
    fields = stamped_edit(held_fields, command.values, stamp)
    now = clock.now()
    merged = merge_record(uow.records, command.entity, command.key, fields, now)
    uow.emit(RecordEdited(command.entity, command.key, fields, now))
    return merged


def get_record(entity: str, key: str, uow: EdgeUnitOfWork) -> dict[str, FieldValue]:
    """Raises RecordNotFound."""
    held = uow.records.get(entity, key)
    if held is None:
        raise RecordNotFound(entity, key)
    return held[0]


def conflicts(
    uow: EdgeUnitOfWork, *, entity: str | None, key: str | None, after_id: int, limit: int
) -> list[RecordConflict]:
    """Values that lost a merge to a concurrent edit of the same field, oldest first, after
    `after_id`; of `entity` and `key` if given."""
    return uow.records.conflicts(entity, key, after_id, limit)


CUSTOMER_SEARCH_FIELDS = ("name", "email", "phone")


@dataclass(frozen=True, slots=True)
class FoundCustomer:
    """A customer record as this node holds it: its key (the customer id) and the fields a
    till shows (None where the record holds none)."""

    customer_id: str
    name: str | None
    email: str | None
    phone: str | None


def search_customers(text: str, uow: EdgeUnitOfWork, *, limit: int) -> list[FoundCustomer]:
    """At most `limit` customers this node holds whose id, name, email or phone contains
    `text` (case-insensitive for ASCII letters; a phone also by its digits alone, "0207946"
    finds "020 7946 0000"), by name then id. Offline too: the node's own copies."""
    found = uow.records.search("customer", text.strip(), CUSTOMER_SEARCH_FIELDS, limit)

    def text_of(fields: dict[str, FieldValue], name: str) -> str | None:
        held = fields.get(name)
        return None if held is None or held.value is None else str(held.value)

    return [
        FoundCustomer(
            key, text_of(fields, "name"), text_of(fields, "email"), text_of(fields, "phone")
        )
        for key, fields in found
    ]
