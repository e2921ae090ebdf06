"""Serving the hub and an edge node with uvicorn, each in its own process."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from edge.api.app import create_app as create_edge_app
from edge.bootstrap import build_runtime as build_edge_runtime
from edge.settings import EdgeSettings
from hub.api.app import create_app as create_hub_app
from hub.bootstrap import build_runtime as build_hub_runtime
from hub.settings import HubSettings


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # APScheduler logs every run at INFO; its warnings and errors still show.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def _serve(app: object, host: str, port: int) -> None:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    await uvicorn.Server(config).serve()


def serve_hub(settings: HubSettings) -> None:
    """Migrate and serve the hub until SIGINT or SIGTERM."""

    async def main() -> None:
        runtime = await build_hub_runtime(settings)
        logging.getLogger("vectis.hub").info(
            "hub on http://%s:%d (database %s)",
            settings.host,
            settings.port,
            runtime.database.dialect,
        )
        await _serve(create_hub_app(runtime), settings.host, settings.port)

    asyncio.run(main())


def serve_edge(settings: EdgeSettings) -> None:
    """Migrate the store's SQLite file and serve the edge node until SIGINT or SIGTERM."""

    async def main() -> None:
        runtime = await build_edge_runtime(settings)
        logging.getLogger("vectis.edge").info(
            "edge on http://%s:%d (file %s, hub %s)",
            settings.host,
            settings.port,
            settings.database_path,
            settings.hub_url,
        )
        await _serve(create_edge_app(runtime), settings.host, settings.port)

    asyncio.run(main())
