"""The running parts of a replay: a hub (or a given URL), a card acquirer, and per store two
proxies and an edge process.

Every store's edge reaches the hub, and the acquirer (`vectis acquirer-sim`), through proxies
of its own (FaultProxy), so taking a store offline is a real cut of its network link, cards
included, not a flag inside the edge.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import httpx

from edge.settings import EdgeSettings
from vectis.ops.acquirer import AcquirerProcess
from vectis.ops.errors import ProcessFailed
from vectis.ops.postgres import TemporaryCluster, free_port
from vectis.ops.processes import ServiceProcess
from vectis.proxy import FaultPolicy, FaultProxy

HubDatabaseKind = Literal["sqlite", "postgres"]

# The cycle a store ships with; the replay runs its edges at it unless told otherwise.
_EDGE_SYNC_INTERVAL_S: float = EdgeSettings.model_fields["sync_interval_s"].default


@dataclass(slots=True)
class EdgeHandle:
    store_no: int
    store_id: str
    port: int
    database_path: Path
    process: ServiceProcess
    proxy: FaultProxy
    acquirer_proxy: FaultProxy | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def set_online(self, online: bool) -> None:
        """Cut (False) or restore (True) the store's link: to the hub and to the acquirer."""
        await self.proxy.set_online(online)
        if self.acquirer_proxy is not None:
            await self.acquirer_proxy.set_online(online)

    async def restart(self, timeout_s: float = 60.0) -> None:
        """Start the process again (same file, same port) after a stop or a kill."""
        self.process.start()
        await self.process.wait_healthy(timeout_s)


