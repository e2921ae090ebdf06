"""`vectis bench till`: a signed-in till's latency through the edge's HTTP API, and its floor.

A real hub (SQLite) and a real edge process on loopback, 100,000 SKUs imported at the hub and
fed to the edge, the demo cashier signed in at till T1 with a shift open. One client thread
sends one request at a time over a kept-alive connection, as a till does:

- scan_p50_ms, scan_p99_ms: `POST /v1/carts/{id}/scans` of a random SKU (seeded), ten scans
  a cart, each cart then checked out untimed.
- checkout_p50_ms, checkout_p99_ms: `POST /v1/carts/{id}/checkout` of a four-line cart
  (opened and scanned untimed), paid in cash. No receipt printer is configured.
- edge_rss_mb: the edge process's resident memory after the run (edge_rss_peak_mb: its high
  water mark).
- sqlite_sale_txn_p50_ms, sqlite_sale_txn_p99_ms, the floor: the rows a checkout writes
  (receipt and outbox counters, the outbox event, the sale, its four lines, its tender, its
  receipt record, the cart closed), copied from a sale the edge made, written again with new
  keys by the stdlib driver in one BEGIN IMMEDIATE transaction each, on a copy of the edge's
  file with the edge's PRAGMAs (WAL, synchronous=FULL as a sale commits). No reads, no
  Python domain code, no HTTP: what SQLite alone costs. sqlite_scan_txn_* does the same for a
  scan (the product and price looked up, the line inserted, synchronous=NORMAL as a scan
  commits).
"""

from __future__ import annotations

import asyncio
import math
import os
import platform
import random
import sqlite3
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

import httpx
import psutil
from rich.console import Console
from rich.table import Table

from vectis.bench_sync import synthetic_catalogue
from vectis.progress import task
from vectis.replay.hq import DEMO_STAFF, HqClient
from vectis.replay.stack import EdgeHandle, Stack
from vectis.replay.till import TillSession

STORE_ID = "store-bench-till"
TILL_ID = "T1"
SCANS_PER_CART = 10
CHECKOUT_LINES = 4

TARGETS = {
    "scan_p50_ms": 3.0,
    "scan_p99_ms": 15.0,
    "checkout_p99_ms": 25.0,
    "edge_rss_mb": 200.0,
}


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `samples` (`fraction` 0.99 for p99). Raises ValueError
    on no samples."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass(frozen=True, slots=True)
class Latencies:
    """Durations of one kind of request or transaction, in seconds."""

    seconds: list[float]

    def figures(self, name: str) -> dict[str, float]:
        """`{name}_p50_ms`, `{name}_p99_ms`, `{name}_max_ms`, rounded to microseconds."""
        return {
            f"{name}_p50_ms": round(statistics.median(self.seconds) * 1000, 3),
            f"{name}_p99_ms": round(percentile(self.seconds, 0.99) * 1000, 3),
            f"{name}_max_ms": round(max(self.seconds) * 1000, 3),
        }


class TillDriver:
    """The till's requests, timed: a cashier signed in at TILL_ID through `session`."""

    def __init__(self, session: TillSession, skus: int, seed: int) -> None:
        self.session = session
        self.skus = skus
        self.random = random.Random(seed)

    def sku(self) -> str:
        return f"SKU{self.random.randrange(self.skus):06d}"

    def open_cart(self) -> str:
        cart_id = str(uuid.uuid4())
        self.session.call("POST", "/v1/carts", {"cart_id": cart_id, "till_id": TILL_ID})
        return cart_id

    def scan(self, cart_id: str) -> tuple[float, Decimal]:
        """One scan of a random SKU: (seconds, the cart's total after it)."""
        body = {"code": self.sku()}
        started = time.perf_counter()
        answer = self.session.call("POST", f"/v1/carts/{cart_id}/scans", body)
        return time.perf_counter() - started, Decimal(answer["total"])

    def checkout(self, cart_id: str, total: Decimal) -> float:
        """Pay the cart in cash, the total rounded up to a whole unit: seconds."""
        tendered = total.quantize(Decimal(1), rounding=ROUND_CEILING)
        body = {"tenders": [{"kind": "cash", "amount": f"{tendered:.2f}"}]}
        started = time.perf_counter()
        self.session.call("POST", f"/v1/carts/{cart_id}/checkout", body)
        return time.perf_counter() - started

    def scans(self, count: int) -> Latencies:
        """`count` timed scans, SCANS_PER_CART a cart, each cart checked out untimed."""
        timed: list[float] = []
        while len(timed) < count:
            cart_id = self.open_cart()
            total = Decimal(0)
            for _ in range(min(SCANS_PER_CART, count - len(timed))):
                seconds, total = self.scan(cart_id)
                timed.append(seconds)
            self.checkout(cart_id, total)
        return Latencies(timed)

    def checkouts(self, count: int) -> Latencies:
        """`count` timed checkouts of carts of CHECKOUT_LINES lines scanned untimed."""
        timed = []
        for _ in range(count):
            cart_id = self.open_cart()
            total = Decimal(0)
            for _ in range(CHECKOUT_LINES):
                _, total = self.scan(cart_id)
            timed.append(self.checkout(cart_id, total))
        return Latencies(timed)


