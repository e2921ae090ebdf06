"""Staff as HQ records: create, change, list; PINs set by HQ; publication to the stores' feeds.

Each staff member goes to the feed of every store they work at as the entity `staff`
(sync.messages.StaffV1, keyed by staff code, one version per change); a store taken off
their list gets them with `active: false`. Their PIN never leaves this module: it is hashed
here (shared.pins, argon2id) and only the hash is kept, as the shared record `staff_pin`
(field `pin_hash`), stamped with the hub's HLC like any edit HQ makes, so a PIN changed at a
till and one HQ resets converge by HLC (hub.service.records.merge). No answer, log or feed
entry carries a PIN; no answer carries its hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from hub.adapters.unit_of_work import HubTransaction, HubUnitOfWork
from hub.domain.feed import FeedEntry
from hub.domain.staff import StaffRecord
from hub.errors import (
    InvalidPin,
    StaffCodeTaken,
    StaffNotFound,
    StorageRefused,
    StoreNotFound,
    UnknownStores,
)
from hub.service.records import merge, record_entry
from shared import pins
from shared.clock import HybridLogicalClock
from sync.messages import StaffRole
from sync.records import from_json, newest_stamp, stamped_edit

PIN_RECORD = "staff_pin"


@dataclass(frozen=True, slots=True)
class CreateStaff:
    """HQ adds a staff member working at `stores` with a first `pin` (4 to 8 digits; trivial
    ones such as 1234 are allowed from HQ). The PIN is left out of the repr."""

    staff_code: str
    name: str
    role: StaffRole
    stores: tuple[str, ...]
    pin: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class UpdateStaff:
    """HQ changes what is given (None: unchanged). `stores` replaces the list; a store left
    out of it is told the member is no longer active there. `active` False: they left."""

    staff_code: str
    name: str | None = None
    role: StaffRole | None = None
    stores: tuple[str, ...] | None = None
    active: bool | None = None


@dataclass(frozen=True, slots=True)
class ResetPin:
    """HQ sets `staff_code`'s PIN (a forgotten PIN, a lockout HQ resolves). Not in the repr."""

    staff_code: str
    pin: str = field(repr=False)


def _hash(pin: str) -> str:
    """The argon2id hash of `pin`. Raises InvalidPin (the reason only, never the PIN)."""
    try:
        return pins.hash_pin(pin)
    except pins.InvalidPin as error:
        raise InvalidPin(error.reason) from None


async def create_staff(command: CreateStaff, uow: HubUnitOfWork) -> StaffRecord:
    """Add the staff member and publish them, with their PIN hash, to each of their stores.
    Raises InvalidPin, UnknownStores, StaffCodeTaken."""
    pin_hash = _hash(command.pin)  # ~20 ms of argon2id: before the transaction, not in it
    now = uow.now()
    stores = tuple(sorted(set(command.stores)))
    record = StaffRecord(
        staff_code=command.staff_code,
        name=command.name,
        role=command.role,
        active=True,
        stores=stores,
        version=1,
        created_at=now,
        updated_at=now,
    )
    async with uow.write() as tx:
        await _check_stores(stores, tx)
        if await tx.staff.get(command.staff_code) is not None:
            raise StaffCodeTaken(command.staff_code)
        try:
            async with tx.savepoint():
                await tx.staff.add(record)
        except StorageRefused:  # another request added the same code a moment ago
            raise StaffCodeTaken(command.staff_code) from None
        _publish(record, stores, tx)
        await _set_pin_hash(command.staff_code, pin_hash, tx, uow)
    return record


async def update_staff(command: UpdateStaff, uow: HubUnitOfWork) -> StaffRecord:
    """Change the staff member; if anything changed, publish them (next version) to every
    store they work at and to each store just taken off their list (as inactive there), and
    their PIN hash to each store they now work at that did not have it. Raises
    StaffNotFound, UnknownStores."""
    now = uow.now()
    async with uow.write() as tx:
        held = await tx.staff.get(command.staff_code, lock=True)
        if held is None:
            raise StaffNotFound(command.staff_code)
        stores = held.stores if command.stores is None else tuple(sorted(set(command.stores)))
        await _check_stores(stores, tx)
        changed = replace(
            held,
            name=held.name if command.name is None else command.name,
            role=held.role if command.role is None else command.role,
            active=held.active if command.active is None else command.active,
            stores=stores,
        )
        if changed == held:
            return held
        removed = sorted(set(held.stores) - set(stores))
        record = replace(
            changed,
            version=held.version + 1,
            updated_at=now,
            former_stores=tuple(sorted(set(held.former_stores) - set(stores) | set(removed))),
        )
        await tx.staff.update(record)
        _publish(record, (*stores, *removed), tx)
        newly = set(stores) - (set() if not held.active else set(held.stores))
        if record.active and newly:
            await _publish_pin_hash(record.staff_code, sorted(newly), tx)
    return record


