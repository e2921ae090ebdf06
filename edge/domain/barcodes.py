"""What the till's scan field accepts (SKU, GTIN, GS1 variable-measure code, quantity prefix,
receipt barcode), parsed into a typed result for the caller to look up. Pure: no catalogue.

A scan, after trimming whitespace, is read in this order (docs/counter.md, "Barcodes"):

1. `R:<receipt number>`: a receipt barcode (the returns desk finds the sale) -> `ReceiptScan`.
2. `N*<code>`: a quantity prefix, N a whole number 1..`max_quantity`, then one of 3-5.
3. 8, 12, 13 or 14 ASCII digits: a GTIN. The GS1 check digit is verified (python-stdnum); a
   wrong one is `GtinCheckDigit`, never a SKU, unless the store lists that length in
   `numeric_sku_lengths` (its catalogue has numeric SKUs of that length).
4. A GTIN-13 (or a GTIN-12 read as 13 digits with a leading 0) that a store template's prefix
   matches: a GS1 variable-measure code with a price or a weight inside -> `VariableMeasureScan`.
   Without a matching template it is an ordinary `GtinScan`.
5. Anything else: a SKU as typed (`shared.bounds.Sku`: 1-64 characters, single line).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from stdnum import ean

from edge.errors import Invalid
from shared.bounds import MAX_QUANTITY, is_single_line
from shared.money import Money, minor_units

RECEIPT_PREFIX = "R:"
"""A receipt barcode is this prefix then the receipt number as the till prints it."""

MAX_QUANTITY_PREFIX = 999
"""Default highest `N` of a quantity prefix `N*` (a store may set another, up to 1,000,000)."""

MAX_SKU_LENGTH = 64
_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]*[.,][0-9]*")
_RECEIPT_NUMBER = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_GTIN_LENGTHS = {8: "GTIN-8", 12: "GTIN-12", 13: "GTIN-13", 14: "GTIN-14"}
_GRAM = Decimal("0.001")


# Errors ------------------------------------------------------------------------------------


class ScanError(Invalid):
    """The scan field holds something the till cannot read; `scanned` is the trimmed text, cut
    to its first 80 characters (messages never echo more than a GTIN's digits)."""

    code = "invalid_scan"

    def __init__(self, scanned: str, message: str) -> None:
        super().__init__(message)
        self.scanned = scanned[:80]


class EmptyScan(ScanError):
    """Nothing was scanned or typed (only whitespace)."""

    code = "empty_scan"

    def __init__(self) -> None:
        super().__init__("", "nothing was scanned")


class BadQuantityPrefix(ScanError):
    """`N*` is not a whole number 1..max, or nothing follows the `*`."""

    code = "bad_quantity_prefix"


class GtinCheckDigit(ScanError):
    """8, 12, 13 or 14 digits whose GS1 check digit is wrong: a misread or a mistyped code."""

    code = "bad_check_digit"

    def __init__(self, scanned: str, expected: str) -> None:
        super().__init__(
            scanned,
            f"{scanned} is not a valid {_GTIN_LENGTHS[len(scanned)]}: its check digit is "
            f"{scanned[-1]}, it should be {expected}; scan or type it again",
        )
        self.expected = expected


class BadVariableMeasure(ScanError):
    """A variable-measure code (price or weight inside) that cannot be read as its template says."""

    code = "bad_variable_measure"


class MeasureCheckDigit(BadVariableMeasure):
    """The price or weight verifier digit inside a variable-measure code is wrong."""

    code = "measure_check_digit"


class BadSku(ScanError):
    """Text that is no code and cannot be a SKU (over 64 characters, or a control character)."""

    code = "bad_sku"


class BadReceiptBarcode(ScanError):
    """`R:` followed by something that is no receipt number."""

    code = "bad_receipt_barcode"


class InvalidBarcodeTemplate(Invalid):
    """A store's variable-measure template or scan settings do not hold together."""

    code = "invalid_barcode_template"


# Templates ---------------------------------------------------------------------------------


class MeasureKind(StrEnum):
    """What the value digits of a variable-measure code hold."""

    PRICE = "price"  # in minor units of the store's currency (pence)
    WEIGHT = "weight"  # in grams


def measure_verifier_digit(value: str) -> str:
    """The GS1 price/weight verifier digit of a 4- or 5-digit value ("2875" -> "9").

    Source: GS1 General Specifications section 7.9.3 ("Check digit calculation for
    price/weight fields"; 7.9.2-7.9.4 in editions that split it). Each digit is replaced by
    its weighted product: `2-` (2d, units digit minus tens digit), `3` (units digit of 3d),
    `5+` (5d, units plus tens) or `5-` (5d, units minus tens), all mod 10.
    Four digits: weights 2- 2- 3 5-, the sum times 3, its units digit.
    Five digits: weights 5+ 2- 5- 5+ 2-, the sum subtracted from the next multiple of 10,
    then the digit whose `5-` product is that result ("14685" -> "6").
    python-stdnum has no such function. Raises ValueError for anything but 4 or 5 digits.
    """
    if not _DIGITS.fullmatch(value) or len(value) not in (4, 5):
        raise ValueError(f"a price/weight verifier digit needs 4 or 5 digits, not {value!r}")
    digits = [int(character) for character in value]
    if len(digits) == 4:
        four = (_two_minus, _two_minus, _three, _five_minus)
        total = sum(weight(digit) for weight, digit in zip(four, digits, strict=True))
        return str(total * 3 % 10)
    five = (_five_plus, _two_minus, _five_minus, _five_plus, _two_minus)
    total = sum(weight(digit) for weight, digit in zip(five, digits, strict=True))
    target = -total % 10
    return str(next(digit for digit in range(10) if _five_minus(digit) == target))


def _two_minus(digit: int) -> int:
    product = 2 * digit
    return (product % 10 - product // 10) % 10


def _three(digit: int) -> int:
    return 3 * digit % 10


def _five_plus(digit: int) -> int:
    product = 5 * digit
    return (product % 10 + product // 10) % 10


def _five_minus(digit: int) -> int:
    product = 5 * digit
    return (product % 10 - product // 10) % 10


@dataclass(frozen=True, slots=True)
class VariableMeasureTemplate:
    """How a store's scale labels lay out a GS1 variable-measure (restricted circulation) code.

    Thirteen digits: `prefix`, `item_digits` of item reference, one verifier digit when
    `verifier_digit` (GS1 section 7.9.3, only for 4- or 5-digit values), `value_digits` of
    price (minor units) or weight (grams), and the GTIN-13 check digit. `prefix` starts with
    "2" (GS1 prefixes 20-29) or "02" (a UPC-A number system 2 label read as 13 digits).
    Raises InvalidBarcodeTemplate when the lengths do not add up to 13.
    """

    prefix: str
    item_digits: int
    kind: MeasureKind
    value_digits: int
    verifier_digit: bool = False

    def __post_init__(self) -> None:
        if not _DIGITS.fullmatch(self.prefix) or not self.prefix.startswith(("2", "02")):
            raise InvalidBarcodeTemplate(
                f"template prefix {self.prefix!r} must be digits starting with 2 (20-29) or 02"
            )
        try:  # a store's configuration may say "price" or "weight" as text
            object.__setattr__(self, "kind", MeasureKind(self.kind))
        except ValueError:
            raise InvalidBarcodeTemplate(
                f"template kind {self.kind!r} is not price or weight"
            ) from None
        if self.item_digits < 1 or not 1 <= self.value_digits <= 6:
            raise InvalidBarcodeTemplate(
                "a template needs at least 1 item reference digit and 1 to 6 value digits"
            )
        if self.verifier_digit and self.value_digits not in (4, 5):
            raise InvalidBarcodeTemplate(
                "a price/weight verifier digit exists only for 4- or 5-digit values"
            )
        length = len(self.prefix) + self.item_digits + self.verifier_digit + self.value_digits
        if length + 1 != 13:
            raise InvalidBarcodeTemplate(
                f"template {self.prefix}: prefix {len(self.prefix)} + item {self.item_digits}"
                f" + verifier {int(self.verifier_digit)} + value {self.value_digits}"
                f" + check digit 1 = {length + 1} digits, not 13"
            )

    def encode(self, item_reference: str, value: int) -> str:
        """The 13-digit code a scale would print: `value` in minor units or grams.

        Raises ValueError when the item reference or value does not fit the template.
        """
        if len(item_reference) != self.item_digits or not _DIGITS.fullmatch(item_reference):
            raise ValueError(f"item reference must be {self.item_digits} digits")
        if not 0 <= value < 10**self.value_digits:
            raise ValueError(f"value must fit {self.value_digits} digits")
        value_text = f"{value:0{self.value_digits}d}"
        verifier = measure_verifier_digit(value_text) if self.verifier_digit else ""
        body = self.prefix + item_reference + verifier + value_text
        return body + ean.calc_check_digit(body)


DEFAULT_TEMPLATES: tuple[VariableMeasureTemplate, ...] = (
    # 20 IIIII V PPPP C: price up to 99.99 with a price verifier digit.
    VariableMeasureTemplate("20", 5, MeasureKind.PRICE, 4, verifier_digit=True),
    # 21 IIIII WWWWW C: weight in grams up to 99.999 kg (Odoo's "21.....{NNDDD}").
    VariableMeasureTemplate("21", 5, MeasureKind.WEIGHT, 5),
    # 23 IIIII PPPPP C: price up to 999.99, no verifier (Odoo's "23.....{NNNDD}").
    VariableMeasureTemplate("23", 5, MeasureKind.PRICE, 5),
    # 28 IIII V PPPPP C: price up to 999.99 with a 5-digit price verifier digit.
    VariableMeasureTemplate("28", 4, MeasureKind.PRICE, 5, verifier_digit=True),
)


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """A store's scan rules. `templates` are tried longest prefix first.

    `numeric_sku_lengths`: GTIN lengths (8, 12, 13, 14) at which the store's catalogue has
    numeric SKUs; there an all-digit scan with a wrong check digit is a SKU, not an error.
    Raises InvalidBarcodeTemplate (two templates with one prefix, a quantity bound outside
    1..1,000,000, a length that is no GTIN length) or UnknownCurrency.
    """

    currency: str
    templates: tuple[VariableMeasureTemplate, ...] = DEFAULT_TEMPLATES
    max_quantity: int = MAX_QUANTITY_PREFIX
    numeric_sku_lengths: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        minor_units(self.currency)
        templates = tuple(self.templates)
        prefixes = [template.prefix for template in templates]
        duplicates = sorted({prefix for prefix in prefixes if prefixes.count(prefix) > 1})
        if duplicates:
            raise InvalidBarcodeTemplate(f"two templates share the prefix {duplicates[0]}")
        if not 1 <= self.max_quantity <= MAX_QUANTITY:
            raise InvalidBarcodeTemplate(f"the quantity prefix bound must be 1..{MAX_QUANTITY}")
        if not set(self.numeric_sku_lengths) <= set(_GTIN_LENGTHS):
            raise InvalidBarcodeTemplate("numeric SKU lengths must be among 8, 12, 13, 14")
        ordered = sorted(templates, key=lambda template: -len(template.prefix))
        object.__setattr__(self, "templates", tuple(ordered))
        object.__setattr__(self, "numeric_sku_lengths", frozenset(self.numeric_sku_lengths))


def scan_settings(
    currency: str,
    templates: Iterable[VariableMeasureTemplate] | None = None,
    max_quantity: int = MAX_QUANTITY_PREFIX,
    numeric_sku_lengths: Iterable[int] = (),
) -> ScanSettings:
    """ScanSettings from a store's configuration (a list of templates, or the defaults)."""
    return ScanSettings(
        currency=currency,
        templates=DEFAULT_TEMPLATES if templates is None else tuple(templates),
        max_quantity=max_quantity,
        numeric_sku_lengths=frozenset(numeric_sku_lengths),
    )


# Results -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GtinScan:
    """A GTIN with a valid check digit. Look it up by `gtin14` (the GS1 normal form, zero-padded
    to 14 digits, so a UPC-A and its EAN-13 form meet); `scanned` is the digits as read and
    `format` says which ("GTIN-8", "GTIN-12", "GTIN-13", "GTIN-14")."""

    scanned: str
    format: str
    gtin14: str


@dataclass(frozen=True, slots=True)
class VariableMeasureScan:
    """A GS1 variable-measure code. The catalogue keys the item by `prefix` + `item_reference`
    (`lookup_key`); the label carries `price` (Money of the store's currency) or `weight_kg`
    (Decimal kg, 3 places), whichever `kind` says, the other is None."""

    scanned: str
    prefix: str
    item_reference: str
    kind: MeasureKind
    price: Money | None
    weight_kg: Decimal | None

    @property
    def lookup_key(self) -> str:
        return self.prefix + self.item_reference


@dataclass(frozen=True, slots=True)
class SkuScan:
    """Text to look up as a SKU, trimmed, otherwise as typed."""

    sku: str


ScannedItem = GtinScan | VariableMeasureScan | SkuScan


@dataclass(frozen=True, slots=True)
class Scan:
    """An item to ring up `quantity` times (1 without a prefix)."""

    item: ScannedItem
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class ReceiptScan:
    """A receipt barcode: find the sale with this receipt number (`<till>-<n>` today)."""

    receipt_number: str


# Parsing -----------------------------------------------------------------------------------


def parse_scan(text: str, settings: ScanSettings) -> Scan | ReceiptScan:
    """Read what the scan field holds (see the module docstring for the order of rules).

    Raises EmptyScan, BadQuantityPrefix, GtinCheckDigit, BadVariableMeasure (and its
    MeasureCheckDigit), BadSku, BadReceiptBarcode: all ScanError, each with a stable `code`.
    """
    scanned = text.strip()
    if not scanned:
        raise EmptyScan()
    if scanned[: len(RECEIPT_PREFIX)].upper() == RECEIPT_PREFIX:
        return parse_receipt_barcode(scanned)
    if "*" not in scanned:
        return Scan(item=_parse_item(scanned, settings))
    count, _, code = scanned.partition("*")
    quantity = _quantity(count.strip(), scanned, settings.max_quantity)
    code = code.strip()
    if not code:
        raise BadQuantityPrefix(scanned, f"{count.strip()}* needs a code after it")
    if "*" in code:
        raise BadQuantityPrefix(scanned, "only one quantity prefix: N* then the code")
    if code[: len(RECEIPT_PREFIX)].upper() == RECEIPT_PREFIX:
        raise BadQuantityPrefix(scanned, "a receipt barcode takes no quantity")
    return Scan(item=_parse_item(code, settings), quantity=quantity)


def parse_receipt_barcode(text: str) -> ReceiptScan:
    """`R:<receipt number>` (the prefix in either case) -> ReceiptScan.

    The number is 1-64 of A-Z a-z 0-9 _ . - (a till id, "-", the counter). Raises EmptyScan,
    BadReceiptBarcode.
    """
    scanned = text.strip()
    if not scanned:
        raise EmptyScan()
    if scanned[: len(RECEIPT_PREFIX)].upper() != RECEIPT_PREFIX:
        raise BadReceiptBarcode(scanned, f"a receipt barcode starts with {RECEIPT_PREFIX}")
    number = scanned[len(RECEIPT_PREFIX) :]
    if not _RECEIPT_NUMBER.fullmatch(number):
        raise BadReceiptBarcode(
            scanned, f"no receipt number after {RECEIPT_PREFIX}: 1-64 of A-Z a-z 0-9 _ . -"
        )
    return ReceiptScan(receipt_number=number)


def receipt_barcode(receipt_number: str) -> str:
    """The text to print as the receipt's Code128 barcode: `R:` + the receipt number.

    Raises ValueError for a receipt number `parse_receipt_barcode` would not read back.
    """
    if not _RECEIPT_NUMBER.fullmatch(receipt_number):
        raise ValueError(f"{receipt_number!r} cannot be printed as a receipt barcode")
    return RECEIPT_PREFIX + receipt_number


def _quantity(count: str, scanned: str, highest: int) -> int:
    if not count:
        raise BadQuantityPrefix(scanned, "a quantity prefix is a number before the *: 3*")
    if _DECIMAL.fullmatch(count):
        raise BadQuantityPrefix(
            scanned,
            "a quantity prefix is a whole number; a weighed item takes its weight from the "
            "scale or its label, not from the prefix",
        )
    if not _DIGITS.fullmatch(count):
        raise BadQuantityPrefix(scanned, "the quantity before * is not a number: 3* then the code")
    if len(count) > len(str(highest)) or not 1 <= int(count) <= highest:
        raise BadQuantityPrefix(scanned, f"a quantity prefix is 1 to {highest}")
    return int(count)


def _parse_item(code: str, settings: ScanSettings) -> ScannedItem:
    if _DIGITS.fullmatch(code) and len(code) in _GTIN_LENGTHS:
        if not ean.is_valid(code):
            if len(code) in settings.numeric_sku_lengths:
                return SkuScan(sku=code)
            raise GtinCheckDigit(code, ean.calc_check_digit(code[:-1]))
        if len(code) in (12, 13):
            thirteen = code.zfill(13)
            for template in settings.templates:
                if thirteen.startswith(template.prefix):
                    return _decode(code, thirteen, template, settings.currency)
        return GtinScan(scanned=code, format=_GTIN_LENGTHS[len(code)], gtin14=code.zfill(14))
    if len(code) > MAX_SKU_LENGTH:
        raise BadSku(code, f"a SKU is at most {MAX_SKU_LENGTH} characters")
    if not is_single_line(code):
        raise BadSku(code, "a SKU holds no control characters")
    return SkuScan(sku=code)


def _decode(
    scanned: str, thirteen: str, template: VariableMeasureTemplate, currency: str
) -> VariableMeasureScan:
    start = len(template.prefix)
    item_reference = thirteen[start : start + template.item_digits]
    start += template.item_digits
    verifier = thirteen[start] if template.verifier_digit else ""
    start += template.verifier_digit
    value_text = thirteen[start : start + template.value_digits]
    what = template.kind.value
    if verifier and measure_verifier_digit(value_text) != verifier:
        raise MeasureCheckDigit(
            scanned,
            f"the {what} {value_text} on this label does not match its check digit {verifier}; "
            "scan it again or weigh the item",
        )
    value = int(value_text)
    if value == 0:
        raise BadVariableMeasure(scanned, f"the label shows a {what} of zero")
    if template.kind is MeasureKind.PRICE:
        price = Money.from_minor(value, currency)
        weight = None
    else:
        price = None
        weight = (Decimal(value) * _GRAM).quantize(_GRAM)
    return VariableMeasureScan(
        scanned=scanned,
        prefix=template.prefix,
        item_reference=item_reference,
        kind=template.kind,
        price=price,
        weight_kg=weight,
    )
