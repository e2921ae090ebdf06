"""How ingest takes each kind of event: one handler per message class, in one registry.

A handler `classify`-es a parsed event without I/O: into a ledger document (recorded with the
rest of the batch, see `hub.service.ingest`), into a value its `record` writes later in a
savepoint of its own, or into a quarantine reason. A new kind of event is one handler here and
one line in HANDLERS (and its model in `sync.messages`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from typing_extensions import override

from hub.adapters.unit_of_work import HubTransaction
from hub.domain.b2b import NewB2BOrder
from hub.domain.ledger import (
    MAX_MINOR,
    CashEntry,
    LedgerDocument,
    cash_entry_of,
    document_of,
    problems_of,
)
from hub.domain.refunds import NewRefundRequest
from hub.domain.sale_exceptions import cash_problems
from hub.domain.staff import TillAuditEntry
from hub.domain.tenders import SettledCard, settled_card_of
from hub.domain.z_reports import ZEntry, z_entry_of
from hub.service import b2b, card_settlement, refunds, z_reports
from hub.service.records import merge
from hub.service.till_audit import audit_entry_of, keep_audit_entries, keep_audit_entry
from shared import pins
from shared.errors import InvalidAmount
from sync.messages import (
    AuditRecorded,
    B2BCartSubmitted,
    B2BPaymentComposed,
    CardSettled,
    CashMoved,
    RawEvent,
    RecordUpdated,
    RecordUpdatedV1,
    RefundRequested,
    ReturnRecorded,
    SaleCompleted,
    ShiftClosed,
)
from sync.records import FieldValue

# What the workflows must hear of once a batch with such an event is committed.
FollowUp = Literal["refund_requested", "b2b_submitted", "b2b_stepped"]

EventT = TypeVar("EventT")
ValueT = TypeVar("ValueT")


@dataclass(frozen=True, slots=True)
class Applied:
    """One new event and what became of it: exactly one of a ledger `document`, a `value` its
    `handler` records, or a quarantine `reason`. Made by `to_ledger`, `to_record` or
    `quarantined`; raises ValueError when made with none of the three, or more than one."""

    raw: RawEvent
    document: LedgerDocument | None
    reason: str | None
    handler: EventHandler[Any, Any] | None = None
    value: Any = None

    def __post_init__(self) -> None:
        # Ingest stores an event with no outcome as applied: refuse one here, not silently.
        outcomes = (
            (self.document is not None) + (self.reason is not None) + (self.handler is not None)
        )
        if outcomes != 1:
            raise ValueError(
                f"event {self.raw.event_id} needs one outcome (document, record or reason), "
                f"has {outcomes}"
            )

    @classmethod
    def to_ledger(cls, raw: RawEvent, document: LedgerDocument) -> Applied:
        """`raw` becomes `document` of the ledger, recorded with the rest of its batch."""
        return cls(raw, document, None)

    @classmethod
    def to_record(cls, raw: RawEvent, handler: EventHandler[Any, ValueT], value: ValueT) -> Applied:
        """`raw` becomes `value`, which `handler.record` writes in a savepoint of its own."""
        return cls(raw, None, None, handler, value)

    @classmethod
    def quarantined(cls, raw: RawEvent, reason: str) -> Applied:
        """`raw` is stored quarantined, with `reason`."""
        return cls(raw, None, reason)


class EventHandler(ABC, Generic[EventT, ValueT]):
    """Ingest of one kind of event: `classify` checks it, `record` writes what it kept."""

    follow_up: FollowUp | None = None
    # `record` runs after the batch's ledger documents are recorded (it reads them).
    records_after_ledger: bool = False
    # `record_all` writes a batch's values at once (else `record`, one savepoint each).
    records_in_bulk: bool = False

    @abstractmethod
    def classify(self, raw: RawEvent, event: EventT, received_at: datetime) -> Applied:
        """What to do with `event`, without I/O. Raises SharedError (an unknown currency, an
        amount it cannot hold): the event is quarantined with its message."""

    async def record(self, value: ValueT, tx: HubTransaction, now: datetime) -> str | None:
        """Write `value` (what `classify` kept) in the caller's savepoint; returns why it
        cannot be recorded (the savepoint is then undone), or None. Raises SharedError,
        StorageRefused."""
        raise NotImplementedError(f"{type(self).__name__} records nothing on its own")

    async def record_all(self, values: Sequence[ValueT], tx: HubTransaction, now: datetime) -> None:
        """Write every one of `values` in the caller's savepoint, as `record` would one by one
        when it refuses none (a handler with `records_in_bulk`). Raises StorageRefused (the
        values are then recorded one by one, so only those refused are quarantined)."""
        raise NotImplementedError(f"{type(self).__name__} records nothing in bulk")

    async def after_ledger(self, value: ValueT, tx: HubTransaction, now: datetime) -> None:
        """Run once the batch's ledger documents are recorded, for a `value` `record` kept:
        a check against the ledger that must see the sales uploaded with it."""


class LedgerDocuments(EventHandler[SaleCompleted | ReturnRecorded, None]):
    """Sales and returns: documents of the ledger, checked here, recorded a batch at a time
    (with their stock movements and sale exceptions) by ingest."""

    @override
    def classify(
        self, raw: RawEvent, event: SaleCompleted | ReturnRecorded, received_at: datetime
    ) -> Applied:
        document = document_of(event)
        problems = problems_of(document)
        if problems:
            return Applied.quarantined(raw, "; ".join(problems))
        return Applied.to_ledger(raw, document)


@dataclass(frozen=True, slots=True)
class StoreEdit:
    """A shared record's edit as `store_id` uploaded it."""

    store_id: str
    record: RecordUpdatedV1


