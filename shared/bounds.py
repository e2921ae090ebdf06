"""Bounded types for every value that enters from outside: API bodies, query and path
parameters, wire messages. Each is a pydantic `Annotated` type whose JSON schema says exactly
what it accepts, so the OpenAPI documents are honest, and whose bounds keep every accepted
value storable, byte for byte, by the edge's SQLite file and by a PostgreSQL hub.

| type            | accepts                                                 | why                                    |
|-----------------|---------------------------------------------------------|----------------------------------------|
| `Price`         | decimal, -10,000,000 to 10,000,000, at most 6 places    | a unit price (a negative one is the    |
|                 |                                                         | domain's to refuse)                    |
| `Amount`        | decimal, -1,000,000,000 to 1,000,000,000, 3 places      | money handed over, limits; KWD has 3   |
| `Percent`       | decimal, 0 to 999.999999, at most 6 places              | tax rates, percent off (domain: 0-100) |
| `LedgerDecimal` | decimal, \\|x\\| < 10^12, at most 6 places              | wire money: NUMERIC(18, 6) holds it,   |
|                 |                                                         | and x 1000 it is far inside int64      |
| `Quantity`      | integer, -1,000,000 to 1,000,000                        | a line's units (negative: given back)  |
| `PositiveQuantity` | integer, 1 to 1,000,000                              | units taken back                       |
| `DecimalQuantity` | integer, or decimal text with at most 3 places,       | a line's quantity: whole units, or kg  |
|                 | -1,000,000 to 1,000,000                                 | of a weighed item (shared.quantity)    |
| `PositiveDecimalQuantity` | the same, more than zero                      | quantities taken back                  |
| `Count`         | integer, 0 to 1,000,000,000                             | counts                                 |
| `Int32`         | integer, 1 to 2^31-1                                    | line_no, versions: PostgreSQL INTEGER  |
| `Int64`         | integer, -(2^63-1) to 2^63-1                            | stock levels, minor-unit totals: BIGINT|
| `Seq`           | integer, 1 to 2^63-1                                    | an event's seq: BIGINT                 |
| `Cursor`        | integer, 0 to 2^63-1                                    | after_id, offset: BIGINT, SQLite's     |
|                 |                                                         | INTEGER                                |
| `Seconds`       | integer, 0 to 3,153,600,000 (100 years)                 | durations a timedelta can take         |
| `Identifier`    | 1-64 of `A-Z a-z 0-9 _ . : -`                           | store, node, location, promotion ids   |
| `TillId`        | 1-32 of `A-Z a-z 0-9 _ . -`                             | the ledger's till_id is VARCHAR(32)    |
| `Code`          | 1-32 of `A-Z a-z 0-9 _ . : -`                           | tax codes, price lists                 |
| `TimeZoneName`  | 1-64 of `A-Z a-z 0-9 _ + / -`                           | IANA zone names                        |
| `FieldName`     | 1-32 of `a-z _`                                         | a shared record's field names          |
| `GTIN`          | 8-14 digits                                             | VARCHAR(14)                            |
| `Sku`           | 1-64 characters, single line                            | VARCHAR(64); real SKUs hold spaces     |
| `Reference`     | 1-64 characters, single line                            | receipt numbers, customer, staff and   |
|                 |                                                         | external references: VARCHAR(64)       |
| `ShortName`     | 1-64 characters, single line                            | API key names: VARCHAR(64)             |
| `ShortText`     | 0-64 characters, single line                            | optional references on the wire        |
| `Stamp`         | 1-96 characters, single line                            | HLC stamps: VARCHAR(96)                |
| `Name`          | 1-200 characters, single line                           | store names                            |
| `Reason`        | 0-200 characters, single line                           | reasons for returns and cash movements |
| `LongText`      | 0-500 characters, single line                           | descriptions, notes, promotion names   |
| `FieldText`     | 0-200 characters, tab, CR and LF allowed                | a shared record's field (an address)   |
| `Resolution`    | 1-2000 characters, tab, CR and LF allowed               | how HQ resolved an integrity alert     |
| `Day`           | a date written YYYY-MM-DD                               | query days: never a number read as a   |
|                 |                                                         | Unix timestamp (0 -> 1970-01-01)       |

A decimal is a decimal string or a whole JSON number. "Single line": no control characters.

Money arrives as a decimal string, or as a whole JSON number (`40`); never as a JSON number
with a fraction or an exponent (`2.55`, `1e3`), which JSON readers turn into floats, and a
float cannot hold 0.1. The schema says so: a string with a pattern, or an integer with a
minimum and a maximum. Decimal strings are plain: digits, an optional leading minus, an optional
point and places; no exponent (`1e-999999999` would need a billion digits to quantize), no
NaN or infinity, no spaces. "No control characters" is C0 (NUL to U+001F), DEL and C1
(U+007F to U+009F), and lone surrogates, which neither PostgreSQL nor UTF-8 can hold.
A business rule (a price must not be negative, a tax rate is 0 to 100) is the domain's and
answered with the domain's error; these types only make sure the value can be held.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
    PlainValidator,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

MAX_PRICE = Decimal(10_000_000)
PRICE_PLACES = 6
MAX_AMOUNT = Decimal(1_000_000_000)
AMOUNT_PLACES = 3  # the most minor-unit places of any currency a store can use (KWD)
MAX_PERCENT = Decimal("999.999999")
LEDGER_DIGITS = 12  # integer digits of NUMERIC(18, 6)
LEDGER_PLACES = 6
MAX_LEDGER = Decimal(10**LEDGER_DIGITS) - Decimal(1).scaleb(-LEDGER_PLACES)
MAX_QUANTITY = 1_000_000
MAX_COUNT = 1_000_000_000
MAX_SECONDS = 100 * 365 * 24 * 3600

# Characters no text may hold: C0 controls, DEL, C1 controls, lone surrogates.
_CONTROL = "\\x00-\\x1f\\x7f-\\x9f\\ud800-\\udfff"
_MULTILINE_CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff"
SINGLE_LINE_PATTERN = f"^[^{_CONTROL}]*$"
MULTILINE_PATTERN = f"^[^{_MULTILINE_CONTROL}]*$"
_SINGLE_LINE = re.compile(SINGLE_LINE_PATTERN)
_MULTILINE = re.compile(MULTILINE_PATTERN)

NOT_A_NUMBER = "money and prices must be decimal strings (or whole numbers), not JSON floats"


class _DecimalBounds:
    """A Decimal read only from a plain decimal string of at most `digits` integer digits and
    `places` places, between -highest (0 unless `signed`) and `highest`; its JSON schema."""

    def __init__(self, *, places: int, highest: Decimal, signed: bool, what: str) -> None:
        sign = "-?" if signed else ""
        fraction = rf"(\.[0-9]{{1,{places}}})?"
        whole = str(int(highest))
        if highest == 10 ** (len(whole) - 1):
            # A power of ten: fewer digits, or exactly it (the pattern is then exact).
            body = rf"[0-9]{{1,{len(whole) - 1}}}{fraction}|{whole}(\.0{{1,{places}}})?"
        else:  # all nines, like 999.999999
            body = rf"[0-9]{{1,{len(whole)}}}{fraction}"
        self.pattern = rf"^{sign}({body})$"
        self._compiled = re.compile(self.pattern)
        self.max_length = len(sign) + len(whole) + 1 + places
        self.places = places
        self.highest = highest
        self.lowest = -highest if signed else Decimal(0)
        self.what = what
        self.words = (
            f"a decimal string from {self.lowest} to {highest} with at most {places} decimal places"
        )
        self._refused = f"{what} must be {self.words}"
        largest = int(highest)
        self.schema: dict[str, Any] = {
            "anyOf": [
                {"type": "string", "pattern": self.pattern, "maxLength": self.max_length},
                {"type": "integer", "minimum": -largest if signed else 0, "maximum": largest},
            ],
            "description": f"{what[0].upper()}{what[1:]}: {self.words} (or a whole JSON number)",
        }

    def parse(self, value: object) -> Decimal:
        """`value` (a decimal string, a whole number, or a Decimal from our own code) as a
        Decimal; raises ValueError for fractional JSON numbers, other text and anything out
        of bounds."""
        if type(value) is str:  # the wire's case, first: every sale carries a dozen
            if len(value) <= self.max_length and self._compiled.fullmatch(value):
                number = Decimal(value)
                if self.lowest <= number <= self.highest:
                    return number
            raise ValueError(self._refused)
        if isinstance(value, bool | float):
            raise ValueError(NOT_A_NUMBER)
        refused = ValueError(self._refused)
        if isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, str):
            if len(value) > self.max_length or not self._compiled.fullmatch(value):
                raise refused
            number = Decimal(value)
        elif isinstance(value, Decimal):
            exponent = value.as_tuple().exponent
            if not isinstance(exponent, int) or not value.is_finite() or exponent < -self.places:
                raise refused
            number = value
        else:
            raise refused
        if not self.lowest <= number <= self.highest:
            raise refused
        return number


def plain(value: Decimal) -> str:
    """`value` as a plain decimal string, never in exponent notation ("100", not "1E+2")."""
    return format(value, "f")


_PLAIN = PlainSerializer(plain, return_type=str, when_used="json")
PRICE = _DecimalBounds(places=PRICE_PLACES, highest=MAX_PRICE, signed=True, what="a price")
AMOUNT = _DecimalBounds(places=AMOUNT_PLACES, highest=MAX_AMOUNT, signed=True, what="an amount")
PERCENT = _DecimalBounds(
    places=PRICE_PLACES, highest=MAX_PERCENT, signed=False, what="a percentage"
)
LEDGER = _DecimalBounds(places=LEDGER_PLACES, highest=MAX_LEDGER, signed=True, what="a number")

Price = Annotated[Decimal, BeforeValidator(PRICE.parse), _PLAIN, WithJsonSchema(PRICE.schema)]
Amount = Annotated[Decimal, BeforeValidator(AMOUNT.parse), _PLAIN, WithJsonSchema(AMOUNT.schema)]
Percent = Annotated[Decimal, BeforeValidator(PERCENT.parse), _PLAIN, WithJsonSchema(PERCENT.schema)]
LedgerDecimal = Annotated[
    Decimal, BeforeValidator(LEDGER.parse), _PLAIN, WithJsonSchema(LEDGER.schema)
]


# Integers in bodies and messages are strict: JSON true, 5.0 or "5" is not an integer (lax
# pydantic would read true as 1). Cursor is a query parameter, read from text.
Quantity = Annotated[int, Strict(), Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY)]
PositiveQuantity = Annotated[int, Strict(), Field(ge=1, le=MAX_QUANTITY)]
Count = Annotated[int, Strict(), Field(ge=0, le=MAX_COUNT)]


QUANTITY_PLACES = 3  # shared.quantity.KG_PLACES: grams of a kilogram
QUANTITY = _DecimalBounds(
    places=QUANTITY_PLACES, highest=Decimal(MAX_QUANTITY), signed=True, what="a quantity"
)


def _decimal_quantity(value: object) -> int | Decimal:
    # A JSON integer stays an int (whole units, as always); text is read exactly as a Decimal.
    if isinstance(value, int) and not isinstance(value, bool):
        if not -MAX_QUANTITY <= value <= MAX_QUANTITY:
            raise ValueError(f"a quantity must be {QUANTITY.words}")
        return value
    return QUANTITY.parse(value)


def _positive_quantity(value: object) -> int | Decimal:
    number = _decimal_quantity(value)
    if not number > 0:
        raise ValueError("a quantity taken back must be more than zero")
    return number


def _quantity_json(value: int | Decimal) -> int | str:
    return value if isinstance(value, int) else plain(value)


_QUANTITY_JSON = PlainSerializer(_quantity_json, when_used="json")
# Whole units as a JSON integer, or a weight in kg as decimal text ("0.735"); the unit of the
# product decides which it may be (shared.quantity.quantity_of).
DecimalQuantity = Annotated[
    int | Decimal,
    PlainValidator(_decimal_quantity),
    _QUANTITY_JSON,
    WithJsonSchema(QUANTITY.schema),
]
PositiveDecimalQuantity = Annotated[
    int | Decimal,
    PlainValidator(_positive_quantity),
    _QUANTITY_JSON,
    WithJsonSchema(
        {
            **QUANTITY.schema,
            "description": "A quantity more than zero: a whole number, or decimal text with "
            "at most 3 places",
        }
    ),
]
Int32 = Annotated[int, Strict(), Field(ge=1, le=INT32_MAX)]
Seq = Annotated[int, Strict(), Field(ge=1, le=INT64_MAX)]
Cursor = Annotated[int, Field(ge=0, le=INT64_MAX)]
Seconds = Annotated[int, Strict(), Field(ge=0, le=MAX_SECONDS)]
Int64 = Annotated[int, Strict(), Field(ge=-INT64_MAX, le=INT64_MAX)]
StockLevel = Int64


class _Pattern:
    """Adds `pattern` to a string's JSON schema without making pydantic's Rust regex (which
    has no surrogates) check it; the check is `_refuse_controls`."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


