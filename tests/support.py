"""Helpers of the tests: in-process hubs and edges, a cuttable link between them."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

import httpx
from pydantic import SecretStr

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.api.app import create_app as create_edge_app
from edge.bootstrap import EdgeRuntime
from edge.bootstrap import build_runtime as build_edge_runtime
from edge.service.feed import apply_feed_entries
from edge.settings import EdgeSettings
from hub.api.app import create_app as create_hub_app
from hub.bootstrap import HubRuntime
from hub.bootstrap import build_runtime as build_hub_runtime
from hub.settings import HubSettings
from shared.clock import Clock
from shared.pins import hash_pin
from sync.messages import FeedEntry, RecordUpdatedV1, StaffV1, StampedValue
from vectis.replay.hq import DEMO_STAFF

ADMIN_TOKEN = "test-admin-token-0123456789"
DEMO_START = datetime(2010, 12, 1, 8, 0, tzinfo=UTC)

JSON = dict[str, Any]
"""A JSON object of an HTTP answer or body whose shape each test reads as it needs."""


class OutboxStatus(TypedDict):
    last_seq: int
    acked_seq: int
    pending: int
    oldest_pending_created_at: str | None
    quarantined: int


class SyncStatus(TypedDict):
    online: bool | None
    last_success_at: str | None
    last_error: str | None
    last_error_at: str | None
    consecutive_failures: int
    next_attempt_in_s: float
    skew_ms: int | None
    credential_rejected: bool
    feed_cursor: str | None


class IntegrityStatus(TypedDict):
    matched_days: int
    mismatched_days: int


class EdgeStatus(TypedDict):
    """An edge's answer to GET /v1/status and POST /v1/sync/run as JSON (`StatusOut` in
    edge.api.schemas, whose fields are only ever added to)."""

    enrolled: bool
    store_id: str | None
    node_id: str | None
    store_name: str | None
    timezone: str | None
    currency: str | None
    clock: str
    clock_mode: str
    catalogue: dict[str, int]
    outbox: OutboxStatus
    sync: SyncStatus
    integrity: IntegrityStatus


@dataclass
class Hub:
    runtime: HubRuntime
    client: httpx.AsyncClient
    transport: httpx.ASGITransport

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    async def create_store(self, store_id: str = "store-1", *, demo_staff: bool = False) -> None:
        """Create the store; with `demo_staff`, also the demo's cashier 1001 (PIN 1234) and
        manager 9001 (PIN 9999) working there (`create_demo_staff`)."""
        response = await self.client.post(
            "/v1/stores",
            json={
                "store_id": store_id,
                "name": store_id,
                "timezone": "Europe/London",
                "currency": "GBP",
            },
            headers=self.admin,
        )
        assert response.status_code == 201, response.text
        if demo_staff:
            await self.create_demo_staff(store_id)

    async def create_demo_staff(self, store_id: str = "store-1") -> None:
        """The demo's cashier 1001 (PIN 1234) and manager 9001 (PIN 9999) work at `store_id`
        (added to their stores if another store has them already)."""
        for member in DEMO_STAFF:
            await self.create_staff(
                store_id, member.staff_code, member.name, member.role, member.pin
            )

    async def create_staff(
        self, store_id: str, staff_code: str, name: str, role: str, pin: str
    ) -> JSON:
        """Through the HQ API: a staff member working at `store_id` with `pin`. A staff code
        that exists already gets `store_id` added to its stores (its name, role and PIN are
        left as they are). Returns the staff member as the hub answers."""
        response = await self.client.post(
            "/v1/staff",
            json={
                "staff_code": staff_code,
                "name": name,
                "role": role,
                "stores": [store_id],
                "pin": pin,
            },
            headers=self.admin,
        )
        if response.status_code == 409:
            held = await self.client.get(f"/v1/staff/{staff_code}", headers=self.admin)
            assert held.status_code == 200, held.text
            stores = sorted({*held.json()["stores"], store_id})
            response = await self.client.patch(
                f"/v1/staff/{staff_code}", json={"stores": stores}, headers=self.admin
            )
            assert response.status_code == 200, response.text
        else:
            assert response.status_code == 201, response.text
        member: JSON = response.json()
        return member

    async def token(self, store_id: str = "store-1") -> str:
        response = await self.client.post(
            f"/v1/stores/{store_id}/enrolment-tokens", headers=self.admin
        )
        assert response.status_code == 201, response.text
        return str(response.json()["token"])

    async def import_items(self, prices: dict[str, str], kind: str = "stock") -> None:
        response = await self.client.post(
            "/v1/catalogue/import",
            json={
                "items": [
                    {
                        "sku": sku,
                        "description": f"item {sku}",
                        "kind": kind,
                        "unit_price": price,
                        "currency": "GBP",
                    }
                    for sku, price in prices.items()
                ]
            },
            headers=self.admin,
        )
        assert response.status_code == 200, response.text

    async def report(self, group_by: str = "store_day") -> list[JSON]:
        response = await self.client.get(
            "/v1/reports/sales", params={"group_by": group_by}, headers=self.admin
        )
        assert response.status_code == 200, response.text
        rows: list[JSON] = response.json()["rows"]
        return rows


async def make_hub(database_url: str, *, clock: Clock | None = None, **settings: Any) -> Hub:
    """A hub served in-process (on `clock`, the system's by default); with `temporal_address`
    (and a task queue of its own) its workflow worker runs too."""
    runtime = await build_hub_runtime(
        HubSettings(
            database_url=database_url,
            admin_token=SecretStr(ADMIN_TOKEN),
            migrate_on_start=database_url.startswith("sqlite"),
            max_request_bytes=2_000_000,
            **({"push_order_wait_s": 0.5} | settings),
        ),
        clock,
    )
    runtime.start_background()
    transport = httpx.ASGITransport(app=create_hub_app(runtime))
    client = httpx.AsyncClient(transport=transport, base_url="http://hub")
    return Hub(runtime, client, transport)


class Link(httpx.AsyncBaseTransport):
    """The network between an edge and an in-process hub.

    `online = False` cuts it (connection refused); `lose_responses = n` lets the next n
    requests reach the hub and then drops their responses, as a cut mid-response would.
    Faults of pushes (several may be in flight at once): `lose_pushes = n` drops the next n
    on the way (the hub never sees them), `delays` holds the next ones back that many
    seconds each (later pushes overtake them), `duplicate_pushes = n` delivers the next n
    twice at once (one answer comes back). `answered` counts the pushes the hub answered,
    `most_in_flight` the most pushes that were on the way at once.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.online = True
        self.lose_responses = 0
        self.lose_pushes = 0
        self.duplicate_pushes = 0
        self.delays: list[float] = []
        self.answered = 0
        self.in_flight = self.most_in_flight = 0
        self.requests = 0
        self.paths: list[str] = []
        self.cut_after: int | None = None
        self.pushes: list[tuple[bytes, dict[str, str]]] = []
        self.on_request: Callable[[httpx.Request], None] | None = None  # as each one goes out

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.cut_after is not None and self.requests >= self.cut_after:
            self.online = False
        if not self.online:
            raise httpx.ConnectError("link is down", request=request)
        self.requests += 1
        self.paths.append(request.url.path)
        if self.on_request is not None:
            self.on_request(request)
        if request.url.path != "/v1/sync/push":
            return await self._answer(request)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await self._push(request)
        finally:
            self.in_flight -= 1

    async def _push(self, request: httpx.Request) -> httpx.Response:
        # Kept so that a test can deliver a stale copy later (a replay, out of order).
        body, headers = await request.aread(), dict(request.headers)
        self.pushes.append((body, headers))
        if self.lose_pushes > 0:
            self.lose_pushes -= 1
            raise httpx.WriteError("connection reset before the push arrived", request=request)
        if self.delays:
            await asyncio.sleep(self.delays.pop(0))
        if self.duplicate_pushes > 0:
            self.duplicate_pushes -= 1
            copy = httpx.Request(request.method, request.url, headers=headers, content=body)
            response, _ = await asyncio.gather(
                self._answer(request), self.inner.handle_async_request(copy)
            )
        else:
            response = await self._answer(request)
        self.answered += 1
        return response

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.lose_responses > 0:
            self.lose_responses -= 1
            await response.aread()
            raise httpx.ReadError("connection reset before the response arrived", request=request)
        return response


# The demo's staff at every store (README): a cashier and a manager, and a supervisor here.
CASHIER, SUPERVISOR, MANAGER = "1001", "5001", "9001"
STAFF_PINS = {CASHIER: "1234", SUPERVISOR: "5555", MANAGER: "9999"}
_ROLES = {CASHIER: "cashier", SUPERVISOR: "supervisor", MANAGER: "manager"}


class TillSession(httpx.Auth):
    """Till requests signed in as one staff member at one till: the session's token on each
    request, and a new sign-in when the till answers 401 `not_signed_in`."""

    requires_response_body = True

    def __init__(self, till_id: str, staff_code: str, pin: str) -> None:
        self.sign_in = {"till_id": till_id, "staff_code": staff_code, "pin": pin}
        self.session: JSON = {}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.url.path == "/v1/till-sessions" and request.method == "POST":
            yield request
            return
        if self.session:
            request.headers["Authorization"] = f"Bearer {self.session['token']}"
            response = yield request
            if response.status_code != 401 or b"not_signed_in" not in response.content:
                return
        signed = yield httpx.Request(
            "POST", request.url.copy_with(path="/v1/till-sessions", query=None),
            json=self.sign_in,
        )  # fmt: skip
        if signed.status_code != 201:
            return
        self.session = json.loads(signed.content)
        request.headers["Authorization"] = f"Bearer {self.session['token']}"
        yield request


@dataclass
class Edge:
    runtime: EdgeRuntime
    client: httpx.AsyncClient
    link: Link
    path: Path

    async def sync(self) -> EdgeStatus:
        response = await self.client.post("/v1/sync/run")
        assert response.status_code == 200, response.text
        status: EdgeStatus = response.json()
        return status

    async def sign_in(
        self,
        till_id: str = "T1",
        staff_code: str = MANAGER,
        pin: str | None = None,
        *,
        shift: bool = True,
    ) -> JSON:
        """Sign in at `till_id` (the manager by default, who may do everything: tests of
        permissions sign in as the cashier); the client then carries the session on every
        request, and signs in again by itself when the session ends (the manual clock moves
        days in some tests). With `shift`, the till's shift is opened too if none is."""
        auth = TillSession(till_id, staff_code, pin or STAFF_PINS[staff_code])
        self.client.auth = auth
        response = await self.client.get("/v1/till-sessions/current")
        assert response.status_code == 200, response.text
        if shift:
            await self.open_shift(till_id)
        return auth.session

    async def open_shift(self, till_id: str = "T1", float_total: str = "100.00") -> JSON:
        """The till's open shift: the one open already, or one opened now with
        `float_total` (a till sells only inside an open shift)."""
        current = await self.client.get("/v1/shifts/current", params={"till_id": till_id})
        if current.status_code == 200:
            shift: JSON = current.json()
            return shift
        assert current.json()["error"] == "no_open_shift", current.text
        opened = await self.client.post(
            "/v1/shifts", json={"till_id": till_id, "float_total": float_total}
        )
        assert opened.status_code == 201, opened.text
        made: JSON = opened.json()
        return made

    async def sell(self, lines: list[tuple[str, int]], tendered: str = "1000.00") -> JSON:
        cart_id = str(uuid.uuid4())
        response = await self.client.post(
            "/v1/carts",
            json={
                "cart_id": cart_id,
                "till_id": "T1",
                "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
            },
        )
        assert response.status_code == 201, response.text
        response = await self.client.post(
            f"/v1/carts/{cart_id}/checkout",
            json={"tenders": [{"kind": "cash", "amount": tendered}]},
        )
        assert response.status_code == 201, response.text
        sale: JSON = response.json()
        return sale


async def make_edge(
    path: Path,
    hub: Hub,
    token: str | None,
    *,
    sync_now: bool = True,
    shift: bool = True,
    **settings: Any,
) -> Edge:
    """An edge node on a SQLite file whose network reaches `hub` in-process, enrolled if `token`."""
    link = Link(hub.transport)
    edge_settings = EdgeSettings(
        database_path=path,
        hub_url="http://hub",
        enrolment_token=SecretStr(token) if token else None,
        node_name="test-edge",
        clock_mode="manual",
        manual_clock_start=DEMO_START,
        **({"backoff_base_s": 0.01, "backoff_cap_s": 0.05} | settings),
    )
    runtime = await build_edge_runtime(edge_settings, hub_transport=link)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_edge_app(runtime, run_agent=False)),
        base_url="http://127.0.0.1",
    )
    edge = Edge(runtime, client, link, path)
    if token and sync_now:
        await edge.sync()
        await seed_staff(runtime)
        await edge.sign_in(shift=shift)
        await edge.sync()  # the sign-in's audit event is delivered: tests start even
    return edge


