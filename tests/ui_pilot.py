"""Steps the till's pilot tests share: wait for the app, type, read what a screen says, sign in
and open the shift, read what the edge recorded. Pure helpers over Textual's `Pilot`; the
processes come from tests/ui_support.py (`ui_store`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from pos_ui.app import TillApp
from pos_ui.screens.sale import SaleScreen
from pos_ui.screens.sign_in import OpenShiftScreen, SignInScreen
from tests.support import TillSession

SIZE = (120, 36)


async def until(pilot: Pilot[Any], done: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Let the app work (its HTTP calls are real) until `done()`; AssertionError after
    `timeout_s` naming the screen and its message, to say where the till stopped."""
    for _ in range(int(timeout_s / 0.05)):
        if done():
            return
        await pilot.pause(0.05)
    screen = pilot.app.screen
    message = said(pilot.app)
    raise AssertionError(f"the till did not get there in time: on {screen!r}, saying {message!r}")


async def type_in(pilot: Pilot[Any], text: str) -> None:
    """Type `text` into the focused field, then Enter."""
    await pilot.press(*text)
    await pilot.press("enter")


def said(app: App[Any], selector: str = "#message") -> str:
    """What the screen on top shows at `selector` ("" when it has no such widget: a screen
    on its way in or out)."""
    found = app.screen.query(selector).results(Static)
    return "".join(str(widget.render()) for widget in found)


def rows(app: App[Any], selector: str = "#lines") -> int:
    return app.screen.query_one(selector, DataTable).row_count


def scan_ready(app: TillApp) -> bool:
    """The sale screen is up and its scan field has the keyboard."""
    return isinstance(app.screen, SaleScreen) and app.focused is app.screen.query_one(
        "#scan", Input
    )


async def sign_in_and_open(
    pilot: Pilot[Any], app: TillApp, code: str = "1001", pin: str = "1234", float_: str = "100"
) -> None:
    """Sign in as `code`/`pin`; open the shift on `float_` if the till has none open."""
    await until(pilot, lambda: isinstance(app.screen, SignInScreen))
    await type_in(pilot, code)
    await type_in(pilot, pin)
    await until(pilot, lambda: isinstance(app.screen, OpenShiftScreen) or scan_ready(app))
    if isinstance(app.screen, OpenShiftScreen):
        await type_in(pilot, float_)
    await until(pilot, lambda: scan_ready(app))


async def edge_get(
    edge_url: str,
    till_id: str,
    path: str,
    params: dict[str, str] | None = None,
    *,
    missing_ok: bool = False,
) -> Any:
    """GET `path` from the edge as the manager (9001), asserting a 200: the JSON body; with
    `missing_ok`, None for a 404 (what is asked for is not there yet)."""
    async with httpx.AsyncClient(base_url=edge_url, trust_env=False, timeout=30) as edge:
        edge.auth = TillSession(till_id, "9001", "9999")
        answer = await edge.get(path, params=params)
        if missing_ok and answer.status_code == 404:
            return None
        assert answer.status_code == 200, answer.text
        return answer.json()