def is_single_line(text: str) -> bool:
    """True when `text` holds no control character nor a lone surrogate (see the table)."""
    return _SINGLE_LINE.fullmatch(text) is not None


def _refuse_controls(text: str) -> str:
    if not _SINGLE_LINE.fullmatch(text):
        raise ValueError(
            "text must not hold control characters (NUL, U+0001-U+001F, U+007F-U+009F)"
        )
    return text


def _refuse_controls_but_newlines(text: str) -> str:
    if not _MULTILINE.fullmatch(text):
        raise ValueError(
            "text must not hold control characters other than tab and newlines "
            "(NUL, U+0001-U+001F, U+007F-U+009F)"
        )
    return text


_SINGLE = (AfterValidator(_refuse_controls), _Pattern(SINGLE_LINE_PATTERN))
_LINES = (AfterValidator(_refuse_controls_but_newlines), _Pattern(MULTILINE_PATTERN))


def _identifier_constraints(max_length: int, characters: str) -> StringConstraints:
    return StringConstraints(min_length=1, max_length=max_length, pattern=rf"^[{characters}]+$")


Identifier = Annotated[str, _identifier_constraints(64, r"A-Za-z0-9_.:-")]
TillId = Annotated[str, _identifier_constraints(32, r"A-Za-z0-9_.-")]
Code = Annotated[str, _identifier_constraints(32, r"A-Za-z0-9_.:-")]
TimeZoneName = Annotated[str, _identifier_constraints(64, r"A-Za-z0-9_+/-")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
GTIN = Annotated[str, StringConstraints(pattern=r"^[0-9]{8,14}$")]
# A staff member's code, typed at the till's keypad: 3 to 12 digits.
StaffCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{3,12}$")]
# A gift card's number as printed on the card: 8-19 digits (ISO/IEC 7812 lengths).
GiftCardNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{8,19}$")]
# A bank card as the terminal read it: 12-19 digits (simulated acquirer's test cards); a real
# terminal adapter passes its own opaque token here, never a number the till keeps.
CardToken = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_.:-]{12,64}$")]
# A customer's id (store credit accounts): HQ's customer record id.
CustomerId = Annotated[str, _identifier_constraints(64, r"A-Za-z0-9_.:-")]
FieldName = Annotated[str, _identifier_constraints(32, r"a-z_")]

# Single-line text: the name says the length, the bounds table why.
Sku = Annotated[str, StringConstraints(min_length=1, max_length=64), *_SINGLE]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=64), *_SINGLE]
ShortName = Annotated[str, StringConstraints(min_length=1, max_length=64), *_SINGLE]
ShortText = Annotated[str, StringConstraints(max_length=64), *_SINGLE]
Stamp = Annotated[str, StringConstraints(min_length=1, max_length=96), *_SINGLE]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), *_SINGLE]
Reason = Annotated[str, StringConstraints(max_length=200), *_SINGLE]
LongText = Annotated[str, StringConstraints(max_length=500), *_SINGLE]
# Text that may run over lines (an address, a receipt header): tab, CR and LF allowed.
FieldText = Annotated[str, StringConstraints(max_length=200), *_LINES]
Resolution = Annotated[str, StringConstraints(min_length=1, max_length=2000), *_LINES]


_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_day(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and _DAY.match(value)):
        return value
    raise ValueError("a day must be written YYYY-MM-DD (ISO 8601)")


# A calendar day as ISO 8601 text: "2010-12-01", never a number (pydantic would read 0 as
# 1970-01-01, a Unix timestamp).
Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DAY.pattern}),
]