async def _wait_for_catalogue(edge: EdgeHandle, skus: int, timeout_s: float) -> None:
    """Until the edge is enrolled and holds `skus` prices (a bar counts them). Raises
    TimeoutError."""
    deadline = time.monotonic() + timeout_s
    with task("the edge pulling the catalogue", total=skus, unit="SKUs") as pulled:
        async with httpx.AsyncClient(base_url=edge.url, trust_env=False, timeout=30) as client:
            while True:
                status = (await client.get("/v1/status")).json()
                pulled.set(int(status["catalogue"]["prices"]))
                if status["enrolled"] and status["catalogue"]["prices"] >= skus:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the edge holds {status['catalogue']} of {skus} SKUs")
                await asyncio.sleep(0.2)


def memory_mb(pid: int) -> tuple[float, float | None]:
    """(resident, peak resident) memory of process `pid` in MiB; the peak from
    /proc/<pid>/status VmHWM where there is one (Linux), else None."""
    resident = psutil.Process(pid).memory_info().rss / 2**20
    peak = None
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return resident, peak


def _connect(path: Path) -> sqlite3.Connection:
    """A connection with the edge's PRAGMAs (edge.adapters.database), transactions ours."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.row_factory = sqlite3.Row
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=FULL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=30000",
    ):
        connection.execute(pragma)
    return connection


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite file (the backup API; the edge keeps running)."""
    target.unlink(missing_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as reading:
        writing = sqlite3.connect(target)
        try:
            reading.backup(writing)
        finally:
            writing.close()


def _insert(table: str, row: dict[str, Any]) -> tuple[str, list[Any]]:
    columns = list(row)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [row[column] for column in columns],
    )


def _one(connection: sqlite3.Connection, query: str, *parameters: Any) -> dict[str, Any]:
    row = connection.execute(query, parameters).fetchone()
    if row is None:
        raise LookupError(f"nothing for {query} {parameters}")
    return dict(row)


def _all(connection: sqlite3.Connection, query: str, *parameters: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in connection.execute(query, parameters).fetchall()]


def _timed(connection: sqlite3.Connection, count: int, work: Callable[[int], None]) -> Latencies:
    timed = []
    for number in range(count):
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        try:
            work(number)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        timed.append(time.perf_counter() - started)
    return Latencies(timed)


