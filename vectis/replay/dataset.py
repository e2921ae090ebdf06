"""Reading the Online Retail CSV into invoices, and the stores they go to (the catalogue and
opening stock derived from them: `vectis.replay.catalogue`)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Literal, TextIO
from zoneinfo import ZoneInfo

from shared.money import line_total as money_line_total
from vectis.replay.errors import DatasetError

CURRENCY = "GBP"
# The replay's one tax rate: UK VAT at the standard rate (20 % from 4 January 2011; 17.5 %
# before, which the replay does not model), included in the file's prices. Gift cards are
# outside VAT when sold (HMRC VAT Notice 700/7: multi-purpose vouchers); every other item is
# standard-rated here.
VAT_CODE = "STD"
VAT_RATE = Decimal(20)
REQUIRED_COLUMNS: tuple[str, ...] = (
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
)
BUNDLED_SLICE = "online_retail_2010-12-01_to_2010-12-14.csv.gz"

BAD_DEBT_REASON = "bad-debt adjustment: an accounting entry, not a sale"
ZERO_QUANTITY_REASON = "zero quantity: nothing was sold or returned"
FREE_GIFT_CARD_REASON = (
    "a gift card at 0.00 loads nothing: not a sale of a card (a till refuses it, "
    "gift_card_load_not_positive)"
)
RETURN_POSITIVE_REASON = "positive quantity on a cancellation (return) invoice"
SALE_MIXED_REASON = "negative quantity on a sale invoice that also has positive quantities"

# Postage, carriage, manual lines, discounts, samples, fees, adjustments: sold, never stocked.
NON_STOCK_CODES = frozenset(
    {"POST", "DOT", "C2", "M", "m", "D", "S", "AMAZONFEE", "BANK CHARGES", "PADS", "B", "CRUK"}
)
NON_STOCK_PREFIXES = ("DCGS",)
GIFT_CARD_PREFIX = "gift_"

_GZIP_MAGIC = b"\x1f\x8b"
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_QUANTITY = re.compile(r"[+-]?[0-9]+")
_PRICE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_STORE = re.compile(r"(?:store-)?([1-9][0-9]*)")

InvoiceKind = Literal["sale", "return"]
ItemKind = Literal["stock", "non_stock", "gift_card"]


@dataclass(frozen=True, slots=True)
class DatasetLine:
    """One row of the file that can be sold: a sale line, or a return line (negative quantity)."""

    row_number: int
    invoice_no: str
    stock_code: str
    description: str | None
    quantity: int
    invoice_time: datetime
    unit_price: Decimal
    customer_id: str | None
    country: str

    @property
    def line_total(self) -> Decimal:
        """quantity x unit price in GBP, rounded to pence HALF_UP (negative for returns)."""
        return money_line_total(self.quantity, self.unit_price, CURRENCY).amount


@dataclass(frozen=True, slots=True)
class DatasetInvoice:
    """One document: a sale, or a return (a cancellation, invoice number starting with "C")."""

    invoice_no: str
    kind: InvoiceKind
    business_time: datetime
    customer_id: str | None
    country: str
    lines: tuple[DatasetLine, ...]

    @property
    def business_day(self) -> date:
        """The local calendar date the invoice was tendered on."""
        return self.business_time.date()


@dataclass(frozen=True, slots=True)
class SkippedLine:
    """A row of the file that is not sold, with the reason, so nothing is dropped silently."""

    row_number: int
    invoice_no: str
    stock_code: str
    reason: str


@dataclass
class Dataset:
    """The invoices of a file (in the order they were tendered) and the rows that were skipped."""

    invoices: list[DatasetInvoice]
    skipped: list[SkippedLine]
    source: str
    first_day: date | None = None
    last_day: date | None = None

    def lines(self) -> Iterable[DatasetLine]:
        """Every sold line of every invoice, invoice by invoice."""
        for invoice in self.invoices:
            yield from invoice.lines


@dataclass(frozen=True, slots=True)
class _Rejected:
    """A skipped row and the local date it belongs to (None when the date did not parse)."""

    skipped: SkippedLine
    day: date | None


@dataclass(frozen=True, slots=True)
class _LocalTime:
    day: date | None
    moment: datetime | None
    problem: str | None


@dataclass
class _RowParser:
    """Turns CSV rows into lines or rejections; caches the parsed times, which repeat a lot."""

    zone: ZoneInfo
    width: int
    index: dict[str, int]
    times: dict[str, _LocalTime] = field(default_factory=dict)

    def parse(self, row: list[str], row_number: int) -> DatasetLine | _Rejected:
        index = self.index
        invoice_no = row[index["InvoiceNo"]] if len(row) > index["InvoiceNo"] else ""
        stock_code = row[index["StockCode"]] if len(row) > index["StockCode"] else ""

        def reject(reason: str, day: date | None = None) -> _Rejected:
            return _Rejected(SkippedLine(row_number, invoice_no, stock_code, reason), day)

        if not row:
            return reject("unparseable row: the row is empty")
        if len(row) < self.width:
            missing = [name for name, position in index.items() if position >= len(row)]
            return reject(f"unparseable row: missing column(s) {', '.join(missing)}")
        if len(row) > self.width:
            return reject(f"unparseable row: {len(row)} fields, the header has {self.width}")
        if not invoice_no:
            return reject("unparseable row: the invoice number is empty")
        if not stock_code:
            return reject("unparseable row: the stock code is empty")

        local = self._time(row[index["InvoiceDate"]])
        if local.day is None:
            return reject(local.problem or "unparseable row: bad invoice date")
        quantity_text = row[index["Quantity"]]
        if _QUANTITY.fullmatch(quantity_text) is None:
            return reject(
                f"unparseable row: quantity {quantity_text!r} is not a whole number", local.day
            )
        price_text = row[index["UnitPrice"]]
        if _PRICE.fullmatch(price_text) is None:
            return reject(
                f"unparseable row: unit price {price_text!r} is not a decimal number", local.day
            )
        if stock_code == "B" or invoice_no.startswith("A"):
            return reject(BAD_DEBT_REASON, local.day)
        unit_price = Decimal(price_text)
        if unit_price < 0:
            return reject(f"negative unit price {price_text}: not a sale of goods", local.day)
        quantity = int(quantity_text)
        if quantity == 0:
            return reject(ZERO_QUANTITY_REASON, local.day)
        if unit_price == 0 and item_kind(stock_code) == "gift_card":
            return reject(FREE_GIFT_CARD_REASON, local.day)
        if local.moment is None:
            return reject(local.problem or "invalid local time", local.day)

        description = row[index["Description"]]
        customer_id = row[index["CustomerID"]]
        return DatasetLine(
            row_number=row_number,
            invoice_no=invoice_no,
            stock_code=stock_code,
            description=description if description.strip() else None,
            quantity=quantity,
            invoice_time=local.moment,
            unit_price=unit_price,
            customer_id=customer_id if customer_id.strip() else None,
            country=row[index["Country"]],
        )

    def _time(self, text: str) -> _LocalTime:
        cached = self.times.get(text)
        if cached is None:
            cached = self.times[text] = self._parse_time(text)
        return cached

    def _parse_time(self, text: str) -> _LocalTime:
        try:
            naive = datetime.strptime(text, _TIME_FORMAT)
        except ValueError:
            return _LocalTime(
                None, None, f"unparseable row: invoice date {text!r} is not YYYY-MM-DD HH:MM:SS"
            )
        aware = naive.replace(tzinfo=self.zone)
        # A wall time inside the spring-forward gap does not survive the round trip through UTC.
        if aware.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) != naive:
            return _LocalTime(
                naive.date(),
                None,
                f"nonexistent local time {text} in {self.zone.key} (the clocks went forward)",
            )
        if aware.utcoffset() != aware.replace(fold=1).utcoffset():
            return _LocalTime(
                naive.date(),
                None,
                f"ambiguous local time {text} in {self.zone.key} (the clocks went back)",
            )
        return _LocalTime(naive.date(), aware, None)


def open_dataset_text(path: str | Path) -> TextIO:
    """Open a CSV file, plain or gzip-compressed (told apart by the magic bytes), as UTF-8 text.

    Line endings are kept as they are (newline=""), as the csv module wants.
    Raises DatasetError when the file is missing or cannot be opened.
    """
    source = str(path)
    try:
        with open(path, "rb") as probe:
            compressed = probe.read(2) == _GZIP_MAGIC
        if compressed:
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
        return open(path, encoding="utf-8", newline="")
    except FileNotFoundError:
        raise DatasetError(source, "file not found") from None
    except OSError as error:
        raise DatasetError(source, f"cannot open the file ({error.strerror or error})") from None


def read_dataset(
    path: str | Path,
    *,
    first_day: date | None = None,
    last_day: date | None = None,
    timezone: str = "Europe/London",
) -> Dataset:
    """Read an Online Retail CSV (plain or gzip) into sale and return invoices.

    `InvoiceDate` is local time in `timezone` (an IANA name). Rows are grouped by invoice number;
    an invoice is kept when its business day (local date of its latest line) lies in
    [first_day, last_day], both inclusive and optional. Invoices come in the order they were
    tendered: by the file position of their last line. Every data row in the window ends up either
    in an invoice or in `skipped` (file order); skipped rows outside the window are left out, and
    rows whose date cannot be read are always reported.

    Within an invoice, a positive quantity on a return, or a negative quantity on a sale that also
    has positive quantities, is skipped line by line; the rest of the invoice is kept.

    Raises DatasetError when the file is missing, is not CSV (not UTF-8, not gzip, broken quoting)
    or lacks a required column in its header; ValueError when first_day > last_day;
    zoneinfo.ZoneInfoNotFoundError for an unknown `timezone`.
    """
    if first_day is not None and last_day is not None and first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}")
    zone = ZoneInfo(timezone)
    source = str(path)
    groups: dict[str, list[DatasetLine]] = {}
    rejected: list[_Rejected] = []
    with open_dataset_text(path) as text:
        try:
            reader = csv.reader(text, strict=True)
            parser = _parser_for(source, next(reader, None), zone)
            for row_number, row in enumerate(reader, start=1):
                outcome = parser.parse(row, row_number)
                if isinstance(outcome, DatasetLine):
                    groups.setdefault(outcome.invoice_no, []).append(outcome)
                else:
                    rejected.append(outcome)
        except (UnicodeDecodeError, csv.Error, gzip.BadGzipFile, EOFError, zlib.error) as error:
            raise DatasetError(source, f"not a readable CSV file ({error})") from error

    invoices: list[DatasetInvoice] = []
    for invoice_no, lines in groups.items():
        kept = _check_signs(invoice_no, lines, rejected)
        if kept:
            invoice = _invoice(invoice_no, kept)
            if _within(invoice.business_day, first_day, last_day):
                invoices.append(invoice)
    invoices.sort(key=lambda invoice: invoice.lines[-1].row_number)
    skipped = sorted(
        (item.skipped for item in rejected if _within(item.day, first_day, last_day)),
        key=lambda line: line.row_number,
    )
    return Dataset(invoices, skipped, source, first_day, last_day)


def _parser_for(source: str, header: list[str] | None, zone: ZoneInfo) -> _RowParser:
    if header is None:
        raise DatasetError(source, "the file is empty: no header row")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise DatasetError(source, f"the header lacks the column(s) {', '.join(missing)}")
    return _RowParser(zone, len(header), {name: header.index(name) for name in REQUIRED_COLUMNS})


def _check_signs(
    invoice_no: str, lines: list[DatasetLine], rejected: list[_Rejected]
) -> list[DatasetLine]:
    """The lines whose sign fits the document; the others are appended to `rejected`."""
    if invoice_no.startswith("C"):
        misfit, reason = [line for line in lines if line.quantity > 0], RETURN_POSITIVE_REASON
    elif any(line.quantity > 0 for line in lines):
        # Stock corrections (negative, price 0) come as invoices of their own; mixed ones are odd.
        misfit, reason = [line for line in lines if line.quantity < 0], SALE_MIXED_REASON
    else:
        return lines
    for line in misfit:
        skipped = SkippedLine(line.row_number, line.invoice_no, line.stock_code, reason)
        rejected.append(_Rejected(skipped, line.invoice_time.date()))
    misfit_rows = {line.row_number for line in misfit}
    return [line for line in lines if line.row_number not in misfit_rows]


def _invoice(invoice_no: str, lines: list[DatasetLine]) -> DatasetInvoice:
    first = lines[0]
    return DatasetInvoice(
        invoice_no=invoice_no,
        kind="return" if invoice_no.startswith("C") else "sale",
        business_time=max(line.invoice_time for line in lines),
        customer_id=first.customer_id,
        country=first.country,
        lines=tuple(lines),
    )


def _within(day: date | None, first_day: date | None, last_day: date | None) -> bool:
    if day is None:
        return True
    return (first_day is None or day >= first_day) and (last_day is None or day <= last_day)


def store_for(invoice: DatasetInvoice, stores: int) -> int:
    """The store number (1..stores) an invoice is replayed at; deterministic across runs.

    Rule: key = the customer id if there is one, else the invoice number without its leading "C";
    store = int.from_bytes(sha256(key.encode()).digest()[:8], "big") % stores + 1.
    So a customer always shops, and returns, at the same store, and a walk-in cancellation goes to
    the store of the invoice it cancels. Raises ValueError when stores < 1.
    """
    if stores < 1:
        raise ValueError(f"stores must be at least 1, got {stores}")
    key = invoice.customer_id or invoice.invoice_no.removeprefix("C")
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") % stores + 1


def store_id(number: int) -> str:
    """The store id of store `number`: 2 -> "store-2"."""
    return f"store-{number}"


def parse_store(text: str) -> int:
    """The store number in "2" or "store-2". Raises ValueError for anything else (or 0)."""
    match = _STORE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a store: {text!r} (expected a number such as 2 or store-2)")
    return int(match.group(1))


def bundled_dataset() -> Path:
    """Path of the slice shipped with the package (2010-12-01..2010-12-14, gzip CSV).

    Raises DatasetError when the package is not installed as plain files.
    """
    try:
        resource = files("vectis").joinpath("data").joinpath(BUNDLED_SLICE)
    except NotADirectoryError:
        # An editable install made before vectis/__init__.py existed maps `vectis` as a namespace
        # package, which importlib.resources cannot read on 3.11; the data sits beside us anyway.
        resource = Path(__file__).resolve().parent.parent / "data" / BUNDLED_SLICE
    if not isinstance(resource, Path) or not resource.is_file():
        raise DatasetError(str(resource), "the bundled slice is not installed as a file")
    return resource


def item_kind(sku: str) -> ItemKind:
    """Classify a stock code: "gift_..." -> gift_card; postage, fees, manual lines -> non_stock."""
    if sku.startswith(GIFT_CARD_PREFIX):
        return "gift_card"
    if sku in NON_STOCK_CODES or sku.startswith(NON_STOCK_PREFIXES):
        return "non_stock"
    return "stock"
