"""A real browser for the dashboard's tests: Debian's headless Chromium driven by Playwright
(no `playwright install`: the system's browser, with the launch flags ENVIRONMENT.md found to
work on these machines), axe-core's accessibility check, and a replayed business day served
by real hub and edge processes.

Only tests under tests/e2e may use it: it starts processes (tests/conftest.py enforces it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psutil
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright

from vectis.replay.driver import run_replay
from vectis.replay.options import ReplayOptions
from vectis.replay.result import ReplayResult

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]  # fmt: skip
DATASET = Path(__file__).parent.parent / "vectis/data/online_retail_2010-12-01_to_2010-12-14.csv.gz"
REPLAYED_DAY = date(2010, 12, 2)
# Where the pictures of the pages go: docs/screens when VECTIS_SCREENS_DIR says so (the
# docs' pictures are refreshed from these tests), a temporary folder otherwise.
SCREENS_DIR = os.environ.get("VECTIS_SCREENS_DIR")


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Headless Chromium, closed on leaving."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page as it stands (WCAG
    2.x A and AA rules and axe's best practices), each {id, impact, help, nodes}."""
    results = await Axe().run(page)
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


async def figure(page: Page, name: str) -> int:
    """The raw minor-unit value of `data-figure="name"` on the page (its `data-minor`)."""
    value = await page.locator(f'[data-figure="{name}"]').first.get_attribute("data-minor")
    assert value is not None and re.fullmatch(r"-?[0-9]+", value), (name, value)
    return int(value)


@dataclass
class ReplayedStore:
    """A business day of real sales replayed through a hub and one store's edge, all still
    running: `edge_url`, `hub_url`, `admin_token`, `result` (the reconciliation), and
    `stop_hub()` (SIGKILL to the hub process: HQ gone)."""

    result: ReplayResult
    edge_url: str
    hub_url: str
    admin_token: str

    def stop_hub(self) -> None:
        """Kill the hub's process (found by the port it listens on)."""
        port = int(self.hub_url.rsplit(":", 1)[1])
        for connection in psutil.net_connections("tcp"):
            if connection.laddr and connection.laddr.port == port and connection.status == "LISTEN":
                assert connection.pid is not None
                os.kill(connection.pid, signal.SIGKILL)
                return
        raise AssertionError(f"no process listens on {port}")


@asynccontextmanager
async def replayed_store(work_dir: Path, day: date = REPLAYED_DAY) -> AsyncIterator[ReplayedStore]:
    """Replay `day` of the bundled data set through store-1 (cards too) and hold the stack
    running while the caller uses it. Raises AssertionError if the replay does not reconcile."""
    ready: asyncio.Future[ReplayResult] = asyncio.get_running_loop().create_future()
    release = asyncio.Event()

    async def hold(result: ReplayResult) -> None:
        ready.set_result(result)
        await release.wait()

    options = ReplayOptions(
        dataset=DATASET, work_dir=work_dir, stores=1, first_day=day, last_day=day
    )
    task = asyncio.create_task(run_replay(options, on_result=hold))
    done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raises what the replay raised
        raise AssertionError("the replay ended before it served")
    result = ready.result()
    assert result.ok, result.mismatches
    urls = result.urls
    try:
        yield ReplayedStore(result, urls["store-1"], urls["hub"], urls["admin_token"])
    finally:
        release.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, timeout=120)
