"""The simulated acquirer as a child process (`vectis acquirer-sim`), for tests, the replay
and the demo: started on a free loopback port with its own SQLite file, stopped politely or
killed outright, and started again on the same file and port."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx

from vectis.ops.postgres import free_port
from vectis.ops.processes import ServiceProcess


class AcquirerProcess:
    """`vectis acquirer-sim` in `work_dir` (database `acquirer.db`, log `acquirer.log`).

    `url` and `api_key` are what an edge (VECTIS_EDGE_ACQUIRER_URL, _API_KEY) or the hub
    needs; `port` is chosen free at construction and kept across restarts. `manual_clock`
    starts it with `--clock manual` (time moves by PUT /v1/clock, `drive_clock`).
    """

    def __init__(
        self,
        work_dir: Path,
        *,
        port: int | None = None,
        api_key: str | None = None,
        currency: str = "GBP",
        manual_clock: datetime | None = None,
    ) -> None:
        self.work_dir = work_dir
        self.port = port or free_port()
        self.api_key = api_key or secrets.token_urlsafe(24)
        self.database_path = work_dir / "acquirer.db"
        arguments = [
            "acquirer-sim",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--database",
            str(self.database_path),
            "--currency",
            currency,
        ]
        if manual_clock is not None:
            arguments += ["--clock", "manual", "--clock-start", manual_clock.isoformat()]
        self.process = ServiceProcess(
            "acquirer",
            arguments,
            health_url=f"{self.url}/health",
            log_path=work_dir / "acquirer.log",
            # The key travels in the environment: `ps` shows command lines to every user.
            environment={"VECTIS_ACQUIRER_API_KEY": self.api_key},
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    async def start(self, timeout_s: float = 60.0) -> None:
        """Start the process and wait until it answers /health. Raises ProcessFailed."""
        self.process.start()
        await self.process.wait_healthy(timeout_s)

    async def restart(self, timeout_s: float = 60.0) -> None:
        """Start it again after `stop` or `kill`: same file, same port, same key."""
        await self.start(timeout_s)

    def stop(self) -> None:
        """SIGTERM, and SIGKILL if it does not exit in time."""
        self.process.stop()

    def kill(self) -> None:
        """SIGKILL: what was committed stays, nothing else."""
        self.process.kill()

    def alive(self) -> bool:
        return self.process.alive()

    async def settlement(
        self, day: date | str, reference_prefix: str | None = None
    ) -> dict[str, Any]:
        """GET /v1/settlements/{day}: the day's captures and refunds (docs/payments.md).
        Raises httpx.HTTPStatusError for a refusal."""
        params = {"reference_prefix": reference_prefix} if reference_prefix else {}
        async with httpx.AsyncClient(trust_env=False, timeout=10.0) as client:
            response = await client.get(
                f"{self.url}/v1/settlements/{day}", params=params, headers=self.headers
            )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    async def drive_clock(self, now: datetime) -> None:
        """Move a manual clock (started with `manual_clock`) forward to `now`."""
        async with httpx.AsyncClient(trust_env=False, timeout=10.0) as client:
            response = await client.put(
                f"{self.url}/v1/clock", json={"now": now.isoformat()}, headers=self.headers
            )
        response.raise_for_status()
