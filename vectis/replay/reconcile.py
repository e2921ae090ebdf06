"""Expected totals of a data set, per day and per store, and their comparison with the hub's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from rich.table import Table
from rich.text import Text

from edge.domain.pricing import TaxRate, price_line
from shared.money import Money, line_total, quantize
from vectis.replay.catalogue import tax_code_of
from vectis.replay.dataset import (
    CURRENCY,
    VAT_CODE,
    VAT_RATE,
    Dataset,
    parse_store,
    store_for,
    store_id,
)
from vectis.replay.errors import ReportFormatError
from vectis.replay.tenders import till_lines

Scope = Literal["day", "store", "store_day", "z_report", "settlement"]
# The rate the replay's HQ publishes (version 1); the till records the same on each line.
VAT = TaxRate(VAT_CODE, VAT_RATE, 1)

_MONEY_FIELDS = ("revenue", "returns", "tax")
_COUNT_FIELDS = ("invoices", "lines", "units")
FIELDS: tuple[str, ...] = (*_COUNT_FIELDS, *_MONEY_FIELDS)


def format_money(amount: Decimal) -> str:
    """GBP as a decimal string with exactly 2 places ("123.45", "-7.67", never "-0.00")."""
    rounded = quantize(amount, CURRENCY)
    # A sum of zero-priced return lines is -0.00; a report should say 0.00.
    return f"{abs(rounded) if rounded == 0 else rounded:f}"


@dataclass(frozen=True, slots=True)
class Totals:
    """Counts and GBP amounts of a set of documents.

    invoices: documents (sales and returns); lines: document lines as the tills ring them up
    (a row of N gift cards is N lines, `till_lines`); units: net units (return
    lines count negative); revenue: net revenue, the sum of per-line totals rounded to pence
    HALF_UP (negative for return lines); returns: the absolute value of the return lines' totals;
    tax: the VAT included in revenue, per line as the till computes it (negative for returns).
    """

    invoices: int
    lines: int
    units: int
    revenue: Decimal
    returns: Decimal
    tax: Decimal = Decimal("0.00")

    @classmethod
    def zero(cls) -> Totals:
        """Totals of nothing."""
        return cls(0, 0, 0, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.invoices + other.invoices,
            self.lines + other.lines,
            self.units + other.units,
            self.revenue + other.revenue,
            self.returns + other.returns,
            self.tax + other.tax,
        )

    def to_json(self) -> dict[str, int | str]:
        """{"invoices": int, "lines": int, "units": int, "revenue": "12.34", "returns": "0.00",
        "tax": "2.06"}."""
        return {
            "invoices": self.invoices,
            "lines": self.lines,
            "units": self.units,
            "revenue": format_money(self.revenue),
            "returns": format_money(self.returns),
            "tax": format_money(self.tax),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Totals:
        """The inverse of `to_json`. Raises ReportFormatError for a missing or malformed field."""
        if not isinstance(data, Mapping):
            raise ReportFormatError(f"totals must be an object, got {type(data).__name__}")
        counts = []
        for name in _COUNT_FIELDS:
            value = data.get(name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ReportFormatError(f"{name} must be an integer, got {value!r}")
            counts.append(value)
        amounts = []
        for name in _MONEY_FIELDS:
            value = data.get(name, "0.00" if name == "tax" else None)  # older reports: no tax
            try:
                amount = Decimal(value) if isinstance(value, str) else None
            except InvalidOperation:
                amount = None
            if amount is None or not amount.is_finite():
                raise ReportFormatError(f"{name} must be a decimal string, got {value!r}")
            amounts.append(amount)
        return cls(counts[0], counts[1], counts[2], amounts[0], amounts[1], amounts[2])

    def field_text(self, name: str) -> str:
        """One field as text: ints as digits, money with 2 places."""
        value = getattr(self, name)
        return format_money(value) if name in _MONEY_FIELDS else str(value)


def total_of(items: Iterable[Totals]) -> Totals:
    """The sum of `items`; zero when empty."""
    result = Totals.zero()
    for item in items:
        result = result + item
    return result


@dataclass
class Report:
    """Totals by day ("2010-12-01"), by store ("store-2") and by store then day; and, where
    known, what they were paid with (kind -> net amount) by day and by store then day."""

    by_day: dict[str, Totals]
    by_store: dict[str, Totals]
    by_store_day: dict[str, dict[str, Totals]]
    tenders_by_day: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    tenders_by_store_day: dict[str, dict[str, dict[str, Decimal]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """{"by_day": {day: totals}, "by_store": {store: totals}, "by_store_day": {store: {day:
        totals}}} with days in date order and stores in number order. Where the tenders are
        known, a day's and a store-day's totals add `"tenders": {kind: "12.34"}`."""

        def day_json(totals: Totals, tenders: dict[str, dict[str, Decimal]], day: str) -> Any:
            held: dict[str, Any] = dict(totals.to_json())
            if self.tenders_by_day or self.tenders_by_store_day:
                held["tenders"] = _tenders_json(tenders.get(day, {}))
            return held

        return {
            "by_day": {
                day: day_json(self.by_day[day], self.tenders_by_day, day)
                for day in sorted(self.by_day)
            },
            "by_store": {
                store: self.by_store[store].to_json()
                for store in _sorted_keys("store", self.by_store)
            },
            "by_store_day": {
                store: {
                    day: day_json(days[day], self.tenders_by_store_day.get(store, {}), day)
                    for day in sorted(days)
                }
                for store, days in (
                    (store, self.by_store_day[store])
                    for store in _sorted_keys("store", self.by_store_day)
                )
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Report:
        """The inverse of `to_json`. Raises ReportFormatError when the shape is wrong."""
        if not isinstance(data, Mapping):
            raise ReportFormatError(f"a report must be an object, got {type(data).__name__}")
        by_day = _totals_map(data, "by_day")
        by_store = _totals_map(data, "by_store")
        nested = data.get("by_store_day")
        if not isinstance(nested, Mapping):
            raise ReportFormatError("by_store_day must be an object")
        by_store_day = {str(store): _totals_map(nested, store) for store in nested}
        tenders_by_day = _tenders_map(data["by_day"])
        tenders_by_store_day = {
            str(store): found for store in nested if (found := _tenders_map(nested[store]))
        }
        return cls(by_day, by_store, by_store_day, tenders_by_day, tenders_by_store_day)


def _tenders_json(amounts: Mapping[str, Decimal]) -> dict[str, str]:
    """{kind: "12.34"} in name order; a kind netting to zero is left out."""
    return {kind: format_money(amounts[kind]) for kind in sorted(amounts) if amounts[kind] != 0}


def parse_tenders(value: Any) -> dict[str, Decimal]:
    """{kind: amount} from {kind: "12.34"}. Raises ReportFormatError when malformed."""
    if not isinstance(value, Mapping):
        raise ReportFormatError(f"tenders must be an object, got {value!r}")
    amounts: dict[str, Decimal] = {}
    for kind, text in value.items():
        try:
            amount = Decimal(text) if isinstance(text, str) else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            raise ReportFormatError(f"tenders.{kind} must be a decimal string, got {text!r}")
        amounts[str(kind)] = amount
    return amounts


def _tenders_map(section: Mapping[str, Any]) -> dict[str, dict[str, Decimal]]:
    return {
        str(key): parse_tenders(value["tenders"])
        for key, value in section.items()
        if isinstance(value, Mapping) and "tenders" in value
    }


def _totals_map(data: Mapping[str, Any], name: str) -> dict[str, Totals]:
    section = data.get(name)
    if not isinstance(section, Mapping):
        raise ReportFormatError(f"{name} must be an object")
    return {str(key): Totals.from_json(value) for key, value in section.items()}


def _store_order(key: str) -> tuple[int, str]:
    try:
        return (parse_store(key), key)
    except ValueError:
        return (0, key)


def _sorted_keys(scope: Scope, keys: Iterable[str]) -> list[str]:
    if scope == "store":
        return sorted(keys, key=_store_order)
    if scope == "store_day":
        return sorted(keys, key=lambda key: (_store_order(key.split("/")[0]), key))
    return sorted(keys)


def expected_report(dataset: Dataset, stores: int) -> Report:
    """What the hub should report after replaying `dataset` across `stores` stores.

    Computed from the file alone (skipped rows are not sold, so not counted); invoices go to
    stores by `store_for`, to days by their business day. Raises ValueError when stores < 1.
    """
    by_day: dict[str, Totals] = {}
    by_store: dict[str, Totals] = {}
    by_store_day: dict[str, dict[str, Totals]] = {}
    for invoice in dataset.invoices:
        totals = [
            line_total(line.quantity, line.unit_price, CURRENCY).amount for line in invoice.lines
        ]
        revenue = sum(totals, Decimal("0.00"))
        tax = sum(
            (
                price_line(
                    Money(total, CURRENCY), None, VAT if tax_code_of(line.stock_code) else None
                ).tax.amount
                for line, total in zip(invoice.lines, totals, strict=True)
            ),
            Decimal("0.00"),
        )
        document = Totals(
            invoices=1,
            lines=sum(till_lines(invoice, line) for line in invoice.lines),
            units=sum(line.quantity for line in invoice.lines),
            revenue=revenue,
            returns=sum((abs(total) for total in totals), Decimal("0.00"))
            if invoice.kind == "return"
            else Decimal("0.00"),
            tax=tax,
        )
        day = invoice.business_day.isoformat()
        store = store_id(store_for(invoice, stores))
        by_day[day] = by_day.get(day, Totals.zero()) + document
        by_store[store] = by_store.get(store, Totals.zero()) + document
        days = by_store_day.setdefault(store, {})
        days[day] = days.get(day, Totals.zero()) + document
    return Report(by_day, by_store, by_store_day)


@dataclass(frozen=True)
class Mismatch:
    """One field of one key that differs between the data set and the hub (values as text)."""

    scope: Scope
    key: str
    field: str
    dataset: str
    hub: str

    def to_json(self) -> dict[str, str]:
        """{"scope", "key", "field", "dataset", "hub"}, all strings."""
        return {
            "scope": self.scope,
            "key": self.key,
            "field": self.field,
            "dataset": self.dataset,
            "hub": self.hub,
        }


def _flatten(report: Report, scope: Scope) -> dict[str, Totals]:
    if scope == "day":
        return report.by_day
    if scope == "store":
        return report.by_store
    return {
        f"{store}/{day}": totals
        for store, days in report.by_store_day.items()
        for day, totals in days.items()
    }


def compare(expected: Report, actual: Report) -> list[Mismatch]:
    """Every field that differs, for every key on either side (a missing key counts as zero).

    Order: scope (day, store, store_day), then key (dates in order, stores by number), then field
    (invoices, lines, units, revenue, returns). Empty when the reports agree.
    """
    mismatches: list[Mismatch] = []
    scopes: tuple[Scope, ...] = ("day", "store", "store_day")
    for scope in scopes:
        left, right = _flatten(expected, scope), _flatten(actual, scope)
        for key in _sorted_keys(scope, left.keys() | right.keys()):
            mine, theirs = left.get(key, Totals.zero()), right.get(key, Totals.zero())
            for name in FIELDS:
                if getattr(mine, name) != getattr(theirs, name):
                    mismatches.append(
                        Mismatch(scope, key, name, mine.field_text(name), theirs.field_text(name))
                    )
    return mismatches


def _render(
    title: str,
    first_column: str,
    scope: Scope,
    expected: Mapping[str, Totals],
    actual: Mapping[str, Totals],
    mismatches: Sequence[Mismatch],
) -> Table:
    wrong: dict[str, set[str]] = {}
    for mismatch in mismatches:
        if mismatch.scope == scope:
            wrong.setdefault(mismatch.key, set()).add(mismatch.field)
    table = Table(title=title)
    table.add_column(first_column)
    for name in FIELDS:
        table.add_column(f"{name}\ndataset", justify="right")
        table.add_column(f"{name}\nhub", justify="right")
    table.add_column("status")

    def add_row(label: str, mine: Totals, theirs: Totals, bad: set[str], failed: bool) -> None:
        cells: list[str | Text] = [label]
        for name in FIELDS:
            style = "bold red" if name in bad else ""
            cells.append(Text(mine.field_text(name), style=style))
            cells.append(Text(theirs.field_text(name), style=style))
        cells.append(Text("MISMATCH", style="bold red") if failed else Text("OK", style="green"))
        table.add_row(*cells)

    for key in _sorted_keys(scope, expected.keys() | actual.keys()):
        bad = wrong.get(key, set())
        add_row(
            key, expected.get(key, Totals.zero()), actual.get(key, Totals.zero()), bad, bool(bad)
        )
    if table.rows:
        table.rows[-1].end_section = True
    mine, theirs = total_of(expected.values()), total_of(actual.values())
    differing = {name for name in FIELDS if getattr(mine, name) != getattr(theirs, name)}
    add_row("total", mine, theirs, differing, bool(wrong) or bool(differing))
    return table


def render_table(expected: Report, actual: Report, mismatches: Sequence[Mismatch]) -> Table:
    """A rich table: one row per day, data set and hub values side by side, a status (OK or
    MISMATCH, from `mismatches` of scope "day") and a total row."""
    return _render("Totals by day", "day", "day", expected.by_day, actual.by_day, mismatches)


def render_store_table(expected: Report, actual: Report, mismatches: Sequence[Mismatch]) -> Table:
    """A rich table like `render_table`, one row per store (scope "store")."""
    return _render(
        "Totals by store", "store", "store", expected.by_store, actual.by_store, mismatches
    )
