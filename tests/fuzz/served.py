"""The apps the fuzz tests drive: a hub (SQLite or PostgreSQL) or an edge with its hub, built
inside their ASGI lifespan, so on the event loop schemathesis serves them from, with the
credentials each route needs made through the hub's own flows."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import AuthContext, Case
from schemathesis.config import SchemathesisConfig
from schemathesis.schemas import BaseSchema

from edge.api.app import create_app as create_edge_app
from edge.bootstrap import build_runtime as build_edge_runtime
from edge.settings import EdgeSettings
from hub.api.app import create_app as create_hub_app
from hub.bootstrap import build_runtime as build_hub_runtime
from hub.settings import HubSettings
from sync.openapi import documented_routes
from tests.support import ADMIN_TOKEN, Hub, TillSession, close_edge, make_edge, make_hub

Stop = Callable[[], Coroutine[Any, Any, None]]
FuzzCase = Case[Any]
"""A request schemathesis generated for one operation."""

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
"""Hypothesis settings of every fuzz test of single requests: up to 25 generated requests an operation (and
schemathesis's explicit examples), the same ones every run (derandomize: a red gate is a
real finding, not a draw), no deadline per request (the machine is shared)."""

SEQUENCES = settings(
    max_examples=15,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
"""Hypothesis settings of the stateful fuzz tests: 15 sequences of up to 6 linked calls."""

BASE_URL = "http://testserver"
"""Where schemathesis sends requests: the app in-process, never the network."""

CONFIG = SchemathesisConfig.from_dict(
    {
        "base-url": BASE_URL,
        "checks": {
            # A request its schema allows may still be refused by a rule no schema can say
            # (a cursor this hub never issued, an unknown time zone, a record field that does
            # not exist): a documented 409, 410 or 422 with our error body is an answer, not a
            # failure. Every other check keeps its defaults, all on.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "410", "422"]
            },
        },
    }
)
"""Schemathesis's configuration for every fuzz test."""


def load(document: dict[str, Any], served: Served) -> BaseSchema:
    """A schemathesis schema of `document` whose requests go to `served` in-process, each with
    the credential its operation needs (left off where a negative case drops it)."""
    schema = schemathesis.openapi.from_dict(document, config=CONFIG)
    schema.app = served

    @schema.auth(refresh_interval=None)
    class Credential:
        def get(self, case: FuzzCase, context: AuthContext) -> str | None:
            return served.headers_for(case.method, case.path).get("Authorization")

        def set(self, case: FuzzCase, data: str | None, context: AuthContext) -> None:
            if data is not None:
                case.headers["Authorization"] = data

    return schema


SKUS = {"A": "2.55", "B": "0.85", "C": "10.00"}


@dataclass
class Served:
    """An ASGI app that `start` builds at its first lifespan startup, on the event loop that
    serves it, and keeps across lifespans: schemathesis ends the lifespan after each test,
    the fixture that serves it sets `target` first and calls `close` once all are done.
    Made when the tests are collected (schemathesis binds each test to its app then).

    `headers` gives the Authorization each operation needs ("METHOD /path" -> headers)."""

    start: Callable[[Served], Awaitable[tuple[Any, Stop]]]
    target: str = ""
    """What the fixture serving it gives: a database URL for a hub, a directory for an edge."""
    app: Any = None
    stop: Stop | None = None
    loop: asyncio.AbstractEventLoop | None = None
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.app is None:
                    try:
                        self.app, self.stop = await self.start(self)
                    except Exception as error:
                        await send({"type": "lifespan.startup.failed", "message": repr(error)})
                        raise
                    self.loop = asyncio.get_running_loop()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    def close(self, timeout_s: float = 60.0) -> None:
        """Stop what `start` built, on the loop it was built on (from any other thread)."""
        if self.loop is not None and self.stop is not None:
            asyncio.run_coroutine_threadsafe(self.stop(), self.loop).result(timeout_s)
        self.app = self.stop = self.loop = None

    def headers_for(self, method: str, path: str) -> dict[str, str]:
        return self.headers.get(f"{method.upper()} {path}", {})