@dataclass(slots=True)
class Stack:
    """Processes and proxies of one replay; `aclose` stops everything it started."""

    work_dir: Path
    hub_url: str = ""
    admin_token: str = ""
    hub_database: str = ""
    hub_process: ServiceProcess | None = None
    postgres: TemporaryCluster | None = None
    acquirer: AcquirerProcess | None = None
    edges: dict[int, EdgeHandle] = field(default_factory=dict)

    async def start_acquirer(self, *, port: int | None = None) -> AcquirerProcess:
        """Start the simulated card acquirer (`vectis acquirer-sim`, system clock) on loopback,
        its SQLite file and log in work_dir. Raises ProcessFailed."""
        self.acquirer = AcquirerProcess(self.work_dir, port=port)
        await self.acquirer.start(120)
        return self.acquirer

    async def start_hub(
        self,
        kind: HubDatabaseKind,
        *,
        port: int | None = None,
        durable_postgres: bool = True,
        database_url: str | None = None,
        workers: int = 1,
        settings: dict[str, str] | None = None,
    ) -> None:
        """Start a hub on loopback over SQLite (a file in work_dir), a fresh PostgreSQL cluster,
        or `database_url` when given (a database that exists; it is migrated). `settings`
        adds VECTIS_HUB_* environment variables (e.g. a Temporal address).
        """
        self.admin_token = secrets.token_urlsafe(24)
        if database_url:
            self.hub_database = database_url
        elif kind == "postgres":
            self.postgres = await asyncio.to_thread(
                TemporaryCluster(durable=durable_postgres).start
            )
            self.hub_database = await asyncio.to_thread(self.postgres.create_database, "vectis_hub")
        else:
            self.hub_database = f"sqlite+aiosqlite:///{self.work_dir / 'hub.db'}"
        port = port or free_port()
        self.hub_url = f"http://127.0.0.1:{port}"
        self.hub_process = ServiceProcess(
            "hub",
            [
                "hub",
                "serve",
                "--port",
                str(port),
                "--database-url",
                self.hub_database,
                "--workers",
                str(workers),
            ],
            health_url=f"{self.hub_url}/health",
            log_path=self.work_dir / "logs" / "hub.log",
            environment={"VECTIS_HUB_ADMIN_TOKEN": self.admin_token, **(settings or {})},
        )
        self.hub_process.start()
        await self.hub_process.wait_healthy(120)
        await self._check_own_hub()

    async def restart_hub(self) -> None:
        """Start the hub process again after a stop or a kill (same database, same port)."""
        assert self.hub_process is not None
        self.hub_process.start()
        await self.hub_process.wait_healthy(120)
        await self._check_own_hub()

    async def _check_own_hub(self) -> None:
        """Raises ProcessFailed unless the hub answering at hub_url is ours: it must take our
        admin token. A port that looked free may be taken by another server between the look
        and our hub's bind (two demos started at once), whose /health answers just as well."""
        assert self.hub_process is not None
        async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
            answer = await client.get(
                f"{self.hub_url}/v1/api-keys",
                headers={"Authorization": f"Bearer {self.admin_token}"},
            )
        if answer.status_code != 200:
            raise ProcessFailed(
                "hub",
                f"another server answers on {self.hub_url} (our admin token got "
                f"{answer.status_code}): its port was taken after it looked free",
                self.hub_process.log_tail(),
            )

    def use_hub(self, url: str, admin_token: str) -> None:
        """Use a hub that is already running."""
        self.hub_url = url.rstrip("/")
        self.admin_token = admin_token

    async def start_edge(
        self,
        store_no: int,
        store_id: str,
        enrolment_token: str,
        clock_start: datetime,
        *,
        port: int | None = None,
        sync_interval_s: float = _EDGE_SYNC_INTERVAL_S,
        backoff_cap_s: float = 2.0,
        settings: dict[str, str] | None = None,
        policy: FaultPolicy | None = None,
        acquirer_policy: FaultPolicy | None = None,
    ) -> EdgeHandle:
        """Start store `store_no`'s edge process behind a new proxy to the hub and, when the
        stack runs an acquirer, another to it (the store's card terminal).

        `settings` adds VECTIS_EDGE_* environment variables (e.g. a smaller push batch);
        `policy` / `acquirer_policy` are the faults of each link. `sync_interval_s`
        defaults to the edge's own (EdgeSettings, 1 s): at 0.5 s, as the replay once ran,
        its first six weeks on four stores cost the hub and PostgreSQL a third more CPU for
        the same lines (measured 2026-12-07, docs/operations.md).
        """
        host, _, hub_port = self.hub_url.removeprefix("http://").partition(":")
        proxy = FaultProxy(host, int(hub_port or 80), name=f"{store_id}-link", policy=policy)
        await proxy.start()
        acquirer_proxy: FaultProxy | None = None
        card_settings: dict[str, str] = {}
        if self.acquirer is not None:
            acquirer_proxy = FaultProxy(
                "127.0.0.1",
                self.acquirer.port,
                name=f"{store_id}-acquirer-link",
                policy=acquirer_policy,
            )
            await acquirer_proxy.start()
            card_settings = {
                "VECTIS_EDGE_ACQUIRER_URL": acquirer_proxy.url,
                "VECTIS_EDGE_ACQUIRER_API_KEY": self.acquirer.api_key,
            }
        port = port or free_port()
        database_path = self.work_dir / f"{store_id}.db"
        # The token goes in a file only this user reads, never on the command line (`ps`).
        token_path = self.work_dir / f"{store_id}.enrolment-token"
        token_path.unlink(missing_ok=True)
        descriptor = os.open(token_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as token_file:
            token_file.write(enrolment_token)
        process = ServiceProcess(
            f"edge {store_id}",
            [
                "edge",
                "serve",
                "--port",
                str(port),
                "--database",
                str(database_path),
                "--hub-url",
                proxy.url,
                "--node-name",
                f"{store_id}-edge",
                "--clock",
                "manual",
                "--clock-start",
                clock_start.isoformat(),
                "--enrolment-token-file",
                str(token_path),
            ],
            health_url=f"http://127.0.0.1:{port}/health",
            log_path=self.work_dir / "logs" / f"{store_id}.log",
            environment={
                "VECTIS_EDGE_SYNC_INTERVAL_S": str(sync_interval_s),
                "VECTIS_EDGE_BACKOFF_CAP_S": str(backoff_cap_s),
                **card_settings,
                **(settings or {}),
            },
        )
        process.start()
        try:
            await process.wait_healthy(120)
        except BaseException:  # a failed start, or a replay stopped meanwhile: leave no orphan
            await asyncio.to_thread(process.stop)
            await proxy.stop()
            if acquirer_proxy is not None:
                await acquirer_proxy.stop()
            raise
        handle = EdgeHandle(store_no, store_id, port, database_path, process, proxy, acquirer_proxy)
        self.edges[store_no] = handle
        return handle

    async def aclose(self) -> None:
        for edge in self.edges.values():
            await asyncio.to_thread(edge.process.stop)
            await edge.proxy.stop()
            if edge.acquirer_proxy is not None:
                await edge.acquirer_proxy.stop()
        if self.acquirer is not None:
            await asyncio.to_thread(self.acquirer.stop)
        if self.hub_process is not None:
            await asyncio.to_thread(self.hub_process.stop)
        if self.postgres is not None:
            await asyncio.to_thread(self.postgres.stop)