class RecordEdits(EventHandler[RecordUpdated, StoreEdit]):
    """A store's edit of a shared record: merged field by field (`records.merge`). A staff
    PIN hash (`staff_pin`, changed by its owner at a till) must be an argon2id hash, and is
    taken only from a store the staff member works at now; the merged hash then goes to
    every store of theirs."""

    @override
    def classify(self, raw: RawEvent, event: RecordUpdated, received_at: datetime) -> Applied:
        record = event.payload
        if record.entity == "store_settings" and record.key != raw.store_id:
            return Applied.quarantined(
                raw, f"{raw.store_id} may not edit the settings of {record.key}"
            )
        if record.entity == "staff_pin":
            problem = _pin_hash_problem(record)
            if problem is not None:
                return Applied.quarantined(raw, problem)
        return Applied.to_record(raw, self, StoreEdit(raw.store_id, record))

    @override
    async def record(self, value: StoreEdit, tx: HubTransaction, now: datetime) -> str | None:
        record = value.record
        if record.entity == "staff_pin" and not await tx.staff.works_at(record.key, value.store_id):
            return (
                f"staff {record.key} does not work at {value.store_id}: "
                "its PIN cannot be changed there"
            )
        incoming = {
            field: FieldValue(stamped.value, stamped.hlc, stamped.base)
            for field, stamped in record.fields.items()
        }
        await merge(record.entity, record.key, incoming, tx, now)
        return None


def _pin_hash_problem(record: RecordUpdatedV1) -> str | None:
    """Why a till's `staff_pin` edit cannot be taken (its hash is never quoted), or None."""
    stamped = record.fields.get("pin_hash")
    if stamped is None:
        return f"staff_pin {record.key} carries no pin_hash"
    if not isinstance(stamped.value, str):
        return f"staff_pin {record.key}: a till cannot clear a PIN"
    try:
        pins.needs_rehash(stamped.value)
    except pins.InvalidPinHash:
        return f"staff_pin {record.key}: pin_hash is not an argon2 hash"
    if not stamped.value.startswith("$argon2id$"):
        return f"staff_pin {record.key}: pin_hash is not an argon2id hash"
    return None


class AuditEntries(EventHandler[AuditRecorded, TillAuditEntry]):
    """An audited action at a till: kept once by its audit id (`till_audit`), with the
    store and node it came from; a second copy (another event id, same audit id) adds
    nothing."""

    records_in_bulk = True

    @override
    def classify(self, raw: RawEvent, event: AuditRecorded, received_at: datetime) -> Applied:
        return Applied.to_record(raw, self, audit_entry_of(raw, event, received_at))

    @override
    async def record(self, value: TillAuditEntry, tx: HubTransaction, now: datetime) -> None:
        await keep_audit_entry(value, tx)

    @override
    async def record_all(
        self, values: Sequence[TillAuditEntry], tx: HubTransaction, now: datetime
    ) -> None:
        await keep_audit_entries(values, tx)


class CashMovements(EventHandler[CashMoved, CashEntry]):
    """Cash into or out of a drawer, with its exceptions (a currency the store does not use)."""

    @override
    def classify(self, raw: RawEvent, event: CashMoved, received_at: datetime) -> Applied:
        entry = cash_entry_of(event)
        if entry.amount_minor > MAX_MINOR:
            raise InvalidAmount(str(event.payload.amount), "beyond what a drawer holds")
        return Applied.to_record(raw, self, entry)

    @override
    async def record(self, value: CashEntry, tx: HubTransaction, now: datetime) -> None:
        await tx.cash.add(value, now)
        store = await tx.stores.get(value.store_id)
        if store is not None:
            await tx.sale_exceptions.add(cash_problems(value, store.currency), now)