@cache
def _pin_hash(pin: str) -> str:
    return hash_pin(pin)


async def seed_staff(runtime: EdgeRuntime) -> None:
    """Give an enrolled edge the test staff as HQ's feed would (`staff` and `staff_pin`
    entries through the node's own feed appliers), unless it has them already."""
    identity = runtime.identity
    assert identity is not None, "enrol the edge first"
    entries = []
    for code, role in _ROLES.items():
        member = StaffV1(
            staff_code=code, name=f"Test {role}", role=role, stores=[identity.store_id]
        )
        entries.append(FeedEntry(cursor="0", entity="staff", key=code, op="upsert", version=1,
                                 payload=member.model_dump(mode="json")))  # fmt: skip
        pin = RecordUpdatedV1(entity="staff_pin", key=code, fields={
            "pin_hash": StampedValue(value=_pin_hash(STAFF_PINS[code]),
                                     hlc=f"{0:015d}-{0:06d}-hq")})  # fmt: skip
        entries.append(FeedEntry(cursor="0", entity="staff_pin", key=code, op="upsert", version=1,
                                 payload=pin.model_dump(mode="json")))  # fmt: skip

    def apply(uow: EdgeUnitOfWork) -> None:
        if uow.staff.get(CASHIER) is None:
            apply_feed_entries(entries, uow, now=uow.now())

    await runtime.write(apply)


