"""The bounded types take every value up to their bounds and refuse the first one past them."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from shared import bounds


def accepts(kind: Any, value: object) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (
            bounds.Price,
            ["0", "10000000", "-10000000", "0.000001", "9999999.999999", "2.55"],
            ["10000000.000001", "-10000000.000001", "100000000", "0.0000001", "2.5500000"],
        ),
        (
            bounds.Amount,
            ["0", "1000000000", "-1000000000", "0.001", "10.005"],
            ["1000000000.001", "10000000000", "0.0001", "100000000000000000000"],
        ),
        (
            bounds.Percent,
            ["0", "100", "17.5", "999.999999"],
            ["-1", "1000", "0.0000001"],
        ),
        (
            bounds.LedgerDecimal,
            ["999999999999.999999", "-999999999999.999999", "0.000001"],
            ["1000000000000", "-1000000000000", "0.0000001"],
        ),
    ],
)
def test_decimal_types_take_their_bounds_and_refuse_past_them(
    kind: Any, good: list[str], bad: list[str]
) -> None:
    for value in good:
        assert accepts(kind, value), value
        assert accepts(kind, Decimal(value)), value
    for value in bad:
        assert not accepts(kind, value), value
        assert not accepts(kind, Decimal(value)), value


@pytest.mark.parametrize("kind", [bounds.Price, bounds.Amount, bounds.LedgerDecimal])
@pytest.mark.parametrize(
    "value",
    [
        "1e-999999999",
        "1E+999999999",
        "1e2",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "sNaN",
        " 1",
        "1 ",
        "+1",
        "1.",
        ".5",
        "",
        "1_000",
        "١",  # an Arabic-Indic digit: Decimal would read it
        2.5,
        1e3,
        True,
        None,
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("1E-999999999"),
        Decimal("1E+999999999"),
    ],
)
def test_decimal_types_refuse_exponents_specials_numbers_and_odd_text(
    kind: Any, value: object
) -> None:
    assert not accepts(kind, value)


def test_json_floats_are_refused_with_a_reason_and_whole_numbers_taken_within_bounds() -> None:
    for kind in [bounds.Price, bounds.Amount, bounds.LedgerDecimal]:
        with pytest.raises(ValidationError, match="decimal strings"):
            TypeAdapter(kind).validate_json("2.5")
        with pytest.raises(ValidationError, match="decimal strings"):
            TypeAdapter(kind).validate_json("1e3")
        assert TypeAdapter(kind).validate_json("40") == Decimal(40)
    assert not accepts(bounds.Price, 10_000_001)
    assert not accepts(bounds.Amount, -1_000_000_001)
    assert not accepts(bounds.Percent, -1)
    assert not accepts(bounds.Price, 2**70)


def test_decimals_are_written_plain_never_in_exponent_notation() -> None:
    adapter = TypeAdapter(bounds.LedgerDecimal)
    assert adapter.dump_json(Decimal("1E+2")) == b'"100"'
    assert adapter.dump_json(Decimal("0E-6")) == b'"0.000000"'
    assert adapter.dump_json(Decimal("2.55")) == b'"2.55"'


@pytest.mark.parametrize(
    "kind", [bounds.Price, bounds.Amount, bounds.Percent, bounds.LedgerDecimal]
)
def test_the_json_schema_of_money_says_exactly_what_is_taken(kind: Any) -> None:
    text, whole = TypeAdapter(kind).json_schema()["anyOf"]
    assert text["type"] == "string" and whole["type"] == "integer"
    pattern = re.compile(text["pattern"])
    values = ["0", "1.5", "1e3", "NaN", "-0.1", "1" * 30, "0.1234567", "999", "1000"]
    for top in ["10000000", "1000000000", "999.999999", "999999999999.999999"]:
        values += [top, f"-{top}", f"{top}1", f"{top}.000001", f"{top}.0", "9" + top]
    for value in values:
        by_schema = bool(pattern.fullmatch(value)) and len(value) <= text["maxLength"]
        assert by_schema == accepts(kind, value), value
    for number in [whole["minimum"], whole["maximum"]]:
        assert accepts(kind, number)
    assert not accepts(kind, whole["minimum"] - 1) and not accepts(kind, whole["maximum"] + 1)


@pytest.mark.parametrize(
    ("kind", "lowest", "highest"),
    [
        (bounds.Quantity, -1_000_000, 1_000_000),
        (bounds.PositiveQuantity, 1, 1_000_000),
        (bounds.Count, 0, 1_000_000_000),
        (bounds.Int32, 1, 2**31 - 1),
        (bounds.Seq, 1, 2**63 - 1),
        (bounds.Cursor, 0, 2**63 - 1),
        (bounds.Seconds, 0, 100 * 365 * 24 * 3600),
        (bounds.Int64, -(2**63 - 1), 2**63 - 1),
    ],
)
def test_integer_types_take_their_bounds_and_refuse_past_them(
    kind: Any, lowest: int, highest: int
) -> None:
    assert accepts(kind, lowest) and accepts(kind, highest)
    assert not accepts(kind, lowest - 1) and not accepts(kind, highest + 1)
    assert not accepts(kind, 2**70)
    schema = TypeAdapter(kind).json_schema()
    assert (schema["type"], schema["minimum"], schema["maximum"]) == ("integer", lowest, highest)


@pytest.mark.parametrize(
    ("kind", "shortest", "longest"),
    [
        (bounds.Sku, 1, 64),
        (bounds.Reference, 1, 64),
        (bounds.ShortName, 1, 64),
        (bounds.ShortText, 0, 64),
        (bounds.Stamp, 1, 96),
        (bounds.Name, 1, 200),
        (bounds.Reason, 0, 200),
        (bounds.LongText, 0, 500),
        (bounds.FieldText, 0, 200),
        (bounds.Resolution, 1, 2000),
    ],
)
def test_texts_take_their_length_and_any_printable_character(
    kind: Any, shortest: int, longest: int
) -> None:
    assert accepts(kind, "é" * longest) and accepts(kind, "😀" * longest)
    assert not accepts(kind, "x" * (longest + 1))
    assert accepts(kind, "x" * shortest)
    if shortest:
        assert not accepts(kind, "")
    for control in ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"]:
        assert not accepts(kind, f"a{control}b"), repr(control)
    schema = TypeAdapter(kind).json_schema()
    assert schema["maxLength"] == longest
    assert not re.fullmatch(schema["pattern"], "a\x00b")
    assert re.fullmatch(schema["pattern"], "Café ☕ 1")


def test_only_multiline_texts_take_newlines_and_tabs() -> None:
    for kind in [bounds.FieldText, bounds.Resolution]:
        assert accepts(kind, "1 High St\r\nLondon\tN1")
    for kind in [bounds.Sku, bounds.Reference, bounds.Reason, bounds.LongText, bounds.Name]:
        assert not accepts(kind, "1 High St\nLondon")
        assert not accepts(kind, "a\tb")


def test_a_lone_surrogate_is_refused() -> None:
    assert not accepts(bounds.Reason, "a\ud800b")
    assert not accepts(bounds.FieldText, "\udfff")


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (bounds.Identifier, ["store-1", "a.b:c_d", "x" * 64], ["", "x" * 65, "a b", "a/b", "é"]),
        (bounds.TillId, ["T1", "x" * 32], ["x" * 33, "T:1", ""]),
        (bounds.Code, ["STD", "x" * 32], ["x" * 33, "bad code", ""]),
        (bounds.TimeZoneName, ["Europe/London", "Etc/GMT+1"], ["Europe London", "a\x00"]),
        (bounds.GTIN, ["12345678", "1" * 14], ["1234567", "1" * 15, "1234567a"]),
        (bounds.CurrencyCode, ["GBP"], ["gbp", "GBPX", "GB"]),
        (bounds.FieldName, ["receipt_header"], ["Name", "x" * 33, ""]),
    ],
)
def test_identifiers_take_only_their_characters(kind: Any, good: list[str], bad: list[str]) -> None:
    for value in good:
        assert accepts(kind, value), value
    for value in bad:
        assert not accepts(kind, value), value


def test_the_largest_line_of_the_largest_price_fits_the_ledger_in_minor_units() -> None:
    # A line is refused past MAX_AMOUNT (edge.domain.cart); even unchecked, quantity x price
    # is inside what NUMERIC(18, 6) and 64-bit minor units of a 3-place currency hold.
    assert bounds.MAX_QUANTITY * bounds.MAX_PRICE * 1000 < 2**63 - 1
    assert bounds.MAX_AMOUNT < bounds.MAX_LEDGER
    assert bounds.MAX_LEDGER * 1000 < 2**63 - 1
