"""The cashier's terminal: one Textual app per lane, talking to its store's edge node only
through `pos_ui.client.TillClient` (never SQL, never HQ).

    sign in -> (no open shift: the opening float) -> the sale screen
    Ctrl+L locks the till: the session ends, the sale stays on screen for the next sign-in.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from pos_ui.client import TillClient
from pos_ui.screens.sale import DOUBLE_SCAN_S, SaleScreen
from pos_ui.screens.sign_in import OpenShiftScreen, SignInScreen


class TillApp(App[None]):
    """A till lane on `client`'s edge node and till."""

    TITLE = "Vectis till"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+l", "lock", "Lock"),
    ]

    def __init__(self, client: TillClient, *, double_scan_s: float = DOUBLE_SCAN_S) -> None:
        """`double_scan_s`: the same code scanned again within this many seconds asks before
        it is added (0: never asks)."""
        super().__init__()
        self.client = client
        self.double_scan_s = double_scan_s

    def on_mount(self) -> None:
        self.push_screen(SignInScreen(self.client), callback=self._signed_in)

    async def _signed_in(self, _: None = None) -> None:
        if any(isinstance(screen, SaleScreen) for screen in self.screen_stack):
            return  # unlocked: back to the sale as it was
        if await self.client.current_shift() is None:
            currency = await self.client.currency()
            self.push_screen(OpenShiftScreen(self.client, currency), callback=self._shift_open)
        else:
            self._shift_open()

    def _shift_open(self, _: None = None) -> None:
        self.push_screen(SaleScreen(self.client, double_scan_s=self.double_scan_s))

    async def action_lock(self) -> None:
        if self.client.session is None:
            return
        try:
            await self.client.sign_out()
        except Exception:  # noqa: BLE001 - signed out here whatever the edge says
            pass
        self.push_screen(SignInScreen(self.client), callback=self._signed_in)

    async def on_unmount(self) -> None:
        await self.client.aclose()
