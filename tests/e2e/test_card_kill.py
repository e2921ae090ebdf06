"""A till process SIGKILLed between the card's capture and the sale's commit: the capture
reached the real acquirer, its answer never reached the till, the till died; restarted on
its file, the cashier retries the checkout and the card is charged exactly once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tests.acquirer_support import AcquirerProcess, running_acquirer
from tests.e2e.test_processes import stack, start_store  # noqa: F401 (the stack fixture)
from tests.support import TillSession
from vectis.proxy import Chunk, Direction, FaultProxy
from vectis.replay.hq import DEMO_STAFF
from vectis.replay.stack import Stack


class HoldAnswers:
    """Lets requests through to the acquirer and holds every answer while `holding`."""

    def __init__(self) -> None:
        self.holding = False
        self.released = asyncio.Event()
        self.held = 0

    async def on_chunk(self, chunk: Chunk) -> Sequence[bytes]:
        if chunk.direction is Direction.DOWN and self.holding:
            self.held += 1
            await self.released.wait()
            return ()
        return (chunk.data,)


def today() -> str:
    return datetime.now(UTC).date().isoformat()


async def test_a_till_killed_between_capture_and_commit_charges_the_card_once(
    stack: Stack,  # noqa: F811
    tmp_path: Path,
) -> None:
    policy = HoldAnswers()
    async with running_acquirer(tmp_path / "acquirer") as acquirer:
        async with FaultProxy("127.0.0.1", acquirer.port, name="card-link", policy=policy) as link:
            await run_the_kill(stack, acquirer, link, policy)


async def run_the_kill(
    running: Stack, acquirer: AcquirerProcess, link: FaultProxy, policy: HoldAnswers
) -> None:
    edge, _ = await start_store(
        running,
        settings={
            "VECTIS_EDGE_ACQUIRER_URL": link.url,
            "VECTIS_EDGE_ACQUIRER_API_KEY": acquirer.api_key,
            "VECTIS_EDGE_ACQUIRER_TIMEOUT_S": "60",
        },
    )
    cashier = DEMO_STAFF[0]
    cart_id = str(uuid.uuid4())
    checkout = {"tenders": [{"kind": "card", "amount": "30.00", "card": "4242424242424242"}]}
    async with httpx.AsyncClient(base_url=edge.url, trust_env=False, timeout=90) as client:
        client.auth = TillSession("T1", cashier.staff_code, cashier.pin)
        opened = await client.post("/v1/shifts", json={"till_id": "T1", "float_total": "0"})
        assert opened.status_code == 201, opened.text
        lines = [{"sku": "SKU1", "quantity": 24}]  # 24 x 1.25 = 30.00
        cart = await client.post(
            "/v1/carts", json={"cart_id": cart_id, "till_id": "T1", "lines": lines}
        )
        assert cart.status_code == 201, cart.text
        policy.holding = True
        paying = asyncio.create_task(client.post(f"/v1/carts/{cart_id}/checkout", json=checkout))
        for _ in range(300):  # the capture reaches the acquirer; its answer is held
            if (await acquirer.settlement(today()))["count"] == 1 and policy.held:
                break
            await asyncio.sleep(0.1)
        edge.process.kill()
        try:
            await paying
        except httpx.HTTPError:
            pass
        policy.holding = False
        policy.released.set()
    await edge.restart()

    async with httpx.AsyncClient(base_url=edge.url, trust_env=False, timeout=90) as client:
        client.auth = TillSession("T1", cashier.staff_code, cashier.pin)
        retried = await client.post(f"/v1/carts/{cart_id}/checkout", json=checkout)
        assert retried.status_code == 201, retried.text
        tender = retried.json()["tenders"][0]
        again = await client.post(f"/v1/carts/{cart_id}/checkout", json=checkout)

    assert tender["card"]["status"] == "captured" and tender["card"]["transaction_id"]
    assert again.status_code == 200 and again.json()["sale_id"] == retried.json()["sale_id"]
    report = await acquirer.settlement(today())
    assert (report["count"], report["captured"]) == (1, "30.00")
