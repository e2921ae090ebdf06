"""The store dashboard in a real browser: headless Chromium (Playwright) against a real edge
process serving a replayed business day of real sales, with its hub, also real. Every view
shows the figures the edge's own API gives, passes axe's accessibility check, and keeps
working (and says it is offline) with the hub stopped; sign-in, CSRF and role checks refuse
what they should; an unlocked cashier can sign in at a till again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page

from tests.browser_support import (
    SCREENS_DIR,
    ReplayedStore,
    chromium,
    replayed_store,
    serious_violations,
    value,
)
from vectis.replay.hq import DEMO_STAFF, HqClient, StaffMember

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
    await page.screenshot(path=screens / "dashboard-sign-in.png")  # a picture of docs/
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


async def api_get(store: ReplayedStore, path: str, token: str | None = None) -> Any:
    """The edge's own API's answer (a till session when `token`)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=store.edge_url, headers=headers, timeout=60) as api:
        response = await api.get(path)
    assert response.status_code == 200, response.text
    return response.json()


async def till_token(store: ReplayedStore, till_id: str, member: Any = MANAGER) -> str:
    async with httpx.AsyncClient(base_url=store.edge_url, timeout=60) as api:
        response = await api.post(
            "/v1/till-sessions",
            json={"till_id": till_id, "staff_code": member.staff_code, "pin": member.pin},
        )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


async def signed_in_page(context: BrowserContext, store: ReplayedStore) -> Page:
    page = await context.new_page()
    await sign_in(page, store, MANAGER.staff_code, MANAGER.pin)
    return page


# The pictures docs/ shows (VECTIS_SCREENS_DIR=docs/screens writes these, the top of each
# page as a tablet in landscape shows it); every other goes to a temporary folder, whole.
DOCS_PICTURES = {
    "sign-in", "today", "shifts", "z-report", "sync", "sync-offline", "stock", "staff",
    "settings",
}  # fmt: skip


async def look(page: Page, store: ReplayedStore, path: str, screens: Path, name: str) -> None:
    """Open `path`, check it answered and is accessible, and keep its picture."""
    response = await page.goto(f"{store.edge_url}{path}")
    assert response is not None and response.status == 200, path
    assert await serious_violations(page) == [], path
    if SCREENS_DIR is None:
        await page.screenshot(path=screens / f"dashboard-{name}.png", full_page=True)
    elif name in DOCS_PICTURES:
        await page.screenshot(path=screens / f"dashboard-{name}.png")


DAY = "2010-12-02"


def minor(text: str) -> int:
    """A decimal string of the API ("46207.28", "-3.10") in minor units."""
    units, _, cents = text.lstrip("-").partition(".")
    value = int(units) * 100 + int((cents + "00")[:2])
    return -value if text.startswith("-") else value


