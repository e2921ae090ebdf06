"""A real store for the till's UI tests: a hub process on PostgreSQL, one edge process, the
simulated card acquirer and a scale, all on loopback, run on an event loop of their own.

Why a loop of its own: the edge reaches the hub and the acquirer through FaultProxy objects
that live in this (the test) process. On pytest's session loop they would stall whenever
that loop is not running, which is the whole of a synchronous test such as a snapshot test
(`snap_compare` runs the app with `App.run`, that is `asyncio.run`, on a new loop): the edge
would see its hub vanish and the screenshots would show a till that is offline. Here the
proxies keep forwarding whatever loop the test runs, and `UiStore`'s async methods may be
awaited from any loop (a test's, or the app's inside `run_before`).

Only tests under tests/e2e may use it: it starts processes (tests/conftest.py enforces it).
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx
from stdnum import ean

from vectis.ops.postgres import free_port
from vectis.proxy import AbortConnection, Chunk, Direction, FaultProxy, NoFaults
from vectis.replay.hq import DEMO_STAFF, HqClient, StaffMember
from vectis.replay.stack import EdgeHandle, Stack

T = TypeVar("T")

STORE_ID = "store-1"
TILL_ID = "T1"
CURRENCY = "GBP"
VAT_CODE = "STD"
VAT_RATE = Decimal(20)
# The edge runs a manual clock that stands still at this instant (a Monday morning in
# London) unless a test moves it (PUT /v1/clock): status bars and receipts are the same on
# every run, which snapshot tests need.
CLOCK_START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
CASHIER: StaffMember = DEMO_STAFF[0]  # 1001 / 1234
MANAGER: StaffMember = DEMO_STAFF[1]  # 9001 / 9999
# What lies on the platter of till T1's scale when the store starts (kg, gross, no tare).
SCALE_START_KG = Decimal("0.735")
# Test cards of the simulated acquirer (docs/payments.md).
CARD_APPROVED = "4242424242424242"
CARD_DECLINED = "4000000000000002"


def gtin13(first_12_digits: str) -> str:
    """A GTIN-13: the 12 digits given and their GS1 check digit (python-stdnum)."""
    return first_12_digits + ean.calc_check_digit(first_12_digits)


def gtin8(first_7_digits: str) -> str:
    """A GTIN-8: the 7 digits given and their GS1 check digit."""
    return first_7_digits + ean.calc_check_digit(first_7_digits)


@dataclass(frozen=True, slots=True)
class UiItem:
    """One product of the test catalogue as HQ imports it (price in GBP, VAT included)."""

    sku: str
    description: str
    unit_price: Decimal
    gtin: str | None = None
    unit: Literal["each", "kg"] = "each"
    kind: Literal["stock", "non_stock", "gift_card"] = "stock"

    @property
    def tax_code(self) -> str | None:
        """Gift cards are outside VAT when sold; everything else is standard-rated."""
        return None if self.kind == "gift_card" else VAT_CODE


TEA = UiItem("TEA-80", "Tea bags x80", Decimal("2.50"), gtin13("501234500001"))
MILK = UiItem("MILK-1L", "Semi-skimmed milk 1 l", Decimal("1.15"), gtin13("501234500002"))
BREAD = UiItem("BREAD-800", "White loaf 800 g", Decimal("1.40"), gtin13("501234500003"))
CHOCOLATE = UiItem("CHOC-45", "Milk chocolate 45 g", Decimal("0.85"), gtin8("5012345"))
KETTLE = UiItem("KETTLE-17", "Kettle 1.7 l", Decimal("24.99"), gtin13("501234500004"))
# Sold by weight: its GTIN-13 is the key of weight labels of template 21 (item 00123), as
# docs/counter.md keys them (prefix + item reference, value digits zero).
APPLES = UiItem("APPLE-KG", "Apples, loose (per kg)", Decimal("2.20"), gtin13("210012300000"), "kg")
GIFT_CARD = UiItem("gift_0001_10", "Gift card 10.00", Decimal("10.00"), kind="gift_card")
CATALOGUE: tuple[UiItem, ...] = (TEA, MILK, BREAD, CHOCOLATE, KETTLE, APPLES, GIFT_CARD)


def weight_label(item: UiItem, weight_kg: Decimal) -> str:
    """The GTIN-13 a scale prints on a bag of `item` weighing `weight_kg` (template 21:
    `21 IIIII WWWWW C`, grams). Raises ValueError for an item without a weight-label key."""
    if item.gtin is None or not item.gtin.startswith("21") or len(item.gtin) != 13:
        raise ValueError(f"{item.sku} has no weight-label GTIN")
    grams = int((weight_kg * 1000).to_integral_value())
    if not 0 < grams <= 99_999:
        raise ValueError(f"{weight_kg} kg does not fit a weight label")
    return gtin13(f"{item.gtin[:7]}{grams:05d}")


class _RigLoop:
    """An event loop on a thread of its own; coroutines are handed to it from any thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="ui-store-rig", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    async def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the rig's loop; await its result on the caller's loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=30)
        self.loop.close()