def sqlite_floor(path: Path, sales: int, scans: int, skus: int, seed: int) -> dict[str, Latencies]:
    """The floor on `path` (a copy of the edge's file holding sales of CHECKOUT_LINES lines):
    `sales` sale transactions and `scans` scan transactions, as the module docstring says.
    Returns {"sale": ..., "scan": ...}."""
    connection = _connect(path)
    try:
        sale = _one(
            connection,
            "SELECT * FROM sale WHERE sale_id IN (SELECT sale_id FROM sale_line GROUP BY sale_id"
            " HAVING count(*) = ?) ORDER BY event_seq DESC LIMIT 1",
            CHECKOUT_LINES,
        )
        lines = _all(connection, "SELECT * FROM sale_line WHERE sale_id = ?", sale["sale_id"])
        tenders = _all(connection, "SELECT * FROM tender WHERE document_id = ?", sale["sale_id"])
        event = _one(connection, "SELECT * FROM outbox WHERE seq = ?", sale["event_seq"])
        printed = _one(
            connection, "SELECT * FROM receipt_print WHERE document_id = ?", sale["sale_id"]
        )
        cart = _one(connection, "SELECT * FROM cart WHERE cart_id = ?", sale["cart_id"])
        cart_line = _one(connection, "SELECT * FROM cart_line WHERE cart_id = ?", sale["cart_id"])
        hlc = _one(connection, "SELECT last_hlc FROM node")["last_hlc"]
        # The carts the sales close, open as a checkout finds them: written before the clock.
        cart_ids = [str(uuid.uuid4()) for _ in range(max(sales, 1))]
        connection.execute("BEGIN IMMEDIATE")
        for cart_id in cart_ids:
            statement, values = _insert(
                "cart",
                cart | {"cart_id": cart_id, "status": "open", "closed_at": None, "sale_id": None},
            )
            connection.execute(statement, values)
        connection.execute("COMMIT")

        def write_sale(number: int) -> None:
            sale_id = str(uuid.uuid4())
            (counter,) = connection.execute(
                "UPDATE node SET receipt_counter = receipt_counter + 1 RETURNING receipt_counter"
            ).fetchone()
            (seq,) = connection.execute(
                "UPDATE node SET last_seq = last_seq + 1 RETURNING last_seq"
            ).fetchone()
            connection.execute(
                *_insert("outbox", event | {"seq": seq, "event_id": str(uuid.uuid4())})
            )
            connection.execute("UPDATE node SET last_hlc = ?", (hlc,))
            connection.execute(
                *_insert(
                    "sale",
                    sale
                    | {
                        "sale_id": sale_id,
                        "receipt_number": f"{TILL_ID}-{counter:07d}",
                        "cart_id": cart_ids[number],
                        "event_seq": seq,
                    },
                )
            )
            rows = [line | {"sale_id": sale_id} for line in lines]
            statement, _ = _insert("sale_line", rows[0])
            connection.executemany(statement, [list(row.values()) for row in rows])
            for tender in tenders:
                connection.execute(*_insert("tender", tender | {"document_id": sale_id}))
            statement, values = _insert("receipt_print", printed | {"document_id": sale_id})
            connection.execute(f"{statement} ON CONFLICT (document_id) DO NOTHING", values)
            connection.execute(
                "UPDATE cart SET status = 'checked_out', closed_at = ?, sale_id = ?"
                " WHERE cart_id = ?",
                (sale["business_time"], sale_id, cart_ids[number]),
            )

        sale_figures = _timed(connection, sales, write_sale)
        connection.execute("PRAGMA synchronous=NORMAL")
        chosen = random.Random(seed)
        position = iter(range(10_000, 10_000 + scans))

        def write_scan(_: int) -> None:
            sku = f"SKU{chosen.randrange(skus):06d}"
            connection.execute("SELECT * FROM product WHERE sku = ?", (sku,)).fetchone()
            connection.execute("SELECT * FROM price WHERE sku = ?", (sku,)).fetchall()
            connection.execute(
                *_insert(
                    "cart_line",
                    cart_line
                    | {
                        "line_id": str(uuid.uuid4()),
                        "cart_id": cart_ids[0],
                        "position": next(position),
                        "sku": sku,
                    },
                )
            )

        scan_figures = _timed(connection, scans, write_scan)
        return {"sale": sale_figures, "scan": scan_figures}
    finally:
        connection.close()


