"""Wiring of the hub: migrate the database, build the engine and the clock. Nothing at import."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from hub.adapters.database import HubDatabase
from hub.metrics import HubMetrics
from hub.settings import HubSettings
from migrations.runner import upgrade_hub
from shared.clock import Clock, SystemClock


@dataclass(slots=True)
class HubRuntime:
    settings: HubSettings
    database: HubDatabase
    clock: Clock
    metrics: HubMetrics

    async def stop(self) -> None:
        await self.database.dispose()


def runtime_from(settings: HubSettings, clock: Clock | None = None) -> HubRuntime:
    """The runtime over an already-migrated database; connects lazily, does no I/O here."""
    return HubRuntime(
        settings=settings,
        database=HubDatabase(settings.database_url, pool_size=settings.pool_size),
        clock=clock or SystemClock(),
        metrics=HubMetrics(),
    )


async def build_runtime(settings: HubSettings, clock: Clock | None = None) -> HubRuntime:
    """Migrate (unless disabled), then `runtime_from`."""
    if settings.migrate_on_start:
        await asyncio.to_thread(upgrade_hub, settings.database_url)
    return runtime_from(settings, clock)
