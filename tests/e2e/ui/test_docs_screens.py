"""The pictures of the till in docs/screens/, taken from the real screens along one cashier's
shift against a real store (tests/ui_support.py): sign-in, a sale with a weighed item, help,
a discount, a split tender, the receipt, a return, the till offline with a card stored, and
the Z. Each picture is checked to show what it is of. They go to a temporary directory;
`VECTIS_SCREENS_DIR=docs/screens .venv/bin/pytest -p no:cacheprovider
tests/e2e/ui/test_docs_screens.py` refreshes the docs' copies. Keep this file under 300 lines."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.dialogs.discount import DiscountDialog
from pos_ui.dialogs.override import OverrideDialog
from pos_ui.dialogs.tender import TenderDialog
from pos_ui.screens.help import HelpScreen
from pos_ui.screens.returns import ReturnsScreen
from pos_ui.screens.sale import SaleScreen
from pos_ui.screens.shift import CloseShiftScreen, ShiftMenu
from pos_ui.screens.sign_in import OpenShiftScreen, SignInScreen
from pos_ui.widgets.status_bar import StatusBar
from tests.ui_pilot import SIZE, rows, said, scan_ready, type_in, until
from tests.ui_support import APPLES, KETTLE, MILK, TEA, UiStore
from vectis.ops.screenshots import svg_to_png

PICTURES = (
    "till-sign-in",
    "till-sale",
    "till-help",
    "till-discount",
    "till-tender",
    "till-receipt",
    "till-return",
    "till-offline",
    "till-z-report",
)
SMALLEST_PNG_BYTES = 10_000
TALL = 42  # rows: the whole receipt of the sale, unscrolled


class Camera:
    """Saves what the till shows as `out_dir/name.png` (the SVG Textual draws stays in
    `svg_dir`), after checking the screen shows `expected` text."""

    def __init__(self, pilot: Pilot[Any], svg_dir: Path, out_dir: Path) -> None:
        self.pilot = pilot
        self.svg_dir = svg_dir
        self.out_dir = out_dir
        self.taken: list[str] = []

    async def shoot(self, name: str, *expected: str, height: int = SIZE[1]) -> None:
        """`height` rows taller than SIZE for a screen that would scroll (the receipt): the
        picture shows the whole of it."""
        pilot = self.pilot
        if height != SIZE[1]:
            await pilot.resize_terminal(SIZE[0], height)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        svg = Path(pilot.app.save_screenshot(filename=f"{name}.svg", path=str(self.svg_dir)))
        drawn = svg.read_text()
        for text in expected:
            # the SVG spells each space as &#160;
            assert text.replace(" ", "&#160;") in drawn, f"{name}: {text!r} is not on screen"
        if height != SIZE[1]:
            await pilot.resize_terminal(*SIZE)
        await svg_to_png(svg, self.out_dir / f"{name}.png")
        self.taken.append(name)


def bar(app: TillApp) -> str:
    """The status bar of the screen on top, or of the one under a dialog."""
    for screen in reversed(app.screen_stack):
        found = screen.query(StatusBar)
        if found:
            return "".join(str(widget.render()) for widget in found)
    return ""


async def test_the_docs_pictures_of_the_till_come_from_its_screens(
    ui_store: UiStore, tmp_path: Path
) -> None:
    assert TEA.gtin and MILK.gtin and KETTLE.gtin
    out_dir = Path(os.environ.get("VECTIS_SCREENS_DIR") or tmp_path / "screens")
    out_dir.mkdir(parents=True, exist_ok=True)
    svg_dir = tmp_path / "svg"
    svg_dir.mkdir()
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        camera = Camera(pilot, svg_dir, out_dir)

        # sign-in: the code entered, the PIN being typed
        await until(pilot, lambda: isinstance(app.screen, SignInScreen))
        await type_in(pilot, ui_store.cashier.staff_code)
        await pilot.press(*ui_store.cashier.pin[:2])
        await until(pilot, lambda: "online" in bar(app))
        await camera.shoot("till-sign-in", "1001")
        await pilot.press(*ui_store.cashier.pin[2:], "enter")
        await until(pilot, lambda: isinstance(app.screen, OpenShiftScreen))
        await type_in(pilot, "100")
        await until(pilot, lambda: scan_ready(app))
        sale = app.screen
        assert isinstance(sale, SaleScreen)

        # a sale: three milks, apples weighed (0.735 kg), a kettle, tea
        await type_in(pilot, f"3*{MILK.gtin}")
        await until(pilot, lambda: rows(app) == 1)
        await type_in(pilot, APPLES.sku)
        await until(pilot, lambda: rows(app) == 2)
        await type_in(pilot, KETTLE.gtin)
        await until(pilot, lambda: rows(app) == 3)
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: "TOTAL DUE 32.56" in said(app, "#totals"))
        await until(pilot, lambda: "online" in bar(app) and "unsynced 0" in bar(app))
        await camera.shoot("till-sale", "TOTAL DUE 32.56", "0.735 kg", "unsynced 0")

        # F1: every key
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await camera.shoot("till-help", "Till keys", "Ctrl+Q")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is sale)

        # F7: half off the tea, with a reason; the manager approves it
        await pilot.press("f7")
        await until(pilot, lambda: isinstance(app.screen, DiscountDialog))
        await pilot.press("5", "0", "tab", *"dented box")
        await camera.shoot("till-discount", "dented box")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, OverrideDialog))
        await type_in(pilot, ui_store.manager.staff_code)
        await type_in(pilot, ui_store.manager.pin)
        await until(pilot, lambda: app.screen is sale and "TOTAL DUE 31.31" in said(app, "#totals"))

        # F12: 20.00 cash taken, 11.31 to pay
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, TenderDialog))
        await type_in(pilot, "20")
        await until(pilot, lambda: "To pay 11.31" in said(app, "#due"))
        await until(pilot, lambda: "unsynced 0" in bar(app))
        await camera.shoot("till-tender", "To pay 11.31")

        # F2: the rest by card; the receipt where the lines were
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is sale and "receipt" in said(app))
        receipt = said(app).rsplit("receipt ", 1)[1].strip()
        await until(pilot, lambda: "Receipt printed" in said(app, "#receipt_state"))
        await until(pilot, lambda: "unsynced 0" in bar(app))
        await camera.shoot("till-receipt", receipt, "Receipt printed", height=TALL)

        # F6: the kettle comes back, refunded to the card and in cash
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        await type_in(pilot, f"R:{receipt}")
        await until(pilot, lambda: rows(app) == 4)
        await pilot.press("down", "down", "enter", "f12")
        await until(pilot, lambda: "Refunded 24.99" in said(app, "#tenders"))
        await camera.shoot("till-return", "Refunded 24.99", "Card refund 9.03")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is sale)

        # offline: HQ and the card network gone, a card stored to send later
        await ui_store.cut_hub()
        await ui_store.cut_cards()
        await until(pilot, lambda: "OFFLINE" in bar(app))
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: "TOTAL DUE 2.50" in said(app, "#totals"))
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, TenderDialog))
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is sale and "receipt" in said(app))
        await type_in(pilot, MILK.gtin)
        await until(pilot, lambda: "TOTAL DUE 1.15" in said(app, "#totals"))
        await until(pilot, lambda: "1 to send, 24h00m" in bar(app))
        await camera.shoot("till-offline", "OFFLINE", "1 to send, 24h00m")

        # back online; the milk paid in cash (Enter: exact), the drawer counted, the Z
        await ui_store.restore_hub()
        await ui_store.restore_cards()
        await until(pilot, lambda: "to send" not in bar(app), timeout_s=90)
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, TenderDialog))
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is sale and "receipt" in said(app))
        await pilot.press("f10")
        await until(pilot, lambda: isinstance(app.screen, ShiftMenu))
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CloseShiftScreen))
        await type_in(pilot, "105.19")
        await until(pilot, lambda: "Z report 1" in said(app, "#z_head"))
        await camera.shoot("till-z-report", "Z report 1", "Counted 105.19")

    assert camera.taken == list(PICTURES)
    for name in PICTURES:
        png = out_dir / f"{name}.png"
        assert png.stat().st_size > SMALLEST_PNG_BYTES, f"{png} is too small to be a screen"