async def close_edge(edge: Edge) -> None:
    await edge.client.aclose()
    await edge.runtime.stop()


def money(text: object) -> Decimal:
    return Decimal(str(text))


def sale_payload(receipt: str, lines: list[tuple[str, int, str]], day: str = "2010-12-01") -> JSON:
    """A sale.completed payload: lines of (sku, quantity, unit price), paid exactly in cash."""
    from shared.money import Money, line_total

    totals = [line_total(quantity, Decimal(price), "GBP") for _, quantity, price in lines]
    total = Money.sum(totals, "GBP")
    return {
        "sale_id": str(uuid.uuid4()),
        "receipt_number": receipt,
        "till_id": "T1",
        "business_day": day,
        "business_time": f"{day}T10:00:00+00:00",
        "currency": "GBP",
        "lines": [
            {
                "line_no": number,
                "sku": sku,
                "quantity": quantity,
                "unit_price": price,
                "line_total": str(amount.amount),
            }
            for number, ((sku, quantity, price), amount) in enumerate(
                zip(lines, totals, strict=True), start=1
            )
        ],
        "tenders": [
            {
                "tender_no": 1,
                "kind": "cash",
                "amount": str(total.amount),
                "tendered": str(total.amount),
                "change": "0",
            }
        ],
        "total": str(total.amount),
    }


def event(node: dict[str, str], seq: int, payload: JSON, kind: str = "sale.completed") -> JSON:
    """An uploaded event envelope of `node` (its store_id and node_id)."""
    return {
        "event_id": str(uuid.uuid4()),
        "store_id": node["store_id"],
        "node_id": node["node_id"],
        "seq": seq,
        "schema_version": 1,
        "hlc": f"001291197600000-{seq:06d}-{node['node_id']}",
        "occurred_at": "2010-12-01T10:00:00+00:00",
        "kind": kind,
        "payload": payload,
    }


def push_body(node: dict[str, str], events: list[JSON]) -> JSON:
    return {
        "protocol_version": 1,
        "store_id": node["store_id"],
        "node_id": node["node_id"],
        "sent_at": "2010-12-01T10:00:01+00:00",
        "events": events,
    }
