"""Odd input to every dashboard page and form: a page that says what is wrong (4xx) or shows
what it can (200), never a 500, and nothing changed. In process, a real SQLite edge."""

from __future__ import annotations

import pytest

from tests.dashboard_support import browser, sign_in
from tests.support import MANAGER, Edge

ODD = [
    "day=2010-13-45", "day=yesterday", "day=" + "9" * 40, "day=0001-01-01", "day=9999-12-31",
    "page=-5", "page=abc", "page=" + "9" * 30, "q=" + "x" * 5000, "q=%3Cscript%3E",
    "q=%00", "low=maybe", "kind=nonsense", "staff=%27%3B--", "from=2010-12-09&to=2010-12-01",
    "from=2000-01-01&to=2010-12-01", "from=x&to=y", "done=%3Cb%3Ehi%3C%2Fb%3E",
]  # fmt: skip
PAGES = [
    "/dashboard/today", "/dashboard/today.csv", "/dashboard/shifts", "/dashboard/shifts/z.csv",
    "/dashboard/sync", "/dashboard/sync/panel", "/dashboard/stock", "/dashboard/approvals",
    "/dashboard/staff", "/dashboard/exceptions", "/dashboard/settings", "/dashboard/account",
]  # fmt: skip


async def test_odd_query_strings_never_end_in_a_server_error(store: Edge) -> None:
    async with browser(store) as client:
        await sign_in(client, MANAGER)
        for path in PAGES:
            for query in ODD:
                response = await client.get(f"{path}?{query}")
                assert response.status_code < 500, (path, query, response.text[:300])
                assert "<script>" not in response.text.replace('<script src="', ""), (
                    path, query,
                )  # fmt: skip


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/staff/1001/unlock", "/dashboard/staff/1001/pin", "/dashboard/staff/x/pin",
        "/dashboard/staff/" + "9" * 300 + "/unlock", "/dashboard/settings",
        "/dashboard/shifts/nope/z/print", "/dashboard/sign-out",
    ],
)  # fmt: skip
async def test_odd_forms_are_refused_with_a_page_and_change_nothing(store: Edge, path: str) -> None:
    async with browser(store) as client:
        token = await sign_in(client, MANAGER)
        for data in (
            {"csrf_token": token, "new_pin": "12", "repeat_pin": "34"},
            {"csrf_token": token, "receipt_header": "x" * 5000, "pin_max_failures": "-1"},
            {"csrf_token": token, "new_pin": "\\x00" * 9, "repeat_pin": "\\x00" * 9},
        ):
            response = await client.post(path, data=data)
            assert response.status_code < 500, (path, data, response.text[:300])
        # still signed in, and a sign-in with nothing in it is refused plainly
        assert (await client.get("/dashboard/account")).status_code in (200, 303)
    async with browser(store) as fresh:
        empty = await fresh.post("/dashboard/sign-in", data={})
        assert empty.status_code == 403
