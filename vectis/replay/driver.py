"""Replay of real sales through edge nodes: every invoice is rung up on a till, over HTTP.

For each store (invoices spread by `store_for`), one task walks its invoices in time order:
it moves the edge's driven clock to the invoice's time, opens a cart, scans the lines (the
file's unit price is charged, as a price override where it differs from the catalogue),
and tenders cash; a cancellation becomes a return without receipt. While the invoice time
is inside one of the store's offline windows, the store's proxy is cut and the edge sells
on, queueing its outbox. At the end every link is restored, every outbox must drain, and the
hub's report is compared with totals computed from the file alone.

Requests carry client-chosen ids derived from the store and invoice, so any request may be
retried (after a timeout or an edge restart) without selling anything twice.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from vectis.chaos import ChaosPolicy
from vectis.replay.dataset import (
    CURRENCY,
    VAT_CODE,
    VAT_RATE,
    Dataset,
    DatasetInvoice,
    SkippedLine,
    derive_catalogue,
    derive_opening_stock,
    parse_store,
    read_dataset,
    store_for,
    store_id,
    tax_code_of,
)
from vectis.replay.errors import ReplayError
from vectis.replay.hq import HqClient
from vectis.replay.reconcile import Mismatch, Report, compare, expected_report
from vectis.replay.stack import EdgeHandle, HubDatabaseKind, Stack

log = logging.getLogger("vectis.replay")

TIMEZONE = "Europe/London"
TILL_ID = "T1"
_IDS = uuid.UUID("6f1c2a52-2f0e-4a7e-9d55-7c2b3f7a9e10")


@dataclass(frozen=True, slots=True)
class OfflineWindow:
    """A span of dataset time during which one store cannot reach the hub."""

    store_no: int
    start: datetime
    end: datetime

    @classmethod
    def parse(cls, text: str, timezone: str = TIMEZONE) -> OfflineWindow:
        """`STORE,FROM,TO` with ISO date-times in dataset (store-local) time.

        Raises ValueError with what is wrong.
        """
        parts = [part.strip() for part in text.split(",")]
        if len(parts) != 3:
            raise ValueError(f"--offline {text!r}: expected STORE,FROM,TO")
        zone = ZoneInfo(timezone)
        try:
            store_no = parse_store(parts[0])
        except ValueError:
            raise ValueError(
                f"--offline {text!r}: {parts[0]!r} is not a store (2 or store-2)"
            ) from None
        try:
            start, end = (_local(part, zone) for part in parts[1:])
        except ValueError:
            raise ValueError(
                f"--offline {text!r}: FROM and TO must be ISO date-times, e.g. 2010-12-03T10:00"
            ) from None
        if end <= start:
            raise ValueError(f"--offline {text!r}: TO must be after FROM")
        return cls(store_no, start, end)

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _local(text: str, zone: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


@dataclass(slots=True)
class ReplayOptions:
    dataset: Path
    work_dir: Path
    stores: int = 2
    first_day: date | None = None
    last_day: date | None = None
    offline: list[OfflineWindow] = field(default_factory=list)
    hub_url: str | None = None
    admin_token: str | None = None
    hub_database: HubDatabaseKind = "sqlite"
    hub_database_url: str | None = None
    durable_postgres: bool = True
    scan: bool = True
    chaos_seed: int | None = None
    drain_timeout_s: float = 900.0
    ports: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Drain:
    """An edge that came back online and uploaded its backlog."""

    store_id: str
    events: int
    seconds: float


@dataclass(slots=True)
class ReplayResult:
    options: ReplayOptions
    expected: Report
    actual: Report
    mismatches: list[Mismatch]
    skipped: list[SkippedLine]
    refused: list[dict[str, str]]
    seconds: float
    lines: int
    drains: list[Drain]
    urls: dict[str, str]
    chaos: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def lines_per_s(self) -> float:
        return self.lines / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": {**self.expected.to_json(), "source": str(self.options.dataset)},
            "hub": self.actual.to_json(),
            "mismatches": [mismatch.to_json() for mismatch in self.mismatches],
            "skipped": [
                {"invoice": line.invoice_no, "stock_code": line.stock_code, "reason": line.reason}
                for line in self.skipped
            ]
            + self.refused,
            "timing": {
                "seconds": round(self.seconds, 3),
                "lines_per_s": round(self.lines_per_s, 1),
                "lines": self.lines,
                "drains": [
                    {
                        "store": drain.store_id,
                        "events": drain.events,
                        "seconds": round(drain.seconds, 3),
                    }
                    for drain in self.drains
                ],
            },
            "chaos": self.chaos,
            "stores": self.options.stores,
            "offline": [
                {
                    "store": store_id(window.store_no),
                    "from": window.start.isoformat(),
                    "to": window.end.isoformat(),
                }
                for window in self.options.offline
            ],
        }


class EdgeRefused(ReplayError):
    """The edge answered 4xx: the till would show this error to the cashier."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"edge refused ({status}): {body[:300]}")
        self.status = status
        self.body = body


