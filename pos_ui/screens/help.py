"""F1: every key of the till on one screen (docs/cashier-guide.md says the same)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, str], ...] = (
    ("Enter", "scan field: add the code typed or scanned; empty: pay"),
    ("N*code", "quantity prefix: 3*5012345678900 rings up three"),
    ("per-kg item", "on the scale, then its code: weighed (not steady: Enter again)"),
    ("Up / Down", "highlight another line (for F2, F7, F8)"),
    ("F12", "pay (the tender dialog)"),
    ("in the tender dialog", "an amount + Enter pays that much cash; Enter alone: exact cash"),
    ("F2-F8 (tender)", "card, gift card, store credit, quick cash"),
    ("F2", "quantity of the highlighted line (kg items: a weight, up to 3 places)"),
    ("F3", "item look-up by SKU, name or GTIN: price and stock; Enter adds it"),
    ("F4", "customer: find by name, phone, email or id; attach (before the first item)"),
    ("F5", "park the sale; on an empty sale, recall a parked one"),
    ("F6", "returns: the receipt, pick lines (Space/+/-), F12 refund; F2 no receipt"),
    ("F7", "discount (line or sale, % or amount) or price override, with a reason"),
    ("F8", "void the highlighted line (the last one scanned)"),
    ("F9", "void the sale (asks for a reason)"),
    ("Escape", "back out of any dialog, changing nothing; clear the scan field"),
    ("F10", "shift: X report, close (count, Z), no-sale, paid in, paid out"),
    ("F11", "the last receipt again (the original if it did not print, else a copy)"),
    ("F1", "this help"),
    ("Ctrl+L", "lock: sign out, the sale stays"),
    ("Ctrl+Q", "quit the till"),
)


class HelpScreen(ModalScreen[None]):
    """The keys, one per line; Escape or F1 closes it."""

    BINDINGS = [Binding("escape,f1", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 104; height: auto; border: thick $accent; padding: 1 2;
                            background: $surface; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]Till keys[/b]\n")
            for key, what in KEYS:
                yield Static(f"[b]{key:<22}[/b] {what}")
