"""The simulated acquirer for tests: the real `vectis acquirer-sim` process (tests using it
live under tests/e2e, which may start processes), and a client with its API key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx

from vectis.ops.acquirer import AcquirerProcess

__all__ = ["AcquirerProcess", "acquirer_client", "running_acquirer"]


@asynccontextmanager
async def running_acquirer(
    work_dir: Path, *, currency: str = "GBP", manual_clock: datetime | None = None
) -> AsyncIterator[AcquirerProcess]:
    """An AcquirerProcess started in `work_dir` and stopped on the way out."""
    process = AcquirerProcess(work_dir, currency=currency, manual_clock=manual_clock)
    await process.start()
    try:
        yield process
    finally:
        process.stop()


def acquirer_client(acquirer: AcquirerProcess) -> httpx.AsyncClient:
    """An httpx client on the simulator's URL with its API key (close it, or use `async
    with`)."""
    return httpx.AsyncClient(base_url=acquirer.url, headers=acquirer.headers, trust_env=False)
