"""Counting the drawer: the total alone, or note by note and coin by coin. The opening float
and the blind count at the close both use it (pos_ui/screens/sign_in.py, shift.py).

    total + Enter               -> Counted(total=..., counts=None)
    Enter on an empty total     -> the first denomination; Enter moves to the next one;
    Enter on the last, or F10   -> Counted(total=None, counts={"20": 3, "0.50": 4})

Denominations are the notes and coins of the store's currency (shared.denominations).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import Input, Label

from shared.denominations import denominations


def label_of(denomination: Decimal, currency: str) -> str:
    """`£20`, `50p` for GBP; `20`, `0.50` for others."""
    if currency != "GBP":
        return f"{denomination}"
    return f"£{denomination}" if denomination >= 1 else f"{int(denomination * 100)}p"


class CashCountForm(Vertical):
    """The total field above a grid of one field per denomination (see the module). Posts
    `CashCountForm.Counted` when the cashier is done, or `CashCountForm.NotMoney` when the
    total typed is not an amount."""

    DEFAULT_CSS = """
    CashCountForm { height: auto; }
    CashCountForm Grid { grid-size: 4; grid-columns: 8 1fr 8 1fr; height: auto; }
    CashCountForm Grid Label { padding: 1 1 0 0; width: 100%; text-align: right; }
    """

    @dataclass
    class Counted(Message):
        """The count: `total` when typed as one amount, else `counts` by denomination
        (text, e.g. "0.50", to a whole number; denominations left empty are absent)."""

        total: Decimal | None
        counts: dict[str, int] | None

    @dataclass
    class NotMoney(Message):
        """The total typed is not an amount of money: `reason`, in words."""

        reason: str

    def __init__(self, currency: str, *, prompt: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.currency = currency
        self.prompt = prompt
        self.values = denominations(currency)

    def compose(self) -> ComposeResult:
        yield Label(f"{self.prompt}. The total alone, then Enter:")
        yield Input(id="total", placeholder="or leave empty and count each", max_length=12,
                    restrict=r"[0-9.]*")  # fmt: skip
        yield Label("Or how many of each note and coin (Enter: next; F10: done):")
        with Grid():
            for index, value in enumerate(self.values):
                yield Label(label_of(value, self.currency))
                yield Input(id=f"d{index}", restrict=r"[0-9]*", max_length=6)

    def focus_total(self) -> None:
        self.query_one("#total", Input).focus()

    @on(Input.Submitted, "#total")
    def total_entered(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value:
            self.done()
        else:
            self.query_one("#d0", Input).focus()

    @on(Input.Submitted, "Grid Input")
    def count_entered(self, event: Input.Submitted) -> None:
        event.stop()
        index = int((event.input.id or "d0")[1:])
        if index + 1 < len(self.values):
            self.query_one(f"#d{index + 1}", Input).focus()
        else:
            self.done()

    def counts(self) -> dict[str, int]:
        """The denominations typed so far (text key, e.g. "0.50"): empty when none."""
        return {
            str(value): int(field.value)
            for index, value in enumerate(self.values)
            if (field := self.query_one(f"#d{index}", Input)).value
        }

    def total(self) -> Decimal | None:
        """The total typed, or None (none typed). Raises ValueError when it is not money."""
        text = self.query_one("#total", Input).value
        if not text:
            return None
        try:
            total = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{text} is not an amount, like 123.45") from None
        if total != total.quantize(Decimal("0.01")):
            raise ValueError(f"{text} is finer than a penny")
        return total

    def done(self) -> None:
        """Post what was counted: the denominations if any were typed, else the total (0.00
        when nothing at all was); NotMoney for a total that is not an amount."""
        counts = self.counts()
        if counts:
            self.post_message(self.Counted(None, counts))
            return
        try:
            total = self.total()
        except ValueError as error:
            self.post_message(self.NotMoney(str(error)))
            return
        self.post_message(self.Counted(total if total is not None else Decimal("0.00"), None))
