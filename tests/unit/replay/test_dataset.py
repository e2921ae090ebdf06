"""Reading the Online Retail CSV: invoices, skipped rows, stores, catalogue, stock, slice."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vectis.replay.catalogue import derive_catalogue, derive_opening_stock
from vectis.replay.dataset import (
    BAD_DEBT_REASON,
    REQUIRED_COLUMNS,
    DatasetInvoice,
    bundled_dataset,
    item_kind,
    parse_store,
    read_dataset,
    store_for,
    store_id,
)
from vectis.replay.errors import DatasetError
from vectis.replay.reconcile import expected_report, total_of
from vectis.replay.slice import write_slice

LONDON = ZoneInfo("Europe/London")


def row(
    invoice: str = "536365",
    code: str = "85123A",
    description: str = "WHITE HANGING HEART T-LIGHT HOLDER",
    quantity: str = "6",
    time: str = "2010-12-01 08:26:00",
    price: str = "2.55",
    customer: str = "17850",
    country: str = "United Kingdom",
) -> list[str]:
    return [invoice, code, description, quantity, time, price, customer, country]


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REQUIRED_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(
    directory: Path, rows: list[list[str]], *, compressed: bool = False, name: str = "data.csv"
) -> Path:
    path = directory / name
    text = csv_text(rows)
    if compressed:
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_given_a_cancellation_when_read_then_it_is_a_return_tendered_at_its_last_line(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path,
        [
            row(
                invoice="C536379",
                code="D",
                quantity="-1",
                price="27.50",
                time="2010-12-01 09:41:00",
            ),
            row(invoice="C536379", code="22423", quantity="-2", time="2010-12-01 09:42:00"),
        ],
    )

    dataset = read_dataset(path)

    [invoice] = dataset.invoices
    assert invoice.kind == "return"
    assert [line.quantity for line in invoice.lines] == [-1, -2]
    assert invoice.business_time == datetime(2010, 12, 1, 9, 42, tzinfo=LONDON)
    assert invoice.business_day == date(2010, 12, 1)
    assert dataset.skipped == []


def test_given_negative_quantity_at_price_zero_on_a_sale_invoice_when_read_then_it_is_a_sale_line(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path, [row(invoice="536589", code="21777", quantity="-10", price="0", customer="")]
    )

    dataset = read_dataset(path)

    [invoice] = dataset.invoices
    assert invoice.kind == "sale"
    assert invoice.customer_id is None
    assert invoice.lines[0].quantity == -10
    assert invoice.lines[0].line_total == Decimal("0.00")


@pytest.mark.parametrize(
    ("invoice", "code", "price"),
    [
        ("A563185", "B", "11062.06"),
        ("A563186", "B", "-11062.06"),
        ("536999", "B", "5.00"),
        ("A563187", "22423", "1.00"),
    ],
)
def test_given_a_bad_debt_adjustment_when_read_then_it_is_skipped_with_the_reason(
    tmp_path: Path, invoice: str, code: str, price: str
) -> None:
    path = write_csv(tmp_path, [row(), row(invoice=invoice, code=code, quantity="1", price=price)])

    dataset = read_dataset(path)

    assert len(dataset.invoices) == 1
    [skipped] = dataset.skipped
    assert (skipped.row_number, skipped.invoice_no, skipped.stock_code) == (2, invoice, code)
    assert skipped.reason == BAD_DEBT_REASON


def test_given_a_gift_card_at_zero_when_read_then_it_is_skipped_as_loading_nothing(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path, [row(), row(invoice="556955", code="gift_0001_20", price="0.0")])

    dataset = read_dataset(path)

    assert [invoice.invoice_no for invoice in dataset.invoices] == ["536365"]
    [skipped] = dataset.skipped
    assert (skipped.invoice_no, skipped.stock_code) == ("556955", "gift_0001_20")
    assert "gift card at 0.00 loads nothing" in skipped.reason


def test_given_a_negative_price_on_a_sale_when_read_then_it_is_skipped(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(price="-1.50")])

    dataset = read_dataset(path)

    assert dataset.invoices == []
    assert "negative unit price -1.50" in dataset.skipped[0].reason


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (row(quantity="six"), "quantity 'six' is not a whole number"),
        (row(quantity="1.5"), "quantity '1.5' is not a whole number"),
        (row(price="2,55"), "unit price '2,55' is not a decimal number"),
        (row(price="NaN"), "unit price 'NaN' is not a decimal number"),
        (row(time="2010-13-01 08:26:00"), "invoice date '2010-13-01 08:26:00'"),
        (row(time="01/12/2010 08:26"), "invoice date '01/12/2010 08:26'"),
        (row()[:6], "missing column(s) CustomerID, Country"),
        ([*row(), "extra"], "9 fields, the header has 8"),
        (row(invoice=""), "the invoice number is empty"),
        (row(code=""), "the stock code is empty"),
    ],
)
def test_given_an_unparseable_row_when_read_then_it_is_skipped_saying_what_was_wrong(
    tmp_path: Path, fields: list[str], expected: str
) -> None:
    path = write_csv(tmp_path, [row(invoice="536366"), fields])

    dataset = read_dataset(path)

    assert [invoice.invoice_no for invoice in dataset.invoices] == ["536366"]
    [skipped] = dataset.skipped
    assert skipped.row_number == 2
    assert skipped.reason.startswith("unparseable row: ")
    assert expected in skipped.reason


def test_given_zero_quantity_when_read_then_it_is_skipped(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(quantity="0")])

    dataset = read_dataset(path)

    assert dataset.invoices == []
    assert dataset.skipped[0].reason.startswith("zero quantity")


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        ("2011-03-27 01:30:00", "nonexistent local time 2011-03-27 01:30:00 in Europe/London"),
        ("2010-10-31 01:30:00", "ambiguous local time 2010-10-31 01:30:00 in Europe/London"),
    ],
)
def test_given_a_local_time_at_a_clock_change_when_read_then_it_is_skipped(
    tmp_path: Path, time: str, expected: str
) -> None:
    path = write_csv(tmp_path, [row(time=time)])

    dataset = read_dataset(path)

    assert dataset.invoices == []
    assert expected in dataset.skipped[0].reason


def test_given_a_positive_quantity_on_a_cancellation_when_read_then_that_line_is_skipped(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path,
        [row(invoice="C1", quantity="-2"), row(invoice="C1", code="22423", quantity="3")],
    )

    dataset = read_dataset(path)

    assert [line.stock_code for line in dataset.invoices[0].lines] == ["85123A"]
    [skipped] = dataset.skipped
    assert (skipped.row_number, skipped.stock_code) == (2, "22423")
    assert "positive quantity on a cancellation" in skipped.reason


def test_given_a_sale_mixing_signs_when_read_then_its_negative_lines_are_skipped(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path, [row(quantity="4"), row(code="22423", quantity="-1")])

    dataset = read_dataset(path)

    assert [line.quantity for line in dataset.invoices[0].lines] == [4]
    assert "negative quantity on a sale invoice" in dataset.skipped[0].reason


ROW_VARIANTS = [
    row(),
    row(invoice="536366", customer=""),
    row(invoice="C536366", quantity="-1"),
    row(invoice="C536366", quantity="5"),
    row(invoice="536367", quantity="-3", price="0"),
    row(invoice="536368", quantity="-3"),
    row(quantity="-2"),
    row(invoice="A1", code="B", price="-1.00"),
    row(quantity="0"),
    row(price="x"),
    row(time="2010-12-02 10:00:00", invoice="536400"),
    row()[:3],
]


@settings(max_examples=50, deadline=None)
@given(picks=st.lists(st.sampled_from(range(len(ROW_VARIANTS))), max_size=30))
def test_given_any_rows_when_read_then_each_is_in_an_invoice_or_skipped_exactly_once(
    tmp_path_factory: pytest.TempPathFactory, picks: list[int]
) -> None:
    path = write_csv(tmp_path_factory.mktemp("any"), [ROW_VARIANTS[pick] for pick in picks])

    dataset = read_dataset(path)

    sold = [line.row_number for invoice in dataset.invoices for line in invoice.lines]
    skipped = [line.row_number for line in dataset.skipped]
    assert sorted(sold + skipped) == list(range(1, len(picks) + 1))


@pytest.mark.parametrize(
    ("compressed", "name"),
    [(False, "data.csv"), (True, "data.csv.gz"), (True, "misnamed.csv"), (False, "misnamed.gz")],
)
def test_given_plain_or_gzip_whatever_the_name_when_read_then_the_content_decides(
    tmp_path: Path, compressed: bool, name: str
) -> None:
    path = write_csv(
        tmp_path,
        [row(), row(description="AIRLINE LOUNGE,METAL SIGN")],
        compressed=compressed,
        name=name,
    )

    dataset = read_dataset(path)

    assert [line.description for line in dataset.invoices[0].lines] == [
        "WHITE HANGING HEART T-LIGHT HOLDER",
        "AIRLINE LOUNGE,METAL SIGN",
    ]
    assert dataset.source == str(path)


@pytest.mark.parametrize(
    ("quantity", "price", "total"),
    [
        ("1", "0.001", "0.00"),
        ("5", "0.001", "0.01"),
        ("3", "2.555", "7.67"),
        ("6", "2.55", "15.30"),
        ("1", "0", "0.00"),
    ],
)
def test_given_a_line_when_totalled_then_it_is_rounded_to_pence_half_up(
    tmp_path: Path, quantity: str, price: str, total: str
) -> None:
    path = write_csv(
        tmp_path,
        [
            row(code="PADS", quantity=quantity, price=price),
            row(invoice="C536365", code="PADS", quantity=f"-{quantity}", price=price),
        ],
    )

    sale, refund = read_dataset(path).invoices

    assert sale.lines[0].line_total == Decimal(total)
    assert refund.lines[0].line_total == -Decimal(total)


def test_given_prices_as_text_when_read_then_they_are_exact_decimals(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(price="2.1"), row(code="PADS", price="0.001")])

    lines = read_dataset(path).invoices[0].lines

    assert [str(line.unit_price) for line in lines] == ["2.1", "0.001"]


def test_given_the_same_item_twice_on_an_invoice_when_read_then_both_lines_are_kept(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path, [row(quantity="6"), row(quantity="6")])

    [invoice] = read_dataset(path).invoices

    assert [line.row_number for line in invoice.lines] == [1, 2]


def test_given_blanks_and_case_when_read_then_blanks_are_none_and_case_is_kept(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path, [row(code="M", description="", customer=""), row(code="m", description=" ")]
    )

    lines = read_dataset(path).invoices[0].lines

    assert [(line.stock_code, line.description, line.customer_id) for line in lines] == [
        ("M", None, None),
        ("m", None, "17850"),
    ]
    assert lines[0].invoice_time.tzinfo == LONDON


def test_given_interleaved_invoices_when_read_then_lines_are_grouped_in_tender_order(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path,
        [
            row(invoice="542806", time="2011-02-01 11:19:00"),
            row(invoice="C542805", quantity="-1", time="2011-02-01 11:19:00"),
            row(invoice="542806", code="22692", time="2011-02-01 11:20:00"),
        ],
    )

    invoices = read_dataset(path).invoices

    assert [invoice.invoice_no for invoice in invoices] == ["C542805", "542806"]
    assert [line.row_number for line in invoices[1].lines] == [1, 3]
    assert invoices[1].business_time == datetime(2011, 2, 1, 11, 20, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("first_day", "last_day", "invoices", "skipped"),
    [
        (None, None, ["1", "2", "3"], [2, 4, 6]),
        (date(2010, 12, 2), date(2010, 12, 2), ["2"], [4, 6]),
        (date(2010, 12, 2), None, ["2", "3"], [4, 6]),
        (None, date(2010, 12, 1), ["1"], [2, 6]),
        (date(2010, 12, 1), date(2010, 12, 3), ["1", "2", "3"], [2, 4, 6]),
    ],
)
def test_given_a_day_window_when_read_then_it_is_inclusive_and_skips_outside_are_not_reported(
    tmp_path: Path,
    first_day: date | None,
    last_day: date | None,
    invoices: list[str],
    skipped: list[int],
) -> None:
    path = write_csv(
        tmp_path,
        [
            row(invoice="1", time="2010-12-01 10:00:00"),
            row(invoice="1", quantity="0", time="2010-12-01 10:00:00"),
            row(invoice="2", time="2010-12-02 10:00:00"),
            row(invoice="2", quantity="0", time="2010-12-02 10:00:00"),
            row(invoice="3", time="2010-12-03 10:00:00"),
            row(invoice="3", time="not a date"),
        ],
    )

    dataset = read_dataset(path, first_day=first_day, last_day=last_day)

    assert [invoice.invoice_no for invoice in dataset.invoices] == invoices
    assert [line.row_number for line in dataset.skipped] == skipped
    assert (dataset.first_day, dataset.last_day) == (first_day, last_day)


def test_given_a_reversed_window_when_read_then_value_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row()])

    with pytest.raises(ValueError, match="after"):
        read_dataset(path, first_day=date(2010, 12, 2), last_day=date(2010, 12, 1))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "file not found"),
        (b"\x00\x9f\xff\xfe binary", "not a readable CSV file"),
        (b"\x1f\x8b not really gzip", "not a readable CSV file"),
        (b"", "no header row"),
        (b"InvoiceNo,StockCode,Quantity\n1,2,3\n", "lacks the column(s) Description, InvoiceDate"),
    ],
)
def test_given_a_file_that_is_not_the_data_set_when_read_then_dataset_error(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(DatasetError) as raised:
        read_dataset(path)

    assert raised.value.path == str(path)
    assert reason in raised.value.reason


def invoice_for(invoice_no: str, customer_id: str | None) -> DatasetInvoice:
    moment = datetime(2010, 12, 1, 9, 0, tzinfo=LONDON)
    return DatasetInvoice(invoice_no, "sale", moment, customer_id, "United Kingdom", ())


@settings(max_examples=200)
@given(
    invoice_no=st.text(min_size=1, max_size=10),
    customer_id=st.none() | st.text(min_size=1, max_size=8),
    stores=st.integers(min_value=1, max_value=50),
)
def test_given_any_invoice_when_assigned_then_the_store_is_in_range_and_stable(
    invoice_no: str, customer_id: str | None, stores: int
) -> None:
    invoice = invoice_for(invoice_no, customer_id)

    store = store_for(invoice, stores)

    assert 1 <= store <= stores
    assert store == store_for(invoice_for(invoice_no, customer_id), stores)


@settings(max_examples=100)
@given(customer_id=st.text(min_size=1, max_size=8), stores=st.integers(min_value=1, max_value=20))
def test_given_a_customer_when_they_buy_and_return_then_both_happen_at_one_store(
    customer_id: str, stores: int
) -> None:
    sale = invoice_for("536365", customer_id)
    refund = invoice_for("C540001", customer_id)

    assert store_for(sale, stores) == store_for(refund, stores)


@pytest.mark.parametrize(
    ("invoice_no", "customer_id", "stores", "expected"),
    [
        ("536365", "17850", 3, 2),
        ("536365", "12836", 10, 10),
        ("536379", None, 5, 3),
        ("C536379", None, 5, 3),
        ("536379", None, 1, 1),
    ],
)
def test_given_known_invoices_when_assigned_then_the_rule_gives_the_pinned_store(
    invoice_no: str, customer_id: str | None, stores: int, expected: int
) -> None:
    assert store_for(invoice_for(invoice_no, customer_id), stores) == expected


def test_given_no_stores_when_assigned_then_value_error() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        store_for(invoice_for("1", None), 0)


@pytest.mark.parametrize(("text", "number"), [("2", 2), ("store-2", 2), ("store-12", 12)])
def test_given_a_store_text_when_parsed_then_its_number(text: str, number: int) -> None:
    assert parse_store(text) == number
    assert store_id(number) == f"store-{number}"


@pytest.mark.parametrize("text", ["", "0", "store-0", "store-", "shop-2", "-1", "store-2x", "02"])
def test_given_a_bad_store_text_when_parsed_then_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not a store"):
        parse_store(text)


@pytest.mark.parametrize(
    ("sku", "kind"),
    [
        ("85123A", "stock"),
        ("gift_0001_20", "gift_card"),
        ("POST", "non_stock"),
        ("M", "non_stock"),
        ("m", "non_stock"),
        ("BANK CHARGES", "non_stock"),
        ("DCGS0070", "non_stock"),
        ("DCGSSBOY", "non_stock"),
        ("CRUK", "non_stock"),
        ("post", "stock"),
    ],
)
def test_given_a_stock_code_when_classified_then_its_kind(sku: str, kind: str) -> None:
    assert item_kind(sku) == kind


def test_given_sales_when_the_catalogue_is_derived_then_modes_and_kinds_are_chosen(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path,
        [
            row(code="22423", description="CAKESTAND", price="12.75"),
            row(code="22423", description="REGENCY CAKESTAND", price="10.95"),
            row(code="22423", description="REGENCY CAKESTAND", price="12.75"),
            row(code="22423", description="", price="10.95"),
            row(code="22423", description="CAKESTAND", price="0"),
            row(invoice="C1", code="22423", description="", quantity="-1", price="99.00"),
            row(code="POST", description="POSTAGE", price="18.00"),
            row(code="gift_0001_20", description="", price="17.02"),
            row(invoice="536367", code="21777", description="", quantity="-10", price="0"),
        ],
    )

    catalogue = derive_catalogue(read_dataset(path))

    assert [
        (item.sku, item.description, item.kind, item.track_inventory, item.unit_price)
        for item in catalogue
    ] == [
        ("21777", None, "stock", True, Decimal("0")),
        ("22423", "CAKESTAND", "stock", True, Decimal("10.95")),
        ("POST", "POSTAGE", "non_stock", False, Decimal("18.00")),
        ("gift_0001_20", None, "gift_card", False, Decimal("17.02")),
    ]


@pytest.mark.parametrize(
    ("quantities", "opening"),
    [(["7"], 10), (["10"], 10), (["6", "5"], 20), (["-4"], 10), (["25", "-4"], 30)],
)
def test_given_sales_when_opening_stock_is_derived_then_it_covers_them_in_tens(
    tmp_path: Path, quantities: list[str], opening: int
) -> None:
    rows = [
        row(invoice=f"53{index}", quantity=quantity) for index, quantity in enumerate(quantities)
    ]
    rows.append(row(code="POST", quantity="1"))
    dataset = read_dataset(write_csv(tmp_path, rows))

    stock = derive_opening_stock(dataset, 3)

    assert stock == {1: {}, 2: {"85123A": opening}, 3: {}}


def test_given_a_slice_when_written_then_rows_are_byte_identical_and_the_file_reproducible(
    tmp_path: Path,
) -> None:
    lines = [
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\r\n",
        "1,22423,CAKESTAND,1,2010-11-30 23:59:00,12.75,,United Kingdom\r\n",
        '2,22423,"RECORD FRAME 7"" SINGLE, ",1,2010-12-01 08:00:00,2.1,17850,United Kingdom\r\n',
        '3,22423,"TWO\nLINES",1,2010-12-02 08:00:00,2.1,17850,United Kingdom\r\n',
        "4,22423,CAKESTAND,1,2010-12-03 08:00:00,12.75,,United Kingdom\r\n",
    ]
    source = tmp_path / "source.csv.gz"
    source.write_bytes(gzip.compress("".join(lines).encode("utf-8")))

    written = write_slice(source, tmp_path / "a.csv.gz", date(2010, 12, 1), date(2010, 12, 2))
    write_slice(source, tmp_path / "b.csv.gz", date(2010, 12, 1), date(2010, 12, 2))

    assert written == 2
    assert gzip.decompress((tmp_path / "a.csv.gz").read_bytes()) == "".join(
        [lines[0], lines[2], lines[3]]
    ).encode("utf-8")
    assert (tmp_path / "a.csv.gz").read_bytes() == (tmp_path / "b.csv.gz").read_bytes()


def test_given_the_bundled_slice_when_read_then_it_holds_twelve_trading_days() -> None:
    dataset = read_dataset(bundled_dataset())

    rows = sum(len(invoice.lines) for invoice in dataset.invoices) + len(dataset.skipped)
    report = expected_report(dataset, stores=3)

    assert rows == 31_102
    assert list(report.by_day) == [
        f"2010-12-{day:02d}" for day in (1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13, 14)
    ]
    assert total_of(report.by_store.values()) == total_of(report.by_day.values())
