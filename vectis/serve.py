"""Serving the hub and an edge node with uvicorn, each in its own process; the hub's workflow
worker on its own."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import uvicorn
from pydantic import SecretStr

from shared.tuning import tune_garbage_collector
from vectis.hub_workers import serve_workers

if TYPE_CHECKING:
    from edge.settings import EdgeSettings
    from hub.settings import HubSettings

# Each process loads only the side it serves (imports inside the functions): an edge node
# without the hub's code, Temporal client and PostgreSQL driver is about 40 MB smaller.


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run `main` on uvloop (libuv's event loop, installed with uvicorn[standard]) when it
    is there, else on asyncio's own: what `uvicorn.run` picks with `loop="auto"`. Measured
    in `vectis demo`: see docs/operations.md."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - not on Linux wheels' platforms
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # APScheduler logs every run at INFO; its warnings and errors still show.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def _serve(app: object, host: str, port: int, *, proxy_headers: bool = True) -> None:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        proxy_headers=proxy_headers,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    await uvicorn.Server(config).serve()


def serve_hub(settings: HubSettings, workers: int = 1) -> None:
    """Migrate and serve the hub until SIGINT or SIGTERM, in `workers` processes."""
    from hub.api.app import create_app as create_hub_app
    from hub.bootstrap import build_runtime as build_hub_runtime

    if workers > 1:
        _serve_hub_workers(settings, workers)
        return

    tune_garbage_collector()

    async def main() -> None:
        runtime = await build_hub_runtime(settings)
        logging.getLogger("vectis.hub").info(
            "hub on http://%s:%d (database %s)",
            settings.host,
            settings.port,
            runtime.database.dialect,
        )
        await _serve(create_hub_app(runtime), settings.host, settings.port)

    run_loop(main())


def _serve_hub_workers(settings: HubSettings, workers: int) -> None:
    # Workers are separate processes: they get the settings through the environment.
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        os.environ[f"VECTIS_HUB_{name.upper()}"] = str(value)
    os.environ["VECTIS_HUB_MIGRATE_ON_START"] = "false"
    from migrations.runner import upgrade_hub

    if settings.migrate_on_start:
        upgrade_hub(settings.database_url)
    logging.getLogger("vectis.hub").info(
        "hub on http://%s:%d with %d workers", settings.host, settings.port, workers
    )
    serve_workers(settings.host, settings.port, workers)


def serve_workflow_worker(settings: HubSettings) -> None:
    """Run the hub's workflow worker and sweeper, without the API, until SIGINT or SIGTERM;
    then stop polling, let activities under way finish, and return. Migrates the database
    first only with `migrate_on_start`. `settings` must name a Temporal address."""
    from hub.bootstrap import build_runtime as build_hub_runtime

    async def main() -> None:
        runtime = await build_hub_runtime(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        logger = logging.getLogger("vectis.hub")
        logger.info(
            "hub workflow worker: Temporal %s, namespace %s, task queue %s (database %s)",
            settings.temporal_address,
            settings.temporal_namespace,
            settings.temporal_task_queue,
            runtime.database.dialect,
        )
        runtime.start_background()
        try:
            await stop.wait()
        finally:
            await runtime.stop()
        logger.info("hub workflow worker stopped")

    asyncio.run(main())


def serve_edge(settings: EdgeSettings) -> None:
    """Migrate the store's SQLite file and serve the edge node until SIGINT or SIGTERM."""
    from edge.api.app import create_app as create_edge_app
    from edge.bootstrap import build_runtime as build_edge_runtime

    tune_garbage_collector()

    async def main() -> None:
        runtime = await build_edge_runtime(settings)
        logging.getLogger("vectis.edge").info(
            "edge on http://%s:%d (file %s, hub %s)",
            settings.host,
            settings.port,
            settings.database_path,
            settings.hub_url,
        )
        # The edge never reads the client's address, so uvicorn's X-Forwarded-* rewriting
        # (on by default) is work on every scan for nothing.
        await _serve(create_edge_app(runtime), settings.host, settings.port, proxy_headers=False)

    run_loop(main())