class TillSession:
    """One store's till, driven over the edge's HTTP API from a thread of its own.

    A till sends one request at a time, so it uses the standard library's blocking client
    over a kept-alive connection: on these machines it costs a third of httpx's CPU per
    request, and the driver shares two cores with every process it drives.
    """

    def __init__(
        self, edge: EdgeHandle, *, scan: bool, stop: threading.Event | None = None
    ) -> None:
        self.edge = edge
        self.scan = scan
        self.stop = stop or threading.Event()
        self._connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One request, retried on connection errors and 5xx (the edge may be restarting).

        Raises EdgeRefused on 4xx, ReplayError if the edge stays unreachable for a minute.
        """
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        deadline = time.monotonic() + 60
        while True:
            if self.stop.is_set():
                raise ReplayError(f"{self.edge.store_id}: replay stopped")
            try:
                if self._connection is None:
                    self._connection = http.client.HTTPConnection(
                        "127.0.0.1", self.edge.port, timeout=120
                    )
                self._connection.request(method, path, body=payload, headers=headers)
                response = self._connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                self.close()
                if time.monotonic() > deadline:
                    raise ReplayError(
                        f"{self.edge.store_id}: {method} {path}: edge unreachable"
                    ) from None
                time.sleep(0.1)
                continue
            if response.status >= 500:
                if time.monotonic() > deadline:
                    raise ReplayError(f"{self.edge.store_id}: {method} {path} -> {response.status}")
                time.sleep(0.2)
                continue
            if response.status >= 400:
                raise EdgeRefused(response.status, data.decode(errors="replace"))
            return json.loads(data)

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call("GET", "/v1/status")
        return result

    def ring_up(self, invoice: DatasetInvoice) -> None:
        """Sell (or take back) one invoice, as a cashier would. Raises EdgeRefused."""
        self.call("PUT", "/v1/clock", {"now": invoice.business_time.isoformat()})
        key = f"{self.edge.store_id}/{invoice.invoice_no}"
        if invoice.kind == "return":
            self.call(
                "POST",
                "/v1/returns",
                {
                    "return_id": str(uuid.uuid5(_IDS, key)),
                    "till_id": TILL_ID,
                    "reason": "cancelled invoice",
                    "customer_id": invoice.customer_id,
                    "external_reference": invoice.invoice_no,
                    "lines": [
                        {
                            "sku": line.stock_code,
                            "quantity": -line.quantity,
                            "unit_price": str(line.unit_price),
                        }
                        for line in invoice.lines
                    ],
                },
            )
            return
        cart_id = str(uuid.uuid5(_IDS, key))
        lines = [
            {
                "line_id": str(uuid.uuid5(_IDS, f"{key}/{line.row_number}")),
                "sku": line.stock_code,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
            }
            for line in invoice.lines
        ]
        cart = self.call(
            "POST",
            "/v1/carts",
            {"cart_id": cart_id, "till_id": TILL_ID, "customer_id": invoice.customer_id}
            | ({} if self.scan else {"lines": lines}),
        )
        total = Decimal(cart["total"])
        if self.scan:
            for line in lines:
                total = Decimal(
                    self.call("POST", f"/v1/carts/{cart_id}/lines", {"lines": [line]})["total"]
                )
        tenders = [{"kind": "cash", "amount": str(_cash_handed_over(total))}] if total > 0 else []
        self.call(
            "POST",
            f"/v1/carts/{cart_id}/checkout",
            {"tenders": tenders, "external_reference": invoice.invoice_no},
        )


def _cash_handed_over(total: Decimal) -> Decimal:
    """What a customer hands over: the total rounded up to the next 5 pounds."""
    return (total / 5).to_integral_value(rounding=ROUND_CEILING) * 5


class StoreRun:
    """Replays one store's invoices on a thread; cuts and restores its link; times its drains."""

    def __init__(
        self,
        session: TillSession,
        invoices: list[DatasetInvoice],
        windows: list[OfflineWindow],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.session = session
        self.invoices = invoices
        self.windows = windows
        self.loop = loop
        self.refused: list[dict[str, str]] = []
        self.drains: list[Drain] = []
        self._watchers: list[threading.Thread] = []

    def _set_link(self, online: bool) -> None:
        # The proxy lives on the event loop; this runs on the store's thread.
        asyncio.run_coroutine_threadsafe(
            self.session.edge.proxy.set_online(online), self.loop
        ).result()

    def run(self) -> None:
        edge = self.session.edge
        for invoice in self.invoices:
            if self.session.stop.is_set():
                return
            offline = any(window.covers(invoice.business_time) for window in self.windows)
            if offline and edge.proxy.online:
                log.info("%s goes offline at %s", edge.store_id, invoice.business_time)
                self._set_link(False)
            elif not offline and not edge.proxy.online:
                self.reconnect()
            try:
                self.session.ring_up(invoice)
            except EdgeRefused as refusal:
                self.refused.extend(
                    {
                        "invoice": invoice.invoice_no,
                        "stock_code": line.stock_code,
                        "reason": str(refusal),
                    }
                    for line in invoice.lines
                )
        if not edge.proxy.online:
            self.reconnect()

    def reconnect(self) -> None:
        edge = self.session.edge
        outbox = self.session.status()["outbox"]
        target = int(outbox["last_seq"])
        backlog = target - int(outbox["acked_seq"])
        log.info("%s back online with %d events to upload", edge.store_id, backlog)
        self._set_link(True)
        watcher = threading.Thread(target=self._watch_drain, args=(target, backlog), daemon=True)
        watcher.start()
        self._watchers.append(watcher)

    def _watch_drain(self, target: int, backlog: int) -> None:
        session = TillSession(self.session.edge, scan=False)
        started = time.perf_counter()
        try:
            while int(session.status()["outbox"]["acked_seq"]) < target:
                time.sleep(0.05)
        finally:
            session.close()
        self.drains.append(
            Drain(self.session.edge.store_id, backlog, time.perf_counter() - started)
        )

    def finish(self, timeout_s: float) -> None:
        for watcher in self._watchers:
            watcher.join(timeout_s)


async def _kill_now_and_then(
    edge: EdgeHandle, seed: int | None, stop: asyncio.Event, kills: dict[str, int]
) -> None:
    """SIGKILL the edge at seeded random moments (every 4 to 15 s) and start it again on its file."""
    rng = random.Random((seed or 0) * 7919 + edge.store_no)
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=rng.uniform(4.0, 15.0))
            return
        except TimeoutError:
            pass
        await asyncio.to_thread(edge.process.kill)
        kills[edge.store_id] = kills.get(edge.store_id, 0) + 1
        log.info("%s killed (SIGKILL), restarting", edge.store_id)
        await edge.restart()