class UiStore:
    """store-1 as a till sees it: a hub, its edge (till T1 signs in there), the acquirer and
    till T1's scale, all real processes. Build it with `running_ui_store`.

    Attributes: `edge_url` (str, http://127.0.0.1:port), `till_id` ("T1"), `store_id`
    ("store-1"), `hub_url`, `admin_token`, `hq` (an HqClient for the test's own loop),
    `cashier` / `manager` (StaffMember: 1001/1234, 9001/9999), `catalogue` (UiItems),
    `clock_start` (the edge's standing clock), `work_dir` (processes' files and logs under
    `logs/`).
    """

    def __init__(self, rig: _RigLoop, stack: Stack, edge: EdgeHandle, scale: _Scale) -> None:
        self._rig = rig
        self._stack = stack
        self._edge = edge
        self._scale = scale
        self.till_id = TILL_ID
        self.store_id = STORE_ID
        self.hub_url = stack.hub_url
        self.admin_token = stack.admin_token
        self.hq = HqClient(stack.hub_url, stack.admin_token)
        self.cashier = CASHIER
        self.manager = MANAGER
        self.catalogue = CATALOGUE
        self.clock_start = CLOCK_START
        self.work_dir = stack.work_dir

    @property
    def edge_url(self) -> str:
        return self._edge.url

    def new_hq(self) -> HqClient:
        """A fresh HqClient (close it with `aclose`): for code on another loop than the one
        `hq` first ran on, e.g. `run_before` of a snapshot test."""
        return HqClient(self.hub_url, self.admin_token)

    async def cut_hub(self) -> None:
        """Cut the edge's link to the hub (its proxy refuses and resets connections): the
        store is offline for sync, gift cards and store credit; cards still reach the
        acquirer."""
        await self._rig.call(self._edge.proxy.set_online(False))

    async def restore_hub(self) -> None:
        await self._rig.call(self._edge.proxy.set_online(True))

    async def cut_cards(self) -> None:
        """Cut the edge's link to the acquirer: card tenders are stored offline within the
        store's limits (docs/counter.md, "Tenders")."""
        assert self._edge.acquirer_proxy is not None
        await self._rig.call(self._edge.acquirer_proxy.set_online(False))

    async def restore_cards(self) -> None:
        assert self._edge.acquirer_proxy is not None
        await self._rig.call(self._edge.acquirer_proxy.set_online(True))

    async def kill_edge(self) -> None:
        """SIGKILL the edge process: what it committed stays in its SQLite file."""
        await self._rig.call(asyncio.to_thread(self._edge.process.kill))

    async def restart_edge(self) -> None:
        """Start the edge again on the same file and port and wait until it answers /health.
        Raises ProcessFailed."""
        await self._rig.call(self._edge.restart())

    async def set_scale_weight(self, gross_kg: Decimal) -> None:
        """Put `gross_kg` on till T1's scale platter (kg, 3 places)."""
        await self._rig.call(self._scale.control(f"SIM W {gross_kg:.3f}"))

    def printed(self) -> bytes:
        """The last receipt till T1's printer printed (ESC/POS; the file sink replaces it on
        every print), b"" before the first."""
        path = printer_file(self.work_dir)
        return path.read_bytes() if path.exists() else b""

    async def set_scale_unstable(self, weighings: int) -> None:
        """Make the next `weighings` readings of till T1's scale unstable (0 ends it)."""
        await self._rig.call(self._scale.control(f"SIM U {weighings}"))

    async def kill_edge_when_the_acquirer_answers(self) -> None:
        """Arm the edge's link to the acquirer for one shot: the acquirer's next answer is
        lost and the edge is SIGKILLed that moment (the card is charged; the edge never
        hears it). Restart it with `restart_edge`."""
        proxy = self._edge.acquirer_proxy
        assert proxy is not None
        proxy.policy = _KillOnAnswer(self._edge, proxy)

    async def card_captures(self) -> list[dict[str, Any]]:
        """The acquirer's captures of today (UTC), as its settlement report lists them."""
        acquirer = self._stack.acquirer
        assert acquirer is not None
        today = datetime.now(UTC).date()
        report = await self._rig.call(acquirer.settlement(today))
        return [item for item in report["items"] if item["kind"] == "capture"]


class _KillOnAnswer:
    """A FaultPolicy: the first chunk coming back from the acquirer is dropped, the edge
    killed, and the link goes back to forwarding everything (vectis/proxy.py)."""

    def __init__(self, edge: EdgeHandle, proxy: FaultProxy) -> None:
        self._edge = edge
        self._proxy = proxy

    async def on_chunk(self, chunk: Chunk) -> Sequence[bytes]:
        if chunk.direction is Direction.DOWN:
            self._proxy.policy = NoFaults()
            self._edge.process.kill()
            raise AbortConnection
        return (chunk.data,)


def printer_file(work_dir: Path) -> Path:
    """Where till T1's receipt printer writes (ESC/POS bytes appended to a file)."""
    return work_dir / "printer-T1.bin"


