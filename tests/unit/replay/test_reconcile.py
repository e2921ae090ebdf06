"""Expected totals from the file, their JSON form, and their comparison with the hub's report."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from vectis.replay.dataset import (
    REQUIRED_COLUMNS,
    Dataset,
    DatasetInvoice,
    DatasetLine,
    InvoiceKind,
    read_dataset,
)
from vectis.replay.errors import ReportFormatError
from vectis.replay.reconcile import (
    Mismatch,
    Report,
    Scope,
    Totals,
    compare,
    expected_report,
    format_money,
    render_store_table,
    render_table,
    total_of,
)

LONDON = ZoneInfo("Europe/London")

ROWS = [
    ["536365", "85123A", "WHITE HANGING HEART", "6", "2010-12-01 08:26:00", "2.55", "17850", "UK"],
    ["536365", "22423", "REGENCY CAKESTAND", "3", "2010-12-01 08:26:00", "2.555", "17850", "UK"],
    ["C536379", "22423", "REGENCY CAKESTAND", "-3", "2010-12-01 09:41:00", "2.555", "17850", "UK"],
    ["536367", "PADS", "PADS TO MATCH", "1", "2010-12-02 10:00:00", "0.001", "", "UK"],
    ["536369", "21777", "", "-10", "2010-12-02 11:00:00", "0", "", "UK"],
    ["A563185", "B", "Adjust bad debt", "1", "2010-12-02 12:00:00", "11062.06", "", "UK"],
]


def totals(
    invoices: int, lines: int, units: int, revenue: str, returns: str, tax: str = "0.00"
) -> Totals:
    return Totals(invoices, lines, units, Decimal(revenue), Decimal(returns), Decimal(tax))


@pytest.fixture
def dataset(tmp_path: Path) -> Dataset:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REQUIRED_COLUMNS)
    writer.writerows(ROWS)
    path = tmp_path / "data.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return read_dataset(path)


@pytest.fixture
def report(dataset: Dataset) -> Report:
    return expected_report(dataset, stores=3)


def test_given_sales_returns_and_a_bad_debt_when_expected_then_totals_per_day_and_store(
    report: Report,
) -> None:
    # VAT included at 20 %: 15.30 -> 2.55; 7.67 -> 1.28, taken back by the return.
    december_1 = totals(2, 3, 6, "15.30", "7.67", "2.55")
    pads = totals(1, 1, 1, "0.00", "0.00")
    correction = totals(1, 1, -10, "0.00", "0.00")

    assert report.by_day == {"2010-12-01": december_1, "2010-12-02": pads + correction}
    assert report.by_store == {"store-2": december_1, "store-3": pads, "store-1": correction}
    assert report.by_store_day == {
        "store-2": {"2010-12-01": december_1},
        "store-3": {"2010-12-02": pads},
        "store-1": {"2010-12-02": correction},
    }


def test_given_a_report_when_serialised_then_keys_are_sorted_and_money_has_two_places(
    report: Report,
) -> None:
    document = report.to_json()

    assert list(document["by_store"]) == ["store-1", "store-2", "store-3"]
    assert document["by_day"]["2010-12-01"] == {
        "invoices": 2,
        "lines": 3,
        "units": 6,
        "revenue": "15.30",
        "returns": "7.67",
        "tax": "2.55",
    }
    assert Report.from_json(document) == report


def test_given_ten_stores_when_serialised_then_they_are_in_number_order() -> None:
    report = Report(
        by_day={},
        by_store={store: Totals.zero() for store in ("store-10", "store-2", "store-1")},
        by_store_day={"store-10": {}, "store-2": {}},
    )

    document = report.to_json()

    assert list(document["by_store"]) == ["store-1", "store-2", "store-10"]
    assert list(document["by_store_day"]) == ["store-2", "store-10"]


@pytest.mark.parametrize(
    ("amount", "text"),
    [("-0", "0.00"), ("-0.00", "0.00"), ("7.665", "7.67"), ("-7.665", "-7.67"), ("1E+2", "100.00")],
)
def test_given_an_amount_when_formatted_then_two_places_and_no_negative_zero(
    amount: str, text: str
) -> None:
    assert format_money(Decimal(amount)) == text


money = st.decimals(
    min_value=-(10**7), max_value=10**7, places=2, allow_nan=False, allow_infinity=False
)
counts = st.integers(min_value=-(10**6), max_value=10**6)
any_totals = st.builds(Totals, counts, counts, counts, money, money)


@given(first=any_totals, second=any_totals, third=any_totals)
def test_given_totals_when_added_then_zero_is_neutral_and_order_does_not_matter(
    first: Totals, second: Totals, third: Totals
) -> None:
    assert first + Totals.zero() == first
    assert first + second == second + first
    assert (first + second) + third == first + (second + third)


@given(value=any_totals)
def test_given_totals_when_round_tripped_through_json_then_unchanged(value: Totals) -> None:
    document = value.to_json()

    assert Totals.from_json(document) == value
    assert all(isinstance(document[name], int) for name in ("invoices", "lines", "units"))


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"invoices": 1, "lines": 1, "units": 1, "revenue": "1.00"},
        {"invoices": "1", "lines": 1, "units": 1, "revenue": "1.00", "returns": "0.00"},
        {"invoices": True, "lines": 1, "units": 1, "revenue": "1.00", "returns": "0.00"},
        {"invoices": 1, "lines": 1, "units": 1, "revenue": 1.5, "returns": "0.00"},
        {"invoices": 1, "lines": 1, "units": 1, "revenue": "lots", "returns": "0.00"},
        {"invoices": 1, "lines": 1, "units": 1, "revenue": "NaN", "returns": "0.00"},
    ],
)
def test_given_malformed_totals_when_parsed_then_report_format_error(document: Any) -> None:
    with pytest.raises(ReportFormatError):
        Totals.from_json(document)


@pytest.mark.parametrize(
    "document",
    [{}, {"by_day": {}, "by_store": {}}, {"by_day": [], "by_store": {}, "by_store_day": {}}],
)
def test_given_a_malformed_report_when_parsed_then_report_format_error(document: Any) -> None:
    with pytest.raises(ReportFormatError):
        Report.from_json(document)


def test_given_equal_reports_when_compared_then_no_mismatch(report: Report) -> None:
    assert compare(report, Report.from_json(report.to_json())) == []


@pytest.mark.parametrize(
    ("field", "changed", "dataset_text", "hub_text"),
    [
        ("invoices", 3, "2", "3"),
        ("lines", 2, "3", "2"),
        ("units", 5, "6", "5"),
        ("revenue", Decimal("15.31"), "15.30", "15.31"),
        ("returns", Decimal("0"), "7.67", "0.00"),
    ],
)
@pytest.mark.parametrize(
    ("scope", "key"),
    [("day", "2010-12-01"), ("store", "store-2"), ("store_day", "store-2/2010-12-01")],
)
def test_given_one_altered_field_when_compared_then_exactly_that_field_mismatches(
    dataset: Dataset,
    report: Report,
    scope: Scope,
    key: str,
    field: str,
    changed: Any,
    dataset_text: str,
    hub_text: str,
) -> None:
    hub = expected_report(dataset, stores=3)
    if scope == "day":
        section = hub.by_day
    elif scope == "store":
        section = hub.by_store
    else:
        section = hub.by_store_day["store-2"]
    inner_key = key.split("/")[-1]
    section[inner_key] = dataclasses.replace(section[inner_key], **{field: changed})

    mismatches = compare(report, hub)

    assert mismatches == [Mismatch(scope, key, field, dataset_text, hub_text)]
    assert mismatches[0].to_json() == {
        "scope": scope,
        "key": key,
        "field": field,
        "dataset": dataset_text,
        "hub": hub_text,
    }


def test_given_a_day_missing_at_the_hub_when_compared_then_it_counts_as_zero(
    report: Report,
) -> None:
    hub = Report.from_json(report.to_json())
    del hub.by_day["2010-12-02"]

    mismatches = compare(report, hub)

    assert [(m.scope, m.key, m.field, m.dataset, m.hub) for m in mismatches] == [
        ("day", "2010-12-02", "invoices", "2", "0"),
        ("day", "2010-12-02", "lines", "2", "0"),
        ("day", "2010-12-02", "units", "-9", "0"),
    ]


def test_given_a_day_only_at_the_hub_when_compared_then_the_data_set_side_is_zero(
    report: Report,
) -> None:
    hub = Report.from_json(report.to_json())
    hub.by_day["2010-12-03"] = totals(1, 1, 1, "2.50", "0.00")

    mismatches = compare(report, hub)

    assert [(m.key, m.field, m.dataset, m.hub) for m in mismatches] == [
        ("2010-12-03", "invoices", "0", "1"),
        ("2010-12-03", "lines", "0", "1"),
        ("2010-12-03", "units", "0", "1"),
        ("2010-12-03", "revenue", "0.00", "2.50"),
    ]


def rendered(table: object) -> list[str]:
    console = Console(record=True, width=300, color_system=None)
    console.print(table)
    return console.export_text().splitlines()


def test_given_a_mismatching_day_when_rendered_then_only_that_row_and_the_total_say_so(
    report: Report,
) -> None:
    hub = Report.from_json(report.to_json())
    hub.by_day["2010-12-02"] = hub.by_day["2010-12-02"] + totals(0, 0, 0, "1.00", "0.00")

    lines = rendered(render_table(report, hub, compare(report, hub)))

    by_label = {line.split("│")[1].strip(): line for line in lines if "│" in line}
    assert "OK" in by_label["2010-12-01"]
    assert "MISMATCH" in by_label["2010-12-02"]
    assert "1.00" in by_label["2010-12-02"]
    assert "MISMATCH" in by_label["total"]
    assert "15.30" in by_label["total"]


def test_given_equal_reports_when_the_store_table_is_rendered_then_every_row_is_ok(
    report: Report,
) -> None:
    lines = rendered(render_store_table(report, report, []))

    cells = [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines if "│" in line]
    rows = [row for row in cells if row[0].startswith("store-") or row[0] == "total"]
    assert [row[0] for row in rows] == ["store-1", "store-2", "store-3", "total"]
    assert [row[-1] for row in rows] == ["OK"] * 4
    assert rows[-1][1:3] == ["4", "4"]


line_spec = st.tuples(
    st.integers(min_value=-50, max_value=50).filter(bool),
    st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False),
)
invoice_spec = st.tuples(
    st.sampled_from(["536365", "C536366", "536367", "C536368"]),
    st.none() | st.sampled_from(["17850", "13047", "12583"]),
    st.integers(min_value=0, max_value=20),
    st.lists(line_spec, min_size=1, max_size=4),
)


def build_dataset(specs: list[tuple[str, str | None, int, list[tuple[int, Decimal]]]]) -> Dataset:
    invoices = []
    start = datetime(2010, 12, 1, 9, 0, tzinfo=LONDON)
    for number, (invoice_no, customer_id, day, line_specs) in enumerate(specs):
        moment = start + timedelta(days=day)
        sign = -1 if invoice_no.startswith("C") else 1
        lines = tuple(
            DatasetLine(
                number,
                invoice_no,
                "85123A",
                None,
                sign * abs(quantity),
                moment,
                price,
                customer_id,
                "UK",
            )
            for quantity, price in line_specs
        )
        kind: InvoiceKind = "return" if sign < 0 else "sale"
        invoices.append(DatasetInvoice(invoice_no, kind, moment, customer_id, "UK", lines))
    return Dataset(invoices, [], "generated")


@settings(max_examples=50, deadline=None)
@given(specs=st.lists(invoice_spec, max_size=12), stores=st.integers(min_value=1, max_value=7))
def test_given_any_invoices_when_expected_then_days_stores_and_store_days_add_up_alike(
    specs: list[tuple[str, str | None, int, list[tuple[int, Decimal]]]], stores: int
) -> None:
    dataset = build_dataset(specs)

    report = expected_report(dataset, stores)

    overall = total_of(report.by_day.values())
    assert total_of(report.by_store.values()) == overall
    assert total_of(t for days in report.by_store_day.values() for t in days.values()) == overall
    assert overall.invoices == len(specs)
    assert overall.returns >= 0
    assert overall.revenue == sum(
        (line.line_total for invoice in dataset.invoices for line in invoice.lines), Decimal(0)
    )