async def reset_pin(command: ResetPin, uow: HubUnitOfWork) -> StaffRecord:
    """HQ sets the staff member's PIN: its hash, stamped by the hub's clock after every
    edit of it the hub has seen, goes to each store they work at. Raises InvalidPin,
    StaffNotFound."""
    pin_hash = _hash(command.pin)
    async with uow.write() as tx:
        held = await tx.staff.get(command.staff_code, lock=True)
        if held is None:
            raise StaffNotFound(command.staff_code)
        await _set_pin_hash(command.staff_code, pin_hash, tx, uow)
    return held


async def get_staff(staff_code: str, uow: HubUnitOfWork) -> StaffRecord:
    """Raises StaffNotFound."""
    async with uow.read() as tx:
        held = await tx.staff.get(staff_code)
    if held is None:
        raise StaffNotFound(staff_code)
    return held


@dataclass(frozen=True, slots=True)
class StaffPage:
    """Staff in staff-code order; `next_after` is the code to pass as `after` for the next
    page, None on the last."""

    staff: list[StaffRecord]
    next_after: str | None


async def list_staff(
    *, store_id: str | None, after: str = "", limit: int = 100, uow: HubUnitOfWork
) -> StaffPage:
    """Staff (those who work at `store_id` now, when given) after staff code `after`.
    Raises StoreNotFound."""
    async with uow.read() as tx:
        if store_id is not None and await tx.stores.get(store_id) is None:
            raise StoreNotFound(store_id)
        found = await tx.staff.page(store_id=store_id, after=after, limit=limit + 1)
    staff = found[:limit]
    return StaffPage(staff, staff[-1].staff_code if len(found) > limit else None)


async def _check_stores(stores: tuple[str, ...], tx: HubTransaction) -> None:
    unknown = [store for store in stores if await tx.stores.get(store) is None]
    if unknown:
        raise UnknownStores(unknown)


def staff_entry(record: StaffRecord, store_id: str) -> FeedEntry:
    """The `staff` feed entry of `record` for `store_id`'s feed."""
    return FeedEntry(
        store_id=store_id,
        entity="staff",
        entity_key=record.staff_code,
        version=record.version,
        payload=record.feed_payload(store_id).model_dump(mode="json"),
        created_at=record.updated_at,
    )


def _publish(record: StaffRecord, stores: tuple[str, ...], tx: HubTransaction) -> None:
    for store_id in stores:
        tx.publish(staff_entry(record, store_id))


async def _set_pin_hash(
    staff_code: str, pin_hash: str, tx: HubTransaction, uow: HubUnitOfWork
) -> None:
    """HQ's edit of the `staff_pin` record, merged and published like any shared record."""
    held = await tx.records.get(PIN_RECORD, staff_code, lock=True)
    held_fields = from_json(held.fields) if held else {}
    stamp = HybridLogicalClock(uow.clock, "hub", newest_stamp(held_fields)).tick().encode()
    edit = stamped_edit(held_fields, {"pin_hash": pin_hash}, stamp)
    await merge(PIN_RECORD, staff_code, edit, tx, uow.now())


async def _publish_pin_hash(staff_code: str, stores: list[str], tx: HubTransaction) -> None:
    """The PIN hash as held, to stores that did not have it (same version: a store that had
    it changes nothing)."""
    held = await tx.records.get(PIN_RECORD, staff_code)
    if held is None:
        return
    for store_id in stores:
        tx.publish(
            record_entry(
                PIN_RECORD, staff_code, from_json(held.fields), held.version, store_id, tx.now()
            )
        )
