"""Business exceptions of completed sales: recorded for a person to resolve, never a refusal.

A sale rung up offline is a fact: the goods left the shop and the money is in the drawer. When
it disagrees with what HQ knows, the sale is recorded as it happened and an exception says
what is odd about it. (After the field notes: PowerSync's inventory recipe rejects an offline
sale when stock would go negative; we do not.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from hub.domain.ledger import CashEntry, LedgerDocument
from shared.money import line_total_minor

ExceptionKind = Literal[
    "unknown_sku",
    "oversold",
    "price_drift",
    "tender_problem",
    "refund_problem",
    "b2b_problem",
    "line_arithmetic",
    "altered_resend",
    "overdraft",
    "card_declined",
    "card_expired",
]


@dataclass(frozen=True, slots=True)
class SaleException:
    document_id: UUID
    store_id: str
    kind: ExceptionKind
    sku: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class CurrentPrice:
    unit_price: Decimal
    version: int


def unknown_skus(documents: Iterable[LedgerDocument], known: set[str]) -> list[SaleException]:
    """One exception per line whose SKU is not in the hub's catalogue."""
    return [
        SaleException(
            document.document_id,
            document.store_id,
            "unknown_sku",
            line.sku,
            f"line {line.line_no}: SKU {line.sku!r} is not in the catalogue",
        )
        for document in documents
        for line in document.lines
        if line.sku not in known
    ]


def price_drift(
    documents: Iterable[LedgerDocument], current: Mapping[str, CurrentPrice]
) -> list[SaleException]:
    """Lines charged at the catalogue price of an older version whose price has changed since.

    Price overrides are deliberate and not drift. Returns and lines without a version are not
    checked.
    """
    found = []
    for document in documents:
        if document.kind != "sale":
            continue
        for line in document.lines:
            price = current.get(line.sku)
            if (
                price is None
                or line.price_source != "catalogue"
                or line.price_version is None
                or line.price_version >= price.version
                or line.unit_price == price.unit_price
            ):
                continue
            found.append(
                SaleException(
                    document.document_id,
                    document.store_id,
                    "price_drift",
                    line.sku,
                    f"line {line.line_no}: sold at price version {line.price_version} "
                    f"({line.unit_price}), the hub has version {price.version} ({price.unit_price})",
                )
            )
    return found


def tender_problems(documents: Iterable[LedgerDocument]) -> list[SaleException]:
    """Tenders that do not settle the document: amounts not adding up to the total, change that
    is not what was handed over beyond the amount applied, negative amounts, change from
    anything but cash (a card, gift card, store credit or trade account), or a charge to a
    trade account (`on_account`) outside the handover of a B2B order.
    """
    found = []
    for document in documents:
        due = abs(document.total_minor)
        applied = sum(tender.amount_minor for tender in document.tenders)
        problems = []
        if applied != due:
            problems.append(f"tenders apply {applied} minor units to a total of {due}")
        for tender in document.tenders:
            if min(tender.amount_minor, tender.tendered_minor, tender.change_minor) < 0:
                problems.append(f"tender {tender.tender_no} has a negative amount")
            elif tender.tendered_minor - tender.amount_minor != tender.change_minor:
                problems.append(
                    f"tender {tender.tender_no}: {tender.tendered_minor} handed over, "
                    f"{tender.amount_minor} applied, but {tender.change_minor} given back"
                )
            if tender.kind == "on_account" and tender.change_minor != 0:
                problems.append(f"tender {tender.tender_no} gives change from an account")
            elif tender.kind not in ("cash", "on_account") and tender.change_minor != 0:
                problems.append(f"tender {tender.tender_no} gives change from a {tender.kind}")
            if tender.kind == "on_account" and document.b2b_order_id is None:
                problems.append(
                    f"tender {tender.tender_no} charges an account outside a B2B order's handover"
                )
        if problems:
            found.append(
                SaleException(
                    document.document_id,
                    document.store_id,
                    "tender_problem",
                    None,
                    "; ".join(problems),
                )
            )
    return found


def line_arithmetic(documents: Iterable[LedgerDocument]) -> list[SaleException]:
    """One exception per line whose total is not its quantity x unit price, rounded to the
    minor unit ROUND_HALF_UP (`shared.money.line_total`), less its discount: the till's
    arithmetic (or whatever wrote the event) is wrong, and the sale is still recorded as rung
    up. Sales and returns without a receipt; a return against a receipt refunds its share of
    the sold line, rounded apart (`edge.domain.pricing.share`), so it is not checked here.

    Call on documents `ledger.problems_of` passes (a known currency, prices the ledger holds).
    """
    found = []
    for document in documents:
        if document.original_document_id is not None:
            continue
        for line in document.lines:
            gross = line_total_minor(line.quantity, line.unit_price, document.currency)
            expected = gross - line.discount_minor
            if expected == line.line_total_minor:
                continue
            found.append(
                SaleException(
                    document.document_id,
                    document.store_id,
                    "line_arithmetic",
                    line.sku,
                    f"line {line.line_no}: {line.quantity} x {line.unit_price} "
                    f"less {line.discount_minor} discount is {expected} minor units, "
                    f"the till recorded {line.line_total_minor}",
                )
            )
    return found


def altered_resend(
    event_id: UUID, store_id: str, seq: int, held_digest: str, received_digest: str
) -> SaleException:
    """An event re-sent under a seq and event id the hub holds, with other content: the held
    event stands (nothing of the re-send is applied), and HQ hears of it. `document_id` is the
    event's id (`GET /v1/events/{event_id}` shows what is held)."""
    return SaleException(
        event_id,
        store_id,
        "altered_resend",
        None,
        f"event {event_id} (seq {seq}) was sent again with other content: sha256 "
        f"{received_digest}, the hub holds {held_digest}; the held event stands",
    )


def oversold(
    documents: Iterable[LedgerDocument],
    tracked: set[str],
    levels_before: Mapping[tuple[str, str], int],
) -> list[SaleException]:
    """The sale lines that took a tracked (location, SKU) counter below zero, in upload order.

    `levels_before` holds the counters before these documents; a key already negative is
    reported again only if the sale takes it further down.
    """
    level = dict(levels_before)
    found = []
    for document in documents:
        for line in document.lines:
            if line.sku not in tracked or line.unit != "each":
                continue
            key = (document.store_id, line.sku)
            before = level.get(key, 0)
            after = before - int(line.quantity)
            level[key] = after
            if line.quantity > 0 and after < 0:
                found.append(
                    SaleException(
                        document.document_id,
                        document.store_id,
                        "oversold",
                        line.sku,
                        f"line {line.line_no}: {line.quantity} sold with {before} on hand; {after} now",
                    )
                )
    return found


def cash_problems(entry: CashEntry, store_currency: str) -> list[SaleException]:
    """A cash movement in a currency other than the store's: recorded, and flagged."""
    if entry.currency == store_currency:
        return []
    return [
        SaleException(
            entry.movement_id,
            entry.store_id,
            "tender_problem",
            None,
            f"cash {entry.kind.replace('_', '-')} of {entry.amount_minor} minor units in "
            f"{entry.currency}; the store trades in {store_currency}",
        )
    ]


@dataclass(frozen=True, slots=True)
class ExceptionRecord:
    """A sale exception in the queue: `open`, or `resolved` with what was done about it."""

    exception_id: int
    document_id: UUID
    store_id: str
    kind: str
    sku: str | None
    detail: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    resolution: str | None