async def bench_till(
    *,
    work_dir: Path,
    console: Console,
    skus: int = 100_000,
    scans: int = 2000,
    checkouts: int = 300,
    warmup: int = 200,
    seed: int = 13,
) -> dict[str, Any]:
    """Run the bench (module docstring) and print its table; returns the figures (JSON)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(work_dir=work_dir)
    figures: dict[str, Any] = {}
    try:
        await stack.start_hub("sqlite")
        hq = HqClient(stack.hub_url, stack.admin_token)
        try:
            await hq.ensure_store(STORE_ID, "Bench till", "Europe/London", "GBP")
            for member in DEMO_STAFF:
                await hq.ensure_staff(member, [STORE_ID])
            console.print(f"bench till: importing {skus:,} SKUs at the hub...")
            started = time.perf_counter()
            with task(f"importing {skus:,} SKUs at the hub"):
                await hq.import_catalogue(synthetic_catalogue(skus), "GBP")
            figures["import_s"] = round(time.perf_counter() - started, 2)
            token = await hq.enrolment_token(STORE_ID)
        finally:
            await hq.aclose()
        started = time.perf_counter()
        edge = await stack.start_edge(
            1, STORE_ID, token, datetime(2011, 1, 3, 9, tzinfo=UTC), sync_interval_s=1.0
        )
        await _wait_for_catalogue(edge, skus, 900)
        figures["edge_catalogue_s"] = round(time.perf_counter() - started, 2)
        assert edge.process.pid is not None
        figures["edge_rss_mb_before"] = round(memory_mb(edge.process.pid)[0], 1)
        console.print("bench till: signing in, opening the shift, warming up...")
        session = TillSession(edge, scan=True)
        try:
            await asyncio.to_thread(session.sign_in, 120)
            await asyncio.to_thread(
                session.call,
                "POST",
                "/v1/shifts",
                {"till_id": TILL_ID, "float_total": "100.00"},
            )
            driver = TillDriver(session, skus, seed)
            await asyncio.to_thread(driver.scans, warmup)
            await asyncio.to_thread(driver.checkouts, max(1, warmup // 10))
            console.print(f"bench till: {scans:,} scans, {checkouts:,} checkouts...")
            scanned = await asyncio.to_thread(driver.scans, scans)
            checked_out = await asyncio.to_thread(driver.checkouts, checkouts)
        finally:
            session.close()
        resident, peak = memory_mb(edge.process.pid)
        console.print("bench till: the floor, on a copy of the edge's file...")
        floor_path = work_dir / "floor.db"
        await asyncio.to_thread(copy_database, edge.database_path, floor_path)
        floor = await asyncio.to_thread(sqlite_floor, floor_path, checkouts, scans, skus, seed)
    finally:
        await stack.aclose()
    figures |= scanned.figures("scan") | checked_out.figures("checkout")
    figures["edge_rss_mb"] = round(resident, 1)
    figures["edge_rss_peak_mb"] = round(peak, 1) if peak is not None else None
    figures |= floor["sale"].figures("sqlite_sale_txn") | floor["scan"].figures("sqlite_scan_txn")
    figures["checkout_vs_floor_p50"] = _ratio(
        figures["checkout_p50_ms"], figures["sqlite_sale_txn_p50_ms"]
    )
    figures["checkout_vs_floor_p99"] = _ratio(
        figures["checkout_p99_ms"], figures["sqlite_sale_txn_p99_ms"]
    )
    figures["scan_vs_floor_p50"] = _ratio(figures["scan_p50_ms"], figures["sqlite_scan_txn_p50_ms"])
    figures["scan_vs_floor_p99"] = _ratio(figures["scan_p99_ms"], figures["sqlite_scan_txn_p99_ms"])
    figures["samples"] = {"skus": skus, "scans": scans, "checkouts": checkouts, "warmup": warmup}
    figures["floor"] = (
        "the rows of a checkout (counters, outbox event, sale, 4 lines, tender, receipt record, "
        "cart closed) in one BEGIN IMMEDIATE transaction, stdlib sqlite3, WAL, synchronous=FULL, "
        "on a copy of the edge's file; a scan: product and price looked up, a cart line "
        "inserted, synchronous=NORMAL"
    )
    figures["targets"] = {
        name: {"target": f"<= {limit:g}", "met": figures[name] <= limit}
        for name, limit in TARGETS.items()
    }
    figures["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
    }
    console.print(_table(figures))
    return figures


def _ratio(value: float, floor: float) -> float | None:
    return round(value / floor, 1) if floor > 0 else None


def _table(figures: dict[str, Any]) -> Table:
    table = Table(
        title=f"vectis bench till: {figures['samples']['skus']:,} SKUs, one till over HTTP"
    )
    for column in ("figure", "ms", "target", "met", "floor (SQLite alone)", "x floor"):
        table.add_column(column, justify="right")
    rows = (
        ("scan_p50_ms", "sqlite_scan_txn_p50_ms", "scan_vs_floor_p50"),
        ("scan_p99_ms", "sqlite_scan_txn_p99_ms", "scan_vs_floor_p99"),
        ("checkout_p50_ms", "sqlite_sale_txn_p50_ms", "checkout_vs_floor_p50"),
        ("checkout_p99_ms", "sqlite_sale_txn_p99_ms", "checkout_vs_floor_p99"),
    )
    for name, floor, ratio in rows:
        target = figures["targets"].get(name)
        table.add_row(
            name,
            str(figures[name]),
            target["target"] if target else "",
            str(target["met"]) if target else "",
            f"{figures[floor]} ({floor})",
            str(figures[ratio]),
        )
    target = figures["targets"]["edge_rss_mb"]
    table.add_row(
        "edge_rss_mb", str(figures["edge_rss_mb"]), target["target"], str(target["met"]), "", ""
    )
    return table