class _Scale:
    """`python -m edge.scale.simulator` (MT-SICS on loopback), the scale of till T1."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.port = port

    @classmethod
    async def start(cls, gross_kg: Decimal) -> _Scale:
        port = free_port()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "edge.scale.simulator", "--port", str(port), "--weight", f"{gross_kg:.3f}"),
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode().strip()
        if line != f"scale simulator listening on 127.0.0.1:{port}":
            process.kill()
            await process.wait()
            raise RuntimeError(f"the scale simulator did not start: {line!r}")
        return cls(process, port)

    async def control(self, command: str) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(f"{command}\r\n".encode())
            answer = (await reader.readline()).decode().strip()
        finally:
            writer.close()
            await writer.wait_closed()
        if answer != "SIM A":
            raise RuntimeError(f"the scale refused {command!r}: {answer!r}")

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()


async def _import_catalogue(hub_url: str, admin_token: str, items: tuple[UiItem, ...]) -> None:
    """POST /v1/catalogue/import with GTINs and units (HqClient.import_catalogue sends
    neither). Raises httpx.HTTPStatusError."""
    body = {
        "items": [
            {
                "sku": item.sku,
                "description": item.description,
                "kind": item.kind,
                "unit": item.unit,
                "unit_price": str(item.unit_price),
                "currency": CURRENCY,
                "tax_code": item.tax_code,
                **({"gtin": item.gtin} if item.gtin else {}),
            }
            for item in items
        ]
    }
    async with httpx.AsyncClient(base_url=hub_url, trust_env=False, timeout=60) as client:
        answer = await client.post(
            "/v1/catalogue/import", json=body, headers={"Authorization": f"Bearer {admin_token}"}
        )
    answer.raise_for_status()


async def _wait_for_catalogue(edge_url: str, prices: int, timeout_s: float = 120) -> None:
    """Wait until the edge holds `prices` prices (its /v1/status). Raises TimeoutError."""
    async with httpx.AsyncClient(base_url=edge_url, trust_env=False, timeout=10) as client:
        async with asyncio.timeout(timeout_s):
            while (await client.get("/v1/status")).json()["catalogue"]["prices"] < prices:
                await asyncio.sleep(0.1)


async def _start(
    work_dir: Path, database_url: str, temporal_address: str | None
) -> tuple[Stack, EdgeHandle, _Scale]:
    work_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(work_dir=work_dir)
    scale: _Scale | None = None
    # with Temporal the hub's lifespan runs the refund approval worker, on a queue of its own
    hub_settings = (
        {
            "VECTIS_HUB_TEMPORAL_ADDRESS": temporal_address,
            "VECTIS_HUB_TEMPORAL_TASK_QUEUE": f"ui-{uuid.uuid4().hex[:12]}",
        }
        if temporal_address
        else None
    )
    try:
        await stack.start_hub("postgres", database_url=database_url, settings=hub_settings)
        await stack.start_acquirer()
        hq = HqClient(stack.hub_url, stack.admin_token)
        try:
            await hq.ensure_store(STORE_ID, "Store 1", "Europe/London", CURRENCY)
            for member in DEMO_STAFF:
                await hq.ensure_staff(member, [STORE_ID])
            await hq.put_tax_rate(VAT_CODE, VAT_RATE)
            await _import_catalogue(stack.hub_url, stack.admin_token, CATALOGUE)
            token = await hq.enrolment_token(STORE_ID)
        finally:
            await hq.aclose()
        scale = await _Scale.start(SCALE_START_KG)
        edge = await stack.start_edge(
            1,
            STORE_ID,
            token,
            CLOCK_START,
            sync_interval_s=0.2,
            settings={
                "VECTIS_EDGE_SCALES": json.dumps({TILL_ID: f"127.0.0.1:{scale.port}"}),
                "VECTIS_EDGE_PRINTERS": json.dumps({TILL_ID: f"file:{printer_file(work_dir)}"}),
            },
        )
        await _wait_for_catalogue(edge.url, len(CATALOGUE))
        return stack, edge, scale
    except BaseException:
        if scale is not None:
            await scale.stop()
        await stack.aclose()
        raise


@asynccontextmanager
async def running_ui_store(
    work_dir: Path, database_url: str, temporal_address: str | None = None
) -> AsyncIterator[UiStore]:
    """Start the store (hub on `database_url`, an empty PostgreSQL database; processes' files
    in `work_dir`), yield it once the edge holds the whole catalogue, and stop every process
    on the way out. With `temporal_address` (host:port of a Temporal server) the hub runs
    refund approvals on it, so HQ can decide them (`POST /v1/refund-requests/{id}/decision`);
    without, those decisions answer 503. Raises ProcessFailed (a process did not start) or
    TimeoutError (the catalogue did not reach the edge in 120 s)."""
    rig = _RigLoop()
    try:
        stack, edge, scale = await rig.call(_start(work_dir, database_url, temporal_address))
        store = UiStore(rig, stack, edge, scale)
        try:
            yield store
        finally:
            await store.hq.aclose()
            await rig.call(scale.stop())
            await rig.call(stack.aclose())
    finally:
        rig.close()
