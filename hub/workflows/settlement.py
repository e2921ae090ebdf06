"""The daily card settlement run: with an acquirer configured, the process that runs the
workflow worker and sweeper (hub/bootstrap.py `start_background`) reconciles the UTC day
before once a day, `settlement_reconcile_after_s` after midnight UTC (so the acquirer has
closed the day). It needs no Temporal: a loop that wakes every minute. A failed run (the
acquirer unreachable) is tried again at the next wake; a restarted hub runs the day again,
which is harmless (hub.service.settlements: verdicts replaced, no alert raised twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import date, timedelta

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.errors import AcquirerUnavailable
from hub.service import settlements
from hub.service.ports import CardAcquirer

log = logging.getLogger(__name__)


class SettlementScheduler:
    """Reconciles yesterday's card settlement once a day until `stop`."""

    def __init__(
        self,
        uow: HubUnitOfWork,
        acquirer: CardAcquirer,
        *,
        after_s: int = 3600,
        wake_every_s: float = 60.0,
    ) -> None:
        self._uow = uow
        self._acquirer = acquirer
        self._after = timedelta(seconds=after_s)
        self._wake_every_s = wake_every_s
        self._done: date | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="hub-card-settlement")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> date | None:
        """Reconcile yesterday (UTC, by the hub's clock) if it is due and not done by this
        scheduler yet; returns the day reconciled, or None (not due, done already, or the
        acquirer did not answer: logged, tried at the next wake)."""
        now = self._uow.now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        due = now.date() - timedelta(days=1)
        if self._done == due or now - midnight < self._after:
            return None
        try:
            verdicts = await settlements.reconcile_day(
                settlements.ReconcileDay(due), self._uow, self._acquirer
            )
        except AcquirerUnavailable as error:
            log.warning("card settlement of %s not reconciled: %s", due, error)
            return None
        self._done = due
        mismatched = sum(verdict.status == "mismatch" for verdict in verdicts)
        log.info("card settlement of %s: %d stores, %d mismatched", due, len(verdicts), mismatched)
        return due

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database down, say: log it, try at the next wake
                log.warning("card settlement run failed (%s); retrying", error)
            await asyncio.sleep(self._wake_every_s)
