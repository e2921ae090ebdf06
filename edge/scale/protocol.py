"""MT-SICS, the scale protocol the till speaks: pure parsing and formatting, no I/O.

Source: METTLER TOLEDO, "MT-SICS Interface Command Set" reference manual (level 0 and 1
commands), as spoken by Mettler Toledo retail and bench scales and by many compatible
indicators over RS-232 or a raw TCP socket. One command per line, one answer per line, each
ending in CR LF, ASCII only. The commands the till uses and their answers:

    SI   weigh now            S S <value> <unit>   stable        S D <value> <unit>  dynamic
    S    weigh when stable    S S <value> <unit>                 S I  not executable (busy,
                                                                      or no stability in time)
         (both)               S +  overload                      S -  underload
    T    tare (the load now)  T S <value> <unit>   tare taken    T I  not executable
                              T +  above the taring range        T -  below the taring range
    TA   ask the tare         TA A <value> <unit>
    TAC  clear the tare       TAC A                              TAC I  not executable
    any  (error)              ES syntax error, ET transmission error, EL logical error

The weight value is the net weight (gross minus tare), right-aligned in 10 characters; the
unit is as configured on the scale. We accept `kg` and `g`; a value finer than a gram is
refused, since a till's scale weighs in whole grams or coarser (kg to 3 places).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from edge.scale.errors import ScaleError, ScaleNotReady, ScaleOverload, ScaleUnderload

WEIGH_NOW = "SI"
WEIGH_STABLE = "S"
TARE = "T"
TARE_QUERY = "TA"
TARE_CLEAR = "TAC"

MAX_LINE_CHARS = 64
"""Longer answers are refused: an MT-SICS answer is a few dozen characters."""

KG = Decimal("0.001")
_VALUE = re.compile(r"[+-]?\d{1,7}(\.\d{1,6})?")
_GRAMS_PER_KG = Decimal(1000)


@dataclass(frozen=True, slots=True)
class Weight:
    """One weight answer (`S S`/`S D`): the net weight in kg (3 places) and whether it is stable."""

    kg: Decimal
    stable: bool


@dataclass(frozen=True, slots=True)
class ScaleReading:
    """What the till takes from the scale: net and tare in kg (Decimal, 3 places), stability.

    `net_kg` may be negative (a tare heavier than the load); deciding whether a weight can be
    sold is the till's business. Raises TypeError for a non-Decimal, ValueError for a value
    finer than a gram.
    """

    net_kg: Decimal
    tare_kg: Decimal
    stable: bool

    def __post_init__(self) -> None:
        for name in ("net_kg", "tare_kg"):
            value = getattr(self, name)
            if not isinstance(value, Decimal):
                raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
            if not value.is_finite() or value != value.quantize(KG):
                raise ValueError(f"{name} must be kg to 3 places, got {value}")
            object.__setattr__(self, name, value.quantize(KG))


def encode(command: str) -> bytes:
    """The bytes of one command line: `command` + CR LF. Raises ValueError for non-ASCII or
    a line break inside the command."""
    if not command.isascii() or "\r" in command or "\n" in command:
        raise ValueError(f"not one MT-SICS command: {command!r}")
    return command.encode("ascii") + b"\r\n"


def decode(raw: bytes) -> str:
    """One received line as text, without its CR LF and surrounding blanks.

    Raises ScaleError when the line is longer than MAX_LINE_CHARS or not ASCII.
    """
    if len(raw) > MAX_LINE_CHARS + 2:
        raise ScaleError(f"an answer of {len(raw)} bytes is too long")
    try:
        return raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise ScaleError("the answer is not ASCII") from None


def _tokens(line: str) -> list[str]:
    if len(line) > MAX_LINE_CHARS:
        raise ScaleError(f"an answer of {len(line)} characters is too long")
    tokens = line.split()
    if tokens in (["ES"], ["ET"], ["EL"]):
        meaning = {"ES": "syntax error", "ET": "transmission error", "EL": "logical error"}
        raise ScaleError(f"{tokens[0]} ({meaning[tokens[0]]})")
    # Some indicators print the sign apart from the digits: `S S -     0.012 kg`.
    if len(tokens) == 5 and tokens[2] in ("+", "-"):
        tokens = [tokens[0], tokens[1], tokens[2] + tokens[3], tokens[4]]
    return tokens


def _kg(value: str, unit: str) -> Decimal:
    if _VALUE.fullmatch(value) is None:
        raise ScaleError(f"unreadable weight {value!r}")
    if unit == "kg":
        kg = Decimal(value)
    elif unit == "g":
        kg = Decimal(value) / _GRAMS_PER_KG
    else:
        raise ScaleError(f"the scale weighs in {unit!r}; set it to kg or g")
    if kg != kg.quantize(KG):
        raise ScaleError(f"{value} {unit} is finer than a gram")
    return kg.quantize(KG)


def _limits(tokens: list[str], head: str) -> None:
    """Raise for the status-only answers every command shares: I, +, -."""
    if tokens == [head, "I"]:
        raise ScaleNotReady(f"{head} I (not executable now)")
    if tokens == [head, "+"]:
        raise ScaleOverload
    if tokens == [head, "-"]:
        raise ScaleUnderload


def parse_weight(line: str) -> Weight:
    """The answer to `S` or `SI`: `S S` (stable) or `S D` (dynamic) with a value in kg or g.

    Raises ScaleOverload (`S +`), ScaleUnderload (`S -`), ScaleNotReady (`S I`) and
    ScaleError (`ES`/`ET`/`EL`, another unit, a value finer than a gram, anything else).
    """
    tokens = _tokens(line)
    _limits(tokens, "S")
    if len(tokens) == 4 and tokens[0] == "S" and tokens[1] in ("S", "D"):
        return Weight(kg=_kg(tokens[2], tokens[3]), stable=tokens[1] == "S")
    raise ScaleError(f"unexpected answer to a weighing: {line!r}")


def parse_tare(line: str) -> Decimal:
    """The tare in kg from the answer to `T` (`T S <value> <unit>`) or `TA` (`TA A ...`).

    Raises ScaleOverload (`T +`: above the taring range), ScaleUnderload (`T -`),
    ScaleNotReady (`T I`, `TA I`: e.g. no stable weight to tare) and ScaleError otherwise.
    """
    tokens = _tokens(line)
    _limits(tokens, "T")
    _limits(tokens, "TA")
    if len(tokens) == 4 and (tokens[0], tokens[1]) in (("T", "S"), ("TA", "A")):
        return _kg(tokens[2], tokens[3])
    raise ScaleError(f"unexpected answer to a tare: {line!r}")


def parse_tare_cleared(line: str) -> None:
    """The answer to `TAC`: `TAC A`. Raises ScaleNotReady (`TAC I`) and ScaleError otherwise."""
    tokens = _tokens(line)
    _limits(tokens, "TAC")
    if tokens != ["TAC", "A"]:
        raise ScaleError(f"unexpected answer to clearing the tare: {line!r}")


def _value(kg: Decimal) -> str:
    text = f"{kg.quantize(KG):.3f}"
    if len(text) > 10:
        raise ValueError(f"{kg} kg does not fit the 10-character weight field")
    return f"{text:>10} kg"


def format_weight(kg: Decimal, *, stable: bool) -> str:
    """`S S      0.750 kg` (stable) or `S D ...` (dynamic), without CR LF."""
    return f"S {'S' if stable else 'D'} {_value(kg)}"


def format_tare_taken(kg: Decimal) -> str:
    """`T S      0.012 kg`: the answer to `T`."""
    return f"T S {_value(kg)}"


def format_tare_query(kg: Decimal) -> str:
    """`TA A      0.012 kg`: the answer to `TA`."""
    return f"TA A {_value(kg)}"
