"""The edge's routes are matched in the order they were added, first match wins: the till's
come first because they are asked most (edge/api/app.py). That order must not decide any
answer, so no two routes of different routers may share a method and a path a request could
take to both."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator

import pytest
from starlette.routing import BaseRoute, Route

from edge.api.app import create_app
from tests.support import Edge

_PARAMETER = re.compile(r"\{[^}]+\}")


@pytest.fixture
def edge(unenrolled_edge: Edge) -> Edge:
    return unenrolled_edge


def _routes(routes: Iterable[BaseRoute], owner: object = None) -> Iterator[tuple[object, Route]]:
    """Every route of the app with the router it was declared on, those of included routers
    too (FastAPI keeps an included router whole, as one entry that holds its routes)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes, included)
        elif isinstance(route, Route) and route.methods:
            yield owner, route


def _example(route: Route) -> str:
    """A path only this route's pattern was written for: each parameter filled in."""
    return _PARAMETER.sub("x1", route.path)


def test_no_two_routers_answer_the_same_request(edge: Edge) -> None:
    """Within one router its own order decides (`/v1/shifts/current` before
    `/v1/shifts/{shift_id}`); across routers nothing may."""
    routes = list(_routes(create_app(edge.runtime, run_agent=False).routes))
    assert len(routes) > 60
    shared = [
        (f"{sorted(shared_methods)} {first.path}", second.path)
        for first_owner, first in routes
        for second_owner, second in routes
        if first_owner is not second_owner
        and (shared_methods := (first.methods or set()) & (second.methods or set()) - {"HEAD"})
        and first.path_regex.match(_example(second))
    ]
    assert shared == []


async def test_a_scan_still_reaches_the_till_and_health_its_route(edge: Edge) -> None:
    health = await edge.client.get("/health")
    assert health.status_code == 200
    scan = await edge.client.post(f"/v1/carts/{uuid.uuid4()}/lines", json={"lines": []})
    assert (scan.status_code, scan.json()["error"]) == (409, "not_enrolled"), scan.text
