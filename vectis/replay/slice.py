"""Cut a date range out of the Online Retail CSV with rows byte-for-byte unchanged (the slice)."""

from __future__ import annotations

import argparse
import csv
import gzip
import sys
import zlib
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from vectis.replay.dataset import BUNDLED_SLICE, open_dataset_text
from vectis.replay.errors import DatasetError

BUNDLED_FIRST_DAY = date(2010, 12, 1)
BUNDLED_LAST_DAY = date(2010, 12, 14)


def write_slice(source: str | Path, target: str | Path, first_day: date, last_day: date) -> int:
    """Write the header and every row of `source` dated first_day..last_day (inclusive) to `target`.

    `source` is plain or gzip CSV; `target` is always gzip, with mtime 0 and no file name in its
    header, so the same input gives the same bytes. Rows keep their order and their exact text
    (quoting, line endings); a row's date is the date part of its `InvoiceDate`, and rows whose
    date does not parse are left out. Returns the number of data rows written (header excluded).
    Raises DatasetError when `source` is missing, not CSV, or has no InvoiceDate column;
    ValueError when first_day > last_day.
    """
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}")
    consumed: list[str] = []

    def physical_lines(text: Iterator[str]) -> Iterator[str]:
        # The csv reader pulls lines only as it needs them, so `consumed` holds exactly the text
        # of the record just read, even when a quoted field spans lines.
        for line in text:
            consumed.append(line)
            yield line

    written = 0
    target = Path(target)
    # Written aside and renamed at the end, so a failed run never leaves a half slice behind.
    partial = target.with_name(target.name + ".partial")
    with (
        open_dataset_text(source) as text,
        open(partial, "wb") as handle,
        gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0) as archive,
    ):
        try:
            reader = csv.reader(physical_lines(text), strict=True)
            header = next(reader, None)
            if header is None or "InvoiceDate" not in header:
                raise DatasetError(str(source), "the header lacks the column InvoiceDate")
            position = header.index("InvoiceDate")
            archive.write("".join(consumed).encode("utf-8"))
            consumed.clear()
            for row in reader:
                day = _row_day(row, position)
                if day is not None and first_day <= day <= last_day:
                    archive.write("".join(consumed).encode("utf-8"))
                    written += 1
                consumed.clear()
        except (UnicodeDecodeError, csv.Error, gzip.BadGzipFile, EOFError, zlib.error) as error:
            failure: DatasetError | None = DatasetError(
                str(source), f"not a readable CSV file ({error})"
            )
        except DatasetError as error:
            failure = error
        else:
            failure = None
    if failure is not None:
        partial.unlink()
        raise failure
    partial.replace(target)
    return written


def _row_day(row: list[str], position: int) -> date | None:
    try:
        return date.fromisoformat(row[position][:10])
    except (IndexError, ValueError):
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m vectis.replay.slice SOURCE [TARGET]`: rebuild the shipped slice from the file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path, help="the Online Retail CSV, plain or gzip")
    parser.add_argument(
        "target",
        type=Path,
        nargs="?",
        default=Path(__file__).resolve().parent.parent / "data" / BUNDLED_SLICE,
        help="where to write the gzip slice (default: the package's bundled slice)",
    )
    parser.add_argument("--first-day", type=date.fromisoformat, default=BUNDLED_FIRST_DAY)
    parser.add_argument("--last-day", type=date.fromisoformat, default=BUNDLED_LAST_DAY)
    arguments = parser.parse_args(argv)
    rows = write_slice(arguments.source, arguments.target, arguments.first_day, arguments.last_day)
    sys.stderr.write(f"wrote {rows} rows to {arguments.target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