async def page_figures(page: Page) -> dict[str, int]:
    """Every figure on the page: data-minor (money) or data-value (counts), by name."""
    found: dict[str, int] = await page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-figure]')]
             .map(e => [e.dataset.figure, e.dataset.minor ?? e.dataset.value])
             .filter(([, v]) => v !== undefined && /^-?[0-9]+$/.test(v))
             .map(([k, v]) => [k, parseInt(v, 10)]))"""
    )
    return found


async def hub_day(store: ReplayedStore) -> dict[str, Any]:
    """HQ's sales report of store-1's replayed day."""
    headers = {"Authorization": f"Bearer {store.admin_token}"}
    async with httpx.AsyncClient(base_url=store.hub_url, headers=headers, timeout=60) as hq:
        response = await hq.get(f"/v1/reports/sales?from={DAY}&to={DAY}&store_id=store-1")
    assert response.status_code == 200, response.text
    (row,) = response.json()["rows"]
    return dict(row)


async def test_today_agrees_with_the_edges_api_the_z_reports_and_hq(
    store: ReplayedStore, context: BrowserContext, screens: Path
) -> None:
    token = await till_token(store, "T8")
    day = await api_get(store, f"/v1/reports/day?business_day={DAY}", token)
    zs = await api_get(store, f"/v1/z-reports?from={DAY}&to={DAY}", token)
    hq = await hub_day(store)
    page = await signed_in_page(context, store)
    await look(page, store, f"/dashboard/today?day={DAY}", screens, "today")
    shown = await page_figures(page)
    # The edge's own API
    assert shown["net-sales"] == minor(day["revenue"])
    assert shown["transactions"] == day["sales"]
    assert shown["returns-count"] == day["returns"]
    assert shown["units"] == day["units"]
    # The day's Z reports (every shift of the replayed day is closed)
    assert zs and shown["net-sales"] == sum(minor(z["totals"]["net_sales"]) for z in zs)
    # (the Z counts cash as handed over, and the change given apart; the day, what it took)
    for kind in {kind for z in zs for kind in z["totals"]["tenders"]}:
        change = sum(minor(z["totals"]["change_given"]) for z in zs) if kind == "cash" else 0
        assert (
            shown[f"tender-{kind}"]
            == sum(minor(z["totals"]["tenders"].get(kind, "0")) for z in zs) - change
        ), kind
    assert shown["discounts"] == sum(minor(z["totals"]["discounts"]) for z in zs)
    # HQ, to the penny
    assert shown["net-sales"] == minor(hq["revenue"])
    assert shown["returns"] == -minor(hq["returns"])  # shown as money going out
    assert sum(v for k, v in shown.items() if k.startswith("tax-") and k.endswith("-tax")) == (
        minor(hq["tax"])
    )
    for kind, amount in hq["tenders"].items():
        assert shown[f"tender-{kind}"] == minor(amount), kind
    assert shown["tenders-total"] == shown["net-sales"]
    # The chart draws a bar per hour with the hour's figure
    bars = page.locator("svg.chart rect.bar")
    assert await bars.count() > 0
    hours = {k: v for k, v in shown.items() if k.startswith("hour-") and k.endswith("-net-sales")}
    assert sum(hours.values()) == shown["net-sales"]


async def test_the_shifts_page_shows_each_z_and_its_variance_as_the_api_does(
    store: ReplayedStore, context: BrowserContext, screens: Path
) -> None:
    token = await till_token(store, "T8")
    zs = await api_get(store, f"/v1/z-reports?from={DAY}&to={DAY}", token)
    page = await signed_in_page(context, store)
    await look(page, store, f"/dashboard/shifts?day={DAY}", screens, "shifts")
    shown = await page_figures(page)
    for z in zs:
        name = f"z-{z['till_id']}-{z['z_number']}"
        assert shown[f"{name}-variance"] == minor(z["variance"])
        assert shown[f"{name}-net-sales"] == minor(z["totals"]["net_sales"])
        assert shown[f"{name}-counted-cash"] == minor(z["counted_cash"])
    first = zs[0]
    await look(page, store, f"/dashboard/shifts/{first['shift_id']}/z", screens, "z-report")
    sheet = await page_figures(page)
    assert sheet["z-grand-total"] == minor(first["grand_total"])
    assert sheet["z-variance"] == minor(first["variance"])


async def test_the_sync_page_shows_the_edges_own_status(
    store: ReplayedStore, context: BrowserContext, screens: Path
) -> None:
    page = await signed_in_page(context, store)
    await look(page, store, "/dashboard/sync", screens, "sync")
    assert await value(page, "sync-state") == "online"
    # The agent runs as the test reads (the sign-in is audited, so an event waits a
    # moment): compare with the status read just before and after a reload that agree.
    for _ in range(50):
        before = (await api_get(store, "/v1/status"))["outbox"]["pending"]
        await page.reload()
        shown = int(await value(page, "outbox-pending"))
        after = (await api_get(store, "/v1/status"))["outbox"]["pending"]
        if before == after:
            assert shown == before
            break
    else:
        raise AssertionError("the outbox never stood still for a reload")
    assert "Online" in await page.locator("#link-state").inner_text()
    # htmx (vendored, allowed by the page's Content-Security-Policy) refreshes the panel
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    async with page.expect_response("**/dashboard/sync/panel", timeout=15_000) as refreshed:
        pass
    assert (await refreshed.value).status == 200
    assert await page.locator("#sync-panel").count() == 1
    assert errors == []


async def test_the_stock_page_shows_hqs_count_of_a_sold_item(
    store: ReplayedStore, context: BrowserContext, screens: Path
) -> None:
    token = await till_token(store, "T8")
    sales = await api_get(store, "/v1/sales?business_day=2010-12-02&limit=1", token)
    sku = sales[0]["lines"][0]["sku"]
    item = await api_get(store, f"/v1/catalogue/{sku}")
    page = await signed_in_page(context, store)
    await look(page, store, f"/dashboard/stock?q={sku}", screens, "stock")
    assert int(await value(page, f"stock-level-{sku}")) == item["on_hand"]


async def test_the_approvals_and_exceptions_pages_answer(
    store: ReplayedStore, context: BrowserContext, screens: Path
) -> None:
    page = await signed_in_page(context, store)
    await look(page, store, "/dashboard/approvals", screens, "approvals")
    await look(page, store, "/dashboard/exceptions", screens, "exceptions")


async def test_a_locked_cashier_unlocked_at_the_dashboard_signs_in_at_a_till_again(
    store: ReplayedStore, context: BrowserContext, screens: Path
) -> None:
    async with httpx.AsyncClient(base_url=store.edge_url, timeout=60) as api:
        for _ in range(5):
            await api.post(
                "/v1/till-sessions",
                json={"till_id": "T7", "staff_code": CASHIER.staff_code, "pin": "0000"},
            )
        right = {"till_id": "T7", "staff_code": CASHIER.staff_code, "pin": CASHIER.pin}
        assert (await api.post("/v1/till-sessions", json=right)).status_code == 409
        page = await signed_in_page(context, store)
        await look(page, store, "/dashboard/staff?day=2010-12-02", screens, "staff")
        await page.get_by_role("button", name=f"Unlock {CASHIER.staff_code}").click()
        await page.wait_for_load_state()
        assert "nlocked" in await page.get_by_role("status").first.inner_text()
        assert (await api.post("/v1/till-sessions", json=right)).status_code == 201


async def test_the_settings_page_saves_the_receipt_header(
    store: ReplayedStore, context: BrowserContext, screens: Path
) -> None:
    page = await signed_in_page(context, store)
    await look(page, store, "/dashboard/settings", screens, "settings")
    await page.get_by_label("Receipt header").fill("Open Sundays 10-4")
    await page.get_by_role("button", name="Save changes").click()
    await page.wait_for_load_state()
    assert await page.get_by_label("Receipt header").input_value() == "Open Sundays 10-4"
    token = await till_token(store, "T8")
    record = await api_get(store, "/v1/records/store_settings/store-1", token)
    assert record["fields"]["receipt_header"]["value"] == "Open Sundays 10-4"


async def test_a_supervisor_may_look_but_a_pin_reset_is_a_managers(
    store: ReplayedStore, context: BrowserContext, screens: Path
) -> None:
    supervisor = StaffMember("5001", "Demo Supervisor", "supervisor", "5555")
    hq = HqClient(store.hub_url, store.admin_token)
    try:
        await hq.ensure_staff(supervisor, ["store-1"])
    finally:
        await hq.aclose()
    page = await context.new_page()
    for _ in range(100):  # until HQ's feed brought the new staff member to the edge
        await sign_in(page, store, supervisor.staff_code, supervisor.pin)
        if "/dashboard/sign-in" not in page.url:
            break
        await asyncio.sleep(0.2)
    await page.goto(f"{store.edge_url}/dashboard/staff?day={DAY}")
    assert "Demo Supervisor" in await page.locator("header").inner_text()
    form = page.locator(f'form[action="/dashboard/staff/{CASHIER.staff_code}/pin"]')
    await page.locator("details", has=form).locator("summary").click()
    assert "managers only" in await page.locator("details", has=form).inner_text()
    await form.locator('input[name="new_pin"]').fill("4826")
    await form.locator('input[name="repeat_pin"]').fill("4826")
    await form.get_by_role("button").click()
    await page.wait_for_load_state()
    assert "manager" in (await page.get_by_role("alert").inner_text()).lower()
    async with httpx.AsyncClient(base_url=store.edge_url, timeout=60) as api:
        old = {"till_id": "T6", "staff_code": CASHIER.staff_code, "pin": CASHIER.pin}
        assert (await api.post("/v1/till-sessions", json=old)).status_code == 201  # unchanged


async def test_every_page_fits_a_tablet_held_upright(
    store: ReplayedStore, browser: Browser, screens: Path
) -> None:
    """768 px wide (a tablet in portrait): no page scrolls sideways."""
    tablet = await browser.new_context(viewport={"width": 768, "height": 1024})
    try:
        page = await signed_in_page(tablet, store)
        for path in (
            f"/dashboard/today?day={DAY}", f"/dashboard/shifts?day={DAY}", "/dashboard/sync",
            "/dashboard/stock", "/dashboard/approvals", f"/dashboard/staff?day={DAY}",
            "/dashboard/exceptions", "/dashboard/settings",
        ):  # fmt: skip
            await page.goto(f"{store.edge_url}{path}")
            overflow = await page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            if SCREENS_DIR is None:
                name = path.split("/")[2].split("?")[0]
                await page.screenshot(path=screens / f"tablet-{name}.png", full_page=True)
            assert overflow <= 0, (path, overflow)
    finally:
        await tablet.close()


async def test_with_the_hub_stopped_every_page_works_and_says_offline(
    store: ReplayedStore, context: BrowserContext, screens: Path
) -> None:
    """Last in this module: it kills the hub."""
    store.stop_hub()
    token = await till_token(store, "T5", CASHIER)
    async with httpx.AsyncClient(
        base_url=store.edge_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as till:
        shift = await till.post("/v1/shifts", json={"till_id": "T5", "float_total": "50.00"})
        assert shift.status_code == 201, shift.text
        sku = (await api_get(store, f"/v1/sales?business_day={DAY}&limit=1", token))[0]["lines"][0][
            "sku"
        ]
        cart = await till.post(
            "/v1/carts", json={"till_id": "T5", "lines": [{"sku": sku, "quantity": 1}]}
        )
        assert cart.status_code == 201, cart.text
        paid = await till.post(
            f"/v1/carts/{cart.json()['cart_id']}/checkout",
            json={"tenders": [{"kind": "cash", "amount": "100.00"}]},
        )
        assert paid.status_code == 201, paid.text
        await till.post("/v1/sync/run")  # the agent tries the dead hub now
    status = await api_get(store, "/v1/status")
    assert status["sync"]["online"] is False and status["outbox"]["pending"] >= 1
    page = await signed_in_page(context, store)
    for path, name in [
        (f"/dashboard/today?day={DAY}", "today-offline"),
        ("/dashboard/sync", "sync-offline"),
        (f"/dashboard/shifts?day={DAY}", "shifts-offline"),
        ("/dashboard/stock", "stock-offline"),
        ("/dashboard/approvals", "approvals-offline"),
        (f"/dashboard/staff?day={DAY}", "staff-offline"),
        ("/dashboard/exceptions", "exceptions-offline"),
        ("/dashboard/settings", "settings-offline"),
    ]:
        await look(page, store, path, screens, name)
        assert "Offline: HQ unreachable" in await page.locator("#link-state").inner_text(), path
    await page.goto(f"{store.edge_url}/dashboard/sync")
    assert await value(page, "sync-state") == "offline"
    assert int(await value(page, "outbox-pending")) >= 1
    # The open shift's live X at the till that sold offline
    await page.goto(f"{store.edge_url}/dashboard/shifts?day={DAY}")
    x = await api_get(store, f"/v1/shifts/{shift.json()['shift_id']}/x-report", token)
    shown = await page_figures(page)
    assert shown["x-T5-net-sales"] == minor(x["totals"]["net_sales"])
    assert shown["x-T5-expected-cash"] == minor(x["expected_cash"])