def wait_until_drained(sessions: list[TillSession], timeout_s: float) -> None:
    """Every edge has nothing left to upload. Raises ReplayError on timeout, naming the laggards."""
    deadline = time.monotonic() + timeout_s
    pending: dict[str, int] = {}
    while time.monotonic() < deadline:
        pending = {}
        for session in sessions:
            status = session.status()
            if status["sync"]["credential_rejected"]:
                raise ReplayError(
                    f"{session.edge.store_id}: the hub refuses its credential, so its outbox can "
                    f"never drain ({status['sync']['last_error']})"
                )
            outbox = status["outbox"]
            if outbox["pending"]:
                pending[session.edge.store_id] = outbox["pending"]
        if not pending:
            return
        time.sleep(0.1)
    raise ReplayError(f"outboxes did not drain in {timeout_s:.0f}s: {pending}")


def wait_for_catalogue(sessions: list[TillSession], products: int, timeout_s: float = 300) -> None:
    """Every edge is enrolled and has pulled the whole catalogue with prices."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        statuses = [session.status() for session in sessions]
        if all(
            status["enrolled"]
            and status["catalogue"]["products"] >= products
            and status["catalogue"]["prices"] >= products
            for status in statuses
        ):
            return
        time.sleep(0.2)
    raise ReplayError("edges did not receive the catalogue in time")


OnResult = Callable[[ReplayResult], Awaitable[None]]


async def run_replay(options: ReplayOptions, *, on_result: OnResult | None = None) -> ReplayResult:
    """Replay `options.dataset` and reconcile.

    `on_result` is awaited with the result while every process is still running (the demo
    prints where to reach them and waits there); the stack stops when it returns.
    Raises ReplayError (and ProcessFailed if a service does not start).
    """
    dataset = await asyncio.to_thread(
        read_dataset, options.dataset, first_day=options.first_day, last_day=options.last_day
    )
    if not dataset.invoices:
        raise ReplayError(
            f"no invoices in {options.dataset} between {options.first_day} and {options.last_day}"
        )
    for window in options.offline:
        if not 1 <= window.store_no <= options.stores:
            raise ReplayError(
                f"offline window for store {window.store_no}, but stores are 1..{options.stores}"
            )
    expected = expected_report(dataset, options.stores)
    options.work_dir = options.work_dir.resolve()
    options.work_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(work_dir=options.work_dir)
    try:
        return await _replay(dataset, expected, options, stack, on_result)
    finally:
        await stack.aclose()


async def _replay(
    dataset: Dataset,
    expected: Report,
    options: ReplayOptions,
    stack: Stack,
    on_result: OnResult | None,
) -> ReplayResult:
    if options.hub_url:
        if not options.admin_token:
            raise ReplayError("--hub-url needs the hub's admin token (VECTIS_HUB_ADMIN_TOKEN)")
        stack.use_hub(options.hub_url, options.admin_token)
    else:
        await stack.start_hub(
            options.hub_database,
            port=options.ports.get("hub"),
            durable_postgres=options.durable_postgres,
            database_url=options.hub_database_url,
        )
    hq = HqClient(stack.hub_url, stack.admin_token)
    sessions: list[TillSession] = []
    try:
        catalogue = derive_catalogue(dataset)
        opening = derive_opening_stock(dataset, options.stores)
        await hq.put_tax_rate(VAT_CODE, VAT_RATE)  # before the catalogue that names it
        erp_key = await hq.create_api_key("replay-erp", "erp")
        erp = HqClient(stack.hub_url, erp_key)
        try:
            await erp.import_catalogue(catalogue, CURRENCY, tax_code=tax_code_of)
            for number in range(1, options.stores + 1):
                await hq.ensure_store(store_id(number), f"Store {number}", TIMEZONE, CURRENCY)
                await erp.push_stock(store_id(number), opening.get(number, {}), "opening stock")
        finally:
            await erp.aclose()
        by_store: dict[int, list[DatasetInvoice]] = {
            number: [] for number in range(1, options.stores + 1)
        }
        for invoice in dataset.invoices:
            by_store[store_for(invoice, options.stores)].append(invoice)
        first_time = dataset.invoices[0].business_time
        stop = threading.Event()
        host, _, hub_port = stack.hub_url.removeprefix("http://").partition(":")
        policies: dict[int, ChaosPolicy] = {}
        for number in range(1, options.stores + 1):
            if options.chaos_seed is not None:
                policies[number] = ChaosPolicy(
                    options.chaos_seed * 1000 + number, host, int(hub_port)
                )
            token = await hq.enrolment_token(store_id(number))
            edge = await stack.start_edge(
                number,
                store_id(number),
                token,
                first_time,
                port=options.ports.get(store_id(number)),
                policy=policies.get(number),
            )
            sessions.append(TillSession(edge, scan=options.scan, stop=stop))
        try:
            await asyncio.to_thread(wait_for_catalogue, sessions, len(catalogue))
        except asyncio.CancelledError:
            stop.set()  # the thread polls the edges until told; the stack stops them next
            raise
        loop = asyncio.get_running_loop()
        runs = [
            StoreRun(
                session,
                by_store[session.edge.store_no],
                [window for window in options.offline if window.store_no == session.edge.store_no],
                loop,
            )
            for session in sessions
        ]
        started = time.perf_counter()
        killing = asyncio.Event()
        kills: dict[str, int] = {}
        killers = [
            asyncio.create_task(
                _kill_now_and_then(session.edge, options.chaos_seed, killing, kills)
            )
            for session in sessions
            if options.chaos_seed is not None
        ]
        try:
            await asyncio.gather(*(asyncio.to_thread(run.run) for run in runs))
        except BaseException:
            # Interrupted (Ctrl-C) or failed: let the till threads finish their current request.
            stop.set()
            raise
        finally:
            killing.set()
            await asyncio.gather(*killers, return_exceptions=True)
        await asyncio.to_thread(wait_until_drained, sessions, options.drain_timeout_s)
        for run in runs:
            await asyncio.to_thread(run.finish, options.drain_timeout_s)
        seconds = time.perf_counter() - started
        days = [invoice.business_day for invoice in dataset.invoices]
        actual = await hq.sales_report(
            options.first_day or min(days), options.last_day or max(days)
        )
        result = ReplayResult(
            options=options,
            expected=expected,
            actual=actual,
            mismatches=compare(expected, actual),
            skipped=list(dataset.skipped),
            refused=[refusal for run in runs for refusal in run.refused],
            seconds=seconds,
            lines=sum(len(invoice.lines) for invoice in dataset.invoices),
            drains=[drain for run in runs for drain in run.drains],
            chaos=(
                {
                    "seed": options.chaos_seed,
                    "faults": {
                        store_id(number): dict(policy.counts) for number, policy in policies.items()
                    },
                    "kills": kills,
                }
                if options.chaos_seed is not None
                else None
            ),
            urls={
                "hub": stack.hub_url,
                "admin_token": stack.admin_token,
                "hub_database": stack.hub_database,
                **{session.edge.store_id: session.edge.url for session in sessions},
                **{
                    f"{session.edge.store_id}_file": str(session.edge.database_path)
                    for session in sessions
                },
                "logs": str(options.work_dir / "logs"),
            },
        )
        if on_result is not None:
            await on_result(result)
        return result
    finally:
        for session in sessions:
            session.close()
        await hq.aclose()
