"""The till's scan field: SKUs, GTINs, variable-measure labels, quantity prefixes, receipts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from edge.domain.barcodes import (
    DEFAULT_TEMPLATES,
    BadQuantityPrefix,
    BadReceiptBarcode,
    BadSku,
    BadVariableMeasure,
    EmptyScan,
    GtinCheckDigit,
    GtinScan,
    InvalidBarcodeTemplate,
    MeasureCheckDigit,
    MeasureKind,
    ReceiptScan,
    Scan,
    ScanError,
    SkuScan,
    VariableMeasureScan,
    VariableMeasureTemplate,
    measure_verifier_digit,
    parse_receipt_barcode,
    parse_scan,
    receipt_barcode,
    scan_settings,
)
from edge.errors import Invalid
from shared.money import Money

GBP = scan_settings("GBP")
NO_TEMPLATES = scan_settings("GBP", templates=[])


def item(text: str, settings=GBP):
    scan = parse_scan(text, settings)
    assert isinstance(scan, Scan)
    return scan.item


def with_check(body: str) -> str:
    return body + ean.calc_check_digit(body)


# GTINs -------------------------------------------------------------------------------------

REAL_GTINS = [
    ("5000112637922", "GTIN-13", "05000112637922"),
    ("4006381333931", "GTIN-13", "04006381333931"),
    ("96385074", "GTIN-8", "00000096385074"),
    ("036000291452", "GTIN-12", "00036000291452"),  # UPC-A
    ("10012345678902", "GTIN-14", "10012345678902"),  # a case of 0012345678905
]


@pytest.mark.parametrize(("code", "kind", "gtin14"), REAL_GTINS)
def test_a_real_gtin_is_found_by_its_gtin14(code, kind, gtin14):
    assert item(code) == GtinScan(scanned=code, format=kind, gtin14=gtin14)


def test_a_upc_a_and_its_ean13_form_are_looked_up_alike():
    assert item("036000291452").gtin14 == item("0036000291452").gtin14


@pytest.mark.parametrize(
    ("code", "right"), [(code, code[-1]) for code, _, _ in REAL_GTINS], ids=lambda v: v
)
@pytest.mark.parametrize("wrong", "0123456789")
def test_every_wrong_check_digit_is_its_own_error(code, right, wrong):
    if wrong == right:
        return
    misread = code[:-1] + wrong
    with pytest.raises(GtinCheckDigit) as raised:
        parse_scan(misread, GBP)
    assert raised.value.code == "bad_check_digit"
    assert raised.value.expected == right
    assert f"should be {right}" in str(raised.value)
    assert isinstance(raised.value, Invalid)


def test_a_13_digit_scan_with_a_bad_check_digit_is_a_sku_only_where_the_store_says_so():
    numeric = scan_settings("GBP", numeric_sku_lengths=[13])
    assert item("5000112637923", numeric) == SkuScan(sku="5000112637923")
    with pytest.raises(GtinCheckDigit):
        parse_scan("96385075", numeric)  # 8 digits are still GTIN-8 there
    # A valid GTIN stays a GTIN even there: the caller may try the digits as a SKU next.
    assert isinstance(item("5000112637922", numeric), GtinScan)


@pytest.mark.parametrize("sku", ["71053", "123456", "1234567", "123456789", "12345678901"])
def test_digits_of_no_gtin_length_are_a_sku(sku):
    assert item(sku) == SkuScan(sku=sku)


def test_digits_other_than_ascii_are_no_gtin():
    fullwidth = "５０００１１２６３７９２２"
    assert item(fullwidth) == SkuScan(sku=fullwidth)


# Variable-measure labels (built by hand from GS1 General Specifications 7.9.3) -------------


@pytest.mark.parametrize(("value", "digit"), [("2875", "9"), ("14685", "6"), ("0000", "0")])
def test_the_gs1_examples_of_the_price_verifier_digit(value, digit):
    assert measure_verifier_digit(value) == digit


@pytest.mark.parametrize("value", ["287", "287500", "28a5", ""])
def test_the_verifier_digit_needs_four_or_five_digits(value):
    with pytest.raises(ValueError):
        measure_verifier_digit(value)


def test_a_20_label_with_a_4_digit_price_and_its_verifier_digit():
    # 20 | 12345 | 9 (verifier of 2875) | 2875 | 6 (GTIN check digit, by hand)
    assert item("2012345928756") == VariableMeasureScan(
        scanned="2012345928756",
        prefix="20",
        item_reference="12345",
        kind=MeasureKind.PRICE,
        price=Money.of("28.75", "GBP"),
        weight_kg=None,
    )


def test_a_28_label_with_a_5_digit_price_and_its_verifier_digit():
    # 28 | 1234 | 6 (verifier of 14685) | 14685 | 8 (GTIN check digit, by hand)
    found = item("2812346146858")
    assert isinstance(found, VariableMeasureScan)
    assert (found.lookup_key, found.price) == ("281234", Money.of("146.85", "GBP"))


def test_a_23_label_carries_a_5_digit_price_without_a_verifier():
    found = item(with_check("230012301999"))
    assert isinstance(found, VariableMeasureScan)
    assert (found.item_reference, found.price) == ("00123", Money.of("19.99", "GBP"))


def test_a_21_label_carries_grams_read_as_kg_to_three_places():
    found = item(with_check("210012300755"))
    assert isinstance(found, VariableMeasureScan)
    assert found.kind is MeasureKind.WEIGHT
    assert found.weight_kg == Decimal("0.755")
    assert str(found.weight_kg) == "0.755"
    assert found.price is None


def test_the_price_is_in_the_stores_currency():
    found = item(with_check("230012301500"), scan_settings("JPY"))
    assert isinstance(found, VariableMeasureScan)
    assert found.price == Money.of(1500, "JPY")


@pytest.mark.parametrize(
    "code",
    [
        with_check("20123455" + "2875"),  # 4-digit price, verifier 5 instead of 9
        with_check("2812340" + "14685"),  # 5-digit price, verifier 0 instead of 6
        with_check("20123459" + "2876"),  # one price digit misread
    ],
)
def test_a_wrong_price_verifier_digit_is_refused(code):
    with pytest.raises(MeasureCheckDigit) as raised:
        parse_scan(code, GBP)
    assert raised.value.code == "measure_check_digit"
    assert isinstance(raised.value, BadVariableMeasure)


def test_the_whole_codes_check_digit_is_verified_before_the_template():
    with pytest.raises(GtinCheckDigit):
        parse_scan("2012345928757", GBP)


@pytest.mark.parametrize("body", ["210012300000", "230012300000"])
def test_a_label_of_zero_is_refused(body):
    with pytest.raises(BadVariableMeasure) as raised:
        parse_scan(with_check(body), GBP)
    assert raised.value.code == "bad_variable_measure"
    assert "zero" in str(raised.value)


@pytest.mark.parametrize("text", ["R:" + "x" * 100_000, "x" * 100_000 + "*1", "x" * 100_000])
def test_a_refusal_never_echoes_a_long_scan(text):
    with pytest.raises(ScanError) as raised:
        parse_scan(text, GBP)
    assert len(str(raised.value)) < 120
    assert len(raised.value.scanned) == 80


def test_a_prefix_2_code_without_a_template_is_an_ordinary_gtin():
    code = with_check("250012300755")
    assert item(code) == GtinScan(scanned=code, format="GTIN-13", gtin14="0" + code)
    assert isinstance(item(with_check("210012300755"), NO_TEMPLATES), GtinScan)


def test_a_upc_a_random_weight_label_through_an_02_template():
    # UPC-A number system 2: 2 IIIII V PPPP C, read as 13 digits with a leading 0.
    upc = VariableMeasureTemplate("02", 5, MeasureKind.PRICE, 4, verifier_digit=True)
    settings = scan_settings("USD", templates=[upc])
    code = upc.encode("04711", 349)[1:]
    found = item(code, settings)
    assert isinstance(found, VariableMeasureScan)
    assert (found.item_reference, found.price) == ("04711", Money.of("3.49", "USD"))


def test_the_longest_matching_prefix_wins():
    wide = VariableMeasureTemplate("2", 6, MeasureKind.PRICE, 5)
    narrow = VariableMeasureTemplate("21", 5, MeasureKind.WEIGHT, 5)
    found = item(with_check("210012300755"), scan_settings("GBP", templates=[wide, narrow]))
    assert isinstance(found, VariableMeasureScan)
    assert found.kind is MeasureKind.WEIGHT


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("20", 6, MeasureKind.PRICE, 5), "14 digits, not 13"),
        (("20", 4, MeasureKind.PRICE, 5), "12 digits, not 13"),
        (("20", 6, MeasureKind.PRICE, 3, True), "4- or 5-digit"),
        (("30", 5, MeasureKind.PRICE, 5), "starting with 2"),
        (("2a", 5, MeasureKind.PRICE, 5), "starting with 2"),
        (("20", 0, MeasureKind.PRICE, 10), "value digits"),
        (("20", 5, "volume", 5), "price or weight"),
    ],
)
def test_a_template_whose_lengths_do_not_add_up_is_refused(arguments, message):
    with pytest.raises(InvalidBarcodeTemplate, match=message):
        VariableMeasureTemplate(*arguments)


def test_a_template_read_from_configuration_may_name_its_kind_as_text():
    template = VariableMeasureTemplate("21", 5, "weight", 5)  # type: ignore[arg-type]
    assert template.kind is MeasureKind.WEIGHT


def test_scan_settings_refuse_two_templates_with_one_prefix_and_odd_bounds():
    template = DEFAULT_TEMPLATES[0]
    with pytest.raises(InvalidBarcodeTemplate, match="share the prefix 20"):
        scan_settings("GBP", templates=[template, template])
    with pytest.raises(InvalidBarcodeTemplate):
        scan_settings("GBP", max_quantity=0)
    with pytest.raises(InvalidBarcodeTemplate):
        scan_settings("GBP", numeric_sku_lengths=[6])


def test_the_default_templates_are_documented():
    assert [(t.prefix, t.kind, t.value_digits, t.verifier_digit) for t in DEFAULT_TEMPLATES] == [
        ("20", MeasureKind.PRICE, 4, True),
        ("21", MeasureKind.WEIGHT, 5, False),
        ("23", MeasureKind.PRICE, 5, False),
        ("28", MeasureKind.PRICE, 5, True),
    ]


# Quantity prefixes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quantity", "found"),
    [
        ("3*5000112637922", 3, "05000112637922"),
        ("  3 * 5000112637922  ", 3, "05000112637922"),
        ("999*85123A", 999, "85123A"),
        ("1*85123A", 1, "85123A"),
        ("03*85123A", 3, "85123A"),
    ],
)
def test_a_quantity_prefix_rings_the_item_up_that_many_times(text, quantity, found):
    scan = parse_scan(text, GBP)
    assert isinstance(scan, Scan)
    assert scan.quantity == quantity
    key = scan.item.gtin14 if isinstance(scan.item, GtinScan) else scan.item
    assert key in (found, SkuScan(sku=found))


def test_no_prefix_is_a_quantity_of_one():
    assert parse_scan("85123A", GBP) == Scan(item=SkuScan(sku="85123A"), quantity=1)


def test_a_quantity_prefix_on_a_variable_measure_label_counts_identical_packs():
    scan = parse_scan("2*2012345928756", GBP)
    assert isinstance(scan, Scan) and scan.quantity == 2
    assert isinstance(scan.item, VariableMeasureScan)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0*85123A", "1 to 999"),
        ("1000*85123A", "1 to 999"),
        ("99999999999999999999*85123A", "1 to 999"),
        ("*85123A", "number before the"),
        ("*", "number before the"),
        ("3*", "needs a code after it"),
        ("3*   ", "needs a code after it"),
        ("1.5*85123A", "whole number"),
        ("0,750*85123A", "whole number"),
        ("-1*85123A", "not a number"),
        ("x*85123A", "not a number"),
        ("٣*85123A", "not a number"),
        ("3**85123A", "only one quantity prefix"),
        ("2*3*85123A", "only one quantity prefix"),
        ("3*R:T1-0000001", "receipt"),
    ],
)
def test_a_bad_quantity_prefix_is_refused(text, message):
    with pytest.raises(BadQuantityPrefix, match=message) as raised:
        parse_scan(text, GBP)
    assert raised.value.code == "bad_quantity_prefix"


def test_the_store_sets_the_quantity_bound():
    assert parse_scan("5000*85123A", scan_settings("GBP", max_quantity=5000)) == Scan(
        item=SkuScan(sku="85123A"), quantity=5000
    )
    with pytest.raises(BadQuantityPrefix, match="1 to 10"):
        parse_scan("11*85123A", scan_settings("GBP", max_quantity=10))


def test_a_wrong_check_digit_after_a_prefix_is_still_a_check_digit_error():
    with pytest.raises(GtinCheckDigit):
        parse_scan("3*5000112637923", GBP)


# SKUs, empty scans -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("85123A", "85123A"),
        ("  85123A\t\n", "85123A"),
        ("BANK CHARGES", "BANK CHARGES"),
        ("15056bl", "15056bl"),
        ("x" * 64, "x" * 64),
        ("5000 1126 3792 2", "5000 1126 3792 2"),
    ],
)
def test_anything_else_is_a_sku_as_typed_after_trimming(text, sku):
    assert item(text) == SkuScan(sku=sku)


@pytest.mark.parametrize("text", ["x" * 65, "85\x00123", "85\x1b[2J"])
def test_text_that_cannot_be_a_sku_is_refused(text):
    with pytest.raises(BadSku) as raised:
        parse_scan(text, GBP)
    assert raised.value.code == "bad_sku"


@pytest.mark.parametrize("text", ["", " ", "\t\r\n"])
def test_an_empty_scan_is_refused(text):
    with pytest.raises(EmptyScan) as raised:
        parse_scan(text, GBP)
    assert raised.value.code == "empty_scan"


# Receipt barcodes --------------------------------------------------------------------------


def test_a_receipt_barcode_finds_the_sale():
    assert parse_scan("R:T1-0000042", GBP) == ReceiptScan(receipt_number="T1-0000042")
    assert parse_scan(" r:T1-0000042\n", GBP) == ReceiptScan(receipt_number="T1-0000042")


@pytest.mark.parametrize("text", ["R:", "R:T1 0000042", "R:T1-0000042\x00", "R:" + "9" * 65])
def test_a_receipt_barcode_without_a_receipt_number_is_refused(text):
    with pytest.raises(BadReceiptBarcode) as raised:
        parse_scan(text, GBP)
    assert raised.value.code == "bad_receipt_barcode"


def test_the_returns_desk_reads_only_receipt_barcodes():
    assert parse_receipt_barcode("R:till-2-0000007") == ReceiptScan("till-2-0000007")
    with pytest.raises(BadReceiptBarcode):
        parse_receipt_barcode("5000112637922")
    with pytest.raises(EmptyScan):
        parse_receipt_barcode("  ")


def test_a_receipt_number_that_would_not_read_back_is_not_printed():
    with pytest.raises(ValueError):
        receipt_barcode("T1 0000042")


@given(st.from_regex(r"[A-Za-z0-9_.-]{1,32}-[0-9]{7,12}", fullmatch=True))
def test_every_printed_receipt_barcode_reads_back(receipt_number):
    assert parse_scan(receipt_barcode(receipt_number), GBP) == ReceiptScan(receipt_number)


# Properties --------------------------------------------------------------------------------


@given(
    st.sampled_from([7, 11, 12, 13]).flatmap(
        lambda n: st.text("0123456789", min_size=n, max_size=n)
    )
)
def test_any_gtin_body_with_its_check_digit_parses_back(body):
    code = with_check(body)
    assert item(code, NO_TEMPLATES) == GtinScan(
        scanned=code, format=f"GTIN-{len(code)}", gtin14=code.zfill(14)
    )


@given(
    st.sampled_from([8, 12, 13, 14]).flatmap(
        lambda n: st.tuples(
            st.text("0123456789", min_size=n - 1, max_size=n - 1),
            st.integers(0, n - 1),
            st.integers(1, 9),
        )
    )
)
def test_any_single_digit_misread_of_a_gtin_is_caught(case):
    body, position, shift = case
    code = with_check(body)
    misread = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1 :]
    with pytest.raises(GtinCheckDigit):
        parse_scan(misread, NO_TEMPLATES)


@st.composite
def templates(draw):
    prefix = draw(st.sampled_from(["2", "20", "21", "24", "29", "02", "021", "295"]))
    kind = draw(st.sampled_from(list(MeasureKind)))
    verifier = draw(st.booleans())
    value_digits = draw(st.sampled_from([4, 5] if verifier else [1, 2, 3, 4, 5, 6]))
    item_digits = 12 - len(prefix) - verifier - value_digits
    return VariableMeasureTemplate(prefix, item_digits, kind, value_digits, verifier)


@given(templates(), st.data())
def test_any_value_a_template_encodes_decodes_to_the_same_price_or_weight(template, data):
    item_reference = data.draw(
        st.text("0123456789", min_size=template.item_digits, max_size=template.item_digits)
    )
    value = data.draw(st.integers(1, 10**template.value_digits - 1))
    code = template.encode(item_reference, value)
    scanned = code[1:] if template.prefix.startswith("0") and data.draw(st.booleans()) else code
    found = item(scanned, scan_settings("GBP", templates=[template]))
    assert isinstance(found, VariableMeasureScan)
    assert (found.prefix, found.item_reference, found.kind) == (
        template.prefix,
        item_reference,
        template.kind,
    )
    if template.kind is MeasureKind.PRICE:
        assert found.price == Money.from_minor(value, "GBP") and found.weight_kg is None
    else:
        assert found.weight_kg == Decimal(value) / 1000 and found.price is None
        assert found.weight_kg.as_tuple().exponent == -3


@given(templates().filter(lambda t: t.verifier_digit), st.data())
def test_any_single_digit_misread_of_a_verified_value_is_caught(template, data):
    value = data.draw(st.integers(1, 10**template.value_digits - 1))
    code = template.encode("0" * template.item_digits, value)
    start = 13 - 1 - template.value_digits
    position = data.draw(st.integers(start, 11))
    shift = data.draw(st.integers(1, 9))
    body = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1 : 12]
    with pytest.raises(MeasureCheckDigit):
        parse_scan(with_check(body), scan_settings("GBP", templates=[template]))


@given(st.text(max_size=80))
def test_any_text_either_parses_or_is_refused_with_a_code(text):
    try:
        parse_scan(text, GBP)
    except ScanError as error:
        assert error.code in {
            "empty_scan",
            "bad_quantity_prefix",
            "bad_check_digit",
            "bad_variable_measure",
            "measure_check_digit",
            "bad_sku",
            "bad_receipt_barcode",
        }
