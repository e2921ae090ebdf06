"""Read model of the dashboard's business day: the day's figures (sales, returns, discounts,
tax per rate, each tender, voids, no-sales), sales by hour, top items, by cashier, and the
day's documents one per row for the CSV export.

The day is the documents' own `business_day` (as `GET /v1/reports/day` and the hub read it).
Its sales and returns are read through the same query as a shift's X and Z
(`ShiftRepository.documents` with a business-day `Selection`) and folded by the same rules
(`edge.domain.shifts.record_sales`, `record_void`, `record_no_sale`) into one `ShiftTotals`,
so the day's figures are, to the penny, the sum of its shifts' X/Z figures on a day whose
shifts all opened and closed within it. Voids and no-sales have no business day of their
own: they count on the store-local date of their time. Amounts are integer minor units,
signed as the X/Z sign them (returns and voids negative).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, TypeVar

from edge.adapters.repositories.dashboard_day import TillSpell
from edge.adapters.repositories.shift_documents import Document, Selection
from edge.adapters.repositories.shifts import StoredShift
from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain import shifts as rules
from edge.domain.cash_count import CashCount
from edge.domain.node import NodeIdentity
from edge.domain.shifts import CASH, Shift, ShiftTotals, TaxAtRate
from shared.money import Money

T = TypeVar("T")

TOP_ITEMS = 10
UNKNOWN_CASHIER = "?"


@dataclass(frozen=True, slots=True)
class HourFigures:
    """Sales made in one store-local hour (0-23): how many sales, net sales (minor units,
    returns made in the hour taken off)."""

    hour: int
    transactions: int
    net_sales_minor: int


@dataclass(frozen=True, slots=True)
class TopItem:
    """An item's day, net of returns: whole units (`each`), grams (weighed), revenue (minor
    units, VAT included, after discounts)."""

    sku: str
    description: str
    units: int
    weight_g: int
    revenue_minor: int


@dataclass(frozen=True, slots=True)
class CashierFigures:
    """What one staff member rang up: sales, net sales (minor units), voids (count, value <= 0)
    and no-sales."""

    staff_code: str
    name: str
    transactions: int
    net_sales_minor: int
    voids_count: int
    voids_minor: int
    no_sales: int


@dataclass(frozen=True, slots=True)
class DayFigures:
    """The business day's figures. `totals` is the day folded as a shift is (sales and returns
    counts and sums, discounts, tax per rate, tenders as tendered, change, voids, no-sales);
    `tenders` is each kind's take net of change and refunds (sums to `net_sales_minor`)."""

    business_day: date
    currency: str
    totals: ShiftTotals
    units: int
    weight_g: int
    hours: tuple[HourFigures, ...]
    top_items: tuple[TopItem, ...]
    cashiers: tuple[CashierFigures, ...]

    @property
    def transactions(self) -> int:
        return self.totals.sales_count

    @property
    def returns_count(self) -> int:
        return self.totals.returns_count

    @property
    def returns_minor(self) -> int:
        """The day's returns, <= 0."""
        return self.totals.returns.minor

    @property
    def discounts_minor(self) -> int:
        return self.totals.discounts.minor

    @property
    def gross_sales_minor(self) -> int:
        """What the day's sales came to before their discounts."""
        return self.totals.sales.minor + self.totals.discounts.minor

    @property
    def net_sales_minor(self) -> int:
        """Sales after discounts, less returns: the X/Z `net_sales`."""
        return self.totals.net_sales.minor

    @property
    def average_basket_minor(self) -> int | None:
        """Net sales / transactions, half-even to the minor unit; None on a day with no sale."""
        if not self.transactions:
            return None
        ratio = Decimal(self.net_sales_minor) / Decimal(self.transactions)
        return int(ratio.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))

    @property
    def tax(self) -> tuple[TaxAtRate, ...]:
        return self.totals.tax

    @property
    def tenders(self) -> tuple[tuple[str, int], ...]:
        """(kind, minor units taken net of change and refunds), by kind."""
        return tuple(
            (kind, amount.minor - (self.totals.change_given.minor if kind == CASH else 0))
            for kind, amount in self.totals.tenders
        )

    @property
    def voids_count(self) -> int:
        return self.totals.voids_count

    @property
    def voids_minor(self) -> int:
        """The value voided, <= 0."""
        return self.totals.voids.minor

    @property
    def no_sales(self) -> int:
        return self.totals.no_sales_count


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One sale or return of the day for the CSV: store-local time, who rang it, signed
    minor-unit amounts, each tender kind's amount net of change."""

    receipt_number: str
    at: datetime
    till_id: str
    cashier_code: str
    cashier_name: str
    kind: str
    total_minor: int
    tax_minor: int
    discounts_minor: int
    tenders: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Day:
    """What the day is built from, read in one transaction."""

    documents: list[Document]
    voids: list[tuple[str, datetime, Money]]
    no_sales: list[tuple[str, str, datetime]]
    cashier_of: _Cashiers