class RefundRequests(EventHandler[RefundRequested, NewRefundRequest]):
    """A till asks HQ to approve a refund (`refunds.record_request`); its workflow starts
    after the commit."""

    follow_up = "refund_requested"

    @override
    def classify(self, raw: RawEvent, event: RefundRequested, received_at: datetime) -> Applied:
        request = refunds.new_request(event, received_at)
        if request.amount_minor > MAX_MINOR:
            raise InvalidAmount(str(event.payload.amount), "beyond any refund")
        return Applied.to_record(raw, self, request)

    @override
    async def record(
        self, value: NewRefundRequest, tx: HubTransaction, now: datetime
    ) -> str | None:
        return await refunds.record_request(value, tx)


class B2BCarts(EventHandler[B2BCartSubmitted, NewB2BOrder]):
    """A till submits a trade customer's cart (`b2b.record_cart`); its workflow starts after
    the commit."""

    follow_up = "b2b_submitted"

    @override
    def classify(self, raw: RawEvent, event: B2BCartSubmitted, received_at: datetime) -> Applied:
        order = b2b.new_order(event, received_at)
        if order.total_minor > MAX_MINOR:
            raise InvalidAmount(str(event.payload.total), "beyond any order")
        return Applied.to_record(raw, self, order)

    @override
    async def record(self, value: NewB2BOrder, tx: HubTransaction, now: datetime) -> str | None:
        return await b2b.record_cart(value, tx)


class B2BPayments(EventHandler[B2BPaymentComposed, B2BPaymentComposed]):
    """A till composed the payment of an approved cart (`b2b.record_payment`); its workflow
    hears of it after the commit."""

    follow_up = "b2b_stepped"

    @override
    def classify(self, raw: RawEvent, event: B2BPaymentComposed, received_at: datetime) -> Applied:
        return Applied.to_record(raw, self, event)

    @override
    async def record(
        self, value: B2BPaymentComposed, tx: HubTransaction, now: datetime
    ) -> str | None:
        return await b2b.record_payment(value, tx, now)


class ZReports(EventHandler[ShiftClosed, ZEntry]):
    """A till's Z report: kept once, then checked against the ledger for its till and period
    (`z_reports.check`) once the sales uploaded with it are recorded."""

    @override
    def classify(self, raw: RawEvent, event: ShiftClosed, received_at: datetime) -> Applied:
        entry = z_entry_of(event)
        amounts = (entry.figures.net_sales_minor, entry.figures.expected_cash_minor)
        if max(abs(amount) for amount in (*amounts, entry.grand_total_minor)) > MAX_MINOR:
            raise InvalidAmount(str(event.payload.grand_total), "beyond what a till takes")
        return Applied.to_record(raw, self, entry)

    @override
    async def record(self, value: ZEntry, tx: HubTransaction, now: datetime) -> str | None:
        await tx.z_reports.add(value, now)
        return None

    @override
    async def after_ledger(self, value: ZEntry, tx: HubTransaction, now: datetime) -> None:
        await z_reports.check(value, tx, now)


class CardSettlements(EventHandler[CardSettled, SettledCard]):
    """What became of a card tender taken or refunded offline (`card_settlement.settle_card`),
    recorded after the batch's documents: the sale it settles may be in the same upload."""

    records_after_ledger = True

    @override
    def classify(self, raw: RawEvent, event: CardSettled, received_at: datetime) -> Applied:
        settled = settled_card_of(event)
        if settled.amount_minor > MAX_MINOR:
            raise InvalidAmount(str(event.payload.amount), "beyond what a card takes")
        return Applied.to_record(raw, self, settled)

    @override
    async def record(self, value: SettledCard, tx: HubTransaction, now: datetime) -> str | None:
        return await card_settlement.settle_card(value, tx, now)


_LEDGER = LedgerDocuments()

# The handler of each message class `sync.messages.parse_event` returns.
HANDLERS: dict[type[Any], EventHandler[Any, Any]] = {
    SaleCompleted: _LEDGER,
    ReturnRecorded: _LEDGER,
    RecordUpdated: RecordEdits(),
    CashMoved: CashMovements(),
    RefundRequested: RefundRequests(),
    B2BCartSubmitted: B2BCarts(),
    B2BPaymentComposed: B2BPayments(),
    AuditRecorded: AuditEntries(),
    ShiftClosed: ZReports(),
    CardSettled: CardSettlements(),
}
