"""MT-SICS as the till reads it: every answer form, and the simulator's answers (pure)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edge.scale import protocol
from edge.scale.errors import (
    ScaleError,
    ScaleNotReady,
    ScaleOverload,
    ScaleUnderload,
)
from edge.scale.protocol import ScaleReading, Weight
from edge.scale.simulator import SimulatedScale


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("S S      0.750 kg", Weight(Decimal("0.750"), stable=True)),
        ("S D      0.757 kg", Weight(Decimal("0.757"), stable=False)),
        ("S S     12.5 kg", Weight(Decimal("12.500"), stable=True)),
        ("S S    750 g", Weight(Decimal("0.750"), stable=True)),
        ("S S    750.0 g", Weight(Decimal("0.750"), stable=True)),
        ("S S     -0.012 kg", Weight(Decimal("-0.012"), stable=True)),
        ("S S -     0.012 kg", Weight(Decimal("-0.012"), stable=True)),
        ("S S      0.7500 kg", Weight(Decimal("0.750"), stable=True)),
        ("S S      0.000 kg\r\n", Weight(Decimal("0.000"), stable=True)),
    ],
)
def test_a_weight_answer_reads_as_decimal_kg_to_three_places(line, expected):
    weight = protocol.parse_weight(line)
    assert weight == expected
    assert weight.kg.as_tuple().exponent == -3


@pytest.mark.parametrize(
    ("line", "error", "code"),
    [
        ("S +", ScaleOverload, "scale_overload"),
        ("S -", ScaleUnderload, "scale_underload"),
        ("S I", ScaleNotReady, "scale_not_ready"),
        ("ES", ScaleError, "scale_error"),
        ("ET", ScaleError, "scale_error"),
        ("EL", ScaleError, "scale_error"),
        ("S S      1.650 lb", ScaleError, "scale_error"),
        ("S S      0.7505 kg", ScaleError, "scale_error"),
        ("S S    750.5 g", ScaleError, "scale_error"),
        ("S S      1e3 kg", ScaleError, "scale_error"),
        ("S S      NaN kg", ScaleError, "scale_error"),
        ("S S", ScaleError, "scale_error"),
        ("T S      0.012 kg", ScaleError, "scale_error"),
        ("", ScaleError, "scale_error"),
        ("S S " + " " * 70 + "0.750 kg", ScaleError, "scale_error"),
    ],
)
def test_a_weight_answer_that_is_not_a_usable_weight_is_refused_with_its_code(line, error, code):
    with pytest.raises(error) as raised:
        protocol.parse_weight(line)
    assert raised.value.code == code


def test_an_error_answer_names_what_the_scale_said():
    with pytest.raises(ScaleError, match="EL .logical error"):
        protocol.parse_weight("EL")


@pytest.mark.parametrize(
    ("line", "tare_kg"),
    [("T S      0.012 kg", "0.012"), ("TA A      0.250 kg", "0.250"), ("TA A     12 g", "0.012")],
)
def test_a_tare_answer_reads_as_decimal_kg(line, tare_kg):
    assert protocol.parse_tare(line) == Decimal(tare_kg)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("T +", ScaleOverload),
        ("T -", ScaleUnderload),
        ("T I", ScaleNotReady),
        ("TA I", ScaleNotReady),
        ("ES", ScaleError),
        ("S S      0.012 kg", ScaleError),
        ("T D      0.012 kg", ScaleError),
    ],
)
def test_a_tare_answer_that_is_not_a_tare_is_refused(line, error):
    with pytest.raises(error):
        protocol.parse_tare(line)


def test_clearing_the_tare_is_acknowledged_or_refused():
    protocol.parse_tare_cleared("TAC A")
    with pytest.raises(ScaleNotReady):
        protocol.parse_tare_cleared("TAC I")
    with pytest.raises(ScaleError):
        protocol.parse_tare_cleared("TA A      0.000 kg")


def test_commands_are_ascii_lines_ending_in_cr_lf():
    assert protocol.encode("SI") == b"SI\r\n"
    with pytest.raises(ValueError):
        protocol.encode("SI\r\nT")
    with pytest.raises(ValueError):
        protocol.encode("SÍ")


def test_received_lines_that_are_too_long_or_not_ascii_are_scale_errors():
    assert protocol.decode(b"S S      0.750 kg\r\n") == "S S      0.750 kg"
    with pytest.raises(ScaleError):
        protocol.decode("S S 0,750 kg ±".encode())
    with pytest.raises(ScaleError):
        protocol.decode(b"S" * 100 + b"\r\n")


def test_the_weight_field_is_ten_characters_right_aligned():
    assert protocol.format_weight(Decimal("0.75"), stable=True) == "S S      0.750 kg"
    assert protocol.format_weight(Decimal("-0.012"), stable=False) == "S D     -0.012 kg"
    assert protocol.format_tare_taken(Decimal("0.012")) == "T S      0.012 kg"
    assert protocol.format_tare_query(Decimal("0")) == "TA A      0.000 kg"
    with pytest.raises(ValueError):
        protocol.format_weight(Decimal("12345678.000"), stable=True)


@given(
    kg=st.decimals(min_value=Decimal("-99999.999"), max_value=Decimal("99999.999"), places=3),
    stable=st.booleans(),
)
def test_any_weight_formatted_reads_back_the_same(kg, stable):
    assert protocol.parse_weight(protocol.format_weight(kg, stable=stable)) == Weight(kg, stable)


def test_a_reading_holds_kg_to_three_places_never_a_float():
    reading = ScaleReading(net_kg=Decimal("0.7"), tare_kg=Decimal("0"), stable=True)
    assert str(reading.net_kg) == "0.700"
    assert str(reading.tare_kg) == "0.000"
    with pytest.raises(TypeError):
        ScaleReading(net_kg=0.7, tare_kg=Decimal("0"), stable=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ScaleReading(net_kg=Decimal("0.7005"), tare_kg=Decimal("0"), stable=True)
    with pytest.raises(ValueError):
        ScaleReading(net_kg=Decimal("NaN"), tare_kg=Decimal("0"), stable=True)


# The simulator's answers, without a socket.


def test_the_simulator_answers_the_net_weight_and_its_tare():
    scale = SimulatedScale(gross_kg=Decimal("0.750"), tare_kg=Decimal("0.012"))
    assert scale.answer("SI") == "S S      0.738 kg"
    assert scale.answer("S") == "S S      0.738 kg"
    assert scale.answer("TA") == "TA A      0.012 kg"


def test_the_simulator_is_unstable_for_as_many_weighings_as_asked():
    scale = SimulatedScale(gross_kg=Decimal("1.000"), unstable_for=2)
    assert protocol.parse_weight(scale.answer("SI")).stable is False
    assert scale.answer("S") == "S I"
    assert scale.answer("SI") == "S S      1.000 kg"


def test_the_simulator_tares_the_load_and_clears_it():
    scale = SimulatedScale(gross_kg=Decimal("0.015"))
    assert scale.answer("T") == "T S      0.015 kg"
    assert scale.answer("SI") == "S S      0.000 kg"
    assert scale.answer("TAC") == "TAC A"
    assert scale.answer("TA") == "TA A      0.000 kg"


def test_the_simulator_reports_overload_and_underload():
    scale = SimulatedScale(gross_kg=Decimal("15.001"))
    assert scale.answer("SI") == "S +"
    assert scale.answer("T") == "T +"
    assert scale.answer("SIM W -0.005") == "SIM A"
    assert scale.answer("S") == "S -"
    assert scale.answer("T") == "T -"


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("SIM W 2.5", "SIM A"),
        ("SIM T 0.100", "SIM A"),
        ("SIM U 3", "SIM A"),
        ("SIM C 30", "SIM A"),
        ("SIM W 2.5005", "EL"),
        ("SIM W lots", "EL"),
        ("SIM T -0.100", "EL"),
        ("SIM C 0", "EL"),
        ("SIM U -1", "EL"),
        ("SIM U 1001", "EL"),
        ("SIM X 1", "EL"),
        ("SIM W", "ES"),
        ("Z", "ES"),
        ("", "ES"),
    ],
)
def test_the_simulator_control_commands_check_their_values(command, answer):
    assert SimulatedScale(gross_kg=Decimal("0")).answer(command) == answer