class _Cashiers:
    """Who was signed in at each till when: each sale goes to the staff member signed in at
    its till at its time (the latest sign-in still open then), else to whoever opened the
    shift it was made in."""

    def __init__(
        self, spells: list[TillSpell], shifts: dict[str, StoredShift], names: dict[str, str]
    ) -> None:
        self._spells: dict[str, list[TillSpell]] = defaultdict(list)
        for spell in spells:
            self._spells[spell.till_id].append(spell)
        self._shifts = shifts
        self.names = names

    def at(self, till_id: str, moment: datetime, shift_id: str | None) -> str:
        """The staff code of who was at `till_id` at `moment` (UNKNOWN_CASHIER: nobody known)."""
        found: TillSpell | None = None
        for spell in self._spells.get(till_id, ()):
            ended = spell.ended_at is None or moment < spell.ended_at
            if spell.started_at <= moment and ended:
                found = spell if found is None or spell.started_at > found.started_at else found
        if found is not None:
            return found.staff_code
        shift = self._shifts.get(shift_id) if shift_id else None
        return shift.shift.opened_by if shift is not None else UNKNOWN_CASHIER

    def name(self, staff_code: str) -> str:
        return self.names.get(staff_code, staff_code)


def _read_day(business_day: date, uow: EdgeUnitOfWork, identity: NodeIdentity) -> _Day:
    zone = identity.zone
    start = datetime.combine(business_day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(business_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    margin = timedelta(days=1)  # stored times' offsets differ from UTC by less than a day
    documents = uow.shifts.documents(Selection(business_day=business_day), identity.currency)
    shifts = {
        kept.shift.shift_id: kept for kept in uow.shifts.touching(business_day, start - margin)
    }
    for shift_id in {d.shift_id for d in documents if d.shift_id} - shifts.keys():
        kept = uow.shifts.get(shift_id)  # a shift opened long before, still selling today
        if kept is not None:
            shifts[shift_id] = kept
    ids = sorted(shifts)
    on_day = identity.business_day
    voids = [v for v in uow.shifts.voids(ids, identity.currency) if on_day(v[1]) == business_day]
    no_sales = [n for n in uow.shifts.no_sales(ids) if on_day(n[2]) == business_day]
    names = {row.staff_code: row.name for row in uow.staff.all()}
    for kept in shifts.values():
        if kept.opened_by_name:
            names.setdefault(kept.shift.opened_by, kept.opened_by_name)
    spells = uow.dashboard_day.till_spells(start - margin, end + margin)
    return _Day(documents, voids, no_sales, _Cashiers(spells, shifts, names))


def fold_day(
    documents: list[Document],
    voids: list[tuple[str, datetime, Money]],
    no_sales: list[tuple[str, str, datetime]],
    currency: str,
) -> ShiftTotals:
    """The day's documents, voids and no-sales folded by the shift's rules into one
    `ShiftTotals` (float zero, no cash movements). Raises InvalidShiftEntry for a document
    whose tenders less change are not its total (as the X would)."""
    start = datetime.min.replace(tzinfo=UTC)
    empty = CashCount.of(currency, {})
    day = Shift("day", "*", "", start, empty, ShiftTotals.empty(empty.total))
    day = rules.record_sales(day, (document.record for document in documents))
    for _, at, value in voids:
        day = rules.record_void(day, at, value)
    for _, _, at in no_sales:
        day = rules.record_no_sale(day, at)
    return day.totals


def day_figures(business_day: date, uow: EdgeUnitOfWork, *, identity: NodeIdentity) -> DayFigures:
    """The figures of `business_day` on this node (empty day: zeros, average basket None)."""
    day = _read_day(business_day, uow, identity)
    totals = fold_day(day.documents, day.voids, day.no_sales, identity.currency)
    hours = [[0, 0] for _ in range(24)]
    items: dict[str, list[int]] = {}
    descriptions: dict[str, str] = {}
    cashiers: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for document in day.documents:
        record = document.record
        bucket = hours[record.at.astimezone(identity.zone).hour]
        bucket[0] += 0 if document.is_return else 1
        bucket[1] += record.total.minor
        who = cashiers[day.cashier_of.at(document.till_id, record.at, document.shift_id)]
        who[0] += 0 if document.is_return else 1
        who[1] += record.total.minor
        for line in document.lines:
            item = items.setdefault(line.sku, [0, 0, 0])
            item[0] += line.units
            item[1] += line.weight_g
            item[2] += line.total_minor
            if line.description:
                descriptions[line.sku] = line.description
    for till_id, at, value in day.voids:
        who = cashiers[day.cashier_of.at(till_id, at, None)]
        who[2] += 1
        who[3] -= value.minor
    for _, staff_code, _ in day.no_sales:
        cashiers[staff_code][4] += 1
    top = sorted(items.items(), key=lambda item: (-item[1][2], item[0]))[:TOP_ITEMS]
    return DayFigures(
        business_day=business_day,
        currency=identity.currency,
        totals=totals,
        units=sum(item[0] for item in items.values()),
        weight_g=sum(item[1] for item in items.values()),
        hours=tuple(HourFigures(hour, n, net) for hour, (n, net) in enumerate(hours)),
        top_items=tuple(
            TopItem(sku, descriptions.get(sku, sku), units, weight_g, revenue)
            for sku, (units, weight_g, revenue) in top
        ),
        cashiers=tuple(
            CashierFigures(code, day.cashier_of.name(code), *figures)
            for code, figures in sorted(cashiers.items(), key=lambda c: (-c[1][1], c[0]))
        ),
    )


def day_documents(
    business_day: date, uow: EdgeUnitOfWork, *, identity: NodeIdentity
) -> list[DocumentRow]:
    """The day's sales and returns, one row each in the order made (the CSV export); their
    totals, tax, discounts and tenders add up to `day_figures`' own."""
    day = _read_day(business_day, uow, identity)
    rows = []
    for document in day.documents:
        record = document.record
        tenders: dict[str, int] = {}
        for kind, amount in record.tenders:
            tenders[kind] = tenders.get(kind, 0) + amount.minor
        if record.change.minor:
            tenders[CASH] = tenders.get(CASH, 0) - record.change.minor
        cashier = day.cashier_of.at(document.till_id, record.at, document.shift_id)
        rows.append(
            DocumentRow(
                receipt_number=record.receipt_number,
                at=record.at.astimezone(identity.zone),
                till_id=document.till_id,
                cashier_code=cashier,
                cashier_name=day.cashier_of.name(cashier),
                kind="return" if document.is_return else "sale",
                total_minor=record.total.minor,
                tax_minor=sum(rate.tax.minor for rate in record.tax),
                discounts_minor=record.discounts.minor if record.discounts else 0,
                tenders=tenders,
            )
        )
    return rows


class ReadCache:
    """The dashboard's last few day reads (figures, documents), each kept with the node's
    write position when it was read: the outbox's last seq and the feed's cursor. Every
    change a day's figures read writes an outbox event in its own transaction (a sale, a
    return, a void, a no-sale, a shift opened or closed, a sign-in) or moves the feed (staff
    names), so a read kept at the position the node still stands at is what reading again
    would give; any write makes the next read fresh. Safe across the read threads."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, tuple[tuple[int, str | None], Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def read(self, key: Hashable, uow: EdgeUnitOfWork, fresh: Callable[[], T]) -> T:
        """What `fresh()` gives for `key` at the position `uow`'s snapshot stands at: kept,
        or read now (in the same snapshot) and kept."""
        position = uow.node.written_position()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] == position:
                self._kept.move_to_end(key)
                self.hits += 1
                value: T = kept[1]
                return value
        value = fresh()
        with self._lock:
            self.misses += 1
            self._kept[key] = (position, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return value
