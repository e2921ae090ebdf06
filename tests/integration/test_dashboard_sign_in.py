"""Signing in to the store dashboard: supervisors and managers only, the till's lockout,
the session cookie's flags, the idle timeout, CSRF on every form, sign-out, and each step in
the audit trail. A real SQLite edge over a real PostgreSQL hub, in process."""

from __future__ import annotations

from datetime import timedelta

from edge.bootstrap import EdgeRuntime
from shared.clock import ManualClock
from tests.dashboard_support import browser, csrf_of, sign_in
from tests.integration.test_till_sessions import audit_rows
from tests.support import CASHIER, MANAGER, STAFF_PINS, SUPERVISOR, Edge


def advance(runtime: EdgeRuntime, by: timedelta) -> None:
    clock = runtime.clock
    assert isinstance(clock, ManualClock)
    clock.advance(by)


async def test_a_page_without_a_session_sends_the_browser_to_sign_in(store: Edge) -> None:
    async with browser(store) as client:
        response = await client.get("/dashboard/account")
        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard/sign-in?next=/dashboard/account"
        htmx = await client.get("/dashboard/account", headers={"HX-Request": "true"})
        assert htmx.headers["HX-Redirect"].startswith("/dashboard/sign-in")


async def test_a_manager_signs_in_and_the_cookie_is_http_only_and_strict(store: Edge) -> None:
    async with browser(store) as client:
        page = await client.get("/dashboard/sign-in")
        assert page.status_code == 200
        assert 'type="password"' in page.text
        response = await client.post(
            "/dashboard/sign-in",
            data={"staff_code": MANAGER, "pin": STAFF_PINS[MANAGER],
                  "csrf_token": csrf_of(page.text), "next": "/dashboard/account"},
        )  # fmt: skip
        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard/account"
        cookie = next(
            value for name, value in response.headers.multi_items()
            if name == "set-cookie" and value.startswith("vectis_dashboard=")
        )  # fmt: skip
        flags = cookie.lower()
        assert "httponly" in flags and "samesite=strict" in flags and "path=/dashboard" in flags
        account = await client.get("/dashboard/account")
        assert "staff code 9001" in account.text
        assert account.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in account.headers["content-security-policy"]
    kinds = [(row["kind"], row["staff"]) for row in audit_rows(store)]
    assert ("sign_in", MANAGER) in kinds


async def test_a_supervisor_may_sign_in_and_a_cashier_may_not(store: Edge) -> None:
    async with browser(store) as client:
        await sign_in(client, SUPERVISOR)
    async with browser(store) as client:
        page = await client.get("/dashboard/sign-in")
        refused = await client.post(
            "/dashboard/sign-in",
            data={"staff_code": CASHIER, "pin": STAFF_PINS[CASHIER],
                  "csrf_token": csrf_of(page.text)},
        )  # fmt: skip
        assert refused.status_code == 403
        assert "for supervisors and managers" in refused.text
        assert "vectis_dashboard=" not in refused.headers.get("set-cookie", "")
        assert (await client.get("/dashboard/account")).status_code == 303


async def test_wrong_pins_lock_as_at_a_till_and_say_so(store: Edge) -> None:
    async with browser(store) as client:
        for attempt in range(5):
            page = await client.get("/dashboard/sign-in")
            wrong = await client.post(
                "/dashboard/sign-in",
                data={"staff_code": SUPERVISOR, "pin": "0000", "csrf_token": csrf_of(page.text)},
            )
            assert wrong.status_code in (401, 409), attempt
            assert "Wrong staff code or PIN" in wrong.text or "locked" in wrong.text
            assert "0000" not in wrong.text  # the PIN typed is never sent back
        page = await client.get("/dashboard/sign-in")
        locked = await client.post(
            "/dashboard/sign-in",
            data={"staff_code": SUPERVISOR, "pin": STAFF_PINS[SUPERVISOR],
                  "csrf_token": csrf_of(page.text)},
        )  # fmt: skip
        assert locked.status_code == 409
        assert "is locked until" in locked.text
    # The same lock at the till: the right PIN is refused there too.
    till = await store.client.post(
        "/v1/till-sessions",
        json={"till_id": "T1", "staff_code": SUPERVISOR, "pin": STAFF_PINS[SUPERVISOR]},
    )
    assert till.status_code == 409
    kinds = [row["kind"] for row in audit_rows(store) if row["staff"] == SUPERVISOR]
    assert kinds.count("pin_failed") >= 4 and "locked" in kinds


async def test_a_sign_in_form_without_its_token_is_refused(store: Edge) -> None:
    async with browser(store) as client:
        await client.get("/dashboard/sign-in")
        forged = await client.post(
            "/dashboard/sign-in",
            data={"staff_code": MANAGER, "pin": STAFF_PINS[MANAGER], "csrf_token": "forged"},
        )
        assert forged.status_code == 403
        assert (await client.get("/dashboard/account")).status_code == 303


async def test_forms_need_the_sessions_csrf_token_and_this_sites_origin(store: Edge) -> None:
    async with browser(store) as client:
        token = await sign_in(client, MANAGER)
        forged = await client.post("/dashboard/sign-out", data={"csrf_token": "x" * 64})
        assert forged.status_code == 403
        assert "nothing was changed" in forged.text
        missing = await client.post("/dashboard/sign-out", data={})
        assert missing.status_code == 403
        cross = await client.post(
            "/dashboard/sign-out", data={"csrf_token": token},
            headers={"Origin": "http://evil.example"},
        )  # fmt: skip
        assert cross.status_code == 403
        assert (await client.get("/dashboard/account")).status_code == 200  # still signed in
        out = await client.post("/dashboard/sign-out", data={"csrf_token": token})
        assert out.status_code == 303
        assert (await client.get("/dashboard/account")).status_code == 303
    kinds = [row["kind"] for row in audit_rows(store) if row["staff"] == MANAGER]
    assert kinds[-2:] == ["sign_in", "sign_out"]


async def test_an_idle_session_ends_and_its_end_is_audited(store: Edge) -> None:
    async with browser(store) as client:
        await sign_in(client, MANAGER)
        advance(store.runtime, timedelta(minutes=14))
        assert (await client.get("/dashboard/account")).status_code == 200
        advance(store.runtime, timedelta(minutes=14))  # 14 idle minutes again: still live
        assert (await client.get("/dashboard/account")).status_code == 200
        advance(store.runtime, timedelta(minutes=16))
        gone = await client.get("/dashboard/account")
        assert gone.status_code == 303
        assert (await client.get("/dashboard/account")).status_code == 303
    ends = [row for row in audit_rows(store) if row["kind"] == "sign_out"]
    assert ends and '"reason":"idle"' in ends[-1]["payload"].replace(" ", "")


async def test_after_sign_in_the_browser_goes_only_to_a_dashboard_page(store: Edge) -> None:
    async with browser(store) as client:
        page = await client.get("/dashboard/sign-in")
        response = await client.post(
            "/dashboard/sign-in",
            data={"staff_code": MANAGER, "pin": STAFF_PINS[MANAGER],
                  "csrf_token": csrf_of(page.text), "next": "https://evil.example/x"},
        )  # fmt: skip
        assert response.headers["location"] == "/dashboard/today"