def serve_hub() -> Served:
    """A hub on the database URL its fixture gives: store-1 with three SKUs and an enrolled node; an HQ and an
    ERP API key; each route called with what it asks for (admin token, ERP key, node
    credential, else the HQ key)."""

    async def start(served: Served) -> tuple[Any, Stop]:
        # The fuzzer sends thousands of requests without a secret or with a wrong one, from one
        # address: the limiter (tests/integration/test_auth_failures.py) would answer them all
        # 429 after the first twenty, and every later request too.
        hub = await make_hub(
            served.target,
            auth_failures_per_source="1000000/minute",
            auth_failures_per_key="1000000/minute",
        )
        secrets = await _credentials(hub)
        served.headers = _headers_by_route(create_hub_app(hub.runtime), secrets)

        async def stop() -> None:
            await hub.client.aclose()
            await hub.runtime.stop()

        return hub.transport.app, stop

    return Served(start)


def serve_edge() -> Served:
    """An edge node enrolled at an in-process hub on SQLite, catalogue of three SKUs, their
    files in the directory its fixture gives."""

    async def start(served: Served) -> tuple[Any, Stop]:
        directory = Path(served.target)
        hub = await make_hub(f"sqlite+aiosqlite:///{directory / 'hub.db'}")
        await hub.create_store("store-1")
        await hub.import_items(SKUS)
        # schemathesis calls the app as http://testserver: a name this node must answer to.
        edge = await make_edge(
            directory / "edge.db", hub, await hub.token("store-1"), allowed_hosts=["testserver"]
        )
        app = create_edge_app(edge.runtime, run_agent=False)
        # Every operation carries the manager's till session (who may do everything), but
        # sign-out, which would end it for the rest of the run.
        assert isinstance(edge.client.auth, TillSession)
        signed_in = {"Authorization": f"Bearer {edge.client.auth.session['token']}"}
        served.headers = {
            key: signed_in
            for route in documented_routes(app)
            for key in route.keys()
            if key != "DELETE /v1/till-sessions/current"
        }

        async def stop() -> None:
            await close_edge(edge)
            await hub.client.aclose()
            await hub.runtime.stop()

        return app, stop

    return Served(start)


async def _credentials(hub: Hub) -> dict[str, str]:
    await hub.create_store("store-1")
    await hub.import_items(SKUS)
    secrets = {"admin": ADMIN_TOKEN}
    for scope in ("hq", "erp"):
        response = await hub.client.post(
            "/v1/api-keys", json={"name": f"fuzz-{scope}", "scope": scope}, headers=hub.admin
        )
        assert response.status_code == 201, response.text
        secrets[scope] = response.json()["key"]
    enrolled = await hub.client.post(
        "/v1/sync/enrol",
        json={"protocol_version": 1, "token": await hub.token("store-1"), "node_name": "fuzz"},
    )
    assert enrolled.status_code == 200, enrolled.text
    secrets["node"] = enrolled.json()["credential"]
    return secrets


# The secret each authentication dependency of the hub takes, by its name.
_SECRET_OF = {
    "require_admin": "admin",
    "require_erp": "erp",
    "require_node": "node",
    "require_hq": "hq",
    "require_hq_person": "hq",
}


def _headers_by_route(app: FastAPI, secrets: dict[str, str]) -> dict[str, dict[str, str]]:
    found = {}
    for route in documented_routes(app):
        pending = list(route.route.dependant.dependencies)
        names = set()
        while pending:
            dependency = pending.pop()
            names.add(getattr(dependency.call, "__name__", ""))
            pending.extend(dependency.dependencies)
        kinds = [_SECRET_OF[name] for name in names if name in _SECRET_OF]
        for key in route.keys():
            if kinds:
                found[key] = {"Authorization": f"Bearer {secrets[kinds[0]]}"}
    return found


def openapi_documents() -> dict[str, dict[str, Any]]:
    """The hub's and the edge's OpenAPI documents, from apps over throwaway runtimes: what
    schemathesis generates the tests from, when pytest collects them."""

    async def build(directory: Path) -> dict[str, dict[str, Any]]:
        hub = await build_hub_runtime(
            HubSettings(database_url=f"sqlite+aiosqlite:///{directory / 'hub.db'}")
        )
        edge = await build_edge_runtime(EdgeSettings(database_path=directory / "edge.db"))
        try:
            return {
                "hub": create_hub_app(hub).openapi(),
                "edge": create_edge_app(edge, run_agent=False).openapi(),
            }
        finally:
            await edge.stop()
            await hub.stop()

    with tempfile.TemporaryDirectory() as directory:
        return asyncio.run(build(Path(directory)))
