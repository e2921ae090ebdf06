"""Steps shared by the dashboard's page tests: a browser-like client of an edge's app (its
own cookie jar, no till session), signing in through the sign-in form, and reading the
CSRF token and figures out of a page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.support import STAFF_PINS, Edge, Hub, close_edge, make_edge

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_FIGURE = re.compile(r'data-figure="([^"]+)"[^>]*?data-(?:minor|value)="(-?[0-9]+)"')


def browser(edge: Edge) -> httpx.AsyncClient:
    """A client of `edge`'s app as a browser is: cookies kept, redirects not followed."""
    return httpx.AsyncClient(
        transport=edge.client._transport,
        base_url="http://127.0.0.1",
        headers={"accept": "text/html"},
    )


def csrf_of(html: str) -> str:
    """The CSRF token in the first form of a page. Raises AssertionError when none."""
    found = _CSRF.search(html)
    assert found, "no csrf_token in the page"
    return found.group(1)


def figures(html: str) -> dict[str, int]:
    """Every figure of a page by its `data-figure` name: money as `data-minor` (integer
    minor units), counts as `data-value` (the last of a name wins; non-integer values, such
    as a state, are left out)."""
    return {name: int(value) for name, value in _FIGURE.findall(html)}


async def sign_in(client: httpx.AsyncClient, staff_code: str, pin: str | None = None) -> str:
    """Sign in through the form; returns the session's CSRF token (from the next page).
    Raises AssertionError when the sign-in is refused."""
    page = await client.get("/dashboard/sign-in")
    response = await client.post(
        "/dashboard/sign-in",
        data={
            "staff_code": staff_code,
            "pin": pin or STAFF_PINS[staff_code],
            "csrf_token": csrf_of(page.text),
            "next": "/dashboard/account",
        },
    )
    assert response.status_code == 303, response.text
    account = await client.get("/dashboard/account")
    assert account.status_code == 200, account.text
    return csrf_of(account.text)


@asynccontextmanager
async def counted_shop(hub: Hub, path: Path) -> AsyncIterator[Edge]:
    """store-1 on `hub` with items A (2.55), B (0.85) and C (10.00); HQ's ERP counted A 50 and
    B 3 (C never counted); its edge's file at `path`, closed on leaving."""
    await hub.create_store("store-1")
    await hub.import_items({"A": "2.55", "B": "0.85", "C": "10.00"})
    counted = await hub.client.post(
        "/v1/erp/stock",
        json={
            "location_id": "store-1",
            "counts": [{"sku": "A", "on_hand": 50}, {"sku": "B", "on_hand": 3}],
        },
        headers=hub.admin,
    )
    assert counted.status_code == 200, counted.text
    edge = await make_edge(path, hub, await hub.token("store-1"))
    try:
        yield edge
    finally:
        await close_edge(edge)
